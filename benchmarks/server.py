"""The API process for HTTP benchmarks: `python -m benchmarks.server PORT`.

The real app (`create_app`, as `espcrm serve` builds it) plus B3, a plain FastAPI endpoint
that returns the same JSON as the benchmarked GraphQL read, from the same read models,
in the same process and on the same connection pools. Settings come from ESPCRM_* variables.
Access logging is off for both (a per-request log line is a deployment choice, not the API).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

import strawberry
from fastapi import FastAPI, HTTPException, Request

from api.access import RowScope
from api.app import _min_position, _principal, _request_id, create_app
from api.auth import TokenVerifier
from api.console import DEFAULT_CONSOLE_DIR, OfflineGraphQLRouter
from api.context import Context, Info, Services
from api.errors import ContractSchema
from api.loaders import Loaders
from api.schema import EXTENSIONS, NODES, SCALAR_OVERRIDES
from api.visits.types import LogVisitInput, VisitChannel
from application.feed import mask_name, mask_phone
from domain.messages import language_of
from domain.shared import BEIJING_TIME
from infra.bootstrap import bootstrap
from infra.http_server import serve
from infra.settings import Settings
from projections.issue_board import OPEN, IssueFilter
from projections.views import Views

# The GraphQL read that benchmark 3 times; B3 returns exactly its JSON.
ENTERPRISE_READ = """
query Read($id: ID!) {
  enterprise(id: $id) {
    id uscc name district industry status visitCount lastVisitAt nextVisitDueOn openIssueCount
    contacts { name phone title }
    commissioner { id name }
    visits(first: 20) {
      totalCount
      edges { node { id visitedAt channel attendees topics summary nextVisitOn } }
    }
    issues(status: [RAISED, DISPATCHED, IN_PROGRESS, SUSPENDED, RESOLVED, AWAITING_EVALUATION],
           first: 20) {
      totalCount
      edges { node { id status category title raisedAt resolveDueAt } }
    }
  }
}
"""


def _iso(value: Any) -> str | None:
    """As the API shows times: in Beijing time (+08:00); dates as they are."""
    if isinstance(value, datetime):
        value = value.astimezone(BEIJING_TIME)
    return value.isoformat() if value is not None else None


def baseline_read(views: Views, enterprise_id: UUID, full_contacts: bool = True) -> dict[str, Any]:
    """B3's body: the three read-model queries and a hand-built dict, no GraphQL."""
    row = views.enterprise_directory.get(enterprise_id)
    if row is None:
        raise HTTPException(404, "not found")
    visits = views.visit_history.pages_for([enterprise_id], 20, None)[enterprise_id]
    issues = views.issue_board.page(
        IssueFilter(statuses=OPEN, enterprise_id=enterprise_id), 20, None
    )
    contacts = [
        {
            "name": c["name"] if full_contacts else mask_name(c["name"]),
            "phone": c["phone"] if full_contacts else mask_phone(c["phone"]),
            "title": c.get("title"),
        }
        for c in row.contacts
    ]
    return {
        "data": {
            "enterprise": {
                "id": str(row.id),
                "uscc": row.uscc,
                "name": row.name,
                "district": row.district,
                "industry": row.industry,
                "status": row.status,
                "visitCount": row.visit_count,
                "lastVisitAt": _iso(row.last_visit_at),
                "nextVisitDueOn": _iso(row.next_visit_due_on),
                "openIssueCount": row.open_issue_count,
                "contacts": contacts,
                "commissioner": {
                    "id": row.commissioner_id,
                    "name": row.commissioner_name or row.commissioner_id,
                }
                if row.commissioner_id
                else None,
                "visits": {
                    "totalCount": visits.total_count,
                    "edges": [
                        {
                            "node": {
                                "id": v.visit_id,
                                "visitedAt": _iso(v.visited_at),
                                "channel": v.channel,
                                "attendees": list(v.attendees),
                                "topics": list(v.topics),
                                "summary": v.summary,
                                "nextVisitOn": _iso(v.next_visit_on),
                            }
                        }
                        for v in visits.rows
                    ],
                },
                "issues": {
                    "totalCount": issues.total_count,
                    "edges": [
                        {
                            "node": {
                                "id": str(i.id),
                                "status": i.status,
                                "category": i.category,
                                "title": i.title,
                                "raisedAt": _iso(i.raised_at),
                                "resolveDueAt": _iso(i.resolve_due_at),
                            }
                        }
                        for i in issues.rows
                    ],
                },
            }
        }
    }


# B5: the floor the GraphQL layer sets. A mutation of logVisit's shape (the same input type,
# the same selection) that does nothing: no command, no wait, no read. It is served beside
# the real API, in the same process, through the same router class, context and auth, by a
# schema of the same class with the same scalars and extensions.
B5_PATH = "/b5/graphql"


@strawberry.type
class B5Visit:
    id: strawberry.ID
    visited_at: datetime
    channel: VisitChannel
    summary: str


@strawberry.type
class B5Payload:
    position: int
    visit: B5Visit


@strawberry.type
class B5Mutation:
    @strawberry.mutation
    async def log_visit(self, info: Info, input: LogVisitInput) -> B5Payload:
        info.context.may("logVisit")  # the same role gate
        visit = B5Visit(
            id=strawberry.ID(input.enterprise_id), visited_at=input.visited_at,
            channel=input.channel, summary=input.summary,
        )  # fmt: skip
        return B5Payload(position=0, visit=visit)


@strawberry.type
class B5Query:
    ok: bool = True


def b5_router(services: Services, verifier: TokenVerifier) -> OfflineGraphQLRouter:
    async def context_getter(request: Request) -> Context:  # as api/app.py builds it
        principal, auth_error = _principal(request, verifier)
        context = Context(
            services=services,
            principal=principal,
            loaders=Loaders(services.views, RowScope(principal, services.views)),
            nodes=NODES,
            auth_error=auth_error,
            min_position=_min_position(request),
            language=language_of(request.headers.get("accept-language")),
            request_id=_request_id(request),
        )
        await context.catch_up()
        return context

    # The real schema's class, scalars and extensions: its parser and validation caches
    # above all (without them, validating the query was over half of B5's CPU).
    schema = ContractSchema(
        query=B5Query,
        mutation=B5Mutation,
        scalar_overrides=SCALAR_OVERRIDES,
        extensions=list(EXTENSIONS),
    )
    return OfflineGraphQLRouter(
        schema, context_getter=context_getter, graphql_ide=None, console_dir=DEFAULT_CONSOLE_DIR
    )


def build(settings: Settings) -> tuple[FastAPI, Any]:
    container = bootstrap(settings)
    services = Services(container.app, container.views, calendar=container.catalogue.calendar)
    verifier = TokenVerifier(hs256_secret=settings.resolved_jwt_secret())
    app = create_app(services, verifier)
    app.include_router(b5_router(services, verifier), prefix=B5_PATH)
    views = container.views

    @app.get("/baseline/enterprise/{enterprise_id}")
    def baseline(enterprise_id: UUID) -> dict[str, Any]:
        return baseline_read(views, enterprise_id)

    # Before the console's catch-all GET route (api/console.py), which would answer it with
    # the console's page: enterprise_read failed so since the console came in.
    app.router.routes.insert(0, app.router.routes.pop())

    return app, container


def main() -> None:
    port = int(sys.argv[1])
    app, container = build(Settings())
    try:
        settings = replace(container.settings, host="127.0.0.1", port=port)
        serve(app, settings, log_level="warning", access_log=False)
    finally:
        container.close()


if __name__ == "__main__":
    main()
