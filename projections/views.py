"""The read models the API and workers query, gathered in one place by the composition root."""

from __future__ import annotations

import time
from dataclasses import dataclass, fields

from projections.base import View
from projections.enterprise_directory import EnterpriseDirectoryView
from projections.issue_board import IssueBoardView
from projections.kpi import KpiView
from projections.reference_data import ReferenceDataView
from projections.visit_history import VisitHistoryView


@dataclass
class Views:
    enterprise_directory: EnterpriseDirectoryView
    visit_history: VisitHistoryView
    issue_board: IssueBoardView
    reference_data: ReferenceDataView
    kpi: KpiView

    def all(self) -> dict[str, View]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def wait_for(self, position: int, timeout: float) -> None:
        """Block until every view has processed the position (read-your-writes)."""
        deadline = time.monotonic() + timeout
        for view in self.all().values():
            view.wait("espcrm", position, timeout=max(0.0, deadline - time.monotonic()))
