"""The global event feed as GraphQL: the same envelope Kafka carries."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from api.common.types import User, actor_user
from application.feed import FeedEnvelope


@strawberry.type
class FeedEvent:
    id: str
    position: int
    stream_id: strawberry.ID
    stream_type: str
    type: str
    version: int
    occurred_at: datetime
    actor: User | None
    data: JSON

    @classmethod
    def from_envelope(cls, e: FeedEnvelope) -> FeedEvent:
        actor = actor_user(e.actor.id, e.actor.name, e.actor.role) if e.actor else None
        return cls(
            id=e.id,
            position=e.position,
            stream_id=strawberry.ID(e.stream_id),
            stream_type=e.stream_type,
            type=e.type,
            version=e.version,
            occurred_at=e.occurred_at,
            actor=actor,
            data=JSON(e.data),
        )


@strawberry.type
class FeedPage:
    events: list[FeedEvent]
    last_position: int | None
