"""Reference data (departments, direct-report points, policy additions) for lookups by id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from domain.registry import Department, ReportingPoint
from projections.base import Fold, View, columns_of


@dataclass(frozen=True)
class UnitRow:
    """A department (处室/区县人社局/经办机构) or a direct-report point (直报点)."""

    kind: str  # "DEPARTMENT" or "REPORTING_POINT"
    id: str
    name: str
    district: str | None


class ReferenceDataView(View):
    create_sql = (
        "CREATE TABLE IF NOT EXISTS {p}_units ("
        " kind text NOT NULL, id text NOT NULL, name text NOT NULL, district text,"
        " PRIMARY KEY (kind, id))",
    )

    def upsert(self, row: UnitRow, tracking: Tracking) -> None:
        with self.tracked(tracking) as curs:
            curs.execute(
                f"INSERT INTO {self.prefix}_units VALUES (%s, %s, %s, %s) ON CONFLICT (kind, id)"
                " DO UPDATE SET name = EXCLUDED.name, district = EXCLUDED.district",  # type: ignore[arg-type]
                (row.kind, row.id, row.name, row.district),
            )

    def units(self, kind: str, ids: list[str]) -> list[UnitRow]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT {columns_of(UnitRow)} FROM {self.prefix}_units WHERE kind = %s AND id = ANY(%s)",  # type: ignore[arg-type]
                (kind, ids),
            )
            found = {r["id"]: UnitRow(**r) for r in curs.fetchall()}
        return [found[i] for i in ids if i in found]

    def all_units(self, kind: str) -> list[UnitRow]:
        """Every department or direct-report point, by id."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT {columns_of(UnitRow)} FROM {self.prefix}_units WHERE kind = %s ORDER BY id",  # type: ignore[arg-type]
                (kind,),
            )
            return [UnitRow(**r) for r in curs.fetchall()]

    def all_of(self, kind: str, limit: int = 1000) -> list[UnitRow]:
        """Every unit of a kind by name (pickers: a dispatch's departments), at most `limit`."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT {columns_of(UnitRow)} FROM {self.prefix}_units WHERE kind = %s"  # type: ignore[arg-type]
                " ORDER BY name, id LIMIT %s",
                (kind, limit),
            )
            return [UnitRow(**r) for r in curs.fetchall()]


class ReferenceDataFold(Fold):
    """ReferenceDataView's writes folded in memory for a rebuild (see projections/base.py
    Fold): each unit's latest name and district, merged as `upsert` merges them."""

    def __init__(self, view: View, curs: Any, *, empty: bool) -> None:
        super().__init__(view, curs, empty=empty)
        self.units: dict[tuple[str, str], tuple[str, str, str, str | None]] = {}

    def size(self) -> int:
        return len(self.units)

    def upsert(self, row: UnitRow, tracking: Tracking) -> None:
        self.units[(row.kind, row.id)] = (row.kind, row.id, row.name, row.district)

    def staged(self) -> list[tuple[str, tuple[str, ...], list[tuple[Any, ...]], str]]:
        units, self.units = self.units, {}
        return [
            ("units", ("kind", "id", "name", "district"), list(units.values()),
             "ON CONFLICT (kind, id) DO UPDATE SET name = EXCLUDED.name,"
             " district = EXCLUDED.district"),
        ]  # fmt: skip


ReferenceDataView.fold_class = ReferenceDataFold


class ReferenceDataProjection(Projection[ReferenceDataView]):
    name = "reference_data"
    topics = ()

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, e: Department.Registered, tracking: Tracking) -> None:
        self.view.upsert(UnitRow("DEPARTMENT", e.department_id, e.name, e.district), tracking)

    @process_event.register
    def _(self, e: ReportingPoint.Registered, tracking: Tracking) -> None:
        self.view.upsert(UnitRow("REPORTING_POINT", e.point_id, e.name, e.district), tracking)
