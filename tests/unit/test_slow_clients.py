"""Slow clients are cut off: a body that does not arrive in time is a 408 (api/body_limit.py)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from api.body_limit import BodyLimit


async def _never_finishes() -> dict[str, Any]:
    await asyncio.sleep(0.001)
    return {"type": "http.request", "body": b"x", "more_body": True}


def test_a_body_that_does_not_arrive_in_time_is_refused_with_408() -> None:
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the app must not see a request whose body never arrived")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    limit = BodyLimit(app, max_bytes=1_000_000_000, read_timeout=0.05)
    asyncio.run(limit({"type": "http", "headers": []}, _never_finishes, send))
    assert sent[0]["status"] == 408
    assert json.loads(sent[1]["body"])["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


def test_a_body_that_is_not_utf8_is_refused_with_400() -> None:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b'{"query": "\xff"}', "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("not UTF-8: refused before the app")

    asyncio.run(BodyLimit(app, max_bytes=1000)({"type": "http", "headers": []}, receive, send))
    assert sent[0]["status"] == 400
