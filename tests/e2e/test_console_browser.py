"""The bureau console in real headless Chromium on an intranet (no outside host resolves):
one urgent-hiring demand from the visit where it was heard to its closure, each step read off
the screen by the person who takes it; a refused action's message; the commissioner's pages
at 390 px; and the bundled GraphiQL. Screenshots go to ESPCRM_CONSOLE_SCREENSHOTS (make
screenshots: docs/img/), else to the test's temporary folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.shared import Actor
from infra.bootstrap import Container
from tests.builders import a_valid_uscc
from tests.e2e.console_browser import (
    Browser,
    WallClock,
    chromium,
    require_browser_and_console,
    serve_console,
)

ADMIN = Actor("a-001", "营商办管理员", "ADMIN")
DEPARTMENT = "市人力社保局就业促进和失业保险处"
ENTERPRISE = "重庆渝新精密制造有限公司"
DEMAND = "急需招聘50名焊工"


@pytest.fixture
def clock() -> WallClock:  # the container's clock: real time, like the browser's
    return WallClock()


@pytest.fixture
def browser(container: Container, tmp_path: Path) -> Iterator[Browser]:
    require_browser_and_console()
    container.app.register_department("hrss-employment", DEPARTMENT, None, ADMIN)
    _, position = container.app.register_reporting_point(
        "rp-liangjiang", "两江新区营商环境直报点", "两江新区", ADMIN
    )
    container.projections.wait_for(position, timeout=30)
    shots = Path(os.environ.get("ESPCRM_CONSOLE_SCREENSHOTS") or tmp_path / "shots")
    with serve_console(container) as origin, chromium(origin, shots, tmp_path / "profile") as b:
        yield b


def _beijing(moment: datetime) -> str:
    return (moment.astimezone(UTC) + timedelta(hours=8)).strftime("%Y-%m-%d %H:")


def test_one_urgent_hiring_demand_from_visit_to_closure(browser: Browser) -> None:
    b = browser
    uscc = a_valid_uscc(4242)
    wrong = uscc[:-1] + ("1" if uscc[-1] != "1" else "2")

    # 管理员: an enterprise with a wrong check character is refused, with the server's word.
    b.sign_in("管理员", "a-001", "营商办管理员")
    b.see("企业管理", "企业名录")
    b.click("//div[@role='tab'][normalize-space(.)='登记企业']")
    b.fill("uscc", wrong)
    b.fill("name", ENTERPRISE)
    b.choose("district", "渝中区")
    b.fill("contacts_0_name", "王小明")
    b.fill("contacts_0_phone", "13812345678")
    b.button("登记")
    b.see(
        "填写的内容有误", "统一社会信用代码校验位错误"
    )  # the refusal, in Chinese, until dismissed
    b.shot("console-refused")
    b.fill("uscc", uscc)
    b.button("登记")
    b.see(ENTERPRISE, "未分配")
    b.button("分配专员")
    b.fill("commissionerId", "c-001")
    b.fill("commissionerName", "专员1")
    b.button("确认")
    b.see("交接专员")
    b.shot("console-admin-enterprises")
    b.sign_out()

    # 服务专员, on a phone: 我的企业 → 企业详情 → 记录走访 → 提出诉求.
    b.phone()
    b.sign_in("服务专员", "c-001", "专员1")
    b.see("我的企业", ENTERPRISE, "未计划")
    assert b.page_width() <= 390, "the commissioner's list is wider than the phone"
    b.shot("console-commissioner-enterprises-390")
    b.link(ENTERPRISE)
    b.see("统一社会信用代码", uscc, "王小明", "138****5678", "走访记录（0）")
    b.not_see("13812345678")  # shown masked until asked
    assert b.page_width() <= 390
    b.button("记录走访")
    b.see("走访时间（北京时间）", "上门走访")
    b.tag("topics", "用工需求")
    b.fill("summary", "企业新接订单，焊工缺口50人，希望两周内到岗。")
    b.shot("console-log-visit-390")
    b.button("保存走访记录")
    b.see("走访已记录")
    b.button("提出诉求")
    b.choose("category", "紧急用工")
    b.see("紧急用工诉求须在派单后4小时内签收")
    b.fill("title", DEMAND)
    b.fill("description", "新订单急需焊工50名，请协助组织专场招聘。")
    raised = datetime.now(UTC)
    b.button("提交诉求")
    b.see(DEMAND, "已提出（待派单）", "紧急用工", "提出诉求", "专员1（服务专员）")
    assert _beijing(raised) in b.text() or _beijing(datetime.now(UTC)) in b.text(), "北京时间"
    assert b.page_width() <= 390
    b.shot("console-demand-raised-390")
    b.sign_out()
    b.desk()

    # 督导员甲 dispatches it.
    b.sign_in("督导员", "s-001", "督导员甲")
    b.menu("待派单")
    b.see("待派单", DEMAND)
    b.link(DEMAND)
    b.button("派单")
    b.see("紧急用工：承办部门须在4小时内签收")
    b.choose("leadDepartmentId", DEPARTMENT)
    b.button("确认派单")
    b.see("已派单（待签收）", DEPARTMENT)
    b.sign_out()

    # 承办部门: 待签收 with its countdown, 签收, 办结.
    b.sign_in("承办部门", "d-001", "就业处经办")
    b.menu("待签收")
    b.see(DEMAND, "剩余 3小时")
    b.shot("console-department-inbox")
    b.link(DEMAND)
    b.button("签收")
    b.see("办理中", "签收")
    # 申请延期 goes to the supervisors; the demand stays in hand meanwhile.
    b.button("申请延期")
    b.fill("reason", "专场招聘会场地排期，需延后两个工作日。")
    b.button("提交申请")
    b.see("延期申请")
    b.button("办结")
    b.fill("resolution", "已组织专场招聘会，48名焊工到岗，余缺由劳务协作补齐。")
    b.fill("evidence", "专场招聘会签到表\n录用名单")
    b.button("确认办结")
    b.see("已办结（待审核）", "办理结果")
    b.sign_out()

    # The same person under a supervisor's role may not audit their own resolution: the page
    # says why and offers no approval.
    b.sign_in("督导员", "d-001", "就业处经办")
    b.menu("待审核")
    b.see(DEMAND, "本人办结，不能审核")
    b.link(DEMAND)
    b.see("不能审核本人办结的诉求", "职责分离")
    assert not b.driver.find_element(
        "xpath", "//button[normalize-space(.)='审核通过']"
    ).is_enabled(), "the resolver is offered the approval"
    b.sign_out()

    # 督导员乙, not the one who dispatched it, approves; then the callback closes it.
    b.sign_in("督导员", "s-002", "督导员乙")
    b.menu("待审核")
    b.see("职责分离", DEMAND, "就业处经办")
    b.shot("console-audit-queue")
    b.link("审核")
    b.button("审核通过")
    b.click("//div[contains(@class,'ant-modal')]//button[normalize-space(.)='审核通过']")
    b.see("待评价", "审核通过")
    b.menu("回访评价")
    b.see(DEMAND)
    b.link(DEMAND)
    b.button("回访评价")
    b.radio("满意")
    b.fill("comment", "企业对招聘服务满意。")
    b.button("保存评价")
    b.see("已关闭", "满意", "评价", "提出诉求", "派单", "签收", "办结", "审核通过")
    b.shot("console-issue-closed")
    # 审计轨迹, loaded when opened: who did each step, in Beijing time, with what changed.
    b.button("查看")
    b.see("审计轨迹", "督导员乙（督导员）", "就业处经办（承办部门）", "时间（北京时间）")

    # The dashboards read the closed demand.
    b.menu("指标看板")
    b.see("办结率（目标 98%）", "紧急用工响应率（目标 100%）", "满意率（目标 92%）")
    b.menu("区县晾晒")
    b.see("渝中区", "综合得分")
    b.link("渝中区")
    b.see("渝中区 ·", "超期诉求", "在办诉求")

    assert b.outside_requests() == [], "the console asked for something outside the server"


def test_graphiql_renders_its_editor_offline_and_answers(browser: Browser) -> None:
    b = browser
    b.go("/")
    b.see("开发环境登录", "服务专员", "承办部门", "督导员", "直报点", "管理员")
    b.shot("console-login")
    b.sign_in("管理员", "a-001", "营商办管理员")  # GraphiQL reuses the console's token
    b.go("/graphql")
    b.until(
        "GraphiQL's editor",
        lambda: b.driver.find_elements("css selector", ".graphiql-query-editor .CodeMirror"),
    )
    b.click("//button[contains(@class,'graphiql-execute-button')]")
    b.see('"role": "ADMIN"')
    b.shot("graphiql-offline")
    assert b.outside_requests() == [], "GraphiQL asked for something outside the server"


def test_one_persons_notices_are_gone_when_the_next_person_signs_in(browser: Browser) -> None:
    """A refusal stays on screen for seconds: signed out at once, it must not greet the next
    person (it showed over the commissioner's list in the screenshots)."""
    b = browser
    uscc = a_valid_uscc(4343)
    b.sign_in("管理员", "a-001", "营商办管理员")
    b.click("//div[@role='tab'][normalize-space(.)='登记企业']")
    b.fill("uscc", uscc[:-1] + ("1" if uscc[-1] != "1" else "2"))
    b.fill("name", ENTERPRISE)
    b.choose("district", "渝中区")
    b.button("登记")
    b.see("统一社会信用代码校验位错误")
    b.sign_out()
    b.sign_in("服务专员", "c-001", "专员1")
    b.see("我的企业")
    b.not_see("统一社会信用代码校验位错误")


def test_a_direct_report_point_submits_and_follows_its_report(browser: Browser) -> None:
    b = browser
    b.phone()
    b.sign_in("直报点", "r-001", "两江直报点")
    b.see("提交直报")
    b.choose("category", "营商环境")
    b.fill("title", "园区企业反映社保登记材料重复提交")
    b.fill("description", "园区多家企业反映，办理社保登记时需重复提交营业执照复印件。")
    b.button("提交")
    b.see("直报已提交")
    b.menu("我的直报")
    b.see("园区企业反映社保登记材料重复提交", "已提出（待派单）", "营商环境")
    assert b.page_width() <= 390
    b.shot("console-reporter-390")
