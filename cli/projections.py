"""`espcrm projections`: each read model's version, position and lag; rebuilds without downtime."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from domain.messages import render
from infra.bootstrap import bootstrap
from projection_runtime.admin import ProjectionStatus, projection_status, rebuild, rollback
from projection_runtime.catalogue import PROJECTIONS
from projection_runtime.versions import RebuildAlreadyRunning, VersionConflict

projections_cli = typer.Typer(
    help="Read models: status, rebuilds without downtime, rollback", no_args_is_help=True
)
console = Console(stderr=True)


class EventRateColumn(ProgressColumn):
    """Events per second over rich's recent samples (what the ETA is computed from)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(
            f"{speed:,.0f} events/s" if speed else "… events/s", style="progress.data.speed"
        )


def _known(name: str) -> str:
    if name not in PROJECTIONS:
        raise typer.BadParameter(
            render("cli.projections.unknown", name=name, names=", ".join(PROJECTIONS))
        )
    return name


@projections_cli.command("status")
def status() -> None:
    """Each projection's active version, position, the log's head and the lag behind it."""
    container = bootstrap()
    try:
        rows = projection_status(container.app, container.views, container.versions)
    finally:
        container.close()
    typer.echo(render("cli.projections.header"))
    for row in rows:
        typer.echo(_status_line(row))


def _status_line(row: ProjectionStatus) -> str:
    version = f"v{row.active_version}" if row.active_version is not None else "-"
    others = " ".join(f"v{v}@{p}" for v, p in sorted(row.others.items())) or "-"
    return (
        f"{row.name:<22} {version:<8} {row.position:>9} {row.head:>9} {row.lag:>9} "
        f"{row.lag_seconds:>10.1f}  {others}"
    )


@projections_cli.command("rebuild")
def rebuild_command(
    name: str = typer.Argument(..., callback=_known, help="The projection, e.g. issue_board"),
    batch_size: int = typer.Option(500, min=1, help="Events read from the log per query"),
) -> None:
    """Build a new version beside the live one from the whole log, then switch readers to it.

    The API keeps answering from the live version throughout; the switch is one transaction.
    """
    container = bootstrap()
    try:
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            EventRateColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
        ) as progress:
            task = progress.add_task(name, total=None)

            def show(position: int, head: int) -> None:
                progress.update(task, completed=position, total=max(head, position))

            report = rebuild(
                container.catalogue,
                container.versions,
                name,
                on_progress=show,
                batch_size=batch_size,
            )
    except (RebuildAlreadyRunning, VersionConflict, LookupError) as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    finally:
        container.close()
    typer.echo(
        render(
            "cli.projections.rebuilt",
            name=name,
            old=report.old_version,
            new=report.new_version,
            events=report.events,
            seconds=f"{report.seconds:.1f}",
            rate=f"{report.rate:,.0f}",
        )
    )


@projections_cli.command("rollback")
def rollback_command(
    name: str = typer.Argument(..., callback=_known, help="The projection, e.g. issue_board"),
) -> None:
    """Point readers back at the version the last rebuild replaced (it then catches up)."""
    container = bootstrap()
    try:
        version = rollback(container.versions, name)
    except (VersionConflict, LookupError) as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    finally:
        container.close()
    typer.echo(render("cli.projections.rolled_back", name=name, version=version))
