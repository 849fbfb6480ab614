"""Types every feature shares: the user, paging, and the roles enum."""

from __future__ import annotations

from enum import Enum

import strawberry

from api.auth import Principal
from api.context import Info
from domain.messages import label
from domain.shared import InvalidInput
from projections.reference_data import UnitRow

MAX_PAGE = 100


@strawberry.enum
class Role(Enum):
    ADMIN = "ADMIN"
    COMMISSIONER = "COMMISSIONER"
    DEPARTMENT = "DEPARTMENT"
    SUPERVISOR = "SUPERVISOR"
    REPORTER = "REPORTER"


LABEL = "what people read: the glossary's Chinese word, English for Accept-Language: en"


def label_of(info: Info, key: str) -> str:
    """A machine value's label in the request's language (domain/messages/labels.py)."""
    return label(key, info.context.language)


@strawberry.type
class User:
    id: strawberry.ID
    name: str
    role: Role

    @strawberry.field(description="The role's label: " + LABEL)
    def role_label(self, info: Info) -> str:
        return label_of(info, f"role.{self.role.value}")

    @classmethod
    def from_principal(cls, p: Principal) -> User:
        return cls(id=strawberry.ID(p.id), name=p.name, role=Role(p.role.value))


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


def page_size(first: int | None) -> int:
    """Relay `first`: default 20, at most 100, never negative."""
    if first is None:
        return 20
    if first < 0 or first > MAX_PAGE:
        raise InvalidInput("input.first", field="first", max=MAX_PAGE, value=first)
    return first


@strawberry.type
class Department:
    id: strawberry.ID
    name: str
    district: str | None

    @classmethod
    def from_row(cls, row: UnitRow) -> Department:
        return cls(id=strawberry.ID(row.id), name=row.name, district=row.district)


@strawberry.type
class ReportingPoint:
    id: strawberry.ID
    name: str
    district: str | None

    @classmethod
    def from_row(cls, row: UnitRow) -> ReportingPoint:
        return cls(id=strawberry.ID(row.id), name=row.name, district=row.district)


def actor_user(actor_id: str, name: str, role: str) -> User:
    """The user an event names; SYSTEM (imports, seeding) shows as ADMIN, the bureau itself."""
    known = {r.value for r in Role}
    return User(
        id=strawberry.ID(actor_id), name=name, role=Role(role if role in known else "ADMIN")
    )
