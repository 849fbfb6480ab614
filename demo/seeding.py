"""The entry points: seed an (empty) store with the demo year, and what the seeding wrote."""

from __future__ import annotations

import hashlib
import json
import time as timer
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from application.outreach import LinkSigner
from application.service_package import ServicePackage
from demo.cast import DemoScale
from demo.timing import SimulatedClock
from demo.year import DemoYear
from domain.shared import BEIJING_TIME
from domain.time_limits import WorkingCalendar
from infra.bootstrap import Container
from infra.occupation_catalogue_loader import load_occupations
from infra.policy_catalogue_loader import load_policy_catalogue
from infra.working_calendar import ChineseWorkingCalendar


@dataclass(frozen=True)
class LogSummary:
    events: int
    counts: dict[str, int]  # "Issue.Dispatched" → how many
    visit_channels: dict[str, int]  # ON_SITE, PHONE, VIDEO, EVENT (policy events) → visits
    digest: str  # sha256 of the event log's envelopes: equal for equal seeds


@dataclass(frozen=True)
class DemoSummary:
    seed: int
    scale: DemoScale
    log: LogSummary
    seconds: float


class StoreNotEmpty(RuntimeError):
    pass


def seeding_env(env: Mapping[str, str]) -> dict[str, str]:
    """The store's settings, tuned for one writer replaying a year quickly: aggregates kept in
    memory between commands (nobody else writes these streams while seeding, so no
    fast-forwarding), and no ping before each use of a pooled connection."""
    return {
        **env,
        "AGGREGATE_CACHE_MAXSIZE": "20000",
        "AGGREGATE_CACHE_FASTFORWARD": "n",
        "POSTGRES_PRE_PING": "n",
    }


def event_log_summary(app: ServicePackage, page: int = 2000) -> LogSummary:
    """How many events of which types, visits by channel, and a digest of the whole log as
    the feed shows it (positions, stream ids, types, times, actors and data)."""
    digest = hashlib.sha256()
    counts: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    after = 0
    while batch := app.read_feed(after, page):
        for envelope in batch:
            wire = json.dumps(envelope.as_json(), sort_keys=True, ensure_ascii=False, default=str)
            digest.update(wire.encode("utf-8"))
            counts[f"{envelope.stream_type}.{envelope.type}"] += 1
            if envelope.type == "VisitLogged":
                channels[str(envelope.data["channel"])] += 1
        after = batch[-1].position
    return LogSummary(
        sum(counts.values()), dict(sorted(counts.items())), dict(channels), digest.hexdigest()
    )


DEMO_LINK_SECRET = b"espcrm-demo-year"


def seed_demo(
    env: Mapping[str, str],
    calendar: WorkingCalendar,
    *,
    seed: int = 2025,
    scale: DemoScale | None = None,
    link_signer: LinkSigner | None = None,
) -> DemoSummary:
    """Seed an empty store (the one `env` names) with a demo year; StoreNotEmpty otherwise.

    Runs its own application instance on a simulated clock, so whoever else uses the store
    (the API, the projections) keeps the real clock."""
    began = timer.perf_counter()
    scale = scale or DemoScale()
    clock = SimulatedClock(datetime(scale.year, 1, 1, tzinfo=BEIJING_TIME))
    app = ServicePackage(
        env=seeding_env(env),
        clock=clock,
        catalogue=load_policy_catalogue(),
        calendar=calendar,
        occupations=load_occupations(),
        # The server's signer, so demo phones can be looked up; a fixed one otherwise.
        link_signer=link_signer or LinkSigner(DEMO_LINK_SECRET),
    )
    try:
        if app.last_position() > 0:
            raise StoreNotEmpty("the store already has events: seed-demo needs an empty one")
        DemoYear(app, clock, calendar, seed=seed, scale=scale).run()
        seconds = timer.perf_counter() - began
        log = event_log_summary(app)
    finally:
        app.close()
    return DemoSummary(seed, scale, log, seconds)


def seed_demo_if_empty(
    container: Container, *, seed: int = 2025, scale: DemoScale | None = None
) -> DemoSummary | None:
    """For `espcrm run`: the demo year into an empty store; None if it already has events.

    Call it before `container.projections.start()`: projections following the log while it is
    written slow the seeding threefold, and they catch up afterwards anyway."""
    if container.app.last_position() > 0:
        return None
    calendar = ChineseWorkingCalendar(container.settings.calendar_dir)
    signer = container.app.link_signer
    return seed_demo(container.env, calendar, seed=seed, scale=scale, link_signer=signer)
