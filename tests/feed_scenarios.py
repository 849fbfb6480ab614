"""Domain scenarios for the feed's tests: aggregates with their events pending.

`every_event_type()` records each event type of the domain at least once (the schema test
checks that it still does); `busy_enterprises()` and `issue_lifecycles()` make thousands of
events cheaply, for `app.save(*aggregates)` in chunks (one transaction per chunk).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.catalogue_additions import CatalogueAdditions
from domain.deadline_alerts import AlertPolicy
from domain.enterprise import EnterpriseRelationship
from domain.issue import Issue
from domain.league_publication import PublishedLeagueTable
from domain.policy_catalogue import Policy, PolicyCatalogue
from domain.publicity import PublicityActivity
from domain.registry import Department, ReportingPoint
from domain.shared import SYSTEM_ACTOR, Actor
from domain.time_limits import SlaPolicy, WeekdayCalendar
from infra.occupation_catalogue_loader import load_occupations
from tests.builders import a_valid_uscc

ADMIN = Actor("a-001", "管理员", "ADMIN")
COMMISSIONER = Actor("c-001", "专员1", "COMMISSIONER")
SUCCESSOR = Actor("c-002", "专员2", "COMMISSIONER")
SUPERVISOR = Actor("s-001", "督导员", "SUPERVISOR")
HANDLER = Actor("d-001", "就业处经办", "DEPARTMENT")
REPORTER = Actor("r-001", "两江直报点", "REPORTER")
LEAD = "hrss-employment"
POLICY = "POL-FEED-TEST"
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


class Ticker:
    """Each call a minute later than the last: events in a stream must not go back in time."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self, **jump: float) -> datetime:
        self.now += timedelta(**jump) if jump else timedelta(minutes=1)
        return self.now


def every_event_type() -> list[Any]:
    """Reference data, one enterprise through its whole life, and four issues whose paths
    together pass every transition (and every deadline alert). Save once per database (the ids are fixed)."""
    t = Ticker()
    additions = CatalogueAdditions()
    policy = Policy(code=POLICY, title="测试政策", benefit="测试补贴")
    additions.add_policy(policy, PolicyCatalogue(), actor=ADMIN, timestamp=t())
    catalogue = additions.applied_to(PolicyCatalogue())
    reference = _reference_data(t)
    enterprise = _whole_life_enterprise(t, catalogue)
    published = PublishedLeagueTable.publish(
        period="2025-Q1", weights={"satisfaction_rate": 25.0},
        rows=[{"district": "渝中区", "rank": 1, "score": 90.0, "measured_weight": 1.0,
               "rates": {"satisfaction_rate": 0.9}, "insufficient": [], "cases": 10,
               "kpis": {"from_": "2025-01-01", "to": "2025-03-31", "district": "渝中区"}}],
        log_position=1, actor=SUPERVISOR, timestamp=t(),
    )  # fmt: skip
    activity = PublicityActivity.log(
        kind="JOB_FAIR", title="春风行动招聘会", held_on=date(2025, 3, 3), district="渝中区",
        policy_codes=[POLICY], enterprise_ids=[str(enterprise.id)], catalogue=catalogue,
        actor=COMMISSIONER, timestamp=t(), summary="30家企业参会",
    )  # fmt: skip
    activity.cancel("重复登记", actor=COMMISSIONER, timestamp=t())
    return [additions, *reference, enterprise, *_issues(t, str(enterprise.id)), published, activity]


def _reference_data(t: Ticker) -> list[Any]:
    lead = Department.register(department_id=LEAD, name="就业处", actor=ADMIN, timestamp=t())
    lead.rename("就业促进处", actor=ADMIN, timestamp=t())
    point = ReportingPoint.register(
        point_id="rp-liangjiang", name="两江直报点", district="两江新区", actor=ADMIN, timestamp=t()
    )
    return [lead, point]


def _whole_life_enterprise(t: Ticker, catalogue: PolicyCatalogue) -> EnterpriseRelationship:
    e = _opened(t)
    e.assign_commissioner("c-001", "专员1", None, actor=ADMIN, timestamp=t())
    e.assign_commissioner("c-002", "专员2", "调岗交接", actor=ADMIN, timestamp=t())
    visited_at = t()
    e.log_visit(
        "v-1", visited_at, "EVENT", ["李四"], ["用工"], [POLICY], "政策宣讲会", ["一周后回访"],
        date(2025, 4, 1), catalogue, actor=SUCCESSOR, timestamp=t(),
    )  # fmt: skip
    e.correct_visit(
        "v-1", {"channel": "ON_SITE"}, "记错渠道", catalogue, actor=SUCCESSOR, timestamp=t()
    )
    e.notify_policy(POLICY, catalogue, "已送达", actor=SUCCESSOR, timestamp=t())
    _labour(e, t, visited_at)
    e.confirm_policy(POLICY, "李四", actor=SUCCESSOR, timestamp=t())
    e.change_contacts([{"name": "赵六", "phone": "023-63861234"}], actor=ADMIN, timestamp=t())
    e.suspend("停产检修", actor=ADMIN, timestamp=t())
    e.resume(actor=ADMIN, timestamp=t())
    e.close("迁出重庆", actor=ADMIN, timestamp=t())
    e.erase_personal_data("个人信息保护法第四十七条", actor=ADMIN, timestamp=t())
    return e


def _labour(e: EnterpriseRelationship, t: Ticker, visited_at: datetime) -> None:
    """A labour record on the visit, its correction, a demand from a line, two placements."""
    occupations = load_occupations()
    line = {"occupation_code": "OCC-WELDER", "count": 5, "wage_min": 6000, "wage_max": 9000,
            "skill_level": "LEVEL_4", "needed_by": date(2025, 4, 1)}  # fmt: skip
    lines = [{**line, "line_id": "l-1"}, {**line, "line_id": "l-2", "count": 2}]
    situation = {
        "employees": 300,
        "shortfall": 9,
        "shortfall_note": "另有2名季节工",
        "lines": lines,
    }
    e.record_labour(
        "r-1", "v-1", visited_at, situation, occupations, actor=SUCCESSOR, timestamp=t()
    )
    corrected = {**situation, "shortfall": 7, "shortfall_note": None}
    e.correct_labour("r-1", corrected, "季节工已招到", occupations, actor=SUCCESSOR, timestamp=t())
    e.raise_vacancy_demand(
        "l-1", "7f0e7a4e-0000-4000-8000-000000000001", "URGENT_HIRING", actor=SUCCESSOR,
        timestamp=t(),
    )  # fmt: skip
    e.fill_vacancy(
        "l-1", 5, "JOB_FAIR", via_issue="7f0e7a4e-0000-4000-8000-000000000001", actor=HANDLER,
        timestamp=t(),
    )  # fmt: skip
    e.fill_vacancy("l-2", 2, "TRAINING", actor=SUCCESSOR, timestamp=t())


def _opened(t: Ticker, serial: int | None = None) -> EnterpriseRelationship:
    return EnterpriseRelationship.open(
        uscc=a_valid_uscc(serial), name="重庆渝新精密制造有限公司", district="渝中区",
        industry="制造业", size=None, address=None,
        contacts=[{"name": "王小明", "phone": "13812345678", "title": "人事经理"}],
        actor=ADMIN, timestamp=t(),
    )  # fmt: skip


def _raised(t: Ticker, enterprise_id: str) -> Issue:
    return Issue.raise_issue(
        kind="ENTERPRISE_DEMAND", category="URGENT_HIRING", title="急需焊工",
        description="新订单需要补充焊工", actor=COMMISSIONER, timestamp=t(),
        enterprise_id=enterprise_id, district="渝中区",
    )  # fmt: skip


def _issues(t: Ticker, enterprise_id: str) -> list[Issue]:
    worked = _raised(t, enterprise_id)
    worked.dispatch(LEAD, ["hrss-talent"], actor=SUPERVISOR, timestamp=t())
    worked.refuse_dispatch(LEAD, "不归我处", actor=HANDLER, timestamp=t())
    worked.dispatch(LEAD, actor=SUPERVISOR, timestamp=t())
    worked.accept(LEAD, actor=HANDLER, timestamp=t())
    worked.record_progress("联系中", actor=HANDLER, timestamp=t())
    worked.suspend("等企业材料", actor=HANDLER, timestamp=t())
    worked.resume(actor=HANDLER, timestamp=t())
    worked.resolve("已推荐", ["名单"], actor=HANDLER, timestamp=t())
    worked.return_for_rework("证据不足", actor=SUPERVISOR, timestamp=t())
    _resolve_and_approve(worked, t)
    worked.issue_rating_link("link-1", t.now + timedelta(days=7), actor=SUPERVISOR, timestamp=t())
    enterprise = Actor(f"enterprise:{enterprise_id}", "企业", "ENTERPRISE")
    worked.evaluate_by_link("link-1", "UNSATISFIED", "太慢", actor=enterprise, timestamp=t())
    _resolve_and_approve(worked, t)
    worked.evaluate("SATISFIED", None, actor=SUPERVISOR, timestamp=t())
    worked.reopen("又缺人", actor=SUPERVISOR, timestamp=t())
    worked.escalate("URGE", "请加快", actor=SUPERVISOR, timestamp=t())
    limits: dict[str, Any] = dict(sla=SlaPolicy(), calendar=WeekdayCalendar())
    worked.request_extension(LEAD, "需企业补材料", **limits, actor=HANDLER, timestamp=t())
    worked.refuse_extension("理由不充分", actor=SUPERVISOR, timestamp=t())
    worked.request_extension(
        LEAD, "需跨部门协调", t.now + timedelta(days=40), **limits, actor=HANDLER, timestamp=t()
    )
    worked.approve_extension(
        t.now + timedelta(days=40), "同意", **limits, actor=SUPERVISOR, timestamp=t()
    )

    report = Issue.raise_issue(
        kind="DIRECT_REPORT", category="BUSINESS_ENVIRONMENT", title="审批太慢",
        description="园区企业反映审批慢", actor=REPORTER, timestamp=t(),
        reporting_point_id="rp-liangjiang", district="两江新区",
    )  # fmt: skip
    report.record_reporter_phone("0f" * 16, actor=REPORTER, timestamp=t())
    report.decline("不属于人社职责", actor=SUPERVISOR, timestamp=t())
    report.reopen("复核后受理", actor=SUPERVISOR, timestamp=t())

    unrated = _raised(t, enterprise_id)
    unrated.dispatch(LEAD, actor=SUPERVISOR, timestamp=t())
    unrated.accept(LEAD, actor=HANDLER, timestamp=t())
    _resolve_and_approve(unrated, t)
    unrated.close_unrated(actor=SUPERVISOR, timestamp=t(days=8))

    # Left undone for a month: the deadline watcher warns (预警) and escalates (催办 …).
    forgotten = _raised(t, enterprise_id)
    forgotten.dispatch(LEAD, actor=SUPERVISOR, timestamp=t())
    forgotten.fire_due_alerts(
        now=t(days=30), sla=SlaPolicy(), calendar=WeekdayCalendar(), policy=AlertPolicy(),
        actor=SYSTEM_ACTOR,
    )  # fmt: skip
    return [worked, report, unrated, forgotten]


def _resolve_and_approve(issue: Issue, t: Ticker) -> None:
    issue.resolve("已招到20人", ["花名册"], actor=HANDLER, timestamp=t())
    issue.approve_closure("同意办结", actor=SUPERVISOR, timestamp=t())


def busy_enterprises(count: int) -> list[EnterpriseRelationship]:
    """Enterprises with four events each: opened, assigned, visited, notified."""
    catalogue = PolicyCatalogue([Policy(code=POLICY, title="测试政策", benefit="测试补贴")])
    enterprises: list[EnterpriseRelationship] = []
    for _ in range(count):
        t = Ticker()
        e = _opened(t)
        e.assign_commissioner("c-001", "专员1", None, actor=ADMIN, timestamp=t())
        visited_at = t()
        channel = "EVENT" if len(enterprises) % 3 == 0 else "ON_SITE"
        e.log_visit(
            "v-1", visited_at, channel, ["李四"], [], [], "走访", [], None, catalogue,
            actor=COMMISSIONER, timestamp=t(),
        )  # fmt: skip
        e.notify_policy(POLICY, catalogue, None, actor=COMMISSIONER, timestamp=t())
        enterprises.append(e)
    return enterprises


def issue_lifecycles(enterprise_ids: list[str]) -> list[Issue]:
    """One issue per enterprise, left at different stages: raised, dispatched, in progress,
    awaiting evaluation, closed; every third one escalated."""
    issues: list[Issue] = []
    for n, enterprise_id in enumerate(enterprise_ids):
        t = Ticker()
        issue = _raised(t, enterprise_id)
        stage = n % 5
        if stage >= 1:
            issue.dispatch(LEAD, actor=SUPERVISOR, timestamp=t())
        if stage >= 2:
            issue.accept(LEAD, actor=HANDLER, timestamp=t())
        if stage >= 3:
            _resolve_and_approve(issue, t)
        if stage == 4:
            issue.evaluate("BASICALLY_SATISFIED", None, actor=SUPERVISOR, timestamp=t())
        elif n % 3 == 0:
            issue.escalate("SUPERVISE", "督办", actor=SUPERVISOR, timestamp=t())
        issues.append(issue)
    return issues
