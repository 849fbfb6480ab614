"""Reference data as streams: departments, direct-report points and policy additions."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from application.commands import CommandsBase
from domain.catalogue_additions import CATALOGUE_ADDITIONS_ID, CatalogueAdditions
from domain.policy_catalogue import Policy, PolicyCatalogue
from domain.registry import Department, ReportingPoint
from domain.shared import Actor, Conflict


class RegistryCommands(CommandsBase):
    shipped_catalogue: PolicyCatalogue

    def register_department(
        self, department_id: str, name: str, district: str | None, actor: Actor
    ) -> tuple[UUID, int]:
        department = Department.register(
            department_id=department_id, name=name, district=district,
            actor=actor, timestamp=self.now(),
        )  # fmt: skip
        return department.id, self._create(
            department,
            lambda: Conflict("department.already_registered", field="id", id=department_id),
        )

    def register_reporting_point(
        self, point_id: str, name: str, district: str | None, actor: Actor
    ) -> tuple[UUID, int]:
        point = ReportingPoint.register(
            point_id=point_id, name=name, district=district, actor=actor, timestamp=self.now()
        )
        return point.id, self._create(
            point,
            lambda: Conflict("point.already_registered", field="id", id=point_id),
        )

    def add_policy(self, code: str, title: str, benefit: str, actor: Actor) -> int:
        policy = Policy(code=code.strip(), title=title, benefit=benefit, source="added")
        if not self._exists(CATALOGUE_ADDITIONS_ID):
            self._save(CatalogueAdditions())  # a concurrent first save is the same empty stream
        return self._update(
            CATALOGUE_ADDITIONS_ID, "policy_catalogue",
            lambda c: c.add_policy(policy, self.shipped_catalogue, actor=actor, timestamp=self.now()),
        )  # fmt: skip

    def catalogue_for(self, codes: Iterable[object]) -> PolicyCatalogue:
        """The shipped catalogue when it has every code (an addition never takes a shipped
        code), without reading the additions stream: a query saved on most visits."""
        if all(isinstance(c, str) and c.strip() in self.shipped_catalogue for c in codes):
            return self.shipped_catalogue
        return self.catalogue()

    def catalogue(self) -> PolicyCatalogue:
        """The shipped catalogue plus every policy an admin has added since."""
        if not self._exists(CATALOGUE_ADDITIONS_ID):
            return self.shipped_catalogue
        additions: CatalogueAdditions = self._get(CATALOGUE_ADDITIONS_ID, "policy_catalogue")
        return additions.applied_to(self.shipped_catalogue)
