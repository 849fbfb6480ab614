"""The live runner of one projection version: the backlog it finds, in one transaction.

The library's runner commits every event on its own: five projections make five commits per
event, which under load is most of what the runners and PostgreSQL spend, and a backlog
that builds while something else has the CPU drains one commit at a time. This runner reads
whatever is after its position (up to `batch_size` events) and processes it in one
transaction of the view (View.batch: rows and position still commit together), so a quiet
system still commits each event at once and a busy one commits fewer, larger batches.
Caught up, it sleeps until the event store announces an append (infra/log_waiter.py).

It offers what FollowingRunner uses of the library's runner: `is_interrupted`, `wait`,
`stop` and the context-manager exit that re-raises the error its thread died of.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from eventsourcing.persistence import WaitInterruptedError
from eventsourcing.projection import Projection

from application.service_package import ServicePackage
from infra.log_waiter import LogWaiter
from infra.projection_admin import APPLICATION, process_next_batch
from projections.base import View


class BatchingRunner:
    IDLE_POLL = 1.0  # seconds between looks if no announcement comes (a lost LISTEN)

    def __init__(
        self,
        app: ServicePackage,
        projection: Projection[Any],
        view: View,
        waiter: LogWaiter,
        batch_size: int = 500,
    ) -> None:
        self.app = app
        self.projection = projection
        self.view = view
        self.waiter = waiter
        self.batch_size = batch_size
        self.is_interrupted = threading.Event()
        self._stopped = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, name=f"project-{view.prefix}", daemon=True
        )

    def __enter__(self) -> BatchingRunner:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self.waiter.wait(0)  # listening before the first look: no append falls between
            position = self.view.position()
            while not self.is_interrupted.is_set():
                position, count = process_next_batch(
                    self.app, self.projection, self.view, position, self.batch_size
                )
                if not count:
                    self.waiter.wait(self.IDLE_POLL)
        except BaseException as error:  # kept for wait() and __exit__, like the library's
            self._error = error
        finally:
            self.is_interrupted.set()

    def wait(self, position: int | None, timeout: float = 1.0) -> None:
        """Until the view has processed `position`; the thread's error if it died."""
        try:
            self.view.wait(APPLICATION, position, timeout=timeout, interrupt=self.is_interrupted)
        except WaitInterruptedError:
            if self._error is not None:
                raise self._error from None
            if not self._stopped:
                raise

    def stop(self) -> None:
        self._stopped = True
        self.is_interrupted.set()
        self.waiter.wake()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        self.stop()
        self._thread.join()
        self.waiter.close()
        self.app.close()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
