"""The official working calendar, its data files for new years, and its fallback."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import pytest

from domain.time_limits import WorkingCalendar
from infra.working_calendar import (
    DEFAULT_CALENDAR_DIR,
    CalendarDataError,
    ChineseWorkingCalendar,
    load_year_file,
)

LOGGER = "espcrm.calendar"


def write_year(directory: Path, year: int, **content: object) -> Path:
    path = directory / f"{year}.json"
    path.write_text(json.dumps({"year": year, **content}), encoding="utf-8")
    return path


def calendar_warnings(caplog: pytest.LogCaptureFixture, year: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER and str(year) in r.getMessage()]


def test_the_official_calendar_is_a_working_calendar() -> None:
    calendar: WorkingCalendar = ChineseWorkingCalendar(default_dir=None)
    assert calendar.is_working_day(date(2025, 2, 8))  # 调休 Saturday
    assert not calendar.is_working_day(date(2025, 10, 8))  # National Day week, a Wednesday


def test_a_data_file_teaches_the_calendar_a_year_the_library_does_not_know(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # 1 January 2099 is a Thursday; 3 January a Saturday.
    write_year(tmp_path, 2099, holidays=["2099-01-01", "2099-01-02"], workdays=["2099-01-03"])
    calendar = ChineseWorkingCalendar(tmp_path, default_dir=None)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert not calendar.is_working_day(date(2099, 1, 1))
        assert not calendar.is_working_day(date(2099, 1, 2))
        assert calendar.is_working_day(date(2099, 1, 3))
        assert not calendar.is_working_day(date(2099, 1, 4))  # an ordinary Sunday
        assert calendar.is_working_day(date(2099, 1, 5))
    assert calendar_warnings(caplog, 2099) == []
    assert 2099 in calendar.known_years()
    assert calendar.is_official(date(2099, 6, 1))


def test_an_unknown_year_falls_back_to_monday_to_friday_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calendar = ChineseWorkingCalendar(default_dir=None)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert calendar.is_working_day(date(2098, 1, 1))  # a Wednesday
        assert not calendar.is_working_day(date(2098, 1, 4))  # a Saturday
        assert calendar.is_working_day(date(2098, 6, 2))
    assert len(calendar_warnings(caplog, 2098)) == 1
    assert 2098 not in calendar.known_years()
    assert not calendar.is_official(date(2098, 1, 1))


def test_each_unknown_year_gets_its_own_warning(caplog: pytest.LogCaptureFixture) -> None:
    calendar = ChineseWorkingCalendar(default_dir=None)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        for _ in range(3):
            calendar.is_working_day(date(2097, 3, 3))
            calendar.is_working_day(date(2003, 3, 3))  # before the library's first year
    assert len(calendar_warnings(caplog, 2097)) == 1
    assert len(calendar_warnings(caplog, 2003)) == 1


def test_a_provisional_file_is_applied_but_not_called_official(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_year(tmp_path, 2099, holidays=["2099-01-01"], provisional=True)
    calendar = ChineseWorkingCalendar(default_dir=tmp_path)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert not calendar.is_working_day(date(2099, 1, 1))
        assert calendar.is_working_day(date(2099, 1, 2))
    assert len(calendar_warnings(caplog, 2099)) == 1
    assert not calendar.is_official(date(2099, 1, 1))


def test_the_operators_directory_wins_over_the_shipped_one(tmp_path: Path) -> None:
    shipped, operator = tmp_path / "shipped", tmp_path / "operator"
    shipped.mkdir()
    operator.mkdir()
    write_year(shipped, 2099, holidays=["2099-01-01"], provisional=True)
    write_year(operator, 2099, holidays=["2099-01-02"])
    calendar = ChineseWorkingCalendar(operator, default_dir=shipped)
    assert calendar.is_working_day(date(2099, 1, 1))
    assert not calendar.is_working_day(date(2099, 1, 2))
    assert calendar.is_official(date(2099, 1, 2))


def test_the_library_wins_over_a_data_file_for_a_year_it_knows(tmp_path: Path) -> None:
    write_year(tmp_path, 2025, holidays=["2025-03-03"])
    calendar = ChineseWorkingCalendar(default_dir=tmp_path)
    assert calendar.is_working_day(date(2025, 3, 3))


def test_a_malformed_data_file_is_logged_and_ignored_not_fatal(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    write_year(tmp_path, 2099, holidays="2099-01-01")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        calendar = ChineseWorkingCalendar(default_dir=tmp_path)
        assert calendar.is_working_day(date(2099, 1, 1))  # Monday–Friday fallback
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("broken.json" in m for m in errors)
    assert any("2099.json" in m for m in errors)
    assert not calendar.is_official(date(2099, 1, 1))


def test_a_missing_calendar_directory_is_not_fatal(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        calendar = ChineseWorkingCalendar("/nonexistent/calendar", default_dir=None)
    assert calendar.is_working_day(date(2025, 1, 26))
    assert any("/nonexistent/calendar" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ({"holidays": ["2098-01-01"]}, "outside 2099"),
        ({"holidays": ["2099-01-01"], "workdays": ["2099-01-01"]}, "both holiday and workday"),
        ({"holidays": ["1 January"]}, "1 January"),
    ],
)
def test_a_data_file_says_what_is_wrong_with_it(
    tmp_path: Path, content: dict[str, object], complaint: str
) -> None:
    path = write_year(tmp_path, 2099, **content)
    with pytest.raises(CalendarDataError, match=complaint) as refused:
        load_year_file(path)
    assert "2099.json" in str(refused.value)


def test_the_shipped_2027_file_is_marked_provisional_and_only_holds_new_years_day() -> None:
    data = load_year_file(DEFAULT_CALENDAR_DIR / "2027.json")
    assert data.provisional
    assert data.holidays == {date(2027, 1, 1)}
    assert data.workdays == frozenset()
