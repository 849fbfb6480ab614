"""The typed request context: who is asking, and the services resolvers may call."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

from strawberry.fastapi import BaseContext
from strawberry.types import Info as StrawberryInfo

from api.auth import Principal, Unauthenticated
from api.breaker import DatabaseBreaker
from api.errors import ServiceUnavailable
from api.loaders import Loaders
from api.nodes import Nodes
from application.enterprise_import import SheetRow
from application.service_package import ServicePackage
from domain.messages import DEFAULT_LANGUAGE, Text, t
from domain.shared import DomainError, Forbidden, InvalidInput, NotFound, Role
from domain.time_limits import SlaPolicy, WeekdayCalendar, WorkingCalendar
from projections.notifications import NotificationStore
from projections.views import Views

T = TypeVar("T")
K = TypeVar("K")


class ReportFiles(Protocol):
    """Makes one file of a period's airing report (晾晒通报): the reports package implements it
    and the composition root hands it in (the API sits below reports and cannot import it)."""

    def __call__(self, period: str, kind: str, now: datetime) -> tuple[str, str, bytes]:
        """(file name, media type, content) of `kind` (xlsx, league_png, kpi_png, md)."""
        ...


class UploadedSheets(Protocol):
    """Reads an uploaded spreadsheet (.xlsx or .csv) into rows; infra implements it and the
    composition root hands it in. UnusableFile (INVALID_INPUT) for a file it cannot read."""

    def __call__(self, filename: str, content: bytes) -> Sequence[SheetRow]: ...


@dataclass
class Services:
    """What the composition root hands to the API: the application and the read models."""

    app: ServicePackage
    views: Views
    min_position_timeout: float = 5.0
    breaker: DatabaseBreaker = field(default_factory=DatabaseBreaker)
    # The notification outbox's records (the inbox); None where no inbox is served.
    notifications: NotificationStore | None = None
    report_files: ReportFiles | None = None
    uploaded_sheets: UploadedSheets | None = None
    # The working calendar and time limits the projections use (as-of reads compute
    # deadlines as the issue board does): the composition root passes the deployment's.
    calendar: WorkingCalendar = field(default_factory=WeekdayCalendar)
    sla: SlaPolicy = field(default_factory=SlaPolicy)
    publicity_target: int = 800  # 政策宣传服务活动 a year (settings)
    # Where read-model queries go now (a read replica or the primary) and why: /healthz.
    read_status: Callable[[], dict[str, object]] | None = None


@dataclass
class Context(BaseContext):
    services: Services
    principal: Principal | None
    loaders: Loaders
    nodes: Nodes
    auth_error: Text | None = None
    min_position: int | None = None
    refused: DomainError | None = None  # why X-Min-Position could not be honoured
    language: str = DEFAULT_LANGUAGE  # of the messages and labels: Accept-Language
    request_id: str = "-"
    _caught_up: bool = False
    # min_position was named by the store (reads_after), not by the client: at or below the
    # log's head, no need to ask.
    _from_store: bool = False
    # When (time.monotonic) this request's first command began: before any write of its own.
    _first_command: float | None = None
    _written_here: bool = False  # min_position was written by this request's commands

    @property
    def user(self) -> Principal:
        if self.refused is not None:
            raise self.refused
        if self.principal is None:
            raise Unauthenticated(self.auth_error or t("auth.sign_in"))
        return self.principal

    def may(self, mutation: str) -> Principal:
        """The role gate of one mutation (api/permissions.py)."""
        from api.permissions import MUTATION_ROLES

        return self.require_role(*sorted(MUTATION_ROLES[mutation], key=lambda r: r.value))

    def require_role(self, *roles: Role) -> Principal:
        user = self.user
        if user.role not in roles:
            allowed = [t(f"role.{r.value}") for r in roles]
            raise Forbidden("access.role", allowed=allowed, role=t(f"role.{user.role.value}"))
        return user

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a read-model query off the event loop, after catching up to X-Min-Position."""
        await self._catch_up()
        return await asyncio.to_thread(self.services.breaker.call, fn, *args)

    def reads_after(self, position: int, *, written_here: bool = True) -> None:
        """Later reads in this request see at least this position: a mutation's own write, or
        (`written_here=False`) a position the store named, such as its head."""
        if self.min_position is None or position > self.min_position:
            self.min_position = position
            self._caught_up = False
            self._from_store = True
            self._written_here = written_here

    async def read_own_write(
        self, position: int, get_many: Callable[[list[K]], Sequence[T]], key: K, what: str
    ) -> T:
        """A mutation's answer: wait for the read models to reach its write, then read the
        row back like any query (`get_many` a read model's lookup by keys, `what` the kind of
        row: "issue", "enterprise", "visit")."""
        self.reads_after(position)
        rows = await self.read(get_many, [key])
        if not rows:
            raise NotFound("not_found", what=t(f"what.{what}"), id=key)
        return rows[0]

    async def command(self, fn: Callable[..., T], *args: Any) -> T:
        if self._first_command is None:
            self._first_command = time.monotonic()
        return await asyncio.to_thread(self.services.breaker.call, fn, *args)

    def now(self) -> datetime:
        return self.services.app.clock.now()

    async def catch_up(self) -> None:
        """Honour X-Min-Position before any field is read (a bounded wait), for a signed-in
        caller only: an anonymous request is refused by its first field without waiting."""
        if self.principal is None:
            return
        try:
            await self._catch_up()
        except (ServiceUnavailable, InvalidInput) as error:
            self.refused = error

    async def _catch_up(self) -> None:
        if self._caught_up or self.min_position is None:
            return
        position, services = self.min_position, self.services
        if not self._from_store:  # X-Min-Position: the client's word, checked against the head
            head = await asyncio.to_thread(services.breaker.call, services.app.last_position)
            if position > head:  # no wait can reach it: refused at once, not after a timeout
                raise InvalidInput(
                    "service.position_beyond_head",
                    field="X-Min-Position",
                    position=position,
                    head=head,
                )

        def wait() -> bool:
            """Inside the breaker, but a wait that runs out is not a database failure."""
            try:
                services.views.wait_for(
                    position,
                    services.min_position_timeout,
                    self._first_command if self._written_here else None,
                )
            except TimeoutError:
                return False
            return True

        if not await asyncio.to_thread(services.breaker.call, wait):
            raise ServiceUnavailable("service.position", position=position)
        self._caught_up = True


Info = StrawberryInfo[Context, None]
