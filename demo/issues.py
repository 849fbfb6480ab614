"""The issues' stories: demands raised after visits, direct reports, and each issue walked
through its scenario's steps (dispatch, accept, resolve, approve, evaluate and detours)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from uuid import UUID

from application.issues import RaiseDemand, SubmitDirectReport
from demo.cast import Department, Enterprise, IssueRun, Point, Step
from demo.reference import DISTRICT_INFO, LEADS
from demo.simulation import Simulation
from demo.texts import RESOLUTIONS, demand_text
from demo.timing import Delay


class IssueStories(Simulation):
    """Issues raised and worked: the part of the simulation that the supervisors and
    departments play."""

    _extension_requests = 0

    # ------------------------------------------------------------ issues

    def _raise_demand(self, enterprise: Enterprise, visit_id: str | None) -> None:
        if enterprise.id is None or enterprise.status == "CLOSED":
            return
        category = self.demand_categories.draw()
        title, description = demand_text(self.rng, category)
        issue_id, _ = self.app.raise_demand(
            RaiseDemand(
                enterprise_id=enterprise.id, category=category, title=title,
                description=description, visit_id=visit_id, idempotency_key=self._key("demand"),
            ),
            enterprise.commissioner,
        )  # fmt: skip
        self._start_issue(issue_id, category, enterprise.district)

    def _schedule_direct_reports(self) -> None:
        for point in self.points:
            first = date(self.scale.year, 1, 15) + timedelta(days=self.rng.randrange(45))
            self.agenda.at(self.office.moment_on(first), partial(self._report, point))

    def _report(self, point: Point) -> None:
        """直报: a problem from the point, sometimes about one enterprise of its district."""
        category = self.report_categories.draw()
        title, description = demand_text(self.rng, category)
        nearby = [e for e in self.enterprises if e.district == point.district and e.id]
        about = self.rng.choice(nearby) if nearby and self.rng.random() < 0.3 else None
        issue_id, _ = self.app.submit_direct_report(
            SubmitDirectReport(
                reporting_point_id=point.id, category=category, title=title,
                description=description, enterprise_id=about.id if about else None,
                idempotency_key=self._key("report"), reporter_phone=_point_phone(point.id),
            ),
            point.reporter,
        )  # fmt: skip
        self._start_issue(issue_id, category, about.district if about else point.district)
        next_at = self.clock.now().date() + timedelta(days=self.rng.randrange(35, 80))
        self.agenda.at(self.office.moment_on(next_at), lambda: self._report(point))

    def _start_issue(self, issue_id: UUID, category: str, district: str) -> None:
        lead, fallback, assisting = self._routing(category, district)
        run = IssueRun(issue_id, category, self.scenarios.draw(), lead, fallback, assisting)
        run.steps = self._script(run)
        self._next_step(run)

    def _routing(self, category: str, district: str) -> tuple[Department, Department, list[str]]:
        """Lead: the category's office, or the district's bureau; refused dispatches go to the
        other one. Hiring issues have the employment office assisting a district lead."""
        local = self.departments[f"dist-{DISTRICT_INFO[district][1]}"]
        office_id = LEADS[category]
        if office_id is None:
            office = self.departments["hrss-employment"]
            lead, other = (local, office) if self.rng.random() < 0.7 else (office, local)
        else:
            lead, other = self.departments[office_id], local
        employment = self.departments["hrss-employment"].id
        hiring = category in ("RECRUITMENT", "URGENT_HIRING")
        assisting = [employment] if hiring and lead.id != employment else []
        return lead, other, assisting

    def _next_step(self, run: IssueRun) -> None:
        if not run.steps:
            return
        delay, action = run.steps.pop(0)

        def step() -> None:
            action(run)
            self._next_step(run)

        self.agenda.at(delay(self.clock.now()), step)

    # Delays before a step, as the office keeps time.
    def _hours(self, low: float, high: float) -> Delay:
        return lambda moment: self.office.after_hours(moment, low, high)

    def _clock_hours(self, low: float, high: float) -> Delay:
        return lambda moment: self.office.after_clock_hours(moment, low, high)

    def _days(self, low: int, high: int) -> Delay:
        return lambda moment: self.office.after_working_days(moment, low, high)

    def _calendar_days(self, low: float, high: float) -> Delay:
        return lambda moment: self.office.after_days(moment, low, high)

    def _script(self, run: IssueRun) -> list[Step]:
        """The steps of the issue's scenario; each waits its delay after the last, then acts."""
        steps: list[Step] = []
        if run.scenario.startswith("declined"):
            steps.append((self._hours(2, 20), self._decline))
            if run.scenario == "declined":
                return steps
            steps.append((self._days(3, 10), self._reopen))
        return steps + self._handling(run) + self._closing(run)

    def _handling(self, run: IssueRun) -> list[Step]:
        """派单 → 接单 → 办理: dispatch (maybe refused), accept, progress, maybe suspend."""
        urgent = run.category == "URGENT_HIRING"
        steps: list[Step] = [
            (self._clock_hours(0.2, 1) if urgent else self._hours(0.5, 8), self._dispatch)
        ]
        if run.scenario == "refused":
            steps += [(self._hours(2, 6), self._refuse), (self._hours(1, 6), self._dispatch)]
        if run.scenario in ("late", "stalled"):
            steps += [(self._days(2, 4), self._accept), (self._days(2, 3), self._urge)]
        else:
            steps.append(
                (self._clock_hours(0.3, 3) if urgent else self._hours(0.5, 6), self._accept)
            )
        steps.append((self._days(1, 2), self._progress))
        if run.scenario == "suspended":
            steps += [
                (self._days(0, 1), self._suspend_issue),
                (self._calendar_days(3, 10), self._resume_issue),
            ]
        return steps

    def _closing(self, run: IssueRun) -> list[Step]:
        """办结 → 审核 → 回访: resolve, approve and evaluate, with the scenario's detours."""
        scenario = run.scenario
        if scenario == "stalled":  # never resolved: open and overdue at the year's end
            return [(self._days(5, 8), self._supervise), (self._days(5, 10), self._notify)]
        steps: list[Step]
        if scenario == "late":
            steps = [(self._days(3, 5), self._supervise), (self._days(6, 12), self._resolve)]
        else:
            quick = run.category == "URGENT_HIRING"
            steps = [(self._days(0, 1) if quick else self._days(1, 6), self._resolve)]
        if scenario == "rework":
            steps += [
                (self._days(1, 2), self._return_for_rework),
                (self._days(2, 5), self._resolve),
            ]
        steps.append((self._days(0, 2), self._approve))
        if scenario == "unrated":
            return [*steps, (self._calendar_days(7.2, 10), self._close_unrated)]
        if scenario == "unsatisfied":
            steps += [
                (self._days(1, 5), self._evaluate_unsatisfied),
                (self._days(3, 6), self._resolve),
            ]
            steps.append((self._days(0, 2), self._approve))
        steps.append((self._days(1, 5), self._evaluate))
        if scenario == "reopened":
            steps += [(self._days(5, 20), self._reopen), (self._days(2, 6), self._resolve)]
            steps += [(self._days(0, 2), self._approve), (self._days(1, 5), self._evaluate)]
        return steps

    def _dispatch(self, run: IssueRun) -> None:
        self.app.dispatch_issue(run.issue_id, run.lead.id, run.assisting, self._supervisor())

    def _refuse(self, run: IssueRun) -> None:
        reason = self.rng.choice(["不属于本单位职责范围，建议改派", "诉求涉及区县事权，请改派属地"])
        self.app.refuse_dispatch(run.issue_id, run.lead.id, reason, run.lead.handler)
        run.lead, run.fallback = run.fallback, run.lead
        run.assisting = [d for d in run.assisting if d != run.lead.id]

    def _accept(self, run: IssueRun) -> None:
        self.app.accept_issue(run.issue_id, run.lead.id, run.lead.handler)

    def _progress(self, run: IssueRun) -> None:
        note = self.rng.choice(["已电话联系企业了解详细情况", "已会同相关科室研究办理方案"])
        self.app.record_progress(run.issue_id, run.lead.id, note, run.lead.handler)

    def _suspend_issue(self, run: IssueRun) -> None:
        self._ask_for_more_time(run)
        reason = "等待企业补充材料"
        self.app.suspend_issue(run.issue_id, run.lead.id, reason, run.lead.handler)

    def _ask_for_more_time(self, run: IssueRun) -> None:
        """延期申请 before a suspension, still inside the deadline: every other issue's first
        request is refused and asked again with better reasons, then granted (five more days).
        Draws nothing from the random source."""
        app = self.app
        due = app.get_issue(run.issue_id).deadlines(app.sla, app.calendar).resolve_due_at
        if due is None or due <= self.clock.now():
            return
        lead, handler = run.lead.id, run.lead.handler
        self._extension_requests += 1
        if self._extension_requests % 2:
            app.request_extension(run.issue_id, lead, "工作量较大，申请延期办结", None, handler)
            app.refuse_extension(run.issue_id, "理由不充分，请说明具体原因", self._supervisor())
        reason = "需企业补充材料并会同相关科室研究，申请延期办结"
        app.request_extension(run.issue_id, lead, reason, None, handler)
        note = "同意延期，请在延期内办结"
        app.approve_extension(run.issue_id, due + timedelta(days=5), note, self._supervisor())

    def _resume_issue(self, run: IssueRun) -> None:
        self.app.resume_issue(run.issue_id, run.lead.id, run.lead.handler)

    def _resolve(self, run: IssueRun) -> None:
        evidence = ["办理情况说明.pdf"] if self.rng.random() < 0.6 else []
        self.app.resolve_issue(
            run.issue_id, run.lead.id, RESOLUTIONS[run.category], evidence, run.lead.handler
        )

    def _approve(self, run: IssueRun) -> None:
        self.app.approve_closure(run.issue_id, "经核实，办理结果属实", self._supervisor())

    def _return_for_rework(self, run: IssueRun) -> None:
        reason = "办理结果未附佐证材料，企业反映问题未实质解决"
        self.app.return_for_rework(run.issue_id, reason, self._supervisor())

    def _evaluate(self, run: IssueRun) -> None:
        satisfaction = "SATISFIED" if self.rng.random() < 0.82 else "BASICALLY_SATISFIED"
        self.app.evaluate_issue(run.issue_id, satisfaction, "回访企业", self._supervisor())

    def _evaluate_unsatisfied(self, run: IssueRun) -> None:
        comment = "企业表示问题尚未解决"
        self.app.evaluate_issue(run.issue_id, "UNSATISFIED", comment, self._supervisor())

    def _close_unrated(self, run: IssueRun) -> None:
        self.app.evaluate_issue(run.issue_id, "UNRATED", None, self._supervisor())

    def _decline(self, run: IssueRun) -> None:
        reason = "不属于人社部门职责，已告知企业向市场监管部门反映"
        self.app.decline_issue(run.issue_id, reason, self._supervisor())

    def _reopen(self, run: IssueRun) -> None:
        reason = "督导抽查发现问题仍未解决，重新办理"
        self.app.reopen_issue(run.issue_id, reason, self._supervisor())

    def _urge(self, run: IssueRun) -> None:
        self._escalate(run, "URGE", "超时未办结，请加快办理")

    def _supervise(self, run: IssueRun) -> None:
        self._escalate(run, "SUPERVISE", "列入督办事项，限期办结")

    def _notify(self, run: IssueRun) -> None:
        self._escalate(run, "NOTIFY", "逾期未办结，予以通报")

    def _escalate(self, run: IssueRun, level: str, note: str) -> None:
        self.app.escalate_issue(run.issue_id, level, note, self._supervisor())


def _point_phone(point_id: str) -> str:
    """A made-up phone number of the point's contact, for the progress lookup (/track)."""
    return "1380000" + f"{sum(map(ord, point_id)) % 10_000:04d}"
