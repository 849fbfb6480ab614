"""The warehouse sink wired to real things: its PostgreSQL database and the Kafka feed."""

from __future__ import annotations

from dataclasses import dataclass

from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import PostgresDatastore

from consumers.base import FeedConsumer
from consumers.warehouse.sink import WarehouseSink
from consumers.warehouse.store import PostgresWarehouse
from infra.kafka_feed import KafkaSubscription
from infra.leader import schema_lock
from infra.postgres_server import PgAddress, ensure_database

DEFAULT_GROUP = "espcrm-warehouse"

# The database gone for a while: wait it out, the messages are fine (never dead-letter them).
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)


@dataclass
class WarehouseParts:
    consumer: FeedConsumer
    sink: WarehouseSink
    store: PostgresWarehouse
    subscription: KafkaSubscription

    def close(self) -> None:
        self.store.datastore.close()


def warehouse_store(address: PgAddress, schema: str = "warehouse") -> PostgresWarehouse:
    """The store, its tables created if missing."""
    ensure_database(address)
    datastore = PostgresDatastore(
        address.dbname, address.host, address.port, address.user, address.password,
        pool_size=2, pre_ping=True,
    )  # fmt: skip
    store = PostgresWarehouse(datastore, schema)
    with schema_lock(address):  # two consumers of a group start together
        store.create_tables()
    return store


def build_warehouse_consumer(
    bootstrap: str,
    topic: str,
    address: PgAddress,
    *,
    group: str = DEFAULT_GROUP,
    schema: str = "warehouse",
    instance_id: str | None = None,
    max_poll_records: int = 500,
) -> WarehouseParts:
    """A sink instance: more of them in one group share the topic's partitions."""
    store = warehouse_store(address, schema)
    subscription = KafkaSubscription(
        bootstrap, topic, group,
        starting_offsets=store.starting_offsets,
        instance_id=instance_id,
        max_poll_records=max_poll_records,
    )  # fmt: skip
    sink = WarehouseSink(store)
    consumer = FeedConsumer(subscription, sink, transient=TRANSIENT_ERRORS)
    return WarehouseParts(consumer, sink, store, subscription)
