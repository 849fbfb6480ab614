"""The served schema keeps every promise of the contract, and schema.graphql is current."""

from __future__ import annotations

from pathlib import Path

from graphql import build_schema
from graphql.utilities import find_breaking_changes

from api.schema import schema

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "docs" / "api-contract.graphql"
EXPORTED = ROOT / "schema.graphql"


def test_the_served_schema_has_no_breaking_change_against_the_contract() -> None:
    contract = build_schema(CONTRACT.read_text())
    served = build_schema(schema.as_str())
    changes = [f"{c.type.name}: {c.description}" for c in find_breaking_changes(contract, served)]
    assert changes == []


def test_the_contract_copy_matches_the_shared_one_when_it_is_there() -> None:
    shared = ROOT.parent / "shared" / "api-contract.graphql"
    if shared.exists():  # a clone without ../shared has only the copy, which is the point of it
        assert CONTRACT.read_text() == shared.read_text()
    assert "type Mutation" in CONTRACT.read_text()


def test_schema_graphql_is_the_served_schema() -> None:
    assert EXPORTED.read_text() == schema.as_str() + "\n", (
        "schema.graphql is stale: run `.venv/bin/espcrm export-schema`"
    )
