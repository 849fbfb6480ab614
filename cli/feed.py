"""`espcrm consume …`: the downstream consumers shipped with the product, one process each.

Mounted by cli/main.py as `cli.add_typer(consume_cli, name="consume")`; also runnable alone
as `python -m cli.feed warehouse`.
"""

from __future__ import annotations

import logging

import typer

from domain.messages import render
from infra.bootstrap import database_address
from infra.postgres_server import parse_database_url
from infra.settings import Settings
from infra.warehouse import DEFAULT_GROUP, build_warehouse_consumer

consume_cli = typer.Typer(help="Downstream consumers of the Kafka event feed", no_args_is_help=True)
log = logging.getLogger("espcrm.consumer")


@consume_cli.callback()
def consume() -> None:
    """Each consumer runs until SIGTERM or Ctrl-C, then commits what it handled and leaves."""


@consume_cli.command("warehouse")
def warehouse(
    group: str = typer.Option(DEFAULT_GROUP, help="Consumer group: instances share partitions"),
    schema: str = typer.Option("warehouse", help="The PostgreSQL schema it owns"),
    instance_id: str | None = typer.Option(
        None, help="Static group membership: a restart under this id resumes at once"
    ),
    database_url: str | None = typer.Option(
        None,
        envvar="ESPCRM_WAREHOUSE_DATABASE_URL",
        help="The warehouse's database (default: the event store's)",
    ),
    max_poll_records: int = typer.Option(500, help="Records per batch and transaction"),
) -> None:
    """Load every event into the warehouse schema, exactly once (offsets in its own rows)."""
    logging.basicConfig(level=logging.INFO)
    logging.getLogger("kafka").setLevel(logging.WARNING)  # its INFO is every connection
    settings = Settings()
    if not settings.kafka_bootstrap:
        raise typer.BadParameter(render("cli.relay.no_broker"))
    embedded = None
    if database_url:
        address = parse_database_url(database_url)
    else:
        address, embedded = database_address(settings)
    parts = build_warehouse_consumer(
        settings.kafka_bootstrap, settings.kafka_topic, address,
        group=group, schema=schema, instance_id=instance_id,
        max_poll_records=max_poll_records,
    )  # fmt: skip
    parts.consumer.stop_on_signals()
    try:
        stats = parts.consumer.run()
        log.info("warehouse sink stopped: %s, %s", stats, parts.sink.counts)
    finally:
        parts.close()
        if embedded is not None:
            embedded.stop()


if __name__ == "__main__":
    consume_cli()
