"""The projection host: runs every read model, each in whichever process holds its lock.

Start: every projection gets a leadership (a standby lock, infra/leader.py); the process that
holds it follows the active version (runners.py), rebuilding first if the active version was
built by other code; a second process stands by and takes over when the first dies.
`wait_for(position)` is how a process that leads them all waits until its reads are current.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Protocol

from projection_runtime.admin import rebuild
from projection_runtime.catalogue import Catalogue
from projection_runtime.runners import (
    FollowingRunner,
    LogReader,
    RunningVersion,
    ViewRunner,
    Waiter,
)
from projection_runtime.versions import ProjectionVersions

log = logging.getLogger("espcrm")


class Leadership(Protocol):
    """A job run only while this process holds its lock (infra/leader.py's Leader)."""

    @property
    def job(self) -> FollowingRunner | None: ...

    def wait_leading(self, timeout: float) -> FollowingRunner: ...

    def close(self) -> None: ...


# (projection name, start the job, stop it) -> a started leadership
Elect = Callable[
    [str, Callable[[], FollowingRunner], Callable[[FollowingRunner], None]], Leadership
]


class ProjectionHost:
    def __init__(
        self,
        catalogue: Catalogue,
        versions: ProjectionVersions,
        waiter: Callable[[], Waiter],
        elect: Elect,
    ) -> None:
        self.catalogue = catalogue
        self.versions = versions
        self._waiter = waiter
        self._elect = elect
        self.leaders: list[Leadership] = []
        self._reader: LogReader | None = None  # one for every view, made when first needed
        self._reader_lock = threading.Lock()

    @property
    def runners(self) -> list[FollowingRunner]:
        """The runners this process leads (all of them unless another process runs some)."""
        return [leader.job for leader in self.leaders if leader.job is not None]

    def start(self) -> None:
        """Run every projection, each following its active version, in whichever process
        holds its lock: a second process stands by and takes over when the first dies."""
        for name in self.catalogue.names:
            self.leaders.append(
                self._elect(name, partial(self._follow, name), FollowingRunner.close)
            )

    def run_version(self, name: str, version: int) -> RunningVersion:
        view, projection = self.catalogue.projection_at(name, version)
        runner = ViewRunner(self.reader, projection, view)
        return RunningVersion(version, runner.__enter__(), view)

    @property
    def reader(self) -> LogReader:
        with self._reader_lock:  # leaders' threads may start their first runners at once
            if self._reader is None:
                self._reader = LogReader(self.catalogue.reader(), self._waiter())
            return self._reader

    def _follow(self, name: str) -> FollowingRunner:
        self._rebuild_if_redefined(name)
        follower = FollowingRunner(name, self.versions, partial(self.run_version, name))
        return follower.start()

    def _rebuild_if_redefined(self, name: str) -> None:
        """A version built by other code (a view whose tables or meaning changed since) is
        not followed: this code's version is built beside it first, then readers switch.
        Readers keep the old version's rows meanwhile; they are never written by this code."""
        active = self.versions.active(name)
        wanted = self.catalogue.view_class(name).definition()
        built_by = self.versions.definition_of(name, active) if active is not None else wanted
        if built_by == wanted:
            return
        log.warning(
            "%s: version %s was built by other code (%s, this code's is %s): rebuilding",
            name, active, built_by or "unrecorded", wanted,
        )  # fmt: skip
        report = rebuild(self.catalogue, self.versions, name)
        log.warning(
            "%s: version %d built (%d events in %.1f s) and switched to",
            name, report.new_version, report.events, report.seconds,
        )  # fmt: skip

    def wait_for(self, position: int, timeout: float = 10.0) -> None:
        """Until every projection reached `position` (this process must lead them all)."""
        deadline = time.monotonic() + timeout
        for leader in self.leaders:
            runner = leader.wait_leading(max(0.0, deadline - time.monotonic()))
            runner.wait(position, timeout=max(0.0, deadline - time.monotonic()))

    def close(self) -> None:
        for leader in self.leaders:
            leader.close()
        self.leaders.clear()
        if self._reader is not None:
            self._reader.close()
            self._reader = None
