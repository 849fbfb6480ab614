"""The issue stream: one stream per enterprise demand (企业诉求) or direct report (直报问题).

The lifecycle is DOMAIN.md's 发单 → 派单 → 接单 → 办理 → 审核 → 回访 → 办结 loop:

    RAISED ──dispatch(派单)──▶ DISPATCHED ──accept(接单)──▶ IN_PROGRESS ──resolve──▶ RESOLVED
    DISPATCHED ──refuse_dispatch(退单)──▶ RAISED          RAISED ──decline──▶ DECLINED
    IN_PROGRESS ⇄ SUSPENDED (suspend / resume)           RESOLVED ──return_for_rework──▶ IN_PROGRESS
    RESOLVED ──approve_closure(审核)──▶ AWAITING_EVALUATION
    AWAITING_EVALUATION ──evaluate(回访): satisfied / basically satisfied──▶ CLOSED
    AWAITING_EVALUATION ──evaluate: unsatisfied──▶ IN_PROGRESS (rework cycle + 1)
    AWAITING_EVALUATION ──close_unrated (≥ 7 days after approval)──▶ CLOSED
    CLOSED ──reopen──▶ IN_PROGRESS;  DECLINED ──reopen──▶ RAISED (see `Issue.reopen`)
    escalate (催办 / 督办 / 通报) in any open state, changing no state.
    request_extension (延期申请, the lead department, before the resolution deadline) →
    approve_extension (a new, later due time) | refuse_extension (with a reason): events on the
    stream that change no status; an approved extension moves the resolution deadline of the
    current cycle (`deadlines`, `alert_schedule`), a new cycle (rework, reopening) drops it.
    fire_due_alerts / fire_alert: the deadline watcher's 预警 (DeadlineWarned) and automatic
    催办 / 督办 / 通报 (DeadlineEscalated), each threshold of each deadline cycle once
    (domain/deadline_alerts.py); they change no state either.

Public commands check everything first and raise before any event is triggered, so a refused
command leaves the aggregate and its pending events as they were. Roles are the application's
business; the aggregate enforces the lifecycle, the inputs and separation of duties (by user id).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.deadline_alerts import (
    Alert,
    AlertKey,
    AlertPolicy,
    DeadlineKind,
    Threshold,
    alert_note,
    schedule,
    schedule_extended,
)
from domain.districts import validate_district
from domain.messages import t
from domain.registry import validate_registry_id
from domain.shared import (
    Actor,
    Conflict,
    Forbidden,
    InvalidInput,
    InvalidTransition,
    Rule,
    beijing,
    require_aware,
    require_reason,
    require_text,
    same_person,
)
from domain.time_limits import (
    Pause,
    SlaPolicy,
    WorkingCalendar,
    accept_due,
    accept_limit,
    is_clock_stopped,
    resolve_due,
    resolve_limit,
)


class IssueKind(StrEnum):
    ENTERPRISE_DEMAND = "ENTERPRISE_DEMAND"  # 企业诉求, raised by a commissioner
    DIRECT_REPORT = "DIRECT_REPORT"  # 直报, submitted by a direct-report point


class IssueCategory(StrEnum):
    POLICY_CONSULTATION = "POLICY_CONSULTATION"
    APPROVAL_COORDINATION = "APPROVAL_COORDINATION"
    RECRUITMENT = "RECRUITMENT"
    URGENT_HIRING = "URGENT_HIRING"  # 紧急用工
    SOCIAL_INSURANCE = "SOCIAL_INSURANCE"
    LABOR_RELATIONS = "LABOR_RELATIONS"
    TALENT_AND_TITLES = "TALENT_AND_TITLES"
    SKILLS_TRAINING = "SKILLS_TRAINING"
    ENTREPRENEURSHIP = "ENTREPRENEURSHIP"
    BUSINESS_ENVIRONMENT = "BUSINESS_ENVIRONMENT"
    OTHER = "OTHER"


class IssueStatus(StrEnum):
    RAISED = "RAISED"
    DISPATCHED = "DISPATCHED"
    IN_PROGRESS = "IN_PROGRESS"
    SUSPENDED = "SUSPENDED"
    RESOLVED = "RESOLVED"
    AWAITING_EVALUATION = "AWAITING_EVALUATION"
    CLOSED = "CLOSED"
    DECLINED = "DECLINED"


class Satisfaction(StrEnum):
    SATISFIED = "SATISFIED"  # 满意
    BASICALLY_SATISFIED = "BASICALLY_SATISFIED"  # 基本满意
    UNSATISFIED = "UNSATISFIED"  # 不满意
    UNRATED = "UNRATED"  # 未评价: closed by a supervisor after 7 days without a callback


class EscalationLevel(StrEnum):
    URGE = "URGE"  # 催办
    SUPERVISE = "SUPERVISE"  # 督办
    NOTIFY = "NOTIFY"  # 通报


_S = IssueStatus
OPEN_STATUSES = frozenset(set(_S) - {_S.CLOSED, _S.DECLINED})
CLOSING_SATISFACTIONS = frozenset({Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED})
UNRATED_AFTER = timedelta(days=7)
# The enterprise rating through its link (评价链接) is attributed to the enterprise itself.
ENTERPRISE_ROLE = "ENTERPRISE"

TITLE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 5000
REF_MAX_LENGTH = 100
MAX_EVIDENCE_ITEMS = 50


# The lifecycle diagram as data: anything not listed here is refused with InvalidTransition.
RULES: dict[str, Rule] = {
    "dispatch": Rule(frozenset({_S.RAISED}), "action.issue.dispatch"),
    "accept": Rule(frozenset({_S.DISPATCHED}), "action.issue.accept"),
    "refuse_dispatch": Rule(frozenset({_S.DISPATCHED}), "action.issue.refuse_dispatch"),
    "decline": Rule(frozenset({_S.RAISED}), "action.issue.decline"),
    "record_progress": Rule(frozenset({_S.IN_PROGRESS}), "action.issue.record_progress"),
    "suspend": Rule(frozenset({_S.IN_PROGRESS}), "action.issue.suspend"),
    "resume": Rule(frozenset({_S.SUSPENDED}), "action.issue.resume"),
    "resolve": Rule(frozenset({_S.IN_PROGRESS}), "action.issue.resolve"),
    "approve_closure": Rule(frozenset({_S.RESOLVED}), "action.issue.approve_closure"),
    "return_for_rework": Rule(frozenset({_S.RESOLVED}), "action.issue.return_for_rework"),
    "evaluate": Rule(frozenset({_S.AWAITING_EVALUATION}), "action.issue.evaluate"),
    "close_unrated": Rule(frozenset({_S.AWAITING_EVALUATION}), "action.issue.close_unrated"),
    "reopen": Rule(frozenset({_S.CLOSED, _S.DECLINED}), "action.issue.reopen"),
    "escalate": Rule(OPEN_STATUSES, "action.issue.escalate"),
    "alert": Rule(OPEN_STATUSES, "action.issue.alert"),
    "issue_rating_link": Rule(
        frozenset({_S.AWAITING_EVALUATION}), "action.issue.issue_rating_link"
    ),
    "request_extension": Rule(
        frozenset({_S.DISPATCHED, _S.IN_PROGRESS, _S.SUSPENDED}), "action.issue.request_extension"
    ),
    "decide_extension": Rule(
        frozenset({_S.DISPATCHED, _S.IN_PROGRESS, _S.SUSPENDED}), "action.issue.decide_extension"
    ),
}
# The resolution clock runs (or is stopped by a suspension) from dispatch until resolution.
RESOLVE_RUNNING = frozenset({_S.DISPATCHED, _S.IN_PROGRESS, _S.SUSPENDED})


@dataclass(frozen=True)
class Escalation:
    """One 催办 / 督办 / 通报 recorded against the issue."""

    level: EscalationLevel
    note: str
    actor: Actor
    at: datetime


@dataclass(frozen=True)
class Extension:
    """An approved extension (延期) of the resolution deadline of one cycle."""

    request_id: str
    cycle_started_at: datetime
    approved_at: datetime
    original_due_at: datetime | None  # the deadline before the extension (None: clock stopped)
    due_at: datetime


@dataclass(frozen=True)
class ExtensionRequest:
    """A 延期申请 waiting for a supervisor's decision."""

    request_id: str
    department_id: str
    reason: str
    requested_at: datetime
    requested_due_at: datetime | None


@dataclass(frozen=True)
class Deadlines:
    """Time limits derived from the facts; None until the clock in question has started."""

    accept_due_at: datetime | None
    resolve_due_at: datetime | None


# ---------------------------------------------------------------- input checks

_E = TypeVar("_E", bound=StrEnum)


def _choice(enum: type[_E], value: str, field: str) -> _E:
    try:
        return enum(value)
    except ValueError:
        allowed = [member.value for member in enum]
        raise InvalidInput(
            "input.unknown_value", field=field, value=value, allowed=allowed
        ) from None


def _optional_ref(value: str | None, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    return require_text(value, field, max_length=REF_MAX_LENGTH)


def _department_ids(values: Sequence[str], field: str) -> list[str]:
    # A bare string is a Sequence[str] too; iterating it would yield letters.
    if isinstance(values, str):
        raise InvalidInput("input.department_ids", field=field)
    ids = [validate_registry_id(value, field) for value in values]
    duplicates = sorted({value for value in ids if ids.count(value) > 1})
    if duplicates:
        raise InvalidInput("input.listed_twice", field=field, values=duplicates)
    return ids


def _evidence(values: Sequence[str]) -> list[str]:
    if isinstance(values, str):
        raise InvalidInput("input.texts", field="evidence")
    if len(values) > MAX_EVIDENCE_ITEMS:
        raise InvalidInput("input.too_many", field="evidence", limit=MAX_EVIDENCE_ITEMS)
    return [require_text(value, "evidence", max_length=TEXT_MAX_LENGTH) for value in values]


def _source(
    kind: IssueKind, enterprise_id: str | None, visit_id: str | None, point_id: str | None
) -> tuple[str | None, str | None, str | None]:
    """Who the issue is for or from: a demand has an enterprise (and maybe the visit it came
    up in); a direct report has its point (and maybe the enterprise it is about)."""
    enterprise = _optional_ref(enterprise_id, "enterpriseId")
    visit = _optional_ref(visit_id, "visitId")
    point = point_id if point_id is not None and point_id.strip() else None
    if kind is IssueKind.ENTERPRISE_DEMAND:
        if enterprise is None:
            raise InvalidInput("issue.enterprise_required", field="enterpriseId")
        if point is not None:
            raise InvalidInput("issue.demand_not_from_point", field="reportingPointId")
        return enterprise, visit, None
    if point is None:
        raise InvalidInput("issue.point_required", field="reportingPointId")
    if visit is not None:
        raise InvalidInput("issue.visit_only_for_demand", field="visitId")
    return enterprise, None, validate_registry_id(point, "reportingPointId")


# ---------------------------------------------------------------- the aggregate


class Issue(Aggregate):
    """An enterprise demand or a direct report, from raising to closure (闭环管理)."""

    class Raised(Aggregate.Created):
        class_version = 1
        kind: str
        category: str
        title: str
        description: str
        enterprise_id: str | None
        visit_id: str | None
        reporting_point_id: str | None
        district: str | None
        actor: Actor

    class Dispatched(Aggregate.Event):
        class_version = 1
        lead_department_id: str
        assisting_department_ids: list[str]
        actor: Actor

    class Accepted(Aggregate.Event):
        class_version = 1
        department_id: str
        actor: Actor

    class DispatchRefused(Aggregate.Event):
        class_version = 1
        department_id: str
        reason: str
        actor: Actor

    class Declined(Aggregate.Event):
        class_version = 1
        reason: str
        actor: Actor

    class ProgressRecorded(Aggregate.Event):
        class_version = 1
        note: str
        actor: Actor

    class Suspended(Aggregate.Event):
        class_version = 1
        reason: str
        actor: Actor

    class Resumed(Aggregate.Event):
        class_version = 1
        actor: Actor

    class Resolved(Aggregate.Event):
        class_version = 1
        resolution: str
        evidence: list[str]
        actor: Actor

    class ClosureApproved(Aggregate.Event):
        class_version = 1
        note: str
        actor: Actor

    class ReturnedForRework(Aggregate.Event):
        class_version = 1
        reason: str
        actor: Actor

    class Evaluated(Aggregate.Event):
        class_version = 1
        satisfaction: str
        comment: str | None
        actor: Actor

    class ClosedUnrated(Aggregate.Event):
        class_version = 1
        actor: Actor

    class Reopened(Aggregate.Event):
        class_version = 1
        reason: str
        to_status: str
        actor: Actor

    class Escalated(Aggregate.Event):
        class_version = 1
        level: str
        note: str
        actor: Actor

    class ExtensionRequested(Aggregate.Event):
        """延期申请 by the lead department, before the resolution deadline passes."""

        class_version = 1
        request_id: str
        department_id: str
        reason: str
        due_at: datetime | None
        requested_due_at: datetime | None
        actor: Actor

    class ExtensionApproved(Aggregate.Event):
        """A supervisor grants the extension: the resolution deadline becomes `new_due_at`."""

        class_version = 1
        request_id: str
        original_due_at: datetime | None
        new_due_at: datetime
        note: str | None
        actor: Actor

    class ExtensionRefused(Aggregate.Event):
        class_version = 1
        request_id: str
        reason: str
        actor: Actor

    class RatingLinkIssued(Aggregate.Event):
        """A signed link for the enterprise to follow and rate its demand (评价链接) was made;
        the link's secret part is never on the stream, only its id and expiry."""

        class_version = 1
        link_id: str
        expires_at: datetime
        actor: Actor

    class ReporterPhoneRecorded(Aggregate.Event):
        """A direct report's phone number for the progress lookup, as a keyed digest only (the
        number itself is never stored)."""

        class_version = 1
        phone_digest: str
        actor: Actor

    class DeadlineWarned(Aggregate.Event):
        """预警 by the deadline watcher: a deadline is coming (see domain/deadline_alerts.py)."""

        class_version = 1
        deadline: str
        threshold: str
        cycle_started_at: datetime
        due_at: datetime
        threshold_at: datetime
        late: bool
        note: str
        actor: Actor

    class DeadlineEscalated(Aggregate.Event):
        """催办 / 督办 / 通报 by the deadline watcher: a deadline passed (an escalation, too)."""

        class_version = 1
        level: str
        deadline: str
        threshold: str
        cycle_started_at: datetime
        due_at: datetime
        threshold_at: datetime
        late: bool
        note: str
        actor: Actor

    # ------------------------------------------------------------ raising (发单)

    @classmethod
    def raise_issue(
        cls,
        *,
        kind: str,
        category: str,
        title: str,
        description: str,
        actor: Actor,
        timestamp: datetime,
        enterprise_id: str | None = None,
        visit_id: str | None = None,
        reporting_point_id: str | None = None,
        district: str | None = None,
        id: UUID | None = None,
    ) -> Issue:
        """Raise a demand (for an enterprise, maybe from a visit) or a direct report (from a
        direct-report point, maybe about an enterprise). `district` is the enterprise's or the
        point's district, kept for the district rankings (晾晒通报). `id` lets the caller fix
        the stream id (e.g. derived from an idempotency key); by default a new one is made."""
        issue_kind = _choice(IssueKind, kind, "kind")
        enterprise, visit, point = _source(issue_kind, enterprise_id, visit_id, reporting_point_id)
        return cls._create(
            cls.Raised,
            id=id,
            kind=issue_kind.value,
            category=_choice(IssueCategory, category, "category").value,
            title=require_text(title, "title", max_length=TITLE_MAX_LENGTH),
            description=require_text(description, "description", max_length=TEXT_MAX_LENGTH),
            enterprise_id=enterprise,
            visit_id=visit,
            reporting_point_id=point,
            district=validate_district(district) if district and district.strip() else None,
            actor=actor,
            timestamp=require_aware(timestamp, "timestamp"),
        )

    @event(Raised)
    def __init__(
        self,
        *,
        kind: str,
        category: str,
        title: str,
        description: str,
        enterprise_id: str | None,
        visit_id: str | None,
        reporting_point_id: str | None,
        district: str | None,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self._kind = IssueKind(kind)
        self._category = IssueCategory(category)
        self._title = title
        self._description = description
        self._enterprise_id = enterprise_id
        self._visit_id = visit_id
        self._reporting_point_id = reporting_point_id
        self._district = district
        self._raised_by = actor
        self._raised_at = timestamp
        self._status = IssueStatus.RAISED
        self._lead_department_id: str | None = None
        self._assisting_department_ids: tuple[str, ...] = ()
        self._dispatched_at: datetime | None = None
        self._accepted_at: datetime | None = None
        self._clock_started_at: datetime | None = None
        self._pauses: tuple[Pause, ...] = ()
        self._refusals: tuple[str, ...] = ()
        self._escalations: tuple[Escalation, ...] = ()
        self._rework_count = 0
        self._last_progress_at: datetime | None = None
        self._fired_alerts: frozenset[AlertKey] = frozenset()
        self._pending_extension: ExtensionRequest | None = None
        self._extension: Extension | None = None
        self._extensions_granted = 0
        self._rating_link: tuple[str, datetime] | None = None  # (link id, expires at)
        self._used_links: frozenset[str] = frozenset()
        self._phone_digest: str | None = None
        self._clear_outcome()

    def _clear_outcome(self) -> None:
        # The outcome fields describe the current resolution cycle only; the history of
        # earlier cycles is in the events (and the timeline built from them).
        self._resolution: str | None = None
        self._evidence: tuple[str, ...] = ()
        self._resolver_id: str | None = None
        self._resolved_at: datetime | None = None
        self._approver_id: str | None = None
        self._approved_at: datetime | None = None
        self._satisfaction: Satisfaction | None = None
        self._closed_at: datetime | None = None

    def _check(self, command: str) -> None:
        RULES[command].check(self._status, "issue")

    def _not_the_resolver(self, actor: Actor, action: str) -> None:
        # Separation of duties is by user id: the same person under another role is still them.
        if same_person(actor.id, self._resolver_id):
            raise Forbidden("issue.resolver_cannot", action=t(action))

    # ------------------------------------------------------------ dispatch (派单)

    def dispatch(
        self,
        lead_department_id: str,
        assisting_department_ids: Sequence[str] = (),
        *,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        """Dispatch to one lead department and optional assisting ones; starts both clocks."""
        self._check("dispatch")
        lead = validate_registry_id(lead_department_id, "leadDepartmentId")
        assisting = _department_ids(assisting_department_ids, "assistingDepartmentIds")
        if lead in assisting:
            raise InvalidInput("issue.lead_already", field="assistingDepartmentIds", lead=lead)
        self._dispatched(
            lead_department_id=lead,
            assisting_department_ids=assisting,
            actor=actor,
            timestamp=require_aware(timestamp, "timestamp"),
        )

    @event(Dispatched)
    def _dispatched(
        self,
        lead_department_id: str,
        assisting_department_ids: list[str],
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self._status = IssueStatus.DISPATCHED
        self._lead_department_id = lead_department_id
        self._assisting_department_ids = tuple(assisting_department_ids)
        self._dispatched_at = timestamp
        self._clock_started_at = timestamp

    def accept(self, department_id: str, *, actor: Actor, timestamp: datetime) -> None:
        """接单: the lead department takes the dispatch (the application checks the actor
        belongs to `department_id`)."""
        self._check("accept")
        department = self._lead_only(department_id, "do.accept")
        self._accepted(
            department_id=department, actor=actor, timestamp=require_aware(timestamp, "timestamp")
        )

    @event(Accepted)
    def _accepted(self, department_id: str, actor: Actor, timestamp: datetime) -> None:
        self._status = IssueStatus.IN_PROGRESS
        self._accepted_at = timestamp

    def refuse_dispatch(
        self, department_id: str, reason: str, *, actor: Actor, timestamp: datetime
    ) -> None:
        """退单: the lead department sends the dispatch back, with a reason; the issue returns to
        RAISED for a new dispatch and the refusal counts against the department."""
        self._check("refuse_dispatch")
        department = self._lead_only(department_id, "do.refuse_dispatch_of")
        self._dispatch_refused(
            department_id=department,
            reason=require_reason(reason, "action.issue.refuse_dispatch"),
            actor=actor,
            timestamp=require_aware(timestamp, "timestamp"),
        )

    @event(DispatchRefused)
    def _dispatch_refused(
        self, department_id: str, reason: str, actor: Actor, timestamp: datetime
    ) -> None:
        self._status = IssueStatus.RAISED
        self._refusals = (*self._refusals, department_id)
        # Back to RAISED means not dispatched: the next dispatch starts both clocks afresh.
        self._lead_department_id = None
        self._assisting_department_ids = ()
        self._dispatched_at = None
        self._clock_started_at = None
        self._pending_extension = None

    def _lead_only(self, department_id: str, action: str) -> str:
        department = validate_registry_id(department_id, "departmentId")
        if department != self._lead_department_id:
            raise Forbidden("issue.lead_only", action=t(action))
        return department

    def decline(self, reason: str, *, actor: Actor, timestamp: datetime) -> None:
        """A supervisor declines to take the issue on (不予受理), with a reason."""
        self._check("decline")
        self._declined(
            reason=require_reason(reason, "action.issue.decline"),
            actor=actor,
            timestamp=require_aware(timestamp, "timestamp"),
        )

    @event(Declined)
    def _declined(self, reason: str, actor: Actor, timestamp: datetime) -> None:
        self._status = IssueStatus.DECLINED

    # ------------------------------------------------------------ handling (办理)

    def record_progress(self, note: str, *, actor: Actor, timestamp: datetime) -> None:
        """A progress note while the issue is being worked (only IN_PROGRESS, not SUSPENDED)."""
        self._check("record_progress")
        self._progress_recorded(
            note=require_text(note, "note", max_length=TEXT_MAX_LENGTH),
            actor=actor,
            timestamp=require_aware(timestamp, "timestamp"),
        )

    @event(ProgressRecorded)
    def _progress_recorded(self, note: str, actor: Actor, timestamp: datetime) -> None:
        self._last_progress_at = timestamp

    def suspend(self, reason: str, *, actor: Actor, timestamp: datetime) -> None:
        """Stop the resolution clock (e.g. waiting on the enterprise), with a reason."""
        self._check("suspend")
        self._suspended(
            reason=require_reason(reason, "action.issue.suspend"),
            actor=actor,
            timestamp=require_aware(timestamp, "timestamp"),
        )

    @event(Suspended)
    def _suspended(self, reason: str, actor: Actor, timestamp: datetime) -> None:
        self._status = IssueStatus.SUSPENDED
        self._pauses = (*self._pauses, (timestamp, None))

    def resume(self, *, actor: Actor, timestamp: datetime) -> None:
        """Restart the resolution clock after a suspension."""
        self._check("resume")
        moment = require_aware(timestamp, "timestamp")
        suspended_at, _ = self._pauses[-1]
        if moment < suspended_at:
            # A suspension that ends before it began would make the time limits meaningless.
            raise InvalidInput("issue.resume_before_suspend", field="timestamp")
        self._resumed(actor=actor, timestamp=moment)

    @event(Resumed)
    def _resumed(self, actor: Actor, timestamp: datetime) -> None:
        self._status = IssueStatus.IN_PROGRESS
        started, _ = self._pauses[-1]
        self._pauses = (*self._pauses[:-1], (started, timestamp))

    def resolve(
        self, resolution: str, evidence: Sequence[str], *, actor: Actor, timestamp: datetime
    ) -> None:
        """办结 by the department: the resolution text is required, the evidence list may be
        empty (not every answer has a document behind it)."""
        self._check("resolve")
        self._resolved(
            resolution=require_text(resolution, "resolution", max_length=TEXT_MAX_LENGTH),
            evidence=_evidence(evidence),
            actor=actor,
            timestamp=require_aware(timestamp, "timestamp"),
        )

    @event(Resolved)
    def _resolved(
        self, resolution: str, evidence: list[str], actor: Actor, timestamp: datetime
    ) -> None:
        self._status = IssueStatus.RESOLVED
        self._resolution = resolution
        self._evidence = tuple(evidence)
        self._resolver_id = actor.id
        self._resolved_at = timestamp

    # ------------------------------------------------------------ audit (审核)

    def approve_closure(self, note: str, *, actor: Actor, timestamp: datetime) -> None:
        """A supervisor accepts the resolution; the issue waits for the callback (回访)."""
        self._check("approve_closure")
        checked_note = require_text(note, "note", max_length=TEXT_MAX_LENGTH)
        self._not_the_resolver(actor, "do.approve_closure_of")
        self._closure_approved(
            note=checked_note, actor=actor, timestamp=require_aware(timestamp, "timestamp")
        )

    @event(ClosureApproved)
    def _closure_approved(self, note: str, actor: Actor, timestamp: datetime) -> None:
        self._status = IssueStatus.AWAITING_EVALUATION
        self._approver_id = actor.id
        self._approved_at = timestamp

    def return_for_rework(self, reason: str, *, actor: Actor, timestamp: datetime) -> None:
        """A supervisor rejects the resolution; a new rework cycle restarts the resolution
        clock."""
        self._check("return_for_rework")
        self._returned_for_rework(
            reason=require_reason(reason, "action.issue.return_for_rework"),
            actor=actor,
            timestamp=require_aware(timestamp, "timestamp"),
        )

    @event(ReturnedForRework)
    def _returned_for_rework(self, reason: str, actor: Actor, timestamp: datetime) -> None:
        self._start_rework_cycle(timestamp)

    def _start_rework_cycle(self, timestamp: datetime) -> None:
        self._status = IssueStatus.IN_PROGRESS
        self._rework_count += 1
        self._restart_resolution_clock(timestamp)

    def _restart_resolution_clock(self, timestamp: datetime) -> None:
        self._clock_started_at = timestamp
        self._pending_extension = None  # a request was about the cycle that ended
        self._clear_outcome()

    # ------------------------------------------------------------ callback (回访)

    def evaluate(
        self,
        satisfaction: str,
        comment: str | None = None,
        *,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        """Record the enterprise's (or point's) verdict: satisfied or basically satisfied
        closes the issue; unsatisfied starts a rework cycle. UNRATED is `close_unrated`'s."""
        self._check("evaluate")
        verdict = _choice(Satisfaction, satisfaction, "satisfaction")
        if verdict is Satisfaction.UNRATED:
            raise InvalidInput("issue.unrated_not_evaluation", field="satisfaction")
        checked_comment = None
        if comment is not None and comment.strip():
            checked_comment = require_text(comment, "comment", max_length=TEXT_MAX_LENGTH)
        self._not_the_resolver(actor, "do.record_evaluation_of")
        self._evaluated(
            satisfaction=verdict.value,
            comment=checked_comment,
            actor=actor,
            timestamp=require_aware(timestamp, "timestamp"),
        )

    @event(Evaluated)
    def _evaluated(
        self, satisfaction: str, comment: str | None, actor: Actor, timestamp: datetime
    ) -> None:
        if self._rating_link is not None:  # whoever evaluated, the link's question is answered
            self._used_links = self._used_links | {self._rating_link[0]}
            self._rating_link = None
        verdict = Satisfaction(satisfaction)
        if verdict in CLOSING_SATISFACTIONS:
            self._status = IssueStatus.CLOSED
            self._satisfaction = verdict
            self._closed_at = timestamp
        else:
            self._start_rework_cycle(timestamp)

    def issue_rating_link(
        self, link_id: str, expires_at: datetime, *, actor: Actor, timestamp: datetime
    ) -> None:
        """Record a new rating link for the enterprise (it replaces an earlier one)."""
        self._check("issue_rating_link")
        if self._kind is not IssueKind.ENTERPRISE_DEMAND:
            raise InvalidTransition("rating.link.not_enterprise_demand")
        moment = require_aware(timestamp, "timestamp")
        expiry = require_aware(expires_at, "expires_at")
        if expiry <= moment:
            raise InvalidInput("rating.link.expired", field="expires_at")
        self._rating_link_issued(
            link_id=require_text(link_id, "id", max_length=REF_MAX_LENGTH),
            expires_at=expiry,
            actor=actor,
            timestamp=moment,
        )

    @event(RatingLinkIssued)
    def _rating_link_issued(
        self, link_id: str, expires_at: datetime, actor: Actor, timestamp: datetime
    ) -> None:
        self._rating_link = (link_id, expires_at)

    def evaluate_by_link(
        self,
        link_id: str,
        satisfaction: str,
        comment: str | None = None,
        *,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        """The enterprise's own rating through its link: only the current link, once, before it
        expires; then the same evaluation as a callback (unsatisfied sends it back for rework)."""
        moment = require_aware(timestamp, "timestamp")
        self.check_rating_link(link_id, moment)
        self.evaluate(satisfaction, comment, actor=actor, timestamp=moment)

    @property
    def rating_link_expires_at(self) -> datetime | None:
        return self._rating_link[1] if self._rating_link else None

    def record_reporter_phone(
        self, phone_digest: str, *, actor: Actor, timestamp: datetime
    ) -> None:
        """The direct report's phone (as a digest), for the progress lookup; once."""
        if self._kind is not IssueKind.DIRECT_REPORT or self._phone_digest is not None:
            raise InvalidInput("lookup.not_found", field="phone")
        self._reporter_phone_recorded(
            phone_digest=require_text(phone_digest, "phone", max_length=REF_MAX_LENGTH),
            actor=actor,
            timestamp=require_aware(timestamp, "timestamp"),
        )

    @event(ReporterPhoneRecorded)
    def _reporter_phone_recorded(
        self, phone_digest: str, actor: Actor, timestamp: datetime
    ) -> None:
        self._phone_digest = phone_digest

    @property
    def phone_digest(self) -> str | None:
        return self._phone_digest

    def check_rating_link(self, link_id: str, now: datetime) -> None:
        """Forbidden unless `link_id` is this issue's current, unused, unexpired link."""
        if link_id in self._used_links:
            raise Conflict("rating.link.used")
        if self._rating_link is None or self._rating_link[0] != link_id:
            raise Forbidden("rating.link.unknown")
        if now >= self._rating_link[1]:
            raise Forbidden("rating.link.expired")
        self._check("evaluate")

    def close_unrated(self, *, actor: Actor, timestamp: datetime) -> None:
        """Close an issue nobody evaluated within 7 calendar days of approval, as UNRATED."""
        self._check("close_unrated")
        moment = require_aware(timestamp, "timestamp")
        assert self._approved_at is not None  # AWAITING_EVALUATION is only reached by approval
        possible_from = self._approved_at + UNRATED_AFTER
        if moment < possible_from:
            raise InvalidTransition("issue.unrated_too_early", possible_from=beijing(possible_from))
        self._closed_unrated(actor=actor, timestamp=moment)

    @event(ClosedUnrated)
    def _closed_unrated(self, actor: Actor, timestamp: datetime) -> None:
        self._status = IssueStatus.CLOSED
        self._satisfaction = Satisfaction.UNRATED
        self._closed_at = timestamp

    # ------------------------------------------------------------ supervision (督导)

    def reopen(self, reason: str, *, actor: Actor, timestamp: datetime) -> None:
        """Reopen a CLOSED or DECLINED issue, with a reason.

        A CLOSED issue goes back to IN_PROGRESS with its lead department and a fresh
        resolution clock. The one deliberate reading of the diagram (which says reopen leads to
        IN_PROGRESS): a DECLINED issue was declined from RAISED and has no department to work
        it, so reopening it returns it to RAISED, to be dispatched.
        """
        self._check("reopen")
        checked_reason = require_reason(reason, "action.issue.reopen")
        has_department = self._lead_department_id is not None and self._accepted_at is not None
        to_status = IssueStatus.IN_PROGRESS if has_department else IssueStatus.RAISED
        self._reopened(
            reason=checked_reason,
            to_status=to_status.value,
            actor=actor,
            timestamp=require_aware(timestamp, "timestamp"),
        )

    @event(Reopened)
    def _reopened(self, reason: str, to_status: str, actor: Actor, timestamp: datetime) -> None:
        self._status = IssueStatus(to_status)
        if self._status is IssueStatus.IN_PROGRESS:
            # Otherwise the reopened issue would be overdue from the start.
            self._restart_resolution_clock(timestamp)
        else:
            self._clear_outcome()

    def escalate(self, level: str, note: str, *, actor: Actor, timestamp: datetime) -> None:
        """催办 → 督办 → 通报: recorded and reported, but the status does not change."""
        self._check("escalate")
        self._escalated(
            level=_choice(EscalationLevel, level, "level").value,
            note=require_text(note, "note", max_length=TEXT_MAX_LENGTH),
            actor=actor,
            timestamp=require_aware(timestamp, "timestamp"),
        )

    @event(Escalated)
    def _escalated(self, level: str, note: str, actor: Actor, timestamp: datetime) -> None:
        escalation = Escalation(EscalationLevel(level), note, actor, timestamp)
        self._escalations = (*self._escalations, escalation)

    # ------------------------------------------------------------ extensions (延期申请)

    def request_extension(
        self,
        department_id: str,
        reason: str,
        requested_due_at: datetime | None = None,
        *,
        sla: SlaPolicy,
        calendar: WorkingCalendar,
        actor: Actor,
        timestamp: datetime,
    ) -> str:
        """延期申请: the lead department asks, with a reason (and maybe the date it proposes),
        before the resolution deadline passes; one request at a time. Returns its id."""
        self._check("request_extension")
        department = self._lead_only(department_id, "do.request_extension")
        checked_reason = require_reason(reason, "action.issue.request_extension")
        moment = require_aware(timestamp, "timestamp")
        if self._pending_extension is not None:
            raise Conflict("extension.pending")
        due = self._current_resolve_due(sla, calendar)
        if due is not None and not is_clock_stopped(due) and moment >= due:
            raise InvalidTransition("extension.deadline_passed", due=beijing(due))
        proposed = None
        if requested_due_at is not None:
            proposed = require_aware(requested_due_at, "requestedDueAt")
            if due is not None and not is_clock_stopped(due) and proposed <= due:
                raise InvalidInput("extension.not_later", field="requestedDueAt", due=beijing(due))
        request_id = f"x-{self.version + 1}"
        self._extension_requested(
            request_id=request_id,
            department_id=department,
            reason=checked_reason,
            due_at=None if due is None or is_clock_stopped(due) else due,
            requested_due_at=proposed,
            actor=actor,
            timestamp=moment,
        )
        return request_id

    @event(ExtensionRequested)
    def _extension_requested(
        self,
        request_id: str,
        department_id: str,
        reason: str,
        due_at: datetime | None,
        requested_due_at: datetime | None,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self._pending_extension = ExtensionRequest(
            request_id, department_id, reason, timestamp, requested_due_at
        )

    def approve_extension(
        self,
        new_due_at: datetime,
        note: str | None = None,
        *,
        sla: SlaPolicy,
        calendar: WorkingCalendar,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        """A supervisor grants the pending request with a new due time, later than the current
        deadline and than now; the resolution deadline of this cycle becomes that time."""
        self._check("decide_extension")
        pending = self._require_pending_extension()
        moment = require_aware(timestamp, "timestamp")
        new_due = require_aware(new_due_at, "newDueAt")
        due = self._current_resolve_due(sla, calendar)
        known = due if due is not None and not is_clock_stopped(due) else None
        if new_due <= moment or (known is not None and new_due <= known):
            raise InvalidInput(
                "extension.not_later", field="newDueAt", due=beijing(known or moment)
            )
        checked_note = None
        if note is not None and note.strip():
            checked_note = require_text(note, "note", max_length=TEXT_MAX_LENGTH)
        self._extension_approved(
            request_id=pending.request_id,
            original_due_at=known,
            new_due_at=new_due,
            note=checked_note,
            actor=actor,
            timestamp=moment,
        )

    @event(ExtensionApproved)
    def _extension_approved(
        self,
        request_id: str,
        original_due_at: datetime | None,
        new_due_at: datetime,
        note: str | None,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        assert self._clock_started_at is not None  # a pending request means a running cycle
        first = self._extension
        original = original_due_at
        if first is not None and first.cycle_started_at == self._clock_started_at:
            original = first.original_due_at  # a second extension: the first deadline stays
        self._extension = Extension(
            request_id, self._clock_started_at, timestamp, original, new_due_at
        )
        self._pending_extension = None
        self._extensions_granted += 1

    def refuse_extension(self, reason: str, *, actor: Actor, timestamp: datetime) -> None:
        """A supervisor refuses the pending request, with a reason; the deadline stays."""
        self._check("decide_extension")
        pending = self._require_pending_extension()
        self._extension_refused(
            request_id=pending.request_id,
            reason=require_reason(reason, "action.issue.refuse_extension"),
            actor=actor,
            timestamp=require_aware(timestamp, "timestamp"),
        )

    @event(ExtensionRefused)
    def _extension_refused(
        self, request_id: str, reason: str, actor: Actor, timestamp: datetime
    ) -> None:
        self._pending_extension = None

    def _require_pending_extension(self) -> ExtensionRequest:
        if self._pending_extension is None:
            raise InvalidTransition("extension.none_pending")
        return self._pending_extension

    def _current_extension(self) -> Extension | None:
        """The extension of the running resolution cycle, if one was granted."""
        extension = self._extension
        if extension is None or extension.cycle_started_at != self._clock_started_at:
            return None
        return extension

    def _current_resolve_due(self, sla: SlaPolicy, calendar: WorkingCalendar) -> datetime | None:
        return self.deadlines(sla, calendar).resolve_due_at

    @property
    def pending_extension(self) -> ExtensionRequest | None:
        return self._pending_extension

    @property
    def extension(self) -> Extension | None:
        """The extension granted for the running resolution cycle (None if none)."""
        return self._current_extension()

    @property
    def extensions_granted(self) -> int:
        return self._extensions_granted

    # ------------------------------------------------------------ deadline alerts (预警 · 催办 · 督办 · 通报)

    def alert_schedule(
        self, sla: SlaPolicy, calendar: WorkingCalendar, policy: AlertPolicy
    ) -> list[Alert]:
        """Every threshold of the deadlines now running, fired or not, in order of instant:
        ACCEPT while DISPATCHED; RESOLVE from dispatch until resolution (stopped while
        SUSPENDED), its cycle restarted by rework and reopening as `deadlines` says."""
        alerts: list[Alert] = []
        if self._status is IssueStatus.DISPATCHED and self._dispatched_at is not None:
            limit = accept_limit(self._category.value, sla)
            alerts += schedule(
                DeadlineKind.ACCEPT, self._dispatched_at, limit, calendar, (), policy
            )
        started = self._clock_started_at
        extension = self._current_extension()
        if self._status in RESOLVE_RUNNING and extension is not None:
            # The extended deadline is a cycle of its own, from the approval to the new time.
            alerts += schedule_extended(
                DeadlineKind.RESOLVE, extension.approved_at, extension.due_at, calendar, policy
            )
        elif self._status in RESOLVE_RUNNING and started is not None:
            limit = resolve_limit(self._kind.value, self._category.value, sla)
            pauses = tuple(pause for pause in self._pauses if pause[0] >= started)
            alerts += schedule(DeadlineKind.RESOLVE, started, limit, calendar, pauses, policy)
        return sorted(alerts, key=lambda alert: alert.at)

    def due_alerts(
        self, now: datetime, sla: SlaPolicy, calendar: WorkingCalendar, policy: AlertPolicy
    ) -> list[Alert]:
        """The thresholds `now` is past that have not fired yet, oldest first."""
        return [
            alert
            for alert in self.alert_schedule(sla, calendar, policy)
            if alert.at < now and alert.key not in self._fired_alerts
        ]

    def next_alert_at(
        self, sla: SlaPolicy, calendar: WorkingCalendar, policy: AlertPolicy
    ) -> datetime | None:
        """When the next threshold not yet fired is reached (maybe already); None if none."""
        pending = [
            alert.at
            for alert in self.alert_schedule(sla, calendar, policy)
            if alert.key not in self._fired_alerts
        ]
        return pending[0] if pending else None

    def fire_alert(
        self,
        deadline: str,
        threshold: str,
        *,
        sla: SlaPolicy,
        calendar: WorkingCalendar,
        policy: AlertPolicy,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        """One threshold of a running deadline, once it is reached; a second firing of the same
        threshold of the same deadline cycle is refused (Conflict)."""
        self._check("alert")
        kind = _choice(DeadlineKind, deadline, "deadline")
        level = _choice(Threshold, threshold, "threshold")
        moment = require_aware(timestamp, "timestamp")
        found = [
            alert
            for alert in self.alert_schedule(sla, calendar, policy)
            if alert.deadline is kind and alert.threshold is level
        ]
        if not found:
            raise InvalidTransition(
                "alert.no_deadline",
                level=t(f"alert.{level.value}"),
                deadline=t(f"deadline.{kind.value}"),
            )
        alert = found[0]
        if alert.key in self._fired_alerts:
            raise Conflict(
                "alert.already_raised",
                level=t(f"alert.{level.value}"),
                deadline=t(f"deadline.{kind.value}"),
            )
        if not alert.at < moment:
            raise InvalidTransition(
                "alert.not_yet", level=t(f"alert.{level.value}"), at=beijing(alert.at)
            )
        self._trigger_alert(alert, policy, actor, moment)

    def fire_due_alerts(
        self,
        *,
        now: datetime,
        sla: SlaPolicy,
        calendar: WorkingCalendar,
        policy: AlertPolicy,
        actor: Actor,
    ) -> list[Alert]:
        """Every threshold reached by `now` and not fired yet, in order (what a watcher that
        was down missed is fired too, marked late); none for a closed or declined issue."""
        moment = require_aware(now, "now")
        due = self.due_alerts(moment, sla, calendar, policy)
        for alert in due:
            self._trigger_alert(alert, policy, actor, moment)
        return due

    def _trigger_alert(
        self, alert: Alert, policy: AlertPolicy, actor: Actor, timestamp: datetime
    ) -> None:
        late = timestamp - alert.at > policy.late_after
        fields: dict[str, Any] = dict(
            deadline=alert.deadline.value,
            threshold=alert.threshold.value,
            cycle_started_at=alert.cycle_started_at,
            due_at=alert.due_at,
            threshold_at=alert.at,
            late=late,
            note=alert_note(alert, policy, late=late),
            actor=actor,
            timestamp=timestamp,
        )
        if alert.threshold.is_warning:
            self._deadline_warned(**fields)
        else:
            self._deadline_escalated(level=alert.threshold.value, **fields)

    @event(DeadlineWarned)
    def _deadline_warned(
        self,
        deadline: str,
        threshold: str,
        cycle_started_at: datetime,
        due_at: datetime,
        threshold_at: datetime,
        late: bool,
        note: str,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self._fired_alerts = self._fired_alerts | {(deadline, cycle_started_at, threshold)}

    @event(DeadlineEscalated)
    def _deadline_escalated(
        self,
        level: str,
        deadline: str,
        threshold: str,
        cycle_started_at: datetime,
        due_at: datetime,
        threshold_at: datetime,
        late: bool,
        note: str,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self._fired_alerts = self._fired_alerts | {(deadline, cycle_started_at, threshold)}
        escalation = Escalation(EscalationLevel(level), note, actor, timestamp)
        self._escalations = (*self._escalations, escalation)

    @property
    def fired_alerts(self) -> frozenset[AlertKey]:
        """(deadline, cycle started at, threshold) of every alert fired on this issue."""
        return self._fired_alerts

    # ------------------------------------------------------------ time limits

    def deadlines(self, policy: SlaPolicy, calendar: WorkingCalendar) -> Deadlines:
        """When the issue must be accepted and resolved. Both clocks start at dispatch (not
        acceptance); the resolution clock restarts with each rework cycle and only the
        suspensions since its (re)start stop it. Suspension is only possible after acceptance,
        so it never moves the acceptance deadline."""
        if self._dispatched_at is None or self._clock_started_at is None:
            return Deadlines(accept_due_at=None, resolve_due_at=None)
        started = self._clock_started_at
        extension = self._current_extension()
        if extension is not None:
            return Deadlines(
                accept_due_at=accept_due(
                    self._dispatched_at, self._category.value, policy, calendar
                ),
                resolve_due_at=extension.due_at,
            )
        return Deadlines(
            accept_due_at=accept_due(self._dispatched_at, self._category.value, policy, calendar),
            resolve_due_at=resolve_due(
                started,
                self._kind.value,
                self._category.value,
                policy,
                calendar,
                pauses=tuple(pause for pause in self._pauses if pause[0] >= started),
            ),
        )

    def original_resolve_due_at(
        self, policy: SlaPolicy, calendar: WorkingCalendar
    ) -> datetime | None:
        """The resolution deadline of the running cycle as the time limit sets it, before any
        extension (KPIs judge on-time against it as well as against the extended one)."""
        started = self._clock_started_at
        if self._dispatched_at is None or started is None:
            return None
        pauses = tuple(pause for pause in self._pauses if pause[0] >= started)
        return resolve_due(
            started, self._kind.value, self._category.value, policy, calendar, pauses=pauses
        )

    def deadlines_and_original(
        self, policy: SlaPolicy, calendar: WorkingCalendar
    ) -> tuple[Deadlines, datetime | None]:
        """`deadlines` and `original_resolve_due_at` at once: with no extension granted in
        the running cycle they are one computation (a projection asks for both on every
        event of every issue)."""
        deadlines = self.deadlines(policy, calendar)
        if self._current_extension() is None:
            return deadlines, deadlines.resolve_due_at
        return deadlines, self.original_resolve_due_at(policy, calendar)

    # ------------------------------------------------------------ read-model properties

    @property
    def status(self) -> IssueStatus:
        return self._status

    @property
    def is_open(self) -> bool:
        return self._status in OPEN_STATUSES

    @property
    def kind(self) -> IssueKind:
        return self._kind

    @property
    def category(self) -> IssueCategory:
        return self._category

    @property
    def title(self) -> str:
        return self._title

    @property
    def description(self) -> str:
        return self._description

    @property
    def enterprise_id(self) -> str | None:
        return self._enterprise_id

    @property
    def reporting_point_id(self) -> str | None:
        return self._reporting_point_id

    @property
    def visit_id(self) -> str | None:
        return self._visit_id

    @property
    def district(self) -> str | None:
        return self._district

    @property
    def raised_by(self) -> Actor:
        return self._raised_by

    @property
    def lead_department_id(self) -> str | None:
        return self._lead_department_id

    @property
    def assisting_department_ids(self) -> tuple[str, ...]:
        return self._assisting_department_ids

    @property
    def raised_at(self) -> datetime:
        return self._raised_at

    @property
    def dispatched_at(self) -> datetime | None:
        return self._dispatched_at

    @property
    def accepted_at(self) -> datetime | None:
        return self._accepted_at

    @property
    def resolved_at(self) -> datetime | None:
        return self._resolved_at

    @property
    def approved_at(self) -> datetime | None:
        return self._approved_at

    @property
    def closed_at(self) -> datetime | None:
        return self._closed_at

    @property
    def last_progress_at(self) -> datetime | None:
        return self._last_progress_at

    @property
    def resolution(self) -> str | None:
        return self._resolution

    @property
    def evidence(self) -> tuple[str, ...]:
        return self._evidence

    @property
    def satisfaction(self) -> Satisfaction | None:
        return self._satisfaction

    @property
    def resolver_id(self) -> str | None:
        return self._resolver_id

    @property
    def approver_id(self) -> str | None:
        return self._approver_id

    @property
    def rework_count(self) -> int:
        return self._rework_count

    @property
    def dispatch_refusal_count(self) -> int:
        return len(self._refusals)

    @property
    def refusals(self) -> tuple[str, ...]:
        """The departments that refused a dispatch (退单), in order, one entry per refusal."""
        return self._refusals

    @property
    def escalations(self) -> tuple[Escalation, ...]:
        return self._escalations

    @property
    def escalation_count(self) -> int:
        return len(self._escalations)

    @property
    def pauses(self) -> tuple[Pause, ...]:
        """Suspensions as (start, end); end is None while the issue is still suspended."""
        return self._pauses

    @property
    def resolution_clock_started_at(self) -> datetime | None:
        """The dispatch time, or the start of the latest rework cycle or reopening."""
        return self._clock_started_at
