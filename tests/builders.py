"""Test data builders: valid credit codes and ready-made commands."""

from __future__ import annotations

import itertools

from application.service_package import RegisterEnterprise
from domain.shared import Actor
from domain.uscc import check_character

ADMIN = Actor("a-001", "管理员", "ADMIN")
_serial = itertools.count(1)


def a_valid_uscc(n: int | None = None) -> str:
    body = f"91500000MA{(n if n is not None else next(_serial)):07d}"
    return body + check_character(body)


def an_invalid_uscc() -> str:
    code = a_valid_uscc()
    wrong = "1" if code[-1] != "1" else "2"
    return code[:-1] + wrong


def register_command(**overrides: object) -> RegisterEnterprise:
    fields: dict[str, object] = {
        "uscc": a_valid_uscc(),
        "name": "重庆渝新精密制造有限公司",
        "district": "渝中区",
        "industry": "制造业",
        "contacts": [{"name": "王小明", "phone": "13812345678", "title": "人事经理"}],
    }
    fields.update(overrides)
    return RegisterEnterprise(**fields)  # type: ignore[arg-type]
