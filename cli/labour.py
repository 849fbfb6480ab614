"""`espcrm labour-map`: the demand map (用工需求地图) of a period as a workbook and a chart."""

from __future__ import annotations

from pathlib import Path

import typer

from domain.shared import InvalidInput
from projections.league_table import parse_period


def labour_map(
    period: str = typer.Option(..., help="A month (2025-03), a quarter (2025-Q3) or a year (2025)"),
    out: Path | None = typer.Option(
        None, "--out", help="The directory to write into (default: DATA_DIR/reports)"
    ),
) -> None:
    """Write the labour demand map of a period: by district, industry cluster, occupation."""
    from cli.report import report_folder
    from infra.bootstrap import bootstrap
    from reports.labour_map import gather_labour_map, labour_map_chart, write_labour_workbook

    try:
        parsed = parse_period(period)
    except InvalidInput as error:
        raise typer.BadParameter(error.message, param_hint="--period") from None
    container = bootstrap()
    try:
        folder = report_folder(out, container.settings)
        data = gather_labour_map(container.views.labour_needs, parsed, container.app.occupations)
        typer.echo(write_labour_workbook(data, folder / f"labour-map-{parsed.label}.xlsx"))
        typer.echo(labour_map_chart(data, folder / f"labour-map-{parsed.label}.png"))
    finally:
        container.close()
