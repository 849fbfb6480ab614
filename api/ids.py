"""Parsing ids from clients: a malformed id is bad input naming the field."""

from __future__ import annotations

from uuid import UUID

from domain.shared import InvalidInput


def parse_uuid(value: str, field: str) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise InvalidInput(
            f"{field}: {value!r} is not an id this API issued", field=field
        ) from None
