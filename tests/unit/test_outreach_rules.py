"""Extension requests (延期申请), the enterprise's rating link and publicity activities: the
domain's rules, command by command (a refusal leaves the stream as it was)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import uuid4

import pytest

from api.outreach.page import RateLimiter
from application.outreach import LinkError, LinkSigner
from domain.deadline_alerts import AlertPolicy
from domain.issue import Issue, IssueStatus
from domain.policy_catalogue import Policy, PolicyCatalogue
from domain.publicity import ActivityStatus, PublicityActivity
from domain.shared import (
    BEIJING_TIME,
    Actor,
    Conflict,
    Forbidden,
    InvalidInput,
    InvalidTransition,
)
from domain.time_limits import SlaPolicy, WeekdayCalendar

MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=BEIJING_TIME)
DAY = timedelta(days=1)
COMMISSIONER = Actor("c-1", "专员", "COMMISSIONER")
SUPERVISOR = Actor("s-1", "督导", "SUPERVISOR")
HANDLER = Actor("d-1", "经办", "DEPARTMENT")
ENTERPRISE = Actor("enterprise:e-1", "企业", "ENTERPRISE")
LEAD = "hrss-employment"
LIMITS = dict(sla=SlaPolicy(), calendar=WeekdayCalendar())
CATALOGUE = PolicyCatalogue([Policy(code="POL-TEST-ONE", title="稳岗返还", benefit="稳岗")])


def in_progress() -> Issue:
    issue = Issue.raise_issue(
        kind="ENTERPRISE_DEMAND", category="RECRUITMENT", title="招工", description="缺人",
        actor=COMMISSIONER, timestamp=MONDAY, enterprise_id="e-1", district="渝中区",
    )  # fmt: skip
    issue.dispatch(LEAD, actor=SUPERVISOR, timestamp=MONDAY)
    issue.accept(LEAD, actor=HANDLER, timestamp=MONDAY + DAY)
    return issue


def resolve_due(issue: Issue) -> datetime:
    due = issue.deadlines(SlaPolicy(), WeekdayCalendar()).resolve_due_at
    assert due is not None
    return due


def pending_events(issue: Issue) -> list[str]:
    return [type(e).__name__ for e in issue.collect_events()]


# ---------------------------------------------------------------- extensions


def test_an_approved_extension_moves_the_deadline_and_keeps_the_original() -> None:
    issue = in_progress()
    original = resolve_due(issue)  # 10 working days after Monday's dispatch
    issue.request_extension(
        LEAD, "等待外省协查", **LIMITS, actor=HANDLER, timestamp=MONDAY + 2 * DAY
    )  # type: ignore[arg-type]
    assert issue.pending_extension is not None
    issue.approve_extension(
        original + 5 * DAY, "同意", **LIMITS, actor=SUPERVISOR, timestamp=MONDAY + 3 * DAY
    )  # type: ignore[arg-type]
    assert resolve_due(issue) == original + 5 * DAY
    assert issue.original_resolve_due_at(SlaPolicy(), WeekdayCalendar()) == original
    assert issue.pending_extension is None and issue.extensions_granted == 1
    assert pending_events(issue)[-2:] == ["ExtensionRequested", "ExtensionApproved"]


def test_the_watcher_urges_at_the_extended_deadline_not_the_original() -> None:
    issue = in_progress()
    original = resolve_due(issue)
    new_due = original + 5 * DAY
    issue.request_extension(LEAD, "等待协查", **LIMITS, actor=HANDLER, timestamp=MONDAY + 2 * DAY)  # type: ignore[arg-type]
    issue.approve_extension(new_due, None, **LIMITS, actor=SUPERVISOR, timestamp=MONDAY + 3 * DAY)  # type: ignore[arg-type]
    policy = AlertPolicy()
    urges = [a for a in issue.alert_schedule(**LIMITS, policy=policy) if a.threshold == "URGE"]  # type: ignore[arg-type]
    assert [a.at for a in urges] == [new_due]
    assert not [
        a
        for a in issue.due_alerts(original + DAY, **LIMITS, policy=policy)
        if a.threshold == "URGE"
    ]  # type: ignore[arg-type]


def test_a_rework_cycle_drops_the_extension_of_the_cycle_before() -> None:
    issue = in_progress()
    original = resolve_due(issue)
    issue.request_extension(LEAD, "协查", **LIMITS, actor=HANDLER, timestamp=MONDAY + 2 * DAY)  # type: ignore[arg-type]
    issue.approve_extension(
        original + 5 * DAY, None, **LIMITS, actor=SUPERVISOR, timestamp=MONDAY + 3 * DAY
    )  # type: ignore[arg-type]
    issue.resolve("已办", [], actor=HANDLER, timestamp=MONDAY + 4 * DAY)
    issue.return_for_rework("不充分", actor=SUPERVISOR, timestamp=MONDAY + 5 * DAY)
    assert issue.extension is None
    assert resolve_due(issue) == issue.original_resolve_due_at(SlaPolicy(), WeekdayCalendar())


def test_deadlines_and_the_original_come_together_as_each_would_alone() -> None:
    limits = SlaPolicy(), WeekdayCalendar()

    def both_alone(issue: Issue) -> tuple[object, object]:
        return issue.deadlines(*limits), issue.original_resolve_due_at(*limits)

    issue = in_progress()
    assert issue.deadlines_and_original(*limits) == both_alone(issue)
    issue.suspend("等待材料", actor=HANDLER, timestamp=MONDAY + 2 * DAY)
    issue.resume(actor=HANDLER, timestamp=MONDAY + 4 * DAY)
    assert issue.deadlines_and_original(*limits) == both_alone(issue)
    original = resolve_due(issue)
    issue.request_extension(LEAD, "协查", **LIMITS, actor=HANDLER, timestamp=MONDAY + 5 * DAY)  # type: ignore[arg-type]
    issue.approve_extension(
        original + 5 * DAY, None, **LIMITS, actor=SUPERVISOR, timestamp=MONDAY + 6 * DAY
    )  # type: ignore[arg-type]
    deadlines, kept = issue.deadlines_and_original(*limits)
    assert (deadlines, kept) == both_alone(issue)
    assert deadlines.resolve_due_at == original + 5 * DAY and kept != deadlines.resolve_due_at


@pytest.mark.parametrize(
    "attempt, error",
    [
        (lambda i: i.request_extension(LEAD, "  ", **LIMITS, actor=HANDLER, timestamp=MONDAY + DAY), InvalidInput),
        (lambda i: i.request_extension("hrss-talent", "协查", **LIMITS, actor=HANDLER, timestamp=MONDAY + DAY), Forbidden),
        (lambda i: i.request_extension(LEAD, "协查", **LIMITS, actor=HANDLER, timestamp=MONDAY + 30 * DAY), InvalidTransition),
        (lambda i: i.approve_extension(MONDAY + 40 * DAY, None, **LIMITS, actor=SUPERVISOR, timestamp=MONDAY + DAY), InvalidTransition),
        (lambda i: i.refuse_extension("不同意", actor=SUPERVISOR, timestamp=MONDAY + DAY), InvalidTransition),
    ],
    ids=["no reason", "not the lead", "deadline passed", "approve nothing", "refuse nothing"],
)  # fmt: skip
def test_a_refused_extension_command_leaves_the_stream_as_it_was(attempt, error) -> None:  # type: ignore[no-untyped-def]
    issue = in_progress()
    before = (issue.version, resolve_due(issue))
    with pytest.raises(error):
        attempt(issue)
    assert (issue.version, resolve_due(issue)) == before


def test_one_request_at_a_time_and_the_new_date_must_be_later() -> None:
    issue = in_progress()
    original = resolve_due(issue)
    issue.request_extension(LEAD, "协查", **LIMITS, actor=HANDLER, timestamp=MONDAY + DAY)  # type: ignore[arg-type]
    with pytest.raises(Conflict):
        issue.request_extension(LEAD, "再次", **LIMITS, actor=HANDLER, timestamp=MONDAY + DAY)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput) as refused:
        issue.approve_extension(
            original, None, **LIMITS, actor=SUPERVISOR, timestamp=MONDAY + 2 * DAY
        )  # type: ignore[arg-type]
    assert refused.value.field == "newDueAt"
    issue.refuse_extension("理由不足", actor=SUPERVISOR, timestamp=MONDAY + 2 * DAY)
    assert resolve_due(issue) == original and issue.pending_extension is None


# ---------------------------------------------------------------- rating links


def awaiting_evaluation() -> Issue:
    issue = in_progress()
    issue.resolve("已推荐", [], actor=HANDLER, timestamp=MONDAY + 2 * DAY)
    issue.approve_closure("同意", actor=SUPERVISOR, timestamp=MONDAY + 3 * DAY)
    issue.issue_rating_link("L1", MONDAY + 10 * DAY, actor=SUPERVISOR, timestamp=MONDAY + 3 * DAY)
    return issue


def test_the_enterprise_rates_once_through_its_current_link() -> None:
    issue = awaiting_evaluation()
    with pytest.raises(Forbidden):
        issue.evaluate_by_link("L0", "SATISFIED", actor=ENTERPRISE, timestamp=MONDAY + 4 * DAY)
    with pytest.raises(Forbidden):
        issue.evaluate_by_link("L1", "SATISFIED", actor=ENTERPRISE, timestamp=MONDAY + 10 * DAY)
    issue.evaluate_by_link(
        "L1", "UNSATISFIED", "没解决", actor=ENTERPRISE, timestamp=MONDAY + 4 * DAY
    )
    assert issue.status is IssueStatus.IN_PROGRESS and issue.rework_count == 1
    with pytest.raises(Conflict):
        issue.evaluate_by_link("L1", "SATISFIED", actor=ENTERPRISE, timestamp=MONDAY + 4 * DAY)


def test_a_new_link_replaces_the_old_one_and_a_direct_report_gets_none() -> None:
    issue = awaiting_evaluation()
    issue.issue_rating_link("L2", MONDAY + 10 * DAY, actor=SUPERVISOR, timestamp=MONDAY + 4 * DAY)
    with pytest.raises(Forbidden):
        issue.check_rating_link("L1", MONDAY + 4 * DAY)
    issue.check_rating_link("L2", MONDAY + 4 * DAY)
    report = Issue.raise_issue(
        kind="DIRECT_REPORT", category="OTHER", title="问题", description="描述",
        actor=COMMISSIONER, timestamp=MONDAY, reporting_point_id="rp-1",
    )  # fmt: skip
    with pytest.raises(InvalidTransition):
        report.issue_rating_link("L3", MONDAY + DAY, actor=SUPERVISOR, timestamp=MONDAY)


def test_a_link_token_is_refused_when_tampered_for_another_issue_or_expired() -> None:
    signer = LinkSigner(b"secret")
    issue_id, expires = uuid4(), MONDAY + 7 * DAY
    token = signer.sign(issue_id, "L1", expires)
    assert signer.read(token, issue_id, MONDAY) == "L1"
    cases = {
        "rating.link.bad": (token.replace(".", ".x", 1), issue_id, MONDAY),
        "rating.link.other_issue": (token, uuid4(), MONDAY),
        "rating.link.expired": (token, issue_id, expires),
    }
    for key, args in cases.items():
        with pytest.raises(LinkError) as refused:
            signer.read(*args)
        assert refused.value.key == key
    with pytest.raises(LinkError):
        LinkSigner(b"another").read(token, issue_id, MONDAY)


# ---------------------------------------------------------------- publicity activities


def log(**changes: object) -> PublicityActivity:
    fields: dict[str, object] = dict(
        kind="JOB_FAIR", title="春风行动招聘会", held_on=date(2025, 3, 1), district="渝中区",
        policy_codes=["POL-TEST-ONE"], enterprise_ids=[str(uuid4()), str(uuid4())], catalogue=CATALOGUE,
        actor=COMMISSIONER, timestamp=MONDAY,
    )  # fmt: skip
    return PublicityActivity.log(**{**fields, **changes})  # type: ignore[arg-type]


def test_an_activity_is_logged_with_its_district_policies_and_enterprises() -> None:
    activity = log()
    assert activity.district == "渝中区" and len(activity.enterprise_ids) == 2
    activity.cancel("重复登记", actor=COMMISSIONER, timestamp=MONDAY)
    assert activity.status is ActivityStatus.CANCELLED
    with pytest.raises(InvalidTransition):
        activity.cancel("再撤销", actor=COMMISSIONER, timestamp=MONDAY)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"kind": "PARTY"}, "kind"),
        ({"held_on": date(2025, 3, 4)}, "heldOn"),
        ({"district": "火星区"}, "district"),
        ({"policy_codes": ["POL-NOT-THERE"]}, "policyCodes"),
        ({"enterprise_ids": ["not-an-id"]}, "enterpriseIds"),
        ({"enterprise_ids": [str(UUID := uuid4()), str(UUID)]}, "enterpriseIds"),
        ({"title": " "}, "title"),
    ],
)
def test_a_wrong_activity_is_refused_naming_the_field(
    changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        log(**changes)
    assert refused.value.field == field


# ---------------------------------------------------------------- the lookup's rate limit


def test_the_lookup_limit_counts_per_client_address_within_a_sliding_minute() -> None:
    now = [0.0]
    limiter = RateLimiter(limit=2, window=60, clock=lambda: now[0])
    assert [limiter.retry_after("10.0.0.1") for _ in range(3)] == [0, 0, 61]
    assert limiter.retry_after("10.0.0.2") == 0  # another address has its own budget
    now[0] = 30.0
    assert limiter.retry_after("10.0.0.1") == 31
    now[0] = 60.5
    assert limiter.retry_after("10.0.0.1") == 0
