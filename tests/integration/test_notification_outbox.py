"""The notification outbox on the real PostgreSQL: notices once, deliveries retried with
back-off and never twice, a restart that sends nothing again, and the commissioner's reminders.

No message leaves the machine: the channels are the local sink, or the real HTTP adapters
pointed at a test server on 127.0.0.1.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse
from uuid import UUID

import pytest

from application.enterprises import LogVisit
from application.issues import RaiseDemand
from domain.notifications import Channel
from domain.shared import BEIJING_TIME
from infra.bootstrap import Container
from infra.notify import LocalSink, SmsGateway, WeComRobot
from processes.deadline_watcher import DeadlineWatcher
from processes.notification_outbox import Outbox
from tests.builders import ADMIN, register_command
from tests.conftest import FixedClock
from tests.feed_scenarios import COMMISSIONER, LEAD, SUPERVISOR

pytestmark = pytest.mark.integration

DISPATCH_AT = datetime(2025, 3, 3, 9, 0, tzinfo=BEIJING_TIME)
PHONE = "13800001111"


def _sinks() -> dict[Channel, Any]:
    return {Channel.SMS: LocalSink(channel="SMS"), Channel.WECOM: LocalSink(channel="WECOM")}


def _routed(container: Container, tmp: Any) -> Container:
    """The department has a phone for SMS; the supervisors' group a WeCom robot."""
    routes = tmp / "routes.json"
    routes.write_text(json.dumps({"sms": {f"department:{LEAD}": PHONE}}))
    container.settings = replace(
        container.settings, notify_routes_file=routes, wecom_robot_key="robot-key-1"
    )
    return container


def _demand(container: Container, clock: FixedClock) -> UUID:
    app = container.app
    clock.current = DISPATCH_AT - timedelta(hours=1)
    app.register_department(LEAD, "就业促进处", None, ADMIN)
    enterprise, _ = app.register_enterprise(register_command(), ADMIN)
    app.assign_commissioner(enterprise, COMMISSIONER.id, COMMISSIONER.name, None, ADMIN)
    issue, _ = app.raise_demand(
        RaiseDemand(enterprise, "OTHER", "用工需求", "需要技工"), COMMISSIONER
    )
    clock.current = DISPATCH_AT
    app.dispatch_issue(issue, LEAD, [], SUPERVISOR)
    return issue


REMINDERS = ("VISIT_DUE", "NOT_VISITED")


def _notices(outbox: Outbox, *, reminders: bool = False) -> list[tuple[str, str]]:
    """The notices stored (of issues only, unless `reminders`)."""
    with outbox.store.datastore.transaction(commit=False) as curs:
        curs.execute("SELECT kind, recipient FROM notification_outbox_notices ORDER BY seq")
        rows = [(r["kind"], r["recipient"]) for r in curs.fetchall()]
    return [r for r in rows if reminders or r[0] not in REMINDERS]


def _escalated(container: Container, clock: FixedClock, outbox: Outbox) -> DeadlineWatcher:
    """Dispatched (the outbox takes it in), then never accepted: on 12 March the watcher fires
    the acceptance deadline's 预警, 催办 and 督办 and the resolution deadline's first 预警."""
    _demand(container, clock)
    outbox.tick(clock.now())
    clock.current = datetime(2025, 3, 12, 10, 0, tzinfo=BEIJING_TIME)
    watcher = container.deadline_watcher()
    fired = watcher.tick(clock.now())
    assert {(f.alert.deadline.value, f.alert.threshold.value) for f in fired} == {
        ("ACCEPT", "WARN_HALF"), ("ACCEPT", "URGE"), ("ACCEPT", "SUPERVISE"),
        ("RESOLVE", "WARN_HALF"),
    }  # fmt: skip
    return watcher


def test_an_escalation_notifies_the_people_concerned_once(
    container: Container, clock: FixedClock, tmp_path: Any
) -> None:
    outbox = _routed(container, tmp_path).outbox(_sinks())
    watcher = _escalated(container, clock, outbox)
    try:
        outbox.tick(clock.now())
        dept, commissioner, district = f"department:{LEAD}", "user:c-001", "district:渝中区"
        expected = [
            ("DISPATCHED", dept), ("DISPATCHED", commissioner),
            ("WARNED", dept), ("URGE", dept), ("URGE", commissioner),
            ("SUPERVISE", dept), ("SUPERVISE", commissioner), ("SUPERVISE", district),
            ("WARNED", dept),
        ]  # fmt: skip
        assert sorted(_notices(outbox)) == sorted(expected)
        sms = outbox.senders[Channel.SMS].sent  # type: ignore[attr-defined]
        wecom = outbox.senders[Channel.WECOM].sent  # type: ignore[attr-defined]
        assert len(sms) == 5 and {m["target"] for m in sms} == {PHONE}
        assert [m["target"] for m in wecom] == ["robot-key-1"]
        assert wecom[0]["text"].startswith("【督办】诉求“用工需求”超过签收时限")
        # Again, and a second outbox on the same store, and a replay from the first event:
        outbox.tick(clock.advance(hours=1))
        again = container.outbox(_sinks())
        again.tick(clock.now())
        with outbox.store.datastore.transaction(commit=True) as curs:
            curs.execute("DELETE FROM notification_outbox_tracking")
        again.tick(clock.now())
        assert sorted(_notices(outbox)) == sorted(expected)
        assert len(sms) == 5 and len(wecom) == 1
        assert again.senders[Channel.SMS].sent == []  # type: ignore[attr-defined]
    finally:
        watcher.close()
        outbox.close()


@dataclass
class Gateway:
    """A test SMS gateway and WeCom robot on 127.0.0.1: fails its first `failures` requests."""

    failures: int = 0
    received: list[tuple[str, dict[str, Any], dict[str, str]]] = field(default_factory=list)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                gateway.received.append((self.path, body, dict(self.headers)))
                if gateway.failures > 0:
                    gateway.failures -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                answer = {"errcode": 0, "errmsg": "ok"} if "webhook" in self.path else {"code": 0}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def gateway() -> Iterator[tuple[Gateway, str]]:
    state = Gateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), state.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _deliveries(outbox: Outbox, channel: str) -> list[dict[str, Any]]:
    return [d for d in outbox.store.deliveries() if d["channel"] == channel]


def test_a_failing_gateway_is_retried_with_back_off_and_the_message_delivered_once(
    container: Container, clock: FixedClock, tmp_path: Any, gateway: tuple[Gateway, str]
) -> None:
    state, url = gateway
    channels = {
        Channel.SMS: SmsGateway(f"{url}/sms/send", "sms-key", timeout=2),
        Channel.WECOM: WeComRobot(f"{url}/cgi-bin/webhook/send", timeout=2),
    }
    outbox = _routed(container, tmp_path).outbox(channels)
    try:
        _demand(container, clock)
        state.failures = 2  # the dispatch's SMS fails twice
        t0 = clock.now()
        outbox.tick(t0)  # attempt 1 fails: again in 30 s
        assert len(state.received) == 1
        outbox.tick(t0 + timedelta(seconds=20))  # not due yet
        assert len(state.received) == 1
        outbox.tick(t0 + timedelta(seconds=31))  # attempt 2 fails: again in 60 s more
        assert len(state.received) == 2
        outbox.tick(t0 + timedelta(seconds=80))
        assert len(state.received) == 2
        outbox.tick(t0 + timedelta(seconds=92))  # attempt 3: delivered
        for later in (100, 1000, 10_000):
            outbox.tick(t0 + timedelta(seconds=later))
        assert len(state.received) == 3
        (sms,) = _deliveries(outbox, "SMS")
        assert (sms["state"], sms["attempts"], sms["target"]) == ("SENT", 3, PHONE)
        paths = {path for path, _, _ in state.received}
        assert paths == {"/sms/send"}
        keys = {body["msgId"] for _, body, _ in state.received}
        assert len(keys) == 1  # the same idempotency key every time
        _, body, headers = state.received[-1]
        assert body["phone"] == PHONE and body["content"].startswith("【派单】")
        assert headers["Authorization"] == "Bearer sms-key"

        # The WeCom robot gets the documented text message, with the robot's key in the URL.
        clock.current = datetime(2025, 3, 12, 10, 0, tzinfo=BEIJING_TIME)
        container.deadline_watcher().tick(clock.now())
        outbox.tick(clock.now())
        posted = [(p, b) for p, b, _ in state.received if "webhook" in p]
        assert len(posted) == 1
        path, body = posted[0]
        assert parse_qs(urlparse(path).query) == {"key": ["robot-key-1"]}
        assert body["msgtype"] == "text" and body["text"]["content"].startswith("【督办】")
    finally:
        outbox.close()


class Killed(BaseException):
    """The process dies (not an error the outbox handles)."""


@dataclass
class DyingSink(LocalSink):
    die_after: int = 1_000_000

    def send(self, target: str, text: str, key: str) -> None:
        super().send(target, text, key)
        if len(self.sent) == self.die_after:
            raise Killed  # the message went out; the process died before it was marked SENT


def test_an_outbox_killed_mid_run_and_restarted_sends_nothing_twice(
    container: Container, clock: FixedClock, tmp_path: Any
) -> None:
    """Five SMS are due; the first outbox dies just after sending the third. A new one (fresh
    memory, same store) sends the two left, never the three again: the one cut off mid-send
    cannot be known to have gone out by a channel that does not drop repeats, so it is marked
    UNCERTAIN, not sent again."""
    sink = DyingSink(channel="SMS", die_after=3)
    container = _routed(container, tmp_path)
    first = container.outbox(_sinks())
    _escalated(container, clock, first).close()
    first.follow(clock.now())  # the notices, their SMS not sent yet (the dispatch's: again)
    first.close()
    with container.notifications.datastore.transaction(commit=True) as curs:
        curs.execute("UPDATE notification_outbox_deliveries SET state = 'PENDING', attempts = 0")
    dying = container.outbox({Channel.SMS: sink, Channel.WECOM: LocalSink()})
    with pytest.raises(Killed):
        dying.deliver(clock.now())
    dying.close()
    restarted = container.outbox({Channel.SMS: sink, Channel.WECOM: LocalSink()})
    try:
        restarted.tick(clock.now())  # the cut-off one is still leased
        restarted.tick(clock.advance(minutes=6))  # its lease ran out
        keys = [m["key"] for m in sink.sent]
        assert len(keys) == len(set(keys)) == 5
        states = sorted(d["state"] for d in _deliveries(restarted, "SMS"))
        assert states == ["SENT", "SENT", "SENT", "SENT", "UNCERTAIN"]
        for _ in range(3):
            restarted.tick(clock.advance(hours=1))
        assert len(sink.sent) == 5
    finally:
        restarted.close()


def test_a_commissioner_is_reminded_of_a_visit_coming_due_and_of_an_unvisited_quarter_once(
    container: Container, clock: FixedClock
) -> None:
    app = container.app
    clock.current = datetime(2025, 2, 10, 9, 0, tzinfo=BEIJING_TIME)
    enterprise, _ = app.register_enterprise(register_command(), ADMIN)
    app.assign_commissioner(enterprise, COMMISSIONER.id, COMMISSIONER.name, None, ADMIN)
    visit = LogVisit(
        enterprise, clock.now(), "ON_SITE", ["王经理"], "了解用工", next_visit_on=date(2025, 3, 20)
    )
    _, position = app.log_visit(visit, COMMISSIONER)
    container.views.wait_for(position, 10)
    outbox = container.outbox(_sinks())
    try:
        assert outbox.remind(clock.now()) == []  # the visit is far off; visited this quarter
        clock.current = datetime(2025, 3, 18, 9, 0, tzinfo=BEIJING_TIME)
        assert [n.kind.value for n in outbox.remind(clock.now())] == ["VISIT_DUE"]
        assert outbox.remind(clock.now()) == []
        clock.current = datetime(2025, 6, 10, 9, 0, tzinfo=BEIJING_TIME)
        # Q2 unvisited; the March visit, overdue now, was recalled once for its date already.
        assert [n.kind.value for n in outbox.remind(clock.now())] == ["NOT_VISITED"]
        outbox.tick(clock.advance(hours=2))
        assert sorted(_notices(outbox, reminders=True)) == [
            ("NOT_VISITED", "user:c-001"), ("VISIT_DUE", "user:c-001"),
        ]  # fmt: skip
    finally:
        outbox.close()


def test_the_notifier_port_queues_a_message_once_and_the_outbox_sends_it(
    container: Container, clock: FixedClock
) -> None:
    from application.notifier import OutgoingMessage

    notifier = container.notifier()
    message = OutgoingMessage(
        key="rating-link:issue-1:0", text_key="notice.CLOSED",
        params={"title": "用工需求", "at": "2025-03-03 09:00"}, sms_to=PHONE,
    )  # fmt: skip
    assert notifier.send(message) is True
    assert notifier.send(message) is False
    outbox = container.outbox(_sinks())
    try:
        outbox.tick(clock.now())
        outbox.tick(clock.advance(minutes=10))
        sent = outbox.senders[Channel.SMS].sent  # type: ignore[attr-defined]
        assert [(m["target"], m["text"]) for m in sent] == [
            (PHONE, "【办结】诉求“用工需求”已关闭（2025-03-03 09:00）")
        ]
    finally:
        outbox.close()


def test_the_outbox_runs_in_a_thread_under_its_lock_and_a_second_one_stands_by(
    container: Container, clock: FixedClock, tmp_path: Any
) -> None:
    """As `espcrm run` starts it: the local sink (no gateway configured) records the SMS."""
    container = _routed(container, tmp_path)
    first = container.start_outbox()
    second = container.start_outbox()
    first.wait_leading(10)
    _demand(container, clock)
    sink = container.settings.data_dir / "outbox" / "sent.jsonl"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not sink.exists():
        time.sleep(0.05)
    time.sleep(0.5)  # anything sent twice would show by now
    lines = [json.loads(line) for line in sink.read_text(encoding="utf-8").splitlines()]
    assert [(m["channel"], m["target"]) for m in lines] == [("SMS", PHONE)]
    with pytest.raises(TimeoutError):
        second.wait_leading(0.2)


def test_the_rating_link_goes_to_the_enterprises_contact_as_an_sms_through_the_outbox(
    container: Container, clock: FixedClock
) -> None:
    """As bootstrap wires it (issue 15): the link sender of the application is the outbox's."""
    from application.enterprises import RegisterEnterprise
    from application.outreach import RatingLinkMessage
    from domain.shared import SYSTEM_ACTOR
    from tests.builders import a_valid_uscc

    enterprise_id, _ = container.app.register_enterprise(
        RegisterEnterprise(uscc=a_valid_uscc(), name="重庆评价链接有限公司", district="渝中区",
                           contacts=[{"name": "王小明", "phone": "13912345678"}]),
        SYSTEM_ACTOR,
    )  # fmt: skip
    message = RatingLinkMessage(
        issue_id=UUID(int=7), enterprise_id=str(enterprise_id), path="/rate/x?token=abc",
        expires_at=clock.now() + timedelta(days=7), url="https://espcrm.example/rate/x?token=abc",
    )  # fmt: skip
    container.app.link_sender.send_rating_link(message)
    container.app.link_sender.send_rating_link(message)  # queued once
    outbox = container.outbox(_sinks())
    try:
        outbox.tick(clock.now())
        sent = outbox.senders[Channel.SMS].sent  # type: ignore[attr-defined]
        [(target, text)] = [(m["target"], m["text"]) for m in sent]
        assert target == "13912345678"
        assert "https://espcrm.example/rate/x?token=abc" in text and text.startswith("【重庆人社】")
    finally:
        outbox.close()
