"""The cast: the demo's scale, departments, points, enterprises and their issues as the
simulation remembers them, and the seeded generation of names, codes and the annual list."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from uuid import UUID

from demo.reference import (
    BRAND_FIRST,
    BRAND_SECOND,
    BUSY_DISTRICTS,
    COMPANY_FORMS,
    DISTRICT_INFO,
    GIVEN,
    INDUSTRIES,
    MOBILE_PREFIXES,
    MUNICIPAL_DEPARTMENTS,
    REPORTING_POINTS,
    ROADS,
    SIZES,
    SURNAMES,
    TITLES,
)
from demo.timing import Delay
from domain.districts import DISTRICTS
from domain.shared import Actor, Role
from domain.uscc import ALPHABET, check_character


@dataclass(frozen=True)
class DemoScale:
    enterprises: int = 410
    commissioners: int = 40
    reporting_points: int = 30
    supervisors: int = 4
    year: int = 2025

    def __post_init__(self) -> None:
        if self.enterprises < 1 or self.commissioners < 1 or self.supervisors < 1:
            raise ValueError("a demo needs at least one enterprise, commissioner and supervisor")
        if not 0 <= self.reporting_points <= len(REPORTING_POINTS):
            raise ValueError(f"reporting points: 0 to {len(REPORTING_POINTS)}")


@dataclass(frozen=True)
class Department:
    id: str
    name: str
    district: str | None
    handler: Actor


@dataclass(frozen=True)
class Point:
    id: str
    name: str
    district: str
    reporter: Actor


@dataclass
class Enterprise:
    """The simulation's memory of one enterprise (the store has the facts)."""

    uscc: str
    name: str
    district: str
    industry: str
    size: str
    address: str
    contact: dict[str, str]
    commissioner: Actor
    onboard_on: date
    cadence: tuple[int, int]  # working days between visits
    id: UUID | None = None
    registered_at: datetime | None = None
    status: str = "NEW"  # NEW (not registered yet), ACTIVE, SUSPENDED, CLOSED
    notified: set[str] = field(default_factory=set)

    @property
    def servable(self) -> bool:
        return self.status == "ACTIVE"


@dataclass
class IssueRun:
    """One issue on its way: its scenario's remaining steps and who leads it."""

    issue_id: UUID
    category: str
    scenario: str
    lead: Department
    fallback: Department  # where a refused dispatch goes next
    assisting: list[str]
    steps: list[Step] = field(default_factory=list)


Step = tuple[Delay, Callable[[IssueRun], None]]


class Deck:
    """Weighted draws that show every kind once before drawing by weight, so that even a small
    demo walks every path."""

    def __init__(self, rng: random.Random, weights: Mapping[str, int]) -> None:
        self.rng = rng
        self.weights = dict(weights)
        self._first = list(weights)
        rng.shuffle(self._first)

    def draw(self) -> str:
        if self._first:
            return self._first.pop()
        return self.rng.choices(list(self.weights), weights=list(self.weights.values()))[0]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def phone_number(rng: random.Random) -> str:
    """Mostly mobiles; some landlines the way the lists write them (023-6386xxxx)."""
    if rng.random() < 0.15:
        return f"023-{rng.choice('6867')}{rng.randrange(10**7):07d}"
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def credit_code(rng: random.Random, district: str) -> str:
    """A valid 统一社会信用代码: 9 (工商) 1 (企业), the division code, an organisation code."""
    division = DISTRICT_INFO[district][0]
    if rng.random() < 0.6:  # codes issued since 2015 mostly start their organisation part "MA"
        organisation = "MA" + "".join(rng.choice(ALPHABET) for _ in range(7))
    else:
        organisation = "".join(rng.choice(ALPHABET) for _ in range(9))
    body = "91" + division + organisation
    return body + check_character(body)


def spread_districts(rng: random.Random, count: int) -> list[str]:
    """Every district gets enterprises (when there are enough), the busy ones more."""
    districts = list(DISTRICTS)
    chosen = rng.sample(districts, min(count, len(districts)))
    weights = [3 if d in BUSY_DISTRICTS else 1 for d in districts]
    chosen += rng.choices(districts, weights=weights, k=max(0, count - len(districts)))
    rng.shuffle(chosen)
    return chosen


def _names(count: int, make: Callable[[], str]) -> list[str]:
    names: dict[str, None] = {}
    while len(names) < count:
        names[make()] = None
    return list(names)


def make_commissioners(rng: random.Random, count: int) -> list[Actor]:
    names = _names(count, partial(person_name, rng))
    return [Actor(f"c-{i:03d}", name, Role.COMMISSIONER.value) for i, name in enumerate(names, 1)]


def make_departments() -> list[Department]:
    rows: list[tuple[str, str, str | None]] = [(d, name, None) for d, name in MUNICIPAL_DEPARTMENTS]
    rows += [
        (f"dist-{info[1]}", f"{district}人力资源和社会保障局", district)
        for district, info in DISTRICT_INFO.items()
    ]
    return [
        Department(dept_id, name, district, Actor(f"d-{i:03d}", f"{name}经办人", "DEPARTMENT"))
        for i, (dept_id, name, district) in enumerate(rows, 1)
    ]


def make_points(count: int) -> list[Point]:
    return [
        Point(point_id, name, district, Actor(f"r-{i:03d}", name, Role.REPORTER.value))
        for i, (point_id, name, district) in enumerate(REPORTING_POINTS[:count], 1)
    ]


def enterprise_name(rng: random.Random, industry: str) -> str:
    brand = rng.choice(BRAND_FIRST) + rng.choice(BRAND_SECOND)
    return f"重庆{brand}{rng.choice(INDUSTRIES[industry])}{rng.choice(COMPANY_FORMS)}"


def make_enterprises(
    rng: random.Random, count: int, commissioners: Sequence[Actor], year: int
) -> list[Enterprise]:
    """The annual list: onboarded in January and February, a few more later in the year; each
    commissioner serves the enterprises of a few neighbouring districts."""
    districts = sorted(spread_districts(rng, count), key=DISTRICTS.index)
    codes: set[str] = set()
    names: set[str] = set()
    enterprises = []
    for index, district in enumerate(districts):
        industry = rng.choice(list(INDUSTRIES))
        code = _unique(codes, partial(credit_code, rng, district))
        name = _unique(names, partial(enterprise_name, rng, industry))
        late = rng.random() < 0.05
        onboard = date(year, 3, 1) + timedelta(days=rng.randrange(200)) if late else None
        enterprises.append(
            Enterprise(
                uscc=code, name=name, district=district, industry=industry,
                size=rng.choices([s for s, _ in SIZES], weights=[w for _, w in SIZES])[0],
                address=f"重庆市{district}{rng.choice(ROADS)}{rng.randrange(1, 999)}号",
                contact={"name": person_name(rng), "phone": phone_number(rng),
                         "title": rng.choice(TITLES)},
                commissioner=commissioners[index * len(commissioners) // len(districts)],
                onboard_on=onboard or date(year, 1, 6) + timedelta(days=rng.randrange(40)),
                cadence=rng.choice([(20, 30), (25, 35), (30, 45)]),
            )
        )  # fmt: skip
    return enterprises


def _unique(seen: set[str], make: Callable[[], str]) -> str:
    value = make()
    while value in seen:
        value = make()
    seen.add(value)
    return value
