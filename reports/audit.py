"""An audit trail (application/history.py) as a table: one row per field an event set.

Each event is one row when it set no field; its who, when and what repeat on each of its
field rows, so a filter in Excel on any column still shows whole facts.
"""

from __future__ import annotations

import json
from typing import Any

from application.history import AuditTrail
from domain.messages import field_name, label
from reports.tables import Cell, Column, Table, local

AUDIT_COLUMNS = [
    Column("位置", "position", "count"),
    Column("版本", "version", "count"),
    Column("时间（北京时间）", "at", "time"),
    Column("事项", "what"),
    Column("事件类型", "event type"),
    Column("操作人", "who"),
    Column("角色", "role"),
    Column("请求编号", "request id"),
    Column("客户端", "client"),
    Column("字段", "field"),
    Column("原值", "before"),
    Column("新值", "after"),
]


def audit_table(trail: AuditTrail) -> Table:
    rows: list[list[Cell]] = []
    for e in trail.entries:
        a = e.actor
        who: list[Cell] = [
            e.position,
            e.version,
            local(e.at),
            label(f"event.{e.type}"),
            e.type,
            a.name if a else None,
            label(f"role.{a.role}") if a else None,
            a.request_id if a else None,
            a.client_app if a else None,
        ]
        if not e.changes:
            rows.append([*who, None, None, None])
        for c in e.changes:
            rows.append([*who, field_name(_camel(c.field)), _text(c.before), _text(c.after)])
    return Table(AUDIT_COLUMNS, rows)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)
