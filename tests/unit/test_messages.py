"""The message catalogue: every key in both languages, Chinese by default, English on request."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from domain.messages import CATALOGUE, EN, ZH, label, language_of, render, t
from domain.messages.errors import ERRORS
from domain.messages.labels import FIELDS, LABELS
from domain.shared import InvalidInput

ROOT = Path(__file__).resolve().parents[2]
# Where sentences are made (demo/ holds the synthetic year's Chinese content, reports/ the
# airing report's prose).
CODE = ["domain", "application", "projections", "projection_runtime", "api", "infra", "cli"]


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_key_has_a_chinese_and_an_english_text(key: str) -> None:
    zh, en = CATALOGUE[key]
    assert zh.strip() and en.strip()


@pytest.mark.parametrize("key", sorted(ERRORS))
def test_both_languages_of_a_message_use_only_parameters_the_other_can_be_given(key: str) -> None:
    zh, en = ERRORS[key]
    # Either language may leave a parameter out; neither may invent one the callers never pass.
    # (A refusal's Chinese names the state and stream, its English the action's whole phrase.)
    assert _placeholders(zh) <= _placeholders(en) | {"state", "stream", "field", "action"}


def test_a_refusal_reads_in_chinese_by_default_and_in_english_on_request() -> None:
    error = InvalidInput("input.required", field="uscc")
    assert error.message == "统一社会信用代码不能为空"
    assert error.render(EN) == "uscc is required"
    assert error.field == "uscc"
    assert error.code == "INVALID_INPUT"


def test_parameters_that_are_texts_are_rendered_in_the_same_language() -> None:
    text = t(
        "access.role", allowed=[t("role.ADMIN"), t("role.SUPERVISOR")], role=t("role.REPORTER")
    )
    assert text.render(ZH) == "此操作需要角色：管理员、督导员；您的角色是直报点"
    assert text.render(EN) == "this needs the role admin, supervisor; you are direct-report point"


def test_accept_language_chooses_english_only_when_asked_before_chinese() -> None:
    assert language_of(None) == ZH
    assert language_of("en") == EN
    assert language_of("en-US,en;q=0.9") == EN
    assert language_of("zh-CN,zh;q=0.9,en;q=0.8") == ZH
    assert language_of("fr") == ZH


def test_labels_use_the_glossary_words() -> None:
    assert label("event.ReturnedForRework") == "退回重办"
    assert label("status.RAISED") == "已提出（待派单）"
    assert label("category.URGENT_HIRING") == "紧急用工"
    assert label("satisfaction.BASICALLY_SATISFIED") == "基本满意"
    assert label("status.RAISED", EN) == "raised (awaiting dispatch)"
    assert render("transition.refused", ZH, state=t("state.RAISED"), stream=t("stream.issue"),
                  action=t("action.issue.accept")) == "不能对处于“已提出”状态的诉求执行签收"  # fmt: skip


def test_field_names_and_labels_are_unique_keys_in_one_catalogue() -> None:
    assert not set(LABELS) & set(ERRORS)
    assert all(zh for zh, _ in FIELDS.values())


def _chinese_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and any("\u4e00" <= ch <= "\u9fff" for ch in node.value)
        and ("不" in node.value or "请" in node.value or "错误" in node.value)
    ]


def test_no_chinese_sentence_is_written_outside_the_catalogue() -> None:
    """Sentences a person reads live in domain/messages; code elsewhere may hold Chinese data
    (district names, column headers), not Chinese sentences of its own."""
    scattered = {
        str(path.relative_to(ROOT)): found
        for folder in CODE
        for path in (ROOT / folder).rglob("*.py")
        if "messages" not in path.parts and (found := _chinese_literals(path))
    }
    assert not scattered


def _refusals(path: Path, refusal_names: set[str]) -> list[str]:
    """The first arguments, written as literals, of refusals and `t(...)` calls in one file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        first = node.args[0]
        if (
            name in refusal_names
            and isinstance(first, ast.Constant)
            and isinstance(first.value, str)
        ):
            found.append(first.value)
    return found


def test_every_refusal_written_in_code_names_a_catalogue_key() -> None:
    """A refusal raised with a sentence instead of a key would reach people untranslated (and
    fail only when raised): every literal given to a DomainError or to t() is a catalogue key."""
    from domain.shared import DomainError

    def subclasses(cls: type[DomainError]) -> set[type[DomainError]]:
        children: list[type[DomainError]] = cls.__subclasses__()
        return {cls} | {sub for child in children for sub in subclasses(child)}

    import api.schema  # noqa: F401  (imports every refusal class the API defines)

    names = {cls.__name__ for cls in subclasses(DomainError)} | {"t"}
    unknown = {
        f"{path.relative_to(ROOT)}: {literal}"
        for folder in CODE
        for path in (ROOT / folder).rglob("*.py")
        for literal in _refusals(path, names)
        if literal not in CATALOGUE
    }
    assert not unknown
