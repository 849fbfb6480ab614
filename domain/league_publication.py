"""A published league table (区县晾晒结果): the figures as they were published, never changed.

One stream per period ("2025-Q3"), its id derived from the period, holding one event: the
table's rows (each district's rank, score and KPI figures), the weights it was scored with,
and the position of the log it was computed at. Publishing a period twice is refused (the
event store's key refuses the second stream too): a published table is what the districts were
told, so late events and corrections change the live figures, never the published ones.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.shared import Actor, InvalidInput

_NAMESPACE = uuid5(NAMESPACE_URL, "https://espcrm/published-league-table")


def published_table_id(period: str) -> UUID:
    """The stream id of a period's published table, derived from the period's text."""
    return uuid5(_NAMESPACE, period)


class PublishedLeagueTable(Aggregate):
    """区县晾晒结果: the league table of one period as a supervisor published it."""

    class Published(Aggregate.Created):
        class_version = 1
        period: str
        weights: dict[str, float]
        rows: list[dict[str, Any]]
        log_position: int
        actor: Actor

    @staticmethod
    def create_id(period: str) -> UUID:
        return published_table_id(period)

    @classmethod
    def publish(
        cls,
        *,
        period: str,
        weights: dict[str, float],
        rows: list[dict[str, Any]],
        log_position: int,
        actor: Actor,
        timestamp: datetime,
    ) -> PublishedLeagueTable:
        """Publish a period's table; every row names a district (checked before recording)."""
        if not rows or any(not isinstance(r.get("district"), str) for r in rows):
            raise InvalidInput("input.required", field="rows")
        return cls(
            period=period,
            weights=dict(weights),
            rows=[dict(r) for r in rows],
            log_position=log_position,
            actor=actor,
            timestamp=timestamp,
        )

    @event(Published)
    def __init__(
        self,
        *,
        period: str,
        weights: dict[str, float],
        rows: list[dict[str, Any]],
        log_position: int,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self.period = period
        self.weights = weights
        self.rows = rows
        self.log_position = log_position
        self.published_by = actor
        self.published_at = timestamp
