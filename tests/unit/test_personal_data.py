"""Personal data typed into free text is found and masked (issue 17); other text is unchanged."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.personal_data import (
    PersonalDataKind,
    find_personal_data,
    id_number_check,
    luhn_valid,
    mask_free_text,
    mask_name,
)

# Text around the numbers: Chinese, letters, punctuation and spaces, never a digit or '@'.
_PLAIN = st.text(
    alphabet=st.sampled_from(
        list("企业诉求走访联系电话身份证号邮箱卡 ，。：；、（）() ,.:;-_abcXYZ")
    ),
    max_size=20,
)

_digit = st.sampled_from("0123456789")


@st.composite
def mobiles(draw: st.DrawFn) -> str:
    return (
        "1"
        + draw(st.sampled_from("3456789"))
        + "".join(draw(st.lists(_digit, min_size=9, max_size=9)))
    )


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    first = draw(st.sampled_from("123456789")) + "".join(
        draw(st.lists(_digit, min_size=16, max_size=16))
    )
    return first + id_number_check(first)


@st.composite
def bank_cards(draw: st.DrawFn) -> str:
    length = draw(st.integers(16, 19))
    body = draw(st.sampled_from("3456")) + "".join(
        draw(st.lists(_digit, min_size=length - 2, max_size=length - 2))
    )
    check = next(str(c) for c in range(10) if luhn_valid(body + str(c)))
    return body + check


@st.composite
def landlines(draw: st.DrawFn) -> str:
    area = draw(st.sampled_from(["010", "021", "023", "0755", "0571"]))
    number = draw(st.sampled_from("23456789")) + "".join(
        draw(st.lists(_digit, min_size=6, max_size=7))
    )
    return area + draw(st.sampled_from(["", "-"])) + number


@st.composite
def emails(draw: st.DrawFn) -> str:
    letters = st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789")
    local = "".join(draw(st.lists(letters, min_size=1, max_size=10)))
    domain = "".join(draw(st.lists(st.sampled_from("abcdefghij"), min_size=1, max_size=8)))
    return f"{local}@{domain}.{draw(st.sampled_from(['com', 'cn', 'com.cn', 'org']))}"


@given(
    before=_PLAIN,
    after=_PLAIN,
    value=st.one_of(mobiles(), id_numbers(), bank_cards(), landlines(), emails()),
)
def test_generated_personal_data_is_always_found_and_masked(
    before: str, after: str, value: str
) -> None:
    # Keep the e-mail apart from letters around it, as a person types it.
    text = f"{before} {value}，{after}"
    found = find_personal_data(text)
    assert [f.text for f in found] == [value]
    masked = mask_free_text(text)
    assert value not in masked
    assert masked.startswith(before + " ") and masked.endswith("，" + after)
    assert "*" in masked


@given(st.lists(st.one_of(mobiles(), id_numbers(), bank_cards(), emails()), max_size=4), _PLAIN)
def test_every_number_in_a_text_is_masked(values: list[str], filler: str) -> None:
    text = filler.join(f" {v} " for v in values)
    masked = mask_free_text(text)
    for value in values:
        assert value not in masked


@given(_PLAIN)
def test_text_without_personal_data_is_unchanged(text: str) -> None:
    assert mask_free_text(text) == text
    assert find_personal_data(text) == []


def test_ordinary_numbers_are_left_alone() -> None:
    for text in (
        "2025-03-03 走访，招工 120 人，补贴 12.5 万元",
        "统一社会信用代码 91350100M000100Y43",
        "工单 20250303 号，第 3 次退回",
        "身份证号 500101199001011234 校验位错误",  # checksum fails: not an identity number
        "卡号 6222021234567890123 校验失败",  # Luhn fails: not a card
        "1234567890",
    ):
        assert mask_free_text(text) == text, text


def test_masked_forms() -> None:
    assert mask_free_text("手机13956785678") == "手机139****5678"
    first17 = "50010119900101123"
    id_number = first17 + id_number_check(first17)
    assert mask_free_text(f"身份证{id_number}") == "身份证5001**********" + id_number[-4:]
    assert mask_free_text("电话 023-63891234") == "电话 023-****1234"
    assert mask_free_text("邮箱 zhang.san@example.com") == "邮箱 z***@example.com"
    assert mask_free_text("+86 139 5678 1234") == "139****1234"
    kinds = [f.kind for f in find_personal_data(f"{id_number} 4111111111111111")]
    assert kinds == [PersonalDataKind.ID_NUMBER, PersonalDataKind.BANK_CARD]


def test_names_keep_brackets_and_titles_readable() -> None:
    assert mask_name("王经理（人事部）") == "王**（人事部）"
    assert mask_name("李主任(财务科)") == "李**(财务科)"
    assert mask_name("张小明") == "张*明"
    assert mask_name("李四") == "李*"
    assert mask_name("王") == "*"


def test_erased_contacts_read_erased_when_masked_too() -> None:
    from domain.personal_data import ERASED, mask_name, mask_phone

    assert mask_phone(str(ERASED)) == "（已删除）"
    assert mask_name(str(ERASED)) == "（已删除）"
