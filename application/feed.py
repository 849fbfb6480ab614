"""The event feed's envelope (DOMAIN.md "The event feed"), shared by Kafka and the `events` query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from domain.personal_data import mask_free_text_fields, mask_name, mask_phone
from domain.shared import BEIJING_TIME, Actor

__all__ = ["FeedEnvelope", "envelope", "mask_contacts", "mask_name", "mask_phone"]

# Event attributes that are the envelope's, not the event's own data.
_ENVELOPE_FIELDS = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor"}


@dataclass(frozen=True)
class FeedEnvelope:
    id: str
    position: int
    stream_id: str
    stream_type: str
    type: str
    version: int
    schema_version: int
    occurred_at: datetime
    actor: Actor | None
    data: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        """The wire form: camelCase keys as the GraphQL FeedEvent type spells them."""
        return {
            "id": self.id,
            "position": self.position,
            "streamId": self.stream_id,
            "streamType": self.stream_type,
            "type": self.type,
            "version": self.version,
            "schemaVersion": self.schema_version,
            "occurredAt": beijing_iso(self.occurred_at),
            "actor": _plain(self.actor),
            "data": self.data,
        }


def beijing_iso(moment: datetime) -> str:
    """A feed timestamp: ISO 8601 in Beijing time, 2025-03-03T17:00:00+08:00 (the same instant
    whatever offset it was stored with)."""
    return moment.astimezone(BEIJING_TIME).isoformat()


def mask_contacts(contacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**c, "name": mask_name(str(c.get("name", ""))), "phone": mask_phone(str(c["phone"]))}
        for c in contacts
    ]


def _mask_people(data: dict[str, Any]) -> None:
    """Names and phones of enterprise people, and personal data typed into free text, never go
    out in clear (DOMAIN.md)."""
    data.update(mask_free_text_fields(data))
    if "contacts" in data:
        data["contacts"] = mask_contacts(data["contacts"])
    if "attendees" in data:
        data["attendees"] = [mask_name(str(a)) for a in data["attendees"]]
    if data.get("confirmed_by"):
        data["confirmed_by"] = mask_name(str(data["confirmed_by"]))
    changes = data.get("changes")
    if isinstance(changes, dict):
        _mask_people(changes)


def envelope(domain_event: Any, position: int) -> FeedEnvelope:
    """The envelope of one stored event; personal information is masked, never in clear."""
    stream_type = type(domain_event).__qualname__.split(".")[0]
    data = {k: _plain(v) for k, v in vars(domain_event).items() if k not in _ENVELOPE_FIELDS}
    _mask_people(data)
    actor = getattr(domain_event, "actor", None)
    return FeedEnvelope(
        id=f"{domain_event.originator_id}:{domain_event.originator_version}",
        position=position,
        stream_id=str(domain_event.originator_id),
        stream_type=stream_type,
        type=type(domain_event).__name__,
        version=domain_event.originator_version,
        schema_version=getattr(type(domain_event), "class_version", 1),
        occurred_at=domain_event.timestamp,
        actor=actor if isinstance(actor, Actor) else None,
        data=data,
    )


_AS_THEY_ARE = frozenset({str, int, float, bool})


def _plain(value: Any) -> Any:
    """JSON-ready: camelCase is the API's; the data keeps the events' own snake_case names."""
    if value is None or type(value) in _AS_THEY_ARE:  # most values: no isinstance chain
        return value
    if isinstance(value, Actor):
        return {"id": value.id, "name": value.name, "role": value.role}
    if isinstance(value, datetime):
        return beijing_iso(value) if value.tzinfo is not None else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def plain_event_value(value: Any) -> Any:
    """An event attribute's value, JSON-ready (the feed's own conversion)."""
    return _plain(value)


def mask_event_data(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of an event's JSON-ready data with people's names and phones and personal data
    in free text masked, exactly as the feed masks it."""
    copy = dict(data)
    _mask_people(copy)
    return copy
