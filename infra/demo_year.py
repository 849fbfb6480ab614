"""A realistic synthetic year of the enterprise service package (企业服务包), for demos.

`seed_demo` fills an empty store with a year (2025 by default) of what the bureau does: the
departments and direct-report points are registered, 410 enterprises across the districts are
onboarded from the annual list and given their commissioners, who visit them every few weeks
and hold policy events (座谈会, 招聘会, 政策宣讲), raise their demands; direct-report points
submit problems; supervisors dispatch, audit, call back and escalate; departments take, refuse,
suspend and resolve. Issues walk every path of the lifecycle.

It drives the real application commands, never writes events by hand. It is a discrete-event
simulation: an agenda of actions ordered by time, with the application's clock set to each
action's moment before it runs, so every event carries the time it would have happened (office
hours on China's working calendar) and the log is in time order. Everything random comes from
one seeded generator and every id is derived (credit codes, idempotency keys), so one seed
always writes the same log.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import random
import time as timer
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Protocol
from uuid import UUID
from zoneinfo import ZoneInfo

from application.enterprises import LogVisit, RegisterEnterprise
from application.issues import RaiseDemand, SubmitDirectReport
from application.service_package import ServicePackage
from domain.districts import DISTRICTS
from domain.shared import Actor, Role
from domain.time_limits import WorkingCalendar
from domain.uscc import ALPHABET, check_character
from infra.bootstrap import Container
from infra.policy_catalogue_loader import load_policy_catalogue
from infra.working_calendar import ChineseWorkingCalendar

CST = ZoneInfo("Asia/Shanghai")
OFFICE_OPENS = time(9, 0)
OFFICE_CLOSES = time(17, 30)

# ---------------------------------------------------------------- reference tables

# District → (administrative division code used in credit codes, id word for its bureau).
# The three functional areas have no division of their own: their enterprises' codes carry the
# district they sit in (两江新区 in 渝北, 高新区 in 九龙坡, 万盛 in 綦江).
DISTRICT_INFO: dict[str, tuple[str, str]] = {
    "万州区": ("500101", "wanzhou"), "黔江区": ("500114", "qianjiang"),
    "涪陵区": ("500102", "fuling"), "渝中区": ("500103", "yuzhong"),
    "大渡口区": ("500104", "dadukou"), "江北区": ("500105", "jiangbei"),
    "沙坪坝区": ("500106", "shapingba"), "九龙坡区": ("500107", "jiulongpo"),
    "南岸区": ("500108", "nanan"), "北碚区": ("500109", "beibei"),
    "綦江区": ("500110", "qijiang"), "大足区": ("500111", "dazu"),
    "渝北区": ("500112", "yubei"), "巴南区": ("500113", "banan"),
    "长寿区": ("500115", "changshou"), "江津区": ("500116", "jiangjin"),
    "合川区": ("500117", "hechuan"), "永川区": ("500118", "yongchuan"),
    "南川区": ("500119", "nanchuan"), "璧山区": ("500120", "bishan"),
    "铜梁区": ("500151", "tongliang"), "潼南区": ("500152", "tongnan"),
    "荣昌区": ("500153", "rongchang"), "开州区": ("500154", "kaizhou"),
    "梁平区": ("500155", "liangping"), "武隆区": ("500156", "wulong"),
    "城口县": ("500229", "chengkou"), "丰都县": ("500230", "fengdu"),
    "垫江县": ("500231", "dianjiang"), "忠县": ("500233", "zhongxian"),
    "云阳县": ("500235", "yunyang"), "奉节县": ("500236", "fengjie"),
    "巫山县": ("500237", "wushan"), "巫溪县": ("500238", "wuxi"),
    "石柱土家族自治县": ("500240", "shizhu"), "秀山土家族苗族自治县": ("500241", "xiushan"),
    "酉阳土家族苗族自治县": ("500242", "youyang"), "彭水苗族土家族自治县": ("500243", "pengshui"),
    "两江新区": ("500112", "liangjiang"), "西部科学城重庆高新区": ("500107", "gaoxin"),
    "万盛经开区": ("500110", "wansheng"),
}  # fmt: skip

# The central districts and functional areas hold more of the list than the outer counties.
BUSY_DISTRICTS = frozenset(
    {"渝中区", "江北区", "沙坪坝区", "九龙坡区", "南岸区", "渝北区", "巴南区", "北碚区",
     "两江新区", "西部科学城重庆高新区", "江津区", "永川区", "璧山区", "涪陵区", "万州区"}
)  # fmt: skip

# The bureau's offices a supervisor dispatches to; the first is the dev token's department.
MUNICIPAL_DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("hrss-employment", "市人力社保局就业促进和失业保险处"),
    ("hrss-talent", "市人力社保局人才开发处"),
    ("hrss-skills", "市人力社保局职业能力建设处"),
    ("hrss-labor-relations", "市人力社保局劳动关系处"),
    ("hrss-social-insurance", "市社会保险事务中心"),
    ("hrss-entrepreneurship", "市就业服务管理局创业服务科"),
    ("hrss-approval", "市人力社保局行政审批处"),
    ("hrss-policy", "市人力社保局政策法规处"),
    ("hrss-arbitration", "市劳动人事争议仲裁院"),
    ("hrss-inspection", "市劳动保障监察总队"),
    ("hrss-titles", "市人力社保局专业技术人员管理处"),
)

# 直报点: parks, associations, district offices, large employers (id, name, district).
REPORTING_POINTS: tuple[tuple[str, str, str], ...] = (
    ("rp-liangjiang", "两江新区营商环境直报点", "两江新区"),
    ("rp-gaoxin", "西部科学城重庆高新区直报点", "西部科学城重庆高新区"),
    ("rp-wansheng", "万盛经开区直报点", "万盛经开区"),
    ("rp-fcci", "重庆市工商业联合会", "渝中区"),
    ("rp-sme-assoc", "重庆市中小企业协会", "渝中区"),
    ("rp-private-assoc", "重庆市民营经济发展促进会", "江北区"),
    ("rp-hr-assoc", "重庆市人力资源服务行业协会", "渝北区"),
    ("rp-auto-assoc", "重庆市汽车工业协会", "两江新区"),
    ("rp-electronics-assoc", "重庆市电子信息产业协会", "西部科学城重庆高新区"),
    ("rp-software-park", "重庆软件园", "渝北区"),
    ("rp-xiyong-park", "西永微电子产业园", "沙坪坝区"),
    ("rp-jiulongpo-park", "九龙工业园区", "九龙坡区"),
    ("rp-banan-park", "巴南经济园区", "巴南区"),
    ("rp-beibei-park", "北碚蔡家组团产业园", "北碚区"),
    ("rp-changshou-park", "长寿经济技术开发区", "长寿区"),
    ("rp-fuling-park", "涪陵高新区", "涪陵区"),
    ("rp-yongchuan-park", "永川高新区", "永川区"),
    ("rp-bishan-park", "璧山高新区", "璧山区"),
    ("rp-jiangjin-park", "江津综合保税区", "江津区"),
    ("rp-hechuan-park", "合川工业园区", "合川区"),
    ("rp-wanzhou-park", "万州经济技术开发区", "万州区"),
    ("rp-rongchang-park", "荣昌高新区", "荣昌区"),
    ("rp-dazu-park", "大足高新区", "大足区"),
    ("rp-tongliang-park", "铜梁高新区", "铜梁区"),
    ("rp-nanan-office", "南岸区营商环境服务中心", "南岸区"),
    ("rp-yuzhong-office", "渝中区政务服务中心", "渝中区"),
    ("rp-kaizhou-office", "开州区营商环境办", "开州区"),
    ("rp-qianjiang-office", "黔江区营商环境办", "黔江区"),
    ("rp-changan", "重庆长安汽车股份有限公司", "江北区"),
    ("rp-boe", "重庆京东方光电科技有限公司", "两江新区"),
)

# Industry (as the bureau's lists write it, Chongqing's 33618 clusters) → words for names.
INDUSTRIES: dict[str, tuple[str, ...]] = {
    "新一代电子信息制造业": ("电子科技", "光电科技", "半导体", "智能终端"),
    "智能网联新能源汽车": ("汽车零部件", "新能源汽车", "动力电池", "汽车电子"),
    "智能装备及智能制造": ("智能装备", "精密机械", "数控设备", "机器人"),
    "先进材料": ("新材料", "铝业", "复合材料", "化工"),
    "生物医药": ("医药", "生物科技", "医疗器械", "制药"),
    "软件信息服务": ("软件", "信息技术", "数据科技", "网络科技"),
    "食品及农产品加工": ("食品", "火锅食品", "农业科技", "调味品"),
    "消费品": ("服饰", "家居", "日化", "文化用品"),
    "现代服务业": ("物流", "人力资源服务", "商贸", "会展服务"),
}
BRAND_FIRST = "渝巴山江华瑞博新城金宏嘉鼎恒德盛蜀龙昌佳"
BRAND_SECOND = "源通科恒联信达泰盛鑫创航森远润隆辉成益凯"
COMPANY_FORMS = ("有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司")
SIZES = (("大型", 1), ("中型", 3), ("小型", 5), ("微型", 2))
ROADS = ("金开大道", "黄山大道", "科园一路", "渝州路", "星光大道", "学府大道", "工业园区大道",
         "滨江路", "龙溪路", "西永大道", "双龙大道", "同茂大道")  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林谭冉向秦蒋唐邓"
GIVEN = ("伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "涛", "明", "超",
         "秀英", "小红", "建华", "志强", "海燕", "晓东", "丽娟", "文博", "思远", "雨婷")  # fmt: skip
TITLES = ("人事经理", "行政主管", "总经理", "办公室主任", "人力资源总监", "财务经理")
MOBILE_PREFIXES = ("133", "135", "136", "138", "139", "150", "152", "158", "177", "186", "189")

TOPICS = ("用工需求", "社保缴费", "稳岗返还", "技能培训", "人才引进", "劳动关系", "创业扶持",
          "职称评审", "高校毕业生招聘", "薪酬调查", "工伤保险", "政策申报")  # fmt: skip
EVENT_TITLES = ("稳岗政策宣讲会", "春风行动专场招聘会", "企业用工座谈会", "就业创业政策直通车",
                "高校毕业生就业对接会", "技能人才培养交流会", "人社政策进园区")  # fmt: skip
CHANNEL_WEIGHTS = {"ON_SITE": 55, "PHONE": 30, "VIDEO": 15}

DEMAND_CATEGORIES = {
    "RECRUITMENT": 22, "POLICY_CONSULTATION": 18, "SOCIAL_INSURANCE": 12, "SKILLS_TRAINING": 10,
    "TALENT_AND_TITLES": 8, "URGENT_HIRING": 6, "LABOR_RELATIONS": 6,
    "APPROVAL_COORDINATION": 6, "ENTREPRENEURSHIP": 5, "BUSINESS_ENVIRONMENT": 4, "OTHER": 3,
}  # fmt: skip
REPORT_CATEGORIES = {
    "BUSINESS_ENVIRONMENT": 40, "APPROVAL_COORDINATION": 15, "SOCIAL_INSURANCE": 15,
    "LABOR_RELATIONS": 10, "RECRUITMENT": 10, "OTHER": 10,
}  # fmt: skip
# Category → the municipal office that leads it; None: the enterprise's district bureau.
LEADS: dict[str, str | None] = {
    "RECRUITMENT": None, "URGENT_HIRING": None, "POLICY_CONSULTATION": None,
    "SOCIAL_INSURANCE": "hrss-social-insurance", "SKILLS_TRAINING": "hrss-skills",
    "TALENT_AND_TITLES": "hrss-titles", "LABOR_RELATIONS": "hrss-labor-relations",
    "APPROVAL_COORDINATION": "hrss-approval", "ENTREPRENEURSHIP": "hrss-entrepreneurship",
    "BUSINESS_ENVIRONMENT": "hrss-policy", "OTHER": "hrss-policy",
}  # fmt: skip
JOBS = ("数控技工", "焊工", "普工", "电工", "质检员", "软件工程师", "叉车司机", "装配工", "营业员")

# What an issue goes through (see the lifecycle in DOMAIN.md) and how often.
SCENARIOS: dict[str, int] = {
    "smooth": 48,  # dispatch, accept, progress, resolve, approve, satisfied
    "refused": 8,  # 退单, then dispatched to another department
    "suspended": 6,  # suspended waiting on the enterprise, then resumed
    "rework": 6,  # the supervisor returns the resolution for rework
    "unsatisfied": 5,  # the callback is unsatisfied: another round
    "unrated": 8,  # nobody evaluates: closed UNRATED after 7 days
    "declined": 4,  # declined (不予受理)
    "declined_reopened": 2,  # declined, then reopened and worked
    "reopened": 3,  # closed, then reopened by a supervisor
    "late": 7,  # accepted and resolved late, escalated on the way (overdue)
    "stalled": 3,  # escalated up to 通报 and still open at the year's end (overdue)
}


# ---------------------------------------------------------------- time


class SettableClock(Protocol):
    current: datetime

    def now(self) -> datetime: ...


class SimulatedClock:
    """The demo's clock: the agenda sets `current` before each action."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current


class Agenda:
    """Actions ordered by time (ties by scheduling order); running one sets the clock first."""

    def __init__(self, clock: SettableClock, until: datetime) -> None:
        self.clock = clock
        self.until = until
        self._queue: list[tuple[datetime, int, Callable[[], None]]] = []
        self._order = itertools.count()

    def at(self, moment: datetime, action: Callable[[], None]) -> None:
        # Past the end of the simulated period it never happens: left open at the year's end.
        if moment < self.until:
            heapq.heappush(self._queue, (moment, next(self._order), action))

    def run(self) -> int:
        done = 0
        while self._queue:
            moment, _, action = heapq.heappop(self._queue)
            self.clock.current = max(self.clock.current, moment)
            action()
            done += 1
        return done


class Office:
    """Moments in office hours on working days, drawn at random."""

    def __init__(self, calendar: WorkingCalendar, rng: random.Random) -> None:
        self.calendar = calendar
        self.rng = rng
        self._working: dict[date, bool] = {}

    def is_working_day(self, day: date) -> bool:
        # Remembered: the official calendar's look-up is slow and asked ~50 000 times a year.
        if day not in self._working:
            self._working[day] = self.calendar.is_working_day(day)
        return self._working[day]

    def working_day_on_or_after(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def moment_on(self, day: date) -> datetime:
        """A random office-hours moment on the first working day from `day`."""
        day = self.working_day_on_or_after(day)
        minutes = self.rng.randrange(0, 8 * 60)
        return datetime.combine(day, OFFICE_OPENS, CST) + timedelta(minutes=minutes)

    def in_office_hours(self, moment: datetime) -> datetime:
        """`moment` if in office hours, else early the next working morning."""
        local = moment.astimezone(CST)
        day = local.date()
        if self.is_working_day(day) and OFFICE_OPENS <= local.time() < OFFICE_CLOSES:
            return local
        if self.is_working_day(day) and local.time() < OFFICE_OPENS:
            return datetime.combine(day, OFFICE_OPENS, CST) + self._early()
        day = self.working_day_on_or_after(day + timedelta(days=1))
        return datetime.combine(day, OFFICE_OPENS, CST) + self._early()

    def _early(self) -> timedelta:
        return timedelta(minutes=self.rng.randrange(0, 90))

    def after_hours(self, start: datetime, low: float, high: float) -> datetime:
        return self.in_office_hours(start + timedelta(hours=self.rng.uniform(low, high)))

    def after_clock_hours(self, start: datetime, low: float, high: float) -> datetime:
        """Not rolled into office hours: urgent work is done in the evening too."""
        return start + timedelta(hours=self.rng.uniform(low, high))

    def after_working_days(self, start: datetime, low: int, high: int) -> datetime:
        day = start.astimezone(CST).date()
        for _ in range(self.rng.randint(low, high)):
            day = self.working_day_on_or_after(day + timedelta(days=1))
        return self.moment_on(day)

    def after_days(self, start: datetime, low: float, high: float) -> datetime:
        """Calendar days (a suspension, the 7 days before an UNRATED close)."""
        return self.in_office_hours(start + timedelta(days=self.rng.uniform(low, high)))


Delay = Callable[[datetime], datetime]


# ---------------------------------------------------------------- the cast


@dataclass(frozen=True)
class DemoScale:
    enterprises: int = 410
    commissioners: int = 40
    reporting_points: int = 30
    supervisors: int = 4
    year: int = 2025

    def __post_init__(self) -> None:
        if self.enterprises < 1 or self.commissioners < 1 or self.supervisors < 1:
            raise ValueError("a demo needs at least one enterprise, commissioner and supervisor")
        if not 0 <= self.reporting_points <= len(REPORTING_POINTS):
            raise ValueError(f"reporting points: 0 to {len(REPORTING_POINTS)}")


@dataclass(frozen=True)
class Department:
    id: str
    name: str
    district: str | None
    handler: Actor


@dataclass(frozen=True)
class Point:
    id: str
    name: str
    district: str
    reporter: Actor


@dataclass
class Enterprise:
    """The simulation's memory of one enterprise (the store has the facts)."""

    uscc: str
    name: str
    district: str
    industry: str
    size: str
    address: str
    contact: dict[str, str]
    commissioner: Actor
    onboard_on: date
    cadence: tuple[int, int]  # working days between visits
    id: UUID | None = None
    registered_at: datetime | None = None
    status: str = "NEW"  # NEW (not registered yet), ACTIVE, SUSPENDED, CLOSED
    notified: set[str] = field(default_factory=set)

    @property
    def servable(self) -> bool:
        return self.status == "ACTIVE"


@dataclass
class IssueRun:
    """One issue on its way: its scenario's remaining steps and who leads it."""

    issue_id: UUID
    category: str
    scenario: str
    lead: Department
    fallback: Department  # where a refused dispatch goes next
    assisting: list[str]
    steps: list[Step] = field(default_factory=list)


Step = tuple[Delay, Callable[[IssueRun], None]]


class Deck:
    """Weighted draws that show every kind once before drawing by weight, so that even a small
    demo walks every path."""

    def __init__(self, rng: random.Random, weights: Mapping[str, int]) -> None:
        self.rng = rng
        self.weights = dict(weights)
        self._first = list(weights)
        rng.shuffle(self._first)

    def draw(self) -> str:
        if self._first:
            return self._first.pop()
        return self.rng.choices(list(self.weights), weights=list(self.weights.values()))[0]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def phone_number(rng: random.Random) -> str:
    """Mostly mobiles; some landlines the way the lists write them (023-6386xxxx)."""
    if rng.random() < 0.15:
        return f"023-{rng.choice('6867')}{rng.randrange(10**7):07d}"
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def credit_code(rng: random.Random, district: str) -> str:
    """A valid 统一社会信用代码: 9 (工商) 1 (企业), the division code, an organisation code."""
    division = DISTRICT_INFO[district][0]
    if rng.random() < 0.6:  # codes issued since 2015 mostly start their organisation part "MA"
        organisation = "MA" + "".join(rng.choice(ALPHABET) for _ in range(7))
    else:
        organisation = "".join(rng.choice(ALPHABET) for _ in range(9))
    body = "91" + division + organisation
    return body + check_character(body)


def spread_districts(rng: random.Random, count: int) -> list[str]:
    """Every district gets enterprises (when there are enough), the busy ones more."""
    districts = list(DISTRICTS)
    chosen = rng.sample(districts, min(count, len(districts)))
    weights = [3 if d in BUSY_DISTRICTS else 1 for d in districts]
    chosen += rng.choices(districts, weights=weights, k=max(0, count - len(districts)))
    rng.shuffle(chosen)
    return chosen


def _names(count: int, make: Callable[[], str]) -> list[str]:
    names: dict[str, None] = {}
    while len(names) < count:
        names[make()] = None
    return list(names)


def make_commissioners(rng: random.Random, count: int) -> list[Actor]:
    names = _names(count, partial(person_name, rng))
    return [Actor(f"c-{i:03d}", name, Role.COMMISSIONER.value) for i, name in enumerate(names, 1)]


def make_departments() -> list[Department]:
    rows: list[tuple[str, str, str | None]] = [(d, name, None) for d, name in MUNICIPAL_DEPARTMENTS]
    rows += [
        (f"dist-{info[1]}", f"{district}人力资源和社会保障局", district)
        for district, info in DISTRICT_INFO.items()
    ]
    return [
        Department(dept_id, name, district, Actor(f"d-{i:03d}", f"{name}经办人", "DEPARTMENT"))
        for i, (dept_id, name, district) in enumerate(rows, 1)
    ]


def make_points(count: int) -> list[Point]:
    return [
        Point(point_id, name, district, Actor(f"r-{i:03d}", name, Role.REPORTER.value))
        for i, (point_id, name, district) in enumerate(REPORTING_POINTS[:count], 1)
    ]


def enterprise_name(rng: random.Random, industry: str) -> str:
    brand = rng.choice(BRAND_FIRST) + rng.choice(BRAND_SECOND)
    return f"重庆{brand}{rng.choice(INDUSTRIES[industry])}{rng.choice(COMPANY_FORMS)}"


def make_enterprises(
    rng: random.Random, count: int, commissioners: Sequence[Actor], year: int
) -> list[Enterprise]:
    """The annual list: onboarded in January and February, a few more later in the year; each
    commissioner serves the enterprises of a few neighbouring districts."""
    districts = sorted(spread_districts(rng, count), key=DISTRICTS.index)
    codes: set[str] = set()
    names: set[str] = set()
    enterprises = []
    for index, district in enumerate(districts):
        industry = rng.choice(list(INDUSTRIES))
        code = _unique(codes, partial(credit_code, rng, district))
        name = _unique(names, partial(enterprise_name, rng, industry))
        late = rng.random() < 0.05
        onboard = date(year, 3, 1) + timedelta(days=rng.randrange(200)) if late else None
        enterprises.append(
            Enterprise(
                uscc=code, name=name, district=district, industry=industry,
                size=rng.choices([s for s, _ in SIZES], weights=[w for _, w in SIZES])[0],
                address=f"重庆市{district}{rng.choice(ROADS)}{rng.randrange(1, 999)}号",
                contact={"name": person_name(rng), "phone": phone_number(rng),
                         "title": rng.choice(TITLES)},
                commissioner=commissioners[index * len(commissioners) // len(districts)],
                onboard_on=onboard or date(year, 1, 6) + timedelta(days=rng.randrange(40)),
                cadence=rng.choice([(20, 30), (25, 35), (30, 45)]),
            )
        )  # fmt: skip
    return enterprises


def _unique(seen: set[str], make: Callable[[], str]) -> str:
    value = make()
    while value in seen:
        value = make()
    seen.add(value)
    return value


# ---------------------------------------------------------------- texts


def demand_text(rng: random.Random, category: str) -> tuple[str, str]:
    """A title and description for a demand or report of this category (企业诉求 / 直报)."""
    job, n = rng.choice(JOBS), rng.randrange(5, 80)
    texts = {
        "RECRUITMENT": (
            f"招聘{n}名{job}",
            f"企业订单增长，需招聘{n}名{job}，希望协助对接人力资源市场。",
        ),
        "URGENT_HIRING": (f"紧急招用{n}名{job}", f"新接订单须两周内交付，急需{n}名{job}到岗。"),
        "POLICY_CONSULTATION": (
            "咨询稳岗返还申领",
            "企业希望了解失业保险稳岗返还的申领条件和办理流程。",
        ),
        "SOCIAL_INSURANCE": (
            "社保缴费基数核定",
            "新入职员工社保缴费基数核定有疑问，申请协助核实。",
        ),
        "SKILLS_TRAINING": (f"开展{job}技能培训", f"希望为{n}名员工开展{job}补贴性职业技能培训。"),
        "TALENT_AND_TITLES": (
            "工程师职称评审咨询",
            "企业技术骨干申报中级工程师职称，咨询评审材料要求。",
        ),
        "LABOR_RELATIONS": ("劳动合同纠纷调解", "与离职员工就经济补偿存在分歧，申请调解指导。"),
        "APPROVAL_COORDINATION": (
            "劳务派遣许可办理",
            "劳务派遣经营许可延续申请材料多次退回，请求协调。",
        ),
        "ENTREPRENEURSHIP": (
            "创业担保贷款申请",
            "企业拟申请创业担保贷款扩大生产，咨询额度和贴息。",
        ),
        "BUSINESS_ENVIRONMENT": (
            "政务服务办理时限长",
            "人社业务窗口办理时限较长，建议推行一窗通办。",
        ),
        "OTHER": ("其他人社事项咨询", "企业就人社相关事项提出咨询和建议。"),
    }
    return texts[category]


RESOLUTIONS = {
    "RECRUITMENT": "已组织专场招聘，推荐求职者，企业已录用部分人员。",
    "URGENT_HIRING": "已启动紧急用工保障，协调劳务合作基地输送人员到岗。",
    "POLICY_CONSULTATION": "已上门解读政策，指导企业完成申报。",
    "SOCIAL_INSURANCE": "已核实缴费基数并完成调整。",
    "SKILLS_TRAINING": "已纳入补贴性职业技能培训计划，培训班已开班。",
    "TALENT_AND_TITLES": "已提供评审材料清单并指导填报。",
    "LABOR_RELATIONS": "已组织劳动争议调解，双方达成协议。",
    "APPROVAL_COORDINATION": "已协调审批部门一次性告知材料，许可已办结。",
    "ENTREPRENEURSHIP": "已对接合作银行，贷款已发放。",
    "BUSINESS_ENVIRONMENT": "已优化窗口流程，推行一窗通办，并书面答复。",
    "OTHER": "已电话答复企业并做好记录。",
}


# ---------------------------------------------------------------- the year


@dataclass(frozen=True)
class LogSummary:
    events: int
    counts: dict[str, int]  # "Issue.Dispatched" → how many
    visit_channels: dict[str, int]  # ON_SITE, PHONE, VIDEO, EVENT (policy events) → visits
    digest: str  # sha256 of the event log's envelopes: equal for equal seeds


@dataclass(frozen=True)
class DemoSummary:
    seed: int
    scale: DemoScale
    log: LogSummary
    seconds: float


class StoreNotEmpty(RuntimeError):
    pass


class DemoYear:
    """The simulation: builds the cast, schedules the year and runs it against `app`."""

    def __init__(
        self,
        app: ServicePackage,
        clock: SettableClock,
        calendar: WorkingCalendar,
        *,
        seed: int = 2025,
        scale: DemoScale | None = None,
    ) -> None:
        self.app = app
        self.scale = scale or DemoScale()
        self.seed = seed
        self.rng = random.Random(seed)
        self.office = Office(calendar, self.rng)
        year = self.scale.year
        self.start = datetime(year, 1, 2, 8, 30, tzinfo=CST)
        clock.current = self.start
        until = min(datetime(year + 1, 1, 1, tzinfo=CST), datetime.now(CST))
        self.agenda = Agenda(clock, until)
        self.clock = clock
        self.admin = Actor("a-001", "营商办管理员", Role.ADMIN.value)
        self.supervisors = [
            Actor(f"s-{i:03d}", f"督导员{person_name(self.rng)}", Role.SUPERVISOR.value)
            for i in range(1, self.scale.supervisors + 1)
        ]
        self.commissioners = make_commissioners(self.rng, self.scale.commissioners)
        self.departments = {d.id: d for d in make_departments()}
        self.points = make_points(self.scale.reporting_points)
        self.enterprises = make_enterprises(
            self.rng, self.scale.enterprises, self.commissioners, year
        )
        self.scenarios = Deck(self.rng, SCENARIOS)
        self.demand_categories = Deck(self.rng, DEMAND_CATEGORIES)
        self.report_categories = Deck(self.rng, REPORT_CATEGORIES)
        self.policies = [policy.code for policy in app.catalogue()]
        self._keys = itertools.count(1)

    # ------------------------------------------------------------ running

    def run(self) -> int:
        """Schedule the year and play it; returns how many actions ran."""
        self._schedule_reference_data()
        self._schedule_onboarding()
        self._schedule_relationship_changes()
        self._schedule_policy_events()
        self._schedule_direct_reports()
        return self.agenda.run()

    def _key(self, kind: str) -> str:
        # Idempotency keys make the visit and issue ids derived, hence the same for a seed.
        return f"demo-{self.seed}-{kind}-{next(self._keys)}"

    def _supervisor(self) -> Actor:
        return self.rng.choice(self.supervisors)

    def _commissioner_enterprises(self, commissioner: Actor) -> list[Enterprise]:
        return [e for e in self.enterprises if e.commissioner.id == commissioner.id]

    # ------------------------------------------------------------ reference data

    def _schedule_reference_data(self) -> None:
        moment = datetime.combine(self.start.date(), OFFICE_OPENS, CST)
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
                idempotency_key=self._key("report"),
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
        reason = "等待企业补充材料"
        self.app.suspend_issue(run.issue_id, run.lead.id, reason, run.lead.handler)

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


# ---------------------------------------------------------------- entry points


def seeding_env(env: Mapping[str, str]) -> dict[str, str]:
    """The store's settings, tuned for one writer replaying a year quickly: aggregates kept in
    memory between commands (nobody else writes these streams while seeding, so no
    fast-forwarding), and no ping before each use of a pooled connection."""
    return {
        **env,
        "AGGREGATE_CACHE_MAXSIZE": "20000",
        "AGGREGATE_CACHE_FASTFORWARD": "n",
        "POSTGRES_PRE_PING": "n",
    }


def event_log_summary(app: ServicePackage, page: int = 2000) -> LogSummary:
    """How many events of which types, visits by channel, and a digest of the whole log as
    the feed shows it (positions, stream ids, types, times, actors and data)."""
    digest = hashlib.sha256()
    counts: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    after = 0
    while batch := app.read_feed(after, page):
        for envelope in batch:
            wire = json.dumps(envelope.as_json(), sort_keys=True, ensure_ascii=False, default=str)
            digest.update(wire.encode("utf-8"))
            counts[f"{envelope.stream_type}.{envelope.type}"] += 1
            if envelope.type == "VisitLogged":
                channels[str(envelope.data["channel"])] += 1
        after = batch[-1].position
    return LogSummary(
        sum(counts.values()), dict(sorted(counts.items())), dict(channels), digest.hexdigest()
    )


def seed_demo(
    env: Mapping[str, str],
    calendar: WorkingCalendar,
    *,
    seed: int = 2025,
    scale: DemoScale | None = None,
) -> DemoSummary:
    """Seed an empty store (the one `env` names) with a demo year; StoreNotEmpty otherwise.

    Runs its own application instance on a simulated clock, so whoever else uses the store
    (the API, the projections) keeps the real clock."""
    began = timer.perf_counter()
    scale = scale or DemoScale()
    clock = SimulatedClock(datetime(scale.year, 1, 1, tzinfo=CST))
    app = ServicePackage(env=seeding_env(env), clock=clock, catalogue=load_policy_catalogue())
    try:
        if app.last_position() > 0:
            raise StoreNotEmpty("the store already has events: seed-demo needs an empty one")
        DemoYear(app, clock, calendar, seed=seed, scale=scale).run()
        seconds = timer.perf_counter() - began
        log = event_log_summary(app)
    finally:
        app.close()
    return DemoSummary(seed, scale, log, seconds)


def seed_demo_if_empty(
    container: Container, *, seed: int = 2025, scale: DemoScale | None = None
) -> DemoSummary | None:
    """For `espcrm run`: the demo year into an empty store; None if it already has events.

    Call it before `container.start_projections()`: projections following the log while it is
    written slow the seeding threefold, and they catch up afterwards anyway."""
    if container.app.last_position() > 0:
        return None
    calendar = ChineseWorkingCalendar(container.settings.calendar_dir)
    return seed_demo(container.env, calendar, seed=seed, scale=scale)
