"""Per-request DataLoaders: one statement per batch, whatever the page size."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar
from uuid import UUID

from strawberry.dataloader import DataLoader

from projections.enterprise_directory import EnterpriseRow
from projections.issue_board import IssueRow, TimelineRow
from projections.reference_data import UnitRow
from projections.views import Views
from projections.visit_history import CorrectionRow, VisitPage, VisitRow

K = TypeVar("K")
V = TypeVar("V")


def _by_key(
    fetch: Callable[[list[K]], Sequence[V]], key_of: Callable[[V], K]
) -> Callable[[list[K]], Awaitable[list[V | None]]]:
    async def load(keys: list[K]) -> list[V | None]:
        rows = await asyncio.to_thread(fetch, list(keys))
        found = {key_of(r): r for r in rows}
        return [found.get(k) for k in keys]

    return load


def _grouped(
    fetch: Callable[[list[K]], dict[K, V]],
) -> Callable[[list[K]], Awaitable[list[V]]]:
    async def load(keys: list[K]) -> list[V]:
        groups = await asyncio.to_thread(fetch, list(keys))
        return [groups[k] for k in keys]

    return load


class Loaders:
    """Built per request, so nothing cached outlives the request that read it."""

    def __init__(self, views: Views) -> None:
        self.views = views
        self.enterprise: DataLoader[UUID, EnterpriseRow | None] = DataLoader(
            _by_key(views.enterprise_directory.get_many, lambda r: r.id)
        )
        self.issue: DataLoader[UUID, IssueRow | None] = DataLoader(
            _by_key(views.issue_board.get_many, lambda r: r.id)
        )
        self.visit: DataLoader[str, VisitRow | None] = DataLoader(
            _by_key(views.visit_history.get_many, lambda r: r.visit_id)
        )
        self.timeline: DataLoader[UUID, list[TimelineRow]] = DataLoader(
            _grouped(views.issue_board.timelines)
        )
        self.issues_of_visit: DataLoader[str, list[IssueRow]] = DataLoader(
            _grouped(views.issue_board.by_visit)
        )
        self.department: DataLoader[str, UnitRow | None] = DataLoader(
            _by_key(lambda ids: views.reference_data.units("DEPARTMENT", ids), lambda r: r.id)
        )
        self.reporting_point: DataLoader[str, UnitRow | None] = DataLoader(
            _by_key(lambda ids: views.reference_data.units("REPORTING_POINT", ids), lambda r: r.id)
        )
        self.corrections: DataLoader[str, list[CorrectionRow]] = DataLoader(
            _grouped(views.visit_history.corrections_of)
        )
        self._visit_pages: dict[tuple[int, str | None], DataLoader[UUID, VisitPage]] = {}

    def visit_page(self, first: int, after: str | None) -> DataLoader[UUID, VisitPage]:
        """Visits of many enterprises, one statement per distinct (first, after)."""
        key = (first, after)
        if key not in self._visit_pages:
            fetch: Any = lambda ids: self.views.visit_history.pages_for(ids, first, after)  # noqa: E731
            self._visit_pages[key] = DataLoader(_grouped(fetch))
        return self._visit_pages[key]
