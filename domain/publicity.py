"""Publicity activities (政策宣传服务活动): 座谈会, 招聘会, 志愿服务, 政策宣讲.

One stream per activity. A commissioner or a department logs it with the day it was held, the
district, the policies covered (codes of the policy catalogue) and the enterprises that attended
(ids of relationships; the application checks they exist). The plan counts 800 activities a
year (DOMAIN.md); KPIs count activities and the distinct enterprises reached, by district.
A wrong entry is cancelled with a reason (it then counts nowhere) and logged again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.districts import validate_district
from domain.policy_catalogue import PolicyCatalogue
from domain.shared import (
    BEIJING_TIME,
    Actor,
    InvalidInput,
    Rule,
    require_aware,
    require_reason,
    require_text,
)

TITLE_MAX_LENGTH = 200
SUMMARY_MAX_LENGTH = 5000
MAX_ENTERPRISES = 500
MAX_POLICIES = 50


class ActivityKind(StrEnum):
    SEMINAR = "SEMINAR"  # 座谈会
    JOB_FAIR = "JOB_FAIR"  # 招聘会
    VOLUNTEER_SERVICE = "VOLUNTEER_SERVICE"  # 志愿服务
    POLICY_BRIEFING = "POLICY_BRIEFING"  # 政策宣讲


class ActivityStatus(StrEnum):
    LOGGED = "LOGGED"
    CANCELLED = "CANCELLED"


RULES: dict[str, Rule] = {
    "cancel": Rule(frozenset({ActivityStatus.LOGGED}), "action.activity.cancel"),
}


def _kind(value: str) -> ActivityKind:
    try:
        return ActivityKind(value)
    except ValueError:
        allowed = [member.value for member in ActivityKind]
        raise InvalidInput(
            "input.unknown_value", field="kind", value=value, allowed=allowed
        ) from None


def _held_on(value: object, timestamp: datetime) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInput("input.date", field="heldOn")
    today = timestamp.astimezone(BEIJING_TIME).date()
    if value > today:
        raise InvalidInput("activity.in_future", field="heldOn", today=today.isoformat())
    return value


def _enterprise_ids(values: Sequence[str]) -> list[str]:
    if isinstance(values, str):
        raise InvalidInput("input.texts", field="enterpriseIds")
    if len(values) > MAX_ENTERPRISES:
        raise InvalidInput("input.too_many", field="enterpriseIds", limit=MAX_ENTERPRISES)
    ids: list[str] = []
    for value in values:
        try:
            ids.append(str(UUID(str(value).strip())))
        except ValueError:
            raise InvalidInput("input.not_an_id", field="enterpriseIds", value=value) from None
    duplicates = sorted({value for value in ids if ids.count(value) > 1})
    if duplicates:
        raise InvalidInput("input.listed_twice", field="enterpriseIds", values=duplicates)
    return ids


def _policy_codes(values: Sequence[str], catalogue: PolicyCatalogue) -> list[str]:
    if isinstance(values, str):
        raise InvalidInput("input.texts", field="policyCodes")
    if len(values) > MAX_POLICIES:
        raise InvalidInput("input.too_many", field="policyCodes", limit=MAX_POLICIES)
    try:
        return list(catalogue.require(values))
    except InvalidInput as error:
        raise error.naming("policyCodes") from None


class PublicityActivity(Aggregate):
    """One 政策宣传服务活动 and the enterprises it reached."""

    class Logged(Aggregate.Created):
        class_version = 1
        kind: str
        title: str
        held_on: date
        district: str
        policy_codes: list[str]
        enterprise_ids: list[str]
        department_id: str | None
        summary: str | None
        actor: Actor

    class Cancelled(Aggregate.Event):
        class_version = 1
        reason: str
        actor: Actor

    @classmethod
    def log(
        cls,
        *,
        kind: str,
        title: str,
        held_on: date,
        district: str,
        policy_codes: Sequence[str],
        enterprise_ids: Sequence[str],
        catalogue: PolicyCatalogue,
        actor: Actor,
        timestamp: datetime,
        department_id: str | None = None,
        summary: str | None = None,
        id: UUID | None = None,
    ) -> PublicityActivity:
        """Check everything, then log the activity (nothing is recorded when anything is
        wrong)."""
        moment = require_aware(timestamp, "timestamp")
        checked_summary = None
        if summary is not None and summary.strip():
            checked_summary = require_text(summary, "summary", max_length=SUMMARY_MAX_LENGTH)
        return cls._create(
            cls.Logged,
            id=id,
            kind=_kind(kind).value,
            title=require_text(title, "title", max_length=TITLE_MAX_LENGTH),
            held_on=_held_on(held_on, moment),
            district=validate_district(district),
            policy_codes=_policy_codes(policy_codes, catalogue),
            enterprise_ids=_enterprise_ids(enterprise_ids),
            department_id=department_id,
            summary=checked_summary,
            actor=actor,
            timestamp=moment,
        )

    @event(Logged)
    def __init__(
        self,
        *,
        kind: str,
        title: str,
        held_on: date,
        district: str,
        policy_codes: list[str],
        enterprise_ids: list[str],
        department_id: str | None,
        summary: str | None,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self.kind = ActivityKind(kind)
        self.title = title
        self.held_on = held_on
        self.district = district
        self.policy_codes = tuple(policy_codes)
        self.enterprise_ids = tuple(enterprise_ids)
        self.department_id = department_id
        self.summary = summary
        self.logged_by = actor
        self.status = ActivityStatus.LOGGED

    def cancel(self, reason: str, *, actor: Actor, timestamp: datetime) -> None:
        """A wrong entry is cancelled with a reason; it then counts toward nothing."""
        RULES["cancel"].check(self.status, "activity")
        self._cancelled(
            reason=require_reason(reason, "action.activity.cancel"),
            actor=actor,
            timestamp=require_aware(timestamp, "timestamp"),
        )

    @event(Cancelled)
    def _cancelled(self, reason: str, actor: Actor, timestamp: datetime) -> None:
        self.status = ActivityStatus.CANCELLED
