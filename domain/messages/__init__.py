"""The message catalogue: every sentence and label a person reads, in Chinese (the default) and
English, looked up by a stable key. Pure standard library, so the domain raises keyed errors and
every layer above renders them in the reader's language.

Add a message by adding one line to a table in this package (errors.py, labels.py, cli.py, reports.py):
key → (中文, English), both with the same {placeholders}; tests/unit/test_messages.py checks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from domain.messages.cli import CLI
from domain.messages.errors import ERRORS
from domain.messages.imports import IMPORTS
from domain.messages.labels import FIELDS, LABELS
from domain.messages.labour import LABOUR
from domain.messages.notifications import NOTIFICATIONS
from domain.messages.outreach import OUTREACH
from domain.messages.reports import REPORTS
from domain.messages.scaling import SCALING

ZH = "zh"
EN = "en"
LANGUAGES = (ZH, EN)
DEFAULT_LANGUAGE = ZH

# Every table of the catalogue, one key space: key → (中文, English).
CATALOGUE: Mapping[str, tuple[str, str]] = {
    **ERRORS,
    **IMPORTS,
    **LABELS,
    **CLI,
    **LABOUR,
    **NOTIFICATIONS,
    **OUTREACH,
    **REPORTS,
    **SCALING,
}


def _index(language: str) -> int:
    return 1 if language == EN else 0


@dataclass(frozen=True)
class Text:
    """A sentence still to be rendered: a catalogue key and its parameters. A parameter that is
    itself a Text (or a Label) is rendered in the same language."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, language: str = DEFAULT_LANGUAGE) -> str:
        return render(self.key, language, **self.params)

    def __str__(self) -> str:
        return self.render()


def t(key: str, /, **params: object) -> Text:
    """A Text for `key` (the catalogue's one way in: `t("import.reason.empty", column=...)`)."""
    return Text(key, params)


def label(key: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The label of a machine value ("status.RAISED" → 已提出（待派单））, or the key's last part
    when the catalogue has none."""
    entry = CATALOGUE.get(key)
    return entry[_index(language)] if entry else key.rsplit(".", 1)[-1]


def field_name(name: str, language: str = DEFAULT_LANGUAGE) -> str:
    """How a message names an input field: 统一社会信用代码 for `uscc` (English: the field itself)."""
    entry = FIELDS.get(name) or FIELDS.get(name.split("[", 1)[0])  # contacts[0] → contacts
    return entry[_index(language)] if entry else name


def short_status(key: str, language: str = DEFAULT_LANGUAGE) -> str:
    """A status as a refusal names it: the label without its parenthesis (已提出, not
    已提出（待派单）)."""
    return label(key, language).split("（", 1)[0]


def render(key: str, language: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    return CATALOGUE[key][_index(language)].format_map(_Params(params, language))


class _Params(dict[str, object]):
    """A message's parameters, each rendered in the message's language when the template uses
    it (a parameter only one language's template uses is never rendered in the other)."""

    def __init__(self, params: Mapping[str, object], language: str) -> None:
        super().__init__(params)
        self.language = language

    def __getitem__(self, name: str) -> object:
        value = super().__getitem__(name)
        if name == "field" and isinstance(value, str):
            return field_name(value, self.language)
        return _value(value, self.language)


def _value(value: object, language: str) -> object:
    if isinstance(value, Text):
        return value.render(language)
    if isinstance(value, (list, tuple)):
        separator = "、" if language == ZH else ", "
        return separator.join(str(_value(item, language)) for item in value)
    return value


def language_of(accept_language: str | None) -> str:
    """The language an Accept-Language header asks for: English when English comes before any
    Chinese, otherwise Chinese (the default)."""
    for part in (accept_language or "").split(","):
        tag = part.split(";", 1)[0].strip().lower()
        if tag.startswith("en"):
            return EN
        if tag.startswith("zh"):
            return ZH
    return DEFAULT_LANGUAGE
