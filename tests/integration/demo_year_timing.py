"""The full demo year (410 enterprises, 40 commissioners, 30 points), timed.

Not collected by `make test` (the file name does not start with test_): it takes about half a
minute on two cores. Run it by name:

    .venv/bin/python -m pytest tests/integration/demo_year_timing.py -s -p no:cacheprovider
"""

from __future__ import annotations

import time
from pathlib import Path

from demo import DemoScale, seed_demo
from infra.postgres_server import PgAddress
from infra.working_calendar import ChineseWorkingCalendar
from tests.integration.test_demo_year import Store

BUDGET_SECONDS = 60.0  # issue 7: "fast (under a minute)"


def test_the_full_demo_year_is_seeded_within_a_minute(pg_server: PgAddress, tmp_path: Path) -> None:
    store = Store(pg_server, tmp_path)
    try:
        began = time.perf_counter()
        summary = seed_demo(store.container.env, ChineseWorkingCalendar(), scale=DemoScale())
        elapsed = time.perf_counter() - began
    finally:
        store.close()
    log = summary.log
    print(
        f"\nfull demo year: {log.events} events in {elapsed:.1f} s (seeding {summary.seconds:.1f} s)"
    )
    for event_type, count in log.counts.items():
        print(f"  {event_type}: {count}")
    print(f"  visits by channel: {log.visit_channels}")
    assert log.counts["EnterpriseRelationship.Opened"] == 410
    assert log.visit_channels["EVENT"] >= 700  # the plan's 800 policy events a year, roughly
    assert elapsed < BUDGET_SECONDS
