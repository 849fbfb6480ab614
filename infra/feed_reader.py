"""How the relay reads the log: in a process of its own (`espcrm relay`, `espcrm run`) or in
the relay's (tests, the relay's status).

The relay's time per event is the broker client's (kafka-python's sender is Python) plus
reading the log's: decoding, masking personal data, the envelope's JSON. Both are CPU in
one interpreter, so a second thread could not overlap them (docs/benchmarks.md item 27).
`ChildFeed` reads in a child process and, in a backlog, reads ahead: while the relay
publishes one batch, the child reads the next and hands it over as the bytes that go on
the wire (key, value, headers).

The relay's guarantees do not move: it records a position only once the broker acknowledged
the whole batch, and a read-ahead is used only when the relay asks for exactly the position
it was read from. After a failed batch the relay asks again from its recorded position, and
the read-ahead (from the position after the failed batch) is dropped.
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import socket
import subprocess
import sys
from collections.abc import Mapping
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, Protocol

from application.feed import FeedEnvelope

if TYPE_CHECKING:
    from application.service_package import ServicePackage

log = logging.getLogger("espcrm.relay")

Headers = list[tuple[str, bytes]]
Message = tuple[int, str, bytes, Headers]  # position, key (stream id), value (JSON), headers


def message_headers(env: FeedEnvelope) -> Headers:
    return [
        ("id", env.id.encode()),
        ("type", f"{env.stream_type}.{env.type}".encode()),
        ("position", str(env.position).encode()),
    ]


def wire_json(data: Any) -> bytes:
    """JSON as the feed writes it: UTF-8, Chinese as it is (not \\u escapes)."""
    return json.dumps(data, ensure_ascii=False).encode()


def wire_value(env: FeedEnvelope) -> bytes:
    """The message's value: the envelope's JSON, as the feed's contract spells it."""
    return wire_json(env.as_json())


def messages(app: ServicePackage, after: int, limit: int) -> list[Message]:
    """The feed's next messages after position `after`, at most `limit`."""
    return [
        (e.position, e.stream_id, wire_value(e), message_headers(e))
        for e in app.read_feed(after, limit)
    ]


class FeedReader(Protocol):
    def read(self, after: int, limit: int) -> list[Message]: ...

    def close(self) -> None: ...


class InProcessFeed:
    """Reads in the relay's own process."""

    def __init__(self, app: ServicePackage) -> None:
        self.app = app

    def read(self, after: int, limit: int) -> list[Message]:
        return messages(self.app, after, limit)

    def close(self) -> None:
        pass


class FeedReadError(RuntimeError):
    """The child could not read (its error, by name and message), or it ended."""


class ChildFeed:
    """Reads in a child process, started on the first read and again after it ended."""

    # The first read waits for the child to start (imports, a connection pool): seconds.
    READ_TIMEOUT = 120.0

    def __init__(self, env: Mapping[str, str]) -> None:
        # The application's settings, as the relay's process has them; the tables exist.
        self.env = {**env, "CREATE_TABLE": "n"}
        self._process: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self._ahead: tuple[int, int] | None = None  # a read asked for and not yet received

    def read(self, after: int, limit: int) -> list[Message]:
        batch = self._read_ahead_for(after, limit)
        if batch is None:
            self._ask(after, limit)
            batch = self._receive()
        if len(batch) == limit:  # a backlog: the next batch is read while this one is sent
            self._ask(batch[-1][0], limit)
        return batch

    def close(self) -> None:
        conn, process = self._conn, self._process
        self._conn = self._process = self._ahead = None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.send(None)  # the child's way out
            conn.close()
        if process is not None:
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _read_ahead_for(self, after: int, limit: int) -> list[Message] | None:
        """The read-ahead if it is for this position (and not empty: it may be old news
        by now); any other is received and dropped."""
        if self._ahead is None:
            return None
        asked = self._ahead
        batch = self._receive()
        return batch if asked == (after, limit) and batch else None

    def _ask(self, after: int, limit: int) -> None:
        if self._conn is None:
            self._start()
        assert self._conn is not None
        try:
            self._conn.send((after, limit))
        except OSError as error:
            self._ended()
            raise FeedReadError("the feed reader process ended") from error
        self._ahead = (after, limit)

    def _receive(self) -> list[Message]:
        assert self._conn is not None
        self._ahead = None
        try:
            if not self._conn.poll(self.READ_TIMEOUT):
                self._ended()
                raise FeedReadError(f"the feed reader gave no answer in {self.READ_TIMEOUT:.0f}s")
            outcome, value = self._conn.recv()
        except (EOFError, OSError) as error:
            self._ended()
            raise FeedReadError("the feed reader process ended") from error
        if outcome != "ok":
            raise FeedReadError(str(value))
        return value  # type: ignore[no-any-return]

    def _start(self) -> None:
        """`python -m infra.feed_reader <fd>`, the settings sent down the socket (not on a
        command line anyone may read). Not multiprocessing's spawn: it imports the parent's
        main module again in the child, which a script without a main guard does not
        survive; nor fork, in a process with threads."""
        parent, child = socket.socketpair()
        with child:
            process = subprocess.Popen(
                [sys.executable, "-m", "infra.feed_reader", str(child.fileno())],
                pass_fds=(child.fileno(),),
            )
        conn = Connection(parent.detach())
        try:
            conn.send(self.env)
        except OSError as error:
            process.kill()
            raise FeedReadError("the feed reader process could not start") from error
        self._conn, self._process = conn, process
        log.info("feed reader started (pid %s)", process.pid)

    def _ended(self) -> None:
        """The child is gone or stuck: it is stopped, and the next read starts another."""
        process = self._process
        if self._conn is not None:
            self._conn.close()
        self._conn = self._process = self._ahead = None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(5)


def serve(env: dict[str, str], conn: Connection) -> None:
    """The child's loop: (after, limit) in, ("ok", messages) or ("error", what) out, until
    None comes or the relay's end of the pipe closes."""
    from application.service_package import ServicePackage

    app = ServicePackage(env=env)
    try:
        while (request := conn.recv()) is not None:
            after, limit = request
            reply: tuple[str, Any]
            try:
                reply = ("ok", messages(app, after, limit))
            except Exception as error:  # the relay backs off and asks again
                reply = ("error", f"{type(error).__name__}: {error}")
            conn.send(reply)
    except (EOFError, OSError):
        pass  # the relay is gone
    finally:
        app.close()


if __name__ == "__main__":  # the child: its end of the socket, then the settings
    # Ctrl-C in a terminal reaches the whole process group: the relay decides when this
    # ends (it closes its end of the socket, or sends None).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    channel = Connection(int(sys.argv[1]))
    serve(channel.recv(), channel)
