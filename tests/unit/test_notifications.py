"""The notification rules: who is told of what, in which words, once (domain/notifications.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from domain.notifications import (
    Backoff,
    Channel,
    IssueFacts,
    NoticeKind,
    ReminderPolicy,
    ServedEnterprise,
    issue_notices,
    notice_text,
    reminders,
)
from domain.shared import BEIJING_TIME
from processes.notification_outbox import Routes

AT = datetime(2025, 3, 12, 9, 0, tzinfo=BEIJING_TIME)
FACTS = IssueFacts(
    issue_id="i-1",
    title="招工联系人王小明13812345678",
    district="渝中区",
    lead_department_id="hrss-employment",
    assisting_department_ids=("hrss-training",),
    commissioner_id="c-001",
)


def test_a_dispatch_tells_the_lead_and_assisting_departments_and_the_commissioner() -> None:
    notices = issue_notices("Dispatched", "i-1:2", AT, {}, FACTS)
    assert [n.recipient for n in notices] == [
        "department:hrss-employment", "department:hrss-training", "user:c-001",
    ]  # fmt: skip
    assert {n.kind for n in notices} == {NoticeKind.DISPATCHED}


def test_a_supervise_escalation_also_tells_the_supervisors_of_the_district() -> None:
    data = {"level": "SUPERVISE", "deadline": "ACCEPT", "due_at": AT - timedelta(days=7)}
    notices = issue_notices("DeadlineEscalated", "i-1:5", AT, data, FACTS)
    assert [n.recipient for n in notices] == [
        "department:hrss-employment", "user:c-001", "district:渝中区",
    ]  # fmt: skip
    assert notice_text(notices[0].text_key, notices[0].params).startswith("【督办】")
    assert "签收时限" in notice_text(notices[0].text_key, notices[0].params)
    assert "the acceptance deadline" in notice_text(notices[0].text_key, notices[0].params, "en")


def test_personal_data_in_a_title_is_masked_for_everyone_but_the_commissioner() -> None:
    notices = issue_notices("Dispatched", "i-1:2", AT, {}, FACTS)
    by_recipient = {n.recipient: n.params["title"] for n in notices}
    assert "13812345678" in by_recipient["user:c-001"]
    assert "13812345678" not in by_recipient["department:hrss-employment"]
    assert "138****5678" in by_recipient["department:hrss-employment"]


def test_keys_come_from_the_event_id_and_the_recipient_so_a_replay_makes_the_same_notices() -> None:
    first = issue_notices("ReturnedForRework", "i-1:9", AT, {}, FACTS)
    again = issue_notices("ReturnedForRework", "i-1:9", AT, {}, FACTS)
    assert [n.key for n in first] == [n.key for n in again] == [
        "i-1:9:department:hrss-employment", "i-1:9:user:c-001",
    ]  # fmt: skip


def test_events_nobody_is_told_of_make_no_notice_and_an_issue_without_district_goes_to_all_supervisors() -> (
    None
):
    assert issue_notices("ProgressRecorded", "i-1:3", AT, {}, FACTS) == []
    no_district = IssueFacts("i-2", "t", None, "hrss-employment", (), None)
    data = {"level": "NOTIFY", "deadline": "RESOLVE", "due_at": AT}
    assert [n.recipient for n in issue_notices("DeadlineEscalated", "i-2:7", AT, data, no_district)] == [
        "department:hrss-employment", "supervisors",
    ]  # fmt: skip
    unsatisfied = issue_notices("Evaluated", "i-1:8", AT, {"satisfaction": "UNSATISFIED"}, FACTS)
    satisfied = issue_notices("Evaluated", "i-1:8", AT, {"satisfaction": "SATISFIED"}, FACTS)
    assert {n.kind for n in unsatisfied} == {NoticeKind.RETURNED}
    assert {n.kind for n in satisfied} == {NoticeKind.CLOSED}


def _served(due: date | None, last: datetime | None) -> ServedEnterprise:
    return ServedEnterprise("e-1", "渝新精密", "c-001", due, last)


def test_a_visit_coming_due_is_recalled_within_the_days_ahead_once_per_planned_date() -> None:
    policy = ReminderPolicy(days_ahead=3, quarter_days_left=0)
    now = datetime(2025, 2, 10, 9, 0, tzinfo=BEIJING_TIME)
    visited = datetime(2025, 1, 20, 9, 0, tzinfo=BEIJING_TIME)
    assert reminders([_served(date(2025, 2, 20), visited)], now, policy) == []
    due_soon = reminders([_served(date(2025, 2, 12), visited)], now, policy)
    assert [(n.kind, n.key) for n in due_soon] == [
        (NoticeKind.VISIT_DUE, "visit-due:e-1:2025-02-12:user:c-001")
    ]
    overdue = reminders([_served(date(2025, 2, 1), visited)], now, policy)
    assert notice_text(overdue[0].text_key, overdue[0].params) == (
        "【走访提醒】渝新精密计划于2025-02-01走访，现已逾期未走访"
    )


def test_an_enterprise_not_visited_this_quarter_is_recalled_in_the_quarters_last_days() -> None:
    policy = ReminderPolicy(days_ahead=0, quarter_days_left=30)
    last_quarter = datetime(2025, 3, 20, 9, 0, tzinfo=BEIJING_TIME)
    early = datetime(2025, 5, 10, 9, 0, tzinfo=BEIJING_TIME)
    late = datetime(2025, 6, 5, 9, 0, tzinfo=BEIJING_TIME)
    assert reminders([_served(None, last_quarter)], early, policy) == []
    due = reminders([_served(None, last_quarter)], late, policy)
    assert [n.key for n in due] == ["not-visited:e-1:2025Q2:user:c-001"]
    visited_this_quarter = datetime(2025, 4, 2, 9, 0, tzinfo=BEIJING_TIME)
    assert reminders([_served(None, visited_this_quarter)], late, policy) == []
    assert (
        notice_text(due[0].text_key, due[0].params) == "【走访提醒】渝新精密在2025年第2季度尚未走访"
    )


def test_back_off_doubles_from_the_first_wait_up_to_the_longest() -> None:
    backoff = Backoff(first=timedelta(seconds=30), longest=timedelta(minutes=3), attempts=5)
    waits = [backoff.after(n).total_seconds() for n in range(1, 6)]
    assert waits == [30, 60, 120, 180, 180]


def test_routes_send_sms_to_listed_recipients_and_supervisors_notices_to_the_default_robot() -> (
    None
):
    routes = Routes(sms={"department:hrss-employment": "13800001111"}, wecom_default="robot-1")
    assert routes.of("department:hrss-employment") == [(Channel.SMS, "13800001111")]
    assert routes.of("district:渝中区") == [(Channel.WECOM, "robot-1")]
    assert routes.of("user:c-001") == []
