"""The read models' enterprise profile is the aggregate's state less its visits, event by event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.enterprise import EnterpriseRelationship as ER
from domain.shared import DomainError
from projections.enterprise_profile import EnterpriseProfile, fold
from projections.state import ProjectionStates
from tests.unit.test_enterprise_relationship import (
    ADMIN,
    CATALOGUE,
    LI,
    LOAN,
    NOW,
    REFUND,
    VISITED_AT,
    ZHANG,
    just_opened,
    log,
)

Command = Callable[[ER, int], None]


def _assign(to: Any) -> Command:
    return lambda e, n: e.assign_commissioner(
        to.id, to.name, "工作调整" if e.commissioner_id else None, actor=ADMIN, timestamp=NOW
    )


def _log(e: ER, n: int) -> None:
    actor = ZHANG if e.commissioner_id == ZHANG.id else LI
    log(e, actor=actor, visit_id=f"v-{n}", visited_at=VISITED_AT + timedelta(hours=n % 7))


def _correct(e: ER, n: int) -> None:
    visit_id = next(iter(e._visits), "v-none")
    e.correct_visit(
        visit_id, {"visited_at": VISITED_AT - timedelta(hours=n)}, "日期记错", CATALOGUE,
        actor=ADMIN, timestamp=NOW,
    )  # fmt: skip


COMMANDS: dict[str, Command] = {
    "assign zhang": _assign(ZHANG),
    "assign li": _assign(LI),
    "log a visit": _log,
    "correct a visit": _correct,
    "notify": lambda e, n: e.notify_policy(
        [REFUND, LOAN][n % 2], CATALOGUE, actor=ADMIN, timestamp=NOW
    ),
    "confirm": lambda e, n: e.confirm_policy(REFUND, "王小明", actor=ADMIN, timestamp=NOW),
    "change contacts": lambda e, n: e.change_contacts(
        [{"name": f"联系人{n}", "phone": "13812345678"}], actor=ADMIN, timestamp=NOW
    ),
    "suspend": lambda e, n: e.suspend("停产", actor=ADMIN, timestamp=NOW),
    "resume": lambda e, n: e.resume(actor=ADMIN, timestamp=NOW),
    "close": lambda e, n: e.close("迁出", actor=ADMIN, timestamp=NOW),
}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(sorted(COMMANDS)), max_size=25))
def test_the_profile_folded_from_the_events_equals_the_aggregates_own_state(
    commands: list[str],
) -> None:
    enterprise = just_opened()
    profile = None
    for n, name in enumerate(["opened", *commands]):
        if n:
            try:
                COMMANDS[name](enterprise, n)
            except DomainError:
                continue  # refused: no event, nothing to fold
        for event in enterprise.collect_events():
            profile = fold(profile, event)
        assert profile == EnterpriseProfile.of(enterprise), f"after {name}"


def test_after_a_restart_the_profile_is_loaded_from_the_aggregate_at_the_events_version() -> None:
    enterprise = just_opened()
    log_events = [*enterprise.collect_events()]
    enterprise.assign_commissioner(ZHANG.id, ZHANG.name, None, actor=ADMIN, timestamp=NOW)
    log(enterprise)
    log_events += enterprise.collect_events()
    loads: list[tuple[Any, int]] = []

    def load(stream_id: Any, version: int) -> ER:
        loads.append((stream_id, version))
        return enterprise

    states = ProjectionStates(load)
    # The cache is empty, and the first event it sees is the third of the stream.
    profile = states.enterprise(log_events[2])
    assert loads == [(enterprise.id, 3)]
    assert profile == EnterpriseProfile.of(enterprise)
    assert profile.commissioner_id == ZHANG.id


def test_a_stream_that_does_not_start_with_opened_is_refused_not_guessed() -> None:
    enterprise = just_opened()
    enterprise.collect_events()
    enterprise.suspend("停产", actor=ADMIN, timestamp=NOW)
    (suspended,) = enterprise.collect_events()
    with pytest.raises(ValueError, match="starts with Opened"):
        fold(None, suspended)


def test_a_profile_holds_nothing_per_visit_however_many_visits_are_logged() -> None:
    enterprise = just_opened()
    enterprise.assign_commissioner(ZHANG.id, ZHANG.name, None, actor=ADMIN, timestamp=NOW)
    for n in range(200):
        log(enterprise, visit_id=f"v-{n}", summary="很长的走访纪要" * 50)
    profile = None
    for event in enterprise.collect_events():
        profile = fold(profile, event)
    assert profile is not None and profile.version == 202
    assert not any(
        isinstance(value, dict | list) and len(value) > 1
        for value in (getattr(profile, f) for f in profile.__slots__)  # type: ignore[attr-defined]
    )
