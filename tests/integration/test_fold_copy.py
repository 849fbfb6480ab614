"""A rebuild's fold writes its rows with COPY in binary where the columns' types allow
(projections/base.py Fold._copy), and as text when a value is one binary cannot take: the
rows read back the same either way, in an empty table and merged into one with rows."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.shared import BEIJING_TIME
from infra.bootstrap import Container
from projections.base import Fold
from projections.kpi import KpiFold

AT = datetime(2025, 3, 3, 9, 0, tzinfo=BEIJING_TIME)
COLUMNS = ("issue_id", "version", "fact", "at", "district", "department_id",
           "commissioner_id", "category", "satisfaction")  # fmt: skip


def _facts(issue: UUID, versions: range) -> list[tuple[Any, ...]]:
    return [
        (issue, v, "RAISED", AT + timedelta(minutes=v), "渝中区", None, "c-1", "RECRUITMENT", None)
        for v in versions
    ]


def _fold_in(
    container: Container, number: int, stretches: list[list[tuple[Any, ...]]],
    monkeypatch: pytest.MonkeyPatch,
) -> list[tuple[Any, ...]]:  # fmt: skip
    """Each stretch's rows folded into a new kpi version's issue_facts; what the table holds."""
    view, _ = container.catalogue.projection_at("kpi", number)
    try:
        for i, rows in enumerate(stretches):
            staged = [("issue_facts", COLUMNS, rows, "ON CONFLICT DO NOTHING")]
            monkeypatch.setattr(KpiFold, "staged", lambda self, s=staged: s)
            with view.folding(empty=i == 0):
                pass
        with view.datastore.transaction(commit=False) as curs:
            curs.execute(f"SELECT * FROM {view.prefix}_issue_facts ORDER BY version")  # type: ignore[arg-type]
            return [tuple(row[c] for c in COLUMNS) for row in curs.fetchall()]
    finally:
        view.datastore.close()


def test_rows_of_the_columns_types_go_in_binary_and_read_back_as_written(
    container: Container, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    issue = uuid4()
    copied: list[bool] = []
    real = Fold._copy_rows

    def spy(self: Fold, statement: Any, rows: Any, types: Any) -> None:
        copied.append(types is not None)
        real(self, statement, rows, types)

    monkeypatch.setattr(Fold, "_copy_rows", spy)
    first, second = _facts(issue, range(1, 4)), _facts(issue, range(4, 6))
    with caplog.at_level(logging.WARNING, logger="projections.base"):
        held = _fold_in(container, 700, [first, second], monkeypatch)
    assert held == first + second
    assert copied == [True, True]  # the empty table and the later stretch's staging table
    assert not caplog.records


def test_a_value_binary_cannot_take_sends_the_rows_as_text_with_nothing_lost(
    container: Container, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    issue = uuid4()
    rows = _facts(issue, range(1, 4))
    as_text = [(str(issue), *row[1:]) for row in rows]  # a uuid column given text
    with caplog.at_level(logging.WARNING, logger="projections.base"):
        held = _fold_in(container, 701, [as_text], monkeypatch)
    assert held == rows  # PostgreSQL read the text as the uuid
    assert "binary COPY" in caplog.text and "as text" in caplog.text


def test_a_table_with_a_jsonb_column_is_copied_as_text(container: Container) -> None:
    """A jsonb column is filled with JSON text (json_text), which binary would quote again."""
    view, _ = container.catalogue.projection_at("issue_board", 702)
    try:
        with view.folding(empty=True) as fold:
            table = f"{view.prefix}_rows"
            assert fold._binary_types(table, ("id", "title", "evidence")) is None
            assert fold._binary_types(table, ("id", "title")) == ["uuid", "text"]
    finally:
        view.datastore.close()
