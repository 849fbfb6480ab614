"""A person's notifications (通知): the inbox's types."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.common.types import LABEL, PageInfo, label_of
from api.context import Info
from domain.notifications import notice_text
from projections.base import encode_cursor
from projections.notifications import InboxPage, NoticeRow


@strawberry.type(
    description="One notification in the caller's inbox (派单, 预警, 催办, 走访提醒, …)."
)
class Notification:
    id: strawberry.ID
    kind: str = strawberry.field(
        description="DISPATCHED, WARNED, URGE, SUPERVISE, NOTIFY, RETURNED, CLOSED, VISIT_DUE, "
        "NOT_VISITED or MESSAGE"
    )
    issue_id: strawberry.ID | None
    enterprise_id: strawberry.ID | None
    created_at: datetime
    read_at: datetime | None
    text_key: strawberry.Private[str]
    params: strawberry.Private[dict[str, str]]

    @strawberry.field(description="The text: " + LABEL)
    def text(self, info: Info) -> str:
        return notice_text(self.text_key, self.params, info.context.language)

    @strawberry.field(description="The kind's label: " + LABEL)
    def kind_label(self, info: Info) -> str:
        return label_of(info, f"notice.kind.{self.kind}")

    @strawberry.field
    def read(self) -> bool:
        return self.read_at is not None

    @classmethod
    def from_row(cls, row: NoticeRow) -> Notification:
        return cls(
            id=strawberry.ID(str(row.id)),
            kind=row.kind,
            issue_id=strawberry.ID(row.issue_id) if row.issue_id else None,
            enterprise_id=strawberry.ID(row.enterprise_id) if row.enterprise_id else None,
            created_at=row.created_at,
            read_at=row.read_at,
            text_key=row.text_key,
            params=row.params,
        )


@strawberry.type
class NotificationEdge:
    node: Notification
    cursor: str


@strawberry.type
class NotificationConnection:
    edges: list[NotificationEdge]
    page_info: PageInfo
    unread_count: int = strawberry.field(description="The caller's unread notifications, all pages")

    @classmethod
    def from_page(cls, page: InboxPage) -> NotificationConnection:
        edges = [
            NotificationEdge(node=Notification.from_row(r), cursor=encode_cursor(r.seq))
            for r in page.rows
        ]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page, end_cursor=edges[-1].cursor if edges else None
            ),
            unread_count=page.unread_count,
        )


@strawberry.type
class MarkNotificationsReadPayload:
    marked: list[strawberry.ID] = strawberry.field(
        description="The caller's notifications among the ids, now read (others' are ignored)"
    )
    unread_count: int
