"""The feed the relay publishes (ServicePackage.read_feed) masks personal data typed into
free text; the stored event keeps it (issue 17)."""

from __future__ import annotations

import json

from application.issues import RaiseDemand
from domain.shared import Actor
from infra.bootstrap import Container
from tests.builders import ADMIN, register_command

COMMISSIONER = Actor("c-001", "专员1", "COMMISSIONER")
PHONE, CARD = "13956785678", "6222021234567890128"


def test_the_feed_masks_free_text_and_the_store_keeps_it(container: Container) -> None:
    enterprise_id, _ = container.app.register_enterprise(register_command(), ADMIN)
    container.app.assign_commissioner(enterprise_id, "c-001", "专员1", None, ADMIN)
    issue_id, position = container.app.raise_demand(
        RaiseDemand(
            enterprise_id=enterprise_id,
            category="SOCIAL_INSURANCE",
            title=f"社保补缴，回电{PHONE}",
            description=f"退费请打到卡号 {CARD}",
        ),
        COMMISSIONER,
    )
    [raised] = container.app.read_feed(position - 1, 1)
    wire = json.dumps(raised.as_json(), ensure_ascii=False)
    assert PHONE not in wire and CARD not in wire
    assert raised.data["title"] == "社保补缴，回电139****5678"
    assert raised.data["description"] == "退费请打到卡号 6222***********0128"
    stored = container.app.get_issue(issue_id)
    assert PHONE in stored.title and CARD in stored.description
