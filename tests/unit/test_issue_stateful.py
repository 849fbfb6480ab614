"""Random command sequences against one Issue, checked against a small model of DOMAIN.md's
lifecycle: every command is either recorded as exactly one event and lands where the diagram
says, or refused with the error the model expects and leaves the stream as it was."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.issue import Issue
from domain.shared import (
    BEIJING_TIME,
    Actor,
    DomainError,
    Forbidden,
    InvalidInput,
    InvalidTransition,
)
from domain.time_limits import SlaPolicy, WeekdayCalendar

START = datetime(2025, 3, 3, 9, 0, tzinfo=BEIJING_TIME)

# The IssueStatus enum of api-contract.graphql, spelled out so a renamed status fails here.
CONTRACT_STATUSES = frozenset(
    {
        "RAISED",
        "DISPATCHED",
        "IN_PROGRESS",
        "SUSPENDED",
        "RESOLVED",
        "AWAITING_EVALUATION",
        "CLOSED",
        "DECLINED",
    }
)
OPEN = CONTRACT_STATUSES - {"CLOSED", "DECLINED"}

# "amy" appears twice: separation of duties must hold for the person, whatever the role.
ACTORS = (
    Actor(id="amy", name="Amy", role="DEPARTMENT"),
    Actor(id="amy", name="Amy", role="SUPERVISOR"),
    Actor(id="bob", name="Bob", role="SUPERVISOR"),
    Actor(id="cai", name="Cai", role="DEPARTMENT"),
    Actor(id="dan", name="Dan", role="ADMIN"),
)
DEPARTMENTS = ("hrss-a", "hrss-b", "hrss-c")

actors = st.sampled_from(ACTORS)
departments = st.sampled_from(DEPARTMENTS)
texts = st.sampled_from(["", "   ", "理由充分", "ok"])
valid = {"理由充分", "ok"}


class IssueLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = START
        self.history: list[object] = []
        # The model: what DOMAIN.md says the issue should look like.
        self.status = "RAISED"
        self.lead: str | None = None
        self.clock_started: datetime | None = None  # the resolution clock's (re)start
        self.resolver: str | None = None
        self.approved_at: datetime | None = None
        self.returns = 0
        self.unsatisfied = 0

    @initialize(
        kind=st.sampled_from(["ENTERPRISE_DEMAND", "DIRECT_REPORT"]),
        category=st.sampled_from(["RECRUITMENT", "URGENT_HIRING", "OTHER"]),
    )
    def raise_issue(self, kind: str, category: str) -> None:
        source = "enterprise_id" if kind == "ENTERPRISE_DEMAND" else "reporting_point_id"
        self.issue = Issue.raise_issue(
            kind=kind,
            category=category,
            title="title",
            description="description",
            actor=Actor(id="eve", name="Eve", role="COMMISSIONER"),
            timestamp=self.now,
            **{source: "source-1"},
        )
        self.history.extend(self.issue.collect_events())

    # ------------------------------------------------------------ driving

    def attempt(
        self,
        command: Callable[..., None],
        *args: object,
        actor: Actor,
        error: type[DomainError] | None,
        then: str | None = None,
    ) -> bool:
        """Run a command now; check it did what the model expected. True when it was recorded."""
        version = self.issue.version
        try:
            command(*args, actor=actor, timestamp=self.now)
        except DomainError as refused:
            assert type(refused) is error, (refused, error)
            assert self.issue.version == version
            assert self.issue.pending_events == []
            return False
        assert error is None, f"expected {error.__name__ if error else None}, nothing was refused"
        events = self.issue.collect_events()
        assert len(events) == 1
        recorded: Any = events[0]
        assert recorded.actor == actor
        assert recorded.timestamp == self.now
        assert self.issue.version == version + 1
        self.history.extend(events)
        self.status = then or self.status
        return True

    def expect(self, *allowed: str) -> type[DomainError] | None:
        return None if self.status in allowed else InvalidTransition

    @rule(minutes=st.integers(min_value=1, max_value=8 * 24 * 60))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @rule(
        moves=st.lists(
            st.tuples(st.integers(0, 7), actors, st.integers(0, 4 * 24 * 60)),
            min_size=1,
            max_size=6,
        )
    )
    def advance(self, moves: list[tuple[int, Actor, int]]) -> None:
        """Take the diagram's next steps with valid input, some time apart: random commands
        alone rarely get an issue past acceptance within a few dozen steps."""
        for branch, actor, minutes in moves:
            self.now += timedelta(minutes=minutes)
            self.next_step(branch, actor)
            self.check_every_invariant()

    def next_step(self, branch: int, actor: Actor) -> None:
        # Hypothesis favours small numbers, so the low branches walk towards closure.
        lead = self.lead or DEPARTMENTS[branch % len(DEPARTMENTS)]
        status = self.status
        if status == "RAISED":
            if branch == 7:
                self.decline("ok", actor)
            else:
                self.dispatch(lead, [], actor)
        elif status == "DISPATCHED":
            if branch >= 5:
                self.refuse_dispatch(lead, "ok", actor)
            else:
                self.accept(lead, actor)
        elif status == "IN_PROGRESS":
            if branch in (4, 5):
                self.suspend("ok", actor)
            elif branch == 6:
                self.record_progress("ok", actor)
            else:
                self.resolve("ok", ["a.pdf"] * (branch % 3), actor)
        elif status == "SUSPENDED":
            self.resume(actor)
        elif status == "RESOLVED":
            if branch > 5:
                self.return_for_rework("ok", actor)
            else:
                self.approve_closure("ok", actor)
        elif status == "AWAITING_EVALUATION":
            self.callback(branch, actor)
        else:
            self.reopen("ok", actor)

    def callback(self, branch: int, actor: Actor) -> None:
        if branch < 4:
            satisfaction = ("SATISFIED", "SATISFIED", "BASICALLY_SATISFIED", "UNSATISFIED")[branch]
            self.evaluate(satisfaction, actor)
            return
        assert self.approved_at is not None
        week_after = self.approved_at + timedelta(days=7)
        if branch < 6:
            # Nobody called back within the week: the supervisor may now close it unrated.
            self.now = max(self.now, week_after)
        elif branch == 6:
            self.now = max(self.now, week_after - timedelta(minutes=1))
        self.close_unrated(actor)

    @rule(lead=departments, assisting=st.lists(departments, max_size=2), actor=actors)
    def dispatch(self, lead: str, assisting: list[str], actor: Actor) -> None:
        error = self.expect("RAISED")
        if error is None and (lead in assisting or len(set(assisting)) < len(assisting)):
            error = InvalidInput
        if self.attempt(
            self.issue.dispatch, lead, assisting, actor=actor, error=error, then="DISPATCHED"
        ):
            self.lead = lead
            self.clock_started = self.now

    @rule(department=departments, actor=actors)
    def accept(self, department: str, actor: Actor) -> None:
        error = self.expect("DISPATCHED")
        if error is None and department != self.lead:
            error = Forbidden
        self.attempt(self.issue.accept, department, actor=actor, error=error, then="IN_PROGRESS")

    @rule(department=departments, reason=texts, actor=actors)
    def refuse_dispatch(self, department: str, reason: str, actor: Actor) -> None:
        error = self.expect("DISPATCHED")
        if error is None and department != self.lead:
            error = Forbidden
        if error is None and reason not in valid:
            error = InvalidInput
        refused = self.issue.refuse_dispatch
        if self.attempt(refused, department, reason, actor=actor, error=error, then="RAISED"):
            self.lead = None
            self.clock_started = None

    @rule(reason=texts, actor=actors)
    def decline(self, reason: str, actor: Actor) -> None:
        error = self.expect("RAISED") or (None if reason in valid else InvalidInput)
        self.attempt(self.issue.decline, reason, actor=actor, error=error, then="DECLINED")

    @rule(note=texts, actor=actors)
    def record_progress(self, note: str, actor: Actor) -> None:
        error = self.expect("IN_PROGRESS") or (None if note in valid else InvalidInput)
        self.attempt(self.issue.record_progress, note, actor=actor, error=error)

    @rule(reason=texts, actor=actors)
    def suspend(self, reason: str, actor: Actor) -> None:
        error = self.expect("IN_PROGRESS") or (None if reason in valid else InvalidInput)
        self.attempt(self.issue.suspend, reason, actor=actor, error=error, then="SUSPENDED")

    @rule(actor=actors)
    def resume(self, actor: Actor) -> None:
        self.attempt(
            self.issue.resume, actor=actor, error=self.expect("SUSPENDED"), then="IN_PROGRESS"
        )

    @rule(resolution=texts, evidence=st.lists(st.sampled_from(["a.pdf", "b.jpg"])), actor=actors)
    def resolve(self, resolution: str, evidence: list[str], actor: Actor) -> None:
        error = self.expect("IN_PROGRESS") or (None if resolution in valid else InvalidInput)
        resolve = self.issue.resolve
        if self.attempt(resolve, resolution, evidence, actor=actor, error=error, then="RESOLVED"):
            self.resolver = actor.id

    @rule(note=texts, actor=actors)
    def approve_closure(self, note: str, actor: Actor) -> None:
        error = self.expect("RESOLVED") or (None if note in valid else InvalidInput)
        if error is None and actor.id == self.resolver:
            error = Forbidden
        if self.attempt(
            self.issue.approve_closure, note, actor=actor, error=error, then="AWAITING_EVALUATION"
        ):
            self.approved_at = self.now

    @rule(reason=texts, actor=actors)
    def return_for_rework(self, reason: str, actor: Actor) -> None:
        error = self.expect("RESOLVED") or (None if reason in valid else InvalidInput)
        if self.attempt(
            self.issue.return_for_rework, reason, actor=actor, error=error, then="IN_PROGRESS"
        ):
            self.returns += 1
            self.clock_started = self.now

    @rule(
        satisfaction=st.sampled_from(
            ["SATISFIED", "BASICALLY_SATISFIED", "UNSATISFIED", "UNRATED", "MEH"]
        ),
        actor=actors,
    )
    def evaluate(self, satisfaction: str, actor: Actor) -> None:
        error = self.expect("AWAITING_EVALUATION")
        if error is None and satisfaction in ("UNRATED", "MEH"):
            error = InvalidInput
        if error is None and actor.id == self.resolver:
            error = Forbidden
        unsatisfied = satisfaction == "UNSATISFIED"
        if self.attempt(
            self.issue.evaluate,
            satisfaction,
            actor=actor,
            error=error,
            then="IN_PROGRESS" if unsatisfied else "CLOSED",
        ):
            self.unsatisfied += unsatisfied
            self.clock_started = self.now if unsatisfied else self.clock_started

    @rule(actor=actors)
    def close_unrated(self, actor: Actor) -> None:
        error = self.expect("AWAITING_EVALUATION")
        if error is None:
            assert self.approved_at is not None
            if self.now - self.approved_at < timedelta(days=7):
                error = InvalidTransition
        self.attempt(self.issue.close_unrated, actor=actor, error=error, then="CLOSED")

    @rule(reason=texts, actor=actors)
    def reopen(self, reason: str, actor: Actor) -> None:
        error = self.expect("CLOSED", "DECLINED") or (None if reason in valid else InvalidInput)
        then = "IN_PROGRESS" if self.status == "CLOSED" else "RAISED"
        if self.attempt(self.issue.reopen, reason, actor=actor, error=error, then=then):
            self.clock_started = self.now if then == "IN_PROGRESS" else self.clock_started

    @rule(level=st.sampled_from(["URGE", "SUPERVISE", "NOTIFY", "SHOUT"]), actor=actors)
    def escalate(self, level: str, actor: Actor) -> None:
        error = self.expect(*OPEN) or (None if level != "SHOUT" else InvalidInput)
        self.attempt(self.issue.escalate, level, "请加快", actor=actor, error=error)

    # ------------------------------------------------------------ invariants

    def check_every_invariant(self) -> None:
        self.status_is_a_contract_status_and_the_models()
        self.no_closure_is_approved_by_its_resolver()
        self.the_department_and_the_clock_are_the_models()
        self.deadlines_are_never_before_the_dispatch()
        self.rework_is_counted_from_returns_and_unsatisfied_evaluations()
        self.refusals_are_counted_per_department()
        self.the_history_rebuilds_the_issue()

    @invariant()
    def status_is_a_contract_status_and_the_models(self) -> None:
        assert self.issue.status.value in CONTRACT_STATUSES
        assert self.issue.status.value == self.status

    @invariant()
    def no_closure_is_approved_by_its_resolver(self) -> None:
        resolver: str | None = None
        for domain_event in self.history:
            if isinstance(domain_event, Issue.Resolved):
                resolver = domain_event.actor.id
            if isinstance(domain_event, Issue.ClosureApproved | Issue.Evaluated):
                assert domain_event.actor.id != resolver
        if self.issue.approver_id is not None:
            assert self.issue.approver_id != self.issue.resolver_id

    @invariant()
    def the_department_and_the_clock_are_the_models(self) -> None:
        assert self.issue.lead_department_id == self.lead
        assert self.issue.resolution_clock_started_at == self.clock_started

    @invariant()
    def deadlines_are_never_before_the_dispatch(self) -> None:
        deadlines = self.issue.deadlines(SlaPolicy(), WeekdayCalendar())
        dispatched_at = self.issue.dispatched_at
        if dispatched_at is None:
            assert deadlines.accept_due_at is None
            assert deadlines.resolve_due_at is None
            return
        assert deadlines.accept_due_at is not None
        assert deadlines.resolve_due_at is not None
        assert deadlines.accept_due_at > dispatched_at
        assert deadlines.resolve_due_at > dispatched_at
        assert self.clock_started is not None
        assert deadlines.resolve_due_at > self.clock_started

    @invariant()
    def rework_is_counted_from_returns_and_unsatisfied_evaluations(self) -> None:
        returns = sum(isinstance(e, Issue.ReturnedForRework) for e in self.history)
        unsatisfied = sum(
            isinstance(e, Issue.Evaluated) and e.satisfaction == "UNSATISFIED" for e in self.history
        )
        assert self.issue.rework_count == returns + unsatisfied
        assert self.issue.rework_count == self.returns + self.unsatisfied

    @invariant()
    def refusals_are_counted_per_department(self) -> None:
        refused = [e.department_id for e in self.history if isinstance(e, Issue.DispatchRefused)]
        assert list(self.issue.refusals) == refused
        assert self.issue.dispatch_refusal_count == len(refused)

    @invariant()
    def the_history_rebuilds_the_issue(self) -> None:
        rebuilt = None
        for domain_event in self.history:
            rebuilt = domain_event.mutate(rebuilt)  # type: ignore[attr-defined]
        assert rebuilt is not None
        assert rebuilt.__dict__ == self.issue.__dict__


IssueLifecycle.TestCase.settings = settings(max_examples=100, stateful_step_count=30, deadline=None)
TestIssueLifecycle = IssueLifecycle.TestCase
