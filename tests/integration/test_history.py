"""History on the real PostgreSQL: streams and the log as of a moment, KPIs replayed from the
log, published league tables, the audit trail and the request's metadata on events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from application.history import audit_trail
from cli.report import write_reports
from domain.districts import DISTRICTS
from domain.issue import Issue
from domain.shared import Actor, Conflict
from domain.time_limits import SlaPolicy
from infra.bootstrap import Container
from projections.history import issue_row_as_of, moves, row_figures, row_from_figures
from projections.league_table import DEFAULT_WEIGHTS, league_table, parse_period, ranked_table
from reports.audit import audit_table
from reports.xlsx import write_table
from tests.conftest import FixedClock
from tests.feed_scenarios import SUPERVISOR, every_event_type

LATER = datetime(2030, 1, 1, tzinfo=UTC)


def saved_scenario(container: Container) -> list[Any]:
    """Every event type of the domain (corrections, rework, a reopening, deadline alerts by
    the system), saved, and the read models caught up."""
    aggregates = every_event_type()
    position = container.app.save(*aggregates)[-1].notification.id
    container.views.wait_for(position, timeout=30)
    return aggregates


def test_an_issue_as_of_each_moment_is_the_issue_then_and_events_carry_their_request(
    container: Container, clock: FixedClock
) -> None:
    app = container.app
    issue_id = _raise(container)
    moments = []
    for n in range(12):
        clock.advance(minutes=10)
        app.escalate_issue(issue_id, "URGE", f"第{n}次催办", SUPERVISOR)
        moments.append((clock.now(), n + 2))
    for moment, version in moments:
        then = app.as_of(issue_id, moment)
        stored = app.repository.get(issue_id, version=version)
        assert then.aggregate.version == version
        assert then.position == app.recorder.position_of(issue_id, version)  # type: ignore[attr-defined]
        calendar, sla = container.catalogue.calendar, SlaPolicy()
        assert issue_row_as_of(
            then.aggregate, then.position, then.first_position, sla, calendar
        ) == (issue_row_as_of(stored, then.position, then.first_position, sla, calendar))
    assert app.as_of(issue_id, moments[0][0] - timedelta(hours=1)).aggregate is None

    # Events carry the request's id and client; older events without them still load.
    actor = Actor("s-001", "督导员", "SUPERVISOR", request_id="req-7", client_app="console/2")
    app.escalate_issue(issue_id, "URGE", "催办", actor)
    [*_, urged] = app.stream(issue_id)
    assert (urged.event.actor.request_id, urged.event.actor.client_app) == ("req-7", "console/2")
    assert urged.event.actor == Actor("s-001", "督导员", "SUPERVISOR")  # compared by id as ever
    first = app.stream(issue_id)[0].event  # recorded without them: none
    assert (first.actor.request_id, first.actor.client_app) == (None, None)


def _raise(container: Container) -> Any:
    issue = Issue.raise_issue(
        kind="DIRECT_REPORT", category="OTHER", title="路灯", description="园区路灯坏了",
        enterprise_id=None, visit_id=None, reporting_point_id="rp-x", district="渝北区",
        actor=SUPERVISOR, timestamp=container.app.clock.now(),
    )  # fmt: skip
    container.app.save(issue)
    return issue.id


def test_kpis_replayed_from_the_log_equal_the_live_ones_and_a_published_table_stays_published(
    container: Container, tmp_path: Path
) -> None:
    saved_scenario(container)
    app, kpi = container.app, container.views.kpi
    period = parse_period("2025")
    live = kpi.report_by_district(period.first, period.last, DISTRICTS, LATER)
    log = ((r.position, r.event) for r in app.log_until(LATER))
    replayed = kpi.reports_as_of(
        log, period.first, period.last, list(DISTRICTS), LATER, SlaPolicy(),
        container.catalogue.calendar,
    )  # fmt: skip
    assert replayed == live
    assert any(r.issues_raised for r in live)  # the comparison compares something
    # An empty prefix of the log (before anything happened) counts nothing.
    before = ((r.position, r.event) for r in app.log_until(datetime(2000, 1, 1, tzinfo=UTC)))
    [nothing] = kpi.reports_as_of(
        before, period.first, period.last, [None], LATER, SlaPolicy(), container.catalogue.calendar
    )
    assert (nothing.issues_raised, nothing.visit_count) == (0, 0)

    # A published league table is kept as published; publishing again is refused.
    app = container.app
    period = parse_period("2025-03")
    table = league_table(container.views, period, DEFAULT_WEIGHTS, LATER, min_sample=1)
    figures = [row_figures(r) for r in table.rows]
    app.publish_league_table(period.label, table.weights, figures, 7, SUPERVISOR)
    with pytest.raises(Conflict) as refused:
        app.publish_league_table(period.label, table.weights, figures, 8, SUPERVISOR)
    assert "2025-03" in refused.value.message
    published = app.published_league_table(period.label)
    assert published is not None and published.log_position == 7
    rows = [row_from_figures(f) for f in published.rows]
    assert rows == table.rows  # every figure back as it was ranked
    assert moves(rows, ranked_table(period, table.weights, [r.kpis for r in table.rows], 1)) == []

    # The airing report of the published table shows the figures as published, not live.
    year = parse_period("2025")
    yearly = league_table(container.views, year, DEFAULT_WEIGHTS, LATER)
    figures = [row_figures(r) for r in yearly.rows]
    figures[0] = {**figures[0], "score": 42.4242}
    app.publish_league_table(year.label, DEFAULT_WEIGHTS, figures, 9, SUPERVISOR)
    kept = app.published_league_table(year.label)
    [md] = write_reports(container.views, "2025", ["md"], tmp_path, DEFAULT_WEIGHTS, LATER, kept)
    [live] = write_reports(
        container.views, "2025", ["md"], tmp_path / "live", DEFAULT_WEIGHTS, LATER
    )
    assert "42.42" in md.read_text() and "42.42" not in live.read_text()


def test_the_audit_trail_shows_every_event_with_who_what_and_the_systems_own_steps(
    container: Container, tmp_path: Path
) -> None:
    aggregates = saved_scenario(container)
    # The last issue of the scenario: the one whose deadlines the system warned of.
    forgotten = [a for a in aggregates if type(a).__name__ == "Issue"][-1]
    trail = audit_trail(container.app, forgotten.id, masked=True)
    assert trail is not None and trail.stream_type == "Issue"
    assert [e.version for e in trail.entries] == list(range(1, forgotten.version + 1))
    system = [e for e in trail.entries if e.actor and e.actor.role == "SYSTEM"]
    assert {e.type for e in system} >= {"DeadlineWarned"}
    raised = trail.entries[0]
    assert {c.field for c in raised.changes} >= {"title", "description", "category"}
    dispatched = next(e for e in trail.entries if e.type == "Dispatched")
    status = next(c for c in dispatched.changes if c.field == "status")
    assert (status.before, status.after) == ("RAISED", "DISPATCHED")

    enterprise = aggregates[3]
    masked = audit_trail(container.app, enterprise.id, masked=True)
    full = audit_trail(container.app, enterprise.id, masked=False)
    assert masked is not None and full is not None
    phone = "13812345678"  # the contact the relationship was opened with
    assert phone in str(full.entries[0].changes) and phone not in str(masked.entries[0].changes)

    path = write_table(audit_table(masked), tmp_path / "trail.xlsx", "trail", "Audit trail")
    sheet = load_workbook(path).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert {row[3] for row in values} >= {"建立服务关系", "走访", "更正"}
    assert phone not in str(values)
