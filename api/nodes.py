"""The links between features' nodes, built without the features importing one another.

An enterprise shows its visits and issues, so api/enterprises/types.py imports the visit and
issue types. A visit links back to its enterprise and issues, an issue to its enterprise and
visit; importing those types back would close a circle. So the links from a visit or an issue
build their node through the request's `Nodes`, which api/schema.py fills with each feature's
own `from_row`: the types of visits and issues import no other feature's types at run time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from api.auth import Principal
from projections.enterprise_directory import EnterpriseRow
from projections.issue_board import IssueRow
from projections.visit_history import VisitRow

if TYPE_CHECKING:
    from api.enterprises.types import Enterprise
    from api.issues.types import Issue
    from api.visits.types import Visit


@dataclass(frozen=True)
class Nodes:
    enterprise: Callable[[EnterpriseRow, Principal], Enterprise]
    visit: Callable[[VisitRow, Principal], Visit]
    issue: Callable[[IssueRow], Issue]
