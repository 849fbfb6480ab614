"""Words every stream shares: who acted, when, and what can go wrong."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import Enum, StrEnum
from typing import Protocol

from domain.messages import DEFAULT_LANGUAGE, Text, t

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
    """The user an event is attributed to; compared by id, never by role.

    `request_id` and `client_app` tie an event to the request that caused it (the API's
    X-Request-Id and X-Client-App): kept in the event's metadata, never compared; events
    recorded before they existed, and the system's own steps, have none."""

    id: str
    name: str
    role: str
    request_id: str | None = field(default=None, compare=False)
    client_app: str | None = field(default=None, compare=False)


SYSTEM_ACTOR = Actor(id="system", name="espcrm", role=Role.SYSTEM.value)


class Clock(Protocol):
    """Time is given to the domain, never read by it (tests and the demo seed set it)."""

    def now(self) -> datetime: ...


class DomainError(Exception):
    """A command was refused; the message is for the user who sent it: a catalogue key and its
    parameters (domain/messages), rendered in Chinese by default and in English on request.
    `field` names the input field (machine-readable, the same in every language)."""

    code = "INVALID_INPUT"

    def __init__(self, key: str | Text, *, field: str | None = None, **params: object) -> None:
        if isinstance(key, Text):  # a sentence already made (a refused token, a timeout)
            params, key = {**key.params, **params}, key.key
        self.text = Text(key, {**params, "field": field} if field else params)
        self.field = field
        self.message = self.text.render(DEFAULT_LANGUAGE)
        super().__init__(self.message)

    @property
    def key(self) -> str:
        return self.text.key

    def render(self, language: str) -> str:
        return self.text.render(language)

    def naming(self, field: str) -> DomainError:
        """The same refusal, naming another input field (a catalogue's check, a command's)."""
        params = {name: value for name, value in self.text.params.items() if name != "field"}
        return type(self)(self.key, field=field, **params)


class InvalidInput(DomainError):
    code = "INVALID_INPUT"


class IdempotencyKeyReused(DomainError):
    """The same idempotency key again with a different request (Stripe's rule): refused,
    never answered with the first request's result."""

    code = "IDEMPOTENCY_KEY_REUSED"


# Chinese first (DOMAIN.md, language); kept here beside its error so it moves into the
# message catalogue in one piece.


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


def beijing(moment: datetime) -> str:
    """A time as people read it: 2025-03-03 09:30 in Beijing time."""
    return moment.astimezone(BEIJING_TIME).strftime("%Y-%m-%d %H:%M")


def require_aware(value: object, field: str) -> datetime:
    """A timezone-aware date-time, or InvalidInput naming the field: a naive time would be
    read in whatever zone the server happens to run in."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInput("input.aware_time", field=field)
    return value


def require_text(value: str | None, field: str, *, max_length: int = 2000) -> str:
    """Trimmed, non-empty text of bounded length, or InvalidInput naming the field."""
    text = (value or "").strip()
    if not text:
        raise InvalidInput("input.required", field=field)
    if "\x00" in text:
        raise InvalidInput("input.nul", field=field)
    if len(text) > max_length:
        raise InvalidInput("input.too_long", field=field, max_length=max_length)
    return text


def require_reason(value: str | None, action: str, *, max_length: int = 2000) -> str:
    """A command's reason (退单, 退回重办, …): "退单必须填写理由" when it is missing, `action`
    the catalogue key of the command."""
    if not (value or "").strip():
        raise InvalidInput("input.reason_required", field="reason", action=t(action))
    return require_text(value, "reason", max_length=max_length)


@dataclass(frozen=True)
class Rule:
    """A line of a stream's state table: the states a command may start from, and the
    catalogue key of the command ("action.issue.accept"), to say so when it is refused."""

    allowed_from: frozenset[StrEnum]
    action: str

    def check(self, status: StrEnum, stream: str) -> None:
        """InvalidTransition unless the command may start from `status`; for the stream
        "issue", Rule(..., "action.issue.accept") says "不能对处于“已提出”状态的诉求执行签收"
        ("cannot accept an issue that is RAISED")."""
        if status not in self.allowed_from:
            states = "state" if stream == "issue" else f"{stream}_state"
            it = t(f"stream.{stream}", status=status.value)
            raise InvalidTransition(
                "transition.refused",
                action=t(self.action, it=it),
                state=t(f"{states}.{status.value}"),
                stream=it,
            )
