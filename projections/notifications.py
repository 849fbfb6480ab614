"""The notification outbox's records (通知): written by the outbox process, read by the inbox.

Not a rebuildable projection (it is not in the catalogue): delivery state is not derived from
the log, and rebuilding it would send everything again. The outbox process
(processes/notification_outbox.py) writes notices and their deliveries in the same transaction
as its position, each notice once by its key; the inbox query and the live stream read them.

Tables (`{p}` is `notification_outbox`):
- `{p}_notices`: one row per notice and recipient (key unique; seq orders them);
- `{p}_deliveries`: one row per notice, channel and target (SMS, WECOM) with its state,
  attempts and the time of its next try (a lease while SENDING);
- `{p}_reads`: who read which notice (a department's notice is read per person).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.persistence import Tracking
from psycopg import Cursor
from psycopg.rows import DictRow

from domain.notifications import Channel, DeliveryState, Notice, NoticeKind
from projections.base import View

_NAMESPACE = uuid5(NAMESPACE_URL, "https://espcrm/notifications")


def notice_id(key: str) -> UUID:
    return uuid5(_NAMESPACE, key)


@dataclass(frozen=True)
class Audience:
    """The recipients whose notices one person reads (api/access.py decides it)."""

    user_id: str
    recipients: tuple[str, ...]
    all_supervisors: bool = False  # every district's supervisors' notices (no district limit)


@dataclass(frozen=True)
class NoticeRow:
    id: UUID
    seq: int
    key: str
    recipient: str
    kind: str
    text_key: str
    params: dict[str, str]
    issue_id: str | None
    enterprise_id: str | None
    created_at: datetime
    read_at: datetime | None = None


@dataclass(frozen=True)
class InboxPage:
    rows: list[NoticeRow]
    has_next_page: bool
    unread_count: int


@dataclass(frozen=True)
class Delivery:
    """One channel's delivery of one notice, as a sender claims it."""

    key: str
    channel: Channel
    target: str
    attempts: int
    state: DeliveryState  # before the claim: SENDING means its lease ran out (a sender stopped)
    notice: NoticeRow


_NOTICE = "n.id, n.seq, n.key, n.recipient, n.kind, n.text_key, n.params, n.issue_id," \
    " n.enterprise_id, n.created_at"  # fmt: skip


class NotificationStore(View):
    create_sql = (
        "CREATE TABLE IF NOT EXISTS {p}_notices ("
        " seq bigserial PRIMARY KEY, id uuid NOT NULL UNIQUE, key text NOT NULL UNIQUE,"
        " recipient text NOT NULL, kind text NOT NULL, text_key text NOT NULL,"
        " params jsonb NOT NULL, issue_id text, enterprise_id text,"
        " created_at timestamptz NOT NULL)",
        "CREATE INDEX IF NOT EXISTS {p}_recipient_idx ON {p}_notices (recipient, seq)",
        "CREATE TABLE IF NOT EXISTS {p}_deliveries ("
        " key text NOT NULL REFERENCES {p}_notices (key), channel text NOT NULL,"
        " target text NOT NULL, state text NOT NULL, attempts int NOT NULL DEFAULT 0,"
        " next_at timestamptz NOT NULL, last_error text, sent_at timestamptz,"
        " PRIMARY KEY (key, channel, target))",
        "CREATE INDEX IF NOT EXISTS {p}_due_idx ON {p}_deliveries (next_at)"
        " WHERE state IN ('PENDING', 'SENDING')",
        "CREATE TABLE IF NOT EXISTS {p}_reads ("
        " user_id text NOT NULL, id uuid NOT NULL, read_at timestamptz NOT NULL,"
        " PRIMARY KEY (user_id, id))",
    )

    # ------------------------------------------------------------ writing (the outbox)

    def record(
        self, notices: Sequence[tuple[Notice, Sequence[tuple[Channel, str]]]], tracking: Tracking
    ) -> None:
        """An event's notices and their deliveries, with the outbox's position: both or
        neither; a notice already stored (its key) is left as it is."""
        with self.tracked(tracking) as curs:
            for notice, routes in notices:
                self._insert(curs, notice, routes)

    def enqueue(self, notice: Notice, routes: Sequence[tuple[Channel, str]]) -> bool:
        """A notice outside the log's order (a reminder, the Notifier port); False when its
        key was stored before (nothing is sent twice)."""
        with self.datastore.transaction(commit=True) as curs:
            return self._insert(curs, notice, routes)

    def _insert(
        self, curs: Cursor[DictRow], notice: Notice, routes: Sequence[tuple[Channel, str]]
    ) -> bool:
        p = self.prefix
        curs.execute(
            f"INSERT INTO {p}_notices (id, key, recipient, kind, text_key, params, issue_id,"
            " enterprise_id, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (key) DO NOTHING",  # type: ignore[arg-type]
            (
                notice_id(notice.key), notice.key, notice.recipient, notice.kind.value,
                notice.text_key, json.dumps(notice.params, ensure_ascii=False),
                notice.issue_id, notice.enterprise_id, notice.at,
            ),
        )  # fmt: skip
        if curs.rowcount == 0:
            return False
        for channel, target in routes:
            curs.execute(
                f"INSERT INTO {p}_deliveries (key, channel, target, state, next_at)"
                " VALUES (%s, %s, %s, 'PENDING', %s) ON CONFLICT DO NOTHING",  # type: ignore[arg-type]
                (notice.key, channel.value, target, notice.at),
            )
        return True

    # ------------------------------------------------------------ delivering

    def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[Delivery]:
        """Deliveries due at `now` (new, retried, or SENDING whose lease ran out), marked
        SENDING until `lease_until` in one committed statement before anything is sent: two
        senders never take the same one, and a sender that stops leaves it SENDING."""
        p = self.prefix
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                f"WITH due AS (SELECT key, channel, target, state AS was FROM {p}_deliveries"
                " WHERE state IN ('PENDING', 'SENDING') AND next_at <= %s ORDER BY next_at"
                " LIMIT %s FOR UPDATE SKIP LOCKED)"
                f" UPDATE {p}_deliveries d SET state = 'SENDING', next_at = %s,"
                " attempts = d.attempts + 1 FROM due WHERE d.key = due.key"
                " AND d.channel = due.channel AND d.target = due.target"
                " RETURNING d.key, d.channel, d.target, d.attempts, due.was",  # type: ignore[arg-type]
                (now, limit, lease_until),
            )
            claimed = curs.fetchall()
            if not claimed:
                return []
            curs.execute(
                f"SELECT {_NOTICE} FROM {p}_notices n WHERE n.key = ANY(%s)",  # type: ignore[arg-type]
                ([r["key"] for r in claimed],),
            )
            notices = {r["key"]: _notice(r) for r in curs.fetchall()}
        return [
            Delivery(
                r["key"], Channel(r["channel"]), r["target"], r["attempts"],
                DeliveryState(r["was"]), notices[r["key"]],
            )
            for r in claimed
        ]  # fmt: skip

    def settle(
        self,
        delivery: Delivery,
        state: DeliveryState,
        now: datetime,
        *,
        next_at: datetime | None = None,
        error: str | None = None,
    ) -> None:
        """What became of a claimed delivery: SENT, PENDING again at `next_at`, FAILED or
        UNCERTAIN."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                f"UPDATE {self.prefix}_deliveries SET state = %s,"
                " next_at = coalesce(%s, next_at), last_error = %s,"
                " sent_at = CASE WHEN %s = 'SENT' THEN %s ELSE sent_at END"
                " WHERE key = %s AND channel = %s AND target = %s",  # type: ignore[arg-type]
                (
                    state.value, next_at, error, state.value, now,
                    delivery.key, delivery.channel.value, delivery.target,
                ),
            )  # fmt: skip

    def deliveries(self) -> list[dict[str, Any]]:
        """Every delivery's state (status and tests)."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT key, channel, target, state, attempts, next_at, last_error, sent_at"
                f" FROM {self.prefix}_deliveries ORDER BY key, channel, target"  # type: ignore[arg-type]
            )
            return [dict(r) for r in curs.fetchall()]

    def next_delivery_at(self) -> datetime | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT min(next_at) AS at FROM {self.prefix}_deliveries"
                " WHERE state IN ('PENDING', 'SENDING')"  # type: ignore[arg-type]
            )
            row = curs.fetchone()
            return row["at"] if row else None

    # ------------------------------------------------------------ reading (the inbox)

    def inbox(
        self, audience: Audience, first: int, after: int | None, unread_only: bool
    ) -> InboxPage:
        """One person's notices, the newest first (`after`: the seq of the last one seen)."""
        where, params = self._audience(audience)
        page_where = where
        page_params = list(params)
        if after is not None:
            page_where += " AND n.seq < %s"
            page_params.append(after)
        if unread_only:
            page_where += " AND r.read_at IS NULL"
        join = f"LEFT JOIN {self.prefix}_reads r ON r.id = n.id AND r.user_id = %s"
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT {_NOTICE}, r.read_at FROM {self.prefix}_notices n {join}"
                f" WHERE {page_where} ORDER BY n.seq DESC LIMIT %s",  # type: ignore[arg-type]
                [audience.user_id, *page_params, first + 1],
            )
            rows = [_notice(r) for r in curs.fetchall()]
            curs.execute(
                f"SELECT count(*) AS n FROM {self.prefix}_notices n {join}"
                f" WHERE {where} AND r.read_at IS NULL",  # type: ignore[arg-type]
                [audience.user_id, *params],
            )
            unread = curs.fetchone()
        return InboxPage(rows[:first], len(rows) > first, int(unread["n"]) if unread else 0)

    def since(self, audience: Audience, after_seq: int, limit: int = 100) -> list[NoticeRow]:
        """One person's notices after `after_seq`, oldest first (the live stream)."""
        where, params = self._audience(audience)
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                f"SELECT {_NOTICE} FROM {self.prefix}_notices n"
                f" WHERE {where} AND n.seq > %s ORDER BY n.seq LIMIT %s",  # type: ignore[arg-type]
                [*params, after_seq, limit],
            )
            return [_notice(r) for r in curs.fetchall()]

    def latest_seq(self) -> int:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(f"SELECT coalesce(max(seq), 0) AS s FROM {self.prefix}_notices")  # type: ignore[arg-type]
            row = curs.fetchone()
            return int(row["s"]) if row else 0

    def mark_read(self, audience: Audience, ids: Sequence[UUID], now: datetime) -> list[UUID]:
        """Mark the person's own notices among `ids` read (others' are ignored); the ids of
        their notices among `ids`, read before or now."""
        where, params = self._audience(audience)
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                f"SELECT n.id FROM {self.prefix}_notices n WHERE {where} AND n.id = ANY(%s)",  # type: ignore[arg-type]
                [*params, list(ids)],
            )
            own = [r["id"] for r in curs.fetchall()]
            for one in own:
                curs.execute(
                    f"INSERT INTO {self.prefix}_reads VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",  # type: ignore[arg-type]
                    (audience.user_id, one, now),
                )
        return own

    @staticmethod
    def _audience(audience: Audience) -> tuple[str, list[Any]]:
        clause = "(n.recipient = ANY(%s)"
        params: list[Any] = [list(audience.recipients)]
        if audience.all_supervisors:
            clause += " OR n.recipient LIKE 'district:%%' OR n.recipient = 'supervisors'"
        return clause + ")", params


def _notice(r: dict[str, Any]) -> NoticeRow:
    params = r["params"]
    return NoticeRow(
        id=r["id"], seq=r["seq"], key=r["key"], recipient=r["recipient"],
        kind=NoticeKind(r["kind"]).value, text_key=r["text_key"],
        params=params if isinstance(params, dict) else json.loads(params),
        issue_id=r["issue_id"], enterprise_id=r["enterprise_id"], created_at=r["created_at"],
        read_at=r.get("read_at"),
    )  # fmt: skip
