"""The domain is pure: the standard library and eventsourcing.domain, nothing else."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "domain"
ALLOWED_THIRD_PARTY = {"eventsourcing.domain"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _is_allowed(module: str) -> bool:
    top = module.split(".")[0]
    return top in sys.stdlib_module_names or top == "domain" or module in ALLOWED_THIRD_PARTY


def test_the_domain_imports_only_the_standard_library_and_eventsourcing_domain() -> None:
    offending = {
        f"{path.name}: {module}"
        for path in DOMAIN.rglob("*.py")
        for module in _imports(path)
        if not _is_allowed(module)
    }
    assert not offending, f"domain/ must stay pure, found {sorted(offending)}"


def test_the_purity_check_would_notice_an_infrastructure_import() -> None:
    assert not _is_allowed("psycopg")
    assert not _is_allowed("eventsourcing.postgres")
    assert _is_allowed("eventsourcing.domain")
