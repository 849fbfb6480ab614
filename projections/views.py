"""The read models the API and workers query, gathered in one place by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from projections.base import View
from projections.enterprise_directory import EnterpriseDirectoryView


@dataclass
class Views:
    enterprise_directory: EnterpriseDirectoryView

    def all(self) -> dict[str, View]:
        return {"enterprise_directory": self.enterprise_directory}

    def wait_for(self, position: int, timeout: float) -> None:
        """Block until every view has processed the position (read-your-writes)."""
        for view in self.all().values():
            view.wait("espcrm", position, timeout=timeout)
