"""Stream state for projections, kept current by the very events they are processing.

A projection sees every event of a stream in order, so it can keep the stream's state current
by folding each event into it: the read model then shows exactly what the domain decided (time
limits, counts) without re-implementing it. After a restart the cache is empty and the state
is loaded once from the event store at the event's version.

Issues are kept as whole aggregates (an issue's stream is short and its deadlines are the
domain's to compute). Enterprises are kept as profiles (projections/enterprise_profile.py):
their streams grow with every visit, and the views keep visits in their own tables.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar
from uuid import UUID

from domain.enterprise import EnterpriseRelationship
from domain.issue import Issue
from projections.enterprise_profile import EnterpriseProfile, fold

S = TypeVar("S")
Loader = Callable[[UUID, int], Any]  # (stream id, version) → the aggregate at that version


class StateCache(Generic[S]):
    """The latest state of recently seen streams, at most `max_size` of them (least recently
    seen dropped first: they are loaded again if their stream moves on)."""

    def __init__(
        self,
        load: Callable[[UUID, int], S],
        fold: Callable[[S | None, Any], S],
        max_size: int,
        keep: Callable[[S], bool] = lambda state: True,
    ) -> None:
        self._load = load
        self._fold = fold
        self._max_size = max_size
        self._keep = keep  # False: the stream is unlikely to move again; load it if it does
        # Keyed by the stream id's 128-bit integer: a UUID's hash and equality are Python
        # methods, some 4 % of a kpi rebuild at four look-ups an event.
        self._states: OrderedDict[int, S] = OrderedDict()
        # The last state `keep` turned away: the projections sharing these states see the
        # same event next, and would otherwise each load it from the store again.
        self._dropped: tuple[int, S] | None = None

    def after(self, event: Any) -> S:
        """The state as it is once `event` has happened."""
        stream_id: UUID = event.originator_id
        key: int = stream_id.int
        version: int = event.originator_version
        state = self._states.get(key)
        if state is None and self._dropped is not None and self._dropped[0] == key:
            state = self._dropped[1]
        held = getattr(state, "version", None)
        if state is not None and held == version:
            # The same event again (a retried transaction, or the next of the projections
            # sharing these states): already applied, and already the most recently seen.
            return state
        if state is not None and held == version - 1:
            state = self._fold(state, event)
        elif version == 1:
            state = self._fold(None, event)
        else:
            state = self._load(stream_id, version)
        self._remember(key, state)
        return state

    def __len__(self) -> int:
        return len(self._states)

    def drop(self, which: Callable[[S], bool]) -> None:
        """Forget the states `which` picks: they are loaded from the store again if needed."""
        for key in [k for k, state in self._states.items() if which(state)]:
            del self._states[key]
        if self._dropped is not None and which(self._dropped[1]):
            self._dropped = None

    def _remember(self, key: int, state: S) -> None:
        if not self._keep(state):
            self._states.pop(key, None)
            self._dropped = (key, state)
            return
        self._states[key] = state
        self._states.move_to_end(key)
        while len(self._states) > self._max_size:
            self._states.popitem(last=False)


class ProjectionStates:
    """One projection's stream states: enterprise profiles and issue aggregates."""

    # A profile is a few hundred bytes, an issue aggregate a few kilobytes: both caps keep a
    # rebuild's memory within ~100 MB however long the log, and above a city's enterprise count.
    def __init__(
        self, load_aggregate: Loader, max_profiles: int = 100_000, max_issues: int = 20_000
    ) -> None:
        self._profiles: StateCache[EnterpriseProfile] = StateCache(
            lambda stream_id, version: EnterpriseProfile.of(load_aggregate(stream_id, version)),
            fold,
            max_profiles,
        )
        # A closed or declined issue rarely moves again (a reopening loads it once): only
        # open ones are kept, so the cache follows the open workload, not the log's length.
        self._issues: StateCache[Issue] = StateCache(
            load_aggregate,
            lambda issue, event: event.mutate(issue),
            max_issues,
            keep=lambda issue: issue.is_open,
        )

    def enterprise(self, event: EnterpriseRelationship.Event) -> EnterpriseProfile:
        return self._profiles.after(event)

    def issue(self, event: Issue.Event) -> Issue:
        return self._issues.after(event)

    def forget_issues_of(self, enterprise_id: UUID) -> None:
        """After an erasure: the enterprise's issues held here still hold its personal data;
        loaded again, they read （已删除）."""
        self._issues.drop(lambda issue: issue.enterprise_id == str(enterprise_id))
