"""`espcrm import enterprises FILE` and `espcrm seed-demo`: the bureau's lists in, a demo year.

Mounted by cli/main.py:

    cli.add_typer(import_cli, name="import")
    cli.command("seed-demo")(seed_demo)

Import exit codes: 0 imported (or nothing to do; invalid rows skipped with --skip-invalid),
1 invalid rows and nothing imported (or a row refused while applying), 2 unusable file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

import demo
from application.enterprise_import import (
    OUTCOME_LABELS,
    CommissionerDirectory,
    ImportPlan,
    ImportResult,
    Outcome,
    UnusableFile,
    apply_plan,
    plan_import,
    read_commissioner_map,
    read_enterprise_list,
    store_lookup,
)
from application.enterprises import EnterpriseCommands
from domain.messages import render
from domain.shared import SYSTEM_ACTOR, Actor
from infra.bootstrap import bootstrap
from infra.spreadsheets import read_rows, report_path, write_report
from infra.working_calendar import ChineseWorkingCalendar

import_cli = typer.Typer(help="Bring the bureau's lists in", no_args_is_help=True)
console = Console(stderr=True)
SHOWN_PROBLEMS = 20  # the report file has them all


@dataclass(frozen=True)
class ImportRun:
    plan: ImportPlan
    result: ImportResult
    report: Path


def import_enterprise_file(
    app: EnterpriseCommands,
    path: Path,
    *,
    commissioners_file: Path | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    report: Path | None = None,
    actor: Actor = SYSTEM_ACTOR,
) -> ImportRun:
    """Read, validate, apply (unless a row is invalid and not skipped), write the report.
    UnusableFile when the file (or the commissioners file) cannot be read as a list."""
    listing = read_enterprise_list(read_rows(path))
    mapping = read_commissioner_map(read_rows(commissioners_file)) if commissioners_file else None
    report = _writable(report or report_path(path))
    plan = plan_import(listing.entries, store_lookup(app), CommissionerDirectory(mapping))
    result = apply_plan(
        app, plan, actor, skip_invalid=skip_invalid, dry_run=dry_run,
        source=f"企业名单导入：{path.name}",
    )  # fmt: skip
    return ImportRun(plan, result, write_report(report, result.lines))


def _writable(path: Path) -> Path:
    """Checked before anything is imported: an import whose report cannot be written would
    leave the operator not knowing which rows went in."""
    try:
        with path.open("a"):
            pass
    except OSError as error:
        raise UnusableFile("import.report_unwritable", path=path, reason=error.strerror) from None
    return path


@import_cli.callback()
def import_group() -> None:
    """Each import validates every row first and writes a per-row report next to the file."""


@import_cli.command("enterprises")
def import_enterprises(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, readable=True, help="The enterprise list: .xlsx or .csv"
    ),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Import the valid rows even when other rows are invalid"
    ),
    commissioners: Path | None = typer.Option(
        None,
        "--commissioners",
        exists=True,
        dir_okay=False,
        help="A .xlsx/.csv with columns 服务专员 and 用户ID: whose user id each name is. "
        "Without it a name's id is derived from the name (c- and 10 hex digits).",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and report; change nothing"),
    report: Path | None = typer.Option(
        None, "--report", help="Where to write the report (default: FILE.import-report.csv)"
    ),
) -> None:
    """Import an enterprise list (企业名单): 序号, 企业名称, 统一社会信用代码, 所属区县, 所属产业,
    联系人, 联系电话, 服务专员 under a title row; re-importing the same file changes nothing."""
    container = bootstrap()
    try:
        run = import_enterprise_file(
            container.app, file, commissioners_file=commissioners, skip_invalid=skip_invalid,
            dry_run=dry_run, report=report,
        )  # fmt: skip
    except UnusableFile as error:
        console.print(f"[red]{error.message}[/]")
        raise typer.Exit(2) from None
    finally:
        container.close()
    _print_import(run, dry_run=dry_run)
    counts = run.result.counts
    if counts[Outcome.FAILED] or (counts[Outcome.INVALID] and not skip_invalid):
        raise typer.Exit(1)


def _print_import(run: ImportRun, *, dry_run: bool = False) -> None:
    table = Table(
        render("cli.import.outcome"), render("cli.import.rows"), title=render("cli.import.title")
    )
    for outcome in Outcome:
        if run.result.counts[outcome]:
            table.add_row(OUTCOME_LABELS[outcome], str(run.result.counts[outcome]))
    console.print(table)
    problems = [
        line for line in run.result.lines if line.outcome in (Outcome.INVALID, Outcome.FAILED)
    ]
    for line in problems[:SHOWN_PROBLEMS]:
        console.print(render("cli.import.row", row=line.row, detail=line.detail), markup=False)
    if len(problems) > SHOWN_PROBLEMS:
        console.print(render("cli.import.more", count=len(problems) - SHOWN_PROBLEMS))
    if dry_run:
        console.print(f"[yellow]{render('cli.import.dry_run')}[/]")
    elif problems and not run.result.written:
        console.print(f"[yellow]{render('cli.import.nothing')}[/]")
    console.print(render("cli.import.report", path=run.report), markup=False)


def seed_demo(
    seed: int = typer.Option(2025, help="The same seed writes the same events"),
    enterprises: int = typer.Option(410, help="One-on-one enterprises (the 2025 target: 410)"),
    commissioners: int = typer.Option(40, help="Service commissioners (服务专员)"),
    reporting_points: int = typer.Option(30, help="Direct-report points (直报点), at most 30"),
    year: int = typer.Option(2025, help="The year to simulate (up to today, if it is this one)"),
) -> None:
    """Fill an empty store with a realistic synthetic year through the application's commands."""
    container = bootstrap()
    try:
        scale = demo.DemoScale(enterprises, commissioners, reporting_points, year=year)
        calendar = ChineseWorkingCalendar(container.settings.calendar_dir)
        summary = demo.seed_demo(container.env, calendar, seed=seed, scale=scale)
    except (demo.StoreNotEmpty, ValueError) as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    finally:
        container.close()
    _print_summary(summary)


def _print_summary(summary: demo.DemoSummary) -> None:
    log = summary.log
    table = Table(
        render("cli.seed.event_type"),
        render("cli.seed.events"),
        title=render("cli.seed.title", year=summary.scale.year, seed=summary.seed),
    )
    for event_type, count in log.counts.items():
        table.add_row(event_type, str(count))
    console.print(table)
    channels = ", ".join(
        f"{channel} {count}" for channel, count in sorted(log.visit_channels.items())
    )
    console.print(render("cli.seed.channels", channels=channels))
    seconds = f"{summary.seconds:.1f}"
    console.print(render("cli.seed.summary", events=log.events, seconds=seconds, digest=log.digest))
