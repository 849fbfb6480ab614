"""Importing enterprise lists into the real store: all or nothing, reported per row, idempotent."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from application.enterprise_import import UnusableFile
from cli.data import import_enterprise_file
from cli.main import cli
from domain.enterprise import enterprise_id_for
from infra.bootstrap import Container
from infra.postgres_server import PgAddress
from infra.settings import Settings
from tests.builders import ADMIN, a_valid_uscc, an_invalid_uscc, register_command
from tests.unit.test_enterprise_import import row, workbook


def report_rows(path: Path) -> dict[str, list[str]]:
    """行号 → the rest of the report line."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        lines = list(csv.reader(f))
    return {line[0]: line[1:] for line in lines[1:]}


def test_a_workbook_with_a_bad_checksum_an_unknown_district_and_a_duplicate_changes_nothing(
    container: Container, tmp_path: Path
) -> None:
    twice = a_valid_uscc()
    rows = [row(1), row(2, uscc=an_invalid_uscc()), row(3, district="火星区"), row(4, uscc=twice)]
    rows.append(row(5, uscc=twice))
    source = workbook(tmp_path / "企业名单.xlsx", rows)
    before = container.app.last_position()

    run = import_enterprise_file(container.app, source)

    assert container.app.last_position() == before
    assert not run.result.written
    report = report_rows(tmp_path / "企业名单.import-report.csv")
    assert report["3"][3] == "NOT_IMPORTED"
    assert report["4"][3] == "INVALID" and report["4"][5].startswith("统一社会信用代码校验位错误")
    assert report["5"][3:] == ["INVALID", "有误", "所属区县：未知的区县“火星区”"]
    assert report["6"][3] == "NOT_IMPORTED"
    assert report["7"][3:] == ["INVALID", "有误", "统一社会信用代码：与第 6 行的信用代码相同"]


def test_skip_invalid_imports_the_valid_rows_with_their_commissioners(
    container: Container, tmp_path: Path
) -> None:
    good = a_valid_uscc()
    rows = [row(1, uscc=good, commissioner="服务专员05"), row(2, district="火星区")]
    run = import_enterprise_file(
        container.app, workbook(tmp_path / "l.xlsx", rows), skip_invalid=True
    )

    assert run.result.counts == {"IMPORTED": 1, "INVALID": 1}
    enterprise = container.app.get_enterprise(run.plan.rows[0].enterprise_id)  # type: ignore[arg-type]
    assert (enterprise.uscc, enterprise.district) == (good, "荣昌区")
    assert enterprise.commissioner_name == "服务专员05"
    assert enterprise.commissioner_id == run.plan.rows[0].commissioner.id  # type: ignore[union-attr]
    assert enterprise.contacts == [{"name": "刘芳", "phone": "13361609088", "title": None}]


def test_reimporting_the_same_file_changes_nothing_and_says_already_registered_unchanged(
    container: Container, tmp_path: Path
) -> None:
    source = workbook(tmp_path / "l.xlsx", [row(1), row(2, phone="023-63861234"), row(3)])
    first = import_enterprise_file(container.app, source)
    assert first.result.counts == {"IMPORTED": 3}
    after_first = container.app.last_position()

    again = import_enterprise_file(container.app, source)

    assert container.app.last_position() == after_first
    assert again.result.counts == {"UNCHANGED": 3}
    assert report_rows(again.report)["3"][3:] == [
        "UNCHANGED",
        "已登记，未变更",
        "已登记，未变更",
    ]


def test_a_row_that_differs_from_the_store_is_invalid_and_holds_back_the_file(
    container: Container, tmp_path: Path
) -> None:
    code = a_valid_uscc()
    container.app.register_enterprise(register_command(uscc=code, name="重庆原名有限公司"), ADMIN)
    before = container.app.last_position()
    rows = [row(1), row(2, uscc=code)]
    run = import_enterprise_file(container.app, workbook(tmp_path / "d.xlsx", rows))

    assert container.app.last_position() == before
    assert [line.outcome.value for line in run.result.lines] == ["NOT_IMPORTED", "INVALID"]
    assert "库中企业名称为 重庆原名有限公司" in run.result.lines[1].detail


def test_an_enterprise_registered_without_a_commissioner_is_given_the_files(
    container: Container, tmp_path: Path
) -> None:
    code = a_valid_uscc()
    enterprise_id, _ = container.app.register_enterprise(
        register_command(
            uscc=code, name="重庆博鑫电子科技1有限公司", district="荣昌区",
            industry="新一代电子信息制造业", contacts=[{"name": "刘芳", "phone": "13361609088"}],
        ),
        ADMIN,
    )  # fmt: skip
    mapping = tmp_path / "专员.csv"
    mapping.write_text("服务专员,用户ID\n服务专员05,c-005\n", encoding="utf-8")
    source = workbook(tmp_path / "a.xlsx", [row(1, uscc=code)])

    run = import_enterprise_file(container.app, source, commissioners_file=mapping)

    assert run.result.counts == {"ASSIGNED": 1}
    assert container.app.get_enterprise(enterprise_id).commissioner_id == "c-005"
    again = import_enterprise_file(container.app, source, commissioners_file=mapping)
    assert again.result.counts == {"UNCHANGED": 1}


def test_a_dry_run_reports_what_it_would_do_and_writes_nothing(
    container: Container, tmp_path: Path
) -> None:
    before = container.app.last_position()
    run = import_enterprise_file(
        container.app, workbook(tmp_path / "l.xlsx", [row(1)]), dry_run=True
    )
    assert container.app.last_position() == before
    assert [line.detail for line in run.result.lines] == ["试运行：将登记"]


def point_the_cli_at(
    monkeypatch: pytest.MonkeyPatch, database: PgAddress, settings: Settings
) -> None:
    """The `espcrm` command reads ESPCRM_* settings: these name the test's database."""
    url = (
        f"postgresql://{database.user}@/{database.dbname}?host={database.host}&port={database.port}"
    )
    monkeypatch.setenv("ESPCRM_DATABASE_URL", url)
    monkeypatch.setenv("ESPCRM_CIPHER_KEY", settings.cipher_key or "")
    monkeypatch.setenv("ESPCRM_DATA_DIR", str(settings.data_dir))


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch, container: Container, database: PgAddress, settings: Settings
) -> None:
    point_the_cli_at(monkeypatch, database, settings)


@pytest.mark.usefixtures("cli_env")
def test_the_command_exits_1_on_invalid_rows_and_0_once_they_are_skipped(
    container: Container, tmp_path: Path
) -> None:
    code = a_valid_uscc()
    source = workbook(tmp_path / "l.xlsx", [row(1, uscc=code), row(2, uscc=an_invalid_uscc())])
    runner = CliRunner()

    refused = runner.invoke(cli, ["import", "enterprises", str(source)])
    skipped = runner.invoke(cli, ["import", "enterprises", str(source), "--skip-invalid"])
    repeated = runner.invoke(cli, ["import", "enterprises", str(source), "--skip-invalid"])

    assert refused.exit_code == 1, refused.output
    assert "未导入任何数据：请改正错误行，或使用 --skip-invalid 跳过。" in refused.output
    assert skipped.exit_code == 0, skipped.output
    assert repeated.exit_code == 0 and "已登记，未变更" in repeated.output
    assert (tmp_path / "l.import-report.csv").exists()
    assert container.app.get_enterprise(enterprise_id_for(code)).uscc == code


@pytest.mark.usefixtures("cli_env")
def test_the_command_exits_2_on_a_file_it_cannot_read(tmp_path: Path) -> None:
    path = tmp_path / "list.xlsx"
    path.write_bytes(b"not a workbook")
    result = CliRunner().invoke(cli, ["import", "enterprises", str(path)])
    assert result.exit_code == 2
    assert "不是可读取的 .xlsx 工作簿" in result.output


def test_an_import_whose_report_cannot_be_written_imports_nothing(
    container: Container, tmp_path: Path
) -> None:
    source = workbook(tmp_path / "l.xlsx", [row(1)])
    before = container.app.last_position()
    with pytest.raises(UnusableFile, match="请用 --report 指定路径"):
        import_enterprise_file(container.app, source, report=tmp_path / "missing" / "r.csv")
    assert container.app.last_position() == before


@pytest.mark.usefixtures("cli_env")
def test_a_dry_run_with_skip_invalid_says_it_was_a_dry_run_not_to_use_skip_invalid(
    container: Container, tmp_path: Path
) -> None:
    source = workbook(tmp_path / "l.xlsx", [row(1), row(2, uscc=an_invalid_uscc())])
    before = container.app.last_position()

    result = CliRunner().invoke(
        cli, ["import", "enterprises", str(source), "--dry-run", "--skip-invalid"]
    )

    assert result.exit_code == 0, result.output
    assert "Nothing imported" not in result.output and "--skip-invalid" not in result.output
    assert "试运行" in result.output
    assert container.app.last_position() == before


def test_reimporting_without_a_commissioners_file_keeps_the_stores_commissioner_of_that_name(
    container: Container, tmp_path: Path
) -> None:
    """The file names 马海燕; the store has 马海燕 under her real user id (assigned in the
    application, or by an import with a commissioners file): the row is unchanged, not a
    difference that holds back the file."""
    code = a_valid_uscc()
    source = workbook(tmp_path / "l.xlsx", [row(1, uscc=code, commissioner="马海燕"), row(2)])
    mapping = tmp_path / "专员.csv"
    mapping.write_text("服务专员,用户ID\n马海燕,c-017\n服务专员05,c-005\n", encoding="utf-8")
    first = import_enterprise_file(container.app, source, commissioners_file=mapping)
    assert first.result.counts == {"IMPORTED": 2}

    again = import_enterprise_file(container.app, source)

    assert again.result.counts == {"UNCHANGED": 2}, [line.detail for line in again.result.lines]
    assert container.app.get_enterprise(enterprise_id_for(code)).commissioner_id == "c-017"
