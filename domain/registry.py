"""Reference data registered by events: departments (责任单位) and direct-report points (直报点).

Each department and each point is its own small stream, so who registered or renamed it, and
when, stays in the log. Aggregate ids are derived from the human ids ("hrss-employment"), so a
second registration of the same id conflicts at the event store instead of creating a twin.
"""

from __future__ import annotations

import re
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.districts import validate_district
from domain.shared import Actor, InvalidInput, require_text

_NAMESPACE = uuid5(NAMESPACE_URL, "https://espcrm/registry")
_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")
NAME_MAX_LENGTH = 200


def validate_registry_id(value: str, field: str = "id") -> str:
    """A human id: 2–63 lower-case letters, digits and hyphens, not starting with a hyphen."""
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise InvalidInput("input.bad_registry_id", field=field, value=value)
    return value


def department_aggregate_id(department_id: str) -> UUID:
    """The stream id of a department, derived from its human id."""
    return uuid5(_NAMESPACE, "department:" + department_id)


def reporting_point_aggregate_id(point_id: str) -> UUID:
    """The stream id of a direct-report point (直报点), derived from its human id."""
    return uuid5(_NAMESPACE, "reporting-point:" + point_id)


def _optional_district(district: str | None) -> str | None:
    # Blank means "not given"; anything else must be one of Chongqing's districts.
    if district is None or not district.strip():
        return None
    return validate_district(district)


class Department(Aggregate):
    """A responsible unit a supervisor can dispatch issues to (处室, 区县人社局, 经办机构)."""

    class Registered(Aggregate.Created):
        class_version = 1
        department_id: str
        name: str
        district: str | None
        actor: Actor

    class Renamed(Aggregate.Event):
        class_version = 1
        name: str
        previous_name: str
        actor: Actor

    @staticmethod
    def create_id(department_id: str) -> UUID:
        return department_aggregate_id(department_id)

    @classmethod
    def register(
        cls,
        *,
        department_id: str,
        name: str,
        district: str | None = None,
        actor: Actor,
        timestamp: datetime,
    ) -> Department:
        """Register a department; every input is checked before anything is recorded."""
        return cls(
            department_id=validate_registry_id(department_id),
            name=require_text(name, "name", max_length=NAME_MAX_LENGTH),
            district=_optional_district(district),
            actor=actor,
            timestamp=timestamp,
        )

    @event(Registered)
    def __init__(
        self,
        *,
        department_id: str,
        name: str,
        district: str | None,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self._department_id = department_id
        self._name = name
        self._district = district

    @property
    def department_id(self) -> str:
        return self._department_id

    @property
    def name(self) -> str:
        return self._name

    @property
    def district(self) -> str | None:
        return self._district

    def rename(self, name: str, *, actor: Actor, timestamp: datetime) -> None:
        """Give the department a new name; renaming to the current name is refused."""
        new_name = require_text(name, "name", max_length=NAME_MAX_LENGTH)
        if new_name == self._name:
            raise InvalidInput("department.already_named", field="name", name=new_name)
        self._renamed(name=new_name, previous_name=self._name, actor=actor, timestamp=timestamp)

    @event(Renamed)
    def _renamed(self, name: str, previous_name: str, actor: Actor, timestamp: datetime) -> None:
        self._name = name


class ReportingPoint(Aggregate):
    """A direct-report point (直报点): a park, association, district office or large employer."""

    class Registered(Aggregate.Created):
        class_version = 1
        point_id: str
        name: str
        district: str | None
        actor: Actor

    @staticmethod
    def create_id(point_id: str) -> UUID:
        return reporting_point_aggregate_id(point_id)

    @classmethod
    def register(
        cls,
        *,
        point_id: str,
        name: str,
        district: str | None = None,
        actor: Actor,
        timestamp: datetime,
    ) -> ReportingPoint:
        """Register a direct-report point; every input is checked before anything is recorded."""
        return cls(
            point_id=validate_registry_id(point_id),
            name=require_text(name, "name", max_length=NAME_MAX_LENGTH),
            district=_optional_district(district),
            actor=actor,
            timestamp=timestamp,
        )

    @event(Registered)
    def __init__(
        self,
        *,
        point_id: str,
        name: str,
        district: str | None,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self._point_id = point_id
        self._name = name
        self._district = district

    @property
    def point_id(self) -> str:
        return self._point_id

    @property
    def name(self) -> str:
        return self._name

    @property
    def district(self) -> str | None:
        return self._district
