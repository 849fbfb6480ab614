"""Who may see what (DOMAIN.md roles): the one place row-level access is decided."""

from __future__ import annotations

from api.auth import Principal
from domain.shared import Role
from projections.enterprise_directory import EnterpriseRow
from projections.issue_board import IssueRow


def sees_enterprise(user: Principal, row: EnterpriseRow, *, handled: bool = False) -> bool:
    """`handled`: one of the enterprise's issues was dispatched to the user's department."""
    if user.role is Role.ADMIN:
        return True
    if user.role is Role.SUPERVISOR:
        return not user.districts or row.district in user.districts
    if user.role is Role.COMMISSIONER:
        return row.commissioner_id == user.id
    return user.role is Role.DEPARTMENT and handled


def sees_issue(
    user: Principal,
    row: IssueRow,
    *,
    own_enterprises: tuple[object, ...] = (),
    handled: bool = False,
) -> bool:
    if user.role is Role.ADMIN:
        return True
    if user.role is Role.SUPERVISOR:
        return not user.districts or row.district in user.districts
    if user.role is Role.COMMISSIONER:
        return row.enterprise_id in own_enterprises
    if user.role is Role.DEPARTMENT:
        return handled
    return user.role is Role.REPORTER and row.reporting_point_id == user.reporting_point_id
