"""Personal information typed into free text (DOMAIN.md "Personal information"), and masking.

Pure functions only: `find_personal_data` scans a text for mainland mobile numbers, landlines,
18-digit resident identity numbers (checksum validated), e-mail addresses and bank card numbers
(Luhn validated); `mask_free_text` replaces each with its masked form (`139****5678`,
`5001**********1234`, `z***@example.com`). `mask_name` and `mask_phone` mask a contact's own
fields, keeping brackets and titles readable (`王经理（人事部）` → `王**（人事部）`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from domain.messages import t


class PersonalDataKind(Enum):
    EMAIL = "EMAIL"
    ID_NUMBER = "ID_NUMBER"
    BANK_CARD = "BANK_CARD"
    MOBILE = "MOBILE"
    LANDLINE = "LANDLINE"


@dataclass(frozen=True)
class Finding:
    kind: PersonalDataKind
    start: int
    end: int
    text: str
    masked: str


# GB 11643-1999: weights of the first 17 digits and the check character for Σ mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number_check(first17: str) -> str:
    """The check character of a resident identity number's first 17 digits."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def is_valid_id_number(text: str) -> bool:
    return (
        len(text) == 18
        and text[:17].isdigit()
        and text.isascii()
        and text[0] != "0"
        and id_number_check(text[:17]) == text[17].upper()
    )


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit() and ch.isascii())


def _keep_ends(digits: str, head: int, tail: int) -> str:
    return digits[:head] + "*" * (len(digits) - head - tail) + digits[-tail:]


def _mask_email(text: str) -> str:
    local, _, domain = text.partition("@")
    return local[0] + "***@" + domain


def _mask_mobile(text: str) -> str:
    return _keep_ends(_digits(text)[-11:], 3, 4)


def _mask_landline(text: str) -> str:
    digits = _digits(text)
    area = 3 if digits[1] in "12" else 4
    return digits[:area] + "-" + _keep_ends(digits[area:], 0, 4)


def _mask_long_number(text: str) -> str:
    """Identity numbers and bank cards: the first four and last four characters."""
    compact = "".join(ch for ch in text if ch.isalnum())
    return _keep_ends(compact, 4, 4)


def _is_card(text: str) -> bool:
    digits = _digits(text)
    return 16 <= len(digits) <= 19 and digits[0] != "0" and luhn_valid(digits)


def _is_landline(text: str) -> bool:
    digits = _digits(text)
    area = 3 if digits[1] in "12" else 4
    return 7 <= len(digits) - area <= 8 and digits[area] != "0"


_NOT_DIGIT_BEFORE = r"(?<![0-9])"
_NOT_DIGIT_AFTER = r"(?![0-9])"

# Checked in this order; a later kind never overlaps an earlier finding.
_PATTERNS: tuple[
    tuple[PersonalDataKind, re.Pattern[str], Callable[[str], bool], Callable[[str], str]], ...
] = (
    (
        PersonalDataKind.EMAIL,
        re.compile(
            r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
        ),
        lambda _: True,
        _mask_email,
    ),
    (
        PersonalDataKind.ID_NUMBER,
        re.compile(_NOT_DIGIT_BEFORE + r"[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])"),
        is_valid_id_number,
        _mask_long_number,
    ),
    (
        PersonalDataKind.BANK_CARD,
        re.compile(
            _NOT_DIGIT_BEFORE
            + r"(?:[1-9][0-9]{15,18}|[1-9][0-9]{3}(?:[ -][0-9]{4}){3}(?:[ -]?[0-9]{1,3})?)"
            + _NOT_DIGIT_AFTER
        ),
        _is_card,
        _mask_long_number,
    ),
    (
        PersonalDataKind.MOBILE,
        re.compile(
            _NOT_DIGIT_BEFORE
            + r"(?:\+?86[ -]?)?1[3-9][0-9](?:[0-9]{8}|[ -][0-9]{4}[ -][0-9]{4})"
            + _NOT_DIGIT_AFTER
        ),
        lambda _: True,
        _mask_mobile,
    ),
    (
        PersonalDataKind.LANDLINE,
        re.compile(
            _NOT_DIGIT_BEFORE
            + r"(?:[(（]0[1-9][0-9]{1,2}[)）][ -]?|0[1-9][0-9]{1,2}[ -]?)[1-9][0-9]{6,7}"
            + _NOT_DIGIT_AFTER
        ),
        _is_landline,
        _mask_landline,
    ),
)


# Every kind above needs an @ or four ASCII digits in a row: most texts (a visit's summary,
# its topics) have neither, and one scan tells, not one per kind (the event feed masks every
# free-text field of every event).
_MAYBE_PERSONAL = re.compile(r"@|[0-9]{4}")


def find_personal_data(text: str) -> list[Finding]:
    """Every piece of personal data in `text`, in order, none overlapping another."""
    found: list[Finding] = []
    if _MAYBE_PERSONAL.search(text) is None:
        return found
    for kind, pattern, valid, mask in _PATTERNS:
        for m in pattern.finditer(text):
            if not valid(m.group()):
                continue
            if any(m.start() < f.end and f.start < m.end() for f in found):
                continue
            found.append(Finding(kind, m.start(), m.end(), m.group(), mask(m.group())))
    return sorted(found, key=lambda f: f.start)


def mask_free_text(text: str) -> str:
    """`text` with every piece of personal data masked; text without any is returned unchanged."""
    findings = find_personal_data(text)
    if not findings:
        return text
    parts: list[str] = []
    at = 0
    for f in findings:
        parts.append(text[at : f.start])
        parts.append(f.masked)
        at = f.end
    parts.append(text[at:])
    return "".join(parts)


def mask_phone(phone: str) -> str:
    """138****1234: keeps the first three and last four digits."""
    if phone == str(ERASED):
        return phone  # nothing left to mask
    digits = phone.replace("-", "")
    if len(digits) < 8:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


# Titles that follow a family name (王经理, 李主任): masked with the given name, never shown
# as if they were the name's last character.
_TITLES = (
    "总经理", "副经理", "经理", "主任", "副主任", "总监", "部长", "处长", "科长", "局长",
    "董事长", "书记", "主管", "会计", "老师", "先生", "女士", "小姐", "师傅", "工", "总",
)  # fmt: skip
_BRACKETED = re.compile(r"[（(【\[].*?[）)】\]]")


def _mask_plain_name(name: str) -> str:
    """张*明 style: the family name and, for long names, the last character; a family name
    followed by a title keeps only the family name (王经理 → 王**)."""
    if len(name) <= 1:
        return "*" * len(name) if name else ""
    if len(name) == 2:
        return name[0] + "*"
    if name.endswith(_TITLES) and any(
        name.endswith(t) and len(name) - len(t) <= 2 for t in _TITLES
    ):
        return name[0] + "*" * (len(name) - 1)
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_name(name: str) -> str:
    """A person's name masked; brackets and what they hold stay readable:
    `王经理（人事部）` → `王**（人事部）`. Personal data inside the brackets is masked too."""
    parts: list[str] = []
    at = 0
    for m in _BRACKETED.finditer(name):
        parts.append(
            _mask_plain_name(name[at : m.start()].strip())
            if name[at : m.start()].strip()
            else name[at : m.start()]
        )
        parts.append(mask_free_text(m.group()))
        at = m.end()
    rest = name[at:]
    if rest.strip() or not parts:
        parts.append(_mask_plain_name(rest.strip()) if rest.strip() else "*")
    return "".join(parts)


# The events' free-text fields (DOMAIN.md "Personal information"): scanned and masked wherever a
# reader may not see personal data (the event feed, roles that may not see contacts).
FREE_TEXT_FIELDS = frozenset(
    {
        "summary",
        "shortfall_note",
        "topics",
        "follow_ups",
        "attendees",
        "title",
        "description",
        "note",
        "resolution",
        "reason",
        "comment",
        "evidence",
    }
)


def mask_free_text_value(value: object) -> object:
    """A free-text field's value masked: a string, or each string of a list."""
    if isinstance(value, str):
        return mask_free_text(value)
    if isinstance(value, list | tuple):
        return [mask_free_text_value(v) for v in value]
    return value


def mask_free_text_fields(data: dict[str, object]) -> dict[str, object]:
    """A copy of an event's data with personal data in its free-text fields masked (and in
    a correction's `changes`)."""
    masked: dict[str, object] = {}
    for key, value in data.items():
        if key in FREE_TEXT_FIELDS:
            masked[key] = mask_free_text_value(value)
        elif key == "changes" and isinstance(value, dict):
            masked[key] = mask_free_text_fields(value)
        else:
            masked[key] = value
    return masked


# ------------------------------------------------------------------ erasure (crypto-shredding)

# What erased personal data reads as, everywhere (DOMAIN.md: the right to be forgotten).
ERASED = t("label.personal_data_erased")

# Fields that hold a person's name as a whole (a contact's name and phone are in `contacts`).
PERSON_FIELDS = frozenset({"attendees", "confirmed_by"})


def erase_free_text(text: str) -> str:
    """`text` with every piece of personal data found in it replaced by （已删除）."""
    findings = find_personal_data(text)
    if not findings:
        return text
    erased, at = str(ERASED), 0
    parts: list[str] = []
    for f in findings:
        parts.extend((text[at : f.start], erased))
        at = f.end
    parts.append(text[at:])
    return "".join(parts)


def erase_free_text_value(value: object) -> object:
    if isinstance(value, str):
        return erase_free_text(value)
    if isinstance(value, list | tuple):
        return [erase_free_text_value(v) for v in value]
    return value


def erase_person(value: object) -> object:
    """A name (or each name of a list) erased as a whole."""
    if isinstance(value, list | tuple):
        return [str(ERASED) for _ in value]
    return str(ERASED) if value else value


def erase_contacts(contacts: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{**c, "name": str(ERASED), "phone": str(ERASED)} for c in contacts]
