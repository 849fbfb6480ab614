"""Row-level access on every path: a walk of the schema (by introspection), for every role.

Every path of query fields that reaches a row (an enterprise, a visit, an issue, an event of the
feed), up to three rows deep (`issue{enterprise{visits{edges{node{issues{…}}}}}}`), is asked by
every role; each row that comes back must be one the role may see (DOMAIN.md, roles). The walk
also proves it reached every field of the schema that returns a row, so a field added later is
walked too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.builders import a_valid_uscc
from tests.e2e.conftest import Client

ROW_TYPES = {"Enterprise", "Issue", "Visit", "FeedEvent"}
ADMIN = {"as_role": "ADMIN", "sub": "a-001"}
INTROSPECTION = """{ __schema { queryType { name } types { name kind fields {
  name args { name type { kind } }
  type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }"""


def _named(t: dict[str, Any]) -> dict[str, Any]:
    while t.get("ofType"):
        t = t["ofType"]
    return t


class World:
    """Two of everything: the role's own row, and another unit's that it must never see."""

    def __init__(self, api: Client) -> None:
        self.api = api
        for dept in ("dept-a", "dept-b"):
            self.ok(
                f'mutation {{ registerDepartment(input: {{id: "{dept}", name: "处{dept}"}}) {{ position }} }}'
            )
        for point in ("rp-a", "rp-b"):
            self.ok(f'mutation {{ registerReportingPoint(input: {{id: "{point}", name: "点{point}", district: "渝北区"}}) {{ position }} }}')  # fmt: skip
        self.enterprises: dict[str, str] = {}
        self.visits: dict[str, str] = {}
        self.issues: dict[str, str] = {}
        for side, district, comm, dept in (("a", "渝北区", "c-a", "dept-a"), ("b", "渝中区", "c-b", "dept-b")):  # fmt: skip
            e = self.ok(
                "mutation($i: RegisterEnterpriseInput!) { registerEnterprise(input: $i) { enterprise { id } } }",
                {"i": {"uscc": a_valid_uscc(), "name": f"企业{side}", "district": district,
                       "contacts": [{"name": "王小明", "phone": "13812345678"}]}},
            )["registerEnterprise"]["enterprise"]["id"]  # fmt: skip
            self.enterprises[side] = e
            self.ok(
                "mutation($i: AssignCommissionerInput!) { assignCommissioner(input: $i) { position } }",
                {"i": {"enterpriseId": e, "commissionerId": comm, "commissionerName": comm}},
            )
            commissioner = {"as_role": "COMMISSIONER", "sub": comm}
            v = self.ok(
                "mutation($i: LogVisitInput!) { logVisit(input: $i) { visit { id } } }",
                {"i": {"enterpriseId": e, "visitedAt": "2025-03-03T17:00:00+08:00",
                       "channel": "ON_SITE", "attendees": ["李四"], "topics": ["用工"],
                       "summary": "走访"}},
                **commissioner,
            )["logVisit"]["visit"]["id"]  # fmt: skip
            self.visits[side] = v
            i = self.ok(
                "mutation($i: RaiseDemandInput!) { raiseDemand(input: $i) { issue { id } } }",
                {"i": {"enterpriseId": e, "visitId": v, "category": "RECRUITMENT",
                       "title": "招工", "description": f"诉求{side}"}},
                **commissioner,
            )["raiseDemand"]["issue"]["id"]  # fmt: skip
            self.issues[side] = i
            self.ok(
                f'mutation {{ dispatchIssue(input: {{issueId: "{i}", leadDepartmentId: "{dept}"}}) {{ position }} }}'
            )
            r = self.ok(
                'mutation { submitDirectReport(input: {category: OTHER, title: "直报", description: "直报内容"}) { issue { id } } }',
                as_role="REPORTER", sub="r-001", reporting_point_id=f"rp-{side}",
            )["submitDirectReport"]["issue"]["id"]  # fmt: skip
            self.issues[f"report-{side}"] = r

    def ok(self, query: str, variables: dict[str, Any] | None = None, **who: Any) -> Any:
        body = self.api.gql(query, variables, **(who or ADMIN))
        assert "errors" not in body, body
        return body["data"]


@pytest.fixture
def world(api: Client) -> World:
    return World(api)


def _roles(w: World) -> dict[str, tuple[dict[str, Any], dict[str, set[str]] | None]]:
    """Each role's token and the rows it may see (None: every row)."""
    e, v, i = w.enterprises, w.visits, w.issues
    return {
        "ADMIN": (ADMIN, None),
        "SUPERVISOR": ({"as_role": "SUPERVISOR", "sub": "s-001"}, None),
        "SUPERVISOR of 渝中区": (
            {"as_role": "SUPERVISOR", "sub": "s-002", "districts": ["渝中区"]},
            {"Enterprise": {e["b"]}, "Visit": {v["b"]}, "Issue": {i["b"]}, "FeedEvent": set()},
        ),
        "COMMISSIONER": (
            {"as_role": "COMMISSIONER", "sub": "c-a"},
            {"Enterprise": {e["a"]}, "Visit": {v["a"]}, "Issue": {i["a"]}, "FeedEvent": set()},
        ),
        "DEPARTMENT": (
            {"as_role": "DEPARTMENT", "sub": "d-001", "department_id": "dept-a"},
            {"Enterprise": {e["a"]}, "Visit": set(), "Issue": {i["a"]}, "FeedEvent": set()},
        ),
        "REPORTER": (
            {"as_role": "REPORTER", "sub": "r-001", "reporting_point_id": "rp-a"},
            {"Enterprise": set(), "Visit": set(), "Issue": {i["report-a"]}, "FeedEvent": set()},
        ),
    }


def _paths(
    types: dict[str, dict[str, Any]], root: str, ids: dict[str, list[str]]
) -> Iterator[tuple[str, str, set[tuple[str, str]]]]:
    """(root field with its arguments, selection, row fields it walks): one per path, up to
    three rows deep; a root field that takes an `id` is asked with each id of its type."""

    def walk(
        type_name: str, rows: int, depth: int, edges: frozenset[tuple[str, str]]
    ) -> Iterator[tuple[str, frozenset[tuple[str, str]]]]:
        fields = types[type_name]["fields"] or []
        yield "__typename id" if type_name in ROW_TYPES else "__typename", edges
        if rows >= 3 or depth >= 8:
            return
        for f in fields:
            target = _named(f["type"])
            if target["kind"] != "OBJECT" or any(
                a["type"]["kind"] == "NON_NULL" for a in f["args"]
            ):
                continue
            if type_name != root and target["name"] in {"User", "Department", "ReportingPoint"}:
                continue
            arg = "(first: 20)" if any(a["name"] == "first" for a in f["args"]) else ""
            hop = target["name"] in ROW_TYPES
            more = edges | {(type_name, f["name"])} if hop else edges
            if hop and (type_name, f["name"]) in edges:
                continue  # the same field twice on one path adds nothing
            for inner, walked in walk(target["name"], rows + hop, depth + 1, more):
                yield f"__typename {f['name']}{arg} {{ {inner} }}", walked

    for f in types[root]["fields"]:
        target = _named(f["type"])
        if target["kind"] != "OBJECT":
            continue
        required = [a["name"] for a in f["args"] if a["type"]["kind"] == "NON_NULL"]
        if required and required != ["id"]:
            continue
        arg = "(first: 20)" if any(a["name"] == "first" for a in f["args"]) else ""
        hop = target["name"] in ROW_TYPES
        start = frozenset({(root, f["name"])}) if hop else frozenset()
        for inner, walked in walk(target["name"], int(hop), 1, start):
            for one in ids[target["name"]] if required else [None]:
                call = f'{f["name"]}(id: "{one}")' if one else f"{f['name']}{arg}"
                yield call, inner, set(walked)


def _batches(paths: list[tuple[str, str, set[tuple[str, str]]]]) -> Iterator[str]:
    """The paths of one root call, ten to a query under aliases (one error, from the root,
    would null them all alike)."""
    by_call: dict[str, list[str]] = {}
    for call, inner, _ in paths:
        by_call.setdefault(call, []).append(inner)
    for call, inners in by_call.items():
        for start in range(0, len(inners), 10):
            chunk = inners[start : start + 10]
            yield (
                "{ "
                + " ".join(f"p{n}: {call} {{ {inner} }}" for n, inner in enumerate(chunk))
                + " }"
            )


def _reachable(types: dict[str, dict[str, Any]], root: str) -> set[str]:
    """The object types a query can reach (a mutation's payloads are not reads)."""
    seen, todo = {root}, [root]
    while todo:
        for f in types[todo.pop()]["fields"] or []:
            name = _named(f["type"]).get("name")
            if name in types and name not in seen and not name.startswith("__"):
                seen.add(name)
                todo.append(name)
    return seen


def _rows(value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        if value.get("__typename") in ROW_TYPES and "id" in value:
            yield value["__typename"], value["id"]
        for inner in value.values():
            yield from _rows(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _rows(inner)


def test_every_field_that_returns_a_row_is_scoped_for_every_role(world: World) -> None:
    schema = world.ok(INTROSPECTION)["__schema"]
    types = {t["name"]: t for t in schema["types"] if t["kind"] == "OBJECT"}
    root = schema["queryType"]["name"]
    ids = {"Enterprise": list(world.enterprises.values()), "Issue": list(world.issues.values())}
    row_fields = {
        (t["name"], f["name"])
        for t in types.values()
        if t["name"] in _reachable(types, root)
        for f in t["fields"] or []
        if _named(f["type"]).get("name") in ROW_TYPES
    }
    paths = list(_paths(types, root, ids))
    walked = set().union(*(edges for _, _, edges in paths))
    assert walked == row_fields, "fields that return a row and the walk does not reach"

    for role, (who, allowed) in _roles(world).items():
        for query in _batches(paths):
            body = world.api.gql(query, **who)
            for error in body.get("errors") or []:
                assert error["extensions"]["code"] in {"FORBIDDEN", "NOT_FOUND"}, (
                    role,
                    query,
                    error,
                )
            seen = set(_rows(body.get("data")))
            if allowed is None:
                continue
            leaked = {(t, i) for t, i in seen if i not in allowed[t]}
            assert not leaked, (role, query, leaked)


def test_a_department_reaches_no_other_departments_issue_through_nested_fields(
    world: World,
) -> None:
    own, other = world.issues["a"], world.issues["b"]
    dept = {"as_role": "DEPARTMENT", "sub": "d-001", "department_id": "dept-a"}
    body = world.api.gql(
        f'{{ issue(id: "{own}") {{ enterprise {{ visits {{ edges {{ node {{ issues {{ id }} }} }} }}'
        " issues { edges { node { id } } } } } }",
        **dept,
    )
    assert "errors" not in body, body
    found = {i for _, i in _rows(body["data"])} | {
        e["node"]["id"] for e in body["data"]["issue"]["enterprise"]["issues"]["edges"]
    }
    assert other not in found
    assert body["data"]["issue"]["enterprise"]["visits"]["edges"] == []


def test_the_event_feed_is_refused_to_a_supervisor_narrowed_to_districts(world: World) -> None:
    body = world.api.gql(
        "{ events(first: 100) { events { data } } }",
        as_role="SUPERVISOR",
        sub="s-002",
        districts=["渝中区"],
    )
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
