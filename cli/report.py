"""`espcrm report`: the period's airing report (晾晒通报) as a workbook, markdown and charts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from rich.console import Console

from domain.messages import render
from domain.shared import InvalidInput
from infra.settings import Settings
from projections.league_table import WeightsError, configured_weights, load_weights, parse_period
from projections.views import Views
from reports.data import ReportData, gather

FORMATS = ("xlsx", "md", "png")
console = Console(stderr=True)


def write_reports(
    views: Views,
    period_label: str,
    formats: list[str],
    out: Path,
    weights: dict[str, float],
    now: datetime,
) -> list[Path]:
    """The report files of the period in `out`, one per format (png: one per chart)."""
    from reports.charts import write_charts
    from reports.markdown import render_markdown
    from reports.xlsx import write_workbook

    period = parse_period(period_label)
    data = gather(views, period, weights, now)
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


def report(
    period: str = typer.Option(..., help="A month (2025-03), a quarter (2025-Q3) or a year (2025)"),
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
) -> None:
    """Write the airing report of a period: KPIs, district league table, departments, overdue."""
    from infra.bootstrap import bootstrap

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
        for path in write_reports(container.views, period, formats, folder, chosen, now):
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
