"""History's pure parts: the actor's request metadata in the store, a published row's figures,
what moved since publication, and the audit trail's masking."""

from __future__ import annotations

from datetime import date

import pytest
from eventsourcing.persistence import JSONTranscoder

from api.app import CLIENT_APP
from application.history import FieldChange, _shown
from application.transcodings import ActorAsDict
from domain.shared import Actor
from projections.history import moves, row_figures, row_from_figures
from projections.kpi import KpiReport
from projections.league_table import DEFAULT_WEIGHTS, parse_period, ranked_table


def transcoder() -> JSONTranscoder:
    coder = JSONTranscoder()
    coder.register(ActorAsDict())
    return coder


def test_an_actor_keeps_its_request_and_client_and_an_old_actor_reads_back_without_them() -> None:
    coder = transcoder()
    actor = Actor("s-001", "督导员", "SUPERVISOR", request_id="req-1", client_app="console/1")
    back = coder.decode(coder.encode({"actor": actor}))["actor"]
    assert (back.request_id, back.client_app) == ("req-1", "console/1")
    plain = Actor("s-001", "督导员", "SUPERVISOR")
    assert b"request_id" not in coder.encode({"actor": plain})  # old events keep their form
    assert coder.decode(coder.encode({"actor": plain}))["actor"].request_id is None
    assert back == plain  # actors are compared by id, never by the request


@pytest.mark.parametrize(
    ("name", "valid"),
    [("console/1.4.2", True), ("importer_v2", True), ("<script>", False), ("/x", False),
     ("a" * 64, True), ("a" * 65, False), ("控制台", False)],
)  # fmt: skip
def test_a_client_application_name_is_short_and_plain(name: str, valid: bool) -> None:
    assert bool(CLIENT_APP.fullmatch(name)) is valid


def report(district: str, satisfied: int, rated: int) -> KpiReport:
    return KpiReport(
        from_=date(2025, 3, 1), to=date(2025, 3, 31), district=district, enterprises_served=2,
        visit_count=2, enterprises_visited=2, policy_events=0, issues_raised=rated,
        issues_closed=satisfied, closure_rate=None, on_time_accept_rate=1.0,
        urgent_hiring_response_rate=None, on_time_resolve_rate=1.0,
        satisfaction_rate=satisfied / rated, dispatch_refusals=0, reworks=0,
        samples={"satisfaction_rate": rated, "visit_coverage": 2, "on_time_accept_rate": 5,
                 "on_time_resolve_rate": 5},
    )  # fmt: skip


def test_a_published_row_reads_back_as_it_was_ranked() -> None:
    table = ranked_table(
        parse_period("2025-03"),
        DEFAULT_WEIGHTS,
        [report("渝中区", 4, 5), report("渝北区", 5, 5)],
        1,
    )
    assert [row_from_figures(row_figures(r)) for r in table.rows] == table.rows


def test_what_moved_since_publication_names_the_district_and_the_rate_that_changed() -> None:
    period = parse_period("2025-03")
    then = ranked_table(
        period, DEFAULT_WEIGHTS, [report("渝中区", 4, 5), report("渝北区", 5, 5)], 1
    )
    now = ranked_table(period, DEFAULT_WEIGHTS, [report("渝中区", 5, 5), report("渝北区", 3, 5)], 1)
    changed = {m.district: m for m in moves(then.rows, now)}
    assert set(changed) == {"渝中区", "渝北区"}
    assert (changed["渝中区"].published_rank, changed["渝中区"].live_rank) == (2, 1)
    assert changed["渝中区"].moved
    assert [r.kpi for r in changed["渝北区"].rates] == ["satisfaction_rate"]
    assert moves(then.rows, then) == []


def test_the_trail_masks_contacts_attendees_and_free_text_unless_shown_in_full() -> None:
    data = {
        "contacts": [{"name": "王小明", "phone": "13812345678"}],
        "attendees": ["李四"],
        "summary": "联系电话 13912345678",
    }
    masked = _shown(data, masked=True)
    assert "13812345678" not in str(masked) and "13912345678" not in str(masked)
    assert "王小明" not in str(masked) and "李四" not in str(masked)
    assert _shown(data, masked=False) == data
    assert FieldChange("x", None, 1).after == 1
