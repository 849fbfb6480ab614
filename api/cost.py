"""Query cost analysis: the rows a query may return, estimated before it runs.

Like GitHub's and Shopify's GraphQL APIs: a field that takes `first` returns up to `first` rows
(20 when not given) for every row of its parent, so nesting multiplies; any other list of
objects counts LIST_GUESS per parent; an object counts one. A query over BUDGET is refused
with QUERY_TOO_COSTLY before anything is read; every answer reports its estimate in
`extensions.cost`. Thirty aliases of enterprises(first:100){visits(first:100){enterprise{
visits(first:100)}}} (about 30 million rows) were within every other limit (issue 12)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NamedTypeNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from strawberry.extensions import SchemaExtension

from domain.shared import DomainError

BUDGET = 50_000
DEFAULT_FIRST = 20
LIST_GUESS = 10


class QueryTooCostly(DomainError):
    code = "QUERY_TOO_COSTLY"


def estimate(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
) -> int:
    root = schema.mutation_type if operation.operation.value == "mutation" else schema.query_type
    if root is None:
        return 0
    return _selection(schema, root, operation.selection_set, 1, fragments, variables, 0, False)


def _selection(
    schema: GraphQLSchema,
    parent: GraphQLObjectType,
    selection_set: SelectionSetNode | None,
    multiplier: int,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    depth: int,
    paged: bool,
) -> int:
    """`multiplier`: how many `parent` objects there may be; `paged`: `parent` is a page
    (a connection asked with `first`), whose lists (edges) hold those rows already."""
    if selection_set is None or depth > 20:
        return 0
    total = 0
    for node, owner in _fields(schema, parent, selection_set, fragments):
        field = owner.fields.get(node.name.value)
        if field is None:
            continue
        named = get_named_type(field.type)
        if not isinstance(named, GraphQLObjectType):
            continue
        first = _first(node, variables)
        if first is not None:
            rows = multiplier * first
        elif _is_list(field.type) and not paged:
            rows = multiplier * LIST_GUESS
        else:
            rows = multiplier
        total += rows
        inner = node.selection_set
        paged_here = first is not None
        total += _selection(schema, named, inner, rows, fragments, variables, depth + 1, paged_here)
        if total > BUDGET * 1000:  # far over already: stop counting
            return total
    return total


def _fields(
    schema: GraphQLSchema,
    parent: GraphQLObjectType,
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
) -> Iterator[tuple[FieldNode, GraphQLObjectType]]:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection, parent
        elif isinstance(selection, InlineFragmentNode | FragmentSpreadNode):
            condition: NamedTypeNode | None
            if isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is None:
                    continue
                condition, inner = fragment.type_condition, fragment.selection_set
            else:
                condition, inner = selection.type_condition, selection.selection_set
            owner = schema.get_type(condition.name.value) if condition else parent
            if isinstance(owner, GraphQLObjectType):
                yield from _fields(schema, owner, inner, fragments)


def _first(node: FieldNode, variables: dict[str, Any]) -> int | None:
    """The field's `first`, or DEFAULT_FIRST for a paged field without one; None if unpaged."""
    for argument in node.arguments or ():
        if argument.name.value != "first":
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return max(int(value.value), 0)
        if isinstance(value, VariableNode):
            given = variables.get(value.name.value)
            return given if isinstance(given, int) and given >= 0 else DEFAULT_FIRST
        return DEFAULT_FIRST
    return None


def _is_list(type_: Any) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


class QueryCost(SchemaExtension):
    """Estimates before execution, refuses over BUDGET, reports `extensions.cost`."""

    cost: int | None = None

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            fragments = {
                d.name.value: d
                for d in document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            name = context.operation_name
            chosen = [o for o in operations if name is None or (o.name and o.name.value == name)]
            if chosen:
                self.cost = estimate(
                    context.schema._schema, chosen[0], fragments, context.variables or {}
                )
                if self.cost > BUDGET:
                    refused = QueryTooCostly(
                        "input.query_too_costly", cost=self.cost, budget=BUDGET
                    )
                    context.result = GraphQLExecutionResult(
                        data=None, errors=[GraphQLError(refused.message, original_error=refused)]
                    )
        yield

    def get_results(self) -> dict[str, Any]:
        if self.cost is None:
            return {}
        return {"cost": {"estimatedRows": self.cost, "budget": BUDGET}}
