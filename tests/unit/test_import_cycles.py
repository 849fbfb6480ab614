"""No two files import each other, directly or round a circle (TYPE_CHECKING imports aside).

import-linter's `acyclic_siblings` contract checks packages; this checks single files, so a
circle inside one package (two modules of infra, say) is found too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import grimp

PACKAGES = (
    "domain", "application", "projections", "projection_runtime", "api", "consumers", "infra",
    "reports", "demo", "cli",
)  # fmt: skip


def circles(imports: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Every strongly connected group of two or more modules (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in imports.get(module, ()):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return found


def project_imports() -> dict[str, set[str]]:
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)
    return {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}


def test_no_file_of_espcrm_imports_itself_round_a_circle() -> None:
    assert circles(project_imports()) == []


def test_the_circle_finder_finds_a_circle_and_only_its_members() -> None:
    imports = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert circles(imports) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []
