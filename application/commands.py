"""The plumbing every command shares: get, act, save with bounded retry, idempotent creation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError

from domain.messages import t
from domain.shared import Clock, Conflict, NotFound

A = TypeVar("A")
MAX_ATTEMPTS = 3
_IDEMPOTENCY = uuid5(NAMESPACE_URL, "https://espcrm/idempotency")


class PositionLookup(Protocol):
    def position_of(self, originator_id: UUID, version: int) -> int | None: ...


def idempotent_id(kind: str, user_id: str, key: str | None, *scope: object) -> UUID | None:
    """A repeat of the same command with the same key by the same user on the same target
    (`scope`: the enterprise, the reporting point) targets the same id. The same key by
    another user, at another unit or on another target is another request altogether: it can
    neither return nor overwrite someone else's result. Whether a repeat is the same request
    is the command's to check (IdempotencyKeyReused)."""
    if not key:
        return None
    parts = [kind, user_id.strip().casefold(), key.strip(), *(str(s) for s in scope)]
    return uuid5(_IDEMPOTENCY, "\x1f".join(parts))


def not_found(what: str, aggregate_id: object) -> NotFound:
    """The one answer for an unknown id and for one outside the caller's scope (no leak)."""
    return NotFound("not_found", what=t(f"what.{what}"), id=aggregate_id)


class CommandsBase(Application[UUID]):
    """Application methods are a few lines: get, act, save, return the new position."""

    clock: Clock

    def now(self) -> datetime:
        return self.clock.now()

    def _get(self, aggregate_id: UUID, what: str) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise not_found(what, aggregate_id) from None

    def _exists(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self.repository

    def _update(
        self,
        aggregate_id: UUID,
        what: str,
        act: Callable[[Any], None],
        repeat: list[int] | None = None,
    ) -> int:
        """Optimistic concurrency: a version clash reloads and re-decides, a bounded number of
        times; the loser of a real race then sees the new state (and usually a refusal).

        `act` may append to `repeat` the version of an earlier event that already did this
        (an idempotent repeat): then nothing is saved and that event's position is returned.
        """
        for attempt in range(1, MAX_ATTEMPTS + 1):
            aggregate = self._get(aggregate_id, what)
            act(aggregate)
            if repeat:
                return self._position_of(aggregate_id, repeat[-1])
            try:
                return self._save(aggregate)
            except IntegrityError:
                if attempt == MAX_ATTEMPTS:
                    break
        raise Conflict("conflict.kept_changing", what=t(f"what.{what}"), id=aggregate_id)

    def _create(self, aggregate: Any, on_clash: Callable[[], Exception]) -> int:
        try:
            return self._save(aggregate)
        except IntegrityError:
            raise on_clash() from None

    def _save(self, *aggregates: Any) -> int:
        """Save atomically and return the global position of the last event written."""
        recordings = self.save(*aggregates)
        return recordings[-1].notification.id

    def _position_of(self, aggregate_id: UUID, version: int) -> int:
        lookup: Any = self.recorder
        position = lookup.position_of(aggregate_id, version)
        if position is None:
            raise NotFound("not_found", what=t("what.event"), id=f"{aggregate_id}:{version}")
        return int(position)
