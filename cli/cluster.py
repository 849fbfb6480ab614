"""`espcrm cluster up / status / down`: every part as its own process on one machine (issue 18).

infra/local_cluster.py does the work (supervisord for the parts, the servers beside them);
this module only reads options and prints in the reader's language.
"""

from __future__ import annotations

import logging

import typer

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
def up() -> None:
    """Start the database and Kafka (unless configured), then every part under supervisord."""
    cluster = _cluster()
    try:
        state = cluster.up()
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
    typer.echo(render_status(report))
    if not report.all_running:
        raise typer.Exit(1)


def render_status(report: ClusterStatus) -> str:
    lines = [render("cli.cluster.header")]
    for part in report.parts:
        state = render(f"cli.cluster.state.{part.state}") if part.state in _STATES else part.state
        lines.append(f"{part.name:<16} {state:<8} {part.pid or '-':>7}  {part.description}")
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
