"""Enterprise-relationship commands: register, assign, visits, policies, contacts, lifecycle."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from application.commands import CommandsBase, idempotent_id, not_found
from domain.enterprise import EnterpriseRelationship
from domain.policy_catalogue import PolicyCatalogue
from domain.shared import Actor, Conflict, Role


@dataclass(frozen=True)
class RegisterEnterprise:
    uscc: str
    name: str
    district: str
    industry: str | None = None
    size: str | None = None
    address: str | None = None
    contacts: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class LogVisit:
    enterprise_id: UUID
    visited_at: datetime
    channel: str
    attendees: Sequence[str]
    summary: str
    topics: Sequence[str] = ()
    policies_explained: Sequence[str] = ()
    follow_ups: Sequence[str] = ()
    next_visit_on: date | None = None
    idempotency_key: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


class EnterpriseCommands(CommandsBase):
    catalogue: Callable[[], PolicyCatalogue]  # RegistryCommands.catalogue
    catalogue_for: Callable[[Iterable[object]], PolicyCatalogue]  # RegistryCommands

    def register_enterprise(self, cmd: RegisterEnterprise, actor: Actor) -> tuple[UUID, int]:
        """Open a relationship; the same credit code twice is a CONFLICT and writes nothing."""
        enterprise = EnterpriseRelationship.open(
            uscc=cmd.uscc, name=cmd.name, district=cmd.district, industry=cmd.industry,
            size=cmd.size, address=cmd.address, contacts=cmd.contacts,
            actor=actor, timestamp=self.now(),
        )  # fmt: skip
        position = self._create(
            enterprise,
            lambda: Conflict("enterprise.already_registered", field="uscc", uscc=enterprise.uscc),
        )
        return enterprise.id, position

    def assign_commissioner(
        self,
        enterprise_id: UUID,
        commissioner_id: str,
        commissioner_name: str,
        reason: str | None,
        actor: Actor,
    ) -> int:
        """Assign a commissioner, or hand over (交接) from the current one with a reason."""
        return self._scoped(
            enterprise_id, actor,
            lambda e: e.assign_commissioner(
                commissioner_id, commissioner_name, reason, actor=actor, timestamp=self.now()
            ),
        )  # fmt: skip

    def log_visit(self, cmd: LogVisit, actor: Actor) -> tuple[str, int]:
        """Log a visit; the same idempotency key by the same user on the same enterprise returns
        the first visit if the request is the same, and is refused if it is not."""
        key_id = idempotent_id("log_visit", actor.id, cmd.idempotency_key, cmd.enterprise_id)
        visit_id = str(key_id or uuid.uuid4())
        catalogue = self.catalogue_for(cmd.policies_explained)
        repeat: list[int] = []

        def act(enterprise: EnterpriseRelationship) -> None:
            if enterprise.has_visit(visit_id):  # the same key: the same request, or refused
                repeat.append(
                    enterprise.repeats_visit(
                        visit_id, cmd.visited_at, cmd.channel, cmd.attendees, cmd.topics,
                        cmd.policies_explained, cmd.summary, cmd.follow_ups, cmd.next_visit_on,
                        catalogue, actor=actor,
                    )
                )  # fmt: skip
                return
            enterprise.log_visit(
                visit_id, cmd.visited_at, cmd.channel, cmd.attendees, cmd.topics,
                cmd.policies_explained, cmd.summary, cmd.follow_ups, cmd.next_visit_on,
                catalogue, actor=actor, timestamp=self.now(),
            )  # fmt: skip

        position = self._scoped(cmd.enterprise_id, actor, act, repeat=repeat)
        return visit_id, position

    def correct_visit(
        self,
        enterprise_id: UUID,
        visit_id: str,
        corrections: Mapping[str, object],
        reason: str,
        actor: Actor,
    ) -> int:
        catalogue = self.catalogue()
        return self._scoped(
            enterprise_id, actor,
            lambda e: e.correct_visit(
                visit_id, corrections, reason, catalogue, actor=actor, timestamp=self.now()
            ),
        )  # fmt: skip

    def notify_policy(
        self, enterprise_id: UUID, policy_code: str, note: str | None, actor: Actor
    ) -> int:
        """告知: tell the enterprise about a policy before it benefits (告知+确认)."""
        catalogue = self.catalogue()
        return self._scoped(
            enterprise_id, actor,
            lambda e: e.notify_policy(
                policy_code, catalogue, note, actor=actor, timestamp=self.now()
            ),
        )  # fmt: skip

    def confirm_policy(
        self, enterprise_id: UUID, policy_code: str, confirmed_by: str, actor: Actor
    ) -> int:
        """确认: the enterprise confirms it was told."""
        return self._scoped(
            enterprise_id, actor,
            lambda e: e.confirm_policy(
                policy_code, confirmed_by, actor=actor, timestamp=self.now()
            ),
        )  # fmt: skip

    def change_contacts(
        self, enterprise_id: UUID, contacts: list[dict[str, Any]], actor: Actor
    ) -> int:
        return self._scoped(
            enterprise_id, actor,
            lambda e: e.change_contacts(contacts, actor=actor, timestamp=self.now()),
        )  # fmt: skip

    def suspend_relationship(self, enterprise_id: UUID, reason: str, actor: Actor) -> int:
        return self._scoped(
            enterprise_id, actor,
            lambda e: e.suspend(reason, actor=actor, timestamp=self.now()),
        )  # fmt: skip

    def resume_relationship(self, enterprise_id: UUID, actor: Actor) -> int:
        return self._scoped(
            enterprise_id, actor, lambda e: e.resume(actor=actor, timestamp=self.now())
        )

    def close_relationship(self, enterprise_id: UUID, reason: str, actor: Actor) -> int:
        return self._scoped(
            enterprise_id, actor,
            lambda e: e.close(reason, actor=actor, timestamp=self.now()),
        )  # fmt: skip

    def forget_person(self, enterprise_id: UUID, legal_basis: str, actor: Actor) -> int:
        """个人信息删除: destroy the key of the enterprise's personal data, then record it
        (a key destroyed twice, when a clash retries, is still destroyed)."""

        def erase(e: EnterpriseRelationship) -> None:
            e.erase_personal_data(legal_basis, actor=actor, timestamp=self.now())
            self.destroy_personal_data_keys(e.id)

        return self._update(enterprise_id, "enterprise", erase)

    def destroy_personal_data_keys(self, subject_id: UUID) -> int:
        return 0  # ServicePackage destroys them in its key table

    def _scoped(
        self,
        enterprise_id: UUID,
        actor: Actor,
        act: Callable[[EnterpriseRelationship], None],
        repeat: list[int] | None = None,
    ) -> int:
        """An enterprise command; outside a commissioner's own enterprises it is NotFound, word
        for word as for an unknown id, as reads answer (issue 17): the refusal neither names
        the enterprise nor confirms it exists."""

        def in_scope(enterprise: EnterpriseRelationship) -> None:
            require_in_scope(enterprise, actor)
            act(enterprise)

        return self._update(enterprise_id, "enterprise", in_scope, repeat=repeat)

    def get_enterprise(self, enterprise_id: UUID) -> EnterpriseRelationship:
        enterprise: EnterpriseRelationship = self._get(enterprise_id, "enterprise")
        return enterprise


def require_in_scope(enterprise: EnterpriseRelationship, actor: Actor) -> None:
    """A commissioner acts only on the enterprises assigned to them; any other is NotFound."""
    if actor.role == Role.COMMISSIONER.value and enterprise.commissioner_id != actor.id:
        raise not_found("enterprise", enterprise.id)
