"""Row-level access (api/access.py): who sees personal data in full, and an issue's links."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from api.access import (
    sees_attendees_in_full,
    sees_contacts_in_full,
    sees_enterprise_of_issue,
    sees_visit_of_issue,
)
from api.auth import Principal
from domain.shared import Role
from projections.enterprise_directory import EnterpriseRow
from projections.visit_history import VisitRow

NOW = datetime(2025, 3, 1, tzinfo=UTC)
ENTERPRISE = EnterpriseRow(
    id=uuid4(), uscc="91500000000000000X", name="E", district="渝中区", industry=None,
    size=None, address=None, contacts=[], commissioner_id="c-1", commissioner_name="专员",
    visit_count=0, last_visit_at=None, next_visit_due_on=None, open_issue_count=0,
    opened_at=NOW, opened_position=1,
)  # fmt: skip
VISIT = VisitRow(
    visit_id="v-1", enterprise_id=ENTERPRISE.id, commissioner_id="c-1", commissioner_name=None,
    visited_at=NOW, channel="PHONE", attendees=["王小明"], topics=[], policies_explained=[],
    summary="s", follow_ups=[], next_visit_on=None, position=2,
)  # fmt: skip


def _user(role: Role, user_id: str = "u-1") -> Principal:
    return Principal(id=user_id, name="n", role=role)


# Personal data in full: ADMIN and the commissioner the row names (c-1); the rest see it masked.
IN_FULL = [
    (_user(Role.ADMIN), True),
    (_user(Role.COMMISSIONER, "c-1"), True),
    (_user(Role.COMMISSIONER, "c-2"), False),
    (_user(Role.SUPERVISOR), False),
    (_user(Role.DEPARTMENT), False),
    (_user(Role.REPORTER), False),
]


@pytest.mark.parametrize(("user", "in_full"), IN_FULL)
def test_only_admin_and_the_assigned_commissioner_see_contacts_in_full(
    user: Principal, in_full: bool
) -> None:
    assert sees_contacts_in_full(user, ENTERPRISE) is in_full


def test_contacts_in_full_need_the_commissioner_role_not_only_the_id() -> None:
    assert not sees_contacts_in_full(_user(Role.SUPERVISOR, "c-1"), ENTERPRISE)


@pytest.mark.parametrize(("user", "in_full"), IN_FULL)
def test_only_admin_and_the_commissioner_who_logged_it_see_attendees_in_full(
    user: Principal, in_full: bool
) -> None:
    assert sees_attendees_in_full(user, VISIT) is in_full


@pytest.mark.parametrize("role", list(Role))
def test_an_issue_hides_its_enterprise_from_reporters_and_its_visit_from_departments_too(
    role: Role,
) -> None:
    user = _user(role)
    assert sees_enterprise_of_issue(user) is (role is not Role.REPORTER)
    assert sees_visit_of_issue(user) is (role not in (Role.REPORTER, Role.DEPARTMENT))
