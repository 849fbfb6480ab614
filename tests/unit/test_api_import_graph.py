"""No import circle inside api/: the features' types link through api/nodes.py instead.

Counts every import that runs (function-level ones too); only those under TYPE_CHECKING,
which strawberry.lazy annotations need, are left out."""

from __future__ import annotations

import grimp


def test_no_module_in_api_imports_itself_back_at_run_time() -> None:
    graph = grimp.build_graph("api", exclude_type_checking_imports=True)
    circles = set()
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back:
                circles.add(" -> ".join((importer, *back)))
    assert not circles, "import circles in api/:\n" + "\n".join(sorted(circles))
