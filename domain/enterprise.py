"""The enterprise relationship stream (企业服务关系): one stream per enterprise under service.

Facts, as DOMAIN.md lists them: opened, commissioner assigned, handed over (交接), visit logged
(走访), visit corrected (a new event pointing at the visit), policy notified (告知) and confirmed
by the enterprise (确认), contacts changed, suspended / resumed / closed.

    ACTIVE ──suspend──▶ SUSPENDED ──resume──▶ ACTIVE
    ACTIVE | SUSPENDED ──close──▶ CLOSED (final: every command is refused)

Public commands check everything first and raise before any event is triggered, so a refused
command leaves the aggregate and its pending events as they were. Who may act is checked here
only where it depends on the stream itself ("is this your enterprise?"); checks by role alone
(e.g. only ADMIN suspends or closes) are the application's.
"""

from __future__ import annotations

import copy
import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from eventsourcing.domain import Snapshot as LibrarySnapshot

from domain.districts import validate_district
from domain.labour import (
    LabourState,
    OccupationCatalogue,
    check_placement,
    check_situation,
    hiring_category,
)
from domain.messages import t
from domain.personal_data import (
    ERASED,
    erase_contacts,
)
from domain.policy_catalogue import PolicyCatalogue
from domain.shared import (
    BEIJING_TIME,
    Actor,
    Forbidden,
    IdempotencyKeyReused,
    InvalidInput,
    InvalidTransition,
    Role,
    Rule,
    beijing,
    require_aware,
    require_text,
)
from domain.uscc import validate_uscc

_NAMESPACE = uuid5(NAMESPACE_URL, "https://espcrm/enterprise-relationship")
_PHONE = re.compile(r"^\+?[0-9][0-9-]{5,19}$")

CLOCK_SKEW = timedelta(minutes=5)

ID_MAX_LENGTH = 64
ATTENDEE_MAX_LENGTH = 100
TOPIC_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 5000
MAX_LIST_ITEMS = 100

# The visits a relationship remembers in full enough to decide on them: an idempotent repeat of
# logVisit and a correction look at the visit itself, and are answered for the latest
# VISIT_WINDOW visits (by the order they were logged). Every visit id stays known (as a short
# digest) for "already logged" and for demands raised during a visit. Nothing a decision reads
# grows with the stream but that digest string (12 characters a visit), so loading a snapshot
# costs nearly the same at 10 and at 5,000 visits (docs/benchmarks.md).
VISIT_WINDOW = 100


def enterprise_id_for(uscc: str) -> UUID:
    """One relationship per credit code: the id is derived from the code itself."""
    return uuid5(_NAMESPACE, validate_uscc(uscc))


@dataclass(frozen=True)
class Contact:
    """联系人: personal information, encrypted at rest and masked for most readers."""

    name: str
    phone: str
    title: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "phone": self.phone, "title": self.title}


def normalise_phone(raw: str) -> str:
    """Mobiles as 11 bare digits; landlines (023-6386xxxx) keep their area-code dash."""
    phone = "".join(unicodedata.normalize("NFKC", raw).split())
    digits = phone.replace("-", "")
    if len(digits) == 11 and digits.startswith("1") and digits.isdigit():
        return digits
    return phone


def validate_contacts(raw: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Contacts as plain dicts, phones cleaned of spaces; InvalidInput names the row."""
    contacts: list[dict[str, Any]] = []
    for i, item in enumerate(raw or []):
        field = f"contacts[{i}]"
        name = require_text(item.get("name"), f"{field}.name", max_length=50)
        phone = normalise_phone(str(item.get("phone") or ""))
        if not _PHONE.match(phone):
            raise InvalidInput("phone.invalid", field=field, value=phone)
        title = (item.get("title") or "").strip() or None
        contacts.append(Contact(name, phone, title).as_dict())
    return contacts


class RelationshipStatus(StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"  # 暂停服务
    CLOSED = "CLOSED"  # 终止服务: final


class VisitChannel(StrEnum):
    ON_SITE = "ON_SITE"  # 上门走访
    PHONE = "PHONE"  # 电话
    VIDEO = "VIDEO"  # 视频
    EVENT = "EVENT"  # 座谈会, 招聘会, 政策宣讲: counted as policy events (政策宣传服务)


_R = RelationshipStatus
_OPEN = frozenset({_R.ACTIVE, _R.SUSPENDED})

# Where each command may start, and how to name it in a refusal. Serving the enterprise (visits,
# notices) needs an ACTIVE relationship; keeping the record straight (corrections, the
# enterprise's confirmation of an earlier notice, contacts, handover) is allowed while it is
# SUSPENDED too; nothing is recorded after CLOSED.
RULES: dict[str, Rule] = {
    "assign_commissioner": Rule(_OPEN, "action.relationship.assign_commissioner"),
    "log_visit": Rule(frozenset({_R.ACTIVE}), "action.relationship.log_visit"),
    "correct_visit": Rule(_OPEN, "action.relationship.correct_visit"),
    "notify_policy": Rule(frozenset({_R.ACTIVE}), "action.relationship.notify_policy"),
    "confirm_policy": Rule(_OPEN, "action.relationship.confirm_policy"),
    "change_contacts": Rule(_OPEN, "action.relationship.change_contacts"),
    "suspend": Rule(frozenset({_R.ACTIVE}), "action.relationship.suspend"),
    "resume": Rule(frozenset({_R.SUSPENDED}), "action.relationship.resume"),
    "close": Rule(_OPEN, "action.relationship.close"),
    # The right to be forgotten holds whatever the relationship's state, closed included.
    "erase_personal_data": Rule(
        frozenset(RelationshipStatus), "action.relationship.erase_personal_data"
    ),
    "record_labour": Rule(frozenset({_R.ACTIVE}), "action.relationship.record_labour"),
    "correct_labour": Rule(_OPEN, "action.relationship.record_labour"),
    "raise_vacancy_demand": Rule(
        frozenset({_R.ACTIVE}), "action.relationship.raise_vacancy_demand"
    ),
    "fill_vacancy": Rule(_OPEN, "action.relationship.fill_vacancy"),
}

# Correctable visit data: the key in `corrections` (and in VisitCorrected.changes) → the
# contract's input field, which InvalidInput names.
CORRECTABLE_FIELDS: dict[str, str] = {
    "visited_at": "visitedAt",
    "channel": "channel",
    "attendees": "attendees",
    "topics": "topics",
    "policies_explained": "policiesExplained",
    "summary": "summary",
    "follow_ups": "followUps",
    "next_visit_on": "nextVisitOn",
}


# ---------------------------------------------------------------- input checks


def _visit_date(visited_at: datetime) -> date:
    # The visit's calendar date is the bureau's, whatever offset the client sent.
    return visited_at.astimezone(BEIJING_TIME).date()


def _texts(values: object, field: str, *, max_length: int, at_least_one: bool = False) -> list[str]:
    """Trimmed texts with blank entries dropped (forms send empty rows)."""
    if values is None:
        values = []
    # A bare string is a sequence too; iterating it would yield characters.
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise InvalidInput("input.texts", field=field)
    if any(not isinstance(value, str) for value in values):
        raise InvalidInput("input.texts", field=field)
    texts = [require_text(value, field, max_length=max_length) for value in values if value.strip()]
    if len(texts) > MAX_LIST_ITEMS:
        raise InvalidInput("input.too_many", field=field, limit=MAX_LIST_ITEMS)
    if at_least_one and not texts:
        raise InvalidInput("input.at_least_one", field=field)
    return texts


def _channel(value: object) -> str:
    allowed = [member.value for member in VisitChannel]
    if value not in allowed:
        raise InvalidInput("input.unknown_value", field="channel", value=value, allowed=allowed)
    return VisitChannel(value).value


def _summary(value: object) -> str:
    if value is not None and not isinstance(value, str):
        raise InvalidInput("input.text", field="summary")
    return require_text(value, "summary", max_length=TEXT_MAX_LENGTH)


def _policies(values: object, catalogue: PolicyCatalogue) -> list[str]:
    codes = _texts(values, "policiesExplained", max_length=ID_MAX_LENGTH)
    return list(catalogue.require(codes))


def _next_visit_on(value: object) -> date | None:
    # A datetime is a date too, but would be stored (and compared) as a point in time.
    if value is None:
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInput("input.date", field="nextVisitOn")
    return value


def _check_next_visit_after_visit(next_visit_on: date | None, visited_at: datetime) -> None:
    if next_visit_on is not None and next_visit_on < _visit_date(visited_at):
        raise InvalidInput(
            "visit.next_before_visit",
            field="nextVisitOn",
            next=next_visit_on.isoformat(),
            visited=_visit_date(visited_at).isoformat(),
        )


def _optional_text(value: str | None, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    return require_text(value, field, max_length=TEXT_MAX_LENGTH)


# ---------------------------------------------------------------- the aggregate


class EnterpriseRelationship(Aggregate):
    """An enterprise under one-on-one service (一对一服务) by a service commissioner."""

    class Opened(Aggregate.Created):
        class_version = 1
        uscc: str
        name: str
        district: str
        industry: str | None
        size: str | None
        address: str | None
        contacts: list[dict[str, Any]]
        actor: Actor

    class CommissionerAssigned(Aggregate.Event):
        """The first commissioner; later changes are HandedOver (older streams may hold a
        CommissionerAssigned with a previous_commissioner_id: it means the same)."""

        class_version = 1
        commissioner_id: str
        commissioner_name: str
        previous_commissioner_id: str | None
        reason: str | None
        actor: Actor

    class HandedOver(Aggregate.Event):
        """交接: the enterprise passes from one commissioner to another, with a reason."""

        class_version = 1
        from_commissioner_id: str
        to_commissioner_id: str
        to_commissioner_name: str
        reason: str
        actor: Actor

    class VisitLogged(Aggregate.Event):
        """走访: one visit as it actually happened (visited_at), logged by its commissioner."""

        class_version = 2
        visit_id: str
        visited_at: datetime
        channel: str
        attendees: list[str]
        topics: list[str]
        policies_explained: list[str]
        summary: str
        follow_ups: list[str]
        next_visit_on: date | None
        commissioner_id: str
        actor: Actor

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 had no channel: visits were then only 上门走访 (on-site)."""
            state["channel"] = VisitChannel.ON_SITE.value

    class VisitCorrected(Aggregate.Event):
        """A correction points at the visit; `changes` holds only the fields it changes."""

        class_version = 1
        visit_id: str
        changes: dict[str, Any]
        reason: str
        actor: Actor

    class PolicyNotified(Aggregate.Event):
        """告知: a policy from the catalogue was brought to the enterprise's notice."""

        class_version = 1
        policy_code: str
        note: str | None
        actor: Actor

    class PolicyConfirmed(Aggregate.Event):
        """确认: the enterprise acknowledged a notified policy (confirmed_by: who, there)."""

        class_version = 1
        policy_code: str
        confirmed_by: str
        actor: Actor

    class ContactsChanged(Aggregate.Event):
        class_version = 1
        contacts: list[dict[str, Any]]
        actor: Actor

    class Suspended(Aggregate.Event):
        class_version = 1
        reason: str
        actor: Actor

    class Resumed(Aggregate.Event):
        class_version = 1
        actor: Actor

    class Closed(Aggregate.Event):
        class_version = 1
        reason: str
        actor: Actor

    # The shape of the aggregate's own state, as snapshots hold it. 2: lean visits (a window of
    # visit records, the digests of every visit id, the count, the latest of those retired).
    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A snapshot of version 1 held every visit in full (`_visits`) and each visit's
        request (`_visit_requests`): keep what the decisions read."""
        visits: dict[str, dict[str, Any]] = state.pop("_visits", {})
        requests: dict[str, Sequence[Any]] = state.pop("_visit_requests", {})
        lean = _LeanVisits()
        for visit_id, visit in visits.items():
            request = requests.get(visit_id)
            lean.logged(
                visit_id,
                visit,
                int(visit["logged_version"]),
                _request_digest(_request_fields(request)) if request is not None else "",
            )
        state.update(lean.state())

    class Snapshot(LibrarySnapshot):
        """Restores what JSON cannot say by itself (the status is an enum)."""

        def mutate(self, _: None) -> Any:
            aggregate = super().mutate(_)
            state = vars(aggregate)
            state["_status"] = RelationshipStatus(state["_status"])
            return aggregate

    class PersonalDataErased(Aggregate.Event):
        """个人信息删除: the key sealing this enterprise's personal data was destroyed (see
        application/shredding.py); from here on every copy of it reads as （已删除）."""

        class_version = 1
        legal_basis: str
        actor: Actor

    @staticmethod
    def create_id(uscc: str) -> UUID:
        return enterprise_id_for(uscc)

    # ------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        *,
        uscc: str,
        name: str,
        district: str,
        industry: str | None,
        size: str | None,
        address: str | None,
        contacts: list[dict[str, Any]] | None,
        actor: Actor,
        timestamp: datetime,
    ) -> EnterpriseRelationship:
        """Open a relationship; every input is checked before anything is recorded."""
        return cls(
            uscc=validate_uscc(uscc),
            name=require_text(name, "name", max_length=200),
            district=validate_district(district),
            industry=(industry or "").strip() or None,
            size=(size or "").strip() or None,
            address=(address or "").strip() or None,
            contacts=validate_contacts(contacts),
            actor=actor,
            timestamp=timestamp,
        )

    @event(Opened)
    def __init__(
        self,
        *,
        uscc: str,
        name: str,
        district: str,
        industry: str | None,
        size: str | None,
        address: str | None,
        contacts: list[dict[str, Any]],
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self.uscc = uscc
        self.name = name
        self.district = district
        self.industry = industry
        self.size = size
        self.address = address
        self.contacts = contacts
        self._commissioner_id: str | None = None
        self._commissioner_name: str | None = None
        self._status = RelationshipStatus.ACTIVE
        # Visits, lean (VISIT_WINDOW): records of the latest ones, every id's digest, the count.
        self._visits: dict[str, dict[str, Any]] = {}
        self._visit_ids = ""
        self._visit_count = 0
        self._retired_latest: list[Any] | None = None
        self._notified: dict[str, None] = {}  # an ordered set: codes in order first notified
        self._confirmed: dict[str, str] = {}  # code → who confirmed it at the enterprise

    # ------------------------------------------------------------ read side

    @property
    def status(self) -> str:
        return self._status.value

    @property
    def commissioner_id(self) -> str | None:
        return self._commissioner_id

    @property
    def commissioner_name(self) -> str | None:
        return self._commissioner_name

    def has_visit(self, visit_id: str) -> bool:
        """Whether a visit of this id was ever logged here (however long ago)."""
        return visit_id in self._visits or _holds_digest(self._visit_ids, _visit_digest(visit_id))

    def visit(self, visit_id: str) -> dict[str, Any] | None:
        """One of the latest VISIT_WINDOW visits as corrected: when it happened, its channel,
        the next visit planned then, the version that logged it; None if unknown or older."""
        record = self._visits.get(visit_id)
        if record is None:
            return None
        return {key: record[key] for key in ("visited_at", "channel", "next_visit_on", "version")}

    @property
    def visit_count(self) -> int:
        return int(self._visit_count)

    @property
    def last_visit_at(self) -> datetime | None:
        latest = self._latest_visit()
        return latest[0] if latest else None

    @property
    def next_visit_due_on(self) -> date | None:
        """The next visit planned at the latest visit (by when it happened, not when logged)."""
        latest = self._latest_visit()
        return latest[2] if latest else None

    @property
    def notified_policies(self) -> tuple[str, ...]:
        return tuple(self._notified)

    @property
    def confirmed_policies(self) -> tuple[str, ...]:
        return tuple(self._confirmed)

    def _latest_visit(self) -> tuple[datetime, int, date | None] | None:
        """The rule for which visit is the latest: by when it happened (as corrected), and of
        two at the same moment the one logged later. The read models' SQL follows it and is
        tested against it (tests/integration/test_latest_visit.py). Visits that left the
        window can no longer be corrected, so the latest of them is kept as it was."""
        return _latest(self._retired_latest, *(_as_latest(r) for r in self._visits.values()))

    # ------------------------------------------------------------ guards

    def _check(self, command: str) -> None:
        RULES[command].check(self._status, "relationship")

    def _require_commissioner(self, actor: Actor, action: str, *, or_admin: bool) -> None:
        """Not your enterprise → Forbidden. Compared by user id: the role alone proves nothing."""
        if self._commissioner_id is not None and actor.id == self._commissioner_id:
            return
        if or_admin and actor.role == Role.ADMIN.value:
            return
        who = t("who.commissioner_or_admin" if or_admin else "who.commissioner")
        raise Forbidden("enterprise.not_yours", name=self.name, who=who, action=t(action))

    # ------------------------------------------------------------ commissioner (服务专员)

    def assign_commissioner(
        self,
        commissioner_id: str,
        commissioner_name: str,
        reason: str | None,
        *,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        """Assign the first commissioner, or hand over (交接) to another one, which needs a
        reason; assigning the commissioner already assigned is refused."""
        self._check("assign_commissioner")
        commissioner_id = require_text(commissioner_id, "commissionerId", max_length=ID_MAX_LENGTH)
        commissioner_name = require_text(commissioner_name, "commissionerName", max_length=50)
        if commissioner_id == self._commissioner_id:
            raise InvalidInput(
                "enterprise.already_assigned", field="commissionerId", commissioner=commissioner_id
            )
        moment = require_aware(timestamp, "timestamp")
        if self._commissioner_id is None:
            self._commissioner_assigned(
                commissioner_id=commissioner_id,
                commissioner_name=commissioner_name,
                previous_commissioner_id=None,
                reason=_optional_text(reason, "reason"),
                actor=actor,
                timestamp=moment,
            )
            return
        self._handed_over(
            from_commissioner_id=self._commissioner_id,
            to_commissioner_id=commissioner_id,
            to_commissioner_name=commissioner_name,
            reason=require_text(reason, "reason", max_length=TEXT_MAX_LENGTH),
            actor=actor,
            timestamp=moment,
        )

    @event(CommissionerAssigned)
    def _commissioner_assigned(
        self,
        commissioner_id: str,
        commissioner_name: str,
        previous_commissioner_id: str | None,
        reason: str | None,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self._commissioner_id = commissioner_id
        self._commissioner_name = commissioner_name

    @event(HandedOver)
    def _handed_over(
        self,
        from_commissioner_id: str,
        to_commissioner_id: str,
        to_commissioner_name: str,
        reason: str,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self._commissioner_id = to_commissioner_id
        self._commissioner_name = to_commissioner_name

    # ------------------------------------------------------------ visits (走访)

    def log_visit(
        self,
        visit_id: str,
        visited_at: datetime,
        channel: str,
        attendees: Sequence[str],
        topics: Sequence[str] | None,
        policies_explained: Sequence[str] | None,
        summary: str,
        follow_ups: Sequence[str] | None,
        next_visit_on: date | None,
        catalogue: PolicyCatalogue,
        *,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        """Log a visit by the enterprise's commissioner. `visited_at` is when it happened: not
        in the future (5 minutes of clock skew allowed) and not before the relationship opened.
        """
        self._require_commissioner(actor, "do.log_visits", or_admin=False)
        self._check("log_visit")
        checked_id = require_text(visit_id, "visitId", max_length=ID_MAX_LENGTH)
        if self.has_visit(checked_id):
            raise InvalidInput("visit.already_logged", field="visitId", visit=checked_id)
        moment = require_aware(timestamp, "timestamp")
        checked_visited_at = self._visited_at(visited_at, moment)
        checked_next_visit_on = _next_visit_on(next_visit_on)
        _check_next_visit_after_visit(checked_next_visit_on, checked_visited_at)
        assert self._commissioner_id is not None  # _require_commissioner saw to it
        self._visit_logged(
            visit_id=checked_id,
            **_visit_fields(
                dict(
                    visited_at=checked_visited_at, channel=channel, attendees=attendees,
                    topics=topics, policies_explained=policies_explained, summary=summary,
                    follow_ups=follow_ups, next_visit_on=checked_next_visit_on,
                ),
                catalogue,
            ),
            commissioner_id=self._commissioner_id,
            actor=actor,
            timestamp=moment,
        )  # fmt: skip

    def repeats_visit(
        self,
        visit_id: str,
        visited_at: datetime,
        channel: str,
        attendees: Sequence[str],
        topics: Sequence[str],
        policies_explained: Sequence[str],
        summary: str,
        follow_ups: Sequence[str],
        next_visit_on: date | None,
        catalogue: PolicyCatalogue,
        *,
        actor: Actor,
    ) -> int:
        """An idempotent repeat of a logged visit: the version of the first VisitLogged, if
        this is the same request by the same person; IdempotencyKeyReused otherwise."""
        self._require_commissioner(actor, "log visits", or_admin=False)
        fields = _visit_fields(
            dict(
                visited_at=require_aware(visited_at, "visitedAt"), channel=channel,
                attendees=attendees, topics=topics, policies_explained=policies_explained,
                summary=summary, follow_ups=follow_ups, next_visit_on=_next_visit_on(next_visit_on),
            ),
            catalogue,
        )  # fmt: skip
        earlier = self._visits.get(visit_id)
        if earlier is None:  # logged before the window: too long ago to tell a repeat
            raise InvalidInput("visit.already_logged", field="visitId", visit=visit_id)
        if earlier["request"] != _request_digest(fields):
            raise IdempotencyKeyReused("idempotency.key_reused", field="idempotencyKey")
        return int(earlier["version"])

    def _visited_at(self, value: object, now: datetime) -> datetime:
        visited_at = require_aware(value, "visitedAt")
        if visited_at > now + CLOCK_SKEW:
            raise InvalidInput("visit.in_future", field="visitedAt", at=beijing(visited_at))
        if visited_at < self.created_on:
            raise InvalidInput(
                "visit.before_opened",
                field="visitedAt",
                at=beijing(visited_at),
                opened=beijing(self.created_on),
            )
        return visited_at

    @event(VisitLogged)
    def _visit_logged(
        self,
        visit_id: str,
        visited_at: datetime,
        channel: str,
        attendees: list[str],
        topics: list[str],
        policies_explained: list[str],
        summary: str,
        follow_ups: list[str],
        next_visit_on: date | None,
        commissioner_id: str,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        fields = dict(
            visited_at=visited_at, channel=channel, attendees=attendees, topics=topics,
            policies_explained=policies_explained, summary=summary, follow_ups=follow_ups,
            next_visit_on=next_visit_on,
        )  # fmt: skip
        # The stream version of the VisitLogged event is this event's own version.
        lean = _LeanVisits(self._visits, self._visit_ids, self._visit_count, self._retired_latest)
        lean.logged(visit_id, fields, self.version + 1, _request_digest(fields))
        self._visit_ids, self._visit_count = lean.ids, lean.count
        self._retired_latest = list(lean.retired) if lean.retired else None

    def correct_visit(
        self,
        visit_id: str,
        corrections: Mapping[str, object],
        reason: str,
        catalogue: PolicyCatalogue,
        *,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        """Correct a logged visit: a new event pointing at it, never an edit. `corrections`
        maps CORRECTABLE_FIELDS keys to new values, checked as log_visit checks them; values
        equal to the current ones are left out, and a correction that changes nothing is
        refused."""
        self._require_commissioner(actor, "do.correct_visits", or_admin=True)
        self._check("correct_visit")
        checked_id = require_text(visit_id, "visitId", max_length=ID_MAX_LENGTH)
        visit = self._visits.get(checked_id)
        if visit is None and self.has_visit(checked_id):
            raise InvalidInput(
                "visit.too_old_to_correct", field="visitId", visit=checked_id, window=VISIT_WINDOW
            )
        if visit is None:
            raise InvalidInput("visit.unknown", field="visitId", visit=checked_id)
        checked_reason = require_text(reason, "reason", max_length=TEXT_MAX_LENGTH)
        moment = require_aware(timestamp, "timestamp")
        changes = self._changes(visit, corrections, catalogue, moment)
        self._visit_corrected(
            visit_id=checked_id,
            changes=changes,
            reason=checked_reason,
            actor=actor,
            timestamp=moment,
        )

    def _changes(
        self,
        visit: dict[str, Any],
        corrections: Mapping[str, object],
        catalogue: PolicyCatalogue,
        now: datetime,
    ) -> dict[str, Any]:
        if not isinstance(corrections, Mapping) or not corrections:
            raise InvalidInput("correction.none", field="corrections")
        unknown = sorted(str(key) for key in corrections if key not in CORRECTABLE_FIELDS)
        if unknown:
            raise InvalidInput(
                "correction.not_correctable",
                field="corrections",
                fields=unknown,
                correctable=list(CORRECTABLE_FIELDS),
            )
        checks: dict[str, Callable[[object], object]] = {
            "visited_at": lambda value: self._visited_at(value, now),
            "channel": _channel,
            "attendees": lambda value: _texts(
                value, "attendees", max_length=ATTENDEE_MAX_LENGTH, at_least_one=True
            ),
            "topics": lambda value: _texts(value, "topics", max_length=TOPIC_MAX_LENGTH),
            "policies_explained": lambda value: _policies(value, catalogue),
            "summary": _summary,
            "follow_ups": lambda value: _texts(value, "followUps", max_length=TEXT_MAX_LENGTH),
            "next_visit_on": _next_visit_on,
        }
        checked = {key: checks[key](value) for key, value in corrections.items()}
        changes = {key: value for key, value in checked.items() if _differs(visit, key, value)}
        if not changes:
            raise InvalidInput("nothing_changes", field="corrections")
        # The visit as corrected must still hold together (its next visit not before it).
        corrected = {**visit, **changes}
        _check_next_visit_after_visit(corrected["next_visit_on"], corrected["visited_at"])
        return changes

    @event(VisitCorrected)
    def _visit_corrected(
        self, visit_id: str, changes: dict[str, Any], reason: str, actor: Actor, timestamp: datetime
    ) -> None:
        self._visits[visit_id] = _corrected(self._visits[visit_id], changes)

    # ------------------------------------------------------------ policies (告知 + 确认)

    def notify_policy(
        self,
        policy_code: str,
        catalogue: PolicyCatalogue,
        note: str | None = None,
        *,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        """告知: record that a catalogue policy was brought to the enterprise's notice.
        Notifying the same policy again (a reminder) is recorded too."""
        self._require_commissioner(actor, "do.notify_policies", or_admin=True)
        self._check("notify_policy")
        code = require_text(policy_code, "policyCode", max_length=ID_MAX_LENGTH)
        try:
            catalogue.require([code])
        except InvalidInput as exc:
            raise exc.naming("policyCode") from exc
        self._policy_notified(
            policy_code=code,
            note=_optional_text(note, "note"),
            actor=actor,
            timestamp=require_aware(timestamp, "timestamp"),
        )

    @event(PolicyNotified)
    def _policy_notified(
        self, policy_code: str, note: str | None, actor: Actor, timestamp: datetime
    ) -> None:
        self._notified[policy_code] = None

    def confirm_policy(
        self, policy_code: str, confirmed_by: str, *, actor: Actor, timestamp: datetime
    ) -> None:
        """确认: the enterprise acknowledges a policy it was notified of, once."""
        self._require_commissioner(actor, "do.confirm_policies", or_admin=True)
        self._check("confirm_policy")
        code = require_text(policy_code, "policyCode", max_length=ID_MAX_LENGTH)
        if code not in self._notified:
            raise InvalidTransition("policy.never_notified", code=code)
        if code in self._confirmed:
            raise InvalidTransition("policy.already_confirmed", code=code)
        self._policy_confirmed(
            policy_code=code,
            confirmed_by=require_text(confirmed_by, "confirmedBy", max_length=ATTENDEE_MAX_LENGTH),
            actor=actor,
            timestamp=require_aware(timestamp, "timestamp"),
        )

    @event(PolicyConfirmed)
    def _policy_confirmed(
        self, policy_code: str, confirmed_by: str, actor: Actor, timestamp: datetime
    ) -> None:
        self._confirmed[policy_code] = confirmed_by

    # ------------------------------------------------------------ contacts (联系人)

    def change_contacts(
        self, contacts: list[dict[str, Any]], *, actor: Actor, timestamp: datetime
    ) -> None:
        """Replace the enterprise's contacts (the whole list); a change to nothing is refused."""
        self._require_commissioner(actor, "do.change_contacts", or_admin=True)
        self._check("change_contacts")
        checked = validate_contacts(contacts)
        if checked == self.contacts:
            raise InvalidInput("nothing_changes", field="contacts")
        self._contacts_changed(
            contacts=checked, actor=actor, timestamp=require_aware(timestamp, "timestamp")
        )

    @event(ContactsChanged)
    def _contacts_changed(
        self, contacts: list[dict[str, Any]], actor: Actor, timestamp: datetime
    ) -> None:
        self.contacts = copy.deepcopy(contacts)

    # ------------------------------------------------------------ suspension and closure

    def suspend(self, reason: str, *, actor: Actor, timestamp: datetime) -> None:
        """暂停服务: no visits or notices until resumed."""
        self._check("suspend")
        self._suspended(
            reason=require_text(reason, "reason", max_length=TEXT_MAX_LENGTH),
            actor=actor,
            timestamp=require_aware(timestamp, "timestamp"),
        )

    @event(Suspended)
    def _suspended(self, reason: str, actor: Actor, timestamp: datetime) -> None:
        self._status = RelationshipStatus.SUSPENDED

    def resume(self, *, actor: Actor, timestamp: datetime) -> None:
        self._check("resume")
        self._resumed(actor=actor, timestamp=require_aware(timestamp, "timestamp"))

    @event(Resumed)
    def _resumed(self, actor: Actor, timestamp: datetime) -> None:
        self._status = RelationshipStatus.ACTIVE

    def close(self, reason: str, *, actor: Actor, timestamp: datetime) -> None:
        """终止服务: final; the credit code keeps its (closed) stream."""
        self._check("close")
        self._closed(
            reason=require_text(reason, "reason", max_length=TEXT_MAX_LENGTH),
            actor=actor,
            timestamp=require_aware(timestamp, "timestamp"),
        )

    @event(Closed)
    def _closed(self, reason: str, actor: Actor, timestamp: datetime) -> None:
        self._status = RelationshipStatus.CLOSED

    # ------------------------------------------------------------ the right to be forgotten

    def erase_personal_data(self, legal_basis: str, *, actor: Actor, timestamp: datetime) -> None:
        """个人信息删除 (个人信息保护法): a legal basis is required (only ADMIN may: the API's
        role gate). The keys are the application's to destroy; this records the fact and
        blanks what the aggregate holds."""
        self._check("erase_personal_data")
        self._personal_data_erased(
            legal_basis=require_text(legal_basis, "legalBasis", max_length=TEXT_MAX_LENGTH),
            actor=actor,
            timestamp=require_aware(timestamp, "timestamp"),
        )

    @event(PersonalDataErased)
    def _personal_data_erased(self, legal_basis: str, actor: Actor, timestamp: datetime) -> None:
        self.contacts = erase_contacts(self.contacts)
        self._visits = {k: _erased_visit(v) for k, v in self._visits.items()}
        self._confirmed = {k: str(ERASED) for k in self._confirmed}

    # ------------------------------------------------------------ labour data (用工需求)
    # Kept apart from the rest so the stream's other state can change shape freely: the
    # aggregate holds only the current record and its open lines (domain/labour.py).

    class LabourRecorded(Aggregate.Event):
        """用工情况: the enterprise's labour situation as found on a visit or between visits;
        its lines replace the open ones (a line left out is no longer open)."""

        class_version = 1
        record_id: str
        visit_id: str | None
        observed_at: datetime
        employees: int
        shortfall: int
        shortfall_note: str | None
        lines: list[dict[str, Any]]
        actor: Actor

    class LabourCorrected(Aggregate.Event):
        """A correction of the current record (a new event pointing at it, with a reason)."""

        class_version = 1
        record_id: str
        employees: int
        shortfall: int
        shortfall_note: str | None
        lines: list[dict[str, Any]]
        reason: str
        actor: Actor

    class VacancyDemandRaised(Aggregate.Event):
        """An URGENT_HIRING or RECRUITMENT demand was raised from an open line."""

        class_version = 1
        line_id: str
        issue_id: str
        category: str
        actor: Actor

    class VacancyFilled(Aggregate.Event):
        """安置: a line filled, with how many were placed and by which channel; once."""

        class_version = 1
        line_id: str
        placed: int
        channel: str
        issue_id: str | None
        actor: Actor

    @property
    def labour(self) -> LabourState:
        state: LabourState | None = self.__dict__.get("_labour")
        if state is None:
            state = self.__dict__["_labour"] = LabourState()
        return state

    def record_labour(
        self,
        record_id: str,
        visit_id: str | None,
        observed_at: datetime,
        situation: Mapping[str, Any],
        occupations: OccupationCatalogue,
        *,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        """Record the labour situation (`situation`: employees, shortfall, shortfall_note,
        lines), by the enterprise's commissioner; on a visit of this enterprise, or alone."""
        self._require_commissioner(actor, "do.record_labour", or_admin=False)
        self._check("record_labour")
        checked_id = require_text(record_id, "recordId", max_length=ID_MAX_LENGTH)
        if visit_id is not None and not self.has_visit(visit_id):
            raise InvalidInput("visit.not_this_enterprise", field="visitId", visit=visit_id)
        moment = require_aware(timestamp, "timestamp")
        observed = self._observed_at(observed_at, moment)
        checked = self._situation(situation, occupations, observed)
        self._labour_recorded(
            record_id=checked_id, visit_id=visit_id, observed_at=observed, **checked,
            actor=actor, timestamp=moment,
        )  # fmt: skip

    def correct_labour(
        self,
        record_id: str,
        situation: Mapping[str, Any],
        reason: str,
        occupations: OccupationCatalogue,
        *,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        """Correct the current record: the whole situation again, and why."""
        self._require_commissioner(actor, "do.record_labour", or_admin=True)
        self._check("correct_labour")
        current = self.labour.record
        if current is None:
            raise InvalidTransition("labour.no_record")
        if record_id != current["record_id"]:
            raise InvalidInput(
                "labour.not_latest",
                field="recordId",
                record=record_id,
                current=current["record_id"],
            )
        checked_reason = require_text(reason, "reason", max_length=TEXT_MAX_LENGTH)
        checked = self._situation(situation, occupations, current["observed_at"])
        self._labour_corrected(
            record_id=record_id, **checked, reason=checked_reason, actor=actor,
            timestamp=require_aware(timestamp, "timestamp"),
        )  # fmt: skip

    def _observed_at(self, value: object, now: datetime) -> datetime:
        observed = require_aware(value, "observedAt")
        if observed > now + CLOCK_SKEW:
            raise InvalidInput(
                "labour.observed_in_future", field="observedAt", at=beijing(observed)
            )
        if observed < self.created_on:
            raise InvalidInput(
                "labour.observed_before_opened",
                field="observedAt",
                at=beijing(observed),
                opened=beijing(self.created_on),
            )
        current = self.labour.record
        if current is not None and observed < current["observed_at"]:
            raise InvalidInput(
                "labour.observed_before_current",
                field="observedAt",
                at=beijing(observed),
                current=beijing(current["observed_at"]),
            )
        return observed

    def _situation(
        self, situation: Mapping[str, Any], occupations: OccupationCatalogue, observed: datetime
    ) -> dict[str, Any]:
        return check_situation(
            situation.get("employees"), situation.get("shortfall"),
            situation.get("shortfall_note"), situation.get("lines") or [], occupations,
            _visit_date(observed), self.labour.filled,
        )  # fmt: skip

    @event(LabourRecorded)
    def _labour_recorded(
        self,
        record_id: str,
        visit_id: str | None,
        observed_at: datetime,
        employees: int,
        shortfall: int,
        shortfall_note: str | None,
        lines: list[dict[str, Any]],
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self.labour.record = {"record_id": record_id, "observed_at": observed_at}
        self._set_lines(employees, shortfall, shortfall_note, lines)

    @event(LabourCorrected)
    def _labour_corrected(
        self,
        record_id: str,
        employees: int,
        shortfall: int,
        shortfall_note: str | None,
        lines: list[dict[str, Any]],
        reason: str,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self._set_lines(employees, shortfall, shortfall_note, lines)

    def _set_lines(
        self, employees: int, shortfall: int, note: str | None, lines: list[dict[str, Any]]
    ) -> None:
        state = self.labour
        assert state.record is not None
        state.record.update(employees=employees, shortfall=shortfall, shortfall_note=note)
        state.open_lines = {line["line_id"]: dict(line) for line in lines}
        state.demands = {k: v for k, v in state.demands.items() if k in state.open_lines}

    def raise_vacancy_demand(
        self, line_id: str, issue_id: str, category: str, *, actor: Actor, timestamp: datetime
    ) -> dict[str, Any]:
        """Link a new URGENT_HIRING or RECRUITMENT demand to an open line (one per line);
        the line as it stands, for the demand's text."""
        self._require_commissioner(actor, "do.record_labour", or_admin=False)
        self._check("raise_vacancy_demand")
        line = self._open_line(line_id)
        if line_id in self.labour.demands:
            raise InvalidInput(
                "labour.already_has_demand", field="lineId", line=line_id,
                issue=self.labour.demands[line_id],
            )  # fmt: skip
        self._vacancy_demand_raised(
            line_id=line_id, issue_id=issue_id, category=hiring_category(category), actor=actor,
            timestamp=require_aware(timestamp, "timestamp"),
        )  # fmt: skip
        return line

    def fill_vacancy(
        self,
        line_id: str,
        placed: int,
        channel: str,
        *,
        via_issue: str | None = None,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        """安置: the commissioner (or an admin) records a line filled; so does whoever closes
        the demand raised from it (`via_issue`: the application checked they handle it)."""
        line = self._open_line(line_id)
        demand = self.labour.demands.get(line["line_id"])
        if via_issue is None or via_issue != demand:
            self._require_commissioner(actor, "do.fill_vacancies", or_admin=True)
        self._check("fill_vacancy")
        people, checked_channel = check_placement(line, placed, channel)
        self._vacancy_filled(
            line_id=line["line_id"], placed=people, channel=checked_channel, issue_id=demand,
            actor=actor, timestamp=require_aware(timestamp, "timestamp"),
        )  # fmt: skip

    def _open_line(self, line_id: str) -> dict[str, Any]:
        checked = require_text(line_id, "lineId", max_length=ID_MAX_LENGTH)
        if checked in self.labour.filled:
            raise InvalidTransition("labour.line_already_filled", field="lineId", line=checked)
        line = self.labour.open_lines.get(checked)
        if line is None:
            raise InvalidInput("labour.line_unknown", field="lineId", line=checked)
        return dict(line)

    def line_of_demand(self, issue_id: str) -> str | None:
        """The open line a demand was raised from, if any."""
        for line_id, issue in self.labour.demands.items():
            if issue == issue_id:
                return line_id
        return None

    @event(VacancyDemandRaised)
    def _vacancy_demand_raised(
        self, line_id: str, issue_id: str, category: str, actor: Actor, timestamp: datetime
    ) -> None:
        self.labour.demands[line_id] = issue_id

    @event(VacancyFilled)
    def _vacancy_filled(
        self,
        line_id: str,
        placed: int,
        channel: str,
        issue_id: str | None,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        state = self.labour
        state.open_lines.pop(line_id, None)
        state.demands.pop(line_id, None)
        state.filled.add(line_id)


def _erased_visit(visit: dict[str, Any]) -> dict[str, Any]:
    """The lean record keeps no text, only short digests of it; a digest of a name can still
    confirm a guess, so the personal ones are forgotten too (a later correction of those
    fields then always counts as a change)."""
    personal = ("attendees", "summary", "topics", "follow_ups")
    return {
        **visit,
        "digests": {k: "" if k in personal else d for k, d in visit["digests"].items()},
    }


def _visit_fields(request: Mapping[str, Any], catalogue: PolicyCatalogue) -> dict[str, Any]:
    """A visit's fields (`request`: visited_at, channel, attendees, topics, policies_explained,
    summary, follow_ups, next_visit_on), checked and normalised: what VisitLogged records."""
    return dict(
        visited_at=request["visited_at"],
        channel=_channel(request["channel"]),
        attendees=_texts(
            request["attendees"], "attendees", max_length=ATTENDEE_MAX_LENGTH, at_least_one=True
        ),
        topics=_texts(request["topics"], "topics", max_length=TOPIC_MAX_LENGTH),
        policies_explained=_policies(request["policies_explained"], catalogue),
        summary=_summary(request["summary"]),
        follow_ups=_texts(request["follow_ups"], "followUps", max_length=TEXT_MAX_LENGTH),
        next_visit_on=request["next_visit_on"],
    )


# ---------------------------------------------------------------- lean visits (VISIT_WINDOW)

# Fields a correction compares by digest: the window keeps no text of a visit.
_DIGESTED = ("attendees", "topics", "policies_explained", "summary", "follow_ups")
_ID_DIGEST_CHARS = 12
_Latest = tuple[datetime, int, date | None]  # visited_at, version logged, next visit planned


def _digest(text: str, size: int) -> str:
    return hashlib.blake2b(text.encode(), digest_size=size).hexdigest()


def _field_digest(value: Any) -> str:
    return _digest(repr(list(value) if isinstance(value, list | tuple) else value), 8)


def _visit_digest(visit_id: str) -> str:
    return _digest(visit_id, _ID_DIGEST_CHARS // 2)


def _holds_digest(ids: str, digest: str) -> bool:
    """Whether `ids` (digests end to end) holds `digest` at a digest's boundary."""
    at = ids.find(digest)
    while at != -1:
        if at % _ID_DIGEST_CHARS == 0:
            return True
        at = ids.find(digest, at + 1)
    return False


def _request_digest(fields: Mapping[str, Any]) -> str:
    """The request a visit was logged with, comparable across repeats (instants in UTC)."""
    next_visit_on = fields["next_visit_on"]
    request = (
        fields["visited_at"].astimezone(UTC).isoformat(),
        fields["channel"],
        list(fields["attendees"]),
        list(fields["topics"]),
        list(fields["policies_explained"]),
        fields["summary"],
        list(fields["follow_ups"]),
        next_visit_on.isoformat() if next_visit_on is not None else None,
    )
    return _digest(repr(request), 12)


def _request_fields(request: Sequence[Any]) -> dict[str, Any]:
    """A version 1 snapshot's request tuple (JSON made it a list) as named fields."""
    names = ("visited_at", "channel", "attendees", "topics", "policies_explained", "summary",
             "follow_ups", "next_visit_on")  # fmt: skip
    return dict(zip(names, request, strict=True))


def _as_latest(record: Mapping[str, Any]) -> _Latest:
    return (record["visited_at"], int(record["version"]), record["next_visit_on"])


def _latest(*candidates: Sequence[Any] | None) -> _Latest | None:
    """By when it happened, then (of two at the same moment) the one logged later."""
    present = [(c[0], int(c[1]), c[2]) for c in candidates if c]
    return max(present, key=lambda c: (c[0], c[1])) if present else None


def _differs(record: Mapping[str, Any], key: str, value: Any) -> bool:
    if key in _DIGESTED:
        return bool(_field_digest(value) != record["digests"][key])
    return bool(value != record[key])


def _corrected(record: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    corrected = {**record, "digests": dict(record["digests"])}
    for key, value in changes.items():
        if key in _DIGESTED:
            corrected["digests"][key] = _field_digest(value)
        else:
            corrected[key] = value
    return corrected


class _LeanVisits:
    """What the aggregate keeps of its visits: the latest VISIT_WINDOW as records (times,
    channel, version, the request's digest, digests of the texts), every id as a digest, how
    many, and the latest of the visits that left the window (they are corrected no more)."""

    def __init__(
        self,
        visits: dict[str, dict[str, Any]] | None = None,
        ids: str = "",
        count: int = 0,
        retired: Sequence[Any] | None = None,
    ) -> None:
        self.visits = visits if visits is not None else {}
        self.ids = ids
        self.count = count
        self.retired = _latest(retired)

    def logged(self, visit_id: str, fields: Mapping[str, Any], version: int, request: str) -> None:
        self.visits[visit_id] = {
            "visited_at": fields["visited_at"],
            "channel": fields["channel"],
            "next_visit_on": fields["next_visit_on"],
            "version": version,
            "request": request,
            "digests": {key: _field_digest(fields[key]) for key in _DIGESTED},
        }
        self.ids += _visit_digest(visit_id)
        self.count += 1
        while len(self.visits) > VISIT_WINDOW:
            # The first is the oldest: a visit enters once, at the stream's next version (a
            # correction or an erasure rewrites records in place, a snapshot keeps the order).
            oldest = next(iter(self.visits))
            self.retired = _latest(self.retired, _as_latest(self.visits.pop(oldest)))

    def state(self) -> dict[str, Any]:
        return {
            "_visits": self.visits,
            "_visit_ids": self.ids,
            "_visit_count": self.count,
            "_retired_latest": list(self.retired) if self.retired else None,
        }
