"""Aggregate state for projections, rebuilt from the very events they are processing.

A projection sees every event of a stream in order, so it can keep the aggregate current by
applying each event itself: the read model then shows exactly what the domain decided (time
limits, counts) without re-implementing it. After a restart the cache is empty and the
aggregate is loaded once from the event store at the event's version.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from uuid import UUID

Loader = Callable[[UUID, int], Any]


class AggregateCache:
    def __init__(self, load_at_version: Loader, max_size: int = 20_000) -> None:
        self._load = load_at_version
        self._max_size = max_size
        self._aggregates: OrderedDict[UUID, Any] = OrderedDict()

    def after(self, event: Any) -> Any:
        """The aggregate as it is once `event` has happened."""
        stream_id: UUID = event.originator_id
        version: int = event.originator_version
        aggregate = self._aggregates.get(stream_id)
        if aggregate is not None and aggregate.version == version:
            pass  # the same event again (a retried transaction): already applied
        elif aggregate is not None and aggregate.version == version - 1:
            aggregate = event.mutate(aggregate)
        elif version == 1:
            aggregate = event.mutate(None)
        else:
            aggregate = self._load(stream_id, version)
        self._remember(stream_id, aggregate)
        return aggregate

    def _remember(self, stream_id: UUID, aggregate: Any) -> None:
        self._aggregates[stream_id] = aggregate
        self._aggregates.move_to_end(stream_id)
        while len(self._aggregates) > self._max_size:
            self._aggregates.popitem(last=False)
