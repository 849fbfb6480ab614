"""The relay's feed reader in a child process (infra/feed_reader.py): the same messages as
read in the relay's own process, a read-ahead used only for the position it was read from,
and a child that died started again without a message lost or skipped."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest

from application.issues import RaiseDemand
from domain.shared import Actor
from infra.bootstrap import Container
from infra.feed_reader import ChildFeed, FeedReadError, InProcessFeed
from tests.builders import ADMIN, register_command

COMMISSIONER = Actor("c-001", "专员1", "COMMISSIONER")
PHONE = "13956785678"


@pytest.fixture
def child(container: Container) -> Iterator[ChildFeed]:
    feed = ChildFeed(container.env)
    yield feed
    feed.close()


def _a_log_with_personal_data_and_an_erasure(container: Container) -> int:
    """Two enterprises, each with a demand holding a phone number; the first one's personal
    data then erased. The log's head."""
    app = container.app
    for n in (1, 2):
        enterprise_id, _ = app.register_enterprise(register_command(), ADMIN)
        app.assign_commissioner(enterprise_id, "c-001", "专员1", None, ADMIN)
        app.raise_demand(
            RaiseDemand(
                enterprise_id=enterprise_id,
                category="SOCIAL_INSURANCE",
                title=f"社保补缴，回电{PHONE}",
                description="请尽快办理",
            ),
            COMMISSIONER,
        )
        if n == 1:
            erased = enterprise_id
    app.forget_person(erased, "个人信息保护法第四十七条", ADMIN)
    return app.last_position()


def test_the_child_reads_the_very_messages_the_relay_reads_in_its_own_process(
    container: Container, child: ChildFeed
) -> None:
    head = _a_log_with_personal_data_and_an_erasure(container)
    inline = InProcessFeed(container.app).read(0, 500)
    assert [m[0] for m in inline] == list(range(1, head + 1))
    assert child.read(0, 500) == inline  # positions, keys, value bytes, headers
    assert child.pid is not None and child.pid != os.getpid()
    assert not any(PHONE.encode() in value for _, _, value, _ in inline)  # masked on the wire


def test_a_read_ahead_serves_only_the_position_it_was_read_from(
    container: Container, child: ChildFeed
) -> None:
    head = _a_log_with_personal_data_and_an_erasure(container)
    first = child.read(0, 2)  # a full batch: the next (from position 2) is read meanwhile
    assert [m[0] for m in first] == [1, 2]
    # The batch failed to publish: the relay asks again from its recorded position.
    assert [m[0] for m in child.read(0, 2)] == [1, 2]
    assert [m[0] for m in child.read(2, 2)] == [3, 4]
    assert [m[0] for m in child.read(4, 500)] == list(range(5, head + 1))


def test_a_read_ahead_found_empty_is_asked_again(container: Container, child: ChildFeed) -> None:
    """At the head a read-ahead is empty; events appended meanwhile must not wait a round."""
    _a_log_with_personal_data_and_an_erasure(container)
    head = container.app.last_position()
    batch = child.read(head - 2, 2)  # full: a read-ahead from the head, which finds nothing
    time.sleep(0.5)  # it has answered by now
    _, position = container.app.register_enterprise(register_command(), ADMIN)
    assert [m[0] for m in batch] == [head - 1, head]
    assert [m[0] for m in child.read(head, 2)] == [position]


def test_a_child_that_died_fails_one_read_and_the_next_starts_another(
    container: Container, child: ChildFeed
) -> None:
    head = _a_log_with_personal_data_and_an_erasure(container)
    child.read(0, 2)
    dead = child.pid
    assert dead is not None
    os.kill(dead, signal.SIGKILL)
    with pytest.raises(FeedReadError):
        child.read(2, 2)
    again = child.read(2, 500)  # the relay retries from its recorded position
    assert child.pid not in (None, dead)
    assert [m[0] for m in again] == list(range(3, head + 1))


def test_an_error_in_the_child_reaches_the_relay_by_name(
    container: Container, child: ChildFeed
) -> None:
    _a_log_with_personal_data_and_an_erasure(container)
    with pytest.raises(FeedReadError, match="ValueError|ProgrammingError|DataError"):
        child.read(0, -1)  # a negative LIMIT: PostgreSQL refuses it
    assert [m[0] for m in child.read(0, 1)] == [1]  # the child serves on
