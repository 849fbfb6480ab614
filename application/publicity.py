"""Publicity activities (政策宣传服务活动): log one, cancel one (get, act, save)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from application.commands import CommandsBase
from domain.enterprise import EnterpriseRelationship
from domain.policy_catalogue import PolicyCatalogue
from domain.publicity import PublicityActivity
from domain.shared import Actor, InvalidInput


@dataclass(frozen=True)
class LogActivity:
    kind: str
    title: str
    held_on: date
    district: str
    policy_codes: Sequence[str]
    enterprise_ids: Sequence[str]
    summary: str | None = None
    department_id: str | None = None


class PublicityCommands(CommandsBase):
    catalogue_for: Callable[[Iterable[object]], PolicyCatalogue]  # RegistryCommands

    def log_activity(self, cmd: LogActivity, actor: Actor) -> tuple[UUID, int]:
        """Every attending enterprise must be a registered relationship."""
        activity = PublicityActivity.log(
            kind=cmd.kind,
            title=cmd.title,
            held_on=cmd.held_on,
            district=cmd.district,
            policy_codes=cmd.policy_codes,
            enterprise_ids=cmd.enterprise_ids,
            catalogue=self.catalogue_for(cmd.policy_codes),
            department_id=cmd.department_id,
            summary=cmd.summary,
            actor=actor,
            timestamp=self.now(),
        )
        unknown = [e for e in activity.enterprise_ids if not self._is_enterprise(UUID(e))]
        if unknown:
            raise InvalidInput(
                "activity.unknown_enterprises", field="enterpriseIds", values=unknown
            )
        return activity.id, self._save(activity)

    def cancel_activity(self, activity_id: UUID, reason: str, actor: Actor) -> int:
        return self._update(
            activity_id, "activity", lambda a: a.cancel(reason, actor=actor, timestamp=self.now())
        )

    def _is_enterprise(self, enterprise_id: UUID) -> bool:
        if not self._exists(enterprise_id):
            return False
        return isinstance(self.repository.get(enterprise_id), EnterpriseRelationship)
