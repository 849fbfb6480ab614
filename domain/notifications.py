"""Who is told what when the loop moves (通知): the rules of the notification outbox, pure.

An issue's event becomes notices for the people concerned: the department it was dispatched
to (lead, and assisting on a dispatch), the commissioner of its enterprise, and the supervisors
of its district. Each notice is addressed to a recipient (`department:<id>`, `user:<id>`,
`district:<name>`, or `supervisors` when the issue has no district) and carries a catalogue
key and parameters, so it reads in Chinese by default and in English on request.

A notice's key is made from the event's id (stream id and version) and the recipient: the
outbox stores it once however often the event is read (processes/notification_outbox.py).
The commissioner's reminders (visits coming due, enterprises not visited this quarter) are
keyed by enterprise, period and recipient, so each fires once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from domain.messages import DEFAULT_LANGUAGE, render, t
from domain.personal_data import mask_free_text
from domain.shared import BEIJING_TIME, beijing


class Channel(StrEnum):
    INBOX = "INBOX"  # the in-app inbox (站内通知)
    SMS = "SMS"  # 短信, through an HTTP gateway
    WECOM = "WECOM"  # 企业微信 group robot


class NoticeKind(StrEnum):
    DISPATCHED = "DISPATCHED"  # 派单
    WARNED = "WARNED"  # 预警
    URGE = "URGE"  # 催办
    SUPERVISE = "SUPERVISE"  # 督办
    NOTIFY = "NOTIFY"  # 通报
    RETURNED = "RETURNED"  # 退回重办
    CLOSED = "CLOSED"  # 办结关闭
    VISIT_DUE = "VISIT_DUE"  # 走访将到期
    NOT_VISITED = "NOT_VISITED"  # 本季度未走访
    MESSAGE = "MESSAGE"  # sent through the Notifier port by another feature (a rating link)


# Who hears of each kind: "lead" the lead department, "assisting" the assisting ones,
# "commissioner" the enterprise's commissioner, "supervisors" the district's supervisors.
AUDIENCES: Mapping[NoticeKind, tuple[str, ...]] = {
    NoticeKind.DISPATCHED: ("lead", "assisting", "commissioner"),
    NoticeKind.WARNED: ("lead",),
    NoticeKind.URGE: ("lead", "commissioner"),
    NoticeKind.SUPERVISE: ("lead", "commissioner", "supervisors"),
    NoticeKind.NOTIFY: ("lead", "commissioner", "supervisors"),
    NoticeKind.RETURNED: ("lead", "commissioner"),
    NoticeKind.CLOSED: ("lead", "commissioner"),
}


@dataclass(frozen=True)
class IssueFacts:
    """What the rules need of an issue after its event (read from the aggregate)."""

    issue_id: str
    title: str
    district: str | None
    lead_department_id: str | None
    assisting_department_ids: tuple[str, ...]
    commissioner_id: str | None


@dataclass(frozen=True)
class Notice:
    """One notification for one recipient; `key` makes it idempotent."""

    key: str
    recipient: str
    kind: NoticeKind
    text_key: str
    params: dict[str, str]
    at: datetime
    issue_id: str | None = None
    enterprise_id: str | None = None


def department(department_id: str) -> str:
    return f"department:{department_id}"


def user(user_id: str) -> str:
    return f"user:{user_id}"


def supervisors_of(district: str | None) -> str:
    return f"district:{district}" if district else "supervisors"


def sees_personal_data(recipient: str) -> bool:
    """Only a person (the enterprise's commissioner) reads an issue's text unmasked; departments,
    supervisors and group chats read personal data in it masked (DOMAIN.md)."""
    return recipient.startswith("user:")


def _recipients(kind: NoticeKind, facts: IssueFacts) -> list[str]:
    found: list[str] = []
    for who in AUDIENCES[kind]:
        if who == "lead" and facts.lead_department_id:
            found.append(department(facts.lead_department_id))
        elif who == "assisting":
            found += [department(d) for d in facts.assisting_department_ids]
        elif who == "commissioner" and facts.commissioner_id:
            found.append(user(facts.commissioner_id))
        elif who == "supervisors":
            found.append(supervisors_of(facts.district))
    return list(dict.fromkeys(found))


def issue_event_kind(event_name: str, data: Mapping[str, Any]) -> NoticeKind | None:
    """The kind of notice an issue event makes, if any (by the event class's name)."""
    if event_name == "Dispatched":
        return NoticeKind.DISPATCHED
    if event_name == "DeadlineWarned":
        return NoticeKind.WARNED
    if event_name in ("DeadlineEscalated", "Escalated"):
        return NoticeKind(str(data["level"]))
    if event_name == "ReturnedForRework":
        return NoticeKind.RETURNED
    if event_name == "Evaluated":
        unsatisfied = data.get("satisfaction") == "UNSATISFIED"
        return NoticeKind.RETURNED if unsatisfied else NoticeKind.CLOSED
    if event_name == "ClosedUnrated":
        return NoticeKind.CLOSED
    return None


def issue_notices(
    event_name: str,
    event_id: str,
    at: datetime,
    data: Mapping[str, Any],
    facts: IssueFacts,
) -> list[Notice]:
    """The notices one issue event makes (none for most events). `event_id` is the event's
    stable id (stream id and version); `data` its fields (level, deadline, due_at, …)."""
    kind = issue_event_kind(event_name, data)
    if kind is None:
        return []
    params = {"title": facts.title, "at": beijing(at)}
    if "deadline" in data:
        params["deadline_label"] = f"deadline.{data['deadline']}"
    if isinstance(data.get("due_at"), datetime):
        params["due"] = beijing(data["due_at"])
    text_key = f"notice.{kind.value}"
    if (
        kind in (NoticeKind.URGE, NoticeKind.SUPERVISE, NoticeKind.NOTIFY)
        and "deadline" not in data
    ):
        text_key = f"notice.manual.{kind.value}"  # a supervisor's own 催办 / 督办 / 通报
    notices = []
    for recipient in _recipients(kind, facts):
        shown = params if sees_personal_data(recipient) else {
            **params, "title": mask_free_text(facts.title)
        }  # fmt: skip
        notices.append(
            Notice(
                key=f"{event_id}:{recipient}",
                recipient=recipient,
                kind=kind,
                text_key=text_key,
                params=shown,
                at=at,
                issue_id=facts.issue_id,
            )
        )
    return notices


# ---------------------------------------------------------------- the commissioner's reminders


@dataclass(frozen=True)
class ReminderPolicy:
    """A visit is recalled `days_ahead` days before its planned date (and when it is overdue);
    an enterprise not visited this quarter is recalled once in the quarter's last
    `quarter_days_left` days."""

    days_ahead: int = 3
    quarter_days_left: int = 30


@dataclass(frozen=True)
class ServedEnterprise:
    enterprise_id: str
    name: str
    commissioner_id: str
    next_visit_due_on: date | None
    last_visit_at: datetime | None


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(day: date) -> tuple[date, date]:
    """The first day of the quarter of `day`, and the first day of the next one."""
    year, q = quarter_of(day)
    start = date(year, 3 * (q - 1) + 1, 1)
    end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return start, end


def reminders(
    enterprises: list[ServedEnterprise], now: datetime, policy: ReminderPolicy
) -> list[Notice]:
    """The reminders due at `now` (Beijing date); the keys make each fire once per enterprise
    and period whatever how often this runs."""
    today = now.astimezone(BEIJING_TIME).date()
    q_start, q_end = quarter_bounds(today)
    year, q = quarter_of(today)
    notices: list[Notice] = []
    for e in enterprises:
        recipient = user(e.commissioner_id)
        due = e.next_visit_due_on
        if due is not None and due - timedelta(days=policy.days_ahead) <= today:
            notices.append(
                Notice(
                    key=f"visit-due:{e.enterprise_id}:{due.isoformat()}:{recipient}",
                    recipient=recipient,
                    kind=NoticeKind.VISIT_DUE,
                    text_key="notice.VISIT_DUE" if due >= today else "notice.VISIT_OVERDUE",
                    params={"enterprise": e.name, "due": due.isoformat()},
                    at=now,
                    enterprise_id=e.enterprise_id,
                )
            )
        last = e.last_visit_at.astimezone(BEIJING_TIME).date() if e.last_visit_at else None
        if (last is None or last < q_start) and (q_end - today).days <= policy.quarter_days_left:
            notices.append(
                Notice(
                    key=f"not-visited:{e.enterprise_id}:{year}Q{q}:{recipient}",
                    recipient=recipient,
                    kind=NoticeKind.NOT_VISITED,
                    text_key="notice.NOT_VISITED",
                    params={"enterprise": e.name, "year": str(year), "quarter": str(q)},
                    at=now,
                    enterprise_id=e.enterprise_id,
                )
            )
    return notices


# ---------------------------------------------------------------- delivery


@dataclass(frozen=True)
class Backoff:
    """When a failed delivery is tried again: `first` after the first failure, doubling up to
    `longest`; after `attempts` tries it is given up (FAILED, shown to the office)."""

    first: timedelta = timedelta(seconds=30)
    longest: timedelta = timedelta(hours=1)
    attempts: int = 10

    def after(self, attempt: int) -> timedelta:
        return min(self.first * (2 ** max(attempt - 1, 0)), self.longest)


class DeliveryState(StrEnum):
    PENDING = "PENDING"  # waiting for its first try or a retry (next_at)
    SENDING = "SENDING"  # claimed by a sender (until next_at: a lease)
    SENT = "SENT"
    FAILED = "FAILED"  # given up after Backoff.attempts tries
    # The sender stopped while sending, on a channel that cannot drop a repeat (WeCom): it may
    # or may not have gone out, and is never sent again (never twice); shown to the office.
    UNCERTAIN = "UNCERTAIN"


def notice_text(text_key: str, params: Mapping[str, str], language: str = DEFAULT_LANGUAGE) -> str:
    """A notice as its reader reads it; a parameter named `*_label` is a catalogue label."""
    values = {k: (t(v) if k.endswith("_label") else v) for k, v in params.items()}
    return render(text_key, language, **values)
