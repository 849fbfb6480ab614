"""The enterprise's own page (no login, no external assets, Chinese): its demand's progress and
the rating form behind a signed link (application/outreach.py), and the direct-report progress
lookup by tracking number and phone number, rate-limited per client address."""

from __future__ import annotations

import asyncio
import html
import time
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import parse_qs
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.access import enterprise_page_text
from api.context import Services
from domain.issue import Issue, Satisfaction
from domain.messages import DEFAULT_LANGUAGE, label, render
from domain.shared import BEIJING_TIME, Conflict, DomainError, Forbidden, NotFound, beijing

MAX_CLIENTS = 10_000
_STATUS = {Forbidden: 403, Conflict: 409, NotFound: 404}
_CHOICES = (Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED, Satisfaction.UNSATISFIED)
_STYLE = (
    "body{font-family:sans-serif;max-width:40em;margin:1em auto;padding:0 1em;color:#222}"
    "li{margin:.3em 0}.err{color:#b00}textarea{width:100%}button{padding:.5em 2em}"
)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    text = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(text, status_code=status, headers={"Cache-Control": "no-store"})


def _error(error: DomainError, title_key: str = "rating.page.error") -> HTMLResponse:
    status = next((code for kind, code in _STATUS.items() if isinstance(error, kind)), 400)
    message = html.escape(error.render(DEFAULT_LANGUAGE))
    return _page(render(title_key), f'<p class="err">{message}</p>', status)


def _progress(issue: Issue, steps: list[tuple[str, str]]) -> str:
    items = "".join(
        f"<li>{html.escape(at)} {html.escape(label(f'event.{kind}'))}</li>" for kind, at in steps
    )
    rows = [
        f"<p>{html.escape(render('rating.page.status'))}："
        f"{html.escape(label(f'status.{issue.status.value}'))}</p>",
        f"<h2>{html.escape(render('rating.page.progress'))}</h2>",
        f"<ol>{items}</ol>" if items else f"<p>{html.escape(render('rating.page.no_steps'))}</p>",
    ]
    if issue.resolution:
        rows.append(
            f"<p>{html.escape(render('rating.page.resolution'))}："
            f"{html.escape(enterprise_page_text(issue.resolution))}</p>"
        )
    return "".join(rows)


def _form(issue_id: UUID, token: str) -> str:
    choices = "".join(
        f'<label><input type="radio" name="satisfaction" value="{c.value}" required> '
        f"{html.escape(label(f'satisfaction.{c.value}'))}</label><br>"
        for c in _CHOICES
    )
    return (
        f"<h2>{html.escape(render('rating.page.rate'))}</h2>"
        f'<form method="post" action="/rate/{issue_id}">'
        f'<input type="hidden" name="token" value="{html.escape(token)}">{choices}'
        f"<p>{html.escape(render('rating.page.comment'))}<br>"
        '<textarea name="comment" rows="4" maxlength="2000"></textarea></p>'
        f'<button type="submit">{html.escape(render("rating.page.submit"))}</button></form>'
    )


@dataclass
class RateLimiter:
    """At most `limit` requests per client address in any `window` seconds (in memory)."""

    limit: int
    window: float = 60.0
    clock: object = time.monotonic
    _seen: dict[str, deque[float]] = field(default_factory=dict)

    def retry_after(self, client: str) -> int:
        """0 when the request may go ahead (and is counted), else seconds to wait."""
        now = float(self.clock())  # type: ignore[operator]
        if len(self._seen) > MAX_CLIENTS:  # forget clients with nothing in the window
            idle = [c for c, t in self._seen.items() if not t or t[-1] <= now - self.window]
            for name in idle:
                del self._seen[name]
        seen = self._seen.setdefault(client, deque())
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        if len(seen) >= self.limit:
            return max(1, int(seen[0] + self.window - now) + 1)
        seen.append(now)
        return 0


def outreach_router(services: Services, limiter: RateLimiter) -> APIRouter:
    router = APIRouter()
    app = services.app

    async def steps(issue_id: UUID) -> list[tuple[str, str]]:
        rows = await asyncio.to_thread(services.views.issue_board.timelines, [issue_id])
        return [(r.type, beijing(r.at)) for r in rows.get(issue_id, [])]

    @router.get("/rate/{issue_id}", response_class=HTMLResponse)
    async def rating_page(issue_id: UUID, token: str = "") -> HTMLResponse:
        try:
            issue = await asyncio.to_thread(app.rating_link_issue, issue_id, token)
        except DomainError as error:
            return _error(error)
        expires = ""
        if issue.rating_link_expires_at is not None:
            at = issue.rating_link_expires_at.astimezone(BEIJING_TIME).strftime("%Y-%m-%d %H:%M")
            expires = f"<p>{html.escape(render('rating.page.expires', at=at))}</p>"
        body = f"<h2>{html.escape(enterprise_page_text(issue.title))}</h2>" + _progress(
            issue, await steps(issue_id)
        )
        return _page(render("rating.page.title"), body + expires + _form(issue_id, token))

    @router.post("/rate/{issue_id}", response_class=HTMLResponse)
    async def rate(issue_id: UUID, request: Request) -> HTMLResponse:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        token = (form.get("token") or [""])[0]
        satisfaction = (form.get("satisfaction") or [""])[0]
        comment = (form.get("comment") or [""])[0] or None
        try:
            await asyncio.to_thread(app.rate_by_link, issue_id, token, satisfaction, comment)
        except DomainError as error:
            return _error(error)
        done = "rating.page.rework" if satisfaction == "UNSATISFIED" else "rating.page.thanks"
        return _page(render("rating.page.title"), f"<p>{html.escape(render(done))}</p>")

    @router.get("/track", response_class=HTMLResponse)
    async def track(request: Request, number: str = "", phone: str = "") -> HTMLResponse:
        client = request.client.host if request.client else "-"
        wait = limiter.retry_after(client)
        if wait:
            message = html.escape(render("lookup.rate_limited", seconds=wait))
            response = _page(render("lookup.title"), f'<p class="err">{message}</p>', 429)
            response.headers["Retry-After"] = str(wait)
            return response
        try:
            issue = await asyncio.to_thread(app.track_direct_report, number, phone)
        except DomainError as error:
            return _error(error, "lookup.title")
        body = f"<h2>{html.escape(enterprise_page_text(issue.title))}</h2>"
        return _page(render("lookup.title"), body + _progress(issue, await steps(issue.id)))

    return router
