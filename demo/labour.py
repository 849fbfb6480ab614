"""Labour situations (用工需求) in the demo year: recorded on visits, plausible for each
industry cluster; vacancy lines filled by channel, urgent ones turned into demands whose
closing records the placements, now and then a record corrected.

Its own random generator and office clock: the rest of the year draws exactly what it drew
before labour data existed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID

from application.labour import RecordLabour
from demo.cast import Enterprise
from demo.issues import IssueStories
from demo.reference import DISTRICT_INFO
from demo.timing import Office

# Each cluster's typical vacancies: (occupation, monthly wage range in yuan, skill level).
_Job = tuple[str, tuple[int, int], str]
CLUSTER_JOBS: dict[str, tuple[_Job, ...]] = {
    "新一代电子信息制造业": (
        ("OCC-ELECTRONIC-ASSEMBLER", (4500, 6500), "ANY"),
        ("OCC-SMT-OPERATOR", (5000, 7000), "LEVEL_5"),
        ("OCC-SEMICONDUCTOR-OPERATOR", (6000, 9000), "LEVEL_4"),
        ("OCC-QUALITY-INSPECTOR", (4500, 6000), "LEVEL_5"),
        ("OCC-GENERAL-WORKER", (4200, 5800), "ANY"),
    ),
    "智能网联新能源汽车": (
        ("OCC-AUTO-ASSEMBLER", (5500, 8000), "LEVEL_4"),
        ("OCC-BATTERY-MAKER", (5500, 8500), "LEVEL_5"),
        ("OCC-WELDER", (6500, 10000), "LEVEL_3"),
        ("OCC-AUTO-ELECTRONICS", (6000, 9000), "LEVEL_4"),
        ("OCC-GENERAL-WORKER", (4500, 6000), "ANY"),
    ),
    "智能装备及智能制造": (
        ("OCC-CNC-MACHINIST", (6500, 10000), "LEVEL_3"),
        ("OCC-FITTER", (6000, 9000), "LEVEL_4"),
        ("OCC-ROBOT-OPERATOR", (7000, 11000), "LEVEL_3"),
        ("OCC-ELECTRICIAN", (5500, 8000), "LEVEL_4"),
        ("OCC-WELDER", (6500, 9500), "LEVEL_4"),
    ),
    "先进材料": (
        ("OCC-CHEMICAL-OPERATOR", (5500, 8000), "LEVEL_4"),
        ("OCC-ALUMINIUM-OPERATOR", (5500, 8500), "LEVEL_4"),
        ("OCC-EQUIPMENT-MAINTAINER", (6000, 9000), "LEVEL_3"),
        ("OCC-GENERAL-WORKER", (4500, 6000), "ANY"),
    ),
    "生物医药": (
        ("OCC-PHARMA-OPERATOR", (5000, 7500), "LEVEL_5"),
        ("OCC-LAB-TECHNICIAN", (5500, 8000), "LEVEL_4"),
        ("OCC-DEVICE-ASSEMBLER", (4800, 6800), "ANY"),
        ("OCC-QUALITY-INSPECTOR", (5000, 7000), "LEVEL_4"),
    ),
    "软件信息服务": (
        ("OCC-SOFTWARE-DEVELOPER", (9000, 18000), "ANY"),
        ("OCC-DATA-LABELLER", (4000, 5500), "ANY"),
        ("OCC-NETWORK-TECHNICIAN", (6000, 9000), "LEVEL_4"),
    ),
    "食品及农产品加工": (
        ("OCC-FOOD-PROCESSOR", (4000, 5500), "ANY"),
        ("OCC-HOTPOT-SEASONING", (4200, 6000), "LEVEL_5"),
        ("OCC-WAREHOUSE-KEEPER", (4000, 5500), "ANY"),
        ("OCC-GENERAL-WORKER", (3800, 5000), "ANY"),
    ),
    "消费品": (
        ("OCC-SEWING-OPERATOR", (4200, 6500), "LEVEL_5"),
        ("OCC-FURNITURE-MAKER", (4800, 7000), "LEVEL_4"),
        ("OCC-SALES", (4000, 8000), "ANY"),
        ("OCC-GENERAL-WORKER", (3800, 5200), "ANY"),
    ),
    "现代服务业": (
        ("OCC-COURIER", (5000, 8000), "ANY"),
        ("OCC-DRIVER", (6000, 9000), "ANY"),
        ("OCC-WAREHOUSE-KEEPER", (4200, 6000), "ANY"),
        ("OCC-HR-SERVICE", (4500, 7000), "LEVEL_4"),
        ("OCC-SALES", (4000, 8000), "ANY"),
    ),
}
# How hard each cluster finds hiring (the plan's priority clusters are the hungriest).
CLUSTER_PRESSURE = {
    "智能网联新能源汽车": 1.6, "新一代电子信息制造业": 1.5, "智能装备及智能制造": 1.2,
    "先进材料": 1.0, "生物医药": 0.9, "软件信息服务": 0.8, "食品及农产品加工": 1.0,
    "消费品": 1.1, "现代服务业": 0.9,
}  # fmt: skip
EMPLOYEES_BY_SIZE = {"大型": (800, 3000), "中型": (150, 600), "小型": (30, 150), "微型": (5, 30)}
# Hiring peaks after the Spring Festival (节后招工) and in 金九银十.
SEASON = {1: 1.1, 2: 1.7, 3: 1.5, 4: 1.1, 5: 0.9, 6: 0.9, 7: 0.8, 8: 0.9, 9: 1.2, 10: 1.2,
          11: 0.9, 12: 0.8}  # fmt: skip
CHANNEL_NAMES = {"JOB_FAIR": "招聘会", "JOB_PLATFORM": "渝职聘平台", "LABOUR_COOPERATION": "劳务协作",
                 "TRAINING": "培训后上岗"}  # fmt: skip
CHANNELS = {"JOB_FAIR": 4, "JOB_PLATFORM": 5, "LABOUR_COOPERATION": 2, "TRAINING": 2}
SEASONAL_NOTE = "另有季节性用工需求，岗位尚未发布"


@dataclass
class Needs:
    """The simulation's memory of one enterprise's labour data."""

    employees: int
    record_id: str | None = None
    lines: dict[str, dict[str, Any]] = field(default_factory=dict)
    demands: dict[str, UUID] = field(default_factory=dict)  # line → issue
    records: int = 0


class LabourStories(IssueStories):
    """The commissioners' labour records, the placements and the hiring demands."""

    def _labour_rng(self) -> tuple[random.Random, Office]:
        if not hasattr(self, "_labour_random"):
            self._labour_random = random.Random(self.seed * 1_000 + 19)
            self._labour_office = Office(self.office.calendar, self._labour_random)
            self._needs: dict[str, Needs] = {}
        return self._labour_random, self._labour_office

    def _after_visit(self, enterprise: Enterprise, visit_id: str, visited_at: datetime) -> None:
        """Most visits ask about hiring (稳岗扩岗): about half record the situation."""
        rng, _ = self._labour_rng()
        if enterprise.id is None or not enterprise.servable or rng.random() >= 0.5:
            return
        low, high = EMPLOYEES_BY_SIZE.get(enterprise.size, (30, 150))
        needs = self._needs.setdefault(enterprise.uscc, Needs(rng.randint(low, high)))
        needs.employees = max(
            1, needs.employees + rng.randint(-needs.employees // 20, needs.employees // 15)
        )
        lines = self._lines(enterprise, needs, visited_at)
        total = sum(line["count"] for line in lines)
        extra = rng.randint(1, max(1, total // 3)) if total and rng.random() < 0.15 else 0
        record_id = f"demo-{self.seed}-labour-{enterprise.uscc}-{needs.records + 1}"
        self.app.record_labour(
            RecordLabour(
                enterprise_id=enterprise.id, employees=needs.employees, shortfall=total + extra,
                lines=lines, shortfall_note=SEASONAL_NOTE if extra else None,
                visit_id=visit_id, record_id=record_id,
            ),
            enterprise.commissioner,
        )  # fmt: skip
        needs.records += 1
        needs.record_id = record_id
        needs.lines = {str(line["line_id"]): line for line in lines}
        self._follow_up_lines(enterprise, needs)

    def _lines(
        self, enterprise: Enterprise, needs: Needs, visited_at: datetime
    ) -> list[dict[str, Any]]:
        """Lines carried over (most; always those with a demand) and maybe new ones."""
        rng, _ = self._labour_rng()
        kept = [
            line for line_id, line in needs.lines.items()
            if line_id in needs.demands or rng.random() < 0.7
        ]  # fmt: skip
        jobs = CLUSTER_JOBS.get(enterprise.industry, CLUSTER_JOBS["现代服务业"])
        pressure = CLUSTER_PRESSURE.get(enterprise.industry, 1.0) * SEASON[visited_at.month]
        wanted = rng.random() < min(0.9, 0.45 * pressure)
        held = {str(line["occupation_code"]) for line in kept}
        if wanted:
            for code, (wage_low, wage_high), skill in rng.sample(jobs, rng.randint(1, 2)):
                if code in held:
                    continue
                scale = max(1, needs.employees // 40)
                kept.append({
                    "line_id": f"demo-{self.seed}-line-{enterprise.uscc}-{rng.getrandbits(32):08x}",
                    "occupation_code": code,
                    "count": max(1, round(rng.randint(1, 6) * scale * pressure / 2)),
                    "wage_min": wage_low, "wage_max": wage_high, "skill_level": skill,
                    "needed_by": visited_at.date() + timedelta(days=rng.choice([14, 30, 45, 60])),
                })  # fmt: skip
        return [
            {**line, "needed_by": _not_before(line["needed_by"], visited_at.date())}
            for line in kept
        ]

    def _follow_up_lines(self, enterprise: Enterprise, needs: Needs) -> None:
        """New lines: some filled by the commissioner later, some (big, urgent) become demands;
        now and then the record is corrected the next working day."""
        rng, office = self._labour_rng()
        now = self.clock.now()
        for line_id, line in needs.lines.items():
            if line_id in needs.demands:
                continue
            chance = rng.random()
            if chance < 0.08 and line["count"] >= 5:
                self.agenda.at(
                    office.after_hours(now, 0.2, 3),
                    partial(self._vacancy_demand, enterprise, line_id),
                )
            elif chance < 0.45:
                later = office.after_working_days(now, 5, 40)
                self.agenda.at(later, partial(self._fill, enterprise, line_id))
        if rng.random() < 0.04 and needs.lines:
            record_id = needs.record_id
            self.agenda.at(
                office.after_working_days(now, 1, 1),
                partial(self._correct_labour, enterprise, record_id),
            )

    def _fill(self, enterprise: Enterprise, line_id: str) -> None:
        rng, _ = self._labour_rng()
        needs = self._needs[enterprise.uscc]
        line = needs.lines.get(line_id)
        if enterprise.id is None or enterprise.status == "CLOSED" or line is None:
            return  # no longer open: a later record left it out
        if line_id in needs.demands:
            return
        channel = rng.choices(list(CHANNELS), weights=list(CHANNELS.values()))[0]
        placed = rng.randint(max(1, line["count"] // 2), line["count"])
        self.app.fill_vacancy(enterprise.id, line_id, placed, channel, enterprise.commissioner)
        del needs.lines[line_id]

    def _correct_labour(self, enterprise: Enterprise, record_id: str | None) -> None:
        needs = self._needs[enterprise.uscc]
        if enterprise.id is None or enterprise.status == "CLOSED" or record_id != needs.record_id:
            return
        if not needs.lines:
            return
        lines = [dict(line) for line in needs.lines.values()]
        lines[0]["count"] = lines[0]["count"] + 1
        self.app.correct_labour(
            RecordLabour(
                enterprise_id=enterprise.id, employees=needs.employees,
                shortfall=sum(line["count"] for line in lines), lines=lines,
                record_id=record_id,
            ),
            "补记：企业当天追加 1 个岗位需求",
            enterprise.commissioner,
        )  # fmt: skip
        needs.lines = {str(line["line_id"]): line for line in lines}

    # ------------------------------------------------------------ demands from vacancies

    def _vacancy_demand(self, enterprise: Enterprise, line_id: str) -> None:
        """紧急用工: raised from the line, dispatched to the district's bureau with the
        employment office assisting, accepted within hours, closed with its placements."""
        _, office = self._labour_rng()
        needs = self._needs[enterprise.uscc]
        if enterprise.id is None or not enterprise.servable or line_id not in needs.lines:
            return
        if line_id in needs.demands:
            return
        issue_id, _ = self.app.raise_vacancy_demand(
            enterprise.id,
            line_id,
            "URGENT_HIRING",
            enterprise.commissioner,
            f"demo-{self.seed}-vacancy-{line_id}",
        )
        needs.demands[line_id] = issue_id
        lead = self.departments[f"dist-{DISTRICT_INFO[enterprise.district][1]}"]
        supervisor = self.supervisors[0]
        steps = [
            (
                0.3,
                _step(self.app.dispatch_issue, issue_id, lead.id, ["hrss-employment"], supervisor),
            ),
            (1.5, _step(self.app.accept_issue, issue_id, lead.id, lead.handler)),
            (40.0, lambda: self._close_vacancy_demand(enterprise, line_id, issue_id, lead.id)),
        ]
        moment = self.clock.now()
        for hours, step in steps:
            moment = office.after_clock_hours(moment, hours * 0.5, hours)
            self.agenda.at(moment, step)

    def _close_vacancy_demand(
        self, enterprise: Enterprise, line_id: str, issue_id: UUID, lead_id: str
    ) -> None:
        rng, _ = self._labour_rng()
        needs = self._needs[enterprise.uscc]
        line = needs.lines.get(line_id)
        if line is None or enterprise.status == "CLOSED":
            return
        handler = self.departments[lead_id].handler
        channel = rng.choice(["LABOUR_COOPERATION", "JOB_FAIR", "TRAINING"])
        placed = line["count"]
        self.app.resolve_hiring_demand(
            issue_id,
            lead_id,
            f"经{CHANNEL_NAMES[channel]}推荐，已安置 {placed} 人",
            placed,
            channel,
            handler,
        )
        del needs.lines[line_id]
        del needs.demands[line_id]
        _, office = self._labour_rng()
        supervisor = self.supervisors[0]
        approved_at = office.after_hours(self.clock.now(), 2, 20)
        self.agenda.at(
            approved_at, _step(self.app.approve_closure, issue_id, "安置人员已到岗", supervisor)
        )
        self.agenda.at(
            office.after_hours(approved_at, 4, 30),
            _step(self.app.evaluate_issue, issue_id, "SATISFIED", "招工及时", supervisor),
        )


def _step(command: Callable[..., object], *args: object) -> Callable[[], None]:
    """An agenda step: the command, its answer (a position) dropped."""

    def step() -> None:
        command(*args)

    return step


def _not_before(value: object, day: date) -> object:
    return value if isinstance(value, date) and value >= day else day
