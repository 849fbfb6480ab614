"""The read models the API and workers query, gathered in one place by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Protocol

from projections.base import View, poll_until
from projections.enterprise_directory import EnterpriseDirectoryView
from projections.issue_board import IssueBoardView
from projections.kpi import KpiView
from projections.labour_needs import LabourNeedsView
from projections.publicity import PublicityView
from projections.reference_data import ReferenceDataView
from projections.visit_history import VisitHistoryView


class PositionSignal(Protocol):
    """Wakes a read-your-writes wait when the views announce progress (infra/log_waiter.py)."""

    def wait_for(
        self,
        position: int,
        timeout: float,
        reached: Callable[[], bool],
        written_after: float | None = None,
    ) -> None: ...

    def close(self) -> None: ...


@dataclass
class Views:
    enterprise_directory: EnterpriseDirectoryView
    visit_history: VisitHistoryView
    issue_board: IssueBoardView
    reference_data: ReferenceDataView
    kpi: KpiView
    labour_needs: LabourNeedsView
    publicity: PublicityView
    signal: PositionSignal | None = field(default=None, compare=False, repr=False)

    def all(self) -> dict[str, View]:
        views = {f.name: getattr(self, f.name) for f in fields(self)}
        return {name: view for name, view in views.items() if isinstance(view, View)}

    def wait_for(self, position: int, timeout: float, written_after: float | None = None) -> None:
        """Block until every view has processed the position (read-your-writes).

        Each look is one query over every view's position, not one per view: a logVisit
        waits like this for its own write, and the looks were a fifth of its CPU in the API.
        `written_after`: a time.monotonic() reading taken before the position was written
        (a request's own write); the signal may then skip a look no view can have passed.
        """
        if self.signal is not None:  # woken by the projection host's NOTIFY, not polling
            self.signal.wait_for(
                position, timeout, lambda: self.lowest_position() >= position, written_after
            )
            return
        poll_until(
            lambda: self.lowest_position() >= position,
            timeout,
            f"the read models have not reached position {position}",
        )

    def lowest_position(self) -> int:
        sql, params = self.position_sql()
        views = list(self.all().values())
        with views[0].datastore.transaction(commit=False) as curs:
            curs.execute(sql, params)  # type: ignore[arg-type]
            row = curs.fetchone()
        return int(row["p"]) if row else 0

    def position_sql(self) -> tuple[str, list[str]]:
        """The one query of every view's position: the lowest of them (a read replica's route
        asks it of both servers, infra/read_replica.py)."""
        views = list(self.all().values())
        parts = [
            f"SELECT coalesce(max(notification_id), 0) AS p FROM {v.tracking_table_name}"
            " WHERE application_name = %s"
            for v in views
        ]
        return "SELECT min(p) AS p FROM (" + " UNION ALL ".join(parts) + ") t", ["espcrm"] * len(
            views
        )
