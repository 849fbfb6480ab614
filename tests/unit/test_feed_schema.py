"""The feed's documentation in docs/ is the feed: every message matches the JSON Schema,
every event type of the domain is documented with its fields, and the AsyncAPI document
names the topic, headers and payload the relay really uses."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from eventsourcing.domain import Aggregate
from jsonschema import Draft7Validator

import domain
from application.feed import envelope
from infra.relay import message_headers
from infra.settings import Settings
from tests.feed_scenarios import every_event_type

DOCS = Path(__file__).resolve().parents[2] / "docs"
SCHEMA = json.loads((DOCS / "schemas" / "envelope.schema.json").read_text())
VALIDATOR = Draft7Validator(SCHEMA, format_checker=Draft7Validator.FORMAT_CHECKER)
NOT_DATA = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor"}


def domain_event_classes() -> Iterator[tuple[str, type[Any]]]:
    """`StreamType.Type` → class, for every event class declared in domain/."""
    for module_info in pkgutil.iter_modules(domain.__path__):
        module = importlib.import_module(f"domain.{module_info.name}")
        for aggregate in vars(module).values():
            if not _declared_aggregate(aggregate, module.__name__):
                continue
            for name, event_class in vars(aggregate).items():
                # Event and Created are the library's own bases, generated per aggregate.
                if name not in ("Event", "Created") and _is_event_class(event_class):
                    yield f"{aggregate.__name__}.{name}", event_class


def _declared_aggregate(candidate: object, module: str) -> bool:
    return (
        inspect.isclass(candidate)
        and issubclass(candidate, Aggregate)
        and candidate.__module__ == module
    )


def _is_event_class(candidate: object) -> bool:
    return inspect.isclass(candidate) and issubclass(candidate, Aggregate.Event)


def data_fields(event_class: type[Any]) -> set[str]:
    annotations: dict[str, Any] = {}
    for klass in reversed(event_class.__mro__):
        annotations.update(getattr(klass, "__annotations__", {}))
    return {
        name
        for name, hint in annotations.items()
        if name not in NOT_DATA and not str(hint).startswith("ClassVar")
    }


def messages() -> list[dict[str, Any]]:
    """What the relay would publish for the scenario, through the same envelope() and JSON."""
    events = [event for aggregate in every_event_type() for event in aggregate.collect_events()]
    return [
        json.loads(json.dumps(envelope(event, position).as_json(), ensure_ascii=False))
        for position, event in enumerate(events, start=1)
    ]


def test_the_envelope_schema_is_a_valid_draft_7_schema() -> None:
    Draft7Validator.check_schema(SCHEMA)


def test_every_message_of_every_event_type_matches_the_schema() -> None:
    for message in messages():
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(message)]
        assert not errors, f"{message['streamType']}.{message['type']}: {errors[:3]}"


def test_the_scenario_publishes_every_event_type_the_domain_declares() -> None:
    published = {f"{m['streamType']}.{m['type']}" for m in messages()}
    assert published == {name for name, _ in domain_event_classes()}


def test_every_event_type_is_documented_with_exactly_its_fields_and_schema_version() -> None:
    dispatch = {
        (branch["properties"]["streamType"]["const"], branch["properties"]["type"]["const"]): (
            branch["properties"]["schemaVersion"]["const"]
        )
        for branch in SCHEMA["oneOf"]
    }
    for name, event_class in domain_event_classes():
        definition = SCHEMA["definitions"].get(name)
        assert definition is not None, f"{name} is not documented in docs/schemas"
        assert set(definition["properties"]) == data_fields(event_class), name
        assert set(definition["required"]) == data_fields(event_class), name
        stream_type, event_type = name.split(".")
        assert dispatch[(stream_type, event_type)] == getattr(event_class, "class_version", 1)


def test_the_schema_refuses_a_contact_phone_or_name_in_clear() -> None:
    [opened] = [m for m in messages() if m["type"] == "Opened" and "contacts" in m["data"]]
    assert VALIDATOR.is_valid(opened)
    opened["data"]["contacts"][0]["phone"] = "13812345678"
    assert not VALIDATOR.is_valid(opened)
    opened["data"]["contacts"][0] = {"name": "王小明", "phone": "138****5678", "title": None}
    assert not VALIDATOR.is_valid(opened)


def test_the_schema_refuses_an_event_type_it_does_not_document() -> None:
    message = messages()[0]
    message["type"] = "Invented"
    assert not VALIDATOR.is_valid(message)


def test_the_asyncapi_document_names_the_real_topic_headers_and_payload() -> None:
    document = yaml.safe_load((DOCS / "asyncapi.yaml").read_text())
    assert document["asyncapi"].startswith("3.")
    assert document["channels"]["events"]["address"] == Settings().kafka_topic
    message = document["components"]["messages"]["FeedEvent"]
    sample = envelope(every_event_type()[0].collect_events()[0], 1)
    assert set(message["headers"]["properties"]) == {name for name, _ in message_headers(sample)}
    payload_ref = message["payload"]["schema"]["$ref"]
    assert json.loads((DOCS / payload_ref).read_text()) == SCHEMA
    for example in message["examples"]:
        assert VALIDATOR.is_valid(example["payload"]), example["name"]
        assert example["headers"]["id"] == example["payload"]["id"]


def test_every_timestamp_on_the_feed_is_in_beijing_time() -> None:
    for message in messages():
        stamped = datetime.fromisoformat(message["occurredAt"])
        assert message["occurredAt"].endswith("+08:00"), message["occurredAt"]
        for name, value in message["data"].items():
            if isinstance(value, str) and name.endswith("_at"):
                assert value.endswith("+08:00"), (message["type"], name, value)
        assert stamped.utcoffset() == timedelta(hours=8)


def test_the_schema_refuses_a_timestamp_in_another_offset() -> None:
    message = dict(messages()[0])
    message["occurredAt"] = "2025-03-03T09:00:00+00:00"
    assert list(VALIDATOR.iter_errors(message))


def test_the_envelope_schema_refers_only_to_documents_in_the_repository() -> None:
    text = (DOCS / "schemas" / "envelope.schema.json").read_text()
    refs = [line.split('"$ref":', 1)[1].strip() for line in text.splitlines() if '"$ref":' in line]
    assert refs and all(ref.startswith('"#/') for ref in refs)
    # $schema names the draft (an identifier validators know), it is never fetched.
    assert SCHEMA["$id"].startswith("urn:")
