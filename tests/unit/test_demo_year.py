"""The demo year's machinery without a database: codes, office hours, the agenda, the decks."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from demo import (
    DISTRICT_INFO,
    OFFICE_CLOSES,
    OFFICE_OPENS,
    SCENARIOS,
    Agenda,
    Deck,
    DemoScale,
    Office,
    SimulatedClock,
    credit_code,
    make_departments,
    make_enterprises,
    spread_districts,
)
from domain.districts import DISTRICTS
from domain.registry import validate_registry_id
from domain.shared import BEIJING_TIME, Actor
from domain.time_limits import WeekdayCalendar
from domain.uscc import validate_uscc
from infra.working_calendar import ChineseWorkingCalendar


def test_every_district_has_a_division_code_and_its_generated_codes_are_valid() -> None:
    assert set(DISTRICT_INFO) == set(DISTRICTS)
    rng = random.Random(1)
    for district in DISTRICTS:
        code = credit_code(rng, district)
        assert validate_uscc(code) == code
        assert code.startswith("91" + DISTRICT_INFO[district][0])


def test_410_enterprises_cover_every_district_with_unique_codes_and_names() -> None:
    commissioners = [f"c-{i:03d}" for i in range(1, 41)]
    actors = [Actor(c, c, "COMMISSIONER") for c in commissioners]
    enterprises = make_enterprises(random.Random(2025), 410, actors, 2025)
    assert {e.district for e in enterprises} == set(DISTRICTS)
    assert len({e.uscc for e in enterprises}) == len({e.name for e in enterprises}) == 410
    per_commissioner = Counter(e.commissioner.id for e in enterprises)
    assert set(per_commissioner) == set(commissioners)
    assert max(per_commissioner.values()) - min(per_commissioner.values()) <= 1


def test_a_small_demo_still_spreads_over_distinct_districts() -> None:
    assert len(set(spread_districts(random.Random(3), 12))) == 12


def test_department_ids_are_registry_ids_and_each_district_has_its_bureau() -> None:
    departments = make_departments()
    assert all(validate_registry_id(d.id) == d.id for d in departments)
    assert {d.district for d in departments if d.district} == set(DISTRICTS)
    assert departments[0].id == "hrss-employment" and departments[0].handler.id == "d-001"


def test_office_moments_fall_in_office_hours_on_official_working_days() -> None:
    calendar = ChineseWorkingCalendar()
    office = Office(calendar, random.Random(5))
    # 2025-01-26 is a make-up working Sunday (调休) before the Spring Festival holiday.
    assert office.moment_on(date(2025, 1, 26)).date() == date(2025, 1, 26)
    assert office.moment_on(date(2025, 1, 28)).date() == date(2025, 2, 5)
    start = datetime(2025, 3, 3, 9, 0, tzinfo=BEIJING_TIME)
    for _ in range(200):
        moment = office.after_hours(start, 0.5, 30)
        assert calendar.is_working_day(moment.date())
        assert OFFICE_OPENS <= moment.time() < OFFICE_CLOSES
        start = moment


def test_working_days_later_skips_weekends() -> None:
    office = Office(WeekdayCalendar(), random.Random(1))
    friday = datetime(2025, 3, 7, 15, 0, tzinfo=BEIJING_TIME)
    assert office.after_working_days(friday, 1, 1).date() == date(2025, 3, 10)


def test_the_agenda_runs_in_time_order_sets_the_clock_and_drops_what_falls_after_the_end() -> None:
    start = datetime(2025, 1, 1, tzinfo=BEIJING_TIME)
    clock = SimulatedClock(start)
    agenda = Agenda(clock, until=start + timedelta(days=10))
    seen: list[tuple[str, datetime]] = []

    def note(name: str) -> None:
        seen.append((name, clock.now()))
        if name == "b":  # an action may schedule more
            agenda.at(clock.now() + timedelta(days=1), lambda: note("c"))
            agenda.at(clock.now() + timedelta(days=30), lambda: note("never"))

    agenda.at(start + timedelta(days=2), lambda: note("b"))
    agenda.at(start + timedelta(days=1), lambda: note("a"))
    agenda.at(start + timedelta(days=2), lambda: note("b2"))
    assert agenda.run() == 4
    assert [name for name, _ in seen] == ["a", "b", "b2", "c"]
    assert seen[-1][1] == start + timedelta(days=3)


def test_a_deck_shows_every_kind_before_drawing_by_weight() -> None:
    deck = Deck(random.Random(9), SCENARIOS)
    first = [deck.draw() for _ in range(len(SCENARIOS))]
    assert sorted(first) == sorted(SCENARIOS)
    later = Counter(deck.draw() for _ in range(2000))
    assert later.most_common(1)[0][0] == "smooth"


def test_the_default_scale_is_the_plans() -> None:
    scale = DemoScale()
    assert (scale.enterprises, scale.commissioners, scale.reporting_points) == (410, 40, 30)


@pytest.mark.parametrize("bad", [{"enterprises": 0}, {"reporting_points": 31}])
def test_a_scale_the_demo_cannot_staff_is_refused(bad: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        DemoScale(**bad)  # type: ignore[arg-type]
