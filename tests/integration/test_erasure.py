"""The right to be forgotten on the real servers (docs/erasure.md): after forgetPerson the
name and phone are nowhere in PostgreSQL nor in the Kafka messages written after it; reads,
replays and rebuilds go on, showing （已删除）; the warehouse blanks its copies."""

from __future__ import annotations

import json
from typing import Any

import psycopg
from kafka import KafkaConsumer, TopicPartition

from application.enterprises import LogVisit, RegisterEnterprise
from application.issues import RaiseDemand
from domain.personal_data import ERASED
from domain.shared import Actor
from infra.bootstrap import Container
from infra.postgres_server import PgAddress
from infra.warehouse import build_warehouse_consumer
from projection_runtime.admin import rebuild
from tests.builders import ADMIN, a_valid_uscc, visits_of
from tests.integration.feed_support import (
    end_offsets,
    new_topic,
    publish_all,
    relay_for,
    run_until,
)

COMMISSIONER = Actor("c-001", "专员1", "COMMISSIONER")
NAME, PHONE = "赵子龙", "13912345678"
ATTENDEE, CONFIRMER = "钱文博", "孙丽华"
TRACES = (NAME, PHONE, ATTENDEE, CONFIRMER)
ERASED_TEXT = str(ERASED)


def _an_enterprise_with_people(container: Container) -> tuple[Any, Any]:
    app = container.app
    enterprise_id, _ = app.register_enterprise(
        RegisterEnterprise(
            uscc=a_valid_uscc(7), name="重庆嘉陵精工有限公司", district="渝中区",
            contacts=[{"name": NAME, "phone": PHONE, "title": "人事经理"}],
        ),
        ADMIN,
    )  # fmt: skip
    app.assign_commissioner(enterprise_id, "c-001", "专员1", None, ADMIN)
    visited = app.clock.now()
    app.log_visit(
        LogVisit(
            enterprise_id=enterprise_id, visited_at=visited, channel="ON_SITE",
            attendees=[ATTENDEE], summary=f"用工需求，回电 {PHONE}", topics=["招工"],
        ),
        COMMISSIONER,
    )  # fmt: skip
    policy = next(iter(app.catalogue())).code
    app.notify_policy(enterprise_id, policy, None, COMMISSIONER)
    app.confirm_policy(enterprise_id, policy, CONFIRMER, COMMISSIONER)
    issue_id, position = app.raise_demand(
        RaiseDemand(
            enterprise_id=enterprise_id, category="RECRUITMENT",
            title="急需招聘焊工", description=f"请联系 {PHONE}，人事经理",
        ),
        COMMISSIONER,
    )  # fmt: skip
    container.projections.wait_for(position)
    return enterprise_id, issue_id


def _tables_holding(database: PgAddress, needles: tuple[str, ...]) -> dict[str, list[str]]:
    """Every table of the database (every schema but the catalogue's), cast to text."""
    found: dict[str, list[str]] = {}
    with psycopg.connect(database.conninfo()) as conn:
        tables = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
            " AND table_type = 'BASE TABLE'"
        ).fetchall()
        for schema, table in tables:
            for needle in needles:
                hits = conn.execute(
                    f'SELECT count(*) FROM "{schema}"."{table}" t WHERE t::text LIKE %s',  # type: ignore[arg-type]
                    (f"%{needle}%",),
                ).fetchone()
                if hits and hits[0]:
                    found.setdefault(f"{schema}.{table}", []).append(needle)
    return found


def _records_after(bootstrap: str, topic: str, offsets: dict[int, int]) -> list[Any]:
    ends = end_offsets(bootstrap, topic)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        consumer.assign([TopicPartition(topic, p) for p in ends])
        for p in ends:
            consumer.seek(TopicPartition(topic, p), offsets.get(p, 0))
        records: list[Any] = []
        while any(consumer.position(TopicPartition(topic, p)) < e for p, e in ends.items()):
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
        return records
    finally:
        consumer.close()


def test_forgetting_a_person_leaves_no_trace_in_postgres_nor_in_later_kafka_messages(
    container: Container, database: PgAddress, kafka_bootstrap: str
) -> None:
    enterprise_id, issue_id = _an_enterprise_with_people(container)
    topic = new_topic(kafka_bootstrap)
    relay = relay_for(container, kafka_bootstrap, topic)
    warehouse = build_warehouse_consumer(kafka_bootstrap, topic, database, group="wh-erasure")
    schema_count = "SELECT count(*) FROM warehouse.events"
    try:
        publish_all(relay)
        before = end_offsets(kafka_bootstrap, topic)
        loaded = sum(before.values())

        def warehouse_has(n: int) -> bool:
            with psycopg.connect(database.conninfo()) as conn:
                try:
                    row = conn.execute(schema_count).fetchone()
                except psycopg.errors.UndefinedTable:
                    return False
                return bool(row and row[0] >= n)

        run_until(warehouse.consumer, lambda: warehouse_has(loaded))
        # Before: the read models and the warehouse hold the people (sealed or masked).
        assert container.app.get_enterprise(enterprise_id).contacts[0]["name"] == NAME
        assert _tables_holding(database, (PHONE,)), "the issue board shows the phone in clear"

        container.app.forget_person(enterprise_id, "个人信息保护法第四十七条", ADMIN)
        # An event after the erasure rewrites the issue's row from the store, as the runners
        # (applications of their own, keys cached) read it: it must read erased there too.
        supervisor = Actor("s-001", "督导1", "SUPERVISOR")
        position = container.app.decline_issue(issue_id, "不属于人社业务", supervisor)
        container.projections.wait_for(position)
        publish_all(relay)
        warehouse2 = build_warehouse_consumer(kafka_bootstrap, topic, database, group="wh-erasure")
        run_until(warehouse2.consumer, lambda: warehouse_has(loaded + 2))
        warehouse2.close()
    finally:
        warehouse.close()

    # Reads: the aggregate, the read models.
    enterprise = container.app.get_enterprise(enterprise_id)
    assert enterprise.contacts == [{"name": ERASED_TEXT, "phone": ERASED_TEXT, "title": "人事经理"}]
    [visit] = visits_of(container.app, enterprise_id).values()
    assert visit["attendees"] == [ERASED_TEXT]
    assert visit["summary"] == f"用工需求，回电 {ERASED_TEXT}"
    issue = container.app.get_issue(issue_id)
    assert issue.title == "急需招聘焊工"  # what is not personal stays
    assert issue.description == f"请联系 {ERASED_TEXT}，人事经理"
    row = container.views.enterprise_directory.get(enterprise_id)
    assert row is not None and row.contacts[0]["name"] == ERASED_TEXT

    # PostgreSQL: no table holds a trace, text cast (events, keys, read models, warehouse).
    assert _tables_holding(database, TRACES) == {}

    # Kafka: the erasure event went out; nothing written after it holds a trace.
    later = _records_after(kafka_bootstrap, topic, before)
    messages = [json.loads(r.value) for r in later]
    assert "PersonalDataErased" in [m["type"] for m in messages]
    [changed] = [m for m in messages if m["type"] == "Declined"]
    assert changed["streamId"] == str(issue_id)
    for record in later:
        assert not any(t in record.value.decode() for t in TRACES)

    # Replays: the whole log reads again, erased; a rebuild of the directory works.
    everything = container.app.read_feed(0, 10_000)
    wire = json.dumps([e.as_json() for e in everything], ensure_ascii=False)
    assert not any(t in wire for t in TRACES) and ERASED_TEXT in wire
    report = rebuild(container.catalogue, container.versions, "enterprise_directory")
    assert report.events == len(everything)
    rebuilt = container.views.enterprise_directory.get(enterprise_id)
    assert rebuilt is not None and rebuilt.contacts[0]["phone"] == ERASED_TEXT
    assert _tables_holding(database, TRACES) == {}

    # Life goes on: new contacts get a new key and read in full; the old ones stay erased.
    new = [{"name": "周新", "phone": "13800001111", "title": None}]
    container.app.change_contacts(enterprise_id, new, ADMIN)
    assert container.app.get_enterprise(enterprise_id).contacts == new
    [visit] = visits_of(container.app, enterprise_id).values()
    assert visit["attendees"] == [ERASED_TEXT]


def test_an_issue_event_reaching_the_warehouse_after_its_enterprises_erasure_is_blanked(
    container: Container, database: PgAddress
) -> None:
    """Kafka orders each partition on its own: the erasure (the enterprise's partition) can be
    loaded before an issue's older message (another partition, a restart, a slow consumer)."""
    from consumers.warehouse.store import WarehouseRecord
    from infra.warehouse import warehouse_store

    enterprise_id, issue_id = _an_enterprise_with_people(container)
    before = container.app.read_feed(0, 1000)  # as the relay published them, before the erasure
    container.app.forget_person(enterprise_id, "个人信息保护法第四十七条", ADMIN)
    erasure = container.app.read_feed(before[-1].position, 10)
    ours = [e for e in before if e.stream_id == str(enterprise_id)] + erasure
    issue = [e for e in before if e.stream_id == str(issue_id)]
    assert issue and len(ours) > 3
    store = warehouse_store(database)
    try:
        store.create_tables()
        store.load([WarehouseRecord("t", 0, n, e.as_json()) for n, e in enumerate(ours)])
        store.load([WarehouseRecord("t", 1, n, e.as_json()) for n, e in enumerate(issue)])
    finally:
        store.datastore.close()
    assert _tables_holding(database, (PHONE, NAME)) == {}
    [(title,)] = (
        psycopg.connect(database.conninfo())
        .execute("SELECT title FROM warehouse.issues WHERE id = %s", (str(issue_id),))
        .fetchall()
    )
    assert title == str(ERASED)
