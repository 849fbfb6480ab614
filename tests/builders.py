"""Test data builders: valid credit codes and ready-made commands."""

from __future__ import annotations

import itertools
from typing import Any

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


def visits_of(app: Any, enterprise_id: Any) -> dict[str, dict[str, Any]]:
    """Every visit of a stream as logged and corrected, folded from its events (the aggregate
    keeps only a window of them: domain/enterprise.py VISIT_WINDOW)."""
    from domain.enterprise import EnterpriseRelationship as ER

    visits: dict[str, dict[str, Any]] = {}
    for e in app.events.get(enterprise_id):
        if isinstance(e, ER.VisitLogged):
            visits[e.visit_id] = {
                "visit_id": e.visit_id, "visited_at": e.visited_at, "channel": e.channel,
                "attendees": e.attendees, "topics": e.topics,
                "policies_explained": e.policies_explained, "summary": e.summary,
                "follow_ups": e.follow_ups, "next_visit_on": e.next_visit_on,
                "commissioner_id": e.commissioner_id, "logged_version": e.originator_version,
            }  # fmt: skip
        elif isinstance(e, ER.VisitCorrected):
            visits[e.visit_id] = {**visits[e.visit_id], **e.changes}
    return visits
