"""Every list and string a client sends is bounded (api/bounds.py)."""

from __future__ import annotations

import dataclasses

import pytest

from api.bounds import LIST_LIMITS, MAX_LIST, MAX_STRING, check_bounds
from domain.shared import InvalidInput


@dataclasses.dataclass
class _Input:
    follow_ups: list[str]
    summary: str = "s"


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ({"contacts": [{"name": "a"}] * (LIST_LIMITS["contacts"] + 1)}, "input.contacts"),
        ({"attendees": ["a"] * (LIST_LIMITS["attendees"] + 1)}, "input.attendees"),
        ({"topics": ["a"] * 21}, "input.topics"),
        ({"evidence": ["a"] * 21}, "input.evidence"),
        ({"other": [1] * (MAX_LIST + 1)}, "input.other"),
        ({"title": "标" * (MAX_STRING + 1)}, "input.title"),
        ({"contacts": [{"name": "名" * (MAX_STRING + 1)}]}, "input.contacts[0].name"),
        (_Input(follow_ups=["x"] * 21), "input.followUps"),
    ],
)
def test_a_list_or_string_over_its_limit_is_invalid_input_naming_the_field(
    value: object, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_bounds(value, "input")
    assert refused.value.field == field


def test_inputs_within_the_limits_pass() -> None:
    check_bounds({"contacts": [{"name": "王小明", "phone": "13812345678"}] * 20}, "input")
    check_bounds(_Input(follow_ups=["x"] * 20, summary="s" * MAX_STRING), "input")
