"""The notification outbox (通知): tells the people concerned when the loop moves.

It follows the event log from a position of its own, like the deadline watcher. Each issue
event that concerns someone (派单, 预警, 催办 / 督办 / 通报, 退回重办, closure) becomes
notices (domain/notifications.py), written with the outbox's position in one transaction,
each once by its key (the event's id and the recipient): a restart, a replay or a second
outbox never makes a notice twice. A notice is in its recipients' inbox at once; its SMS and
WeCom deliveries (by the routes: who has which phone or group robot) are sent by `deliver`:
claimed (SENDING, with a lease) in a committed statement before sending, then SENT, or tried
again with back-off, or FAILED after the last try. A delivery whose sender stopped mid-send
(the lease ran out) is sent again only on a channel that drops repeats by the idempotency key
(the SMS gateway's msgId); on others (WeCom) it is marked UNCERTAIN: never twice.

`remind(now)` writes the commissioner's reminders (visits coming due, enterprises not
visited this quarter), keyed by enterprise and period: each once. The clock is injected.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import IntegrityError, Tracking

from application.notifier import OutgoingMessage
from application.service_package import ServicePackage
from domain.enterprise import EnterpriseRelationship
from domain.issue import Issue
from domain.notifications import (
    Backoff,
    Channel,
    DeliveryState,
    IssueFacts,
    Notice,
    NoticeKind,
    ReminderPolicy,
    ServedEnterprise,
    issue_event_kind,
    issue_notices,
    notice_text,
    reminders,
)
from domain.personal_data import mask_free_text
from domain.shared import Clock
from projections.enterprise_directory import EnterpriseDirectoryView
from projections.notifications import Delivery, NotificationStore
from projections.state import ProjectionStates

log = logging.getLogger("espcrm.outbox")

NAME = "notification_outbox"
MAX_CLASHES = 3


class SendFailed(Exception):
    """A channel refused or could not take a message (it is tried again later)."""


class Sender(Protocol):
    # True when the far end drops a repeat of the same idempotency key (an SMS gateway's
    # msgId): a delivery cut off mid-send may then be sent again.
    dedupes: bool

    def send(self, target: str, text: str, key: str) -> None: ...


@dataclass
class Routes:
    """Who is reached on which channel besides the inbox: an SMS number or a WeCom group
    robot's key per recipient (`department:<id>`, `user:<id>`, `district:<name>`);
    `wecom_default` is the robot every supervisors' notice goes to when set."""

    sms: dict[str, str] = field(default_factory=dict)
    wecom: dict[str, str] = field(default_factory=dict)
    wecom_default: str | None = None

    def of(self, recipient: str) -> list[tuple[Channel, str]]:
        found: list[tuple[Channel, str]] = []
        if recipient in self.sms:
            found.append((Channel.SMS, self.sms[recipient]))
        robot = self.wecom.get(recipient)
        supervisors = recipient.startswith("district:") or recipient == "supervisors"
        if robot is None and supervisors:
            robot = self.wecom_default
        if robot:
            found.append((Channel.WECOM, robot))
        return found


@dataclass(frozen=True)
class OutboxPolicy:
    backoff: Backoff = field(default_factory=Backoff)
    lease: timedelta = timedelta(minutes=5)  # how long a claimed delivery is the sender's
    # Events older than this when the outbox first reads them notify nobody: a first start on
    # a long log (the demo year) does not send a year of news.
    max_age: timedelta = timedelta(days=3)
    reminders: ReminderPolicy = field(default_factory=ReminderPolicy)
    remind_every: timedelta = timedelta(hours=1)


class Outbox:
    def __init__(
        self,
        app: ServicePackage,
        store: NotificationStore,
        directory: EnterpriseDirectoryView,
        senders: Mapping[Channel, Sender],
        routes: Routes,
        policy: OutboxPolicy = OutboxPolicy(),
        *,
        batch_size: int = 500,
    ) -> None:
        self.app = app
        self.store = store
        self.directory = directory
        self.senders = senders
        self.routes = routes
        self.policy = policy
        self.batch_size = batch_size
        self.states = ProjectionStates(
            lambda stream_id, version: app.repository.get(stream_id, version=version)
        )
        self._reminded_at: datetime | None = None

    def position(self) -> int:
        return self.store.position()

    # ------------------------------------------------------------ following the log

    def follow(self, now: datetime) -> int:
        """Read the log after the outbox's position up to its head; events processed."""
        self._commissioners: dict[str, str | None] = {}  # for this catch-up only
        processed, clashes = 0, 0
        while True:
            after = self.store.position()
            notifications = self.app.recorder.select_notifications(  # type: ignore[attr-defined]
                start=after + 1, limit=self.batch_size
            )
            if not notifications:
                return processed
            try:
                with self.store.batch():
                    for notification in notifications:
                        event = self.app.mapper.to_domain_event(notification)
                        self._process(event, Tracking(self.app.name, notification.id), now)
            except IntegrityError:  # another outbox recorded this position first
                clashes += 1
                if clashes > MAX_CLASHES and self.store.position() == after:
                    raise
                continue
            clashes = 0
            processed += len(notifications)

    def _process(self, event: Any, tracking: Tracking, now: datetime) -> None:
        if not isinstance(event, Issue.Event):
            self.store.insert_tracking(tracking)
            return
        issue = self.states.issue(event)
        name, data = type(event).__name__, vars(event)
        if issue_event_kind(name, data) is None or event.timestamp < now - self.policy.max_age:
            self.store.insert_tracking(tracking)
            return
        facts = IssueFacts(
            issue_id=str(issue.id),
            title=issue.title,
            district=issue.district,
            lead_department_id=issue.lead_department_id,
            assisting_department_ids=issue.assisting_department_ids,
            commissioner_id=self._commissioner(issue.enterprise_id),
        )
        event_id = f"{event.originator_id}:{event.originator_version}"
        notices = issue_notices(name, event_id, event.timestamp, data, facts)
        self.store.record([(n, self.routes.of(n.recipient)) for n in notices], tracking)

    def _commissioner(self, enterprise_id: str | None) -> str | None:
        if not enterprise_id:
            return None
        if enterprise_id not in self._commissioners:
            self._commissioners[enterprise_id] = self._load_commissioner(enterprise_id)
        return self._commissioners[enterprise_id]

    def _load_commissioner(self, enterprise_id: str) -> str | None:
        try:
            enterprise: Any = self.app.repository.get(UUID(enterprise_id))
        except Exception:  # an enterprise forgotten or never opened: no commissioner to tell
            return None
        return (
            enterprise.commissioner_id if isinstance(enterprise, EnterpriseRelationship) else None
        )

    # ------------------------------------------------------------ reminders

    def remind(self, now: datetime) -> list[Notice]:
        """The commissioner's reminders due at `now` that were not written before."""
        served = [
            ServedEnterprise(
                str(row.id), row.name, row.commissioner_id, row.next_visit_due_on,
                row.last_visit_at,
            )
            for row in self.directory.served()
            if row.commissioner_id
        ]  # fmt: skip
        written = []
        for notice in reminders(served, now, self.policy.reminders):
            if self.store.enqueue(notice, self.routes.of(notice.recipient)):
                written.append(notice)
        self._reminded_at = now
        return written

    # ------------------------------------------------------------ delivering

    def deliver(self, now: datetime, limit: int = 100) -> int:
        """Send what is due; the number sent."""
        sent = 0
        for _ in range(limit):
            # One at a time, just before it is sent: a sender that stops holds only the one
            # it was sending, never others it had claimed but not tried.
            claimed = self.store.claim(now, now + self.policy.lease, 1)
            if not claimed:
                break
            delivery = claimed[0]
            sender = self.senders[delivery.channel]
            if delivery.state is DeliveryState.SENDING and not sender.dedupes:
                log.warning(
                    "delivery %s by %s was cut off mid-send", delivery.key, delivery.channel
                )
                self.store.settle(delivery, DeliveryState.UNCERTAIN, now, error="cut off mid-send")
                continue
            try:
                sender.send(delivery.target, self._text(delivery), delivery.key)
            except SendFailed as error:
                self._retry_or_fail(delivery, now, str(error))
                continue
            self.store.settle(delivery, DeliveryState.SENT, now)
            sent += 1
        return sent

    def _retry_or_fail(self, delivery: Delivery, now: datetime, error: str) -> None:
        backoff = self.policy.backoff
        if delivery.attempts >= backoff.attempts:
            log.error(
                "delivery %s by %s failed for good: %s", delivery.key, delivery.channel, error
            )
            self.store.settle(delivery, DeliveryState.FAILED, now, error=error[:500])
            return
        again = now + backoff.after(delivery.attempts)
        self.store.settle(delivery, DeliveryState.PENDING, now, next_at=again, error=error[:500])

    @staticmethod
    def _text(delivery: Delivery) -> str:
        text = notice_text(delivery.notice.text_key, delivery.notice.params)
        # A group chat is read by many: personal data in it is masked whoever it is for.
        return mask_free_text(text) if delivery.channel is Channel.WECOM else text

    # ------------------------------------------------------------ one step

    def tick(self, now: datetime) -> int:
        """Catch up with the log, remind (at most every `remind_every`), send what is due."""
        self.follow(now)
        last = self._reminded_at
        if last is None or now - last >= self.policy.remind_every or now < last:
            self.remind(now)
        return self.deliver(now)

    def close(self) -> None:
        self.store.datastore.close()
        self.directory.datastore.close()


class OutboxNotifier:
    """The Notifier port (application/notifier.py) over the outbox's store."""

    def __init__(self, store: NotificationStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def send(self, message: OutgoingMessage) -> bool:
        routes: list[tuple[Channel, str]] = []
        if message.sms_to:
            routes.append((Channel.SMS, message.sms_to))
        if message.wecom_robot:
            routes.append((Channel.WECOM, message.wecom_robot))
        notice = Notice(
            key=f"message:{message.key}",
            recipient=message.inbox_of or "nobody",
            kind=NoticeKind.MESSAGE,
            text_key=message.text_key,
            params=dict(message.params),
            at=message.at or self.clock.now(),
            issue_id=message.issue_id,
            enterprise_id=message.enterprise_id,
        )
        return self.store.enqueue(notice, routes)


class Waiter(Protocol):
    def wait(self, timeout: float) -> bool: ...

    def wake(self) -> None: ...

    def close(self) -> None: ...


class OutboxLoop:
    """The outbox in a thread: a tick when the log grows, when a retry falls due, and at
    least every `interval` seconds; an error is logged and the next tick tries again."""

    def __init__(
        self,
        outbox: Outbox,
        clock: Clock,
        waiter: Waiter,
        interval: float = 30.0,
    ) -> None:
        self.outbox = outbox
        self.clock = clock
        self.waiter = waiter
        self.interval = interval
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=NAME, daemon=True)

    def start(self) -> OutboxLoop:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self.stopping.is_set():
            wait = self.interval
            try:
                self.waiter.wait(0)
                now = self.clock.now()
                self.outbox.tick(now)
                upcoming = self.outbox.store.next_delivery_at()
                if upcoming is not None:
                    wait = max(0.05, min(wait, (upcoming - now).total_seconds()))
            except Exception:
                log.exception("notification outbox: tick failed; trying again")
            if not self.stopping.is_set():
                self.waiter.wait(wait)

    def stop(self) -> None:
        self.stopping.set()
        self.waiter.wake()
        if self._thread.is_alive():
            self._thread.join()
        self.waiter.close()
        self.outbox.close()
