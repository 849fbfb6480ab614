"""The application: commands against the enterprise-relationship and issue streams."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder

from application.feed import FeedEnvelope, envelope
from application.transcodings import ActorAsDict, DateAsISO
from domain.enterprise import EnterpriseRelationship
from domain.shared import Actor, Clock, Conflict, NotFound


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(tz=UTC)


@dataclass(frozen=True)
class RegisterEnterprise:
    uscc: str
    name: str
    district: str
    industry: str | None = None
    size: str | None = None
    address: str | None = None
    contacts: list[dict[str, Any]] | None = None


class ServicePackage(Application[UUID]):
    """企业服务包: one application, one global log that projections and the feed follow."""

    name = "espcrm"

    def __init__(self, env: dict[str, str] | None = None, clock: Clock | None = None) -> None:
        super().__init__(env)
        self.clock: Clock = clock or SystemClock()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(ActorAsDict())
        transcoder.register(DateAsISO())

    def register_enterprise(self, cmd: RegisterEnterprise, actor: Actor) -> tuple[UUID, int]:
        """Open a relationship; the same credit code twice is a CONFLICT, nothing written."""
        enterprise = EnterpriseRelationship.open(
            uscc=cmd.uscc,
            name=cmd.name,
            district=cmd.district,
            industry=cmd.industry,
            size=cmd.size,
            address=cmd.address,
            contacts=cmd.contacts,
            actor=actor,
            timestamp=self.clock.now(),
        )
        try:
            return enterprise.id, self._save(enterprise)
        except IntegrityError:
            raise Conflict(
                f"uscc: an enterprise with credit code {enterprise.uscc} is already registered",
                field="uscc",
            ) from None

    def assign_commissioner(
        self,
        enterprise_id: UUID,
        commissioner_id: str,
        commissioner_name: str,
        reason: str | None,
        actor: Actor,
    ) -> int:
        enterprise = self.get_enterprise(enterprise_id)
        enterprise.assign_commissioner(
            commissioner_id, commissioner_name, reason, actor=actor, timestamp=self.clock.now()
        )
        return self._save(enterprise)

    def get_enterprise(self, enterprise_id: UUID) -> EnterpriseRelationship:
        try:
            return self.repository.get(enterprise_id)  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            raise NotFound(f"enterprise {enterprise_id} not found") from None

    def read_feed(self, after: int, limit: int) -> list[FeedEnvelope]:
        """The global log after a position, as envelopes: positions, not offsets."""
        notifications = self.recorder.select_notifications(start=after + 1, limit=limit)
        return [envelope(self.mapper.to_domain_event(n), n.id) for n in notifications]

    def last_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    def _save(self, *aggregates: Any) -> int:
        """Save and return the global position of the last event written."""
        recordings = self.save(*aggregates)
        return recordings[-1].notification.id
