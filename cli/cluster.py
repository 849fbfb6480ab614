"""`espcrm cluster up / status / down`: every part as its own process on one machine (issue 18).

infra/local_cluster.py does the work (supervisord for the parts, the servers beside them);
this module only reads options and prints in the reader's language.
"""

from __future__ import annotations

import logging

import typer

from cli.db import print_database_status
from cli.kafka import describe_cluster
from domain.messages import render
from infra.local_cluster import ClusterError, ClusterStatus, LocalCluster
from infra.postgres_server import parse_database_url
from infra.settings import Settings

cluster_cli = typer.Typer(
    help="A local cluster: 2 API workers, standby projections, relay, watcher, "
    "2 warehouse consumers",
    no_args_is_help=True,
)


def _cluster() -> LocalCluster:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("kafka").setLevel(logging.ERROR)  # its clients' chatter is not for here
    return LocalCluster(Settings())


@cluster_cli.command("up")
def up(
    brokers: int = typer.Option(3, min=1, max=9, help="Kafka nodes: 3 (a cluster) or 1"),
) -> None:
    """Start the database and Kafka (unless configured), then every part under supervisord."""
    cluster = _cluster()
    try:
        state = cluster.up(brokers)
    except ClusterError as error:
        typer.echo(render(error.key, **error.params), err=True)
        raise typer.Exit(1) from None
    typer.echo(
        render(
            "cli.cluster.up",
            api_url=state.api_url,
            database=_where(state.database_url),
            kafka=state.kafka_bootstrap,
            logs=str(cluster.layout.logs),
        )
    )


def _where(database_url: str) -> str:
    address = parse_database_url(database_url)
    return f"{address.host}:{address.port}/{address.dbname}"


@cluster_cli.command("status")
def status() -> None:
    """Each part's state and process id, and how far each follower is behind the log."""
    report = _cluster().status()
    if not report.parts:
        typer.echo(render("cli.cluster.not_running"))
        raise typer.Exit(3)
    cluster = _cluster()
    kafka = cluster.kafka_status()
    typer.echo(render_status(report))
    typer.echo("")
    print_database_status(cluster.settings)
    if kafka is not None:
        typer.echo(describe_cluster(kafka))
    if not report.all_running or (kafka is not None and kafka.running < len(kafka.nodes)):
        raise typer.Exit(1)


def render_status(report: ClusterStatus) -> str:
    lines = [render("cli.cluster.header")]
    for part in report.parts:
        state = render(f"cli.cluster.state.{part.state}") if part.state in _STATES else part.state
        role = ""
        if part.leads is not None:
            role = (
                render("cli.cluster.leads", jobs=part.leads)
                if part.leads
                else render("cli.cluster.standby")
            )
        lines.append(
            f"{part.name:<16} {state:<8} {part.pid or '-':>7}  {role:<10} {part.description}"
        )
    if report.lags:
        lines += ["", render("cli.cluster.lags")]
        lines += [f"{name:<32} {lag:>9}" for name, lag in sorted(report.lags.items())]
    return "\n".join(lines)


_STATES = {"RUNNING", "STARTING", "BACKOFF", "STOPPING", "STOPPED", "EXITED", "FATAL", "UNKNOWN"}


@cluster_cli.command("down")
def down() -> None:
    """Stop every part (in reverse order), then the servers `up` started."""
    stopped_servers = _cluster().down()
    typer.echo(render("cli.cluster.down" if stopped_servers else "cli.cluster.down.parts"))
