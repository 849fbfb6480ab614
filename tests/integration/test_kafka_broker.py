"""The project's own Kafka broker (infra/kafka_broker.py), against a real broker process.

One broker per module (starting one takes seconds); every test calls broker.start() first,
which reuses the running broker, so the tests do not depend on their order even though
some of them kill or restart it.
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic

from infra.kafka_broker import KafkaBroker

pytestmark = [pytest.mark.integration, pytest.mark.kafka]


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaBroker]:
    kafka = KafkaBroker(tmp_path_factory.mktemp("kafka"))
    kafka.start()
    try:
        yield kafka
    finally:
        kafka.stop()
        assert _java_processes_for(kafka.data_dir) == [], "the broker outlived stop()"


def _java_processes_for(data_dir: Path) -> list[int]:
    """Pids of every kafka.Kafka process whose command line names this data dir."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (proc / "stat").read_text().rsplit(")", 1)[-1].split()[0]
        except OSError:
            continue  # exited while we looked
        if "kafka.Kafka" in cmdline and str(data_dir) in cmdline and state != "Z":
            pids.append(int(proc.name))
    return pids


def _new_topic(bootstrap: str) -> str:
    topic = f"test-{uuid.uuid4().hex[:12]}"
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        admin.close()
    return topic


def _produce(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    try:
        for key, value in messages:
            producer.send(topic, key=key, value=value).get(timeout=30)
    finally:
        producer.close()


def _consume(bootstrap: str, topic: str, count: int) -> list[tuple[bytes, bytes]]:
    """Read `count` messages from the start, in a fresh consumer group (a real group join)."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"test-{uuid.uuid4().hex[:12]}",
        auto_offset_reset="earliest",
        consumer_timeout_ms=30_000,
    )
    received: list[tuple[bytes, bytes]] = []
    try:
        for message in consumer:
            received.append((message.key, message.value))
            if len(received) == count:
                break
    finally:
        consumer.close()
    return received


MESSAGES = [
    (b"enterprise-1", b"registered"),
    (b"enterprise-2", b"registered"),
    (b"enterprise-1", b"renamed"),
]


def test_a_message_produced_is_read_back_in_order(broker: KafkaBroker) -> None:
    bootstrap = broker.start()
    topic = _new_topic(bootstrap)

    _produce(bootstrap, topic, MESSAGES)

    assert _consume(bootstrap, topic, 3) == MESSAGES


def test_a_killed_broker_starts_again_with_its_messages_kept(broker: KafkaBroker) -> None:
    bootstrap = broker.start()
    topic = _new_topic(bootstrap)
    _produce(bootstrap, topic, MESSAGES)
    pid = broker.pid

    broker.kill()
    assert not broker.is_running()
    assert broker.bootstrap_servers is None
    assert _java_processes_for(broker.data_dir) == []

    restarted = broker.start()

    assert restarted == bootstrap  # the saved port was free again
    assert broker.pid not in (None, pid)
    assert _consume(restarted, topic, 3) == MESSAGES


def test_a_second_broker_on_the_same_data_dir_reuses_the_running_one(
    broker: KafkaBroker,
) -> None:
    bootstrap = broker.start()
    pid = broker.pid

    second = KafkaBroker(broker.data_dir, jars_dir=broker.jars_dir)

    assert second.is_running()
    assert second.start() == bootstrap
    assert second.pid == pid
    assert _java_processes_for(broker.data_dir) == [pid]


def test_a_broker_whose_saved_port_is_taken_starts_on_a_new_one_with_its_messages(
    broker: KafkaBroker,
) -> None:
    bootstrap = broker.start()
    topic = _new_topic(bootstrap)
    _produce(bootstrap, topic, MESSAGES)
    broker.stop()
    assert not broker.is_running()

    host, port = bootstrap.rsplit(":", 1)
    with socket.socket() as squatter:
        # The stopped broker's own closed connections may hold the port in TIME_WAIT for a
        # minute; a listener that reuses the address still takes it (as a second server would).
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind((host, int(port)))
        squatter.listen()
        moved = broker.start()

    assert moved != bootstrap
    assert _consume(moved, topic, 3) == MESSAGES


def test_stop_is_safe_when_no_broker_ever_ran(tmp_path: Path) -> None:
    never_started = KafkaBroker(tmp_path / "kafka")

    never_started.stop()
    never_started.kill()

    assert not never_started.is_running()
    assert never_started.bootstrap_servers is None
    assert never_started.pid is None


def test_the_jars_already_resolved_are_reused_without_maven(
    broker: KafkaBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    broker.ensure_jars()
    monkeypatch.setenv("PATH", "/nonexistent")  # mvn cannot be found, so it must not be needed

    started = time.monotonic()
    jars = broker.ensure_jars()

    assert time.monotonic() - started < 1
    assert any(jars.glob("kafka_2.13-*.jar"))
    assert any(jars.glob("log4j-core-*.jar"))


def test_the_context_manager_serves_inside_and_stops_on_exit(tmp_path: Path) -> None:
    kafka = KafkaBroker(tmp_path / "kafka")

    with kafka as bootstrap:
        topic = _new_topic(bootstrap)
        _produce(bootstrap, topic, MESSAGES[:1])
        assert _consume(bootstrap, topic, 1) == MESSAGES[:1]

    assert not kafka.is_running()
    assert _java_processes_for(kafka.data_dir) == []


def test_a_broker_stopped_cleanly_leaves_its_classes_archived_for_the_next_start_to_map(
    broker: KafkaBroker, tmp_path: Path
) -> None:
    # Jars of its own (links to the resolved ones): the archive is made beside them, here.
    jars = tmp_path / "kafka-jars" / "lib"
    jars.mkdir(parents=True)
    for jar in broker.ensure_jars().iterdir():
        (jars / jar.name).symlink_to(jar)
    kafka = KafkaBroker(tmp_path / "kafka", jars_dir=jars)
    replaced_jdks = jars.parent / "broker-classes-0123456789ab.jsa"
    replaced_jdks.write_bytes(b"an archive of a JDK since replaced")

    kafka.start()
    first = _command_line(kafka)
    kafka.stop()
    archives = list(jars.parent.glob("broker-classes-*.jsa"))
    with kafka as bootstrap:
        second = _command_line(kafka)
        mapped = Path(f"/proc/{kafka.pid}/maps").read_text()
        topic = _new_topic(bootstrap)
        _produce(bootstrap, topic, MESSAGES[:1])
        assert _consume(bootstrap, topic, 1) == MESSAGES[:1]

    assert any(arg.startswith("-XX:ArchiveClassesAtExit=") for arg in first)
    assert len(archives) == 1 and not list(jars.parent.glob("*.part"))
    assert archives[0] != replaced_jdks and not replaced_jdks.exists()
    assert f"-XX:SharedArchiveFile={archives[0]}" in second
    assert str(archives[0]) in mapped  # the JVM really mapped it (a bad one it drops quietly)


def _command_line(kafka: KafkaBroker) -> list[str]:
    assert kafka.pid is not None
    return Path(f"/proc/{kafka.pid}/cmdline").read_bytes().decode().split("\0")


def test_a_broker_that_cannot_listen_fails_with_its_log(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        kafka = KafkaBroker(tmp_path / "kafka", port=taken)

        with pytest.raises(RuntimeError, match="exited during startup") as failure:
            kafka.start(timeout=60)

    assert "Address already in use" in str(failure.value)
    assert not kafka.is_running()


def test_resolving_jars_without_maven_says_maven_is_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    kafka = KafkaBroker(tmp_path / "kafka", jars_dir=tmp_path / "empty" / "lib")

    with pytest.raises(RuntimeError, match=r"Maven \(mvn\) is needed"):
        kafka.ensure_jars()
