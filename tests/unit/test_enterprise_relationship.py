"""The enterprise relationship stream of DOMAIN.md, command by command: given events, when a
command, then events (or a refusal that leaves the stream as it was)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Mapper, StoredEvent
from eventsourcing.utils import get_topic

from application.transcodings import ActorAsDict, DateAsISO
from domain.enterprise import EnterpriseRelationship as ER
from domain.policy_catalogue import PolicyCatalogue
from domain.shared import (
    BEIJING_TIME,
    Actor,
    DomainError,
    Forbidden,
    InvalidInput,
    InvalidTransition,
)
from infra.policy_catalogue_loader import load_policy_catalogue
from tests.builders import a_valid_uscc

OPENED_AT = datetime(2025, 3, 3, 9, 0, tzinfo=BEIJING_TIME)
VISITED_AT = datetime(2025, 3, 5, 10, 0, tzinfo=BEIJING_TIME)
NOW = datetime(2025, 3, 5, 16, 0, tzinfo=BEIJING_TIME)  # when the commissioner logs the visit
NEXT_VISIT_ON = date(2025, 4, 5)

ADMIN = Actor(id="a-001", name="管理员", role="ADMIN")
ZHANG = Actor(id="c-zhang", name="张专员", role="COMMISSIONER")
LI = Actor(id="c-li", name="李专员", role="COMMISSIONER")
SUPERVISOR = Actor(id="s-wu", name="吴督导", role="SUPERVISOR")

CATALOGUE: PolicyCatalogue = load_policy_catalogue()
REFUND = "POL-STABLE-JOB-REFUND"  # 失业保险稳岗返还
LOAN = "POL-STABLE-JOB-LOAN"  # 稳岗贷
CONTACT = {"name": "王小明", "phone": "13812345678", "title": "人事经理"}


# ---------------------------------------------------------------- given


def opened() -> ER:
    relationship = just_opened()
    relationship.collect_events()
    return relationship


def just_opened() -> ER:
    """Opened, its Opened event still pending."""
    return ER.open(
        uscc=a_valid_uscc(),
        name="重庆渝新精密制造有限公司",
        district="渝中区",
        industry="制造业",
        size=None,
        address=None,
        contacts=[CONTACT],
        actor=ADMIN,
        timestamp=OPENED_AT,
    )


def assigned(to: Actor = ZHANG) -> ER:
    relationship = opened()
    relationship.assign_commissioner(
        to.id, to.name, None, actor=ADMIN, timestamp=OPENED_AT + timedelta(hours=1)
    )
    relationship.collect_events()
    return relationship


def log(relationship: ER, *, actor: Actor = ZHANG, at: datetime = NOW, **overrides: Any) -> None:
    fields: dict[str, Any] = {
        "visit_id": "v-1",
        "visited_at": VISITED_AT,
        "channel": "ON_SITE",
        "attendees": ["张专员", "王小明（人事经理）"],
        "topics": ["扩产用工"],
        "policies_explained": [REFUND],
        "summary": "企业计划扩产，需招聘普工200名",
        "follow_ups": ["对接区就业中心"],
        "next_visit_on": NEXT_VISIT_ON,
        "catalogue": CATALOGUE,
    }
    fields.update(overrides)
    relationship.log_visit(**fields, actor=actor, timestamp=at)


def visited() -> ER:
    """Assigned to ZHANG, one visit v-1 logged, events collected."""
    relationship = assigned()
    log(relationship)
    relationship.collect_events()
    return relationship


def suspended(relationship: ER) -> ER:
    relationship.suspend("企业停产整顿", actor=ADMIN, timestamp=NOW)
    relationship.collect_events()
    return relationship


def closed(relationship: ER) -> ER:
    relationship.close("企业迁出重庆", actor=ADMIN, timestamp=NOW)
    relationship.collect_events()
    return relationship


# ---------------------------------------------------------------- then


def then_one(relationship: ER, event_class: type) -> Any:
    events = relationship.collect_events()
    assert [type(e) for e in events] == [event_class]
    return events[0]


# A relationship's state as a refusal names it (GLOSSARY.md).
STATE_ZH = {"ACTIVE": "服务中", "SUSPENDED": "暂停服务", "CLOSED": "终止服务"}


def refused(
    relationship: ER,
    error: type[DomainError],
    command: Callable[[], object],
    *,
    field: str | None = None,
    match: str | None = None,
    english: str | None = None,
) -> DomainError:
    """The command is refused with `error` and the stream is as it was; `match` is searched
    in the message (Chinese, the default) and `english` in its English rendering."""
    version = relationship.version
    with pytest.raises(error, match=match) as caught:
        command()
    assert type(caught.value) is error
    if english is not None:
        assert english in caught.value.render("en")
    assert relationship.version == version
    assert relationship.collect_events() == []
    if field is not None:
        assert caught.value.field == field
    return caught.value


# ---------------------------------------------------------------- commissioner and handover


def test_the_first_assignment_records_commissioner_assigned() -> None:
    relationship = opened()
    relationship.assign_commissioner("c-zhang", "张专员", None, actor=ADMIN, timestamp=NOW)
    e = then_one(relationship, ER.CommissionerAssigned)
    assert (e.commissioner_id, e.commissioner_name, e.previous_commissioner_id) == (
        "c-zhang",
        "张专员",
        None,
    )
    assert (e.reason, e.actor, e.timestamp) == (None, ADMIN, NOW)
    assert (relationship.commissioner_id, relationship.commissioner_name) == ("c-zhang", "张专员")


def test_assigning_another_commissioner_records_a_handover() -> None:
    relationship = assigned(ZHANG)
    relationship.assign_commissioner("c-li", "李专员", " 张专员调岗 ", actor=ADMIN, timestamp=NOW)
    e = then_one(relationship, ER.HandedOver)
    assert (e.from_commissioner_id, e.to_commissioner_id, e.to_commissioner_name) == (
        "c-zhang",
        "c-li",
        "李专员",
    )
    assert (e.reason, e.actor, e.timestamp) == ("张专员调岗", ADMIN, NOW)
    assert (relationship.commissioner_id, relationship.commissioner_name) == ("c-li", "李专员")


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_handover_needs_a_reason(reason: str | None) -> None:
    relationship = assigned(ZHANG)
    refused(
        relationship,
        InvalidInput,
        lambda: relationship.assign_commissioner(
            "c-li", "李专员", reason, actor=ADMIN, timestamp=NOW
        ),
        field="reason",
    )
    assert relationship.commissioner_id == "c-zhang"


def test_assigning_the_commissioner_already_assigned_is_refused() -> None:
    relationship = assigned(ZHANG)
    refused(
        relationship,
        InvalidInput,
        lambda: relationship.assign_commissioner(
            "c-zhang", "张专员", "重复", actor=ADMIN, timestamp=NOW
        ),
        field="commissionerId",
    )


def test_a_commissioner_may_be_handed_over_while_suspended_but_not_once_closed() -> None:
    relationship = suspended(assigned(ZHANG))
    relationship.assign_commissioner("c-li", "李专员", "调岗", actor=ADMIN, timestamp=NOW)
    then_one(relationship, ER.HandedOver)
    closed(relationship)
    refused(
        relationship,
        InvalidTransition,
        lambda: relationship.assign_commissioner(
            "c-wang", "王专员", "调岗", actor=ADMIN, timestamp=NOW
        ),
        match="不能对处于“终止服务”状态的服务关系执行指派服务专员",
        english="assign a commissioner to a relationship that is CLOSED",
    )


# ---------------------------------------------------------------- visits


def test_the_assigned_commissioner_logs_a_visit() -> None:
    relationship = assigned()
    log(
        relationship,
        attendees=[" 张专员 ", "", "王小明"],
        policies_explained=[REFUND, f" {REFUND}", LOAN],
    )
    e = then_one(relationship, ER.VisitLogged)
    assert ER.VisitLogged.class_version == 2
    assert (e.visit_id, e.visited_at, e.channel) == ("v-1", VISITED_AT, "ON_SITE")
    assert e.attendees == ["张专员", "王小明"]  # trimmed, blank rows dropped
    assert e.policies_explained == [REFUND, LOAN]  # without repeats
    assert (e.topics, e.follow_ups) == (["扩产用工"], ["对接区就业中心"])
    assert (e.summary, e.next_visit_on) == ("企业计划扩产，需招聘普工200名", NEXT_VISIT_ON)
    assert (e.commissioner_id, e.actor, e.timestamp) == ("c-zhang", ZHANG, NOW)
    assert relationship.visit_count == 1
    assert relationship.last_visit_at == VISITED_AT
    assert relationship.next_visit_due_on == NEXT_VISIT_ON
    assert relationship.visit("v-1") == {
        "visited_at": VISITED_AT, "channel": "ON_SITE", "next_visit_on": NEXT_VISIT_ON,
        "version": e.originator_version,
    }  # fmt: skip


@pytest.mark.parametrize("channel", ["ON_SITE", "PHONE", "VIDEO", "EVENT"])
def test_every_channel_of_the_contract_is_accepted(channel: str) -> None:
    relationship = assigned()
    log(relationship, channel=channel)
    assert then_one(relationship, ER.VisitLogged).channel == channel


@pytest.mark.parametrize("channel", ["", "on_site", "EMAIL", None])
def test_an_unknown_channel_is_refused(channel: str | None) -> None:
    relationship = assigned()
    refused(relationship, InvalidInput, lambda: log(relationship, channel=channel), field="channel")


@pytest.mark.parametrize(
    ("who", "relationship_factory"),
    [
        ("another commissioner", lambda: assigned(LI)),
        ("an admin", assigned),
        ("anyone, when no commissioner is assigned", opened),
    ],
)
def test_only_the_assigned_commissioner_logs_visits(
    who: str, relationship_factory: Callable[[], ER]
) -> None:
    relationship = relationship_factory()
    actor = ADMIN if who == "an admin" else ZHANG
    refused(
        relationship,
        Forbidden,
        lambda: log(relationship, actor=actor),
        match="该企业不在您的服务范围内",
        english="not your enterprise",
    )


def test_after_a_handover_only_the_new_commissioner_logs_visits() -> None:
    relationship = assigned(ZHANG)
    relationship.assign_commissioner("c-li", "李专员", "调岗", actor=ADMIN, timestamp=NOW)
    relationship.collect_events()
    refused(relationship, Forbidden, lambda: log(relationship, actor=ZHANG))
    log(relationship, actor=LI)
    assert then_one(relationship, ER.VisitLogged).commissioner_id == "c-li"


def test_a_visit_in_the_future_is_refused_beyond_five_minutes_of_skew() -> None:
    relationship = assigned()
    refused(
        relationship,
        InvalidInput,
        lambda: log(relationship, visited_at=NOW + timedelta(minutes=5, seconds=1)),
        field="visitedAt",
        match="晚于当前时间",
        english="future",
    )
    log(relationship, visited_at=NOW + timedelta(minutes=5))
    assert then_one(relationship, ER.VisitLogged).visited_at == NOW + timedelta(minutes=5)


def test_a_visit_before_the_relationship_opened_is_refused() -> None:
    relationship = assigned()
    refused(
        relationship,
        InvalidInput,
        lambda: log(relationship, visited_at=OPENED_AT - timedelta(seconds=1)),
        field="visitedAt",
        match="早于服务关系建立时间",
        english="before the relationship was opened",
    )
    log(relationship, visited_at=OPENED_AT)
    then_one(relationship, ER.VisitLogged)


def test_a_visit_time_without_a_time_zone_is_refused() -> None:
    relationship = assigned()
    refused(
        relationship,
        InvalidInput,
        lambda: log(relationship, visited_at=VISITED_AT.replace(tzinfo=None)),
        field="visitedAt",
    )


@pytest.mark.parametrize("attendees", [[], ["", "  "], "张专员", [None]])
def test_a_visit_needs_at_least_one_attendee(attendees: object) -> None:
    relationship = assigned()
    refused(
        relationship,
        InvalidInput,
        lambda: log(relationship, attendees=attendees),
        field="attendees",
    )


@pytest.mark.parametrize("summary", ["", "   ", None])
def test_a_visit_needs_a_summary(summary: str | None) -> None:
    relationship = assigned()
    refused(relationship, InvalidInput, lambda: log(relationship, summary=summary), field="summary")


def test_unknown_policies_are_refused_naming_the_code() -> None:
    relationship = assigned()
    error = refused(
        relationship,
        InvalidInput,
        lambda: log(relationship, policies_explained=[REFUND, "POL-NO-SUCH-THING"]),
        field="policiesExplained",
    )
    assert "POL-NO-SUCH-THING" in error.message
    assert REFUND not in error.message


def test_a_visit_may_explain_no_policy() -> None:
    relationship = assigned()
    log(relationship, policies_explained=None, topics=None, follow_ups=[])
    e = then_one(relationship, ER.VisitLogged)
    assert (e.policies_explained, e.topics, e.follow_ups) == ([], [], [])


def test_the_next_visit_cannot_be_planned_before_the_visit() -> None:
    relationship = assigned()
    refused(
        relationship,
        InvalidInput,
        lambda: log(relationship, next_visit_on=VISITED_AT.date() - timedelta(days=1)),
        field="nextVisitOn",
    )
    log(relationship, next_visit_on=VISITED_AT.date())  # a second visit the same day is fine
    then_one(relationship, ER.VisitLogged)


def test_the_visit_date_is_the_date_in_chongqing_whatever_offset_was_sent() -> None:
    relationship = assigned()
    # 2025-03-05 17:00 UTC is 2025-03-06 01:00 in Chongqing: 2025-03-05 is before that visit.
    at_night = datetime(2025, 3, 5, 17, 0, tzinfo=UTC)
    refused(
        relationship,
        InvalidInput,
        lambda: log(
            relationship,
            visited_at=at_night,
            next_visit_on=date(2025, 3, 5),
            at=at_night + timedelta(hours=1),
        ),
        field="nextVisitOn",
    )


def test_a_next_visit_date_must_be_a_date_not_a_moment() -> None:
    relationship = assigned()
    refused(
        relationship,
        InvalidInput,
        lambda: log(relationship, next_visit_on=datetime(2025, 4, 5, 9, 0, tzinfo=BEIJING_TIME)),
        field="nextVisitOn",
    )


def test_a_visit_id_is_unique_within_the_stream() -> None:
    relationship = visited()
    refused(
        relationship,
        InvalidInput,
        lambda: log(relationship, visit_id="v-1"),
        field="visitId",
        match="v-1",
    )
    refused(relationship, InvalidInput, lambda: log(relationship, visit_id=" "), field="visitId")


@pytest.mark.parametrize("state", [suspended, closed])
def test_no_visits_on_a_suspended_or_closed_relationship(state: Callable[[ER], ER]) -> None:
    relationship = state(assigned())
    refused(
        relationship,
        InvalidTransition,
        lambda: log(relationship),
        match=f"不能对处于“{STATE_ZH[relationship.status]}”状态的服务关系执行登记走访",
        english=f"cannot log a visit for a relationship that is {relationship.status}",
    )


def test_the_next_visit_due_comes_from_the_latest_visit_by_when_it_happened() -> None:
    relationship = assigned()
    log(relationship, visit_id="v-late", visited_at=VISITED_AT, next_visit_on=date(2025, 4, 1))
    # Logged afterwards, but it happened the day before: it does not set the next visit.
    log(
        relationship,
        visit_id="v-early",
        visited_at=VISITED_AT - timedelta(days=1),
        next_visit_on=date(2025, 3, 20),
    )
    assert relationship.visit_count == 2
    assert relationship.last_visit_at == VISITED_AT
    assert relationship.next_visit_due_on == date(2025, 4, 1)


def test_an_enterprise_never_visited_has_no_visit_dates() -> None:
    relationship = assigned()
    assert (relationship.visit_count, relationship.has_visit("v-1")) == (0, False)
    assert (relationship.last_visit_at, relationship.next_visit_due_on) == (None, None)


def test_a_visit_read_from_the_aggregate_cannot_alter_it() -> None:
    relationship = visited()
    visit = relationship.visit("v-1")
    assert visit is not None
    visit["channel"] = "PHONE"
    assert relationship.visit("v-1") == {**visit, "channel": "ON_SITE"}


# ---------------------------------------------------------------- the v1 → v2 upcast


def _transcoder() -> JSONTranscoder:
    # As the application registers them (ServicePackage.register_transcodings).
    transcoder = JSONTranscoder()
    for transcoding in (DatetimeAsISO(), ActorAsDict(), DateAsISO()):
        transcoder.register(transcoding)
    return transcoder


def test_the_upcast_gives_a_version_1_visit_the_on_site_channel() -> None:
    state: dict[str, Any] = {"visit_id": "v-1", "summary": "走访", "attendees": ["张专员"]}
    ER.VisitLogged.upcast_v1_v2(state)
    assert state == {
        "visit_id": "v-1",
        "summary": "走访",
        "attendees": ["张专员"],
        "channel": "ON_SITE",
    }


def test_a_stream_holding_a_version_1_visit_reads_back_as_version_2() -> None:
    mapper: Mapper[Any] = Mapper(transcoder=_transcoder())
    relationship = just_opened()
    relationship.assign_commissioner("c-zhang", "张专员", None, actor=ADMIN, timestamp=NOW)
    stored = [mapper.to_stored_event(e) for e in relationship.collect_events()]
    # What version 1 of VisitLogged wrote: no channel, and no class_version (1 is not stored).
    v1_state = {
        "timestamp": NOW,
        "visit_id": "v-old",
        "visited_at": VISITED_AT,
        "attendees": ["张专员"],
        "topics": [],
        "policies_explained": [REFUND],
        "summary": "2024年走访记录",
        "follow_ups": [],
        "next_visit_on": NEXT_VISIT_ON,
        "commissioner_id": "c-zhang",
        "actor": ZHANG,
    }
    v1_bytes = _transcoder().encode(v1_state)
    assert b"channel" not in v1_bytes
    assert "class_version" not in json.loads(v1_bytes)
    stored.append(
        StoredEvent(
            originator_id=relationship.id,
            originator_version=relationship.version + 1,
            topic=get_topic(ER.VisitLogged),
            state=v1_bytes,
        )
    )

    events = [mapper.to_domain_event(s) for s in stored]
    replayed = _replay(events)

    assert events[-1].channel == "ON_SITE"  # type: ignore[attr-defined]
    assert replayed.visit("v-old") == {
        "visited_at": VISITED_AT, "channel": "ON_SITE", "next_visit_on": NEXT_VISIT_ON,
        "version": relationship.version + 1,
    }  # fmt: skip
    assert replayed.last_visit_at == VISITED_AT
    # Written again, it is a version 2 event.
    assert json.loads(mapper.to_stored_event(events[-1]).state)["class_version"] == 2


def test_a_whole_stream_survives_the_round_trip_through_stored_events() -> None:
    mapper: Mapper[Any] = Mapper(transcoder=_transcoder())
    full = _full_stream()
    replayed = _replay([mapper.to_domain_event(mapper.to_stored_event(e)) for e in full])
    assert vars(replayed) == vars(_replay(full))
    assert replayed.status == "SUSPENDED"
    assert replayed.confirmed_policies == (LOAN,)
    assert replayed.visit("v-1")["channel"] == "VIDEO"  # type: ignore[index]


def _full_stream() -> list[DomainEventProtocol[Any]]:
    relationship = just_opened()
    relationship.assign_commissioner("c-zhang", "张专员", None, actor=ADMIN, timestamp=OPENED_AT)
    log(relationship)
    relationship.correct_visit(
        "v-1", {"channel": "VIDEO"}, "记错了方式", CATALOGUE, actor=ZHANG, timestamp=NOW
    )
    relationship.notify_policy(LOAN, CATALOGUE, None, actor=ZHANG, timestamp=NOW)
    relationship.confirm_policy(LOAN, "王小明", actor=ZHANG, timestamp=NOW)
    relationship.suspend("停产", actor=ADMIN, timestamp=NOW)
    return list(relationship.collect_events())


def _replay(events: list[DomainEventProtocol[Any]]) -> ER:
    aggregate: Any = None
    for e in events:
        aggregate = e.mutate(aggregate)  # type: ignore[attr-defined]
    assert isinstance(aggregate, ER)
    return aggregate


# ---------------------------------------------------------------- corrections


def test_a_correction_points_at_the_visit_and_changes_its_data() -> None:
    relationship = visited()
    new_time = VISITED_AT - timedelta(days=1)
    relationship.correct_visit(
        "v-1",
        {
            "visited_at": new_time,
            "attendees": ["张专员", "王小明", "李总"],
            "policies_explained": [LOAN],
            "summary": "企业计划扩产，需招聘普工200名、技工30名",
            "next_visit_on": date(2025, 3, 20),
            "channel": "ON_SITE",  # unchanged: left out of the event
        },
        "补记参会人员",
        CATALOGUE,
        actor=ZHANG,
        timestamp=NOW,
    )
    e = then_one(relationship, ER.VisitCorrected)
    assert e.visit_id == "v-1"
    assert e.changes == {
        "visited_at": new_time,
        "attendees": ["张专员", "王小明", "李总"],
        "policies_explained": [LOAN],
        "summary": "企业计划扩产，需招聘普工200名、技工30名",
        "next_visit_on": date(2025, 3, 20),
    }
    assert (e.reason, e.actor, e.timestamp) == ("补记参会人员", ZHANG, NOW)
    assert relationship.visit("v-1") == {
        "visited_at": new_time, "channel": "ON_SITE", "next_visit_on": date(2025, 3, 20),
        "version": 3,
    }  # fmt: skip
    # The same values again change nothing (the window compares texts by their digests).
    refused(
        relationship,
        InvalidInput,
        lambda: relationship.correct_visit(
            "v-1", {"topics": ["扩产用工"], "summary": e.changes["summary"]}, "再记一次",
            CATALOGUE, actor=ZHANG, timestamp=NOW,
        ),
        field="corrections",
    )  # fmt: skip
    assert relationship.visit_count == 1
    assert relationship.last_visit_at == new_time
    assert relationship.next_visit_due_on == date(2025, 3, 20)


def test_an_admin_may_correct_a_visit_but_another_commissioner_may_not() -> None:
    relationship = visited()
    refused(
        relationship,
        Forbidden,
        lambda: relationship.correct_visit(
            "v-1", {"summary": "改"}, "原因", CATALOGUE, actor=LI, timestamp=NOW
        ),
    )
    relationship.correct_visit(
        "v-1", {"summary": "改"}, "原因", CATALOGUE, actor=ADMIN, timestamp=NOW
    )
    assert then_one(relationship, ER.VisitCorrected).actor == ADMIN


@pytest.mark.parametrize("reason", ["", "  "])
def test_a_correction_needs_a_reason(reason: str) -> None:
    relationship = visited()
    refused(
        relationship,
        InvalidInput,
        lambda: relationship.correct_visit(
            "v-1", {"summary": "改"}, reason, CATALOGUE, actor=ZHANG, timestamp=NOW
        ),
        field="reason",
    )


def test_correcting_an_unknown_visit_is_refused() -> None:
    relationship = visited()
    refused(
        relationship,
        InvalidInput,
        lambda: relationship.correct_visit(
            "v-404", {"summary": "改"}, "原因", CATALOGUE, actor=ZHANG, timestamp=NOW
        ),
        field="visitId",
        match="v-404",
    )


@pytest.mark.parametrize("key", ["commissioner_id", "visit_id", "summry", "visitedAt"])
def test_only_the_visit_data_can_be_corrected(key: str) -> None:
    relationship = visited()
    refused(
        relationship,
        InvalidInput,
        lambda: relationship.correct_visit(
            "v-1", {key: "x"}, "原因", CATALOGUE, actor=ZHANG, timestamp=NOW
        ),
        field="corrections",
        match=key,
    )


def test_empty_corrections_are_refused() -> None:
    relationship = visited()
    refused(
        relationship,
        InvalidInput,
        lambda: relationship.correct_visit(
            "v-1", {}, "原因", CATALOGUE, actor=ZHANG, timestamp=NOW
        ),
        field="corrections",
    )


def test_a_correction_that_changes_nothing_is_refused() -> None:
    relationship = visited()
    refused(
        relationship,
        InvalidInput,
        lambda: relationship.correct_visit(
            "v-1", {"channel": "ON_SITE"}, "原因", CATALOGUE, actor=ZHANG, timestamp=NOW
        ),
        field="corrections",
        match="更正内容：没有任何变化",
        english="nothing would change",
    )


@pytest.mark.parametrize(
    ("corrections", "field"),
    [
        ({"visited_at": NOW + timedelta(minutes=6)}, "visitedAt"),
        ({"visited_at": OPENED_AT - timedelta(days=1)}, "visitedAt"),
        ({"visited_at": "2025-03-05T10:00:00+08:00"}, "visitedAt"),
        ({"channel": "EMAIL"}, "channel"),
        ({"attendees": []}, "attendees"),
        ({"summary": " "}, "summary"),
        ({"policies_explained": ["POL-NO-SUCH-THING"]}, "policiesExplained"),
        ({"next_visit_on": date(2025, 3, 4)}, "nextVisitOn"),
        ({"next_visit_on": "2025-04-05"}, "nextVisitOn"),
    ],
)
def test_corrected_values_are_checked_as_a_logged_visit_is(
    corrections: dict[str, object], field: str
) -> None:
    relationship = visited()
    refused(
        relationship,
        InvalidInput,
        lambda: relationship.correct_visit(
            "v-1", corrections, "原因", CATALOGUE, actor=ZHANG, timestamp=NOW
        ),
        field=field,
    )


def test_a_correction_must_leave_the_visit_consistent() -> None:
    relationship = assigned()
    log(relationship, visited_at=VISITED_AT, next_visit_on=VISITED_AT.date())
    relationship.collect_events()
    # Moving the visit past midnight would put its planned next visit before it.
    the_next_morning = datetime(2025, 3, 6, 0, 30, tzinfo=BEIJING_TIME)
    refused(
        relationship,
        InvalidInput,
        lambda: relationship.correct_visit(
            "v-1",
            {"visited_at": the_next_morning},
            "原因",
            CATALOGUE,
            actor=ZHANG,
            timestamp=the_next_morning + timedelta(hours=8),
        ),
        field="nextVisitOn",
    )


def test_a_visit_can_be_corrected_while_suspended_but_not_once_closed() -> None:
    relationship = suspended(visited())
    relationship.correct_visit(
        "v-1", {"summary": "补正"}, "原因", CATALOGUE, actor=ZHANG, timestamp=NOW
    )
    then_one(relationship, ER.VisitCorrected)
    closed(relationship)
    refused(
        relationship,
        InvalidTransition,
        lambda: relationship.correct_visit(
            "v-1", {"summary": "再补正"}, "原因", CATALOGUE, actor=ZHANG, timestamp=NOW
        ),
        match="“终止服务”",
        english="CLOSED",
    )


# ---------------------------------------------------------------- policies (告知 + 确认)


def test_notifying_a_policy_records_it() -> None:
    relationship = assigned()
    relationship.notify_policy(REFUND, CATALOGUE, " 已发送政策解读 ", actor=ZHANG, timestamp=NOW)
    e = then_one(relationship, ER.PolicyNotified)
    assert (e.policy_code, e.note, e.actor, e.timestamp) == (REFUND, "已发送政策解读", ZHANG, NOW)
    assert relationship.notified_policies == (REFUND,)
    assert relationship.confirmed_policies == ()


def test_notifying_an_unknown_policy_is_refused_naming_the_code() -> None:
    relationship = assigned()
    error = refused(
        relationship,
        InvalidInput,
        lambda: relationship.notify_policy(
            "POL-NO-SUCH-THING", CATALOGUE, None, actor=ZHANG, timestamp=NOW
        ),
        field="policyCode",
    )
    assert "POL-NO-SUCH-THING" in error.message


def test_the_enterprise_confirms_a_notified_policy() -> None:
    relationship = assigned()
    relationship.notify_policy(REFUND, CATALOGUE, None, actor=ZHANG, timestamp=NOW)
    relationship.collect_events()
    relationship.confirm_policy(REFUND, " 王小明 ", actor=ZHANG, timestamp=NOW)
    e = then_one(relationship, ER.PolicyConfirmed)
    assert (e.policy_code, e.confirmed_by, e.actor) == (REFUND, "王小明", ZHANG)
    assert relationship.confirmed_policies == (REFUND,)


def test_a_policy_that_was_never_notified_cannot_be_confirmed() -> None:
    relationship = assigned()
    relationship.notify_policy(LOAN, CATALOGUE, None, actor=ZHANG, timestamp=NOW)
    relationship.collect_events()
    refused(
        relationship,
        InvalidTransition,
        lambda: relationship.confirm_policy(REFUND, "王小明", actor=ZHANG, timestamp=NOW),
        match=f"不能确认从未告知的政策 {REFUND}",
        english=f"cannot confirm policy {REFUND} that was never notified",
    )


def test_a_policy_is_confirmed_only_once() -> None:
    relationship = assigned()
    relationship.notify_policy(REFUND, CATALOGUE, None, actor=ZHANG, timestamp=NOW)
    relationship.confirm_policy(REFUND, "王小明", actor=ZHANG, timestamp=NOW)
    relationship.collect_events()
    refused(
        relationship,
        InvalidTransition,
        lambda: relationship.confirm_policy(REFUND, "王小明", actor=ZHANG, timestamp=NOW),
        match="已确认，不能重复确认",
        english="already confirmed",
    )


def test_a_confirmation_names_who_confirmed() -> None:
    relationship = assigned()
    relationship.notify_policy(REFUND, CATALOGUE, None, actor=ZHANG, timestamp=NOW)
    relationship.collect_events()
    refused(
        relationship,
        InvalidInput,
        lambda: relationship.confirm_policy(REFUND, " ", actor=ZHANG, timestamp=NOW),
        field="confirmedBy",
    )


def test_a_policy_may_be_notified_again_as_a_reminder() -> None:
    relationship = assigned()
    relationship.notify_policy(REFUND, CATALOGUE, None, actor=ZHANG, timestamp=NOW)
    relationship.notify_policy(REFUND, CATALOGUE, "再次提醒", actor=ADMIN, timestamp=NOW)
    assert len(relationship.collect_events()) == 2
    assert relationship.notified_policies == (REFUND,)


@pytest.mark.parametrize("actor", [LI, SUPERVISOR])
def test_only_the_commissioner_or_an_admin_records_policy_notices(actor: Actor) -> None:
    relationship = assigned(ZHANG)
    refused(
        relationship,
        Forbidden,
        lambda: relationship.notify_policy(REFUND, CATALOGUE, None, actor=actor, timestamp=NOW),
    )
    relationship.notify_policy(REFUND, CATALOGUE, None, actor=ZHANG, timestamp=NOW)
    relationship.collect_events()
    refused(
        relationship,
        Forbidden,
        lambda: relationship.confirm_policy(REFUND, "王小明", actor=actor, timestamp=NOW),
    )


def test_no_policy_notices_while_suspended() -> None:
    relationship = suspended(assigned())
    refused(
        relationship,
        InvalidTransition,
        lambda: relationship.notify_policy(REFUND, CATALOGUE, None, actor=ZHANG, timestamp=NOW),
        match="“暂停服务”状态的服务关系执行告知政策",
        english="SUSPENDED",
    )


# ---------------------------------------------------------------- contacts


@pytest.mark.parametrize("actor", [ZHANG, ADMIN])
def test_contacts_are_changed_by_the_commissioner_or_an_admin(actor: Actor) -> None:
    relationship = assigned(ZHANG)
    relationship.change_contacts(
        [{"name": " 李四 ", "phone": "139 1234 5678"}, {"name": "赵六", "phone": "023-63861234"}],
        actor=actor,
        timestamp=NOW,
    )
    e = then_one(relationship, ER.ContactsChanged)
    expected = [
        {"name": "李四", "phone": "13912345678", "title": None},
        {"name": "赵六", "phone": "023-63861234", "title": None},
    ]
    assert (e.contacts, e.actor) == (expected, actor)
    assert relationship.contacts == expected


def test_another_commissioner_cannot_change_the_contacts() -> None:
    relationship = assigned(ZHANG)
    refused(
        relationship,
        Forbidden,
        lambda: relationship.change_contacts([CONTACT], actor=LI, timestamp=NOW),
    )


def test_invalid_contacts_are_refused_naming_the_row() -> None:
    relationship = assigned()
    refused(
        relationship,
        InvalidInput,
        lambda: relationship.change_contacts(
            [CONTACT, {"name": "李四", "phone": "不是电话"}], actor=ZHANG, timestamp=NOW
        ),
        field="contacts[1]",
    )


def test_contacts_that_would_not_change_are_refused() -> None:
    relationship = assigned()
    refused(
        relationship,
        InvalidInput,
        lambda: relationship.change_contacts([dict(CONTACT)], actor=ZHANG, timestamp=NOW),
        field="contacts",
    )


# ---------------------------------------------------------------- suspension and closure


def test_a_relationship_opens_active() -> None:
    assert opened().status == "ACTIVE"


def test_suspend_and_resume() -> None:
    relationship = assigned()
    relationship.suspend(" 企业停产整顿 ", actor=ADMIN, timestamp=NOW)
    e = then_one(relationship, ER.Suspended)
    assert (e.reason, e.actor, relationship.status) == ("企业停产整顿", ADMIN, "SUSPENDED")
    relationship.resume(actor=ADMIN, timestamp=NOW + timedelta(days=1))
    e = then_one(relationship, ER.Resumed)
    assert (e.actor, relationship.status) == (ADMIN, "ACTIVE")
    log(relationship, at=NOW + timedelta(days=1))
    then_one(relationship, ER.VisitLogged)


@pytest.mark.parametrize("state", [lambda r: r, suspended])
def test_close_from_active_or_suspended(state: Callable[[ER], ER]) -> None:
    relationship = state(assigned())
    relationship.close("企业迁出重庆", actor=ADMIN, timestamp=NOW)
    e = then_one(relationship, ER.Closed)
    assert (e.reason, e.actor, relationship.status) == ("企业迁出重庆", ADMIN, "CLOSED")


@pytest.mark.parametrize("command", ["suspend", "close"])
def test_suspending_and_closing_need_a_reason(command: str) -> None:
    relationship = assigned()
    refused(
        relationship,
        InvalidInput,
        lambda: getattr(relationship, command)("  ", actor=ADMIN, timestamp=NOW),
        field="reason",
    )


@pytest.mark.parametrize(
    ("state", "command", "message", "english"),
    [
        (lambda r: r, "resume", "不能对处于“服务中”状态的服务关系执行恢复服务",
         "cannot resume a relationship that is ACTIVE"),
        (suspended, "suspend", "不能对处于“暂停服务”状态的服务关系执行暂停服务",
         "cannot suspend a relationship that is SUSPENDED"),
        (closed, "suspend", "不能对处于“终止服务”状态的服务关系执行暂停服务",
         "cannot suspend a relationship that is CLOSED"),
        (closed, "resume", "不能对处于“终止服务”状态的服务关系执行恢复服务",
         "cannot resume a relationship that is CLOSED"),
        (closed, "close", "不能对处于“终止服务”状态的服务关系执行终止服务",
         "cannot close a relationship that is CLOSED"),
    ],
)  # fmt: skip
def test_a_transition_from_the_wrong_state_is_refused_naming_state_and_action(
    state: Callable[[ER], ER], command: str, message: str, english: str
) -> None:
    relationship = state(assigned())
    args = () if command == "resume" else ("原因",)
    refused(
        relationship,
        InvalidTransition,
        lambda: getattr(relationship, command)(*args, actor=ADMIN, timestamp=NOW),
        match=message,
        english=english,
    )


CLOSED_COMMANDS: dict[str, Callable[[ER], object]] = {
    "log_visit": lambda r: log(r, visit_id="v-2"),
    "correct_visit": lambda r: r.correct_visit(
        "v-1", {"summary": "改"}, "原因", CATALOGUE, actor=ZHANG, timestamp=NOW
    ),
    "notify_policy": lambda r: r.notify_policy(REFUND, CATALOGUE, None, actor=ZHANG, timestamp=NOW),
    "confirm_policy": lambda r: r.confirm_policy(REFUND, "王小明", actor=ZHANG, timestamp=NOW),
    "change_contacts": lambda r: r.change_contacts([], actor=ZHANG, timestamp=NOW),
    "assign_commissioner": lambda r: r.assign_commissioner(
        "c-li", "李专员", "调岗", actor=ADMIN, timestamp=NOW
    ),
}


@pytest.mark.parametrize("command", CLOSED_COMMANDS)
def test_closed_is_final(command: str) -> None:
    relationship = visited()
    relationship.notify_policy(REFUND, CATALOGUE, None, actor=ZHANG, timestamp=NOW)
    closed(relationship)
    refused(
        relationship,
        InvalidTransition,
        lambda: CLOSED_COMMANDS[command](relationship),
        match="“终止服务”",
        english="CLOSED",
    )


# ---------------------------------------------------------------- the right to be forgotten


@pytest.mark.parametrize("basis", ["", "   ", None])
def test_an_erasure_needs_a_legal_basis_and_records_nothing_without_one(basis: Any) -> None:
    relationship = assigned()
    with pytest.raises(InvalidInput) as refused:
        relationship.erase_personal_data(basis, actor=ADMIN, timestamp=NOW)
    assert refused.value.field == "legalBasis"
    assert relationship.collect_events() == []
    assert relationship.contacts == [CONTACT]


def test_an_erasure_blanks_contacts_and_attendees_and_is_allowed_once_closed() -> None:
    relationship = assigned()
    log(relationship, attendees=["王小明"], summary="回电 13812345678，已告知")
    relationship.close("迁出重庆", actor=ADMIN, timestamp=NOW)
    relationship.erase_personal_data("个人信息保护法第四十七条", actor=ADMIN, timestamp=NOW)
    [*_, erased] = relationship.collect_events()
    assert isinstance(erased, ER.PersonalDataErased)
    assert erased.legal_basis == "个人信息保护法第四十七条"
    assert relationship.contacts == [{**CONTACT, "name": "（已删除）", "phone": "（已删除）"}]
    # The lean aggregate keeps no visit text, only short digests: the personal ones go too.
    [visit] = relationship._visits.values()
    assert visit["digests"]["attendees"] == visit["digests"]["summary"] == ""
    assert visit["digests"]["policies_explained"] != ""
    assert visit["visited_at"] == VISITED_AT  # what is not personal stays
