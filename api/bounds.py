"""Bounds on every list and string a client sends, checked before any resolver runs.

One request must not be able to freeze or starve the service: 10,000 contacts in one
registerEnterprise held the event store's table lock for every writer (issue 12). The domain
checks each field's own rules (lengths of names, titles, texts); this is the outer fence every
argument passes, whatever the field: no list longer than its limit, no string longer than
MAX_STRING. A breach is INVALID_INPUT naming the field and the limit."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from typing import Any

from graphql import GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from domain.shared import InvalidInput

MAX_STRING = 5000  # the longest text the domain accepts (a summary, a description)
MAX_LIST = 50  # any list not named below
LIST_LIMITS = {
    "contacts": 20,
    "attendees": 50,
    "topics": 20,
    "policiesExplained": 50,
    "followUps": 20,
    "evidence": 20,
    "assistingDepartmentIds": 10,
    "status": 20,
    "districts": 50,
}


# Uploaded files (名单导入) as base64: bounded by the request body's limit (api/body_limit.py),
# about 700 KB of spreadsheet, a few thousand enterprises.
STRING_LIMITS = {"contentBase64": 1_000_000, "commissionersBase64": 1_000_000}


def check_bounds(value: Any, field: str) -> None:
    """Raise InvalidInput at the first list or string over its limit (`field`: its path)."""
    if isinstance(value, str):
        limit = STRING_LIMITS.get(field.rsplit(".", 1)[-1], MAX_STRING)
        if len(value) > limit:
            raise InvalidInput("input.string_too_long", field=field, limit=limit)
    elif isinstance(value, list | tuple):
        name = field.rsplit(".", 1)[-1]
        limit = LIST_LIMITS.get(name, MAX_LIST)
        if len(value) > limit:
            raise InvalidInput("input.list_too_long", field=field, limit=limit)
        for n, item in enumerate(value):
            check_bounds(item, f"{field}[{n}]")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            check_bounds(getattr(value, f.name), f"{field}.{_camel(f.name)}")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_bounds(item, f"{field}.{key}")
    elif value is not None and not isinstance(value, int | float | bool | enum.Enum):
        return  # dates, times, ids already parsed: bounded by their scalar


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class InputBounds(SchemaExtension):
    """Checks the arguments of every root field (where all client input enters)."""

    def resolve(
        self,
        _next: Callable[..., Any],
        root: Any,
        info: GraphQLResolveInfo,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if info.path.prev is None:
            for name, value in kwargs.items():
                check_bounds(value, _camel(name))
        return _next(root, info, *args, **kwargs)
