"""Labour data (用工需求): the occupation catalogue (职业/工种) and the rules of a labour record.

A commissioner records an enterprise's labour situation on a visit or between visits: the
employees on the payroll (在岗职工), the shortfall (缺工人数) and the vacancies as lines
(occupation, count, wage range, skills level, needed by). Each record is the enterprise's
current situation: a line left out of a later record is no longer open. A line is filled once
(安置, with how many were placed and by which channel); a filled line never comes back.

The checks are pure functions here; the events and the little state they keep (the current
record and its open lines only) are the relationship aggregate's (domain/enterprise.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from domain.shared import InvalidInput, require_text

OCCUPATIONS_FIELD = "occupationCode"
MAX_LINES = 50
MAX_COUNT = 100_000  # people: a bound, not a rule (the largest employers hire thousands)
MAX_WAGE = 1_000_000  # yuan a month
LINE_ID_MAX_LENGTH = 64
NOTE_MAX_LENGTH = 500
_CODE = re.compile(r"OCC(-[A-Z0-9]+)+")


class PlacementChannel(StrEnum):
    """How the people placed on a vacancy were found (招聘渠道)."""

    JOB_FAIR = "JOB_FAIR"  # 招聘会
    JOB_PLATFORM = "JOB_PLATFORM"  # 渝职聘-style job platform (网络招聘平台)
    LABOUR_COOPERATION = "LABOUR_COOPERATION"  # 劳务协作
    TRAINING = "TRAINING"  # 培训后上岗


class SkillLevel(StrEnum):
    """The national vocational skill levels (国家职业技能等级), or no requirement."""

    ANY = "ANY"
    LEVEL_5 = "LEVEL_5"  # 初级工
    LEVEL_4 = "LEVEL_4"  # 中级工
    LEVEL_3 = "LEVEL_3"  # 高级工
    LEVEL_2 = "LEVEL_2"  # 技师
    LEVEL_1 = "LEVEL_1"  # 高级技师


HIRING_CATEGORIES = ("URGENT_HIRING", "RECRUITMENT")


# ---------------------------------------------------------------- the occupation catalogue


@dataclass(frozen=True)
class Occupation:
    """One occupation (职业/工种): a stable code, its title, the national classification's code
    (职业分类大典) and its major group."""

    code: str
    title: str
    gb_code: str = ""
    group: str = ""

    def __post_init__(self) -> None:
        if not _CODE.fullmatch(self.code):
            raise InvalidInput("occupation.code_format", field="code", code=self.code)
        object.__setattr__(self, "title", require_text(self.title, "title", max_length=100))


class OccupationCatalogue:
    """Occupations by code, in catalogue order; immutable (extending gives a new catalogue)."""

    def __init__(self, occupations: Iterable[Occupation] = ()) -> None:
        self._by_code: dict[str, Occupation] = {}
        for occupation in occupations:
            if occupation.code in self._by_code:
                raise InvalidInput("occupation.listed_twice", field="code", code=occupation.code)
            self._by_code[occupation.code] = occupation

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Occupation]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def lookup(self, code: str) -> Occupation | None:
        return self._by_code.get(code)

    def title_of(self, code: str) -> str:
        occupation = self._by_code.get(code)
        return occupation.title if occupation else code

    def extended_by(self, occupations: Iterable[Occupation]) -> OccupationCatalogue:
        """This catalogue and `occupations` after it; a code listed twice is refused (codes are
        forever: an extension adds, it never renames)."""
        return OccupationCatalogue([*self, *occupations])


def occupations_from_data(data: object) -> OccupationCatalogue:
    """From parsed JSON: {"occupations": [{code, title, gb_code, group}, ...]}."""
    entries = data.get("occupations") if isinstance(data, Mapping) else None
    if not isinstance(entries, list):
        raise InvalidInput("occupation.no_list", field="occupations")
    return OccupationCatalogue(_occupation(i, entry) for i, entry in enumerate(entries, 1))


def _occupation(number: int, entry: object) -> Occupation:
    try:
        if not isinstance(entry, Mapping):
            raise InvalidInput("input.text", field="occupations")
        values = {key: entry.get(key) for key in ("code", "title", "gb_code", "group")}
        if any(value is not None and not isinstance(value, str) for value in values.values()):
            raise InvalidInput("input.text", field="occupations")
        return Occupation(**{key: value or "" for key, value in values.items()})
    except InvalidInput as exc:
        raise InvalidInput(
            "occupation.entry", field=exc.field, number=number, reason=exc.text
        ) from exc


# ---------------------------------------------------------------- a record's checks


@dataclass
class LabourState:
    """What the aggregate keeps of its labour data: the current record and its open lines, the
    ids of lines already filled (never filled twice) and the demands raised from open lines."""

    record: dict[str, Any] | None = None  # record_id, observed_at, employees, shortfall, note
    open_lines: dict[str, dict[str, Any]] = field(default_factory=dict)
    filled: set[str] = field(default_factory=set)
    demands: dict[str, str] = field(default_factory=dict)  # line_id → issue id


def count(value: object, field: str, *, at_least: int = 0) -> int:
    """A count of people: a whole number, not negative (at least `at_least`), bounded."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("labour.not_a_count", field=field)
    if value < 0:
        raise InvalidInput("labour.negative", field=field, value=value)
    if value < at_least:
        raise InvalidInput("labour.count_at_least_one", field=field, value=value)
    if value > MAX_COUNT:
        raise InvalidInput("labour.too_large", field=field, limit=MAX_COUNT)
    return value


def _wage(value: object, field: str) -> int | None:
    if value is None:
        return None
    wage = count(value, field)
    if wage > MAX_WAGE:
        raise InvalidInput("labour.too_large", field=field, limit=MAX_WAGE)
    return wage


def _choice(value: object, allowed: type[StrEnum], field: str) -> str:
    values = [member.value for member in allowed]
    if value not in values:
        raise InvalidInput("input.unknown_value", field=field, value=value, allowed=values)
    return str(value)


def check_line(
    raw: Mapping[str, Any], index: int, catalogue: OccupationCatalogue, observed_on: date
) -> dict[str, Any]:
    """One vacancy line as the event records it (needed_by as an ISO date)."""
    at = f"lines[{index}]"
    line_id = require_text(raw.get("line_id"), f"{at}.lineId", max_length=LINE_ID_MAX_LENGTH)
    code = require_text(raw.get("occupation_code"), f"{at}.occupationCode", max_length=64)
    if code not in catalogue:
        raise InvalidInput("occupation.unknown", field=f"{at}.occupationCode", codes=[code])
    wage_min = _wage(raw.get("wage_min"), f"{at}.wageMin")
    wage_max = _wage(raw.get("wage_max"), f"{at}.wageMax")
    if wage_min is not None and wage_max is not None and wage_min > wage_max:
        raise InvalidInput("labour.wage_range", field=f"{at}.wageMin", low=wage_min, high=wage_max)
    needed_by = raw.get("needed_by")
    if needed_by is not None:
        if not isinstance(needed_by, date) or hasattr(needed_by, "hour"):
            raise InvalidInput("input.date", field=f"{at}.neededBy")
        if needed_by < observed_on:
            raise InvalidInput(
                "labour.needed_by_before_observed",
                field=f"{at}.neededBy",
                needed_by=needed_by.isoformat(),
                observed=observed_on.isoformat(),
            )
    return {
        "line_id": line_id,
        "occupation_code": code,
        "count": count(raw.get("count"), f"{at}.count", at_least=1),
        "wage_min": wage_min,
        "wage_max": wage_max,
        "skill_level": _choice(
            raw.get("skill_level") or SkillLevel.ANY.value, SkillLevel, f"{at}.skillLevel"
        ),
        "needed_by": needed_by.isoformat() if needed_by is not None else None,
    }


def check_situation(
    employees: object,
    shortfall: object,
    shortfall_note: str | None,
    lines: Sequence[Mapping[str, Any]],
    catalogue: OccupationCatalogue,
    observed_on: date,
    filled: Iterable[str],
) -> dict[str, Any]:
    """A labour situation, checked: counts not negative; the shortfall equal to the lines'
    total or explained (缺工说明: vacancies not yet posted, seasonal needs); a filled line
    never recorded again; each line's date not before the record's."""
    if isinstance(lines, str | bytes) or not isinstance(lines, Sequence):
        raise InvalidInput("input.texts", field="lines")
    if len(lines) > MAX_LINES:
        raise InvalidInput("labour.too_many_lines", field="lines", limit=MAX_LINES)
    checked = [check_line(raw, i, catalogue, observed_on) for i, raw in enumerate(lines)]
    seen: set[str] = set()
    done = set(filled)
    for i, line in enumerate(checked):
        if line["line_id"] in seen:
            raise InvalidInput(
                "labour.line_repeated", field=f"lines[{i}].lineId", line=line["line_id"]
            )
        if line["line_id"] in done:
            raise InvalidInput(
                "labour.line_already_filled", field=f"lines[{i}].lineId", line=line["line_id"]
            )
        seen.add(line["line_id"])
    note = (shortfall_note or "").strip() or None
    if note is not None:
        note = require_text(note, "shortfallNote", max_length=NOTE_MAX_LENGTH)
    checked_shortfall = count(shortfall, "shortfall")
    total = sum(line["count"] for line in checked)
    if checked_shortfall != total and note is None:
        raise InvalidInput(
            "labour.shortfall_unexplained",
            field="shortfallNote",
            shortfall=checked_shortfall,
            vacancies=total,
        )
    return {
        "employees": count(employees, "employees"),
        "shortfall": checked_shortfall,
        "shortfall_note": note,
        "lines": checked,
    }


def check_placement(line: Mapping[str, Any], placed: object, channel: object) -> tuple[int, str]:
    """How many were placed on a line (1 to the line's count) and by which channel."""
    people = count(placed, "placed", at_least=1)
    if people > line["count"]:
        raise InvalidInput(
            "labour.placed_above_count", field="placed", placed=people, count=line["count"]
        )
    return people, _choice(channel, PlacementChannel, "placementChannel")


def hiring_category(category: object) -> str:
    if category not in HIRING_CATEGORIES:
        raise InvalidInput("labour.demand_category", field="category", value=category)
    return str(category)
