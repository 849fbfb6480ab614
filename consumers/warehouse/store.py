"""The warehouse: the event feed loaded into its own PostgreSQL schema, exactly once.

Tables (in schema `warehouse` unless told otherwise):

    events         the fact table, one row per event id: the relay's re-sends land once
    enterprises    current state of each enterprise relationship
    issues         current state of each issue
    visits         each visit as corrected, behind the enterprises' visit figures
    kafka_offsets  (topic, partition) → the next offset to load

A batch's rows and its partitions' offsets are written in one transaction, so a crash loses
both or neither, and a restart that seeks to the stored offsets loads each record once.
The state is derived from the envelope alone (streamType, type, data), never from the
domain classes: the warehouse sees what any downstream system sees.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from eventsourcing.postgres import PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier, Placeholder
from psycopg.types.json import Jsonb

from domain.personal_data import (
    ERASED,
    FREE_TEXT_FIELDS,
    PERSON_FIELDS,
    erase_contacts,
    erase_person,
)

TABLES_SQL = (
    "CREATE SCHEMA IF NOT EXISTS {s}",
    "CREATE TABLE IF NOT EXISTS {s}.events ("
    " id text PRIMARY KEY, position bigint NOT NULL, stream_id text NOT NULL,"
    " stream_type text NOT NULL, type text NOT NULL, version int NOT NULL,"
    " schema_version int NOT NULL, occurred_at timestamptz NOT NULL,"
    " actor_id text, actor_role text, data jsonb NOT NULL,"
    " kafka_topic text NOT NULL, kafka_partition int NOT NULL, kafka_offset bigint NOT NULL,"
    " loaded_at timestamptz NOT NULL DEFAULT now())",
    "CREATE INDEX IF NOT EXISTS events_stream_idx ON {s}.events (stream_id, version)",
    "CREATE INDEX IF NOT EXISTS events_type_idx ON {s}.events (type, stream_id)",
    "CREATE TABLE IF NOT EXISTS {s}.enterprises ("
    " id text PRIMARY KEY, uscc text NOT NULL, name text NOT NULL, district text NOT NULL,"
    " industry text, size text, status text NOT NULL,"
    " commissioner_id text, commissioner_name text, handover_count int NOT NULL DEFAULT 0,"
    " visit_count int NOT NULL DEFAULT 0, last_visit_at timestamptz,"
    " policy_notice_count int NOT NULL DEFAULT 0,"
    " policy_confirmation_count int NOT NULL DEFAULT 0,"
    " opened_at timestamptz NOT NULL, closed_at timestamptz,"
    " version int NOT NULL, updated_at timestamptz NOT NULL)",
    # A visit id is unique within its enterprise (the aggregate checks no more than that).
    "CREATE TABLE IF NOT EXISTS {s}.visits ("
    " enterprise_id text NOT NULL, visit_id text NOT NULL, visited_at timestamptz NOT NULL,"
    " channel text NOT NULL, commissioner_id text NOT NULL, logged_at timestamptz NOT NULL,"
    " correction_count int NOT NULL DEFAULT 0, PRIMARY KEY (enterprise_id, visit_id))",
    "CREATE TABLE IF NOT EXISTS {s}.issues ("
    " id text PRIMARY KEY, kind text NOT NULL, category text NOT NULL, title text NOT NULL,"
    " enterprise_id text, reporting_point_id text, district text, status text NOT NULL,"
    " raised_by text, raised_at timestamptz NOT NULL, lead_department_id text,"
    " dispatched_at timestamptz, accepted_at timestamptz, last_progress_at timestamptz,"
    " resolved_at timestamptz, approved_at timestamptz, closed_at timestamptz,"
    " satisfaction text, rework_count int NOT NULL DEFAULT 0,"
    " dispatch_refusal_count int NOT NULL DEFAULT 0, reopen_count int NOT NULL DEFAULT 0,"
    " escalation_count int NOT NULL DEFAULT 0, last_escalation_level text,"
    " version int NOT NULL, updated_at timestamptz NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {s}.kafka_offsets ("
    " topic text NOT NULL, partition int NOT NULL, next_offset bigint NOT NULL,"
    " PRIMARY KEY (topic, partition))",
)

# The tables a load fills, for comparisons and exports (kafka_offsets is bookkeeping).
STATE_TABLES = ("events", "enterprises", "visits", "issues")


# ------------------------------------------------------------------ what an event changes


class Expr(NamedTuple):
    """A column's new value as SQL: {col} is the column, {s} the schema."""

    sql: str
    params: tuple[Any, ...] = ()


INCREMENT = Expr("{col} + 1")


@dataclass(frozen=True)
class Change:
    table: str
    key: Mapping[str, Any]  # the primary key's columns → values
    values: Mapping[str, Any]  # other columns → value, or an Expr
    insert: bool = False  # the row's first event: insert (a re-insert does nothing)


def changes_for(envelope: Mapping[str, Any]) -> list[Change]:
    """The state-table changes of one event; unknown types change no state (forward
    compatible: their facts are still loaded)."""
    derive = _DERIVERS.get(str(envelope["streamType"]))
    return derive(envelope) if derive else []


def _at(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _enterprise(envelope: Mapping[str, Any]) -> list[Change]:
    key, data, kind = str(envelope["streamId"]), envelope["data"], envelope["type"]
    at = _at(envelope["occurredAt"])
    stamp = {"version": envelope["version"], "updated_at": at}
    if kind == "Opened":
        row = {k: data.get(k) for k in ("uscc", "name", "district", "industry", "size")}
        opened = {**row, "status": "ACTIVE", "opened_at": at, **stamp}
        return [Change("enterprises", {"id": key}, opened, insert=True)]
    extra: list[Change] = []
    values: dict[str, Any] = dict(_ENTERPRISE_STATUS.get(kind, {}))
    if kind == "CommissionerAssigned":
        values |= {"commissioner_id": data["commissioner_id"]}
        values |= {"commissioner_name": data["commissioner_name"]}
    elif kind == "HandedOver":
        values |= {"commissioner_id": data["to_commissioner_id"], "handover_count": INCREMENT}
        values |= {"commissioner_name": data["to_commissioner_name"]}
    elif kind == "VisitLogged":
        extra.append(_visit_logged(key, data, at))
        values |= {"visit_count": INCREMENT, "last_visit_at": _latest_visit(key)}
    elif kind == "VisitCorrected":
        extra.append(_visit_corrected(key, data))
        values |= {"last_visit_at": _latest_visit(key)}
    elif kind == "PolicyNotified":
        values |= {"policy_notice_count": INCREMENT}
    elif kind == "PolicyConfirmed":
        values |= {"policy_confirmation_count": INCREMENT}
    elif kind == "Closed":
        values |= {"closed_at": at}
    # The visit rows first: the enterprise's figures are computed from them.
    return [*extra, Change("enterprises", {"id": key}, values | stamp)]


_ENTERPRISE_STATUS: dict[str, dict[str, str]] = {
    "Suspended": {"status": "SUSPENDED"},
    "Resumed": {"status": "ACTIVE"},
    "Closed": {"status": "CLOSED"},
}


def _latest_visit(enterprise_id: str) -> Expr:
    # The time of the aggregate's latest visit (which of two at one moment is the latest
    # cannot change the time; tests/integration/test_latest_visit.py checks it).
    # Recomputed, not GREATEST(): a correction may move a visit back in time.
    return Expr(
        "(SELECT max(visited_at) FROM {s}.visits WHERE enterprise_id = %s)", (enterprise_id,)
    )


def _visit_logged(enterprise_id: str, data: Mapping[str, Any], at: datetime | None) -> Change:
    row = {
        "visited_at": _at(data["visited_at"]),
        "channel": data["channel"],
        "commissioner_id": data["commissioner_id"],
        "logged_at": at,
    }
    return Change("visits", _visit_key(enterprise_id, data), row, insert=True)


def _visit_key(enterprise_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
    return {"enterprise_id": enterprise_id, "visit_id": str(data["visit_id"])}


def _visit_corrected(enterprise_id: str, data: Mapping[str, Any]) -> Change:
    changes = data.get("changes") or {}
    values: dict[str, Any] = {"correction_count": INCREMENT}
    if "visited_at" in changes:
        values["visited_at"] = _at(changes["visited_at"])
    if "channel" in changes:
        values["channel"] = changes["channel"]
    return Change("visits", _visit_key(enterprise_id, data), values)


# The issue lifecycle as domain/issue.py's diagram has it; Evaluated and Reopened depend on
# their data. A new resolution cycle clears the outcome of the last one, as the domain does.
_ISSUE_STATUS = {
    "Dispatched": "DISPATCHED",
    "Accepted": "IN_PROGRESS",
    "DispatchRefused": "RAISED",
    "Declined": "DECLINED",
    "Suspended": "SUSPENDED",
    "Resumed": "IN_PROGRESS",
    "Resolved": "RESOLVED",
    "ClosureApproved": "AWAITING_EVALUATION",
    "ReturnedForRework": "IN_PROGRESS",
    "ClosedUnrated": "CLOSED",
}
_CLEARED_OUTCOME = {"resolved_at": None, "approved_at": None, "closed_at": None}
_CLOSING = {"SATISFIED", "BASICALLY_SATISFIED"}


def _issue(envelope: Mapping[str, Any]) -> list[Change]:
    key, data, kind = str(envelope["streamId"]), envelope["data"], envelope["type"]
    at = _at(envelope["occurredAt"])
    stamp = {"version": envelope["version"], "updated_at": at}
    if kind == "Raised":
        return [Change("issues", {"id": key}, _raised(envelope, at) | stamp, insert=True)]
    values: dict[str, Any] = {}
    if kind in _ISSUE_STATUS:
        values["status"] = _ISSUE_STATUS[kind]
    values |= _issue_details(kind, data, at)
    return [Change("issues", {"id": key}, values | stamp)]


def _raised(envelope: Mapping[str, Any], at: datetime | None) -> dict[str, Any]:
    data = envelope["data"]
    row = {k: data.get(k) for k in ("kind", "category", "title", "district")}
    row |= {k: data.get(k) for k in ("enterprise_id", "reporting_point_id")}
    actor = envelope.get("actor") or {}
    return {**row, "status": "RAISED", "raised_by": actor.get("id"), "raised_at": at}


def _issue_details(kind: str, data: Mapping[str, Any], at: datetime | None) -> dict[str, Any]:
    rework = {"rework_count": INCREMENT, **_CLEARED_OUTCOME, "satisfaction": None}
    details: dict[str, dict[str, Any]] = {
        "Dispatched": {"lead_department_id": data.get("lead_department_id"), "dispatched_at": at},
        "Accepted": {"accepted_at": at},
        "DispatchRefused": {"dispatch_refusal_count": INCREMENT, "dispatched_at": None},
        "ProgressRecorded": {"last_progress_at": at},
        "Resolved": {"resolved_at": at},
        "ClosureApproved": {"approved_at": at},
        "ReturnedForRework": rework,
        "ClosedUnrated": {"satisfaction": "UNRATED", "closed_at": at},
        "Escalated": {"escalation_count": INCREMENT, "last_escalation_level": data.get("level")},
        # 催办 / 督办 / 通报 by the deadline watcher: an escalation like any other.
        "DeadlineEscalated": {
            "escalation_count": INCREMENT,
            "last_escalation_level": data.get("level"),
        },
    }
    if kind == "Evaluated":
        if data.get("satisfaction") in _CLOSING:
            return {"status": "CLOSED", "satisfaction": data["satisfaction"], "closed_at": at}
        return {"status": "IN_PROGRESS", **rework}
    if kind == "Reopened":
        cleared = {**_CLEARED_OUTCOME, "satisfaction": None}
        return {"status": data.get("to_status"), "reopen_count": INCREMENT, **cleared}
    return details.get(kind, {})


_DERIVERS = {"EnterpriseRelationship": _enterprise, "Issue": _issue}


# ------------------------------------------------------------------ erasure


def _is_erasure(envelope: Mapping[str, Any]) -> bool:
    return (envelope["streamType"], envelope["type"]) == (
        "EnterpriseRelationship",
        "PersonalDataErased",
    )


def erase_feed_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """An event's data with every personal field blanked as a whole: the feed's copies are
    masked already (王*明, 139****5678), so what is left of them is removed, not searched."""
    erased: dict[str, Any] = dict(data)
    for name, value in data.items():
        if name == "contacts" and isinstance(value, list):
            erased[name] = erase_contacts(value)
        elif name in PERSON_FIELDS or name in FREE_TEXT_FIELDS:
            erased[name] = erase_person(value)
        elif name == "changes" and isinstance(value, dict):
            erased[name] = erase_feed_data(value)
    return erased


# ------------------------------------------------------------------ the store


@dataclass(frozen=True)
class WarehouseRecord:
    """One feed record as the sink hands it over: where it was, and its envelope."""

    topic: str
    partition: int
    offset: int
    envelope: Mapping[str, Any]


@dataclass
class LoadCounts:
    loaded: int = 0  # new events: facts and state written
    duplicates: int = 0  # an event id already loaded (the relay re-sent it)
    replayed: int = 0  # an offset already loaded (Kafka handed it over again)

    def add(self, other: LoadCounts) -> None:
        self.loaded += other.loaded
        self.duplicates += other.duplicates
        self.replayed += other.replayed


@dataclass
class PostgresWarehouse:
    datastore: PostgresDatastore
    schema: str = "warehouse"
    _sql: dict[str, Composed] = field(default_factory=dict, init=False, repr=False)

    def create_tables(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            for statement in TABLES_SQL:
                curs.execute(self._format(statement))

    def starting_offsets(self, topic: str, partitions: Sequence[int]) -> dict[int, int]:
        """Where each partition's load resumes; partitions never loaded are left out."""
        query = "SELECT partition, next_offset FROM {s}.kafka_offsets"
        query += " WHERE topic = %s AND partition = ANY(%s)"
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._format(query), (topic, list(partitions)))
            return {int(row["partition"]): int(row["next_offset"]) for row in curs.fetchall()}

    def load(self, records: Iterable[WarehouseRecord]) -> LoadCounts:
        """One transaction: every record's rows and the offsets after them."""
        by_partition: dict[tuple[str, int], list[WarehouseRecord]] = {}
        for record in records:
            by_partition.setdefault((record.topic, record.partition), []).append(record)
        counts = LoadCounts()
        with self.datastore.transaction(commit=True) as curs:
            # Sorted: two members locking offset rows in one order cannot deadlock.
            for (topic, partition), batch in sorted(by_partition.items()):
                counts.add(self._load_partition(curs, topic, partition, batch))
        return counts

    def _load_partition(
        self, curs: Cursor[DictRow], topic: str, partition: int, batch: list[WarehouseRecord]
    ) -> LoadCounts:
        counts = LoadCounts()
        next_offset = self._locked_offset(curs, topic, partition)
        for record in sorted(batch, key=lambda r: r.offset):
            if record.offset < next_offset:
                counts.replayed += 1
                continue
            if self._insert_fact(curs, record):
                for change in changes_for(record.envelope):
                    self._apply(curs, change)
                if _is_erasure(record.envelope):
                    self._erase(curs, str(record.envelope["streamId"]))
                else:
                    self._erase_if_forgotten(curs, str(record.envelope["streamId"]))
                counts.loaded += 1
            else:
                counts.duplicates += 1
            next_offset = record.offset + 1
        update = "UPDATE {s}.kafka_offsets SET next_offset = %s WHERE topic = %s AND partition = %s"
        curs.execute(self._format(update), (next_offset, topic, partition))
        return counts

    def _locked_offset(self, curs: Cursor[DictRow], topic: str, partition: int) -> int:
        """The partition's offset row, locked until commit: a second member handed the same
        partition during a rebalance waits here, then sees what the first one loaded."""
        insert = "INSERT INTO {s}.kafka_offsets VALUES (%s, %s, 0) ON CONFLICT DO NOTHING"
        curs.execute(self._format(insert), (topic, partition))
        select = "SELECT next_offset FROM {s}.kafka_offsets"
        select += " WHERE topic = %s AND partition = %s FOR UPDATE"
        curs.execute(self._format(select), (topic, partition))
        row = curs.fetchone()
        assert row is not None  # inserted just above if it was missing
        return int(row["next_offset"])

    def _erase(self, curs: Cursor[DictRow], enterprise_id: str) -> None:
        """个人信息删除: the copies of the enterprise's personal data held here, in its own
        events and in those of its issues, are blanked; facts and counts stay."""
        select = "SELECT id, data FROM {s}.events WHERE stream_id = %s"
        select += " OR stream_id IN (SELECT id FROM {s}.issues WHERE enterprise_id = %s)"
        curs.execute(self._format(select), (enterprise_id, enterprise_id))
        update = "UPDATE {s}.events SET data = %s WHERE id = %s"
        for row in curs.fetchall():
            erased = erase_feed_data(row["data"])
            if erased != row["data"]:
                curs.execute(self._format(update), (Jsonb(erased), row["id"]))
        titles = "UPDATE {s}.issues SET title = %s WHERE enterprise_id = %s"
        curs.execute(self._format(titles), (str(ERASED), enterprise_id))

    def _erase_if_forgotten(self, curs: Cursor[DictRow], stream_id: str) -> None:
        """Kafka orders each partition on its own: an issue's event may arrive after its
        enterprise's erasure was loaded from another partition (a restart, a slow partition).
        What arrives for an erased enterprise is blanked as it lands."""
        query = (
            "SELECT stream_id FROM {s}.events WHERE stream_type = 'EnterpriseRelationship'"
            " AND type = 'PersonalDataErased' AND stream_id IN"
            " (%s, (SELECT enterprise_id FROM {s}.issues WHERE id = %s)) LIMIT 1"
        )
        curs.execute(self._format(query), (stream_id, stream_id))
        row = curs.fetchone()
        if row is not None:
            self._erase(curs, str(row["stream_id"]))

    def _insert_fact(self, curs: Cursor[DictRow], record: WarehouseRecord) -> bool:
        envelope = record.envelope
        actor = envelope.get("actor") or {}
        insert = (
            "INSERT INTO {s}.events (id, position, stream_id, stream_type, type, version,"
            " schema_version, occurred_at, actor_id, actor_role, data,"
            " kafka_topic, kafka_partition, kafka_offset)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (id) DO NOTHING RETURNING 1"
        )
        params = (
            envelope["id"], envelope["position"], envelope["streamId"],
            envelope["streamType"], envelope["type"], envelope["version"],
            envelope.get("schemaVersion", 1), _at(envelope.get("occurredAt")),
            actor.get("id"), actor.get("role"), Jsonb(envelope["data"]),
            record.topic, record.partition, record.offset,
        )  # fmt: skip
        curs.execute(self._format(insert), params)
        return curs.fetchone() is not None

    def _apply(self, curs: Cursor[DictRow], change: Change) -> None:
        table = SQL("{}.{}").format(Identifier(self.schema), Identifier(change.table))
        if change.insert:
            row = {**change.key, **change.values}
            insert = SQL("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT DO NOTHING").format(
                table,
                SQL(", ").join(map(Identifier, row)),
                SQL(", ").join(Placeholder() * len(row)),
            )
            curs.execute(insert, list(row.values()))
            return
        assignments: list[Composed] = []
        params: list[Any] = []
        for column, value in change.values.items():
            expr = value if isinstance(value, Expr) else Expr("%s", (value,))
            target = SQL(expr.sql).format(col=Identifier(column), s=Identifier(self.schema))
            assignments.append(SQL("{} = {}").format(Identifier(column), target))
            params.extend(expr.params)
        where = SQL(" AND ").join(SQL("{} = %s").format(Identifier(c)) for c in change.key)
        update = SQL("UPDATE {} SET {} WHERE {}").format(table, SQL(", ").join(assignments), where)
        curs.execute(update, [*params, *change.key.values()])

    def _format(self, statement: str) -> Composed:
        if statement not in self._sql:
            self._sql[statement] = SQL(statement).format(s=Identifier(self.schema))  # type: ignore[arg-type]
        return self._sql[statement]
