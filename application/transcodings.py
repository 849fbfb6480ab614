"""How domain values the JSON transcoder doesn't know are stored in the event store."""

from __future__ import annotations

from datetime import date
from typing import Any

from eventsourcing.persistence import Transcoding

from domain.shared import Actor


class ActorAsDict(Transcoding):
    type = Actor
    name = "actor"

    def encode(self, obj: Actor) -> dict[str, str]:
        return {"id": obj.id, "name": obj.name, "role": obj.role}

    def decode(self, data: dict[str, str]) -> Actor:
        return Actor(id=data["id"], name=data["name"], role=data["role"])


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: Any) -> date:
        return date.fromisoformat(data)
