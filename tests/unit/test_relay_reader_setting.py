"""ESPCRM_RELAY_READER chooses where the relay reads the log (infra/feed_reader.py)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import typer

from cli.main import _feed_reader
from infra.feed_reader import ChildFeed, InProcessFeed
from infra.settings import Settings


def _container(reader: str) -> object:
    settings = Settings(data_dir=Path("/nonexistent"), relay_reader=reader)
    return SimpleNamespace(settings=settings, env={"CREATE_TABLE": "y"}, app=object())


def test_the_relay_reads_in_a_child_process_unless_told_inline() -> None:
    child = _feed_reader(_container("process"))  # type: ignore[arg-type]
    assert isinstance(child, ChildFeed)
    assert child.env["CREATE_TABLE"] == "n" and child.pid is None  # started on the first read
    assert isinstance(_feed_reader(_container("inline")), InProcessFeed)  # type: ignore[arg-type]


def test_an_unknown_relay_reader_is_refused_naming_the_setting_and_the_value() -> None:
    with pytest.raises(typer.BadParameter, match="ESPCRM_RELAY_READER.*thread"):
        _feed_reader(_container("thread"))  # type: ignore[arg-type]
