"""Labour-data commands (用工需求): record and correct an enterprise's labour situation, raise
a hiring demand from a vacancy line, and record its placements (安置)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.commands import CommandsBase, idempotent_id
from application.enterprises import require_in_scope
from application.issues import _require_handling_department
from domain.enterprise import EnterpriseRelationship
from domain.issue import Issue, IssueKind
from domain.labour import OccupationCatalogue
from domain.messages import t
from domain.shared import Actor, Conflict, InvalidInput


@dataclass(frozen=True)
class RecordLabour:
    """`lines`: occupation_code, count, wage_min, wage_max, skill_level, needed_by and, to
    carry a line over from the current record, its line_id (a new line gets a new id)."""

    enterprise_id: UUID
    employees: int
    shortfall: int
    lines: Sequence[Mapping[str, Any]] = ()
    shortfall_note: str | None = None
    visit_id: str | None = None
    observed_at: datetime | None = None  # default: the visit's time, or now
    record_id: str | None = None  # default: a new id


def situation_of(cmd: RecordLabour) -> dict[str, Any]:
    return {
        "employees": cmd.employees,
        "shortfall": cmd.shortfall,
        "shortfall_note": cmd.shortfall_note,
        "lines": [
            {**line, "line_id": line.get("line_id") or str(uuid.uuid4())} for line in cmd.lines
        ],
    }


class LabourCommands(CommandsBase):
    occupations: OccupationCatalogue

    def record_labour(self, cmd: RecordLabour, actor: Actor) -> tuple[str, int]:
        record_id, situation = cmd.record_id or str(uuid.uuid4()), situation_of(cmd)

        def act(e: EnterpriseRelationship) -> None:
            require_in_scope(e, actor)
            observed = cmd.observed_at or _visit_time(e, cmd.visit_id) or self.now()
            e.record_labour(
                record_id, cmd.visit_id, observed, situation, self.occupations,
                actor=actor, timestamp=self.now(),
            )  # fmt: skip

        return record_id, self._update(cmd.enterprise_id, "enterprise", act)

    def correct_labour(self, cmd: RecordLabour, reason: str, actor: Actor) -> int:
        """The current record (cmd.record_id) as it should have been, and why."""
        situation = situation_of(cmd)

        def act(e: EnterpriseRelationship) -> None:
            require_in_scope(e, actor)
            e.correct_labour(
                cmd.record_id or "", situation, reason, self.occupations,
                actor=actor, timestamp=self.now(),
            )  # fmt: skip

        return self._update(cmd.enterprise_id, "enterprise", act)

    def fill_vacancy(
        self, enterprise_id: UUID, line_id: str, placed: int, channel: str, actor: Actor
    ) -> int:
        def act(e: EnterpriseRelationship) -> None:
            require_in_scope(e, actor)
            e.fill_vacancy(line_id, placed, channel, actor=actor, timestamp=self.now())

        return self._update(enterprise_id, "enterprise", act)

    def raise_vacancy_demand(
        self,
        enterprise_id: UUID,
        line_id: str,
        category: str,
        actor: Actor,
        idempotency_key: str | None = None,
    ) -> tuple[UUID, int]:
        """One step from a vacancy line to a demand: the demand, and the line's link to it,
        are saved together or not at all. A line has one demand, so a repeat is refused."""
        enterprise: EnterpriseRelationship = self._get(enterprise_id, "enterprise")
        require_in_scope(enterprise, actor)
        key_id = idempotent_id("vacancy_demand", actor.id, idempotency_key, enterprise.id)
        if key_id is not None and enterprise.labour.demands.get(line_id) == str(key_id):
            return key_id, self._position_of(key_id, 1)  # a repeat: the first result
        issue_id, now = key_id or uuid.uuid4(), self.now()
        line = enterprise.raise_vacancy_demand(
            line_id, str(issue_id), category, actor=actor, timestamp=now
        )
        words = _demand_words(line, self.occupations)
        issue = Issue.raise_issue(
            kind=IssueKind.ENTERPRISE_DEMAND.value, category=category,
            title=t("labour.demand_title", **words).render(),
            description=t("labour.demand_description", **words).render(),
            enterprise_id=str(enterprise.id), district=enterprise.district,
            actor=actor, timestamp=now, id=issue_id,
        )  # fmt: skip
        return issue_id, self._saved_together(enterprise, issue)

    def resolve_hiring_demand(
        self,
        issue_id: UUID,
        department_id: str | None,
        resolution: str,
        placed: int,
        channel: str,
        actor: Actor,
    ) -> int:
        """办结 of a demand raised from a vacancy, recording its placements on the line."""
        issue: Issue = self._get(issue_id, "issue")
        _require_handling_department(issue, department_id)
        enterprise: EnterpriseRelationship = self._get(
            UUID(issue.enterprise_id or str(uuid.UUID(int=0))), "enterprise"
        )
        line_id = enterprise.line_of_demand(str(issue_id))
        if line_id is None:
            raise InvalidInput("labour.issue_without_vacancy", field="issueId", issue=issue_id)
        now = self.now()
        issue.resolve(resolution, [], actor=actor, timestamp=now)
        enterprise.fill_vacancy(
            line_id, placed, channel, via_issue=str(issue_id), actor=actor, timestamp=now
        )
        return self._saved_together(issue, enterprise)

    def _saved_together(self, *aggregates: Any) -> int:
        try:
            return self._save(*aggregates)
        except IntegrityError:  # another command moved one of them first: nothing is written
            raise Conflict("conflict.kept_changing", what=t("what.vacancy"), id="") from None


def _visit_time(enterprise: EnterpriseRelationship, visit_id: str | None) -> datetime | None:
    # A visit older than the aggregate's window (domain/enterprise.py VISIT_WINDOW) gives no
    # time here: the record is then dated now, or as the commissioner said.
    visit = enterprise.visit(visit_id) if visit_id is not None else None
    if visit is None:
        return None
    visited_at: datetime = visit["visited_at"]
    return visited_at


def _demand_words(line: Mapping[str, Any], occupations: OccupationCatalogue) -> dict[str, Any]:
    unknown = t("skill_level.ANY")
    return {
        "occupation": occupations.title_of(line["occupation_code"]),
        "count": line["count"],
        "low": line["wage_min"] if line["wage_min"] is not None else "—",
        "high": line["wage_max"] if line["wage_max"] is not None else "—",
        "skill": t(f"skill_level.{line['skill_level']}"),
        "needed_by": line["needed_by"] or unknown,
    }
