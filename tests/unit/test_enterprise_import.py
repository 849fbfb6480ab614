"""Enterprise lists as the bureau keeps them: read, cleaned, validated and planned (no database)."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from application.enterprise_import import (
    CommissionerDirectory,
    Outcome,
    Registered,
    RowStatus,
    UnusableFile,
    apply_plan,
    clean_text,
    derived_commissioner_id,
    plan_import,
    read_commissioner_map,
    read_enterprise_list,
)
from domain.enterprise import enterprise_id_for
from domain.shared import SYSTEM_ACTOR
from infra.spreadsheets import read_rows, report_path, write_report
from tests.builders import a_valid_uscc, an_invalid_uscc

HEADER = [
    "序号",
    "企业名称",
    "统一社会信用代码",
    "所属区县",
    "所属产业",
    "联系人",
    "联系电话",
    "服务专员",
]
TITLE = "2025年企业服务包“一对一”服务企业名单"


def workbook(path: Path, rows: list[list[object]], *, header: list[str] = HEADER) -> Path:
    """The sample's layout: a merged title row, the header, then the rows as given."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def row(n: int, **overrides: object) -> list[object]:
    fields: dict[str, object] = {
        "serial": n,
        "name": f"重庆博鑫电子科技{n}有限公司",
        "uscc": a_valid_uscc(),
        "district": "荣昌区",
        "industry": "新一代电子信息制造业",
        "contact": "刘芳",
        "phone": "13361609088",
        "commissioner": "服务专员05",
    }
    fields.update(overrides)
    return list(fields.values())


def entries_of(path: Path):  # type: ignore[no-untyped-def]
    return read_enterprise_list(read_rows(path)).entries


def nothing_registered(uscc: str) -> Registered | None:
    return None


def test_the_header_is_found_under_the_merged_title_row_and_rows_keep_their_sheet_numbers(
    tmp_path: Path,
) -> None:
    listing = read_enterprise_list(
        read_rows(workbook(tmp_path / "list.xlsx", [row(1), row(2), row(3)]))
    )
    assert listing.header_row == 2
    assert [entry.row for entry in listing.entries] == [3, 4, 5]
    assert listing.entries[0].name == "重庆博鑫电子科技1有限公司"
    assert listing.entries[0].commissioner == "服务专员05"


def test_messy_cells_are_cleaned_full_width_lower_case_stray_spaces_dashes_and_landlines(
    tmp_path: Path,
) -> None:
    code = a_valid_uscc()
    full_width_lower = "".join(chr(ord(c) + 0xFEE0) for c in code.lower())
    messy = [
        row(
            1, uscc=full_width_lower, name=" 重庆 博鑫电子科技 有限公司 ", district=" 重庆市渝中区 "
        ),
        row(2, uscc=f" {a_valid_uscc().lower()} ", district="渝中", phone="138-1234-5678"),
        row(3, district="石柱县", phone="023-63861234"),
        row(4, phone=13361609088, contact="王 小明"),  # a phone typed as a number
    ]
    plan = plan_import(entries_of(workbook(tmp_path / "messy.xlsx", messy)), nothing_registered)
    assert [r.status for r in plan.rows] == [RowStatus.NEW] * 4, [r.reasons for r in plan.rows]
    commands = [r.command for r in plan.rows]
    assert commands[0] is not None and commands[0].uscc == code
    assert commands[0].name == "重庆博鑫电子科技有限公司"
    assert [c.district for c in commands if c] == ["渝中区", "渝中区", "石柱土家族自治县", "荣昌区"]
    phones = [c.contacts[0]["phone"] for c in commands if c and c.contacts]
    assert phones == ["13361609088", "13812345678", "023-63861234", "13361609088"]
    assert commands[3] is not None and commands[3].contacts == [
        {"name": "王小明", "phone": "13361609088", "title": None}
    ]


def test_blank_rows_and_rows_with_only_a_serial_number_are_passed_over(tmp_path: Path) -> None:
    rows = [row(1), [], [None] * 8, ["", " ", "", "", "", "", "", ""], [2], row(3)]
    entries = entries_of(workbook(tmp_path / "gaps.xlsx", rows))
    assert [entry.row for entry in entries] == [3, 8]


def test_a_bad_checksum_an_unknown_district_and_a_duplicate_are_each_reported_with_their_row(
    tmp_path: Path,
) -> None:
    twice = a_valid_uscc()
    rows = [row(1, uscc=an_invalid_uscc()), row(2, district="火星区"), row(3, uscc=twice)]
    rows.append(row(4, uscc=twice.lower()))
    plan = plan_import(entries_of(workbook(tmp_path / "bad.xlsx", rows)), nothing_registered)
    reasons = {r.entry.row: r.reasons for r in plan.invalid}
    assert set(reasons) == {3, 4, 6}
    assert reasons[3][0].startswith("统一社会信用代码校验位错误：应为 ")
    assert reasons[4] == ("所属区县：未知的区县“火星区”",)
    assert reasons[6] == ("统一社会信用代码：与第 5 行的信用代码相同",)
    assert plan.rows[2].status is RowStatus.NEW  # the first of the two is fine


def test_a_reason_shows_the_value_as_typed_next_to_the_cleaned_one(tmp_path: Path) -> None:
    code = an_invalid_uscc()
    typed = code.lower().replace("9", "９", 1)
    rows = [row(1, uscc=typed), row(2, district="火 星")]
    plan = plan_import(entries_of(workbook(tmp_path / "typed.xlsx", rows)), nothing_registered)
    (uscc_reason,), (district_reason,) = (r.reasons for r in plan.invalid)
    assert uscc_reason.startswith("统一社会信用代码校验位错误")
    assert uscc_reason.endswith(f"（原值“{typed}”，清理后为“{code}”）")
    assert district_reason == "所属区县：未知的区县“火 星”（原值“火 星”，清理后为“火星”）"


def test_every_problem_of_a_row_is_reported_not_only_the_first(tmp_path: Path) -> None:
    bad = row(1, name="  ", uscc="9150010", district="", phone="12", commissioner="")
    plan = plan_import(entries_of(workbook(tmp_path / "all.xlsx", [bad])), nothing_registered)
    (reasons,) = [r.reasons for r in plan.invalid]
    columns = ["企业名称", "统一社会信用代码", "所属区县", "联系人/联系电话"]
    assert all(reason.startswith(column) for reason, column in zip(reasons, columns, strict=True))
    assert reasons[0] == "企业名称为空"
    assert reasons[1] == "统一社会信用代码应为 18 位，实为 7 位"
    assert reasons[3] == "联系人/联系电话：“12”不是电话号码"


def test_a_contact_without_a_phone_and_a_phone_without_a_contact_are_errors(
    tmp_path: Path,
) -> None:
    rows = [row(1, phone=""), row(2, contact=""), row(3, contact="", phone="")]
    plan = plan_import(entries_of(workbook(tmp_path / "c.xlsx", rows)), nothing_registered)
    assert [r.status for r in plan.rows] == [RowStatus.INVALID, RowStatus.INVALID, RowStatus.NEW]
    assert plan.rows[2].command is not None and plan.rows[2].command.contacts == []


def test_two_phones_in_one_cell_are_two_contacts(tmp_path: Path) -> None:
    rows = [row(1, phone="13812345678 / 023-63861234")]
    (plan_row,) = plan_import(
        entries_of(workbook(tmp_path / "p.xlsx", rows)), nothing_registered
    ).rows
    assert plan_row.command is not None
    assert [c["phone"] for c in plan_row.command.contacts or []] == ["13812345678", "023-63861234"]


def test_headers_are_matched_despite_notes_markers_spaces_and_other_wordings(
    tmp_path: Path,
) -> None:
    header = [
        "序 号",
        "*企业名称",
        " 统一社会信用代码 ",
        "区县",
        "行业",
        "联系人",
        "联系电话（手机）",
    ]
    path = workbook(tmp_path / "h.xlsx", [row(1)[:7]], header=header)
    listing = read_enterprise_list(read_rows(path))
    assert listing.columns == {
        "serial": 0, "name": 1, "uscc": 2, "district": 3, "industry": 4, "contact": 5, "phone": 6,
    }  # fmt: skip
    assert listing.entries[0].commissioner == ""


def test_a_file_without_the_required_columns_is_unusable(tmp_path: Path) -> None:
    path = workbook(tmp_path / "x.xlsx", [row(1)], header=["序号", "企业名称", "所属区县"])
    with pytest.raises(UnusableFile, match="统一社会信用代码"):
        read_enterprise_list(read_rows(path))


def test_csv_in_gb18030_and_in_utf8_with_a_bom_read_alike(tmp_path: Path) -> None:
    lines = [[TITLE], HEADER, [str(cell) for cell in row(1)]]
    for encoding in ("gb18030", "utf-8-sig"):
        path = tmp_path / f"list-{encoding}.csv"
        with path.open("w", encoding=encoding, newline="") as f:
            csv.writer(f).writerows(lines)
        (entry,) = entries_of(path)
        assert (entry.row, entry.name, entry.district) == (3, "重庆博鑫电子科技1有限公司", "荣昌区")


def test_old_xls_workbooks_are_refused_with_a_message_that_says_what_to_do(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(UnusableFile, match="请另存为 .xlsx"):
        read_rows(path)


def test_a_damaged_workbook_is_unusable_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(UnusableFile, match="不是可读取的 .xlsx 工作簿"):
        read_rows(path)


def test_names_are_stored_the_way_registered_names_write_parentheses() -> None:
    assert clean_text("重庆华恒(集团)有限公司") == "重庆华恒（集团）有限公司"
    assert clean_text("重庆 ＡＢＣ 科技　有限公司") == "重庆ABC科技有限公司"
    assert clean_text("  Chongqing  Auto  Parts ") == "Chongqing Auto Parts"


def test_without_a_mapping_a_commissioner_id_is_derived_from_the_name_stably() -> None:
    directory = CommissionerDirectory()
    first = directory.resolve("服务专员05")
    assert (
        first.id == derived_commissioner_id(" 服务专员05 ") == directory.resolve("服务专员０５").id
    )
    assert first.id.startswith("c-") and len(first.id) == 12
    assert directory.resolve("服务专员36").id != first.id


def test_with_a_mapping_names_take_its_ids_and_an_unknown_name_is_an_error(
    tmp_path: Path,
) -> None:
    path = tmp_path / "commissioners.csv"
    path.write_text("服务专员,用户ID\n服务专员05,c-005\n 服务专员36 ,c-036\n", encoding="utf-8")
    directory = CommissionerDirectory(read_commissioner_map(read_rows(path)))
    rows = [row(1, commissioner="服务专员36"), row(2, commissioner="服务专员99")]
    plan = plan_import(
        entries_of(workbook(tmp_path / "m.xlsx", rows)), nothing_registered, directory
    )
    assert plan.rows[0].commissioner is not None and plan.rows[0].commissioner.id == "c-036"
    assert plan.rows[1].reasons == ("服务专员：服务专员99 不在服务专员对照表中",)


def test_a_commissioners_file_giving_one_name_two_ids_is_unusable(tmp_path: Path) -> None:
    path = tmp_path / "commissioners.csv"
    path.write_text("姓名,工号\n张伟,c-001\n张伟,c-002\n", encoding="utf-8")
    with pytest.raises(UnusableFile, match="有两个用户ID"):
        read_commissioner_map(read_rows(path))


def _registered(uscc: str, **overrides: object) -> Registered:
    fields: dict[str, object] = {
        "enterprise_id": enterprise_id_for(uscc),
        "name": "重庆博鑫电子科技1有限公司",
        "district": "荣昌区",
        "industry": "新一代电子信息制造业",
        "contacts": frozenset({("刘芳", "13361609088")}),
        "commissioner_id": derived_commissioner_id("服务专员05"),
        "commissioner_name": "服务专员05",
        "status": "ACTIVE",
    }
    fields.update(overrides)
    return Registered(**fields)  # type: ignore[arg-type]


def test_against_the_store_same_data_is_unchanged_other_data_invalid_no_commissioner_assign(
    tmp_path: Path,
) -> None:
    same, renamed, unassigned, handed = (a_valid_uscc() for _ in range(4))
    store = {
        same: _registered(same),
        renamed: _registered(renamed, name="重庆别的公司", contacts=frozenset({("赵六", "1")})),
        unassigned: _registered(unassigned, commissioner_id=None, commissioner_name=None),
        handed: _registered(handed, commissioner_id="c-009", commissioner_name="李四"),
    }
    rows = [row(1, uscc=code) for code in (same, renamed, unassigned, handed)]
    plan = plan_import(entries_of(workbook(tmp_path / "s.xlsx", rows)), store.get)
    statuses = [r.status for r in plan.rows]
    assert statuses == [RowStatus.UNCHANGED, RowStatus.INVALID, RowStatus.ASSIGN, RowStatus.INVALID]
    assert plan.rows[0].reasons == ("已登记，未变更",)
    assert plan.rows[1].reasons == (
        "已登记，但数据不同：库中企业名称为 重庆别的公司；联系人/联系电话与库中不同",
    )
    assert "库中服务专员为 李四" in plan.rows[3].reasons[0]


def test_blank_optional_cells_claim_nothing_against_the_store(tmp_path: Path) -> None:
    code = a_valid_uscc()
    rows = [row(1, uscc=code, industry="", contact="", phone="", commissioner="")]
    plan = plan_import(
        entries_of(workbook(tmp_path / "b.xlsx", rows)), {code: _registered(code)}.get
    )
    assert plan.rows[0].status is RowStatus.UNCHANGED


class _Refusing:
    """An application that must not be called: the plan alone decides these cases."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"{name} called")


def test_a_plan_with_errors_applies_nothing_and_says_why_each_valid_row_was_held_back(
    tmp_path: Path,
) -> None:
    rows = [row(1), row(2, district="火星区")]
    plan = plan_import(entries_of(workbook(tmp_path / "h.xlsx", rows)), nothing_registered)
    result = apply_plan(_Refusing(), plan, SYSTEM_ACTOR)  # type: ignore[arg-type]
    assert not result.written
    assert [line.outcome for line in result.lines] == [Outcome.NOT_IMPORTED, Outcome.INVALID]
    assert "文件中有错误行" in result.lines[0].detail
    dry = apply_plan(_Refusing(), plan, SYSTEM_ACTOR, skip_invalid=True, dry_run=True)  # type: ignore[arg-type]
    assert dry.lines[0].detail == "试运行：将登记"


def test_the_report_has_a_line_per_row_with_its_outcome_and_reason_readable_by_excel(
    tmp_path: Path,
) -> None:
    source = workbook(tmp_path / "企业名单.xlsx", [row(1), row(2, district="火星区")])
    plan = plan_import(entries_of(source), nothing_registered)
    result = apply_plan(_Refusing(), plan, SYSTEM_ACTOR)  # type: ignore[arg-type]
    path = write_report(report_path(source), result.lines)
    assert path == tmp_path / "企业名单.import-report.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    with path.open(encoding="utf-8-sig", newline="") as f:
        lines = list(csv.reader(f))
    assert lines[0] == ["行号", "序号", "企业名称", "统一社会信用代码", "结果", "结果说明", "原因"]
    assert [line[0] for line in lines[1:]] == ["3", "4"]
    assert lines[2][4:] == ["INVALID", "有误", "所属区县：未知的区县“火星区”"]
