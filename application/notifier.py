"""The port other features send through (the Notifier): an application-level way to queue a
message for the notification outbox without knowing its tables or channels.

    notifier.send(OutgoingMessage(
        key=f"rating-link:{issue_id}:{cycle}",      # idempotent: the same key is sent once
        text_key="notice.rating_link",               # a catalogue key (domain/messages/)
        params={"url": url},
        sms_to="13800001234",                        # the enterprise contact's phone
    ))

The outbox process delivers it (retries with back-off, never twice); with no gateway
configured it goes to the local sink. The implementation lives with the outbox
(processes/notification_outbox.py, `OutboxNotifier`); the composition root hands it out
(`Container.notifier()`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class OutgoingMessage:
    key: str  # idempotency key: a second send with the same key does nothing
    text_key: str  # catalogue key of the text (Chinese first)
    params: dict[str, str] = field(default_factory=dict)
    sms_to: str | None = None  # a phone number: sent as SMS
    wecom_robot: str | None = None  # a WeCom group robot's key: posted to that group
    inbox_of: str | None = None  # a recipient (user:<id>, department:<id>): in their inbox
    issue_id: str | None = None
    enterprise_id: str | None = None
    at: datetime | None = None  # default: the application clock's now


class Notifier(Protocol):
    def send(self, message: OutgoingMessage) -> bool:
        """Queue the message; False when its key was queued before (it is not sent again)."""
        ...
