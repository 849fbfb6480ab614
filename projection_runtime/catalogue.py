"""Which read models exist, and how each one's view and projection are built.

A projection NAME is kept in physical versions (versions.py); `Catalogue.projection_at`
builds the projection writing one of them, `Catalogue.readers` the views readers query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.projection import Projection
from eventsourcing.utils import Environment, resolve_topic

from application.service_package import ServicePackage
from domain.time_limits import SlaPolicy, WorkingCalendar
from projection_runtime.versions import ProjectionVersions, version_prefix
from projections.base import View
from projections.enterprise_directory import (
    EnterpriseDirectoryProjection,
    EnterpriseDirectoryView,
)
from projections.issue_board import IssueBoardProjection, IssueBoardView
from projections.kpi import KpiProjection, KpiView
from projections.labour_needs import LabourNeedsProjection, LabourNeedsView
from projections.publicity import PublicityProjection, PublicityView
from projections.reference_data import ReferenceDataProjection, ReferenceDataView
from projections.state import ProjectionStates
from projections.views import Views
from projections.visit_history import VisitHistoryProjection, VisitHistoryView


@dataclass(frozen=True)
class Sources:
    """What a projection is built from besides its view."""

    app: ServicePackage  # loads an aggregate a projection needs (ProjectionStates)
    calendar: WorkingCalendar
    # Stream states shared by projections fed each event in turn (rebuild_all's folds).
    shared: ProjectionStates | None = None

    def states(self) -> ProjectionStates:
        if self.shared is not None:
            return self.shared
        app = self.app
        return ProjectionStates(
            lambda stream_id, version: app.repository.get(stream_id, version=version)
        )


# Each read model: its view class, and how to build its projection from the view.
ProjectionFactory = Callable[[Any, Sources], Projection[Any]]

PROJECTIONS: dict[str, tuple[type[View], ProjectionFactory]] = {
    "enterprise_directory": (
        EnterpriseDirectoryView,
        lambda view, src: EnterpriseDirectoryProjection(view, src.states()),
    ),
    "visit_history": (
        VisitHistoryView,
        lambda view, src: VisitHistoryProjection(view, src.states()),
    ),
    "reference_data": (
        ReferenceDataView,
        lambda view, src: ReferenceDataProjection(view),
    ),
    "kpi": (
        KpiView,
        lambda view, src: KpiProjection(view, src.states(), SlaPolicy(), src.calendar),
    ),
    "issue_board": (
        IssueBoardView,
        lambda view, src: IssueBoardProjection(view, src.states(), SlaPolicy(), src.calendar),
    ),
    "labour_needs": (
        LabourNeedsView,
        lambda view, src: LabourNeedsProjection(view, src.states()),
    ),
    "publicity": (
        PublicityView,
        lambda view, src: PublicityProjection(view),
    ),
}


def build_view(
    env: dict[str, str], name: str, view_class: type[View], *, create_tables: bool = True
) -> View:
    """A view whose tables are named after `name` (readers' stable names or a version's)."""
    # Tables made below, once the pool's connection settings are final: the pool opens (and
    # connects) at its first use, and a connection made before a change keeps the old ones.
    built = {**env, "CREATE_TABLE": "n"}
    factory = InfrastructureFactory[PostgresTrackingRecorder].construct(
        env=Environment(name, built)
    )
    view = cast(View, factory.tracking_recorder(view_class))
    pool = view.datastore.pool
    if not create_tables:
        # Readers' statements are never prepared server-side: a prepared `SELECT *` fails
        # ("cached plan must not change result type") once a rebuild changes the columns.
        pool.kwargs = {**(pool.kwargs or {}), "prepare_threshold": None}  # type: ignore[dict-item]
    else:
        # A view's writer commits without waiting for its WAL to reach the disk: a view is
        # derived data, and its rows commit with its position, so a server crash can only
        # lose its last few batches whole, which it then processes again from the log. The
        # flush was most of the time from a commit to the views (relay_lag_to_read_models).
        pool.kwargs = {**(pool.kwargs or {}), "options": "-c synchronous_commit=off"}  # type: ignore[dict-item]
        view.create_table()
    view.cipher = resolve_topic(env["CIPHER_TOPIC"])(Environment("", env))
    return view


@dataclass(frozen=True)
class Catalogue:
    """The projections of one deployment, able to build any version of any of them."""

    env: dict[str, str]  # eventsourcing's settings (infra/bootstrap.py derives them)
    app: ServicePackage  # the log every projection reads
    calendar: WorkingCalendar

    @property
    def names(self) -> list[str]:
        return list(PROJECTIONS)

    @staticmethod
    def view_class(name: str) -> type[View]:
        return PROJECTIONS[name][0]

    def make_projection(
        self, name: str, view: View, states: ProjectionStates | None = None
    ) -> Projection[Any]:
        return PROJECTIONS[name][1](view, Sources(self.app, self.calendar, states))

    def projection_at(
        self, name: str, version: int, states: ProjectionStates | None = None
    ) -> tuple[View, Projection[Any]]:
        """One projection writing one physical version of its view (tables made if missing).

        `states`: stream states it shares with other projections, best fed each event in
        turn (fed a batch each in turn, each finds the states moved past its events by the
        one before, and loads them from the store again: right, but slower)."""
        view = build_view(self.env, version_prefix(name, version), self.view_class(name))
        return view, self.make_projection(name, view, states)

    def shared_states(self) -> ProjectionStates:
        return Sources(self.app, self.calendar).states()

    def reader(self) -> ServicePackage:
        """An application of its own (its own pool) to read the log, as the library's runner
        has."""
        return ServicePackage(env=self.env)

    def readers(self, env: dict[str, str] | None = None) -> Views:
        """The views readers query, by their stable names: over whichever version is active
        (on another server than the log's when `env` says: a read replica)."""
        return Views(
            **{
                name: build_view(env or self.env, name, view_class, create_tables=False)
                for name, (view_class, _) in PROJECTIONS.items()
            }  # type: ignore[arg-type]
        )

    def install(self, versions: ProjectionVersions) -> None:
        """Give every projection without one a version 1 (adopting tables from before versions).

        Under a cluster-wide lock: the API and the runners may start at the same moment.
        """
        with versions.exclusive("espcrm.projection_versions"):
            versions.create_table()
            for name, (view_class, _) in PROJECTIONS.items():
                if versions.active(name) is not None:
                    continue
                adopted = versions.adopt_unversioned(name, view_class.tables())
                build_view(self.env, version_prefix(name, 1), view_class).datastore.close()
                if not adopted:  # adopted tables were built by older code: left unrecorded
                    versions.record_definition(name, 1, view_class.definition())
                versions.switch(name, 1, expected=None)
