"""Words every stream shares: who acted, when, and what can go wrong."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum, StrEnum
from typing import Protocol

# Beijing time (北京时间, UTC+8): the bureau works in it, so a day (a visit's date, a report's
# period) begins at midnight here, whatever offset a client sent its time in. China has had
# no daylight saving since 1991, so the fixed offset is exact; unlike ZoneInfo("Asia/Shanghai")
# it needs no time-zone database and keeps UTC+8 for old dates too. Its tzname() is "CST".
BEIJING_TIME = timezone(timedelta(hours=8), "CST")


class Role(str, Enum):
    ADMIN = "ADMIN"
    COMMISSIONER = "COMMISSIONER"  # 服务专员
    DEPARTMENT = "DEPARTMENT"  # 责任处室 / 区县人社局 / 经办机构
    SUPERVISOR = "SUPERVISOR"  # 督导
    REPORTER = "REPORTER"  # 直报点
    SYSTEM = "SYSTEM"  # imports, demo seed, scheduled closures


@dataclass(frozen=True)
class Actor:
    """The user an event is attributed to; compared by id, never by role."""

    id: str
    name: str
    role: str


SYSTEM_ACTOR = Actor(id="system", name="espcrm", role=Role.SYSTEM.value)


class Clock(Protocol):
    """Time is given to the domain, never read by it (tests and the demo seed set it)."""

    def now(self) -> datetime: ...


class DomainError(Exception):
    """A command was refused; the message is for the user who sent it."""

    code = "INVALID_INPUT"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    code = "INVALID_INPUT"


class IdempotencyKeyReused(DomainError):
    """The same idempotency key again with a different request (Stripe's rule): refused,
    never answered with the first request's result."""

    code = "IDEMPOTENCY_KEY_REUSED"


# Chinese first (DOMAIN.md, language); kept here beside its error so it moves into the
# message catalogue in one piece.
IDEMPOTENCY_KEY_REUSED_MESSAGE = (
    "幂等键已用于另一个不同的请求，请换一个新的键 / this idempotency key was already used for a"
    " different request; send a new key"
)


class InvalidTransition(DomainError):
    code = "INVALID_TRANSITION"


class NotFound(DomainError):
    code = "NOT_FOUND"


class Forbidden(DomainError):
    code = "FORBIDDEN"


class Conflict(DomainError):
    code = "CONFLICT"


def same_person(a: str | None, b: str | None) -> bool:
    """Two user ids name the same person once normalised (Unicode NFKC, trimmed, case-folded):
    separation of duties must not be dodged by " d-001" or "D-001" (tokens are also checked
    when read, api/auth.py; events recorded before that are compared the same way)."""
    if a is None or b is None:
        return False
    return _normal_id(a) == _normal_id(b)


def _normal_id(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().casefold()


def require_aware(value: object, field: str) -> datetime:
    """A timezone-aware date-time, or InvalidInput naming the field: a naive time would be
    read in whatever zone the server happens to run in."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInput(f"{field} must be a timezone-aware date-time", field=field)
    return value


def require_text(value: str | None, field: str, *, max_length: int = 2000) -> str:
    """Trimmed, non-empty text of bounded length, or InvalidInput naming the field."""
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"{field} is required", field=field)
    if "\x00" in text:
        raise InvalidInput(f"{field} must not contain NUL characters", field=field)
    if len(text) > max_length:
        raise InvalidInput(f"{field} is longer than {max_length} characters", field=field)
    return text


@dataclass(frozen=True)
class Rule:
    """A line of a stream's state table: the states a command may start from, and what the
    command does, "{it}" standing for the stream, to say so when it is refused."""

    allowed_from: frozenset[StrEnum]
    action: str

    def check(self, status: StrEnum, stream: str) -> None:
        """InvalidTransition unless the command may start from `status`; for the stream
        "a relationship", Rule(..., "suspend {it}") says "cannot suspend a relationship that
        is CLOSED"."""
        if status not in self.allowed_from:
            it = f"{stream} that is {status.value}"
            raise InvalidTransition("cannot " + self.action.format(it=it))
