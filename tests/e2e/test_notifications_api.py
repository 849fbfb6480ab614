"""The inbox over HTTP: notifications(first, after, unreadOnly), markNotificationsRead, and the
live stream of new ones (Server-Sent Events, the same bearer token)."""

from __future__ import annotations

import json
import threading
from datetime import datetime

import httpx

from domain.notifications import Notice, NoticeKind
from domain.shared import BEIJING_TIME
from infra.bootstrap import Container
from tests.e2e.conftest import Client

AT = datetime(2025, 3, 3, 9, 0, tzinfo=BEIJING_TIME)
DEPT = {"as_role": "DEPARTMENT", "sub": "d-001", "department_id": "hrss-employment"}
INBOX = """query($first: Int, $after: String, $unread: Boolean! = false) {
  notifications(first: $first, after: $after, unreadOnly: $unread) {
    unreadCount pageInfo { hasNextPage endCursor }
    edges { node { id kind kindLabel text read issueId } }
  }
}"""
MARK = "mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) { marked unreadCount } }"


def _notice(key: str, recipient: str, title: str) -> Notice:
    return Notice(
        key=key, recipient=recipient, kind=NoticeKind.DISPATCHED, text_key="notice.DISPATCHED",
        params={"title": title, "at": "2025-03-03 09:00"}, at=AT, issue_id="i-1",
    )  # fmt: skip


def _seed(container: Container) -> None:
    store = container.notifications
    store.enqueue(_notice("k1", "department:hrss-employment", "第一件"), [])
    store.enqueue(_notice("k2", "user:c-001", "专员的"), [])
    store.enqueue(_notice("k3", "department:hrss-employment", "第二件"), [])
    store.enqueue(_notice("k4", "department:hrss-other", "别的部门"), [])


def test_a_department_reads_its_own_notifications_pages_them_and_marks_them_read(
    api: Client, container: Container
) -> None:
    _seed(container)
    first = api.gql(INBOX, {"first": 1}, **DEPT)["data"]["notifications"]
    assert first["unreadCount"] == 2 and first["pageInfo"]["hasNextPage"] is True
    (newest,) = [e["node"] for e in first["edges"]]
    assert newest["text"] == "【派单】诉求“第二件”已派单，请及时签收（2025-03-03 09:00）"
    assert (newest["kind"], newest["kindLabel"], newest["read"]) == ("DISPATCHED", "派单", False)
    after = first["pageInfo"]["endCursor"]
    rest = api.gql(INBOX, {"first": 5, "after": after}, **DEPT)["data"]["notifications"]
    assert [e["node"]["text"][7:10] for e in rest["edges"]] == ["第一件"]
    assert rest["pageInfo"]["hasNextPage"] is False

    commissioners = api.gql(INBOX, as_role="COMMISSIONER", sub="c-001")["data"]["notifications"]
    others_id = commissioners["edges"][0]["node"]["id"]
    marked = api.gql(MARK, {"ids": [newest["id"], others_id]}, **DEPT)["data"]
    assert marked["markNotificationsRead"] == {"marked": [newest["id"]], "unreadCount": 1}
    unread = api.gql(INBOX, {"unread": True}, **DEPT)["data"]["notifications"]
    assert [e["node"]["text"][7:10] for e in unread["edges"]] == ["第一件"]
    # Read by one person is not read by another: the commissioner's is untouched.
    assert (
        api.gql(INBOX, as_role="COMMISSIONER", sub="c-001")["data"]["notifications"]["unreadCount"]
        == 1
    )
    bad = api.gql(MARK, {"ids": ["not-an-id"]}, **DEPT)
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


def test_the_live_stream_sends_new_notifications_to_the_signed_in_person_only(
    api: Client, container: Container
) -> None:
    url = api.url.removesuffix("/graphql") + "/notifications/stream"
    refused = httpx.get(url, timeout=10)
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    token = api.token("DEPARTMENT", "d-001", department_id="hrss-employment")
    headers = {"Authorization": f"Bearer {token}"}
    received: list[dict[str, object]] = []
    opened = threading.Event()
    with httpx.stream("GET", url, headers=headers, timeout=10) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.iter_lines()
        for line in lines:
            if line.startswith(":"):
                opened.set()
                break
        _seed(container)  # two for this department, two for others
        event_id = None
        for line in lines:
            if line.startswith("id: "):
                event_id = line[4:]
            if line.startswith("data: "):
                received.append(json.loads(line[6:]))
                if len(received) == 2:
                    break
    assert opened.is_set() and event_id is not None
    assert [r["text"] for r in received] == [
        "【派单】诉求“第一件”已派单，请及时签收（2025-03-03 09:00）",
        "【派单】诉求“第二件”已派单，请及时签收（2025-03-03 09:00）",
    ]
    # A reconnection with Last-Event-ID misses nothing after it: the second one again.
    again = {**headers, "Last-Event-ID": str(int(event_id) - 1)}
    with httpx.stream("GET", url, headers=again, timeout=10) as response:
        data = next(line for line in response.iter_lines() if line.startswith("data: "))
    assert json.loads(data[6:])["text"].startswith("【派单】诉求“第二件”")
