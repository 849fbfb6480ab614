"""The API process for HTTP benchmarks: `python -m benchmarks.server PORT`.

The real app (`create_app`, as `espcrm serve` builds it) plus B3, a plain FastAPI endpoint
that returns the same JSON as the benchmarked GraphQL read, from the same read models,
in the same process and on the same connection pools. Settings come from ESPCRM_* variables.
Access logging is off for both (a per-request log line is a deployment choice, not the API).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import Any
from uuid import UUID

from fastapi import FastAPI, HTTPException

from api.app import create_app
from api.auth import TokenVerifier
from api.context import Services
from application.feed import mask_name, mask_phone
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
                                "visitedAt": v.visited_at.isoformat(),
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
                                "raisedAt": i.raised_at.isoformat(),
                                "resolveDueAt": _iso(i.resolve_due_at),
                            }
                        }
                        for i in issues.rows
                    ],
                },
            }
        }
    }


def build(settings: Settings) -> tuple[FastAPI, Any]:
    container = bootstrap(settings)
    app = create_app(
        Services(container.app, container.views, calendar=container.catalogue.calendar),
        TokenVerifier(hs256_secret=settings.resolved_jwt_secret()),
    )
    views = container.views

    @app.get("/baseline/enterprise/{enterprise_id}")
    def baseline(enterprise_id: UUID) -> dict[str, Any]:
        return baseline_read(views, enterprise_id)

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
