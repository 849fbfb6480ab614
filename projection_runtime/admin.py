"""What an operator does to the read models: rebuild one beside the live one, roll back, status.

Each takes the narrow things it needs (the catalogue that builds versions, the version
registry, the views and the log), never the whole container.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import AbstractContextManager, ExitStack, suppress
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import Tracking

from application.service_package import ServicePackage
from projection_runtime.catalogue import Catalogue
from projection_runtime.runners import (
    Progress,
    apply_batch,
    catch_up,
    converged,
    feed_each,
    fewer_collections,
    fold_up,
    read_batch,
)
from projection_runtime.versions import APPLICATION, ProjectionVersions
from projections.views import Views


@dataclass
class RebuildReport:
    name: str
    old_version: int
    new_version: int
    events: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


def rebuild(
    catalogue: Catalogue,
    versions: ProjectionVersions,
    name: str,
    *,
    on_progress: Progress | None = None,
    batch_size: int = 500,
) -> RebuildReport:
    """Build a new version of `name` from the whole log beside the live one, then switch."""
    with versions.rebuild_lock(name):
        old = versions.active(name)
        if old is None:
            raise LookupError(f"{name}: no active version")
        for leftover in [v for v in versions.versions(name) if v > old]:
            versions.drop(name, leftover)  # an interrupted rebuild's, or one rolled back
        # Above anything still there (a leftover a runner has not left yet): start empty.
        report = RebuildReport(name, old, max([old, *versions.versions(name)]) + 1)
        view, projection = catalogue.projection_at(name, report.new_version)
        versions.record_definition(name, report.new_version, type(view).definition())
        started = time.monotonic()

        def follow(until: int | None = None) -> None:
            report.events += catch_up(
                catalogue.app, projection, view,
                until=until, on_progress=on_progress, batch_size=batch_size,
            )  # fmt: skip

        try:
            # Set-based up to the head (folded in memory, written with COPY); the last few
            # events at the switch, under its lock, event by event.
            with fewer_collections():
                report.events += fold_up(
                    catalogue.app, projection, view, on_progress=on_progress,
                    batch_size=batch_size,
                )  # fmt: skip
            versions.switch(name, report.new_version, expected=old, catch_up=follow)
        finally:
            view.datastore.close()
        report.seconds = time.monotonic() - started
        for older in [v for v in versions.versions(name) if v < old]:
            versions.drop(name, older)  # after the commit; `old` itself stays for rollback
    return report


def rebuild_all(
    catalogue: Catalogue,
    versions: ProjectionVersions,
    names: Iterable[str] | None = None,
    *,
    batch_size: int = 500,
) -> list[RebuildReport]:
    """Rebuild several projections (all by default) from ONE read of the log: each batch is
    read and decoded once and applied to every new version, each in its own transaction;
    then each switches as `rebuild` switches. Each report's `events` counts the log's events."""
    chosen = sorted(names or catalogue.names)  # locks always taken in the same order
    with ExitStack() as stack:
        for name in chosen:
            stack.enter_context(versions.rebuild_lock(name))
        built: list[tuple[RebuildReport, Any, Any]] = []
        states = catalogue.shared_states()
        for name in chosen:
            old = versions.active(name)
            if old is None:
                raise LookupError(f"{name}: no active version")
            for leftover in [v for v in versions.versions(name) if v > old]:
                versions.drop(name, leftover)
            report = RebuildReport(name, old, max([old, *versions.versions(name)]) + 1)
            # The folds share their stream states: each event is folded into an enterprise's
            # or an issue's state once, not once per view (a fifth of rebuilding every view).
            shared = states if catalogue.view_class(name).fold_class is not None else None
            view, projection = catalogue.projection_at(name, report.new_version, shared)
            stack.callback(view.datastore.close)
            versions.record_definition(name, report.new_version, type(view).definition())
            built.append((report, view, projection))
        started = time.monotonic()
        # Each view's transaction in its own thread, as the live reader does: they wait on
        # PostgreSQL, not on each other.
        pool = stack.enter_context(ThreadPoolExecutor(len(built), "rebuild-view"))
        position = 0  # stretch by stretch: views with a fold fold them, written with COPY
        while True:
            head = catalogue.app.last_position()
            if position and converged(position, head, batch_size):
                break  # the rest is each switch's catch-up
            with fewer_collections():
                reached = _stretch(catalogue.app, built, pool, position, batch_size, head)
            if not reached:
                break
            for report, _, _ in built:
                report.events += reached - position  # positions are gap-free
            position = reached
        # Each switch catches its view up alone: states the views share and an earlier view
        # moved on are loaded again where a later one needs them (fewer than a batch of
        # events each, as the stretches stop once converged).
        for report, view, projection in built:

            def follow(
                until: int | None = None,
                report: Any = report,
                view: Any = view,
                projection: Any = projection,
            ) -> None:
                report.events += catch_up(
                    catalogue.app, projection, view, until=until, batch_size=batch_size
                )

            versions.switch(report.name, report.new_version, expected=report.old_version,
                            catch_up=follow)  # fmt: skip
        seconds = time.monotonic() - started
    for report, _, _ in built:
        report.seconds = seconds
        for older in [v for v in versions.versions(report.name) if v < report.old_version]:
            versions.drop(report.name, older)
    return [report for report, _, _ in built]


def _stretch(
    app: ServicePackage,
    built: list[tuple[RebuildReport, Any, Any]],
    pool: ThreadPoolExecutor,
    after: int,
    batch_size: int,
    stop: int,
) -> int:
    """One stretch of the log after `after` read once and given to every view: a view with a
    fold (View.fold_class) folds it in one transaction, written with COPY at the end with its
    position; the others apply each batch in a transaction of its own. Until the log ends or
    a fold holds its Fold.MAX_ROWS rows, never past `stop` (the head when it began, so that
    writes going on cannot keep it reading). The last position reached; 0 if nothing was
    left."""
    position = after
    foldings: list[tuple[AbstractContextManager[Any], Any, Any]] = []  # (folding, projection, view)
    try:
        for _, view, projection in built:
            if view.fold_class is not None:
                folding = view.folding(empty=after == 0)
                projection._view = folding.__enter__()  # the writes go to the fold
                foldings.append((folding, projection, view))
        folds = [projection._view for _, projection, _ in foldings]
        folders = [projection for _, projection, _ in foldings]
        appliers = [(view, p) for _, view, p in built if view.fold_class is None]
        while batch := read_batch(app, position, batch_size, stop):
            # A view without a fold writes each batch in a transaction of its own: those wait
            # on PostgreSQL in threads. Folding is CPU alone: in this thread, each event to
            # one view after another (in threads they only took turns at the interpreter's
            # lock), so that their shared stream states move one event at a time.
            applied = [pool.submit(apply_batch, p, view, batch) for view, p in appliers]
            feed_each(folders, batch)
            for done in applied:
                done.result()
            position = batch[-1][0]
            if any(f.size() >= f.MAX_ROWS for f in folds):
                break
        if position > after:
            for fold in folds:
                fold.reached(Tracking(APPLICATION, position))
    except BaseException as error:
        for folding, _, _ in reversed(foldings):
            with suppress(Exception):  # rolled back; the error that ended the stretch goes on
                folding.__exit__(type(error), error, error.__traceback__)
        raise
    else:
        # Each view's rows written and committed with its position, all at once: PostgreSQL
        # takes the views' COPYs in parallel (one after another, they were a quarter of the
        # time of rebuilding every view).
        ending = [pool.submit(folding.__exit__, None, None, None) for folding, _, _ in foldings]
        wait(ending)
        for ended in ending:
            ended.result()  # the first error, once every view has committed or rolled back
    finally:
        for _, projection, view in foldings:
            projection._view = view
    return position if position > after else 0


def rollback(versions: ProjectionVersions, name: str) -> int:
    """Point readers back at the version the last rebuild replaced; returns that version."""
    active = versions.active(name)
    previous = [v for v in versions.versions(name) if active is not None and v < active]
    if active is None or not previous:
        raise LookupError(f"{name}: no earlier version kept")
    # No catch-up: the kept version resumes from its own position once its runner moves.
    versions.switch(name, previous[-1], expected=active)
    return previous[-1]


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    active_version: int | None
    position: int
    head: int
    # Age of the oldest event the active version has not processed yet; 0 when none.
    lag_seconds: float
    # Versions other than the active one (kept for rollback, or being built): their positions.
    others: dict[int, int] = field(default_factory=dict)

    @property
    def lag(self) -> int:
        return max(0, self.head - self.position)


def projection_status(
    app: ServicePackage, views: Views, versions: ProjectionVersions
) -> list[ProjectionStatus]:
    positions = {name: view.position() for name, view in views.all().items()}
    head = app.last_position()  # read after the positions: never below them
    report = []
    for name, position in positions.items():
        active = versions.active(name)
        others = {v: versions.position(name, v) for v in versions.versions(name) if v != active}
        lag_seconds = _lag_seconds(app, position, head)
        report.append(ProjectionStatus(name, active, position, head, lag_seconds, others))
    return report


def _lag_seconds(app: ServicePackage, position: int, head: int) -> float:
    if head <= position:
        return 0.0
    oldest = app.read_feed(position, 1)
    if not oldest:
        return 0.0
    return max(0.0, (app.clock.now() - oldest[0].occurred_at).total_seconds())
