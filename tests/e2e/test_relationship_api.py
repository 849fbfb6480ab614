"""Beyond the contract: corrections, 告知+确认, contacts, the relationship's lifecycle, policies."""

from __future__ import annotations

import pytest

from tests.conftest import FixedClock
from tests.e2e.conftest import Client
from tests.e2e.flows import COMM, SUP, World, build_world


@pytest.fixture
def world(api: Client) -> World:
    return build_world(api)


def _visit(world: World, clock: FixedClock) -> str:
    clock.advance(hours=2)
    data = world.ok(
        "mutation($i: LogVisitInput!) { logVisit(input: $i) { visit { id } } }",
        {"i": {"enterpriseId": world.enterprise_id, "visitedAt": clock.now().isoformat(),
               "channel": "PHONE", "attendees": ["王小明"], "topics": [], "summary": "电话回访"}},
        **COMM,
    )  # fmt: skip
    return str(data["logVisit"]["visit"]["id"])


def test_a_commissioner_corrects_a_visit_and_the_history_shows_the_correction(
    world: World, clock: FixedClock
) -> None:
    visit = _visit(world, clock)
    world.ok(
        "mutation($i: CorrectVisitInput!) { correctVisit(input: $i) { position } }",
        {"i": {"enterpriseId": world.enterprise_id, "visitId": visit, "reason": "渠道记错",
               "channel": "ON_SITE", "summary": "上门走访"}},
        **COMM,
    )  # fmt: skip
    visits = world.ok(
        f'{{ enterprise(id: "{world.enterprise_id}") {{ visits {{ edges {{ node {{ channel summary }} }} }} }} }}',
        **COMM,
    )["enterprise"]["visits"]["edges"]
    assert visits == [{"node": {"channel": "ON_SITE", "summary": "上门走访"}}]


def test_a_correction_without_a_reason_is_refused(world: World, clock: FixedClock) -> None:
    visit = _visit(world, clock)
    error = world.error(
        "mutation($i: CorrectVisitInput!) { correctVisit(input: $i) { position } }",
        {
            "i": {
                "enterpriseId": world.enterprise_id,
                "visitId": visit,
                "reason": " ",
                "summary": "x",
            }
        },
        **COMM,
    )
    assert error["extensions"]["code"] == "INVALID_INPUT"


def test_a_policy_is_notified_then_confirmed_and_not_confirmed_before_notice(world: World) -> None:
    confirm = "mutation($i: PolicyConfirmationInput!) { confirmPolicy(input: $i) { position } }"
    early = world.error(confirm, {"i": {"enterpriseId": world.enterprise_id,
                                        "policyCode": "POL-STABLE-JOB-REFUND",
                                        "confirmedBy": "王小明"}}, **COMM)  # fmt: skip
    assert early["extensions"]["code"] == "INVALID_TRANSITION"
    world.ok(
        "mutation($i: PolicyNoticeInput!) { notifyPolicy(input: $i) { position } }",
        {"i": {"enterpriseId": world.enterprise_id, "policyCode": "POL-STABLE-JOB-REFUND"}},
        **COMM,
    )
    world.ok(confirm, {"i": {"enterpriseId": world.enterprise_id,
                             "policyCode": "POL-STABLE-JOB-REFUND", "confirmedBy": "王小明"}},
             **COMM)  # fmt: skip


NOTICES = "policyNotices { policyCode timesNotified notifiedBy confirmedBy confirmedAt }"


def test_the_enterprise_shows_its_policy_notices_with_the_confirmer_masked_for_others(
    world: World,
) -> None:
    notify = "mutation($i: PolicyNoticeInput!) { notifyPolicy(input: $i) { position } }"
    for code in ("POL-STABLE-JOB-REFUND", "POL-STABLE-JOB-REFUND", "POL-STABLE-JOB-LOAN"):
        world.ok(notify, {"i": {"enterpriseId": world.enterprise_id, "policyCode": code}}, **COMM)
    confirmed = world.ok(
        "mutation($i: PolicyConfirmationInput!) { confirmPolicy(input: $i) {"
        f" enterprise {{ {NOTICES} }} }} }}",
        {"i": {"enterpriseId": world.enterprise_id, "policyCode": "POL-STABLE-JOB-REFUND",
               "confirmedBy": "王小明"}}, **COMM,
    )["confirmPolicy"]["enterprise"]["policyNotices"]  # fmt: skip
    by_code = {n["policyCode"]: n for n in confirmed}
    assert by_code["POL-STABLE-JOB-REFUND"]["timesNotified"] == 2
    assert by_code["POL-STABLE-JOB-REFUND"]["confirmedBy"] == "王小明"
    assert by_code["POL-STABLE-JOB-REFUND"]["notifiedBy"] == "c-001"  # the token's name
    assert by_code["POL-STABLE-JOB-LOAN"]["confirmedAt"] is None
    seen = world.ok(
        f"query($id: ID!) {{ enterprise(id: $id) {{ {NOTICES} }} }}",
        {"id": world.enterprise_id}, **SUP,
    )["enterprise"]["policyNotices"]  # fmt: skip
    assert {n["policyCode"]: n["confirmedBy"] for n in seen}["POL-STABLE-JOB-REFUND"] == "王*明"


def test_contacts_change_and_the_relationship_is_suspended_resumed_and_closed(world: World) -> None:
    changed = world.ok(
        "mutation($i: ChangeContactsInput!) { changeContacts(input: $i) { enterprise { contacts { name phone } } } }",
        {"i": {"enterpriseId": world.enterprise_id, "contacts": [{"name": "李四", "phone": "023-63861234"}]}},
    )["changeContacts"]["enterprise"]["contacts"]  # fmt: skip
    assert changed == [{"name": "李四", "phone": "023-63861234"}]
    change = "mutation($i: RelationshipChangeInput!) { %s(input: $i) { enterprise { status } } }"
    target = {"i": {"enterpriseId": world.enterprise_id, "reason": "企业停产"}}
    assert (
        world.ok(change % "suspendEnterprise", target)["suspendEnterprise"]["enterprise"]["status"]
        == "SUSPENDED"
    )
    assert (
        world.ok(change % "resumeEnterprise", target)["resumeEnterprise"]["enterprise"]["status"]
        == "ACTIVE"
    )
    assert (
        world.ok(change % "closeEnterprise", target)["closeEnterprise"]["enterprise"]["status"]
        == "CLOSED"
    )
    again = world.error(change % "resumeEnterprise", target)
    assert again["extensions"]["code"] == "INVALID_TRANSITION"
    assert (
        world.error(change % "closeEnterprise", target, **COMM)["extensions"]["code"] == "FORBIDDEN"
    )


def test_an_admin_adds_a_policy_that_visits_may_then_cite(world: World, clock: FixedClock) -> None:
    added = world.ok(
        'mutation { addPolicy(input: {code: "POL-YOUTH-INTERN", title: "青年就业见习补贴", benefit: "见习补贴"}) { policy { code } } }'
    )["addPolicy"]["policy"]
    assert added == {"code": "POL-YOUTH-INTERN"}
    codes = [p["code"] for p in world.ok("{ policies { code } }", **COMM)["policies"]]
    assert "POL-YOUTH-INTERN" in codes and "POL-STABLE-JOB-REFUND" in codes
    duplicate = world.error(
        'mutation { addPolicy(input: {code: "POL-YOUTH-INTERN", title: "x", benefit: "y"}) { position } }'
    )
    assert duplicate["extensions"]["code"] == "INVALID_INPUT"
    assert (
        world.error(
            'mutation { addPolicy(input: {code: "POL-X", title: "x", benefit: "y"}) { position } }',
            **COMM,
        )["extensions"]["code"]
        == "FORBIDDEN"
    )
