"""The composition root: every entrypoint and every test builds the system here."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, cast

from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.projection import Projection
from eventsourcing.utils import Environment

from application.service_package import ServicePackage
from domain.shared import Clock
from domain.time_limits import SlaPolicy
from infra.batch_runner import BatchingRunner
from infra.leader import AdvisoryLock, Leader, projection_key
from infra.log_waiter import LogWaiter
from infra.policy_catalogue_loader import load_policy_catalogue
from infra.postgres_server import EmbeddedPostgres, PgAddress, ensure_database, parse_database_url
from infra.projection_admin import (
    FollowingRunner,
    ProjectionVersions,
    RunningVersion,
    rebuild,
    version_prefix,
)
from infra.settings import Settings
from infra.working_calendar import ChineseWorkingCalendar
from projections.base import View
from projections.enterprise_directory import (
    EnterpriseDirectoryProjection,
    EnterpriseDirectoryView,
)
from projections.issue_board import IssueBoardProjection, IssueBoardView
from projections.kpi import KpiProjection, KpiView
from projections.reference_data import ReferenceDataProjection, ReferenceDataView
from projections.state import ProjectionStates
from projections.views import Views
from projections.visit_history import VisitHistoryProjection, VisitHistoryView

log = logging.getLogger("espcrm")

# Each read model: its view class, and how to build its projection from the view and the app.
ProjectionFactory = Callable[[Any, ServicePackage, Settings], Projection[Any]]


def _states(app: ServicePackage) -> ProjectionStates:
    return ProjectionStates(
        lambda stream_id, version: app.repository.get(stream_id, version=version)
    )


PROJECTIONS: dict[str, tuple[type[View], ProjectionFactory]] = {
    "enterprise_directory": (
        EnterpriseDirectoryView,
        lambda view, app, _: EnterpriseDirectoryProjection(view, _states(app)),
    ),
    "visit_history": (
        VisitHistoryView,
        lambda view, app, _: VisitHistoryProjection(view, _states(app)),
    ),
    "reference_data": (
        ReferenceDataView,
        lambda view, app, _: ReferenceDataProjection(view),
    ),
    "kpi": (
        KpiView,
        lambda view, app, settings: KpiProjection(
            view, _states(app), SlaPolicy(), ChineseWorkingCalendar(settings.calendar_dir)
        ),
    ),
    "issue_board": (
        IssueBoardView,
        lambda view, app, settings: IssueBoardProjection(
            view, _states(app), SlaPolicy(), ChineseWorkingCalendar(settings.calendar_dir)
        ),
    ),
}


def eventsourcing_env(address: PgAddress, settings: Settings) -> dict[str, str]:
    """The settings eventsourcing reads, derived from ours (never from the process env)."""
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": address.dbname,
        "POSTGRES_HOST": address.host,
        "POSTGRES_PORT": str(address.port),
        "POSTGRES_USER": address.user,
        "POSTGRES_PASSWORD": address.password,
        "POSTGRES_POOL_SIZE": str(settings.pool_size),
        # Few connections held open per pool, more on demand: a process has many pools.
        "POSTGRES_MAX_OVERFLOW": str(settings.pool_size * 4),
        "POSTGRES_PRE_PING": "y",
        "POSTGRES_CONNECT_TIMEOUT": str(settings.db_connect_timeout),
        "POSTGRES_LOCK_TIMEOUT": "5",
        "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
        "CIPHER_KEY": settings.resolved_cipher_key(),
        "CREATE_TABLE": "y",
        "APPLICATION_RECORDER_TOPIC": "infra.event_store:EspcrmRecorder",
    }


@dataclass
class Container:
    """Everything an entrypoint needs, built once."""

    settings: Settings
    address: PgAddress
    env: dict[str, str]
    app: ServicePackage
    views: Views
    embedded: EmbeddedPostgres | None = None
    # One per projection: its runner runs only in the process holding that projection's lock.
    leaders: list[Leader[FollowingRunner]] = field(default_factory=list)

    @property
    def runners(self) -> list[FollowingRunner]:
        """The runners this process leads (all of them unless another process runs some)."""
        return [leader.job for leader in self.leaders if leader.job is not None]

    def tracking_recorder(self, name: str) -> PostgresTrackingRecorder:
        """A position of its own for a follower of the log (the relay, a consumer)."""
        factory = InfrastructureFactory[PostgresTrackingRecorder].construct(
            env=Environment(name, self.env)
        )
        return factory.tracking_recorder(PostgresTrackingRecorder)

    def log_waiter(self) -> LogWaiter:
        """Wakes a follower of the log (the relay) when the event store appends."""
        channel = self.app.recorder.channel_name  # type: ignore[attr-defined]
        return LogWaiter(self.address, channel, self.settings.db_connect_timeout)

    @property
    def projection_versions(self) -> ProjectionVersions:
        return ProjectionVersions(self.app.recorder.datastore)  # type: ignore[attr-defined]

    def projection_at(self, name: str, version: int) -> tuple[View, Projection[Any]]:
        """One projection writing one physical version of its view (tables made if missing)."""
        view_class, make_projection = PROJECTIONS[name]
        view = build_view(self.env, version_prefix(name, version), view_class)
        return view, make_projection(view, self.app, self.settings)

    def run_version(self, name: str, version: int) -> RunningVersion:
        view, projection = self.projection_at(name, version)
        # An application of its own (its own pool), as the library's runner has.
        reader = ServicePackage(env=self.env)
        runner = BatchingRunner(reader, projection, view, self.log_waiter())
        return RunningVersion(version, runner.__enter__(), view)

    def start_projections(self) -> None:
        """Run every projection, each following its active version, in whichever process
        holds its lock: a second process stands by and takes over when the first dies."""
        for name in PROJECTIONS:
            lock = AdvisoryLock(
                self.address, projection_key(name), self.settings.db_connect_timeout
            )
            self.leaders.append(
                Leader(lock, partial(self._follow, name), FollowingRunner.close).start()
            )

    def _follow(self, name: str) -> FollowingRunner:
        self._rebuild_if_redefined(name)
        follower = FollowingRunner(name, self.projection_versions, partial(self.run_version, name))
        return follower.start()

    def _rebuild_if_redefined(self, name: str) -> None:
        """A version built by other code (a view whose tables or meaning changed since) is
        not followed: this code's version is built beside it first, then readers switch.
        Readers keep the old version's rows meanwhile; they are never written by this code."""
        versions = self.projection_versions
        active = versions.active(name)
        wanted = PROJECTIONS[name][0].definition()
        built_by = versions.definition_of(name, active) if active is not None else wanted
        if built_by == wanted:
            return
        log.warning(
            "%s: version %s was built by other code (%s, this code's is %s): rebuilding",
            name, active, built_by or "unrecorded", wanted,
        )  # fmt: skip
        report = rebuild(self, name)
        log.warning(
            "%s: version %d built (%d events in %.1f s) and switched to",
            name, report.new_version, report.events, report.seconds,
        )  # fmt: skip

    def wait_for_projections(self, position: int, timeout: float = 10.0) -> None:
        """Until every projection reached `position` (this process must lead them all)."""
        deadline = time.monotonic() + timeout
        for leader in self.leaders:
            runner = leader.wait_leading(max(0.0, deadline - time.monotonic()))
            runner.wait(position, timeout=max(0.0, deadline - time.monotonic()))

    def close(self) -> None:
        for leader in self.leaders:
            leader.close()
        self.leaders.clear()
        for view in self.views.all().values():
            view.datastore.close()
        self.app.close()
        if self.embedded is not None:
            self.embedded.stop()


def database_address(settings: Settings) -> tuple[PgAddress, EmbeddedPostgres | None]:
    """The external server when configured, else the embedded one (started or reused)."""
    if settings.database_url:
        return parse_database_url(settings.database_url), None
    embedded = EmbeddedPostgres(settings.data_dir)
    return embedded.start().with_dbname(settings.database_name), embedded


def build_view(
    env: dict[str, str], name: str, view_class: type[View], *, create_tables: bool = True
) -> View:
    """A view whose tables are named after `name` (readers' stable names or a version's)."""
    if not create_tables:
        env = {**env, "CREATE_TABLE": "n"}
    factory = InfrastructureFactory[PostgresTrackingRecorder].construct(env=Environment(name, env))
    view = cast(View, factory.tracking_recorder(view_class))
    if not create_tables:
        # Readers' statements are never prepared server-side: a prepared `SELECT *` fails
        # ("cached plan must not change result type") once a rebuild changes the columns.
        pool = view.datastore.pool
        pool.kwargs = {**(pool.kwargs or {}), "prepare_threshold": None}  # type: ignore[dict-item]
    view.cipher = AESCipher(Environment("", env))
    return view


def install_projections(env: dict[str, str], versions: ProjectionVersions) -> None:
    """Give every projection without one a version 1 (adopting tables from before versions).

    Under a cluster-wide lock: the API and the runners may start at the same moment.
    """
    with versions.exclusive("espcrm.projection_versions"):
        versions.create_table()
        for name, (view_class, _) in PROJECTIONS.items():
            if versions.active(name) is not None:
                continue
            adopted = versions.adopt_unversioned(name, view_class.tables())
            build_view(env, version_prefix(name, 1), view_class).datastore.close()
            if not adopted:  # adopted tables were built by older code: left unrecorded
                versions.record_definition(name, 1, view_class.definition())
            versions.switch(name, 1, expected=None)


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    address: PgAddress | None = None,
) -> Container:
    """Start (or reuse) the database, create tables once, and wire the parts."""
    settings = settings or Settings()
    embedded = None
    if address is None:
        address, embedded = database_address(settings)
    ensure_database(address)
    env = eventsourcing_env(address, settings)
    app = ServicePackage(env=env, clock=clock, catalogue=load_policy_catalogue())
    install_projections(env, ProjectionVersions(app.recorder.datastore))  # type: ignore[attr-defined]
    # Readers query the stable names: views over whichever version is active.
    views = Views(
        **{
            name: build_view(env, name, view_cls, create_tables=False)
            for name, (view_cls, _) in PROJECTIONS.items()
        }  # type: ignore[arg-type]
    )
    return Container(settings, address, env, app, views, embedded=embedded)
