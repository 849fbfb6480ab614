"""Versions of the read models: rebuilds without downtime, the switch, runners that follow it.

Layout. A projection NAME is kept in physical versions: version N's tables are
`NAME_vN_<suffix>`, its tracking table included, so each version has its own position and
its rows and position commit together. Readers never name a version: they query
`NAME_<suffix>`, PostgreSQL views over the active version's tables. The registry table
`projection_versions(name, active_version)` says which version that is.

Rebuild. Version N+1 is built beside the live version N, from position 0, while the live
runner keeps writing N and the API keeps reading it. Once N+1 has caught up with the log,
one transaction switches: it freezes N's position (an EXCLUSIVE lock on N's tracking table
holds the live writer back, never a reader), catches N+1 up to that frozen position, points
every reader view at N+1 and updates the registry. Replacing a view takes an ACCESS
EXCLUSIVE lock and every reader statement holds a share lock on the views it reads until its
transaction ends, so a reader sees all of N or all of N+1, and N+1 never starts behind what
readers last saw. Runners poll the registry and restart on the new version from its own
tracked position; another process needs no signal.

Retention. The version just replaced is kept for `rollback` (it stops advancing once its
runner moves on, and catches up again if it is made active); older versions are dropped
only after the switch has committed. A version above the active one is an interrupted
rebuild's leftover: nobody reads it, and the next rebuild drops it.
"""

from __future__ import annotations

import itertools
import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg.errors
from eventsourcing.persistence import OperationalError
from eventsourcing.postgres import PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from application.service_package import ServicePackage

log = logging.getLogger("espcrm.projections")

APPLICATION = ServicePackage.name  # the log every view tracks its position in

REGISTRY_SQL = (
    "CREATE TABLE IF NOT EXISTS projection_versions ("
    " name text PRIMARY KEY, active_version int NOT NULL,"
    " switched_at timestamptz NOT NULL DEFAULT now())"
)
# Which code built each version (View.definition()): a version built by other code is rebuilt.
DEFINITIONS_SQL = (
    "CREATE TABLE IF NOT EXISTS projection_definitions ("
    " name text NOT NULL, version int NOT NULL, definition text NOT NULL,"
    " recorded_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (name, version))"
)


def version_prefix(name: str, version: int) -> str:
    """The prefix of one physical version's tables (its tracking table's included)."""
    return f"{name}_v{version}"


class RebuildAlreadyRunning(RuntimeError):
    pass


class VersionConflict(RuntimeError):
    """The active version changed under us (another rebuild or rollback won)."""


class ProjectionVersions:
    """The registry of active versions, and the DDL that moves readers from one to another."""

    # Below PostgreSQL's deadlock_timeout (1 s): should a reader holding one view wait for
    # another that the switch holds, the switch times out first and retries, so the
    # deadlock detector never picks the reader as its victim.
    SWITCH_LOCK_TIMEOUT = "200ms"
    SWITCH_ATTEMPTS = 50
    DROP_LOCK_TIMEOUT = "5s"  # ten poll intervals of a runner moving off the version

    def __init__(self, datastore: PostgresDatastore) -> None:
        self.datastore = datastore

    # The registry

    def create_table(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(REGISTRY_SQL)
            curs.execute(DEFINITIONS_SQL)

    def record_definition(self, name: str, version: int, definition: str) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                "INSERT INTO projection_definitions (name, version, definition)"
                " VALUES (%s, %s, %s) ON CONFLICT (name, version)"
                " DO UPDATE SET definition = EXCLUDED.definition, recorded_at = now()",
                (name, version, definition),
            )

    def definition_of(self, name: str, version: int) -> str | None:
        """The definition of the code that built the version; None if not recorded (it
        was built before definitions were recorded)."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                "SELECT definition FROM projection_definitions WHERE name = %s AND version = %s",
                (name, version),
            )
            row = curs.fetchone()
        return str(row["definition"]) if row else None

    def active(self, name: str) -> int | None:
        with self.datastore.transaction(commit=False) as curs:
            return self._active(curs, name)

    def versions(self, name: str) -> list[int]:
        """The physical versions present, found by their tracking tables."""
        pattern = re.compile(rf"^{re.escape(name)}_v(\d+)_tracking$")
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                " AND tablename LIKE %s",
                (_like_prefix(f"{name}_v") + "%",),
            )
            found = [pattern.match(r["tablename"]) for r in curs.fetchall()]
        return sorted(int(m.group(1)) for m in found if m)

    def position(self, name: str, version: int) -> int:
        tracking = Identifier(f"{version_prefix(name, version)}_tracking")
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL("SELECT max(notification_id) AS p FROM {} WHERE application_name = %s").format(
                    tracking
                ),
                (APPLICATION,),
            )
            row = curs.fetchone()
        return int(row["p"] or 0) if row else 0

    # Locks held for a whole operation (session advisory locks, released on disconnect too)

    @contextmanager
    def exclusive(self, key: str) -> Iterator[None]:
        """Wait for, then hold, a cluster-wide lock (e.g. first start-up of two processes)."""
        with self.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (key,))
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))

    @contextmanager
    def rebuild_lock(self, name: str) -> Iterator[None]:
        """One rebuild of a projection at a time: a second one is refused, not queued."""
        key = f"espcrm.rebuild.{name}"
        with self.datastore.get_connection() as conn:
            row = conn.execute("SELECT pg_try_advisory_lock(hashtext(%s)) AS ok", (key,)).fetchone()
            if not row or not row["ok"]:
                raise RebuildAlreadyRunning(f"a rebuild of {name} is already running")
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))

    # Moving readers

    def switch(
        self,
        name: str,
        version: int,
        *,
        expected: int | None,
        catch_up: Callable[[int], object] | None = None,
    ) -> None:
        """Point readers at `version` in one transaction, if `expected` is still active.

        `catch_up(position)` runs while the active version's writer is held at `position`,
        to bring the new version at least that far before readers see it.
        """
        for attempt in itertools.count(1):
            try:
                with self.datastore.transaction(commit=True) as curs:
                    self._switch(curs, name, version, expected, catch_up)
                log.info("%s: readers switched to version %d", name, version)
                return
            except OperationalError as error:
                busy = isinstance(error.__cause__, psycopg.errors.LockNotAvailable)
                if not busy or attempt >= self.SWITCH_ATTEMPTS:
                    raise
                time.sleep(min(0.02 * attempt, 0.5))  # readers hold the views: let them finish

    def _switch(
        self,
        curs: Cursor[DictRow],
        name: str,
        version: int,
        expected: int | None,
        catch_up: Callable[[int], object] | None,
    ) -> None:
        curs.execute(f"SET LOCAL lock_timeout = '{self.SWITCH_LOCK_TIMEOUT}'")
        active = self._active(curs, name, for_update=True)
        if active != expected:
            raise VersionConflict(f"{name}: version {active} is active, not {expected}")
        new_tables = self._tables(curs, name, version)
        if "tracking" not in new_tables:
            raise LookupError(f"{name} has no version {version}")
        old_tables = self._tables(curs, name, active) if active is not None else []
        if active is not None and catch_up is not None:
            catch_up(self._freeze(curs, name, active))
        for suffix in sorted(set(old_tables) - set(new_tables)):
            curs.execute(SQL("DROP VIEW IF EXISTS {}").format(Identifier(f"{name}_{suffix}")))
        for suffix in new_tables:
            stable = Identifier(f"{name}_{suffix}")
            physical = Identifier(f"{version_prefix(name, version)}_{suffix}")
            # Drop and create rather than CREATE OR REPLACE: a new version may change columns.
            curs.execute(SQL("DROP VIEW IF EXISTS {}").format(stable))
            curs.execute(SQL("CREATE VIEW {} AS SELECT * FROM {}").format(stable, physical))
        curs.execute(
            "INSERT INTO projection_versions (name, active_version) VALUES (%s, %s)"
            " ON CONFLICT (name) DO UPDATE"
            " SET active_version = EXCLUDED.active_version, switched_at = now()",
            (name, version),
        )

    def _freeze(self, curs: Cursor[DictRow], name: str, version: int) -> int:
        """Hold the version's writer (readers pass) until commit; its position meanwhile."""
        tracking = Identifier(f"{version_prefix(name, version)}_tracking")
        curs.execute(SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(tracking))
        curs.execute(
            SQL("SELECT max(notification_id) AS p FROM {} WHERE application_name = %s").format(
                tracking
            ),
            (APPLICATION,),
        )
        row = curs.fetchone()
        return int(row["p"] or 0) if row else 0

    def drop(self, name: str, version: int) -> bool:
        """Drop a version's tables, unless it is active or a runner still writes it.

        A runner leaves a version within a poll interval of the switch; until it has, its
        lease (a shared advisory lock) keeps the tables, and a later rebuild drops them.
        """
        try:
            with self.datastore.transaction(commit=True) as curs:
                curs.execute(f"SET LOCAL lock_timeout = '{self.DROP_LOCK_TIMEOUT}'")
                if self._active(curs, name, for_update=True) == version:
                    raise ValueError(f"{name}: version {version} is active")
                curs.execute(
                    "SELECT pg_advisory_xact_lock(hashtext(%s))", (lease_key(name, version),)
                )
                for suffix in self._tables(curs, name, version):
                    physical = f"{version_prefix(name, version)}_{suffix}"
                    curs.execute(SQL("DROP TABLE IF EXISTS {}").format(Identifier(physical)))
                curs.execute(
                    "DELETE FROM projection_definitions WHERE name = %s AND version = %s",
                    (name, version),
                )
        except OperationalError as error:
            if not isinstance(error.__cause__, psycopg.errors.LockNotAvailable):
                raise
            log.warning("%s: version %d still has a runner; kept for now", name, version)
            return False
        log.info("%s: version %d dropped", name, version)
        return True

    def adopt_unversioned(self, name: str, suffixes: tuple[str, ...]) -> bool:
        """Rename tables from before versioning (`NAME_<suffix>`) to version 1, rows kept.

        Their indexes are renamed too, so that version 1's CREATE INDEX IF NOT EXISTS finds
        them instead of building duplicates.
        """
        with self.datastore.transaction(commit=True) as curs:
            if self._relkind(curs, f"{name}_tracking") != "r":
                return False
            for suffix in suffixes:
                old, new = f"{name}_{suffix}", f"{version_prefix(name, 1)}_{suffix}"
                if self._relkind(curs, old) != "r":
                    continue
                curs.execute(
                    "SELECT indexname FROM pg_indexes"
                    " WHERE schemaname = current_schema() AND tablename = %s",
                    (old,),
                )
                for index in [r["indexname"] for r in curs.fetchall()]:
                    if index.startswith(f"{name}_"):
                        renamed = version_prefix(name, 1) + index.removeprefix(name)
                        curs.execute(
                            SQL("ALTER INDEX {} RENAME TO {}").format(
                                Identifier(index), Identifier(renamed)
                            )
                        )
                curs.execute(
                    SQL("ALTER TABLE {} RENAME TO {}").format(Identifier(old), Identifier(new))
                )
        log.info("%s: unversioned tables adopted as version 1", name)
        return True

    # Catalogue look-ups

    @staticmethod
    def _active(curs: Cursor[DictRow], name: str, *, for_update: bool = False) -> int | None:
        lock = " FOR UPDATE" if for_update else ""
        curs.execute(
            f"SELECT active_version FROM projection_versions WHERE name = %s{lock}",  # type: ignore[arg-type]
            (name,),
        )
        row = curs.fetchone()
        return int(row["active_version"]) if row else None

    @staticmethod
    def _tables(curs: Cursor[DictRow], name: str, version: int) -> list[str]:
        """The suffixes of a version's tables, as they are in the database."""
        prefix = version_prefix(name, version) + "_"
        curs.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            " AND tablename LIKE %s ORDER BY tablename",
            (_like_prefix(prefix) + "%",),
        )
        return [r["tablename"].removeprefix(prefix) for r in curs.fetchall()]

    @staticmethod
    def _relkind(curs: Cursor[DictRow], relation: str) -> str | None:
        curs.execute(
            "SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relname = %s",
            (relation,),
        )
        row = curs.fetchone()
        return str(row["relkind"]) if row else None


def lease_key(name: str, version: int) -> str:
    return f"espcrm.version.{version_prefix(name, version)}"


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%")
