"""`espcrm watch`: the deadline watcher alone (预警 · 催办 · 督办 · 通报 by the system)."""

from __future__ import annotations

import logging
import signal
import threading

import typer

from domain.messages import render
from infra.bootstrap import bootstrap


def watch(
    once: bool = typer.Option(False, help="One tick at the current time, then exit"),
    status: bool = typer.Option(False, help="Print its position, lag and what it watches"),
    notify: bool = typer.Option(True, help="Run the notification outbox beside it"),
) -> None:
    """The deadline watcher alone, until SIGTERM or Ctrl-C; a second one stands by."""
    logging.basicConfig(level=logging.INFO)
    container = bootstrap()
    try:
        if status:
            watcher = container.deadline_watcher()
            try:
                typer.echo(watcher.status(container.app.clock.now()))
            finally:
                watcher.close()
            return
        if once:
            watcher = container.deadline_watcher()
            try:
                fired = watcher.tick(container.app.clock.now())
            finally:
                watcher.close()
            typer.echo(render("cli.watch.fired", count=len(fired)))
            return
        container.start_deadline_watcher()
        if notify:
            container.start_outbox()
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        stop.wait()
    finally:
        container.close()
