"""The relationship keeps only what its decisions read (VISIT_WINDOW): loading it, from events
or a snapshot, costs nearly the same at 10 and at 5,000 visits; and snapshots of the older
shape, which held every visit in full, are upcast."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Mapper

from application.transcodings import ActorAsDict, DateAsISO
from domain.enterprise import VISIT_WINDOW, RelationshipStatus
from domain.enterprise import EnterpriseRelationship as ER
from domain.shared import IdempotencyKeyReused, InvalidInput
from tests.unit.test_enterprise_relationship import (
    CATALOGUE,
    NEXT_VISIT_ON,
    NOW,
    REFUND,
    VISITED_AT,
    ZHANG,
    assigned,
    log,
)

LATER = NOW + timedelta(days=2)  # when the visits are logged and corrected


def _mapper() -> Mapper[Any]:
    transcoder = JSONTranscoder()
    for transcoding in (DatetimeAsISO(), ActorAsDict(), DateAsISO()):
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder)


def _visited(n: int, *, first_is_latest: bool = False) -> ER:
    """Assigned, then n visits v-0 … v-(n-1), each a minute earlier than the one before it
    when `first_is_latest` (so the latest visit is the first logged), else a minute later."""
    relationship = assigned()
    for i in range(n):
        step = timedelta(minutes=-i if first_is_latest else i)
        log(relationship, visit_id=f"v-{i}", visited_at=VISITED_AT + step, next_visit_on=None,
            at=LATER)  # fmt: skip
    relationship.collect_events()
    return relationship


def _through_a_snapshot(relationship: ER) -> ER:
    mapper = _mapper()
    stored = mapper.to_stored_event(ER.Snapshot.take(relationship))
    restored = mapper.to_domain_event(stored).mutate(None)  # type: ignore[attr-defined]
    assert isinstance(restored, ER)
    return restored


def test_the_aggregate_remembers_a_window_of_visits_and_counts_them_all() -> None:
    relationship = _visited(VISIT_WINDOW + 30)
    assert relationship.visit_count == VISIT_WINDOW + 30
    assert len(relationship._visits) == VISIT_WINDOW
    assert relationship.visit("v-0") is None and relationship.visit("v-129") is not None
    assert relationship.has_visit("v-0") and relationship.has_visit("v-129")
    assert not relationship.has_visit("v-130")


def test_what_a_snapshot_holds_grows_by_a_short_digest_a_visit_beyond_the_window() -> None:
    mapper = _mapper()

    def size(n: int) -> int:
        return len(mapper.to_stored_event(ER.Snapshot.take(_visited(n))).state)

    at_window, far_beyond = size(VISIT_WINDOW), size(VISIT_WINDOW + 300)
    assert far_beyond - at_window < 300 * 40  # the digest, a little JSON and the cipher's share


def test_a_visit_older_than_the_window_is_still_known_but_no_longer_corrected() -> None:
    relationship = _visited(VISIT_WINDOW + 1)
    with pytest.raises(InvalidInput, match="不能再更正") as caught:
        relationship.correct_visit(
            "v-0", {"summary": "补记"}, "记错了", CATALOGUE, actor=ZHANG, timestamp=NOW
        )
    assert caught.value.field == "visitId"
    with pytest.raises(InvalidInput, match="已登记"):
        log(relationship, visit_id="v-0")
    assert relationship.pending_events == []


def test_the_latest_visit_stays_right_when_it_has_left_the_window() -> None:
    relationship = _visited(VISIT_WINDOW + 5, first_is_latest=True)
    assert relationship.visit("v-0") is None
    assert relationship.last_visit_at == VISITED_AT
    # A correction inside the window may still move a visit past it.
    later = VISITED_AT + timedelta(days=1)
    relationship.correct_visit(
        "v-104", {"visited_at": later}, "记错了日期", CATALOGUE, actor=ZHANG, timestamp=LATER
    )
    assert relationship.last_visit_at == later


def test_visits_leave_the_window_in_the_order_logged_across_corrections_and_a_snapshot() -> None:
    relationship = _visited(VISIT_WINDOW)
    # The oldest visit corrected, then the state through a snapshot: it is still the next out.
    relationship.correct_visit(
        "v-0", {"summary": "补记"}, "记错了", CATALOGUE, actor=ZHANG, timestamp=LATER
    )
    restored = _through_a_snapshot(relationship)
    for i in range(VISIT_WINDOW, VISIT_WINDOW + 2):
        log(restored, visit_id=f"v-{i}", visited_at=VISITED_AT + timedelta(minutes=i),
            next_visit_on=None, at=LATER)  # fmt: skip
    assert restored.visit("v-0") is None and restored.visit("v-1") is None
    assert restored.visit("v-2") is not None
    assert len(restored._visits) == VISIT_WINDOW


def test_a_snapshot_restores_the_same_state_and_the_same_decisions() -> None:
    relationship = _visited(VISIT_WINDOW + 3)
    restored = _through_a_snapshot(relationship)
    assert vars(restored) == vars(relationship)
    assert isinstance(restored._status, RelationshipStatus)
    assert restored.status == "ACTIVE"
    # An idempotent repeat is recognised after the snapshot, a different request refused.
    fields = dict(
        visited_at=VISITED_AT + timedelta(minutes=VISIT_WINDOW + 2), channel="ON_SITE",
        attendees=["张专员", "王小明（人事经理）"], topics=["扩产用工"],
        policies_explained=[REFUND], summary="企业计划扩产，需招聘普工200名",
        follow_ups=["对接区就业中心"], next_visit_on=None, catalogue=CATALOGUE,
    )  # fmt: skip
    last = f"v-{VISIT_WINDOW + 2}"
    assert restored.repeats_visit(last, **fields, actor=ZHANG) == relationship.version
    with pytest.raises(IdempotencyKeyReused):
        restored.repeats_visit(last, **{**fields, "summary": "另一份纪要"}, actor=ZHANG)


def test_a_version_1_snapshot_holding_every_visit_is_upcast_to_the_lean_state() -> None:
    relationship = assigned()
    old_state = {
        key: value
        for key, value in vars(relationship).items()
        if key not in ("_id", "_version", "_pending_events")
        and key not in ("_visits", "_visit_ids", "_visit_count", "_retired_latest")
    }
    # What version 1 of the aggregate held: every visit in full, and each visit's request.
    old_state["_visits"] = {
        "v-old": {
            "visit_id": "v-old", "visited_at": VISITED_AT, "channel": "PHONE",
            "attendees": ["张专员"], "topics": [], "policies_explained": [REFUND],
            "summary": "2024年走访记录", "follow_ups": [], "next_visit_on": NEXT_VISIT_ON,
            "commissioner_id": "c-zhang", "logged_at": NOW, "logged_version": 3,
        }
    }  # fmt: skip
    old_state["_visit_requests"] = {
        "v-old": [VISITED_AT, "PHONE", ["张专员"], [], [REFUND], "2024年走访记录", [],
                  NEXT_VISIT_ON],
    }  # fmt: skip
    mapper = _mapper()
    snapshot = ER.Snapshot(
        originator_id=relationship.id,
        originator_version=3,
        timestamp=NOW,
        topic=ER.Snapshot.take(relationship).topic,
        state=old_state,
    )
    stored = mapper.to_stored_event(snapshot)
    assert b"class_version" not in stored.state  # version 1 is not written
    restored = mapper.to_domain_event(stored).mutate(None)  # type: ignore[attr-defined]

    assert restored.visit("v-old") == {
        "visited_at": VISITED_AT, "channel": "PHONE", "next_visit_on": NEXT_VISIT_ON,
        "version": 3,
    }  # fmt: skip
    assert (restored.visit_count, restored.last_visit_at) == (1, VISITED_AT)
    assert not hasattr(restored, "_visit_requests")
    same = dict(
        visited_at=VISITED_AT, channel="PHONE", attendees=["张专员"], topics=[],
        policies_explained=[REFUND], summary="2024年走访记录", follow_ups=[],
        next_visit_on=NEXT_VISIT_ON, catalogue=CATALOGUE,
    )  # fmt: skip
    assert restored.repeats_visit("v-old", **same, actor=ZHANG) == 3
    with pytest.raises(InvalidInput, match="没有任何变化"):
        restored.correct_visit(
            "v-old", {"summary": "2024年走访记录"}, "重复", CATALOGUE, actor=ZHANG, timestamp=NOW
        )
