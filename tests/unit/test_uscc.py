from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.shared import InvalidInput
from domain.uscc import ALPHABET, check_character, validate_uscc
from tests.builders import a_valid_uscc, an_invalid_uscc


def test_a_published_credit_code_is_accepted() -> None:
    # 91350100M000100Y43 is a code printed in GB 32100-2015's own worked example.
    assert validate_uscc("91350100M000100Y43") == "91350100M000100Y43"


def test_a_code_with_a_wrong_check_character_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInput, match="统一社会信用代码校验位错误：应为 .，实为 .") as e:
        validate_uscc(an_invalid_uscc())
    assert e.value.field == "uscc"


def test_lower_case_full_width_and_spaces_are_cleaned_before_checking() -> None:
    code = a_valid_uscc()
    messy = " " + code.lower().replace("9", "９", 1) + " "
    assert validate_uscc(messy) == code


def test_a_code_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(InvalidInput, match="应为 18 位，实为 17 位"):
        validate_uscc(a_valid_uscc()[:-1])


def test_letters_outside_the_alphabet_are_refused() -> None:
    with pytest.raises(InvalidInput, match="不允许的字符：.*I"):
        validate_uscc("91500000MA0000I" + "000")


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_any_17_characters_with_their_check_character_are_valid(body: str) -> None:
    assert validate_uscc(body + check_character(body)) == body + check_character(body)
