"""What the API logs about a failed request: a client's error is one INFO line with the request
id and no traceback; a server's error logs its traceback and gives the client the request id."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest
import strawberry

from api.errors import ContractErrors, ContractSchema
from domain.shared import InvalidTransition


@dataclass
class FakeContext:
    language: str = "zh"
    request_id: str = "req-42"


@strawberry.type
class Query:
    @strawberry.field
    def refused(self) -> str:
        raise InvalidTransition("issue.not_departments")

    @strawberry.field
    def broken(self) -> str:
        raise RuntimeError("a bug")


SCHEMA = ContractSchema(query=Query, extensions=[ContractErrors])


def test_a_client_error_is_one_info_line_with_the_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG):
        result = SCHEMA.execute_sync("{ refused }", context_value=FakeContext())

    assert result.errors and result.errors[0].message == "该诉求不由您的部门承办"
    [record] = caplog.records
    assert record.levelno == logging.INFO
    assert "req-42" in record.getMessage() and "INVALID_TRANSITION" in record.getMessage()
    assert record.exc_info is None


def test_a_server_error_logs_its_traceback_and_answers_with_the_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG):
        result = SCHEMA.execute_sync("{ broken }", context_value=FakeContext(language="en"))

    assert result.errors
    error = result.errors[0]
    assert error.extensions == {"code": "INTERNAL", "requestId": "req-42"}
    assert "a bug" not in error.message and "req-42" in error.message
    [record] = caplog.records
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert "req-42" in record.getMessage()
