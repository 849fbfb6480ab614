"""Errors carry the contract's codes; nothing internal (stack, SQL, class names) reaches a client.

The message is rendered from the message catalogue (domain/messages) in the request's language:
Chinese by default, English for `Accept-Language: en`; `extensions.code` and `extensions.field`
stay machine-readable. A client's error is logged as one INFO line with the request id; an
unexpected one logs its traceback and gives the client the request id (`extensions.requestId`)
to quote."""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any

import strawberry
from fastapi import Request
from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionContext, ExecutionResult

from domain.messages import DEFAULT_LANGUAGE, Text, t
from domain.shared import DomainError

log = logging.getLogger("espcrm.api")


class ServiceUnavailable(DomainError):
    code = "SERVICE_UNAVAILABLE"


def _code_and_text(error: GraphQLError, request_id: str, operation: str) -> tuple[str, Text]:
    original = error.original_error
    if isinstance(original, DomainError):
        return original.code, original.text
    if original is None or error.path is None:
        # A validation, parse or variable-coercion error (no field was being resolved): the
        # input's fault, safe to show without the source echo; it names the argument.
        return "INVALID_INPUT", t("input.graphql", detail=error.message.split("\n", 1)[0])
    if _names(original) & {"UnicodeError"}:  # e.g. a lone surrogate, which no text can store
        return "INVALID_INPUT", t("input.unstorable_characters")
    if _names(original) & {"DataError"}:  # e.g. a NUL character PostgreSQL cannot store
        return "INVALID_INPUT", t("input.unstorable")
    if is_database_outage(original):
        return "SERVICE_UNAVAILABLE", t("service.database")
    log.error(
        "request %s %s: unexpected error in %s",
        request_id,
        operation,
        error.path,
        exc_info=original,
    )
    return "INTERNAL", t("internal", request_id=request_id)


def _argument_of(error: GraphQLError) -> str | None:
    """The argument a coercion error is about: `Variable '$i' has invalid value at
    .visitedAt` names i.visitedAt."""
    if error.path is not None or error.original_error is None:
        return None
    match = _VARIABLE.search(error.message)
    return match.group(1) + (match.group(2) or "") if match else None


_VARIABLE = re.compile(r"Variable '\$(\w+)' (?:has|got) invalid value(?: at ([.\w\[\]]+))?")


def _names(error: BaseException) -> set[str]:
    return {c.__name__ for c in type(error).__mro__}


def is_database_outage(error: BaseException) -> bool:
    """Connection refused, pool exhausted, server gone: not the request's fault."""
    return bool(
        _names(error) & {"OperationalError", "InterfaceError", "PoolTimeout", "TimeoutError"}
    )


class ContractSchema(strawberry.Schema):
    """A schema whose errors ContractErrors logs (one INFO line for a client's error, the
    traceback for a server's); strawberry's own logging would log every refusal at ERROR
    with a traceback."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None


class ContractErrors(MaskErrors):
    """Rewrites every error into {message, extensions.code} of the contract. The log names the
    operation and a hash of its document, never the document or its variables: contact names
    and phones written inline must not reach the log in clear."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda _: True)

    def _operation(self) -> str:
        execution = self.execution_context
        digest = hashlib.sha256((execution.query or "").encode("utf-8", "replace")).hexdigest()
        return (
            f"(operation {execution.operation_name or 'anonymous'}, document sha256 {digest[:16]})"
        )

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        context = self.execution_context.context
        language = getattr(context, "language", DEFAULT_LANGUAGE)
        request_id = getattr(context, "request_id", "-")
        code, text = _code_and_text(error, request_id, self._operation())
        extensions = {"code": code}
        field = getattr(error.original_error, "field", None) or _argument_of(error)
        if field:
            extensions["field"] = field
        if code == "INTERNAL":
            extensions["requestId"] = request_id
        else:
            path = ".".join(str(part) for part in error.path or ()) or "-"
            log.info(
                "request %s %s: %s at %s: %s",
                request_id, self._operation(), code, path, text.render("en"),
            )  # fmt: skip
        return GraphQLError(
            message=text.render(language),
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions=extensions,
        )


class ContractRouter(GraphQLRouter[Any, None]):
    """Every error carries a code: a syntax error, refused before any extension runs, is
    INVALID_INPUT like every other bad input."""

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        errors: list[dict[str, Any]] = response.get("errors") or []  # type: ignore[assignment]
        for error in errors:
            extensions = error.setdefault("extensions", {})
            extensions.setdefault("code", "INVALID_INPUT")
        return response
