"""Enterprise directory (企业名录): one row per relationship, for lists and detail pages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from domain.enterprise import EnterpriseRelationship
from projections.base import View, decode_cursor, encode_cursor


@dataclass(frozen=True)
class EnterpriseFilter:
    district: str | None = None
    commissioner_id: str | None = None
    search: str | None = None
    visit_overdue: bool | None = None
    today: date | None = None
    # Row-level access: a commissioner sees only their own; None means no restriction.
    only_commissioner_id: str | None = None
    only_districts: tuple[str, ...] | None = None


@dataclass(frozen=True)
class EnterpriseRow:
    id: UUID
    uscc: str
    name: str
    district: str
    industry: str | None
    size: str | None
    address: str | None
    contacts: list[dict[str, Any]]
    commissioner_id: str | None
    commissioner_name: str | None
    visit_count: int
    last_visit_at: datetime | None
    next_visit_due_on: date | None
    open_issue_count: int
    opened_at: datetime
    opened_position: int

    @property
    def cursor(self) -> str:
        return encode_cursor(self.opened_position)


@dataclass(frozen=True)
class Page:
    rows: list[EnterpriseRow]
    has_next_page: bool
    total_count: int


class EnterpriseDirectoryView(View):
    create_sql = (
        "CREATE TABLE IF NOT EXISTS {p}_rows ("
        " id uuid PRIMARY KEY, uscc text NOT NULL UNIQUE, name text NOT NULL,"
        " district text NOT NULL, industry text, size text, address text,"
        " contacts bytea, commissioner_id text, commissioner_name text,"
        " visit_count int NOT NULL DEFAULT 0, last_visit_at timestamptz,"
        " next_visit_due_on date, open_issue_count int NOT NULL DEFAULT 0,"
        " opened_at timestamptz NOT NULL, opened_position bigint NOT NULL UNIQUE)",
        "CREATE INDEX IF NOT EXISTS {p}_district_idx ON {p}_rows (district, opened_position)",
        "CREATE INDEX IF NOT EXISTS {p}_commissioner_idx"
        " ON {p}_rows (commissioner_id, opened_position)",
    )

    def _seal(self, contacts: list[dict[str, Any]]) -> bytes:
        plain = json.dumps(contacts, ensure_ascii=False).encode()
        return self.cipher.encrypt(plain) if self.cipher else plain

    def _open(self, sealed: bytes | None) -> list[dict[str, Any]]:
        if not sealed:
            return []
        plain = self.cipher.decrypt(bytes(sealed)) if self.cipher else bytes(sealed)
        return list(json.loads(plain))

    # Writes: each is one transaction with the tracking position.

    def enterprise_opened(self, row: dict[str, Any], tracking: Tracking) -> None:
        row = {**row, "contacts": self._seal(row["contacts"])}
        with self.tracked(tracking) as curs:
            curs.execute(
                f"INSERT INTO {self.prefix}_rows (id, uscc, name, district, industry, size,"
                " address, contacts, opened_at, opened_position) VALUES (%(id)s, %(uscc)s,"
                " %(name)s, %(district)s, %(industry)s, %(size)s, %(address)s, %(contacts)s,"
                " %(opened_at)s, %(opened_position)s)",  # type: ignore[arg-type]
                row,
            )

    def commissioner_assigned(
        self, enterprise_id: UUID, commissioner_id: str, name: str, tracking: Tracking
    ) -> None:
        with self.tracked(tracking) as curs:
            curs.execute(
                f"UPDATE {self.prefix}_rows SET commissioner_id = %s, commissioner_name = %s"
                " WHERE id = %s",  # type: ignore[arg-type]
                (commissioner_id, name, enterprise_id),
            )

    # Queries: what the API calls.

    def get(self, enterprise_id: UUID) -> EnterpriseRow | None:
        rows = self.get_many([enterprise_id])
        return rows[0] if rows else None

    def get_many(self, ids: list[UUID]) -> list[EnterpriseRow]:
        """In the order asked, missing ones left out: one statement for a DataLoader batch."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT * FROM {self.prefix}_rows WHERE id = ANY(%s)",  # type: ignore[arg-type]
                (ids,),
            )
            found = {r["id"]: self._row(r) for r in curs.fetchall()}
        return [found[i] for i in ids if i in found]

    def page(self, flt: EnterpriseFilter, first: int, after: str | None) -> Page:
        where, params = self._where(flt)
        key = decode_cursor(after)
        page_where = [*where, "opened_position > %s"] if key else where
        page_params = [*params, int(key[0])] if key else params
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT * FROM {self.prefix}_rows WHERE {' AND '.join(page_where)}"
                " ORDER BY opened_position LIMIT %s",  # type: ignore[arg-type]
                [*page_params, first + 1],
            )
            rows = [self._row(r) for r in curs.fetchall()]
            curs.execute(
                f"SELECT count(*) AS n FROM {self.prefix}_rows WHERE {' AND '.join(where)}",  # type: ignore[arg-type]
                params,
            )
            total = curs.fetchone()
        return Page(rows[:first], len(rows) > first, int(total["n"]) if total else 0)

    @staticmethod
    def _where(flt: EnterpriseFilter) -> tuple[list[str], list[Any]]:
        where: list[str] = ["TRUE"]
        params: list[Any] = []
        conditions: list[tuple[str, Any]] = [
            ("district = %s", flt.district),
            ("commissioner_id = %s", flt.commissioner_id),
            ("commissioner_id = %s", flt.only_commissioner_id),
            ("district = ANY(%s)", list(flt.only_districts) if flt.only_districts else None),
        ]
        for clause, value in conditions:
            if value is not None:
                where.append(clause)
                params.append(value)
        if flt.search:
            like = "%" + flt.search.replace("%", r"\%").replace("_", r"\_") + "%"
            where.append("(name ILIKE %s OR uscc ILIKE %s)")
            params.extend([like, like])
        if flt.visit_overdue is not None and flt.today is not None:
            op = "<" if flt.visit_overdue else ">="
            where.append(f"COALESCE(next_visit_due_on {op} %s, {not flt.visit_overdue})")
            params.append(flt.today)
        return where, params

    def _row(self, r: dict[str, Any]) -> EnterpriseRow:
        return EnterpriseRow(**{**r, "contacts": self._open(r["contacts"])})


class EnterpriseDirectoryProjection(Projection[EnterpriseDirectoryView]):
    name = "enterprise_directory"
    topics = ()

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Events this view ignores still advance its position."""
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, e: EnterpriseRelationship.Opened, tracking: Tracking) -> None:
        self.view.enterprise_opened(
            {
                "id": e.originator_id,
                "uscc": e.uscc,
                "name": e.name,
                "district": e.district,
                "industry": e.industry,
                "size": e.size,
                "address": e.address,
                "contacts": e.contacts,
                "opened_at": e.timestamp,
                "opened_position": tracking.notification_id,
            },
            tracking,
        )

    @process_event.register
    def _(self, e: EnterpriseRelationship.CommissionerAssigned, tracking: Tracking) -> None:
        self.view.commissioner_assigned(
            e.originator_id, e.commissioner_id, e.commissioner_name, tracking
        )
