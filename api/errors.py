"""Errors carry the contract's codes; nothing internal (stack, SQL, class names) reaches a client."""

from __future__ import annotations

import logging
import re

from graphql.error import GraphQLError
from strawberry.extensions import MaskErrors

from domain.shared import DomainError

log = logging.getLogger("espcrm.api")


# Messages added by the hardening issue (#12), Chinese first, kept together so they move into
# the message catalogue as one block. `extensions.code` stays machine-readable English.
FEED_NOT_FOR_NARROWED_TOKENS = (
    "事件流包含所有区县的数据，限定区县的令牌无权读取 / the event feed carries every district;"
    " a token narrowed to districts may not read it"
)

CLAIM_NOT_TEXT = "令牌声明 {claim} 必须是文本 / the token's claim {claim} must be text"
CLAIM_NOT_AN_ID = (
    "令牌声明 {claim} 不是有效标识（字母、数字和 ._@:+-，首尾无空格）/"
    " the token's claim {claim} is not a valid id (letters, digits and ._@:+-, no spaces)"
)
CLAIM_NOT_A_LIST_OF_TEXT = (
    "令牌声明 {claim} 必须是文本列表 / the token's claim {claim} must be a list of text"
)
DEPARTMENT_TOKEN_NEEDS_DEPARTMENT = (
    "处室令牌缺少 department_id / a DEPARTMENT token must name its department_id"
)
REPORTER_TOKEN_NEEDS_POINT = (
    "直报点令牌缺少 reporting_point_id / a REPORTER token must name its reporting_point_id"
)

UNSTORABLE_CHARACTERS = (
    "输入包含无法保存的字符（如孤立代理项）/ the input contains characters that cannot be"
    " stored (a lone surrogate)"
)
BODY_TOO_SLOW = (
    "请求体未在 {seconds:g} 秒内传完 / the request body did not arrive within {seconds:g} s"
)
MIN_POSITION_BEYOND_HEAD = (
    "X-Min-Position {position} 超出事件日志的最新位置 {head} / X-Min-Position {position} is"
    " beyond the log's head ({head})"
)
LIST_TOO_LONG = "{field} 最多 {limit} 项 / {field}: at most {limit} items"
STRING_TOO_LONG = "{field} 最多 {limit} 个字符 / {field}: at most {limit} characters"
QUERY_TOO_COSTLY = (
    "查询预计返回 {cost} 行，超出上限 {budget}；请减少 first 或嵌套 / the query may return"
    " {cost} rows, over the budget of {budget}: ask for fewer (first) or nest less"
)
NOT_UTF8 = "请求体不是 UTF-8 编码 / the request body is not UTF-8"


class ServiceUnavailable(DomainError):
    code = "SERVICE_UNAVAILABLE"


def _code_and_message(error: GraphQLError) -> tuple[str, str]:
    original = error.original_error
    if isinstance(original, DomainError):
        return original.code, original.message
    if original is None or error.path is None:
        # A validation, parse or variable-coercion error (no field was being resolved): the
        # input's fault, safe to show without the source echo; it names the argument.
        return "INVALID_INPUT", error.message.split("\n", 1)[0]
    if _names(original) & {"UnicodeError"}:  # e.g. a lone surrogate, which no text can store
        return "INVALID_INPUT", UNSTORABLE_CHARACTERS
    if _names(original) & {"DataError"}:  # e.g. a NUL character PostgreSQL cannot store
        return "INVALID_INPUT", "the input contains characters that cannot be stored (NUL)"
    if is_database_outage(original):
        return "SERVICE_UNAVAILABLE", "the database is unavailable; try again shortly"
    log.error("unexpected error in %s", error.path, exc_info=original)
    return "INTERNAL", "an unexpected error occurred; it has been logged"


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


class ContractErrors(MaskErrors):
    """Rewrites every error into {message, extensions.code} of the contract."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda _: True)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        code, message = _code_and_message(error)
        extensions = {"code": code}
        field = getattr(error.original_error, "field", None) or _argument_of(error)
        if field:
            extensions["field"] = field
        return GraphQLError(
            message=message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions=extensions,
        )
