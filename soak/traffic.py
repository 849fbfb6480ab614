"""Simulated users: 30 commissioners, 12 supervisors and 8 department handlers.

Issues move between roles through in-process queues (commissioner raises → supervisor
dispatches → the lead department accepts, progresses, resolves → a supervisor approves and
another evaluates), so every mutation is one the domain accepts: any error is a real one.
Reads (boards, KPIs, the directory, an enterprise's page) are mixed in as people do.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from api.auth import mint_token
from domain.uscc import check_character
from soak.stack import JWT_SECRET

COMMISSIONERS, SUPERVISORS, HANDLERS = 30, 12, 8
DEPARTMENTS = {
    "hrss-employment": "就业促进处",
    "hrss-talent": "人才开发处",
    "hrss-social": "社保处",
}
DISTRICTS = ["渝中区", "渝北区", "江北区", "两江新区"]
ENTERPRISES_EACH = 2
THINK = (0.2, 1.0)  # seconds between a user's actions


@dataclass
class Metrics:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)  # the first few errors, for the report

    def error(self, op: str, text: str) -> None:
        self.errors[op] += 1
        if len(self.samples) < 10:
            self.samples.append(f"{op}: {text[:300]}")


@dataclass
class Flow:
    """Issues waiting for the next role, shared by the simulated users."""

    to_dispatch: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    to_approve: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    to_evaluate: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    for_department: dict[str, asyncio.Queue[str]] = field(
        default_factory=lambda: {d: asyncio.Queue() for d in DEPARTMENTS}
    )


class User:
    def __init__(self, client: httpx.AsyncClient, metrics: Metrics, role: str, sub: str, **c: Any):
        self.client, self.metrics = client, metrics
        token = mint_token(JWT_SECRET, sub=sub, role=role, name=sub, ttl_seconds=86400, **c)
        self.headers = {"Authorization": f"Bearer {token}"}

    async def gql(self, op: str, query: str, variables: dict[str, Any] | None = None) -> Any:
        """One request, timed; None (and an error counted) unless it answered with data."""
        started = time.perf_counter()
        try:
            response = await self.client.post(
                "/graphql",
                json={"query": query, "variables": variables or {}},
                headers=self.headers,
            )
        except httpx.HTTPError as error:
            self.metrics.error(op, repr(error))
            return None
        self.metrics.latencies[op].append(time.perf_counter() - started)
        body = response.json() if response.status_code == 200 else {}
        if response.status_code != 200 or body.get("errors"):
            self.metrics.error(op, f"{response.status_code} {response.text}")
            return None
        return body["data"]


def uscc(n: int) -> str:
    body = f"91500000MA{n:07d}"
    return body + check_character(body)


async def seed(client: httpx.AsyncClient, metrics: Metrics) -> dict[str, list[str]]:
    """Departments, a reporting point, and two enterprises for each commissioner."""
    admin = User(client, metrics, "ADMIN", "a-001")
    for dept, name in DEPARTMENTS.items():
        await admin.gql(
            "seed",
            "mutation($i: RegisterDepartmentInput!) { registerDepartment(input: $i) { position } }",
            {"i": {"id": dept, "name": name}},
        )
    await admin.gql(
        "seed",
        "mutation($i: RegisterReportingPointInput!) { registerReportingPoint(input: $i) { position } }",
        {"i": {"id": "rp-liangjiang", "name": "两江新区直报点", "district": "两江新区"}},
    )
    owned: dict[str, list[str]] = defaultdict(list)
    for n in range(COMMISSIONERS * ENTERPRISES_EACH):
        commissioner = f"c-{n % COMMISSIONERS + 1:03d}"
        data = await admin.gql(
            "seed",
            "mutation($i: RegisterEnterpriseInput!) { registerEnterprise(input: $i) { enterprise { id } } }",
            {"i": {"uscc": uscc(n + 1), "name": f"重庆压测企业{n + 1}有限公司",
                   "district": DISTRICTS[n % len(DISTRICTS)],
                   "contacts": [{"name": "王小明", "phone": "13812345678"}]}},
        )  # fmt: skip
        if data is None:
            raise RuntimeError(f"seeding failed: {metrics.samples}")
        enterprise = data["registerEnterprise"]["enterprise"]["id"]
        await admin.gql(
            "seed",
            "mutation($i: AssignCommissionerInput!) { assignCommissioner(input: $i) { position } }",
            {"i": {"enterpriseId": enterprise, "commissionerId": commissioner,
                   "commissionerName": commissioner}},
        )  # fmt: skip
        owned[commissioner].append(enterprise)
    if metrics.errors:
        raise RuntimeError(f"seeding failed: {metrics.samples}")
    return owned


async def commissioner(user: User, enterprises: list[str], flow: Flow, until: float) -> None:
    while await think(until):
        enterprise = random.choice(enterprises)
        visited = datetime.now(UTC).isoformat()  # not before the seeded assignment
        data = await user.gql(
            "logVisit",
            "mutation($i: LogVisitInput!) { logVisit(input: $i) { visit { id } } }",
            {"i": {"enterpriseId": enterprise, "visitedAt": visited, "channel": "ON_SITE",
                   "attendees": ["王小明"], "topics": ["用工"], "summary": "例行走访"}},
        )  # fmt: skip
        if data and random.random() < 0.4:
            raised = await user.gql(
                "raiseDemand",
                "mutation($i: RaiseDemandInput!) { raiseDemand(input: $i) { issue { id } } }",
                {"i": {"enterpriseId": enterprise, "visitId": data["logVisit"]["visit"]["id"],
                       "category": "RECRUITMENT", "title": "招聘技工",
                       "description": "需要数控技工"}},
            )  # fmt: skip
            if raised:
                flow.to_dispatch.put_nowait(raised["raiseDemand"]["issue"]["id"])
        await user.gql(
            "enterprise",
            "query($id: ID!) { enterprise(id: $id) { name visits(first: 20) { edges { node { id } } } } }",
            {"id": enterprise},
        )


async def supervisor(user: User, evaluator: User, flow: Flow, until: float) -> None:
    while await think(until):
        if issue := take(flow.to_dispatch):
            lead = random.choice(list(DEPARTMENTS))
            if await user.gql(
                "dispatchIssue",
                "mutation($i: DispatchIssueInput!) { dispatchIssue(input: $i) { position } }",
                {"i": {"issueId": issue, "leadDepartmentId": lead}},
            ):
                flow.for_department[lead].put_nowait(issue)
        if (issue := take(flow.to_approve)) and await user.gql(
            "approveClosure",
            "mutation($i: NoteInput!) { approveClosure(input: $i) { position } }",
            {"i": {"issueId": issue, "note": "核实属实"}},
        ):
            flow.to_evaluate.put_nowait(issue)
        if issue := take(flow.to_evaluate):
            # Another supervisor than the one who approved: the test suite's four eyes.
            await evaluator.gql(
                "evaluateIssue",
                "mutation($i: EvaluateIssueInput!) { evaluateIssue(input: $i) { position } }",
                {"i": {"issueId": issue, "satisfaction": "SATISFIED"}},
            )
        await read_boards(user)


async def read_boards(user: User) -> None:
    choice = random.random()
    if choice < 0.4:
        await user.gql("issues", "{ issues(first: 20) { edges { node { id status overdue } } } }")
    elif choice < 0.7:
        today = date.today()
        await user.gql(
            "kpis",
            "query($f: Date!, $t: Date!) { kpis(from: $f, to: $t) { visitCount issuesRaised } }",
            {"f": (today - timedelta(days=30)).isoformat(), "t": today.isoformat()},
        )
    elif choice < 0.85:
        await user.gql("auditQueue", "{ auditQueue(first: 20) { edges { node { id } } } }")
    else:
        await user.gql("enterprises", "{ enterprises(first: 20) { edges { node { id name } } } }")


async def handler(user: User, department: str, flow: Flow, until: float) -> None:
    while await think(until):
        issue = take(flow.for_department[department])
        if issue is None:
            await user.gql(
                "issues",
                "query($d: ID!) { issues(filter: {departmentId: $d}, first: 20) { edges { node { id } } } }",
                {"d": department},
            )
            continue
        steps: list[tuple[str, str, dict[str, Any]]] = [
            ("acceptIssue", "mutation($id: ID!) { acceptIssue(issueId: $id) { position } }",
             {"id": issue}),
            ("recordProgress", "mutation($i: NoteInput!) { recordProgress(input: $i) { position } }",
             {"i": {"issueId": issue, "note": "已对接企业"}}),
            ("resolveIssue", "mutation($i: ResolveIssueInput!) { resolveIssue(input: $i) { position } }",
             {"i": {"issueId": issue, "resolution": "已推荐技工", "evidence": ["名单.xlsx"]}}),
        ]  # fmt: skip
        for op, query, variables in steps:
            if not await user.gql(op, query, variables):
                break
        else:
            flow.to_approve.put_nowait(issue)


def take(queue: asyncio.Queue[str]) -> str | None:
    try:
        return queue.get_nowait()
    except asyncio.QueueEmpty:
        return None


async def think(until: float) -> bool:
    """A pause like a person's between actions; False once the soak's time is up."""
    await asyncio.sleep(random.uniform(*THINK))
    return time.monotonic() < until


async def run_users(url: str, seconds: float, metrics: Metrics) -> float:
    """Seeds, then runs every user until `seconds` have passed; returns the traffic's seconds."""
    limits = httpx.Limits(max_connections=64)
    base = url.removesuffix("/graphql")
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        owned = await seed(client, metrics)
        metrics.latencies.pop("seed", None)
        flow = Flow()
        started = time.monotonic()
        until = started + seconds
        tasks = [
            commissioner(User(client, metrics, "COMMISSIONER", c), enterprises, flow, until)
            for c, enterprises in owned.items()
        ]
        for n in range(SUPERVISORS):
            sup = User(client, metrics, "SUPERVISOR", f"s-{n + 1:03d}")
            other = User(client, metrics, "SUPERVISOR", f"s-{(n + 1) % SUPERVISORS + 1:03d}")
            tasks.append(supervisor(sup, other, flow, until))
        departments = list(DEPARTMENTS)
        for n in range(HANDLERS):
            department = departments[n % len(departments)]
            user = User(client, metrics, "DEPARTMENT", f"d-{n + 1:03d}", department_id=department)
            tasks.append(handler(user, department, flow, until))
        await asyncio.gather(*tasks)
        return time.monotonic() - started
