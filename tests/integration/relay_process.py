"""The relay alone in its own process, for tests that kill it.

    python -m tests.integration.relay_process '<PgAddress as JSON>' <bootstrap> <topic> <batch>

It is `espcrm relay` with the batch size as an argument and nothing else in the process:
the same bootstrap(), the same tracking table ("relay"), the same feed reader (a child
process: infra/feed_reader.py), the same EventRelay.run_forever().
The cipher key comes from ESPCRM_CIPHER_KEY, as in production.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import tempfile
from pathlib import Path

from infra.bootstrap import bootstrap
from infra.feed_reader import ChildFeed
from infra.postgres_server import PgAddress
from infra.relay import EventRelay, make_producer
from infra.settings import Settings


def main(address_json: str, servers: str, topic: str, batch_size: str) -> None:
    logging.basicConfig(level=logging.WARNING)
    address = PgAddress(**json.loads(address_json))
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="relay-")), kafka_bootstrap=servers)
    container = bootstrap(settings, address=address)
    relay = EventRelay(
        container.app,
        container.tracking_recorder("relay"),
        lambda: make_producer(servers),
        topic,
        batch_size=int(batch_size),
        feed=ChildFeed(container.env),
    )
    signal.signal(signal.SIGTERM, lambda *_: relay.stop())
    print("relay running", flush=True)
    relay.run_forever(idle_sleep=0.05)
    container.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
