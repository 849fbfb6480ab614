"""The deadline watcher's command: fire what is due on one issue, by the system actor."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.commands import MAX_ATTEMPTS, CommandsBase
from domain.deadline_alerts import Alert, AlertPolicy
from domain.issue import Issue
from domain.messages import t
from domain.shared import SYSTEM_ACTOR, Conflict, NotFound
from domain.time_limits import SlaPolicy, WorkingCalendar


class AlertCommands(CommandsBase):
    def fire_due_alerts(
        self,
        issue_id: UUID,
        now: datetime,
        sla: SlaPolicy,
        calendar: WorkingCalendar,
        policy: AlertPolicy,
    ) -> list[Alert]:
        """Get, act, save: the issue decides what is due and what already fired, so a watcher
        that repeats itself, or races another one, writes each threshold once. A version clash
        (another watcher, or a person, wrote meanwhile) reloads and decides again."""
        for _ in range(MAX_ATTEMPTS):
            issue = self._get(issue_id, "issue")
            if not isinstance(issue, Issue):
                raise NotFound("not_found", what=t("what.issue"), id=issue_id)
            fired = issue.fire_due_alerts(
                now=now, sla=sla, calendar=calendar, policy=policy, actor=SYSTEM_ACTOR
            )
            if not fired:
                return []
            try:
                self._save(issue)
            except IntegrityError:
                continue
            return fired
        raise Conflict("conflict.kept_changing", what=t("what.issue"), id=issue_id)
