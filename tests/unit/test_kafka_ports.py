"""The development broker's ports: picked where no outgoing connection can take them while it is
down, and read again from its data dir by whoever dials it."""

from __future__ import annotations

import json
from pathlib import Path

from infra.kafka_broker import LOWEST_PORT, KafkaBroker, _ephemeral_range, _two_free_ports


def test_new_ports_are_two_free_ones_below_the_ephemeral_range() -> None:
    low, _ = _ephemeral_range()
    for _ in range(5):
        port, controller = _two_free_ports()
        assert port != controller
        assert LOWEST_PORT <= port < low and LOWEST_PORT <= controller < low


def test_the_current_bootstrap_is_read_from_the_data_dir_each_time(tmp_path: Path) -> None:
    broker = KafkaBroker(tmp_path / "kafka")
    assert broker.current_bootstrap() is None
    (tmp_path / "kafka").mkdir()
    state = tmp_path / "kafka" / "state.json"
    state.write_text(json.dumps({"port": 21001, "controller_port": 21002}))
    assert broker.current_bootstrap() == "127.0.0.1:21001"
    state.write_text(json.dumps({"port": 22001, "controller_port": 22002}))  # restarted elsewhere
    assert broker.current_bootstrap() == "127.0.0.1:22001"
