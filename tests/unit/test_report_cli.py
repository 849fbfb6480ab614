"""`espcrm report` refuses bad arguments before it touches the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import cli
from cli.report import report_folder
from infra.settings import Settings


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (["--period", "2025-Q9"], "“2025-Q9”不是统计期间"),
        (["--period", "2025-Q3", "--format", "pdf"], "未知的格式：pdf"),
        (["--period", "2025", "--weights", '{"speed": 1}'], "未知的指标"),
        (["--period", "2025", "--weights", "/nonexistent.toml"], "/nonexistent.toml"),
    ],
)
def test_a_bad_argument_is_refused_with_the_reason(arguments: list[str], complaint: str) -> None:
    result = CliRunner().invoke(cli, ["report", *arguments], terminal_width=400)
    assert result.exit_code == 2
    assert complaint in " ".join(result.output.split())


def test_the_report_goes_under_the_data_folder_unless_told_where(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    assert report_folder(None, settings) == tmp_path / "data" / "reports"
    assert report_folder(tmp_path / "elsewhere", settings) == tmp_path / "elsewhere"


def test_the_readme_examples_follow_the_configured_port() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    commands = [line for line in readme.splitlines() if line.startswith("curl ")]
    assert commands
    assert all("${ESPCRM_PORT:-8000}" in line for line in commands)
