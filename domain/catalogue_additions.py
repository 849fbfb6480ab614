"""Policies an admin adds to the shipped catalogue: recorded as events, like everything else."""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.policy_catalogue import Policy, PolicyCatalogue
from domain.shared import Actor, InvalidInput

CATALOGUE_ADDITIONS_ID: UUID = uuid5(NAMESPACE_URL, "https://espcrm/policy-catalogue")


class CatalogueAdditions(Aggregate):
    """One stream: the policies added after release (人社政策服务包 additions)."""

    class Started(Aggregate.Created):
        class_version = 1

    class PolicyAdded(Aggregate.Event):
        class_version = 1
        code: str
        title: str
        benefit: str
        actor: Actor

    @staticmethod
    def create_id() -> UUID:
        return CATALOGUE_ADDITIONS_ID

    @event(Started)
    def __init__(self) -> None:
        self.policies: list[Policy] = []

    def add_policy(
        self, policy: Policy, shipped: PolicyCatalogue, *, actor: Actor, timestamp: datetime
    ) -> None:
        """A code already in the catalogue (shipped or added) is refused: codes are forever."""
        if policy.code in shipped or any(p.code == policy.code for p in self.policies):
            raise InvalidInput("policy.already_added", field="code", code=policy.code)
        self._policy_added(
            code=policy.code, title=policy.title, benefit=policy.benefit, actor=actor,
            timestamp=timestamp,
        )  # fmt: skip

    @event(PolicyAdded)
    def _policy_added(
        self, code: str, title: str, benefit: str, actor: Actor, timestamp: datetime
    ) -> None:
        self.policies.append(Policy(code=code, title=title, benefit=benefit, source="added"))

    def applied_to(self, shipped: PolicyCatalogue) -> PolicyCatalogue:
        catalogue = shipped
        for policy in self.policies:
            catalogue = catalogue.with_policy(policy)
        return catalogue
