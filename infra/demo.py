"""A little demo data so `make run` shows something (the realistic year is `seed-demo`)."""

from __future__ import annotations

import random

from application.service_package import RegisterEnterprise, ServicePackage
from domain.districts import DISTRICTS
from domain.shared import SYSTEM_ACTOR, Conflict
from domain.uscc import ALPHABET, check_character

_NAMES = ("重庆渝新精密制造有限公司", "重庆两江智能装备有限公司", "重庆巴渝食品股份有限公司",
          "重庆山城物流有限公司", "重庆江北软件科技有限公司", "重庆长江汽车零部件有限公司")  # fmt: skip


def valid_uscc(rng: random.Random) -> str:
    """A syntactically valid code (registration authority 9, type 1, Chongqing 500000)."""
    body = "91500000" + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + check_character(body)


def seed_small_demo(app: ServicePackage, seed: int = 2025) -> int:
    """Register a few enterprises if the store is empty; return how many were added."""
    if app.last_position() > 0:
        return 0
    rng = random.Random(seed)
    added = 0
    for i, name in enumerate(_NAMES):
        cmd = RegisterEnterprise(
            uscc=valid_uscc(rng),
            name=name,
            district=DISTRICTS[i * 5 % len(DISTRICTS)],
            industry=rng.choice(["制造业", "信息技术", "物流", "食品"]),
            contacts=[
                {"name": "王小明", "phone": f"138{rng.randrange(10**8):08d}", "title": "人事经理"}
            ],
        )
        try:
            enterprise_id, _ = app.register_enterprise(cmd, SYSTEM_ACTOR)
        except Conflict:
            continue
        app.assign_commissioner(
            enterprise_id, f"c-{i % 3 + 1:03d}", f"专员{i % 3 + 1}", None, SYSTEM_ACTOR
        )
        added += 1
    return added
