"""The notification outbox's channels and wiring: the SMS gateway, the WeCom group robot, the
local sink, the routes file, the store and the standby lock.

A channel goes over HTTP only when its URL is configured (ESPCRM_SMS_GATEWAY_URL,
ESPCRM_WECOM_WEBHOOK_URL); otherwise its messages go to the local sink, which records them
in `<data_dir>/outbox/sent.jsonl`: nothing leaves the machine in development and tests.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.utils import Environment

from application.service_package import ServicePackage
from domain.notifications import Backoff, Channel, ReminderPolicy
from domain.shared import Clock
from infra.leader import AdvisoryLock, Leader, watcher_key
from infra.log_waiter import LogWaiter
from infra.postgres_server import PgAddress
from infra.settings import Settings
from processes.notification_outbox import (
    NAME,
    Outbox,
    OutboxLoop,
    OutboxPolicy,
    Routes,
    Sender,
    SendFailed,
)
from projections.enterprise_directory import EnterpriseDirectoryView
from projections.notifications import NotificationStore

WECOM_MAX_BYTES = 2048  # a text message's limit (企业微信 群机器人)


def _post_json(url: str, body: dict[str, Any], timeout: float, headers: dict[str, str]) -> Any:
    """POST JSON, the answer's JSON (or None); SendFailed on a network error or a non-2xx."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as error:
        raise SendFailed(f"HTTP {error.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise SendFailed(type(error).__name__) from None
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


@dataclass
class SmsGateway:
    """An SMS gateway over HTTP: POST `url` with `{"phone", "content", "msgId"}` and
    `Authorization: Bearer <key>`; 2xx with no `code` or `code` 0 is success. `msgId` is the
    idempotency key: the gateway drops a repeat, so a send cut off midway may be retried."""

    url: str
    key: str | None
    timeout: float = 5.0
    dedupes: bool = True

    def send(self, target: str, text: str, key: str) -> None:
        headers = {"Authorization": f"Bearer {self.key}"} if self.key else {}
        answer = _post_json(
            self.url, {"phone": target, "content": text, "msgId": key}, self.timeout, headers
        )
        if isinstance(answer, dict) and answer.get("code") not in (None, 0, "0", "OK"):
            raise SendFailed(f"gateway code {answer.get('code')}")


@dataclass
class WeComRobot:
    """A 企业微信 group robot: POST `<url>?key=<robot key>` with
    `{"msgtype": "text", "text": {"content": ...}}`; the answer's `errcode` 0 is success.
    The robot does not drop repeats (dedupes False)."""

    url: str
    timeout: float = 5.0
    dedupes: bool = False

    def send(self, target: str, text: str, key: str) -> None:
        content = text.encode()[:WECOM_MAX_BYTES].decode(errors="ignore")
        separator = "&" if "?" in self.url else "?"
        url = f"{self.url}{separator}key={urllib.parse.quote(target)}"
        answer = _post_json(
            url, {"msgtype": "text", "text": {"content": content}}, self.timeout, {}
        )
        if not isinstance(answer, dict) or answer.get("errcode") != 0:
            code = answer.get("errcode") if isinstance(answer, dict) else "?"
            raise SendFailed(f"wecom errcode {code}")


@dataclass
class LocalSink:
    """Development and tests: records what would have been sent, sends nothing."""

    path: Path | None = None
    dedupes: bool = False
    channel: str = ""
    sent: list[dict[str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, target: str, text: str, key: str) -> None:
        record = {"channel": self.channel, "target": target, "text": text, "key": key}
        with self._lock:
            self.sent.append(record)
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")


def senders(settings: Settings) -> dict[Channel, Sender]:
    sink = settings.data_dir / "outbox" / "sent.jsonl"
    sms: Sender = (
        SmsGateway(settings.sms_gateway_url, settings.sms_gateway_key, settings.sms_timeout_seconds)
        if settings.sms_gateway_url
        else LocalSink(sink, channel=Channel.SMS.value)
    )
    wecom: Sender = (
        WeComRobot(settings.wecom_webhook_url, settings.wecom_timeout_seconds)
        if settings.wecom_webhook_url
        else LocalSink(sink, channel=Channel.WECOM.value)
    )
    return {Channel.SMS: sms, Channel.WECOM: wecom}


def load_routes(settings: Settings) -> Routes:
    """The routes file (ESPCRM_NOTIFY_ROUTES_FILE):
    `{"sms": {"department:hrss-employment": "13800001234"}, "wecom": {"district:渝中区": "<key>"}}`."""
    routes = Routes(wecom_default=settings.wecom_robot_key)
    if settings.notify_routes_file is not None:
        data = json.loads(settings.notify_routes_file.read_text(encoding="utf-8"))
        routes.sms = {str(k): str(v) for k, v in (data.get("sms") or {}).items()}
        routes.wecom = {str(k): str(v) for k, v in (data.get("wecom") or {}).items()}
    return routes


def outbox_policy(settings: Settings) -> OutboxPolicy:
    from datetime import timedelta

    return OutboxPolicy(
        backoff=Backoff(
            first=timedelta(seconds=settings.notify_retry_first_seconds),
            longest=timedelta(seconds=settings.notify_retry_max_seconds),
            attempts=settings.notify_max_attempts,
        ),
        max_age=timedelta(hours=settings.notify_max_age_hours),
        reminders=ReminderPolicy(
            days_ahead=settings.remind_days_ahead,
            quarter_days_left=settings.remind_quarter_days_left,
        ),
    )


def notification_store(env: dict[str, str]) -> NotificationStore:
    """The outbox's tables (`notification_outbox_notices`, `_deliveries`, `_reads`, `_tracking`)."""
    factory = InfrastructureFactory[PostgresTrackingRecorder].construct(env=Environment(NAME, env))
    return cast(NotificationStore, factory.tracking_recorder(NotificationStore))


def outbox_for(
    env: dict[str, str],
    app: ServicePackage,
    directory: Callable[[], EnterpriseDirectoryView],
    settings: Settings,
    channels: dict[Channel, Sender] | None = None,
) -> Outbox:
    return Outbox(
        app,
        notification_store(env),
        directory(),
        channels if channels is not None else senders(settings),
        load_routes(settings),
        outbox_policy(settings),
    )


def lead_outbox(
    make_outbox: Callable[[], Outbox],
    clock: Clock,
    make_waiter: Callable[[], LogWaiter],
    address: PgAddress,
    settings: Settings,
) -> Leader[OutboxLoop]:
    """The outbox, run only while this process holds its lock (a second one stands by)."""

    def start() -> OutboxLoop:
        return OutboxLoop(
            make_outbox(), clock, make_waiter(), settings.notify_interval_seconds
        ).start()

    lock = AdvisoryLock(address, watcher_key(NAME), settings.db_connect_timeout)
    return Leader(lock, start, OutboxLoop.stop).start()
