"""Who may see what (DOMAIN.md roles): the one place row-level access is decided."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from api.auth import Principal
from api.context import Info
from domain.districts import validate_district
from domain.notifications import department as notice_department
from domain.notifications import supervisors_of
from domain.notifications import user as notice_user
from domain.personal_data import mask_free_text
from domain.shared import Forbidden, Role
from projections.enterprise_directory import EnterpriseFilter, EnterpriseRow
from projections.issue_board import IssueFilter, IssueRow
from projections.labour_needs import MapScope
from projections.notifications import Audience
from projections.views import Views
from projections.visit_history import VisitRow


def sees_enterprise(user: Principal, row: EnterpriseRow, *, handled: bool = False) -> bool:
    """`handled`: one of the enterprise's issues was dispatched to the user's department."""
    if user.role is Role.ADMIN:
        return True
    if user.role is Role.SUPERVISOR:
        return not user.districts or row.district in user.districts
    if user.role is Role.COMMISSIONER:
        return row.commissioner_id == user.id
    return user.role is Role.DEPARTMENT and handled


def scope_enterprises(user: Principal, flt: EnterpriseFilter) -> EnterpriseFilter:
    """Narrow an enterprise filter to what the caller may browse, from their token (never from
    their input): a commissioner their own, a supervisor their districts, if any."""
    if user.role in (Role.DEPARTMENT, Role.REPORTER):
        raise Forbidden("access.no_browsing")
    return dataclasses.replace(
        flt,
        only_commissioner_id=user.id if user.role is Role.COMMISSIONER else None,
        only_districts=user.districts if user.role is Role.SUPERVISOR and user.districts else None,
    )


def sees_contacts_in_full(user: Principal, row: EnterpriseRow) -> bool:
    """An enterprise's contact people, unmasked: only ADMIN and the assigned commissioner
    (DOMAIN.md, personal information); everyone else sees them masked."""
    if user.role is Role.ADMIN:
        return True
    return user.role is Role.COMMISSIONER and user.id == row.commissioner_id


@dataclass(frozen=True)
class ListScope:
    """Which rows of a list (departments, direct-report points, commissioners) the caller
    sees, and over which districts their counts run (None: no restriction of that kind)."""

    only_ids: tuple[str, ...] | None = None
    districts: tuple[str, ...] | None = None


def scope_departments(user: Principal) -> ListScope | None:
    """Departments: the bureau office, supervisors (counted over their districts) and
    commissioners see every one; a department itself only; a direct-report point none."""
    if user.role in (Role.ADMIN, Role.COMMISSIONER):
        return ListScope()
    if user.role is Role.SUPERVISOR:
        return ListScope(districts=user.districts or None)
    if user.role is Role.DEPARTMENT and user.department_id:
        return ListScope(only_ids=(user.department_id,))
    return None


def scope_reporting_points(user: Principal) -> ListScope | None:
    """Direct-report points: the bureau office every one, a supervisor those of their
    districts, a point itself only; commissioners and departments none."""
    if user.role is Role.ADMIN:
        return ListScope()
    if user.role is Role.SUPERVISOR:
        return ListScope(districts=user.districts or None)
    if user.role is Role.REPORTER and user.reporting_point_id:
        return ListScope(only_ids=(user.reporting_point_id,))
    return None


def scope_commissioners(user: Principal) -> ListScope | None:
    """Commissioners: the bureau office every one, a supervisor those serving their districts
    (counted there), a commissioner themself; departments and direct-report points none."""
    if user.role is Role.ADMIN:
        return ListScope()
    if user.role is Role.SUPERVISOR:
        return ListScope(districts=user.districts or None)
    if user.role is Role.COMMISSIONER:
        return ListScope(only_ids=(user.id,))
    return None


def sees_personal_data_in_full(user: Principal) -> bool:
    """Personal data typed into an issue's free text (title, description, resolution, timeline
    notes), unmasked: only the roles that may see contacts, ADMIN and COMMISSIONER (who reads
    only the issues of the enterprises assigned to them); everyone else sees it masked."""
    return user.role in (Role.ADMIN, Role.COMMISSIONER)


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


async def scope_issues(info: Info, flt: IssueFilter) -> IssueFilter:
    """Narrow an issue filter to the issues the caller may see, from their token (never from
    their input): a supervisor's districts, a commissioner's enterprises, a department's
    dispatches, a direct-report point's own reports."""
    user = info.context.user
    views = info.context.services.views
    scope: dict[str, object] = {}
    if user.role is Role.SUPERVISOR and user.districts:
        scope["only_districts"] = user.districts
    elif user.role is Role.COMMISSIONER:
        scope["only_enterprise_ids"] = await info.context.read(
            views.enterprise_directory.ids_of_commissioner, user.id
        )
    elif user.role is Role.DEPARTMENT:
        scope["only_department_id"] = user.department_id or "\x00none"
    elif user.role is Role.REPORTER:
        scope["only_reporting_point_id"] = user.reporting_point_id or "\x00none"
    return dataclasses.replace(flt, **scope)  # type: ignore[arg-type]


def sees_enterprise_of_issue(user: Principal) -> bool:
    """An issue shows the enterprise it concerns to all but a direct-report point."""
    return user.role is not Role.REPORTER


def sees_visit_of_issue(user: Principal) -> bool:
    """An issue shows the visit it was raised on to all but departments and direct-report points."""
    return user.role not in (Role.REPORTER, Role.DEPARTMENT)


def sees_attendees_in_full(user: Principal, row: VisitRow) -> bool:
    """A visit's attendees, unmasked: ADMIN and the commissioner who logged the visit;
    everyone else sees their names masked, and personal data in its summary and topics."""
    return user.role is Role.ADMIN or user.id == row.commissioner_id


class RowScope:
    """Every row a loader hands to a type passes here first (api/loaders.py), so no resolver
    can forget row-level access however deep it is reached: `issue{enterprise{visits{issues}}}`
    sees exactly what `issues` and `enterprise(id)` would. Built per request from the token;
    its methods run in a worker thread (they may read the views)."""

    def __init__(self, user: Principal | None, views: Views) -> None:
        self.user = user
        self.views = views
        self._own: tuple[UUID, ...] | None = None

    def _own_enterprises(self) -> tuple[UUID, ...]:
        if self._own is None:
            assert self.user is not None
            self._own = self.views.enterprise_directory.ids_of_commissioner(self.user.id)
        return self._own

    def issues(self, rows: Iterable[IssueRow]) -> list[IssueRow]:
        rows = list(rows)
        user = self.user
        if user is None or not rows:
            return []
        handled: set[UUID] = set()
        if user.role is Role.DEPARTMENT and user.department_id:
            handled = self.views.issue_board.handled_by(user.department_id, [r.id for r in rows])
        own = self._own_enterprises() if user.role is Role.COMMISSIONER else ()
        return [
            r for r in rows if sees_issue(user, r, own_enterprises=own, handled=r.id in handled)
        ]

    def enterprises(self, rows: Iterable[EnterpriseRow]) -> list[EnterpriseRow]:
        user = self.user
        if user is None:
            return []
        board = self.views.issue_board
        return [
            r
            for r in rows
            if sees_enterprise(
                user,
                r,
                handled=user.role is Role.DEPARTMENT
                and bool(user.department_id)
                and board.enterprise_handled_by(user.department_id or "", r.id),
            )
        ]

    def enterprise_ids_with_visits(self, ids: Iterable[UUID]) -> set[UUID]:
        """The enterprises whose visits the caller may read: the ones they may see, for every
        role but departments and direct-report points (visits are not basic data)."""
        user = self.user
        ids = list(ids)
        if user is None or not sees_visit_of_issue(user):
            return set()
        if user.role is Role.ADMIN or (user.role is Role.SUPERVISOR and not user.districts):
            return set(ids)  # no statement for those who see every enterprise
        if user.role is Role.COMMISSIONER:
            return set(ids) & set(self._own_enterprises())
        rows = self.views.enterprise_directory.get_many(ids)
        return {r.id for r in self.enterprises(rows)}

    def visits(self, rows: Iterable[VisitRow]) -> list[VisitRow]:
        rows = list(rows)
        allowed = self.enterprise_ids_with_visits({r.enterprise_id for r in rows})
        return [r for r in rows if r.enterprise_id in allowed]


# ---------------------------------------------------------------- labour data (用工需求)


async def scope_labour_map(info: Info) -> MapScope:
    """The demand map counts what the caller may see: the bureau office and supervisors every
    enterprise (a supervisor's token narrowed to districts: those), a commissioner their own
    enterprises; departments and direct-report points none."""
    user = info.context.user
    if user.role is Role.ADMIN:
        return MapScope()
    if user.role is Role.SUPERVISOR:
        return MapScope(only_districts=user.districts or None)
    if user.role is Role.COMMISSIONER:
        views = info.context.services.views
        own = await info.context.read(views.enterprise_directory.ids_of_commissioner, user.id)
        return MapScope(only_enterprise_ids=own)
    raise Forbidden("access.no_browsing")


async def sees_labour_of(info: Info, enterprise_id: UUID) -> bool:
    """An enterprise's labour records: whoever may read its visits (not departments or
    direct-report points: labour data is not an enterprise's basic data)."""
    user = info.context.user
    views = info.context.services.views
    rows = await info.context.read(views.enterprise_directory.get_many, [enterprise_id])
    if not rows or user.role not in (Role.ADMIN, Role.SUPERVISOR, Role.COMMISSIONER):
        return False
    return sees_enterprise(user, rows[0])


def notice_audience(user: Principal) -> Audience:
    """Whose notifications a person reads (the inbox, the live stream): their own, their
    department's, and, for a supervisor, their districts' (every district without a limit in
    the token; the bureau office reads every supervisors' notice too)."""
    recipients = [notice_user(user.id)]
    if user.role is Role.DEPARTMENT and user.department_id:
        recipients.append(notice_department(user.department_id))
    every_district = False
    if user.role is Role.SUPERVISOR and user.districts:
        recipients += [supervisors_of(d) for d in user.districts]
    elif user.role in (Role.SUPERVISOR, Role.ADMIN):
        every_district = True
    return Audience(user.id, tuple(recipients), all_supervisors=every_district)


def enterprise_page_text(text: str | None) -> str:
    """What the enterprise's own page (no login) may show of free text: personal data masked,
    like every reader who may not see contacts."""
    return mask_free_text(text or "")


def publicity_district(user: Principal, district: str | None) -> str | None:
    """Publicity activities are read by any signed-in staff; a supervisor narrowed to some
    districts only within them."""
    name = validate_district(district) if district else None
    if user.districts and name is not None and name not in user.districts:
        raise Forbidden("access.districts", districts=list(user.districts))
    return name
