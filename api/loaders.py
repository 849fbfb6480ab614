"""Per-request DataLoaders: one statement per batch, whatever the page size."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol, TypeVar
from uuid import UUID

from strawberry.dataloader import DataLoader

from projections.enterprise_directory import EnterpriseRow
from projections.issue_board import IssueRow, TimelineRow
from projections.reference_data import UnitRow
from projections.views import Views
from projections.visit_history import CorrectionRow, PolicyNoticeRow, VisitPage, VisitRow

K = TypeVar("K")
V = TypeVar("V")


class Scope(Protocol):
    """Row-level access (api/access.py RowScope): what of these rows the caller may see."""

    def issues(self, rows: Sequence[IssueRow]) -> list[IssueRow]: ...
    def enterprises(self, rows: Sequence[EnterpriseRow]) -> list[EnterpriseRow]: ...
    def visits(self, rows: Sequence[VisitRow]) -> list[VisitRow]: ...
    def enterprise_ids_with_visits(self, ids: Sequence[UUID]) -> set[UUID]: ...


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
    """Built per request, so nothing cached outlives the request that read it. Every row that
    reaches a type comes through here and through the caller's `scope` (a row the caller may
    not see loads as missing), so a nested field cannot bypass row-level access."""

    def __init__(self, views: Views, scope: Scope) -> None:
        self.views = views
        self.scope = scope
        self.enterprise: DataLoader[UUID, EnterpriseRow | None] = DataLoader(
            _by_key(lambda ids: scope.enterprises(views.enterprise_directory.get_many(ids)),
                    lambda r: r.id)
        )  # fmt: skip
        self.issue: DataLoader[UUID, IssueRow | None] = DataLoader(
            _by_key(lambda ids: scope.issues(views.issue_board.get_many(ids)), lambda r: r.id)
        )
        self.visit: DataLoader[str, VisitRow | None] = DataLoader(
            _by_key(lambda ids: scope.visits(views.visit_history.get_many(ids)),
                    lambda r: r.visit_id)
        )  # fmt: skip
        # Timelines are reached only through an issue already loaded through the scope above.
        self.timeline: DataLoader[UUID, list[TimelineRow]] = DataLoader(
            _grouped(views.issue_board.timelines)
        )
        self.issues_of_visit: DataLoader[str, list[IssueRow]] = DataLoader(
            _grouped(lambda ids: _scoped_groups(views.issue_board.by_visit(ids), scope.issues))
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
        # Notices are reached only through an enterprise already loaded through the scope.
        self.policy_notices: DataLoader[UUID, list[PolicyNoticeRow]] = DataLoader(
            _grouped(views.visit_history.notices_of)
        )
        self._visit_pages: dict[tuple[int, str | None], DataLoader[UUID, VisitPage]] = {}

    def visit_page(self, first: int, after: str | None) -> DataLoader[UUID, VisitPage]:
        """Visits of many enterprises, one statement per distinct (first, after)."""
        key = (first, after)
        if key not in self._visit_pages:
            fetch: Any = lambda ids: self._visit_pages_of(ids, first, after)  # noqa: E731
            self._visit_pages[key] = DataLoader(_grouped(fetch))
        return self._visit_pages[key]

    def _visit_pages_of(
        self, ids: list[UUID], first: int, after: str | None
    ) -> dict[UUID, VisitPage]:
        allowed = self.scope.enterprise_ids_with_visits(ids)
        pages = self.views.visit_history.pages_for([i for i in ids if i in allowed], first, after)
        empty = VisitPage(rows=[], has_next_page=False, total_count=0)
        return {i: pages.get(i, empty) for i in ids}


def _scoped_groups(
    groups: dict[K, list[V]], scope: Callable[[Sequence[V]], list[V]]
) -> dict[K, list[V]]:
    """One scope call for all the groups of a batch (one statement, not one per group)."""
    visible = {id(r) for r in scope([r for rows in groups.values() for r in rows])}
    return {k: [r for r in rows if id(r) in visible] for k, rows in groups.items()}
