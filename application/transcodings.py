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
        encoded = {"id": obj.id, "name": obj.name, "role": obj.role}
        # The request's metadata only when there is some: events without it keep their form.
        if obj.request_id:
            encoded["request_id"] = obj.request_id
        if obj.client_app:
            encoded["client_app"] = obj.client_app
        return encoded

    def decode(self, data: dict[str, str]) -> Actor:
        # The same few people act on thousands of events: one Actor each (frozen, so
        # shared safely) instead of a new one per event (a tenth of a rebuild's decoding).
        key = (
            data["id"],
            data["name"],
            data["role"],
            data.get("request_id"),
            data.get("client_app"),
        )
        actor = _ACTORS.get(key)
        if actor is None:
            if len(_ACTORS) >= _ACTORS_KEPT:
                _ACTORS.clear()
            actor = _ACTORS[key] = Actor(*key)
        return actor


_ACTORS: dict[tuple[str, str, str, str | None, str | None], Actor] = {}
_ACTORS_KEPT = 10_000  # request ids make most API actors unique: the cache stays bounded


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: Any) -> date:
        return date.fromisoformat(data)
