"""`espcrm report`: the period's airing report (晾晒通报) as a workbook, markdown and charts."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

import typer
from rich.console import Console

from domain.league_publication import PublishedLeagueTable
from domain.messages import render
from domain.shared import InvalidInput
from infra.settings import Settings
from projections.history import row_from_figures
from projections.league_table import (
    LeagueTable,
    WeightsError,
    configured_weights,
    load_weights,
    parse_period,
)
from projections.views import Views
from reports.data import ReportData, gather

FORMATS = ("xlsx", "md", "png")
console = Console(stderr=True)
report_cli = typer.Typer(
    invoke_without_command=True,
    help="The airing report of a period (--period), or `audit STREAM_ID` for an audit trail",
)


def write_reports(
    views: Views,
    period_label: str,
    formats: list[str],
    out: Path,
    weights: dict[str, float],
    now: datetime,
    published: PublishedLeagueTable | None = None,
) -> list[Path]:
    """The report files of the period in `out`, one per format (png: one per chart).
    `published`: the league table as published (its figures, its weights) instead of live."""
    from reports.charts import write_charts
    from reports.markdown import render_markdown
    from reports.xlsx import write_workbook

    period = parse_period(period_label)
    data = gather(views, period, weights, now)
    if published is not None:
        rows = [row_from_figures(f) for f in published.rows]
        data = dataclasses.replace(data, league=LeagueTable(period, published.weights, rows))
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if "png" in formats:
        written += write_charts(data, out)
    if "xlsx" in formats:
        written.append(write_workbook(data, out / _name(data, "xlsx")))
    if "md" in formats:
        # The league chart is embedded when it was written beside the summary.
        chart = f"league-{period.label}.png" if "png" in formats else None
        path = out / _name(data, "md")
        path.write_text(render_markdown(data, chart), encoding="utf-8")
        written.append(path)
    return written


def report_folder(out: Path | None, settings: Settings) -> Path:
    """Where the report goes: `--out`, else the data folder's reports/ (never the work tree)."""
    return out if out is not None else settings.data_dir / "reports"


def _name(data: ReportData, suffix: str) -> str:
    return f"espcrm-report-{data.period.label}.{suffix}"


@report_cli.callback()
def report(
    ctx: typer.Context,
    period: str | None = typer.Option(
        None, help="A month (2025-03), a quarter (2025-Q3) or a year (2025)"
    ),
    formats: list[str] = typer.Option(
        list(FORMATS), "--format", "-f", help="xlsx, md or png; repeat for several (default: all)"
    ),
    out: Path | None = typer.Option(
        None, "--out", help="The directory to write into (default: DATA_DIR/reports)"
    ),
    weights: str | None = typer.Option(
        None,
        help="League weights: a .json/.toml file or inline JSON (default: ESPCRM_LEAGUE_WEIGHTS,"
        " else the built-in weights of projections/league_table.py)",
    ),
    published: bool = typer.Option(
        False, "--published", help="The league table as published (publishLeagueTable), not live"
    ),
) -> None:
    """Write the airing report of a period: KPIs, district league table, departments, overdue."""
    from infra.bootstrap import bootstrap

    if ctx.invoked_subcommand is not None:
        return
    if period is None:
        raise typer.BadParameter(render("cli.report.period_missing"), param_hint="--period")

    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        message = render("cli.report.unknown_format", formats=unknown)
        raise typer.BadParameter(message, param_hint="--format")
    try:
        parse_period(period)
        chosen = load_weights(weights, "--weights") if weights else configured_weights()
    except InvalidInput as error:
        raise typer.BadParameter(error.message, param_hint="--period") from None
    except WeightsError as error:
        raise typer.BadParameter(str(error), param_hint="--weights") from None
    container = bootstrap()
    try:
        _warn_if_behind(container.views, container.app.last_position())
        now = container.app.clock.now()
        folder = report_folder(out, container.settings)
        table = None
        if published:
            label = parse_period(period).label
            table = container.app.published_league_table(label)
            if table is None:
                raise typer.BadParameter(
                    render("league.not_published", period=label), param_hint="--published"
                )
        for path in write_reports(container.views, period, formats, folder, chosen, now, table):
            typer.echo(path)
    finally:
        container.close()


def _warn_if_behind(views: Views, head: int) -> None:
    # This command reads the read models; it does not run the projections (a second runner of
    # the same view would fight the one in `espcrm run` / `espcrm project` over its position).
    behind = {name: head - view.position() for name, view in views.all().items()}
    lagging = {name: lag for name, lag in behind.items() if lag > 0}
    if lagging:
        names = [render("cli.report.lag", name=n, lag=lag) for n, lag in sorted(lagging.items())]
        console.print(f"[yellow]{render('cli.report.behind', names=names)}[/]", markup=True)


@report_cli.command("audit")
def audit(
    stream_id: str = typer.Argument(..., help="The id of an enterprise relationship or an issue"),
    out: Path = typer.Option(..., "--out", help="The .xlsx file to write"),
    full: bool = typer.Option(
        False, "--full", help="Personal data in full (as ADMIN reads it); masked by default"
    ),
) -> None:
    """Write the audit trail of one enterprise or issue as a workbook: every event, who, when
    (Beijing time), what, and each field it set."""
    from uuid import UUID

    from application.history import audit_trail
    from infra.bootstrap import bootstrap
    from reports.audit import audit_table
    from reports.xlsx import write_table

    try:
        stream = UUID(stream_id)
    except ValueError:
        raise typer.BadParameter(render("audit.stream", id=stream_id)) from None
    container = bootstrap()
    try:
        trail = audit_trail(container.app, stream, masked=not full)
        if trail is None or trail.stream_type not in ("EnterpriseRelationship", "Issue"):
            raise typer.BadParameter(render("audit.stream", id=stream_id))
        title = render("cli.report.audit_title", id=stream_id)
        typer.echo(write_table(audit_table(trail), out, title, "Audit trail"))
    finally:
        container.close()
