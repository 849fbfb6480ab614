"""The relay publishes each event to Kafka with the envelope of DOMAIN.md, keyed by stream id."""

from __future__ import annotations

import json
import uuid

from kafka import KafkaConsumer

from infra.bootstrap import Container
from infra.relay import EventRelay, ensure_topic, make_producer
from tests.builders import ADMIN, register_command


def _relay(container: Container, bootstrap: str, topic: str) -> EventRelay:
    ensure_topic(bootstrap, topic, partitions=3)
    return EventRelay(
        container.app,
        container.tracking_recorder("relay"),
        lambda: make_producer(bootstrap),
        topic,
    )


def _consume(bootstrap: str, topic: str, expected: int, idle_ms: int = 15_000) -> list[object]:
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=f"test-{uuid.uuid4().hex[:8]}",
        consumer_timeout_ms=idle_ms,
    )
    messages = []
    for message in consumer:
        messages.append(message)
        if len(messages) >= expected:
            break
    consumer.close()
    return messages


def test_a_registered_enterprise_reaches_kafka_in_the_envelope(
    container: Container, kafka_bootstrap: str
) -> None:
    topic = f"espcrm.test.{uuid.uuid4().hex[:8]}"
    enterprise_id, position = container.app.register_enterprise(register_command(), ADMIN)
    container.app.assign_commissioner(enterprise_id, "c-001", "专员1", None, ADMIN)
    relay = _relay(container, kafka_bootstrap, topic)
    assert relay.publish_batch() == 2
    assert relay.position() == position + 1

    messages = _consume(kafka_bootstrap, topic, expected=2)
    assert len(messages) == 2
    first = messages[0]
    assert first.key == str(enterprise_id).encode()  # type: ignore[attr-defined]
    envelope = json.loads(first.value)  # type: ignore[attr-defined]
    assert envelope["id"] == f"{enterprise_id}:1"
    assert envelope["position"] == position
    assert envelope["streamId"] == str(enterprise_id)
    assert envelope["streamType"] == "EnterpriseRelationship"
    assert envelope["type"] == "Opened"
    assert envelope["version"] == 1
    assert envelope["occurredAt"].startswith("2025-03-03T17:00:00")  # 09:00 UTC, in Beijing time
    assert envelope["occurredAt"].endswith("+08:00")
    assert envelope["actor"] == {"id": "a-001", "name": "管理员", "role": "ADMIN"}
    assert envelope["data"]["name"] == "重庆渝新精密制造有限公司"
    headers = dict(first.headers)  # type: ignore[attr-defined]
    assert headers["id"] == f"{enterprise_id}:1".encode()
    assert headers["position"] == str(position).encode()
    # One stream, one partition: its events stay in order.
    assert {m.partition for m in messages} == {first.partition}  # type: ignore[attr-defined]
    assert [json.loads(m.value)["version"] for m in messages] == [1, 2]  # type: ignore[attr-defined]


def test_personal_information_is_masked_on_the_feed(
    container: Container, kafka_bootstrap: str
) -> None:
    topic = f"espcrm.test.{uuid.uuid4().hex[:8]}"
    container.app.register_enterprise(register_command(), ADMIN)
    _relay(container, kafka_bootstrap, topic).publish_batch()
    [message] = _consume(kafka_bootstrap, topic, expected=1)
    raw = message.value.decode()  # type: ignore[attr-defined]
    assert "13812345678" not in raw and "王小明" not in raw
    assert json.loads(raw)["data"]["contacts"][0]["phone"] == "138****5678"


def test_the_relay_publishes_nothing_twice_once_acknowledged(
    container: Container, kafka_bootstrap: str
) -> None:
    topic = f"espcrm.test.{uuid.uuid4().hex[:8]}"
    relay = _relay(container, kafka_bootstrap, topic)
    container.app.register_enterprise(register_command(), ADMIN)
    assert relay.publish_batch() == 1
    assert relay.publish_batch() == 0
    container.app.register_enterprise(register_command(), ADMIN)
    assert relay.publish_batch() == 1
    assert len(_consume(kafka_bootstrap, topic, expected=3, idle_ms=3_000)) == 2
