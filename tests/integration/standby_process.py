"""A projections or relay process for the standby tests, which start two and kill one.

    python -m tests.integration.standby_process projections '<PgAddress as JSON>'
    python -m tests.integration.standby_process relay '<PgAddress as JSON>' <bootstrap> <topic>

It prints "started" once bootstrapped, then "leading" when it holds every lock it contends
for (at once when alone, on take-over when a standby). The cipher key comes from
ESPCRM_CIPHER_KEY, as in production.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from infra.bootstrap import Container, bootstrap
from infra.leader import lead_relay
from infra.postgres_server import PgAddress
from infra.relay import EventRelay, make_producer
from infra.settings import Settings


def _leaders(container: Container, role: str, args: list[str]) -> list[Any]:
    if role == "projections":
        container.projections.start()
        return list(container.projections.leaders)
    servers, topic = args
    relay = EventRelay(
        container.app, container.tracking_recorder("relay"), lambda: make_producer(servers), topic
    )
    return [lead_relay(relay, container.address)]


def _leading(leader: Any) -> bool:
    try:
        leader.wait_leading(0.1)
    except TimeoutError:
        return False
    return True


def main(role: str, address_json: str, *args: str) -> None:
    logging.basicConfig(level=logging.WARNING)
    address = PgAddress(**json.loads(address_json))
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="standby-")))
    container = bootstrap(settings, address=address)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    leaders = _leaders(container, role, list(args))
    print("started", flush=True)
    for leader in leaders:
        while not stop.is_set() and not _leading(leader):
            pass
    if not stop.is_set():
        print("leading", flush=True)
    stop.wait()
    for leader in leaders:
        leader.close()
    container.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
