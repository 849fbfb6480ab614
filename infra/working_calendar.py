"""China's official working calendar (法定节假日 and 调休), with data files for new years.

The State Council publishes each year's arrangement about a month before it
starts, and `chinese_calendar` only knows the years released with it. For any
other year this calendar reads a JSON file — from the shipped `data/calendar/`
directory or an operator's directory (settings: ESPCRM_CALENDAR_DIR), so a year
can be added without a release:

    {"year": 2027, "holidays": ["2027-01-01"], "workdays": [], "provisional": true}

`holidays` are days off that would otherwise be weekdays, `workdays` the make-up
weekends; every other day is Monday–Friday. A `provisional` file is applied but
the year is still reported as not official. With no file at all the year falls
back to Monday–Friday. Either way a warning is logged once per year and nothing
raises: an unknown year must never stop the system.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import chinese_calendar

log = logging.getLogger("espcrm.calendar")

DEFAULT_CALENDAR_DIR = Path(__file__).parent / "data" / "calendar"

# The library refuses dates outside the years it ships, with NotImplementedError.
_LIBRARY_YEARS = frozenset(
    range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)
)


class CalendarDataError(ValueError):
    """A calendar data file that cannot be used; the message names the file."""


@dataclass(frozen=True)
class YearData:
    """One year's exceptions to Monday–Friday, from a data file."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    provisional: bool
    source: str

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


def load_year_file(path: Path) -> YearData:
    """Parse and check one data file, or raise CalendarDataError saying what is wrong."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        year = raw["year"]
        if not isinstance(year, int):
            raise ValueError("'year' must be a number")
        holidays = _dates(raw.get("holidays", []), year, "holidays")
        workdays = _dates(raw.get("workdays", []), year, "workdays")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CalendarDataError(f"calendar file {path}: {exc!r}") from exc
    if holidays & workdays:
        both = ", ".join(sorted(d.isoformat() for d in holidays & workdays))
        raise CalendarDataError(f"calendar file {path}: both holiday and workday: {both}")
    provisional = bool(raw.get("provisional", False))
    return YearData(year, holidays, workdays, provisional, str(path))


def _dates(values: object, year: int, key: str) -> frozenset[date]:
    if not isinstance(values, list):
        raise ValueError(f"'{key}' must be a list of YYYY-MM-DD dates")
    days = frozenset(date.fromisoformat(v) for v in values)
    strays = sorted(d.isoformat() for d in days if d.year != year)
    if strays:
        raise ValueError(f"'{key}' has dates outside {year}: {', '.join(strays)}")
    return days


class ChineseWorkingCalendar:
    """`domain.time_limits.WorkingCalendar` on the official calendar, degrading gracefully."""

    def __init__(
        self,
        extra_dir: Path | str | None = None,
        *,
        default_dir: Path | None = DEFAULT_CALENDAR_DIR,
    ) -> None:
        self._years: dict[int, YearData] = {}
        # The operator's directory is read last so its files win over the shipped ones.
        for directory in (default_dir, Path(extra_dir) if extra_dir else None):
            if directory is not None:
                self._load_dir(directory)
        self._warned: set[int] = set()
        self._lock = threading.Lock()
        self._known: dict[date, bool] = {}

    def is_working_day(self, day: date) -> bool:
        # Remembered: deadlines walk day by day, and projections compute them for every
        # issue event (chinese_calendar's look-up was a quarter of a kpi rebuild).
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = self._is_working_day(day)
        return known

    def _is_working_day(self, day: date) -> bool:
        if day.year in _LIBRARY_YEARS:
            try:
                return bool(chinese_calendar.is_workday(day))
            except NotImplementedError:  # a library gap inside its own range
                pass
        data = self._years.get(day.year)
        self._warn_once(day.year, data)
        return data.is_working_day(day) if data else day.weekday() < 5

    def known_years(self) -> tuple[int, ...]:
        """Years with an official calendar (the library's, or a non-provisional file)."""
        from_files = {y for y, data in self._years.items() if not data.provisional}
        return tuple(sorted(_LIBRARY_YEARS | from_files))

    def is_official(self, day: date) -> bool:
        """False when `day` is counted on a provisional or Monday–Friday fallback calendar."""
        return day.year in self.known_years()

    def _load_dir(self, directory: Path) -> None:
        if not directory.is_dir():
            log.warning("calendar directory %s does not exist; ignored", directory)
            return
        for path in sorted(directory.glob("*.json")):
            try:
                data = load_year_file(path)
            except CalendarDataError as exc:
                log.error("%s; ignored", exc)
                continue
            self._years[data.year] = data

    def _warn_once(self, year: int, data: YearData | None) -> None:
        if data is not None and not data.provisional:
            return
        with self._lock:
            if year in self._warned:
                return
            self._warned.add(year)
        if data is None:
            log.warning("no official working calendar for %d; counting Monday–Friday", year)
        else:
            log.warning(
                "only provisional working calendar for %d (%s); other days Monday–Friday",
                year,
                data.source,
            )
