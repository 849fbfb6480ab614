"""Departments and direct-report points (直报点): registered by events, one stream per human id."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import pytest
from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Transcoding

from domain.registry import (
    Department,
    ReportingPoint,
    department_aggregate_id,
    reporting_point_aggregate_id,
)
from domain.shared import BEIJING_TIME, Actor, InvalidInput

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=BEIJING_TIME)
ADMIN = Actor(id="a-1", name="营商办", role="ADMIN")


def test_registering_a_department_records_who_and_what() -> None:
    department = Department.register(
        department_id="hrss-employment",
        name="  就业促进和失业保险处 ",
        district="重庆渝中区",
        actor=ADMIN,
        timestamp=NOW,
    )

    [registered] = department.collect_events()
    assert isinstance(registered, Department.Registered)
    assert registered.department_id == "hrss-employment"
    assert registered.name == "就业促进和失业保险处"
    assert registered.district == "渝中区"
    assert registered.actor == ADMIN
    assert registered.timestamp == NOW
    assert type(registered).class_version == 1
    assert department.id == department_aggregate_id("hrss-employment")
    assert (department.department_id, department.name, department.district) == (
        "hrss-employment",
        "就业促进和失业保险处",
        "渝中区",
    )


def test_the_district_is_optional() -> None:
    department = Department.register(
        department_id="hrss-talent", name="人才处", district="  ", actor=ADMIN, timestamp=NOW
    )
    point = ReportingPoint.register(
        point_id="cq-sme", name="中小企业协会", actor=ADMIN, timestamp=NOW
    )

    assert department.district is None
    assert point.district is None


def test_the_same_human_id_always_maps_to_the_same_stream() -> None:
    first = Department.register(department_id="hrss-a", name="甲", actor=ADMIN, timestamp=NOW)
    second = Department.register(department_id="hrss-a", name="乙", actor=ADMIN, timestamp=NOW)

    # A second registration would be version 1 of an existing stream: the store refuses it.
    assert first.id == second.id
    assert department_aggregate_id("hrss-a") != department_aggregate_id("hrss-b")
    assert department_aggregate_id("hrss-a") != reporting_point_aggregate_id("hrss-a")


class _ActorAsDict(Transcoding):
    type = Actor
    name = "actor"

    def encode(self, obj: Actor) -> dict[str, str]:
        return {"id": obj.id, "name": obj.name, "role": obj.role}

    def decode(self, data: dict[str, str]) -> Actor:
        return Actor(**data)


class _InMemoryRegistry(Application[UUID]):
    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(_ActorAsDict())


def test_a_second_registration_of_an_id_conflicts_in_the_event_store() -> None:
    app = _InMemoryRegistry()
    app.save(Department.register(department_id="hrss-a", name="甲", actor=ADMIN, timestamp=NOW))
    app.save(ReportingPoint.register(point_id="hrss-a", name="点", actor=ADMIN, timestamp=NOW))

    with pytest.raises(IntegrityError):
        app.save(Department.register(department_id="hrss-a", name="乙", actor=ADMIN, timestamp=NOW))

    stored: Department = app.repository.get(department_aggregate_id("hrss-a"))
    assert isinstance(stored, Department)
    assert stored.name == "甲"


@pytest.mark.parametrize(
    "bad_id",
    ["", "a", "-hrss", "HRSS-employment", "hrss employment", "hrss_employment", "x" * 64, "就业处"],
)
def test_an_id_that_is_not_a_slug_is_refused(bad_id: str) -> None:
    with pytest.raises(InvalidInput) as department_refused:
        Department.register(department_id=bad_id, name="处", actor=ADMIN, timestamp=NOW)
    with pytest.raises(InvalidInput) as point_refused:
        ReportingPoint.register(point_id=bad_id, name="点", actor=ADMIN, timestamp=NOW)

    assert department_refused.value.field == "id"
    assert point_refused.value.field == "id"


@pytest.mark.parametrize("good_id", ["ab", "0-x", "hrss-employment-2", "a" + "b" * 62])
def test_ids_of_two_to_sixty_three_slug_characters_are_accepted(good_id: str) -> None:
    department = Department.register(department_id=good_id, name="处", actor=ADMIN, timestamp=NOW)

    assert department.department_id == good_id


@pytest.mark.parametrize(
    ("name", "district", "field"), [("", None, "name"), ("处", "火星区", "district")]
)
def test_a_name_is_required_and_a_district_must_exist(
    name: str, district: str | None, field: str
) -> None:
    with pytest.raises(InvalidInput) as department_refused:
        Department.register(
            department_id="hrss-a", name=name, district=district, actor=ADMIN, timestamp=NOW
        )
    with pytest.raises(InvalidInput) as point_refused:
        ReportingPoint.register(
            point_id="park-a", name=name, district=district, actor=ADMIN, timestamp=NOW
        )

    assert department_refused.value.field == field
    assert point_refused.value.field == field


def test_a_department_is_renamed_by_an_event() -> None:
    department = Department.register(
        department_id="hrss-a", name="旧名", actor=ADMIN, timestamp=NOW
    )
    department.collect_events()

    department.rename(" 新名 ", actor=ADMIN, timestamp=NOW + timedelta(days=1))

    [renamed] = department.collect_events()
    assert isinstance(renamed, Department.Renamed)
    assert (renamed.name, renamed.previous_name) == ("新名", "旧名")
    assert renamed.actor == ADMIN
    assert renamed.timestamp == NOW + timedelta(days=1)
    assert department.name == "新名"
    assert department.version == 2


@pytest.mark.parametrize("name", ["", "  ", "旧名"])
def test_a_rename_to_nothing_or_to_the_same_name_is_refused(name: str) -> None:
    department = Department.register(
        department_id="hrss-a", name="旧名", actor=ADMIN, timestamp=NOW
    )
    department.collect_events()

    with pytest.raises(InvalidInput) as refused:
        department.rename(name, actor=ADMIN, timestamp=NOW)

    assert refused.value.field == "name"
    assert department.version == 1
    assert department.pending_events == []
    assert department.name == "旧名"


def test_registering_a_reporting_point() -> None:
    point = ReportingPoint.register(
        point_id="liangjiang-park",
        name="两江新区产业园",
        district="两江新区",
        actor=ADMIN,
        timestamp=NOW,
    )

    [registered] = point.collect_events()
    assert isinstance(registered, ReportingPoint.Registered)
    assert (registered.point_id, registered.name, registered.district) == (
        "liangjiang-park",
        "两江新区产业园",
        "两江新区",
    )
    assert registered.actor == ADMIN
    assert point.id == reporting_point_aggregate_id("liangjiang-park")
    assert point.point_id == "liangjiang-park"


def test_replaying_a_department_rebuilds_it() -> None:
    department = Department.register(
        department_id="hrss-a", name="旧名", actor=ADMIN, timestamp=NOW
    )
    department.rename("新名", actor=ADMIN, timestamp=NOW)
    history = department.collect_events()

    rebuilt = None
    for domain_event in history:
        rebuilt = domain_event.mutate(rebuilt)

    assert rebuilt == department
