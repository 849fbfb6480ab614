"""The enterprise's own view (评价链接): signed, expiring, single-purpose rating links, and the
port that sends them (SMS), plus extension requests (延期申请) on an issue.

A link is `/rate/<issue id>?token=<token>`; the token is `<payload>.<signature>` (URL-safe
base64), the payload naming the issue, the link id and the expiry, the signature an HMAC-SHA256
with the server's secret. The link id and expiry are recorded on the issue's stream
(`Issue.RatingLinkIssued`), which decides whether the link was used or replaced; the secret never
leaves the server. `LinkSender` is the port the notification outbox implements; tests use
`RecordingLinkSender`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol
from uuid import UUID

from application.commands import CommandsBase
from application.notifier import Notifier, OutgoingMessage
from domain.issue import ENTERPRISE_ROLE, Issue, IssueKind
from domain.messages import label
from domain.shared import Actor, Forbidden, InvalidInput, NotFound, beijing
from domain.time_limits import SlaPolicy, WeekdayCalendar, WorkingCalendar

DEFAULT_LINK_TTL = timedelta(days=7)


class LinkError(Forbidden):
    """A rating link that cannot be used: bad signature, another issue, expired."""


@dataclass(frozen=True)
class RatingLinkMessage:
    """What the enterprise's contact is sent: the link to its demand's page."""

    issue_id: UUID
    enterprise_id: str
    path: str  # /rate/<issue>?token=…
    expires_at: datetime
    url: str  # the public base URL (ESPCRM_PUBLIC_URL) + path: what the SMS carries


class LinkSender(Protocol):
    """The port to the notification outbox (SMS to the enterprise's contact)."""

    def send_rating_link(self, message: RatingLinkMessage) -> None: ...


@dataclass
class RecordingLinkSender:
    """Development and tests: records what would have been sent; nothing leaves the machine."""

    sent: list[RatingLinkMessage] = field(default_factory=list)

    def send_rating_link(self, message: RatingLinkMessage) -> None:
        self.sent.append(message)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class LinkSigner:
    """Signs and checks rating-link tokens (HMAC-SHA256 with the server's secret)."""

    secret: bytes
    ttl: timedelta = DEFAULT_LINK_TTL

    def _signature(self, payload: str) -> str:
        return _b64(hmac.new(self.secret, b"rate:" + payload.encode(), hashlib.sha256).digest())

    def sign(self, issue_id: UUID, link_id: str, expires_at: datetime) -> str:
        payload = _b64(f"{issue_id}|{link_id}|{int(expires_at.timestamp())}".encode())
        return f"{payload}.{self._signature(payload)}"

    def read(self, token: str, issue_id: UUID, now: datetime) -> str:
        """The link id of a valid token for `issue_id`, or LinkError saying what is wrong."""
        payload, _, signature = (token or "").partition(".")
        if not payload or not hmac.compare_digest(signature, self._signature(payload)):
            raise LinkError("rating.link.bad")
        try:
            issue, link_id, expires = _unb64(payload).decode().split("|")
            expires_at = datetime.fromtimestamp(int(expires), tz=UTC)
        except ValueError:
            raise LinkError("rating.link.bad") from None
        if issue != str(issue_id):
            raise LinkError("rating.link.other_issue")
        if now >= expires_at:
            raise LinkError("rating.link.expired")
        return link_id


def enterprise_actor(issue: Issue) -> Actor:
    """The enterprise itself, as the actor of its own rating."""
    return Actor(
        id=f"enterprise:{issue.enterprise_id}", name=label("role.ENTERPRISE"), role=ENTERPRISE_ROLE
    )


class OutreachCommands(CommandsBase):
    """Rating links and extension requests; the signer, sender and time limits are wired in."""

    link_signer: LinkSigner | None = None
    link_sender: LinkSender = RecordingLinkSender()
    link_base_url: str = ""
    sla: SlaPolicy = SlaPolicy()
    calendar: WorkingCalendar = WeekdayCalendar()

    # ------------------------------------------------------------ rating links

    def send_rating_link(self, issue_id: UUID, actor: Actor) -> tuple[str, int]:
        """Make a new link for an issue awaiting evaluation, record it, send it; returns the
        path (with its token) and the position."""
        signer = self._signer()
        now = self.now()
        expires_at = now + signer.ttl
        made: dict[str, str] = {}

        def act(issue: Issue) -> None:
            # Derived, not drawn: a replayed demo writes the same log; unguessable without the key.
            seed = f"link|{issue_id}|{issue.version}".encode()
            link_id = _b64(hmac.new(signer.secret, seed, hashlib.sha256).digest()[:9])
            issue.issue_rating_link(link_id, expires_at, actor=actor, timestamp=now)
            made.update(link_id=link_id, enterprise_id=str(issue.enterprise_id))

        # Through the command path (and its cache): a save beside it left the cached issue
        # stale, so the next command on it clashed once and retried (a gap in the log's ids).
        position = self._update(issue_id, "issue", act)
        link_id = made["link_id"]
        path = f"/rate/{issue_id}?token={signer.sign(issue_id, link_id, expires_at)}"
        message = RatingLinkMessage(
            issue_id, made["enterprise_id"], path, expires_at, self.link_base_url + path
        )
        self.link_sender.send_rating_link(message)
        return path, position

    def after_closure_approved(self, issue_id: UUID, actor: Actor) -> int | None:
        """An approved enterprise demand: the enterprise is sent its link at once."""
        issue: Issue = self._get(issue_id, "issue")
        if self.link_signer is None or issue.kind is not IssueKind.ENTERPRISE_DEMAND:
            return None
        return self.send_rating_link(issue_id, actor)[1]

    def rating_link_issue(self, issue_id: UUID, token: str) -> Issue:
        """The issue a valid, current, unused link opens (LinkError / Conflict otherwise)."""
        link_id = self._signer().read(token, issue_id, self.now())
        issue: Issue = self._get(issue_id, "issue")
        issue.check_rating_link(link_id, self.now())
        return issue

    def rate_by_link(
        self, issue_id: UUID, token: str, satisfaction: str, comment: str | None
    ) -> int:
        """The enterprise's rating: the evaluation event, by the enterprise."""
        link_id = self._signer().read(token, issue_id, self.now())
        return self._update(
            issue_id,
            "issue",
            lambda i: i.evaluate_by_link(
                link_id, satisfaction, comment, actor=enterprise_actor(i), timestamp=self.now()
            ),
        )

    # ------------------------------------------------------------ direct-report lookup

    def phone_digest(self, phone: str) -> str:
        """A keyed digest of a phone number's digits (the number is never stored)."""
        digits = "".join(ch for ch in phone if ch.isdigit())
        if len(digits) < 7:
            raise InvalidInput("input.required", field="phone")
        key = self._signer().secret
        return hmac.new(key, b"phone:" + digits.encode(), hashlib.sha256).hexdigest()[:32]

    def record_reporter_phone(self, issue_id: UUID, phone: str, actor: Actor) -> int:
        digest = self.phone_digest(phone)
        return self._update(
            issue_id,
            "issue",
            lambda i: i.record_reporter_phone(digest, actor=actor, timestamp=self.now()),
        )

    def track_direct_report(self, number: str, phone: str) -> Issue:
        """A direct report by its tracking number (its id) and the phone given with it; one
        answer (not found) for an unknown number and a wrong phone alike."""
        missing = NotFound("lookup.not_found")
        try:
            issue_id = UUID(number.strip())
            digest = self.phone_digest(phone)
        except (ValueError, InvalidInput):
            raise missing from None
        if not self._exists(issue_id):
            raise missing
        issue: object = self.repository.get(issue_id)
        known = getattr(issue, "phone_digest", None)
        if not isinstance(issue, Issue) or not known or not hmac.compare_digest(known, digest):
            raise missing
        return issue

    def _signer(self) -> LinkSigner:
        if self.link_signer is None:
            raise InvalidInput("rating.link.bad", field="token")
        return self.link_signer

    # ------------------------------------------------------------ extensions (延期申请)

    def request_extension(
        self,
        issue_id: UUID,
        department_id: str,
        reason: str,
        requested_due_at: datetime | None,
        actor: Actor,
    ) -> int:
        return self._update(
            issue_id,
            "issue",
            lambda i: i.request_extension(
                department_id, reason, requested_due_at, sla=self.sla, calendar=self.calendar,
                actor=actor, timestamp=self.now(),
            ),
        )  # fmt: skip

    def approve_extension(
        self, issue_id: UUID, new_due_at: datetime, note: str | None, actor: Actor
    ) -> int:
        return self._update(
            issue_id,
            "issue",
            lambda i: i.approve_extension(
                new_due_at, note, sla=self.sla, calendar=self.calendar, actor=actor,
                timestamp=self.now(),
            ),
        )  # fmt: skip

    def refuse_extension(self, issue_id: UUID, reason: str, actor: Actor) -> int:
        return self._update(
            issue_id,
            "issue",
            lambda i: i.refuse_extension(reason, actor=actor, timestamp=self.now()),
        )


__all__ = ["LinkSender", "LinkSigner", "OutreachCommands", "RecordingLinkSender"]


@dataclass
class NotifyingLinkSender:
    """The rating link as an SMS to the enterprise's first contact, through the notification
    outbox (the Notifier port): queued once per link, delivered with retries, never twice."""

    notifier: Notifier
    contact_phone: Callable[[str], str | None]  # enterprise id → its first contact's phone

    def send_rating_link(self, message: RatingLinkMessage) -> None:
        self.notifier.send(
            OutgoingMessage(
                key=f"rating-link:{message.path}",
                text_key="notice.rating_link",
                params={"url": message.url, "expires": beijing(message.expires_at)},
                sms_to=self.contact_phone(message.enterprise_id),
                issue_id=str(message.issue_id),
                enterprise_id=message.enterprise_id,
            )
        )
