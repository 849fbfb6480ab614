"""The command cache (application/commands.py CommandCache) when commands go round more
streams than it holds."""

from __future__ import annotations

import random
from dataclasses import dataclass
from uuid import UUID, uuid4

from application.commands import CommandCache


@dataclass
class Aggregate:
    id: UUID
    version: int = 1


def _hits_going_round(cache: CommandCache, streams: int, rounds: int) -> float:
    ids = [uuid4() for _ in range(streams)]
    hits = 0
    for _ in range(rounds):
        for aggregate_id in ids:
            taken = cache.take(aggregate_id)
            hits += taken is not None
            cache.give_back(taken or Aggregate(aggregate_id))
    return hits / (streams * (rounds - 1))  # the first round only fills it


def test_commands_going_round_a_few_more_streams_than_it_holds_still_mostly_hit() -> None:
    """Under LRU every one of these missed: each command's save dropped the next stream."""
    hit_rate = _hits_going_round(CommandCache(100, random.Random(7)), streams=104, rounds=20)
    assert hit_rate > 0.85


def test_it_never_holds_more_than_its_capacity_nor_drops_the_aggregate_just_given_back() -> None:
    cache = CommandCache(3, random.Random(1))
    last = None
    for _ in range(50):
        last = Aggregate(uuid4())
        cache.give_back(last)
        assert len(cache._items) <= 3
    assert last is not None and cache.take(last.id) is last


def test_an_older_version_given_back_does_not_replace_a_newer_one() -> None:
    cache = CommandCache(10)
    aggregate_id = uuid4()
    newer = Aggregate(aggregate_id, version=5)
    cache.give_back(newer)
    cache.give_back(Aggregate(aggregate_id, version=4))
    assert cache.take(aggregate_id) is newer
