"""Labour data on the relationship stream (用工需求): counts never negative, a shortfall that
matches the vacancies or is explained, a filled line never filled twice, dates that make sense;
every refusal leaves the stream as it was."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from eventsourcing.persistence import Mapper

from domain.enterprise import EnterpriseRelationship as ER
from domain.labour import Occupation, OccupationCatalogue, occupations_from_data
from domain.shared import Actor, Forbidden, InvalidInput, InvalidTransition
from infra.occupation_catalogue_loader import (
    OccupationCatalogueError,
    load_occupations,
)
from tests.unit.test_enterprise_relationship import (
    ADMIN,
    LI,
    NOW,
    VISITED_AT,
    ZHANG,
    _replay,
    _transcoder,
    just_opened,
    log,
    suspended,
    visited,
)

OCCUPATIONS = load_occupations()
WELDER, CNC = "OCC-WELDER", "OCC-CNC-MACHINIST"
DEPARTMENT = Actor(id="d-jyj", name="就业局", role="DEPARTMENT")


def line(line_id: str = "l-1", code: str = WELDER, count: int = 5, **more: Any) -> dict[str, Any]:
    return {
        "line_id": line_id, "occupation_code": code, "count": count, "wage_min": 5000,
        "wage_max": 8000, "skill_level": "LEVEL_4", "needed_by": date(2025, 4, 1), **more,
    }  # fmt: skip


def situation(*lines: dict[str, Any], shortfall: int | None = None, **more: Any) -> dict[str, Any]:
    total = sum(item["count"] for item in lines)
    return {"employees": 320, "shortfall": total if shortfall is None else shortfall,
            "lines": list(lines), **more}  # fmt: skip


def record(relationship: ER, *lines: dict[str, Any], at: Any = NOW, **more: Any) -> None:
    relationship.record_labour(
        "r-1", "v-1", VISITED_AT, situation(*lines, **more), OCCUPATIONS,
        actor=ZHANG, timestamp=at,
    )  # fmt: skip


def recorded(*lines: dict[str, Any]) -> ER:
    relationship = visited()
    record(relationship, *(lines or (line(),)))
    relationship.collect_events()
    return relationship


def refused(relationship: ER, error: type[Exception], command: Any) -> Exception:
    version = relationship.version
    with pytest.raises(error) as caught:
        command()
    assert relationship.version == version and not relationship.collect_events()
    return caught.value


# ---------------------------------------------------------------- recording


def test_a_visit_records_the_labour_situation_as_one_event_and_its_lines_become_open() -> None:
    relationship = visited()
    record(relationship, line("l-1"), line("l-2", CNC, 3))
    [event] = relationship.collect_events()
    assert isinstance(event, ER.LabourRecorded)
    assert (event.visit_id, event.employees, event.shortfall) == ("v-1", 320, 8)
    assert event.lines[0]["needed_by"] == "2025-04-01"
    assert set(relationship.labour.open_lines) == {"l-1", "l-2"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"employees": -1}, "employees"),
        ({"shortfall": -3}, "shortfall"),
        ({"employees": 2.5}, "employees"),
        ({"employees": True}, "employees"),
    ],
)
def test_counts_are_whole_numbers_never_negative(change: dict[str, Any], field: str) -> None:
    relationship = visited()
    error = refused(
        relationship, InvalidInput,
        lambda: relationship.record_labour(
            "r-1", None, VISITED_AT, {**situation(line()), **change}, OCCUPATIONS,
            actor=ZHANG, timestamp=NOW,
        ),
    )  # fmt: skip
    assert isinstance(error, InvalidInput) and error.field == field


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"count": 0}, "lines[0].count"),
        ({"count": -2}, "lines[0].count"),
        ({"wage_min": -1}, "lines[0].wageMin"),
        ({"wage_min": 9000, "wage_max": 6000}, "lines[0].wageMin"),
        ({"occupation_code": "OCC-ASTRONAUT"}, "lines[0].occupationCode"),
        ({"skill_level": "GURU"}, "lines[0].skillLevel"),
        ({"needed_by": date(2025, 3, 1)}, "lines[0].neededBy"),
    ],
)
def test_a_bad_vacancy_line_is_refused_naming_the_line_and_field(
    bad: dict[str, Any], field: str
) -> None:
    relationship = visited()
    error = refused(relationship, InvalidInput, lambda: record(relationship, line(**bad)))
    assert isinstance(error, InvalidInput) and error.field == field


def test_a_shortfall_other_than_the_vacancies_total_needs_an_explanation() -> None:
    relationship = visited()
    error = refused(
        relationship, InvalidInput, lambda: record(relationship, line(count=5), shortfall=12)
    )
    assert "缺工人数 12 与空缺岗位合计 5 不一致" in str(error)
    record(relationship, line(count=5), shortfall=12, shortfall_note="另有7个季节性岗位未发布")
    assert relationship.collect_events()[0].shortfall == 12  # type: ignore[attr-defined]


def test_the_same_line_twice_in_one_record_is_refused() -> None:
    relationship = visited()
    refused(relationship, InvalidInput, lambda: record(relationship, line("l-1"), line("l-1")))


def test_dates_must_make_sense() -> None:
    relationship = recorded()
    future = NOW + timedelta(days=2)
    for observed in (future, VISITED_AT - timedelta(days=30), VISITED_AT - timedelta(hours=1)):
        # In the future; before the relationship opened; before the current record.
        refused(
            relationship, InvalidInput,
            lambda observed=observed: relationship.record_labour(
                "r-2", None, observed, situation(line("l-9")), OCCUPATIONS,
                actor=ZHANG, timestamp=NOW,
            ),
        )  # fmt: skip


def test_a_visit_of_another_enterprise_or_none_at_all_cannot_carry_the_record() -> None:
    relationship = visited()
    refused(
        relationship, InvalidInput,
        lambda: relationship.record_labour(
            "r-1", "v-404", VISITED_AT, situation(line()), OCCUPATIONS, actor=ZHANG, timestamp=NOW
        ),
    )  # fmt: skip


def test_only_the_enterprises_commissioner_records_and_only_while_serving_it() -> None:
    relationship = visited()
    refused(
        relationship, Forbidden,
        lambda: relationship.record_labour(
            "r-1", None, VISITED_AT, situation(line()), OCCUPATIONS, actor=LI, timestamp=NOW
        ),
    )  # fmt: skip
    paused = suspended(visited())
    refused(paused, InvalidTransition, lambda: record(paused, line()))


def test_a_later_record_replaces_the_open_lines() -> None:
    relationship = recorded(line("l-1"), line("l-2", CNC, 3))
    relationship.record_labour(
        "r-2", None, NOW, situation(line("l-2", CNC, 4)), OCCUPATIONS, actor=ZHANG, timestamp=NOW
    )
    assert list(relationship.labour.open_lines) == ["l-2"]
    assert relationship.labour.open_lines["l-2"]["count"] == 4


# ---------------------------------------------------------------- corrections


def test_a_correction_is_an_event_on_the_current_record_with_a_reason() -> None:
    relationship = recorded(line("l-1", count=5))
    relationship.correct_labour(
        "r-1", situation(line("l-1", count=6)), "人数记错", OCCUPATIONS, actor=ZHANG, timestamp=NOW
    )
    [event] = relationship.collect_events()
    assert isinstance(event, ER.LabourCorrected)
    assert (event.record_id, event.reason, event.shortfall) == ("r-1", "人数记错", 6)
    assert relationship.labour.open_lines["l-1"]["count"] == 6
    refused(
        relationship, InvalidInput,
        lambda: relationship.correct_labour(
            "r-0", situation(line()), "旧记录", OCCUPATIONS, actor=ZHANG, timestamp=NOW
        ),
    )  # fmt: skip


def test_nothing_to_correct_before_a_first_record() -> None:
    relationship = visited()
    refused(
        relationship, InvalidTransition,
        lambda: relationship.correct_labour(
            "r-1", situation(line()), "更正", OCCUPATIONS, actor=ADMIN, timestamp=NOW
        ),
    )  # fmt: skip


# ---------------------------------------------------------------- placements and demands


def test_a_filled_line_is_never_filled_twice_nor_recorded_again() -> None:
    relationship = recorded(line("l-1", count=5))
    relationship.fill_vacancy("l-1", 5, "JOB_FAIR", actor=ZHANG, timestamp=NOW)
    [event] = relationship.collect_events()
    assert (event.placed, event.channel, event.issue_id) == (5, "JOB_FAIR", None)  # type: ignore[attr-defined]
    refused(
        relationship, InvalidTransition,
        lambda: relationship.fill_vacancy("l-1", 1, "JOB_FAIR", actor=ZHANG, timestamp=NOW),
    )  # fmt: skip
    refused(
        relationship, InvalidInput,
        lambda: relationship.record_labour(
            "r-2", None, NOW, situation(line("l-1")), OCCUPATIONS, actor=ZHANG, timestamp=NOW
        ),
    )  # fmt: skip


@pytest.mark.parametrize(("placed", "channel"), [(0, "JOB_FAIR"), (6, "JOB_FAIR"), (2, "LUCK")])
def test_placements_are_between_one_and_the_lines_count_by_a_known_channel(
    placed: int, channel: str
) -> None:
    relationship = recorded(line("l-1", count=5))
    refused(
        relationship, InvalidInput,
        lambda: relationship.fill_vacancy("l-1", placed, channel, actor=ZHANG, timestamp=NOW),
    )  # fmt: skip


def test_a_demand_links_to_one_open_line_and_whoever_closes_it_records_the_placements() -> None:
    relationship = recorded(line("l-1", count=5))
    relationship.raise_vacancy_demand("l-1", "i-1", "URGENT_HIRING", actor=ZHANG, timestamp=NOW)
    assert relationship.line_of_demand("i-1") == "l-1"
    relationship.collect_events()
    refused(
        relationship, InvalidInput,
        lambda: relationship.raise_vacancy_demand(
            "l-1", "i-2", "RECRUITMENT", actor=ZHANG, timestamp=NOW
        ),
    )  # fmt: skip
    relationship.collect_events()
    # A department may fill the line only through the demand raised from it.
    refused(
        relationship, Forbidden,
        lambda: relationship.fill_vacancy("l-1", 3, "TRAINING", actor=DEPARTMENT, timestamp=NOW),
    )  # fmt: skip
    relationship.fill_vacancy(
        "l-1", 3, "TRAINING", via_issue="i-1", actor=DEPARTMENT, timestamp=NOW
    )
    [event] = relationship.collect_events()
    assert event.issue_id == "i-1"  # type: ignore[attr-defined]
    assert relationship.line_of_demand("i-1") is None


def test_only_hiring_categories_come_from_a_vacancy() -> None:
    relationship = recorded()
    refused(
        relationship, InvalidInput,
        lambda: relationship.raise_vacancy_demand(
            "l-1", "i-1", "SOCIAL_INSURANCE", actor=ZHANG, timestamp=NOW
        ),
    )  # fmt: skip


def test_labour_events_survive_the_round_trip_through_stored_events() -> None:
    mapper: Any = Mapper(transcoder=_transcoder())
    relationship = just_opened()
    relationship.assign_commissioner(ZHANG.id, ZHANG.name, None, actor=ADMIN, timestamp=NOW)
    log(relationship)
    record(relationship, line("l-1"), line("l-2", CNC, 2))
    relationship.raise_vacancy_demand("l-2", "i-1", "RECRUITMENT", actor=ZHANG, timestamp=NOW)
    relationship.fill_vacancy("l-1", 4, "JOB_PLATFORM", actor=ZHANG, timestamp=NOW)
    events = relationship.collect_events()
    stored = [mapper.to_domain_event(mapper.to_stored_event(e)) for e in events]
    replayed = _replay(stored)
    assert replayed.labour.open_lines == relationship.labour.open_lines
    assert replayed.labour.filled == {"l-1"}
    assert replayed.line_of_demand("i-1") == "l-2"


# ---------------------------------------------------------------- the catalogue


def test_the_shipped_occupation_catalogue_covers_the_clusters_trades() -> None:
    titles = {occupation.title for occupation in OCCUPATIONS}
    assert {"焊工", "数控车工", "汽车装调工", "电子产品装配工"} <= titles
    assert all(occupation.code.startswith("OCC-") for occupation in OCCUPATIONS)


def test_a_bureau_extends_the_catalogue_with_a_file_but_never_renames_a_code(tmp_path: Any) -> None:
    extra = tmp_path / "extra.json"
    extra.write_text('{"occupations": [{"code": "OCC-DRONE-PILOT", "title": "无人机驾驶员"}]}')
    extended = load_occupations(extra=extra)
    assert extended.title_of("OCC-DRONE-PILOT") == "无人机驾驶员"
    assert len(extended) == len(OCCUPATIONS) + 1
    extra.write_text('{"occupations": [{"code": "OCC-WELDER", "title": "电焊工"}]}')
    with pytest.raises(OccupationCatalogueError, match="OCC-WELDER"):
        load_occupations(extra=extra)


def test_a_malformed_catalogue_entry_is_named_by_its_number() -> None:
    with pytest.raises(InvalidInput, match="第 2 项"):
        occupations_from_data({"occupations": [{"code": "OCC-A", "title": "甲"}, {"code": "x"}]})
    assert len(OccupationCatalogue([Occupation("OCC-A", "甲")])) == 1
