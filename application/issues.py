"""Issue commands (发单 → 接单 → 派单 → 评单): each gets, acts, saves and returns a position."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from application.commands import CommandsBase, idempotent_id
from application.enterprises import require_in_scope
from domain.enterprise import EnterpriseRelationship
from domain.issue import Issue, IssueKind
from domain.messages import t
from domain.registry import ReportingPoint, department_aggregate_id, reporting_point_aggregate_id
from domain.shared import (
    Actor,
    Forbidden,
    IdempotencyKeyReused,
    InvalidInput,
    NotFound,
)


@dataclass(frozen=True)
class RaiseDemand:
    enterprise_id: UUID
    category: str
    title: str
    description: str
    visit_id: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class SubmitDirectReport:
    reporting_point_id: str
    category: str
    title: str
    description: str
    enterprise_id: UUID | None = None
    idempotency_key: str | None = None
    # The reporter's phone, kept only as a digest for the progress lookup (直报进度查询).
    reporter_phone: str | None = None


class IssueCommands(CommandsBase):
    def raise_demand(self, cmd: RaiseDemand, actor: Actor) -> tuple[UUID, int]:
        """A commissioner raises an enterprise's demand, maybe from a visit (企业诉求)."""
        enterprise: EnterpriseRelationship = self._get(cmd.enterprise_id, "enterprise")
        require_in_scope(enterprise, actor)
        if cmd.visit_id and not enterprise.has_visit(cmd.visit_id):
            raise InvalidInput("visit.not_this_enterprise", field="visitId", visit=cmd.visit_id)
        return self._raise(
            idempotent_id("raise_demand", actor.id, cmd.idempotency_key, enterprise.id),
            dict(
                kind=IssueKind.ENTERPRISE_DEMAND.value,
                category=cmd.category,
                title=cmd.title,
                description=cmd.description,
                enterprise_id=str(enterprise.id),
                visit_id=cmd.visit_id,
                district=enterprise.district,
            ),
            actor,
        )

    def submit_direct_report(self, cmd: SubmitDirectReport, actor: Actor) -> tuple[UUID, int]:
        """A direct-report point submits a business-environment problem (营商环境问题直报)."""
        point: ReportingPoint = self._get(
            reporting_point_aggregate_id(cmd.reporting_point_id), "reporting_point"
        )
        district = point.district
        if cmd.enterprise_id is not None:
            district = self._get(cmd.enterprise_id, "enterprise").district
        return self._raise(
            idempotent_id("direct_report", actor.id, cmd.idempotency_key, point.point_id),
            dict(
                kind=IssueKind.DIRECT_REPORT.value,
                category=cmd.category,
                title=cmd.title,
                description=cmd.description,
                enterprise_id=str(cmd.enterprise_id) if cmd.enterprise_id else None,
                reporting_point_id=point.point_id,
                district=district,
            ),
            actor,
            phone=cmd.reporter_phone,
        )

    def phone_digest(self, phone: str) -> str:
        raise NotImplementedError  # application/outreach.py

    def _raise(
        self,
        issue_id: UUID | None,
        fields: dict[str, object],
        actor: Actor,
        phone: str | None = None,
    ) -> tuple[UUID, int]:
        issue = Issue.raise_issue(**fields, actor=actor, timestamp=self.now(), id=issue_id)  # type: ignore[arg-type]
        if phone and phone.strip():
            digest = self.phone_digest(phone)
            issue.record_reporter_phone(digest, actor=actor, timestamp=self.now())
        if issue_id is not None and self._exists(issue_id):
            return issue_id, self._repeat(issue)  # a repeat: the first result
        try:
            return issue.id, self._save(issue)
        except Exception:
            if issue_id is not None and self._exists(issue_id):  # a concurrent repeat won
                return issue_id, self._repeat(issue)
            raise

    def _repeat(self, candidate: Issue) -> int:
        """The first result of a keyed request, if this is the same request; refused if not."""
        earlier: Issue = self._get(candidate.id, "issue")
        if _request_of(earlier) != _request_of(candidate):
            raise IdempotencyKeyReused("idempotency.key_reused", field="idempotencyKey")
        return self._position_of(candidate.id, 1)

    def dispatch_issue(
        self, issue_id: UUID, lead: str, assisting: Sequence[str], actor: Actor
    ) -> int:
        """派单: to registered departments only."""
        for field, department in [("leadDepartmentId", lead)] + [
            ("assistingDepartmentIds", d) for d in assisting
        ]:
            if not self._exists(department_aggregate_id(department)):
                raise InvalidInput("department.not_registered", field=field, value=department)
        return self._update(
            issue_id,
            "issue",
            lambda i: i.dispatch(lead, list(assisting), actor=actor, timestamp=self.now()),
        )

    def accept_issue(self, issue_id: UUID, department_id: str, actor: Actor) -> int:
        return self._update(
            issue_id, "issue", lambda i: i.accept(department_id, actor=actor, timestamp=self.now())
        )

    def refuse_dispatch(self, issue_id: UUID, department_id: str, reason: str, actor: Actor) -> int:
        return self._update(
            issue_id,
            "issue",
            lambda i: i.refuse_dispatch(department_id, reason, actor=actor, timestamp=self.now()),
        )

    def decline_issue(self, issue_id: UUID, reason: str, actor: Actor) -> int:
        return self._update(
            issue_id, "issue", lambda i: i.decline(reason, actor=actor, timestamp=self.now())
        )

    def record_progress(
        self, issue_id: UUID, department_id: str | None, note: str, actor: Actor
    ) -> int:
        def act(issue: Issue) -> None:
            _require_handling_department(issue, department_id, lead_only=False)
            issue.record_progress(note, actor=actor, timestamp=self.now())

        return self._update(issue_id, "issue", act)

    def suspend_issue(
        self, issue_id: UUID, department_id: str | None, reason: str, actor: Actor
    ) -> int:
        def act(issue: Issue) -> None:
            _require_handling_department(issue, department_id)
            issue.suspend(reason, actor=actor, timestamp=self.now())

        return self._update(issue_id, "issue", act)

    def resume_issue(self, issue_id: UUID, department_id: str | None, actor: Actor) -> int:
        def act(issue: Issue) -> None:
            _require_handling_department(issue, department_id)
            issue.resume(actor=actor, timestamp=self.now())

        return self._update(issue_id, "issue", act)

    def resolve_issue(
        self,
        issue_id: UUID,
        department_id: str | None,
        resolution: str,
        evidence: Sequence[str],
        actor: Actor,
    ) -> int:
        def act(issue: Issue) -> None:
            _require_handling_department(issue, department_id)
            issue.resolve(resolution, list(evidence), actor=actor, timestamp=self.now())

        return self._update(issue_id, "issue", act)

    def approve_closure(self, issue_id: UUID, note: str, actor: Actor) -> int:
        """审核通过; then the enterprise is sent its rating link (application/outreach.py)."""
        position = self._update(
            issue_id, "issue", lambda i: i.approve_closure(note, actor=actor, timestamp=self.now())
        )
        return self.after_closure_approved(issue_id, actor) or position

    def after_closure_approved(self, issue_id: UUID, actor: Actor) -> int | None:
        """A hook for what follows an approval (the rating link); nothing by default."""
        return None

    def return_for_rework(self, issue_id: UUID, reason: str, actor: Actor) -> int:
        return self._update(
            issue_id,
            "issue",
            lambda i: i.return_for_rework(reason, actor=actor, timestamp=self.now()),
        )

    def evaluate_issue(
        self, issue_id: UUID, satisfaction: str, comment: str | None, actor: Actor
    ) -> int:
        def act(issue: Issue) -> None:
            if satisfaction == "UNRATED":
                issue.close_unrated(actor=actor, timestamp=self.now())
            else:
                issue.evaluate(satisfaction, comment, actor=actor, timestamp=self.now())

        return self._update(issue_id, "issue", act)

    def reopen_issue(self, issue_id: UUID, reason: str, actor: Actor) -> int:
        return self._update(
            issue_id, "issue", lambda i: i.reopen(reason, actor=actor, timestamp=self.now())
        )

    def escalate_issue(self, issue_id: UUID, level: str, note: str, actor: Actor) -> int:
        return self._update(
            issue_id, "issue", lambda i: i.escalate(level, note, actor=actor, timestamp=self.now())
        )

    def get_issue(self, issue_id: UUID) -> Issue:
        issue = self._get(issue_id, "issue")
        if not isinstance(issue, Issue):
            raise NotFound("not_found", what=t("what.issue"), id=issue_id)
        return issue


def _require_handling_department(
    issue: Issue, department_id: str | None, *, lead_only: bool = True
) -> None:
    """A department acts only on issues dispatched to it (progress: lead or assisting)."""
    if department_id is None:
        return
    allowed = {issue.lead_department_id} | (
        set() if lead_only else set(issue.assisting_department_ids)
    )
    if department_id not in allowed:
        raise Forbidden("issue.not_departments")


def _request_of(issue: Issue) -> tuple[object, ...]:
    """What a raise request asked for, as the aggregate recorded it (normalised alike)."""
    return (
        issue.kind,
        issue.category,
        issue.title,
        issue.description,
        issue.enterprise_id,
        issue.visit_id,
        issue.reporting_point_id,
    )
