"""The issue lifecycle of DOMAIN.md, command by command: given events, when a command, then
events (or a refusal that leaves the stream as it was)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

import pytest

from domain.issue import (
    Deadlines,
    EscalationLevel,
    Issue,
    IssueCategory,
    IssueKind,
    IssueStatus,
    Satisfaction,
)
from domain.shared import BEIJING_TIME, Actor, Forbidden, InvalidInput, InvalidTransition
from domain.time_limits import SlaPolicy, WeekdayCalendar, is_clock_stopped

MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=BEIJING_TIME)  # 2025-03-03 is a Monday
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

COMMISSIONER = Actor(id="c-zhang", name="张专员", role="COMMISSIONER")
SUPERVISOR = Actor(id="s-li", name="李督导", role="SUPERVISOR")
OTHER_SUPERVISOR = Actor(id="s-zhao", name="赵督导", role="SUPERVISOR")
HANDLER = Actor(id="d-wang", name="王经办", role="DEPARTMENT")
LEAD = "hrss-employment"
ASSISTING = "hrss-talent"

POLICY = SlaPolicy()
CALENDAR = WeekdayCalendar()

S = IssueStatus
ALL_STATUSES = tuple(IssueStatus)


# ---------------------------------------------------------------- given


def raised(
    *,
    kind: str = "ENTERPRISE_DEMAND",
    category: str = "RECRUITMENT",
    at: datetime = MONDAY,
) -> Issue:
    direct = kind == "DIRECT_REPORT"
    return Issue.raise_issue(
        kind=kind,
        category=category,
        title="招聘200名普工",
        description="企业扩产，急需普工",
        actor=COMMISSIONER,
        timestamp=at,
        enterprise_id=None if direct else "ent-1",
        reporting_point_id="liangjiang-park" if direct else None,
    )


def given(
    status: IssueStatus, *, kind: str = "ENTERPRISE_DEMAND", category: str = "RECRUITMENT"
) -> Issue:
    """An issue brought to `status` by commands an hour apart, its events already collected."""
    issue = raised(kind=kind, category=category)
    steps: dict[IssueStatus, list[Callable[[Issue, datetime], None]]] = {
        S.RAISED: [],
        S.DISPATCHED: [_dispatch],
        S.IN_PROGRESS: [_dispatch, _accept],
        S.SUSPENDED: [_dispatch, _accept, _suspend],
        S.RESOLVED: [_dispatch, _accept, _resolve],
        S.AWAITING_EVALUATION: [_dispatch, _accept, _resolve, _approve],
        S.CLOSED: [_dispatch, _accept, _resolve, _approve, _evaluate],
        S.DECLINED: [_decline],
    }
    for n, step in enumerate(steps[status], start=1):
        step(issue, MONDAY + n * HOUR)
    issue.collect_events()
    assert issue.status is status
    return issue


def _dispatch(issue: Issue, at: datetime) -> None:
    issue.dispatch(LEAD, [ASSISTING], actor=SUPERVISOR, timestamp=at)


def _accept(issue: Issue, at: datetime) -> None:
    issue.accept(LEAD, actor=HANDLER, timestamp=at)


def _suspend(issue: Issue, at: datetime) -> None:
    issue.suspend("等待企业补充材料", actor=HANDLER, timestamp=at)


def _resolve(issue: Issue, at: datetime) -> None:
    issue.resolve("已推荐候选人120名", ["recruitment-list.pdf"], actor=HANDLER, timestamp=at)


def _approve(issue: Issue, at: datetime) -> None:
    issue.approve_closure("材料齐全", actor=SUPERVISOR, timestamp=at)


def _evaluate(issue: Issue, at: datetime) -> None:
    issue.evaluate("SATISFIED", actor=SUPERVISOR, timestamp=at)


def _decline(issue: Issue, at: datetime) -> None:
    issue.decline("不属于人社职能", actor=SUPERVISOR, timestamp=at)


# ---------------------------------------------------------------- the diagram, as a table

# Late enough for close_unrated's 7 days, and after every step `given` takes.
LATER = MONDAY + 30 * DAY
OPEN = frozenset(set(S) - {S.CLOSED, S.DECLINED})


COMMANDS: dict[str, tuple[Callable[[Issue], None], str, frozenset[IssueStatus]]] = {
    # command: (a valid call, the words the refusal must use, the states the diagram allows)
    "dispatch": (
        lambda i: i.dispatch(LEAD, [], actor=SUPERVISOR, timestamp=LATER),
        "dispatch",
        frozenset({S.RAISED}),
    ),
    "accept": (
        lambda i: i.accept(LEAD, actor=HANDLER, timestamp=LATER),
        "accept",
        frozenset({S.DISPATCHED}),
    ),
    "refuse_dispatch": (
        lambda i: i.refuse_dispatch(LEAD, "不属于本处室", actor=HANDLER, timestamp=LATER),
        "refuse the dispatch",
        frozenset({S.DISPATCHED}),
    ),
    "decline": (
        lambda i: i.decline("重复诉求", actor=SUPERVISOR, timestamp=LATER),
        "decline",
        frozenset({S.RAISED}),
    ),
    "record_progress": (
        lambda i: i.record_progress("已联系企业", actor=HANDLER, timestamp=LATER),
        "record progress",
        frozenset({S.IN_PROGRESS}),
    ),
    "suspend": (
        lambda i: i.suspend("等待材料", actor=HANDLER, timestamp=LATER),
        "suspend",
        frozenset({S.IN_PROGRESS}),
    ),
    "resume": (
        lambda i: i.resume(actor=HANDLER, timestamp=LATER),
        "resume",
        frozenset({S.SUSPENDED}),
    ),
    "resolve": (
        lambda i: i.resolve("已办结", [], actor=HANDLER, timestamp=LATER),
        "resolve",
        frozenset({S.IN_PROGRESS}),
    ),
    "approve_closure": (
        lambda i: i.approve_closure("同意", actor=SUPERVISOR, timestamp=LATER),
        "approve the closure",
        frozenset({S.RESOLVED}),
    ),
    "return_for_rework": (
        lambda i: i.return_for_rework("证据不足", actor=SUPERVISOR, timestamp=LATER),
        "for rework",
        frozenset({S.RESOLVED}),
    ),
    "evaluate": (
        lambda i: i.evaluate("SATISFIED", actor=SUPERVISOR, timestamp=LATER),
        "evaluate",
        frozenset({S.AWAITING_EVALUATION}),
    ),
    "close_unrated": (
        lambda i: i.close_unrated(actor=SUPERVISOR, timestamp=LATER),
        "as unrated",
        frozenset({S.AWAITING_EVALUATION}),
    ),
    "reopen": (
        lambda i: i.reopen("企业反映问题复发", actor=SUPERVISOR, timestamp=LATER),
        "reopen",
        frozenset({S.CLOSED, S.DECLINED}),
    ),
    "escalate": (
        lambda i: i.escalate("URGE", "请加快办理", actor=SUPERVISOR, timestamp=LATER),
        "escalate",
        OPEN,
    ),
}

# What each allowed pair records, and where it leaves the issue (None: where it was).
OUTCOMES: dict[str, tuple[type, IssueStatus | None]] = {
    "dispatch": (Issue.Dispatched, S.DISPATCHED),
    "accept": (Issue.Accepted, S.IN_PROGRESS),
    "refuse_dispatch": (Issue.DispatchRefused, S.RAISED),
    "decline": (Issue.Declined, S.DECLINED),
    "record_progress": (Issue.ProgressRecorded, S.IN_PROGRESS),
    "suspend": (Issue.Suspended, S.SUSPENDED),
    "resume": (Issue.Resumed, S.IN_PROGRESS),
    "resolve": (Issue.Resolved, S.RESOLVED),
    "approve_closure": (Issue.ClosureApproved, S.AWAITING_EVALUATION),
    "return_for_rework": (Issue.ReturnedForRework, S.IN_PROGRESS),
    "evaluate": (Issue.Evaluated, S.CLOSED),
    "close_unrated": (Issue.ClosedUnrated, S.CLOSED),
    "reopen": (Issue.Reopened, None),  # depends on where from: see the reopen tests
    "escalate": (Issue.Escalated, None),
}

PAIRS = [(status, command) for status in ALL_STATUSES for command in COMMANDS]
ALLOWED = [(s, c) for s, c in PAIRS if s in COMMANDS[c][2]]
REFUSED = [(s, c) for s, c in PAIRS if s not in COMMANDS[c][2]]


def test_the_table_covers_every_state_and_every_command() -> None:
    assert len(PAIRS) == 8 * 14
    assert len(ALLOWED) == 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 2 + 6


@pytest.mark.parametrize(("status", "command"), ALLOWED, ids=[f"{s}-{c}" for s, c in ALLOWED])
def test_a_transition_in_the_diagram_records_one_event(status: IssueStatus, command: str) -> None:
    issue = given(status)
    version = issue.version

    COMMANDS[command][0](issue)

    events = issue.collect_events()
    event_class, to_status = OUTCOMES[command]
    assert [type(e) for e in events] == [event_class]
    assert events[0].timestamp == LATER
    assert events[0].originator_version == version + 1
    expected = to_status or status
    if command == "reopen":
        expected = S.IN_PROGRESS if status is S.CLOSED else S.RAISED
    assert issue.status is expected


# How a refusal names a state and a command, in the glossary's words (GLOSSARY.md).
STATE_ZH = {
    S.RAISED: "已提出",
    S.DISPATCHED: "已派单",
    S.IN_PROGRESS: "办理中",
    S.SUSPENDED: "已暂停",
    S.RESOLVED: "已办结",
    S.AWAITING_EVALUATION: "待评价",
    S.CLOSED: "已关闭",
    S.DECLINED: "不予受理",
}
ACTION_ZH = {
    "dispatch": "派单",
    "accept": "签收",
    "refuse_dispatch": "退单",
    "decline": "不予受理",
    "record_progress": "记录办理进展",
    "suspend": "暂停",
    "resume": "恢复",
    "resolve": "办结",
    "approve_closure": "审核通过",
    "return_for_rework": "退回重办",
    "evaluate": "评价",
    "close_unrated": "超期未评价关闭",
    "reopen": "重新办理",
    "escalate": "催办",
}


@pytest.mark.parametrize(("status", "command"), REFUSED, ids=[f"{s}-{c}" for s, c in REFUSED])
def test_a_transition_not_in_the_diagram_is_refused(status: IssueStatus, command: str) -> None:
    issue = given(status)
    version = issue.version

    with pytest.raises(InvalidTransition) as refused:
        COMMANDS[command][0](issue)

    message = str(refused.value)
    assert message.startswith(f"不能对处于“{STATE_ZH[status]}”状态的诉求执行{ACTION_ZH[command]}")
    english = refused.value.render("en")
    assert f"an issue that is {status.value}" in english
    assert COMMANDS[command][1] in english
    assert issue.version == version
    assert issue.pending_events == []
    assert issue.status is status


def test_accepting_a_raised_issue_is_refused_in_the_bureaus_words() -> None:
    issue = given(S.RAISED)

    with pytest.raises(InvalidTransition) as refused:
        issue.accept(LEAD, actor=HANDLER, timestamp=LATER)

    assert refused.value.message == "不能对处于“已提出”状态的诉求执行签收"
    assert refused.value.render("en") == "cannot accept an issue that is RAISED"
    assert refused.value.code == "INVALID_TRANSITION"


def test_refusing_a_dispatch_without_a_reason_says_a_refusal_needs_one() -> None:
    issue = given(S.DISPATCHED)

    with pytest.raises(InvalidInput) as refused:
        issue.refuse_dispatch(LEAD, "  ", actor=HANDLER, timestamp=LATER)

    assert refused.value.message == "退单必须填写理由"
    assert refused.value.field == "reason"
    assert refused.value.render("en") == "reason is required"


def test_a_refused_command_leaves_uncollected_pending_events_alone() -> None:
    issue = raised()
    issue.dispatch(LEAD, [], actor=SUPERVISOR, timestamp=MONDAY + HOUR)
    pending = list(issue.pending_events)

    with pytest.raises(InvalidTransition):
        issue.resolve("已办结", [], actor=HANDLER, timestamp=MONDAY + 2 * HOUR)

    assert issue.pending_events == pending
    assert issue.version == 2


# ---------------------------------------------------------------- raising (发单)


def test_raising_a_demand_records_the_facts() -> None:
    issue = Issue.raise_issue(
        kind="ENTERPRISE_DEMAND",
        category="URGENT_HIRING",
        title="  紧急招工  ",
        description="三天内需要50人",
        enterprise_id="ent-1",
        visit_id="visit-9",
        district="重庆两江新区",
        actor=COMMISSIONER,
        timestamp=MONDAY,
    )

    [raised_event] = issue.collect_events()
    assert isinstance(raised_event, Issue.Raised)
    assert raised_event.kind == "ENTERPRISE_DEMAND"
    assert type(raised_event.kind) is str  # JSON-friendly, not the enum
    assert raised_event.category == "URGENT_HIRING"
    assert raised_event.title == "紧急招工"
    assert raised_event.enterprise_id == "ent-1"
    assert raised_event.visit_id == "visit-9"
    assert raised_event.reporting_point_id is None
    assert raised_event.district == "两江新区"
    assert raised_event.actor == COMMISSIONER
    assert raised_event.timestamp == MONDAY
    assert issue.status is S.RAISED
    assert issue.kind is IssueKind.ENTERPRISE_DEMAND
    assert issue.category is IssueCategory.URGENT_HIRING
    assert issue.raised_at == MONDAY
    assert issue.deadlines(POLICY, CALENDAR) == Deadlines(None, None)


def test_the_caller_may_fix_the_stream_id_for_idempotent_raising() -> None:
    fixed = UUID("5f0c6a52-9d0e-4c3e-8f0a-2b7d3f1e9a11")

    issue = Issue.raise_issue(
        kind="ENTERPRISE_DEMAND",
        category="OTHER",
        title="t",
        description="d",
        enterprise_id="ent-1",
        actor=COMMISSIONER,
        timestamp=MONDAY,
        id=fixed,
    )

    [raised_event] = issue.collect_events()
    assert issue.id == fixed
    assert raised_event.originator_id == fixed
    assert raised().id != raised().id  # otherwise every issue gets a new one


def test_a_direct_report_comes_from_a_point_and_may_name_an_enterprise() -> None:
    issue = Issue.raise_issue(
        kind="DIRECT_REPORT",
        category="BUSINESS_ENVIRONMENT",
        title="园区企业反映社保办理慢",
        description="详情见附件",
        reporting_point_id="liangjiang-park",
        enterprise_id="ent-2",
        actor=Actor(id="p-1", name="园区直报员", role="REPORTER"),
        timestamp=MONDAY,
    )

    assert issue.kind is IssueKind.DIRECT_REPORT
    assert issue.reporting_point_id == "liangjiang-park"
    assert issue.enterprise_id == "ent-2"
    assert issue.visit_id is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"enterprise_id": None}, "enterpriseId"),
        ({"enterprise_id": "  "}, "enterpriseId"),
        ({"reporting_point_id": "liangjiang-park"}, "reportingPointId"),
        ({"category": "LUNCH"}, "category"),
        ({"kind": "RUMOUR"}, "kind"),
        ({"title": "   "}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"description": ""}, "description"),
        ({"district": "火星区"}, "district"),
        ({"timestamp": datetime(2025, 3, 3, 9, 0)}, "timestamp"),
    ],
)
def test_a_demand_with_bad_input_is_refused(changes: dict[str, object], field: str) -> None:
    kwargs: dict[str, object] = {
        "kind": "ENTERPRISE_DEMAND",
        "category": "RECRUITMENT",
        "title": "招工",
        "description": "需要普工",
        "enterprise_id": "ent-1",
        "actor": COMMISSIONER,
        "timestamp": MONDAY,
        **changes,
    }
    with pytest.raises(InvalidInput) as refused:
        Issue.raise_issue(**kwargs)  # type: ignore[arg-type]
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reporting_point_id": None}, "reportingPointId"),
        ({"reporting_point_id": "Not An Id"}, "reportingPointId"),
        ({"visit_id": "visit-1"}, "visitId"),
    ],
)
def test_a_direct_report_with_bad_input_is_refused(changes: dict[str, object], field: str) -> None:
    kwargs: dict[str, object] = {
        "kind": "DIRECT_REPORT",
        "category": "OTHER",
        "title": "问题",
        "description": "描述",
        "reporting_point_id": "liangjiang-park",
        "actor": COMMISSIONER,
        "timestamp": MONDAY,
        **changes,
    }
    with pytest.raises(InvalidInput) as refused:
        Issue.raise_issue(**kwargs)  # type: ignore[arg-type]
    assert refused.value.field == field


# ---------------------------------------------------------------- dispatch (派单)


def test_a_dispatch_names_a_lead_and_assisting_departments() -> None:
    issue = given(S.RAISED)

    issue.dispatch(LEAD, [ASSISTING, "yubei-hrss"], actor=SUPERVISOR, timestamp=MONDAY + HOUR)

    [dispatched] = issue.collect_events()
    assert isinstance(dispatched, Issue.Dispatched)
    assert dispatched.lead_department_id == LEAD
    assert dispatched.assisting_department_ids == [ASSISTING, "yubei-hrss"]
    assert dispatched.actor == SUPERVISOR
    assert issue.lead_department_id == LEAD
    assert issue.assisting_department_ids == (ASSISTING, "yubei-hrss")
    assert issue.dispatched_at == MONDAY + HOUR
    assert issue.resolution_clock_started_at == MONDAY + HOUR


@pytest.mark.parametrize(
    ("lead", "assisting", "field"),
    [
        (LEAD, [LEAD], "assistingDepartmentIds"),
        (LEAD, [ASSISTING, ASSISTING], "assistingDepartmentIds"),
        (LEAD, ASSISTING, "assistingDepartmentIds"),  # a bare string is not a list
        (LEAD, ["Bad Id"], "assistingDepartmentIds"),
        ("", [], "leadDepartmentId"),
        ("-starts-with-hyphen", [], "leadDepartmentId"),
    ],
)
def test_a_bad_dispatch_is_refused(lead: str, assisting: list[str], field: str) -> None:
    issue = given(S.RAISED)

    with pytest.raises(InvalidInput) as refused:
        issue.dispatch(lead, assisting, actor=SUPERVISOR, timestamp=MONDAY + HOUR)

    assert refused.value.field == field
    assert issue.version == 1
    assert issue.pending_events == []


# ---------------------------------------------------------------- accept (接单) and refuse (退单)


def test_the_lead_department_accepts() -> None:
    issue = given(S.DISPATCHED)

    issue.accept(LEAD, actor=HANDLER, timestamp=MONDAY + 2 * HOUR)

    [accepted] = issue.collect_events()
    assert isinstance(accepted, Issue.Accepted)
    assert accepted.department_id == LEAD
    assert accepted.actor == HANDLER
    assert issue.accepted_at == MONDAY + 2 * HOUR
    assert issue.status is S.IN_PROGRESS


@pytest.mark.parametrize("department", [ASSISTING, "someone-else"])
def test_only_the_lead_department_accepts_or_refuses(department: str) -> None:
    issue = given(S.DISPATCHED)
    version = issue.version

    with pytest.raises(Forbidden):
        issue.accept(department, actor=HANDLER, timestamp=MONDAY + 2 * HOUR)
    with pytest.raises(Forbidden):
        issue.refuse_dispatch(department, "不归我们", actor=HANDLER, timestamp=MONDAY + 2 * HOUR)

    assert issue.version == version
    assert issue.pending_events == []


def test_a_refused_dispatch_goes_back_to_raised_and_counts_against_the_department() -> None:
    issue = given(S.DISPATCHED)

    issue.refuse_dispatch(LEAD, "属于社保处职责", actor=HANDLER, timestamp=MONDAY + 2 * HOUR)

    [refused] = issue.collect_events()
    assert isinstance(refused, Issue.DispatchRefused)
    assert refused.department_id == LEAD
    assert refused.reason == "属于社保处职责"
    assert issue.status is S.RAISED
    assert issue.dispatch_refusal_count == 1
    assert issue.refusals == (LEAD,)
    assert issue.lead_department_id is None
    assert issue.dispatched_at is None
    assert issue.deadlines(POLICY, CALENDAR) == Deadlines(None, None)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_department_cannot_refuse_without_a_reason(reason: str | None) -> None:
    issue = given(S.DISPATCHED)
    version = issue.version

    with pytest.raises(InvalidInput) as refused:
        issue.refuse_dispatch(LEAD, reason, actor=HANDLER, timestamp=MONDAY + 2 * HOUR)  # type: ignore[arg-type]

    assert refused.value.field == "reason"
    assert issue.version == version
    assert issue.pending_events == []
    assert issue.dispatch_refusal_count == 0


def test_a_redispatch_after_a_refusal_restarts_both_clocks() -> None:
    issue = given(S.DISPATCHED)  # dispatched Monday 10:00
    issue.refuse_dispatch(LEAD, "不属于本处室", actor=HANDLER, timestamp=MONDAY + 2 * HOUR)
    redispatched_at = MONDAY + 2 * DAY  # Wednesday 09:00

    issue.dispatch("hrss-social-insurance", [], actor=SUPERVISOR, timestamp=redispatched_at)

    assert issue.dispatched_at == redispatched_at
    assert issue.deadlines(POLICY, CALENDAR) == Deadlines(
        accept_due_at=redispatched_at + DAY,
        resolve_due_at=redispatched_at + 14 * DAY,  # 10 working days: two weekends later
    )


# ---------------------------------------------------------------- decline


def test_a_supervisor_declines_with_a_reason() -> None:
    issue = given(S.RAISED)

    with pytest.raises(InvalidInput):
        issue.decline("  ", actor=SUPERVISOR, timestamp=MONDAY + HOUR)
    issue.decline("不属于人社职能", actor=SUPERVISOR, timestamp=MONDAY + HOUR)

    [declined] = issue.collect_events()
    assert isinstance(declined, Issue.Declined)
    assert declined.reason == "不属于人社职能"
    assert issue.status is S.DECLINED
    assert not issue.is_open


# ---------------------------------------------------------------- handling (办理)


def test_progress_notes_are_recorded_and_need_text() -> None:
    issue = given(S.IN_PROGRESS)

    with pytest.raises(InvalidInput):
        issue.record_progress("", actor=HANDLER, timestamp=MONDAY + DAY)
    issue.record_progress("已电话联系企业人事", actor=HANDLER, timestamp=MONDAY + DAY)

    [progress] = issue.collect_events()
    assert isinstance(progress, Issue.ProgressRecorded)
    assert progress.note == "已电话联系企业人事"
    assert issue.last_progress_at == MONDAY + DAY
    assert issue.status is S.IN_PROGRESS


def test_suspend_and_resume_record_a_pause() -> None:
    issue = given(S.IN_PROGRESS)

    with pytest.raises(InvalidInput):
        issue.suspend("", actor=HANDLER, timestamp=MONDAY + DAY)
    issue.suspend("等待企业补充材料", actor=HANDLER, timestamp=MONDAY + DAY)
    assert issue.pauses == ((MONDAY + DAY, None),)
    issue.resume(actor=HANDLER, timestamp=MONDAY + 3 * DAY)

    suspended, resumed = issue.collect_events()
    assert isinstance(suspended, Issue.Suspended)
    assert suspended.reason == "等待企业补充材料"
    assert isinstance(resumed, Issue.Resumed)
    assert issue.pauses == ((MONDAY + DAY, MONDAY + 3 * DAY),)
    assert issue.status is S.IN_PROGRESS


def test_an_issue_cannot_resume_before_it_was_suspended() -> None:
    issue = given(S.SUSPENDED)  # suspended Monday 12:00
    version = issue.version

    with pytest.raises(InvalidInput) as refused:
        issue.resume(actor=HANDLER, timestamp=MONDAY)

    assert refused.value.field == "timestamp"
    assert issue.version == version


def test_a_resolution_needs_text_but_the_evidence_may_be_empty() -> None:
    issue = given(S.IN_PROGRESS)

    with pytest.raises(InvalidInput) as no_text:
        issue.resolve("  ", ["a.pdf"], actor=HANDLER, timestamp=MONDAY + DAY)
    with pytest.raises(InvalidInput) as blank_item:
        issue.resolve("已办结", ["a.pdf", " "], actor=HANDLER, timestamp=MONDAY + DAY)
    assert no_text.value.field == "resolution"
    assert blank_item.value.field == "evidence"
    assert issue.pending_events == []

    issue.resolve("已办结", [], actor=HANDLER, timestamp=MONDAY + DAY)

    [resolved] = issue.collect_events()
    assert isinstance(resolved, Issue.Resolved)
    assert resolved.resolution == "已办结"
    assert resolved.evidence == []
    assert issue.resolver_id == HANDLER.id
    assert issue.resolved_at == MONDAY + DAY
    assert issue.evidence == ()


# ---------------------------------------------------------------- audit (审核) and callback (回访)


def test_a_supervisor_approves_the_closure() -> None:
    issue = given(S.RESOLVED)

    issue.approve_closure("材料齐全，同意办结", actor=SUPERVISOR, timestamp=MONDAY + DAY)

    [approved] = issue.collect_events()
    assert isinstance(approved, Issue.ClosureApproved)
    assert approved.note == "材料齐全，同意办结"
    assert issue.approved_at == MONDAY + DAY
    assert issue.approver_id == SUPERVISOR.id
    assert issue.status is S.AWAITING_EVALUATION


def test_the_resolver_cannot_approve_the_closure_even_under_another_role() -> None:
    issue = given(S.IN_PROGRESS)
    same_person = Actor(id="u-chen", name="陈", role="DEPARTMENT")
    issue.resolve("已办结", [], actor=same_person, timestamp=MONDAY + DAY)
    issue.collect_events()
    version = issue.version

    as_supervisor = Actor(id="u-chen", name="陈", role="SUPERVISOR")
    with pytest.raises(Forbidden):
        issue.approve_closure("同意", actor=as_supervisor, timestamp=MONDAY + 2 * DAY)

    assert issue.version == version
    assert issue.pending_events == []
    assert issue.status is S.RESOLVED


def test_the_resolver_cannot_record_the_evaluation_even_under_another_role() -> None:
    issue = given(S.IN_PROGRESS)
    issue.resolve("已办结", [], actor=Actor("u-chen", "陈", "DEPARTMENT"), timestamp=MONDAY + DAY)
    issue.approve_closure("同意", actor=SUPERVISOR, timestamp=MONDAY + DAY)
    issue.collect_events()
    version = issue.version

    for satisfaction in ("SATISFIED", "UNSATISFIED"):
        with pytest.raises(Forbidden):
            issue.evaluate(
                satisfaction, actor=Actor("u-chen", "陈", "ADMIN"), timestamp=MONDAY + 2 * DAY
            )

    assert issue.version == version
    assert issue.status is S.AWAITING_EVALUATION
    assert issue.pending_events == []


def test_an_approval_note_is_required() -> None:
    issue = given(S.RESOLVED)

    with pytest.raises(InvalidInput) as refused:
        issue.approve_closure(" ", actor=SUPERVISOR, timestamp=MONDAY + DAY)

    assert refused.value.field == "note"
    assert issue.pending_events == []


def test_returning_for_rework_needs_a_reason_and_restarts_the_resolution_clock() -> None:
    issue = given(S.RESOLVED)
    returned_at = MONDAY + 2 * DAY

    with pytest.raises(InvalidInput):
        issue.return_for_rework("", actor=SUPERVISOR, timestamp=returned_at)
    issue.return_for_rework("证明材料不全", actor=SUPERVISOR, timestamp=returned_at)

    [returned] = issue.collect_events()
    assert isinstance(returned, Issue.ReturnedForRework)
    assert returned.reason == "证明材料不全"
    assert issue.status is S.IN_PROGRESS
    assert issue.rework_count == 1
    assert issue.resolution_clock_started_at == returned_at
    assert issue.resolution is None
    assert issue.resolver_id is None
    deadlines = issue.deadlines(POLICY, CALENDAR)
    assert deadlines.resolve_due_at == returned_at + 14 * DAY
    assert deadlines.accept_due_at == MONDAY + HOUR + DAY  # still reported, from the dispatch


@pytest.mark.parametrize("satisfaction", ["SATISFIED", "BASICALLY_SATISFIED"])
def test_a_satisfied_evaluation_closes_the_issue(satisfaction: str) -> None:
    issue = given(S.AWAITING_EVALUATION)

    issue.evaluate(satisfaction, "解决及时", actor=OTHER_SUPERVISOR, timestamp=MONDAY + DAY)

    [evaluated] = issue.collect_events()
    assert isinstance(evaluated, Issue.Evaluated)
    assert evaluated.satisfaction == satisfaction
    assert evaluated.comment == "解决及时"
    assert issue.status is S.CLOSED
    assert issue.satisfaction is Satisfaction(satisfaction)
    assert issue.closed_at == MONDAY + DAY


def test_an_unsatisfied_evaluation_starts_a_rework_cycle() -> None:
    issue = given(S.AWAITING_EVALUATION)
    evaluated_at = MONDAY + 3 * DAY

    issue.evaluate("UNSATISFIED", actor=OTHER_SUPERVISOR, timestamp=evaluated_at)

    [evaluated] = issue.collect_events()
    assert isinstance(evaluated, Issue.Evaluated)
    assert evaluated.satisfaction == "UNSATISFIED"
    assert evaluated.comment is None
    assert issue.status is S.IN_PROGRESS
    assert issue.rework_count == 1
    assert issue.resolution_clock_started_at == evaluated_at
    assert issue.closed_at is None
    assert issue.approved_at is None


@pytest.mark.parametrize(
    ("satisfaction", "field"), [("UNRATED", "satisfaction"), ("MEH", "satisfaction")]
)
def test_unrated_and_unknown_satisfactions_are_not_evaluations(
    satisfaction: str, field: str
) -> None:
    issue = given(S.AWAITING_EVALUATION)

    with pytest.raises(InvalidInput) as refused:
        issue.evaluate(satisfaction, actor=OTHER_SUPERVISOR, timestamp=MONDAY + DAY)

    assert refused.value.field == field
    assert issue.pending_events == []


def test_closing_as_unrated_is_refused_before_seven_days_after_approval() -> None:
    issue = given(S.AWAITING_EVALUATION)
    approved_at = issue.approved_at
    assert approved_at is not None
    version = issue.version

    with pytest.raises(InvalidTransition) as refused:
        issue.close_unrated(
            actor=SUPERVISOR, timestamp=approved_at + 7 * DAY - timedelta(minutes=1)
        )

    assert "审核通过满 7 天后" in str(refused.value)
    assert "7 days" in refused.value.render("en")
    assert issue.version == version
    assert issue.pending_events == []


def test_closing_as_unrated_after_seven_days_counts_as_closed() -> None:
    issue = given(S.AWAITING_EVALUATION)
    assert issue.approved_at is not None
    closed_at = issue.approved_at + 7 * DAY

    issue.close_unrated(actor=SUPERVISOR, timestamp=closed_at)

    [closed] = issue.collect_events()
    assert isinstance(closed, Issue.ClosedUnrated)
    assert closed.actor == SUPERVISOR
    assert issue.status is S.CLOSED
    assert issue.satisfaction is Satisfaction.UNRATED
    assert issue.closed_at == closed_at


# ---------------------------------------------------------------- supervision (督导)


def test_reopening_a_closed_issue_puts_it_back_in_progress_with_a_fresh_clock() -> None:
    issue = given(S.CLOSED)
    reopened_at = MONDAY + 20 * DAY

    with pytest.raises(InvalidInput):
        issue.reopen("", actor=SUPERVISOR, timestamp=reopened_at)
    issue.reopen("企业反映问题复发", actor=SUPERVISOR, timestamp=reopened_at)

    [reopened] = issue.collect_events()
    assert isinstance(reopened, Issue.Reopened)
    assert reopened.reason == "企业反映问题复发"
    assert reopened.to_status == "IN_PROGRESS"
    assert issue.status is S.IN_PROGRESS
    assert issue.lead_department_id == LEAD
    assert issue.closed_at is None
    assert issue.satisfaction is None
    assert issue.rework_count == 0
    assert issue.resolution_clock_started_at == reopened_at


def test_reopening_a_declined_issue_returns_it_to_raised_for_dispatch() -> None:
    issue = given(S.DECLINED)

    issue.reopen("经复核属于人社职能", actor=SUPERVISOR, timestamp=MONDAY + DAY)
    issue.dispatch(LEAD, [], actor=SUPERVISOR, timestamp=MONDAY + DAY + HOUR)

    reopened, dispatched = issue.collect_events()
    assert isinstance(reopened, Issue.Reopened)
    assert reopened.to_status == "RAISED"
    assert isinstance(dispatched, Issue.Dispatched)
    assert issue.status is S.DISPATCHED


@pytest.mark.parametrize("status", sorted(OPEN))
def test_escalations_are_recorded_in_any_open_state_without_changing_it(
    status: IssueStatus,
) -> None:
    issue = given(status)

    issue.escalate("URGE", "请加快办理", actor=SUPERVISOR, timestamp=LATER)
    issue.escalate("SUPERVISE", "列入督办", actor=SUPERVISOR, timestamp=LATER)

    urged, supervised = issue.collect_events()
    assert isinstance(urged, Issue.Escalated)
    assert (urged.level, urged.note) == ("URGE", "请加快办理")
    assert isinstance(supervised, Issue.Escalated)
    assert supervised.level == "SUPERVISE"
    assert issue.status is status
    assert issue.escalation_count == 2
    assert [e.level for e in issue.escalations] == [
        EscalationLevel.URGE,
        EscalationLevel.SUPERVISE,
    ]


@pytest.mark.parametrize(
    ("level", "note", "field"), [("SHOUT", "快", "level"), ("URGE", "", "note")]
)
def test_a_bad_escalation_is_refused(level: str, note: str, field: str) -> None:
    issue = given(S.IN_PROGRESS)

    with pytest.raises(InvalidInput) as refused:
        issue.escalate(level, note, actor=SUPERVISOR, timestamp=LATER)

    assert refused.value.field == field
    assert issue.pending_events == []


# ---------------------------------------------------------------- time limits


def test_both_clocks_start_at_dispatch_not_at_acceptance() -> None:
    issue = given(S.IN_PROGRESS)  # dispatched Monday 10:00, accepted 11:00
    dispatched_at = MONDAY + HOUR

    assert issue.deadlines(POLICY, CALENDAR) == Deadlines(
        accept_due_at=dispatched_at + DAY,  # Tuesday 10:00
        resolve_due_at=dispatched_at + 14 * DAY,  # 10 working days
    )


def test_a_two_day_suspension_shifts_the_resolution_deadline_by_two_working_days() -> None:
    issue = given(S.IN_PROGRESS)
    before = issue.deadlines(POLICY, CALENDAR)
    suspended_at = MONDAY + DAY  # Tuesday 09:00

    issue.suspend("等待企业补充材料", actor=HANDLER, timestamp=suspended_at)
    while_suspended = issue.deadlines(POLICY, CALENDAR)
    issue.resume(actor=HANDLER, timestamp=suspended_at + 2 * DAY)  # Thursday 09:00
    after = issue.deadlines(POLICY, CALENDAR)

    assert while_suspended.resolve_due_at is not None
    assert is_clock_stopped(while_suspended.resolve_due_at)
    assert before.resolve_due_at is not None
    assert after.resolve_due_at == before.resolve_due_at + 2 * DAY
    assert after.accept_due_at == before.accept_due_at


def test_a_rework_cycle_restarts_the_resolution_clock_without_earlier_suspensions() -> None:
    issue = given(S.IN_PROGRESS)
    issue.suspend("等待材料", actor=HANDLER, timestamp=MONDAY + DAY)
    issue.resume(actor=HANDLER, timestamp=MONDAY + 3 * DAY)
    issue.resolve("已办结", [], actor=HANDLER, timestamp=MONDAY + 4 * DAY)
    reworked_at = MONDAY + 7 * DAY  # the next Monday 09:00

    issue.return_for_rework("证明材料不全", actor=SUPERVISOR, timestamp=reworked_at)

    assert issue.deadlines(POLICY, CALENDAR).resolve_due_at == reworked_at + 14 * DAY


def test_urgent_hiring_and_direct_reports_have_their_own_limits() -> None:
    urgent = given(S.DISPATCHED, category="URGENT_HIRING")
    report = given(S.DISPATCHED, kind="DIRECT_REPORT")
    dispatched_at = MONDAY + HOUR

    assert urgent.deadlines(POLICY, CALENDAR) == Deadlines(
        accept_due_at=dispatched_at + 4 * HOUR,
        resolve_due_at=dispatched_at + 3 * DAY,
    )
    assert report.deadlines(POLICY, CALENDAR).resolve_due_at == dispatched_at + 7 * DAY


def test_deadlines_follow_the_policy() -> None:
    issue = given(S.DISPATCHED)
    dispatched_at = MONDAY + HOUR

    deadlines = issue.deadlines(SlaPolicy(accept_working_days=2, resolve_working_days=1), CALENDAR)

    assert deadlines == Deadlines(dispatched_at + 2 * DAY, dispatched_at + DAY)


# ---------------------------------------------------------------- history


def test_replaying_the_events_rebuilds_the_same_issue() -> None:
    issue = raised()
    issue.dispatch(LEAD, [ASSISTING], actor=SUPERVISOR, timestamp=MONDAY + HOUR)
    issue.accept(LEAD, actor=HANDLER, timestamp=MONDAY + 2 * HOUR)
    issue.suspend("等待材料", actor=HANDLER, timestamp=MONDAY + DAY)
    issue.resume(actor=HANDLER, timestamp=MONDAY + 2 * DAY)
    issue.resolve("已办结", ["a.pdf"], actor=HANDLER, timestamp=MONDAY + 3 * DAY)
    issue.escalate("NOTIFY", "通报", actor=SUPERVISOR, timestamp=MONDAY + 3 * DAY)
    issue.approve_closure("同意", actor=SUPERVISOR, timestamp=MONDAY + 4 * DAY)
    issue.evaluate("UNSATISFIED", actor=OTHER_SUPERVISOR, timestamp=MONDAY + 5 * DAY)
    history = issue.collect_events()

    rebuilt: Issue | None = None
    for domain_event in history:
        rebuilt = domain_event.mutate(rebuilt)

    assert rebuilt is not None
    assert rebuilt.__dict__ == issue.__dict__
    assert rebuilt.rework_count == 1


@pytest.mark.parametrize("twin", [" d-001", "d-001 ", "D-001", "ｄ-001"])
def test_separation_of_duties_compares_normalised_ids(twin: str) -> None:
    issue = given(S.IN_PROGRESS)
    issue.resolve("已办结", [], actor=Actor(id="d-001", name="陈", role="DEPARTMENT"),
                  timestamp=MONDAY + DAY)  # fmt: skip
    issue.collect_events()
    with pytest.raises(Forbidden):
        issue.approve_closure(
            "同意", actor=Actor(id=twin, name="陈", role="SUPERVISOR"), timestamp=MONDAY + 2 * DAY
        )
    assert issue.status is S.RESOLVED
