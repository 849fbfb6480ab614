"""The DateTime scalar in Beijing time: every date-time the API returns is in +08:00, and an
input without an offset is read as Beijing time (the bureau's clock), not the server's."""

from __future__ import annotations

from datetime import datetime

from strawberry.schema.types.base_scalars import wrap_parser
from strawberry.types.scalar import ScalarDefinition

from domain.shared import BEIJING_TIME


def to_beijing(value: datetime) -> str:
    """2025-03-03T09:30:00+08:00; a naive value (none should reach here) is Beijing time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=BEIJING_TIME)
    return value.astimezone(BEIJING_TIME).isoformat()


def from_input(text: str) -> datetime:
    """ISO 8601 with any offset (kept as sent), or without one: then Beijing time."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=BEIJING_TIME)


BEIJING_DATETIME = ScalarDefinition(
    name="DateTime",
    description=(
        "An ISO 8601 date-time. Returned in Beijing time (北京时间, +08:00), e.g. "
        "2025-03-03T09:30:00+08:00. Accepted with any offset (Z, +00:00, +08:00, …); "
        "a date-time without an offset is read as Beijing time."
    ),
    specified_by_url=None,
    serialize=to_beijing,
    parse_value=wrap_parser(from_input, "DateTime"),
    parse_literal=None,
    origin=datetime,
)
