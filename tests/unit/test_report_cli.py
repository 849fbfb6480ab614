"""`espcrm report` refuses bad arguments before it touches the database."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli.main import cli


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (["--period", "2025-Q9"], "“2025-Q9”不是统计期间"),
        (["--period", "2025-Q3", "--format", "pdf"], "unknown format pdf"),
        (["--period", "2025", "--weights", '{"speed": 1}'], "unknown KPI speed"),
        (["--period", "2025", "--weights", "/nonexistent.toml"], "/nonexistent.toml"),
    ],
)
def test_a_bad_argument_is_refused_with_the_reason(arguments: list[str], complaint: str) -> None:
    result = CliRunner().invoke(cli, ["report", *arguments], terminal_width=400)
    assert result.exit_code == 2
    assert complaint in " ".join(result.output.split())
