"""The projections' stream-state cache: folds in order, loads on a gap, keeps what may move."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from projections.state import StateCache


@dataclass(frozen=True)
class Counter:
    version: int
    open: bool = True


@dataclass(frozen=True)
class Event:
    originator_id: UUID
    originator_version: int
    closes: bool = False


def fold(state: Counter | None, e: Any) -> Counter:
    return Counter(e.originator_version, open=not e.closes)


def a_cache(loads: list[tuple[UUID, int]], max_size: int = 10) -> StateCache[Counter]:
    def load(stream_id: UUID, version: int) -> Counter:
        loads.append((stream_id, version))
        return Counter(version)

    return StateCache(load, fold, max_size, keep=lambda state: state.open)


def test_events_in_order_are_folded_without_loading() -> None:
    loads: list[tuple[UUID, int]] = []
    cache, stream = a_cache(loads), uuid4()
    for version in (1, 2, 3):
        state = cache.after(Event(stream, version))
    assert state == Counter(3) and loads == []


def test_the_same_event_again_is_not_applied_twice() -> None:
    loads: list[tuple[UUID, int]] = []
    cache, stream = a_cache(loads), uuid4()
    cache.after(Event(stream, 1))
    assert cache.after(Event(stream, 1)) == Counter(1)
    assert loads == []


def test_a_gap_loads_the_stream_at_the_events_version() -> None:
    loads: list[tuple[UUID, int]] = []
    cache, stream = a_cache(loads), uuid4()
    assert cache.after(Event(stream, 5)) == Counter(5)
    assert loads == [(stream, 5)]


def test_a_stream_that_will_not_move_again_is_not_kept_and_is_loaded_if_it_does() -> None:
    loads: list[tuple[UUID, int]] = []
    cache, stream = a_cache(loads), uuid4()
    cache.after(Event(stream, 1))
    assert len(cache) == 1
    cache.after(Event(stream, 2, closes=True))
    assert len(cache) == 0  # closed: dropped
    cache.after(Event(uuid4(), 1, closes=True))  # another stream dropped since
    assert cache.after(Event(stream, 3)) == Counter(3)  # reopened: loaded again
    assert loads == [(stream, 3)]


def test_the_event_that_dropped_a_stream_seen_again_is_not_loaded() -> None:
    """Projections sharing the states (rebuild_all's folds) each see the closing event."""
    loads: list[tuple[UUID, int]] = []
    cache, stream = a_cache(loads), uuid4()
    cache.after(Event(stream, 1))
    closed = cache.after(Event(stream, 2, closes=True))
    assert cache.after(Event(stream, 2, closes=True)) is closed
    assert cache.after(Event(stream, 3)) == Counter(3)  # reopened at once: folded on
    assert loads == [] and len(cache) == 1


def test_a_stream_forgotten_after_it_was_dropped_is_loaded_again() -> None:
    loads: list[tuple[UUID, int]] = []
    cache, stream = a_cache(loads), uuid4()
    cache.after(Event(stream, 1, closes=True))
    cache.drop(lambda state: True)  # an erasure: what was held is stale
    assert cache.after(Event(stream, 2)) == Counter(2)
    assert loads == [(stream, 2)]


def test_the_least_recently_seen_stream_goes_first_when_full() -> None:
    loads: list[tuple[UUID, int]] = []
    cache = a_cache(loads, max_size=2)
    a, b, c = uuid4(), uuid4(), uuid4()
    for stream in (a, b):
        cache.after(Event(stream, 1))
    cache.after(Event(a, 2))  # a is now the most recent
    cache.after(Event(c, 1))  # b goes
    cache.after(Event(a, 3))
    cache.after(Event(b, 2))
    assert loads == [(b, 2)]
