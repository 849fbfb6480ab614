"""`espcrm db up [--replica] | status | down`: the embedded PostgreSQL primary and its streaming
read replica, kept running between commands (as `espcrm kafka up/down` keeps the broker)."""

from __future__ import annotations

import typer

from domain.messages import render
from infra.postgres_server import ReplicaError, database_down, database_status, database_up
from infra.settings import Settings

db_cli = typer.Typer(help="The embedded PostgreSQL and its read replica", no_args_is_help=True)


@db_cli.command("up")
def db_up(
    replica: bool = typer.Option(False, "--replica", help="Also a streaming read replica"),
) -> None:
    """Start the primary under .data/pg (and the replica under .data/pg-replica): reused if
    running, kept running until `espcrm db down`."""
    settings = Settings()
    try:
        pair = database_up(settings.data_dir, replica=replica)
    except ReplicaError as error:  # one sentence in both languages, no traceback
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    typer.echo(render("cli.db.primary", address=pair.primary.url()))
    if pair.replica is not None:
        read = pair.replica.with_dbname(settings.database_name)
        typer.echo(render("cli.db.read_url", url=read.url()))
        print_database_status(settings)


@db_cli.command("status")
def db_status() -> None:
    print_database_status(Settings())


@db_cli.command("down")
def db_down() -> None:
    """Stop the replica, then the primary."""
    for what, was_running in database_down(Settings().data_dir).items():
        key = "cli.db.stopped" if was_running else "cli.db.not_running"
        typer.echo(render(key, what=render(f"cli.db.what.{what}")))


def print_database_status(settings: Settings) -> None:
    status = database_status(settings.data_dir)
    primary, replica = status["primary"], status["replica"]
    if primary is None:
        typer.echo(render("cli.db.not_running", what=render("cli.db.what.primary")))
    else:
        typer.echo(render("cli.db.primary", address=primary.url()))  # type: ignore[attr-defined]
    if replica is None:
        typer.echo(render("cli.db.not_running", what=render("cli.db.what.replica")))
        return
    state = status["replica_state"]
    typer.echo(render("cli.db.replica", address=replica.url(), **state))  # type: ignore[attr-defined, arg-type]
    if "lag" in status:
        typer.echo(render("cli.db.replica_lag", **status["lag"]))  # type: ignore[arg-type]
