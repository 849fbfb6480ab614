"""Parsing ids from clients: a malformed id is bad input naming the field."""

from __future__ import annotations

from uuid import UUID

from domain.shared import InvalidInput


def parse_uuid(value: str, field: str) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise InvalidInput("input.not_an_id", field=field, value=value) from None
