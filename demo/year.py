"""The year's schedule: reference data, onboarding and visits, relationship changes and
policy events, played on the agenda; DemoYear is the whole simulation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial

from application.enterprises import LogVisit, RegisterEnterprise
from demo.cast import Department, Enterprise, Point, person_name, phone_number
from demo.labour import LabourStories
from demo.reference import CHANNEL_WEIGHTS, EVENT_TITLES, TITLES, TOPICS
from demo.timing import OFFICE_OPENS
from domain.shared import BEIJING_TIME, Actor


class DemoYear(LabourStories):
    """The simulation: builds the cast, schedules the year and runs it against `app`."""

    # ------------------------------------------------------------ running

    def run(self) -> int:
        """Schedule the year and play it; returns how many actions ran."""
        self._schedule_reference_data()
        self._schedule_onboarding()
        self._schedule_relationship_changes()
        self._schedule_policy_events()
        self._schedule_direct_reports()
        return self.agenda.run()

    # ------------------------------------------------------------ reference data

    def _schedule_reference_data(self) -> None:
        moment = datetime.combine(self.start.date(), OFFICE_OPENS, BEIJING_TIME)
        for department in self.departments.values():
            moment += timedelta(minutes=2)
            self.agenda.at(moment, partial(self._register_department, department))
        for point in self.points:
            moment += timedelta(minutes=2)
            self.agenda.at(moment, partial(self._register_point, point))

    def _register_department(self, department: Department) -> None:
        self.app.register_department(
            department.id, department.name, department.district, self.admin
        )

    def _register_point(self, point: Point) -> None:
        self.app.register_reporting_point(point.id, point.name, point.district, self.admin)

    # ------------------------------------------------------------ enterprises

    def _schedule_onboarding(self) -> None:
        for enterprise in self.enterprises:
            moment = self.office.moment_on(enterprise.onboard_on)
            self.agenda.at(moment, partial(self._register, enterprise))

    def _register(self, enterprise: Enterprise) -> None:
        command = RegisterEnterprise(
            uscc=enterprise.uscc, name=enterprise.name, district=enterprise.district,
            industry=enterprise.industry, size=enterprise.size, address=enterprise.address,
            contacts=[dict(enterprise.contact)],
        )  # fmt: skip
        enterprise.id, _ = self.app.register_enterprise(command, self.admin)
        enterprise.registered_at = self.clock.now()
        enterprise.status = "ACTIVE"
        assign_at = self.clock.now() + timedelta(minutes=self.rng.randrange(2, 30))
        self.agenda.at(assign_at, lambda: self._assign(enterprise))

    def _assign(self, enterprise: Enterprise) -> None:
        assert enterprise.id is not None
        commissioner = enterprise.commissioner
        reason = f"{self.scale.year}年企业服务包一对一服务名单"
        self.app.assign_commissioner(
            enterprise.id, commissioner.id, commissioner.name, reason, self.admin
        )
        first = self.office.after_working_days(self.clock.now(), 3, 20)
        self._schedule_visit(enterprise, first)

    def _schedule_visit(self, enterprise: Enterprise, visited_at: datetime) -> None:
        # Logged after the visit: later that day, or that evening.
        logged_at = visited_at + timedelta(minutes=self.rng.randrange(30, 240))
        self.agenda.at(logged_at, lambda: self._visit(enterprise, visited_at))

    def _visit(self, enterprise: Enterprise, visited_at: datetime) -> None:
        if enterprise.status == "CLOSED":
            return
        if not enterprise.servable:  # suspended: try again after a while
            self._schedule_visit(enterprise, self.office.after_working_days(visited_at, 10, 20))
            return
        planned = self.office.after_working_days(visited_at, *enterprise.cadence)
        visit_id = self._log_visit(enterprise, visited_at, self._channel(), planned.date())
        self._after_visit(enterprise, visit_id, visited_at)
        if self.rng.random() < 0.17:
            self._later_minutes(5, 40, lambda: self._raise_demand(enterprise, visit_id))
        if self.rng.random() < 0.03:  # a detail added to the record a day or two later
            correct_at = self.office.after_working_days(self.clock.now(), 1, 2)
            self.agenda.at(correct_at, partial(self._correct_visit, enterprise, visit_id))
        self._maybe_notify(enterprise)
        slip = 0 if self.rng.random() < 0.8 else self.rng.randint(3, 15)  # visits run late
        self._schedule_visit(enterprise, self.office.after_working_days(planned, slip, slip))

    def _correct_visit(self, enterprise: Enterprise, visit_id: str) -> None:
        if enterprise.id is None or enterprise.status == "CLOSED":
            return
        changes = {"follow_ups": ["补记：企业新增用工需求已登记"]}
        self.app.correct_visit(
            enterprise.id, visit_id, changes, "补充走访记录", enterprise.commissioner
        )

    def _channel(self) -> str:
        channels = list(CHANNEL_WEIGHTS)
        return self.rng.choices(channels, weights=list(CHANNEL_WEIGHTS.values()))[0]

    def _log_visit(
        self,
        enterprise: Enterprise,
        visited_at: datetime,
        channel: str,
        next_visit_on: date | None,
        topic: str | None = None,
    ) -> str:
        assert enterprise.id is not None
        topics = [topic] if topic else self.rng.sample(TOPICS, self.rng.randint(1, 3))
        policies = self.rng.sample(self.policies, self.rng.choice([0, 0, 1, 1, 2]))
        if channel == "EVENT":
            policies = self.rng.sample(self.policies, self.rng.randint(1, 3))
        visit_id, _ = self.app.log_visit(
            LogVisit(
                enterprise_id=enterprise.id, visited_at=visited_at, channel=channel,
                attendees=[enterprise.contact["name"], enterprise.commissioner.name],
                summary=f"{'、'.join(topics)}：了解企业情况，宣讲相关政策。",
                topics=topics, policies_explained=policies,
                follow_ups=["跟踪企业用工情况"] if self.rng.random() < 0.3 else [],
                next_visit_on=next_visit_on, idempotency_key=self._key("visit"),
            ),
            enterprise.commissioner,
        )  # fmt: skip
        return visit_id

    def _later_minutes(self, low: int, high: int, action: Callable[[], None]) -> None:
        self.agenda.at(self.clock.now() + timedelta(minutes=self.rng.randrange(low, high)), action)

    def _maybe_notify(self, enterprise: Enterprise) -> None:
        """告知 a policy now and then, and the enterprise confirms it (确认) days later."""
        fresh = [code for code in self.policies if code not in enterprise.notified]
        if not fresh or self.rng.random() >= 0.12:
            return
        assert enterprise.id is not None
        code = self.rng.choice(fresh)
        enterprise.notified.add(code)
        self.app.notify_policy(enterprise.id, code, "书面告知政策要点", enterprise.commissioner)
        confirm_at = self.office.after_working_days(self.clock.now(), 1, 5)
        self.agenda.at(confirm_at, lambda: self._confirm(enterprise, code))

    def _confirm(self, enterprise: Enterprise, code: str) -> None:
        if enterprise.status != "CLOSED" and enterprise.id is not None:
            self.app.confirm_policy(
                enterprise.id, code, enterprise.contact["name"], enterprise.commissioner
            )

    # ------------------------------------------------------------ relationship changes

    def _schedule_relationship_changes(self) -> None:
        """A few handovers (交接) mid-year, contact changes, a suspension and a closure."""
        early = [e for e in self.enterprises if e.onboard_on.month <= 2]
        count = max(1, len(early) // 30)
        picks = self.rng.sample(early, min(len(early), 4 * count))
        year = self.scale.year
        groups = [picks[i * count : (i + 1) * count] for i in range(4)]
        for enterprise in groups[0]:
            when = self.office.moment_on(date(year, 7, 1) + timedelta(days=self.rng.randrange(14)))
            self.agenda.at(when, partial(self._hand_over, enterprise))
        for enterprise in groups[1]:
            when = self.office.moment_on(date(year, 4, 1) + timedelta(days=self.rng.randrange(150)))
            self.agenda.at(when, partial(self._change_contacts, enterprise))
        for enterprise in groups[2]:
            when = self.office.moment_on(date(year, 4, 1) + timedelta(days=self.rng.randrange(60)))
            self.agenda.at(when, partial(self._suspend_relationship, enterprise))
        for enterprise in groups[3]:
            when = self.office.moment_on(date(year, 10, 8) + timedelta(days=self.rng.randrange(40)))
            self.agenda.at(when, partial(self._close, enterprise))
        for enterprise in groups[3][:1]:
            # Its contact, once service ended, asks to be forgotten (docs/erasure.md).
            self.agenda.at(
                self.office.moment_on(date(year, 12, 1)), partial(self._forget, enterprise)
            )

    def _hand_over(self, enterprise: Enterprise) -> None:
        others = [c for c in self.commissioners if c.id != enterprise.commissioner.id]
        if not others or enterprise.id is None or enterprise.status == "CLOSED":
            return
        successor = self.rng.choice(others)
        self.app.assign_commissioner(
            enterprise.id, successor.id, successor.name, "专员岗位调整，工作交接", self.admin
        )
        enterprise.commissioner = successor

    def _change_contacts(self, enterprise: Enterprise) -> None:
        if enterprise.id is None or enterprise.status == "CLOSED":
            return
        rng = self.rng
        enterprise.contact = {
            "name": person_name(rng), "phone": phone_number(rng), "title": rng.choice(TITLES)
        }  # fmt: skip
        self.app.change_contacts(enterprise.id, [dict(enterprise.contact)], self.admin)

    def _suspend_relationship(self, enterprise: Enterprise) -> None:
        if enterprise.id is None or not enterprise.servable:
            return
        self.app.suspend_relationship(enterprise.id, "企业停产整顿，暂停服务", self.admin)
        enterprise.status = "SUSPENDED"
        resume_at = self.office.after_working_days(self.clock.now(), 15, 30)
        self.agenda.at(resume_at, lambda: self._resume_relationship(enterprise))

    def _resume_relationship(self, enterprise: Enterprise) -> None:
        assert enterprise.id is not None
        self.app.resume_relationship(enterprise.id, self.admin)
        enterprise.status = "ACTIVE"

    def _close(self, enterprise: Enterprise) -> None:
        if enterprise.id is None or enterprise.status == "CLOSED":
            return
        self.app.close_relationship(enterprise.id, "企业迁出重庆，终止一对一服务", self.admin)
        enterprise.status = "CLOSED"

    def _forget(self, enterprise: Enterprise) -> None:
        if enterprise.id is None or enterprise.status != "CLOSED":
            return
        basis = "个人信息保护法第四十七条：服务终止后联系人申请删除个人信息"
        self.app.forget_person(enterprise.id, basis, self.admin)

    # ------------------------------------------------------------ policy events (政策宣传服务)

    def _schedule_policy_events(self) -> None:
        for commissioner in self.commissioners:
            first = date(self.scale.year, 2, 10) + timedelta(days=self.rng.randrange(35))
            self._schedule_policy_event(commissioner, self.office.moment_on(first))

    def _schedule_policy_event(self, commissioner: Actor, held_at: datetime) -> None:
        logged_at = held_at + timedelta(minutes=self.rng.randrange(60, 180))
        self.agenda.at(logged_at, partial(self._policy_event, commissioner, held_at))

    def _policy_event(self, commissioner: Actor, held_at: datetime) -> None:
        """A 座谈会 / 招聘会 / 宣讲会 with a few of the commissioner's enterprises: one EVENT
        visit each; then the next one in about a month."""
        invited = [
            e
            for e in self._commissioner_enterprises(commissioner)
            if e.servable and e.registered_at is not None and e.registered_at < held_at
        ]
        title = self.rng.choice(EVENT_TITLES)
        for enterprise in self.rng.sample(invited, min(len(invited), self.rng.randint(1, 3))):
            visit_id = self._log_visit(enterprise, held_at, "EVENT", None, topic=title)
            if self.rng.random() < 0.05:
                self._later_minutes(5, 60, partial(self._raise_demand, enterprise, visit_id))
        next_day = held_at.date() + timedelta(days=self.rng.randrange(24, 40))
        self._schedule_policy_event(commissioner, self.office.moment_on(next_day))
