"""The composition root: every entrypoint and every test builds the system here."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.projection import BaseProjectionRunner, Projection
from eventsourcing.utils import Environment

from application.service_package import ServicePackage
from domain.shared import Clock
from domain.time_limits import SlaPolicy
from infra.policy_catalogue_loader import load_policy_catalogue
from infra.postgres_server import EmbeddedPostgres, PgAddress, ensure_database, parse_database_url
from infra.settings import Settings
from infra.working_calendar import ChineseWorkingCalendar
from projections.base import View
from projections.enterprise_directory import (
    EnterpriseDirectoryProjection,
    EnterpriseDirectoryView,
)
from projections.issue_board import IssueBoardProjection, IssueBoardView
from projections.reference_data import ReferenceDataProjection, ReferenceDataView
from projections.state import AggregateCache
from projections.views import Views
from projections.visit_history import VisitHistoryProjection, VisitHistoryView

log = logging.getLogger("espcrm")

# Each read model: its view class, and how to build its projection from the view and the app.
ProjectionFactory = Callable[[Any, ServicePackage, Settings], Projection[Any]]


def _states(app: ServicePackage) -> AggregateCache:
    return AggregateCache(lambda stream_id, version: app.repository.get(stream_id, version=version))


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
        "POSTGRES_MAX_OVERFLOW": str(settings.pool_size),
        "POSTGRES_PRE_PING": "y",
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
    runners: list[BaseProjectionRunner[Any]] = field(default_factory=list)

    def tracking_recorder(self, name: str) -> PostgresTrackingRecorder:
        """A position of its own for a follower of the log (the relay, a consumer)."""
        factory = InfrastructureFactory[PostgresTrackingRecorder].construct(
            env=Environment(name, self.env)
        )
        return factory.tracking_recorder(PostgresTrackingRecorder)

    def start_projections(self) -> None:
        """Run every projection in this process (development and tests)."""
        for name, (_, make_projection) in PROJECTIONS.items():
            view = getattr(self.views, name)
            runner = BaseProjectionRunner(
                projection=make_projection(view, self.app, self.settings),
                application_class=ServicePackage,
                tracking_recorder=view,
                topics=(),
                env=self.env,
            )
            self.runners.append(runner.__enter__())

    def wait_for_projections(self, position: int, timeout: float = 10.0) -> None:
        for runner in self.runners:
            runner.wait(position, timeout=timeout)

    def close(self) -> None:
        for runner in self.runners:
            runner.__exit__(None, None, None)
        self.runners.clear()
        self.app.close()
        if self.embedded is not None:
            self.embedded.stop()


def database_address(settings: Settings) -> tuple[PgAddress, EmbeddedPostgres | None]:
    """The external server when configured, else the embedded one (started or reused)."""
    if settings.database_url:
        return parse_database_url(settings.database_url), None
    embedded = EmbeddedPostgres(settings.data_dir)
    return embedded.start().with_dbname(settings.database_name), embedded


def build_view(env: dict[str, str], name: str, view_class: type[View]) -> View:
    factory = InfrastructureFactory[PostgresTrackingRecorder].construct(env=Environment(name, env))
    view = cast(View, factory.tracking_recorder(view_class))
    view.cipher = AESCipher(Environment("", env))
    return view


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
    views = Views(
        **{name: build_view(env, name, view_cls) for name, (view_cls, _) in PROJECTIONS.items()}  # type: ignore[arg-type]
    )
    return Container(settings, address, env, app, views, embedded=embedded)
