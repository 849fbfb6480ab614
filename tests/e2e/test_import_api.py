"""名单导入 through the API (the console's upload): a preview that writes nothing, then the
import; a bad file and a bad encoding are INVALID_INPUT naming what was wrong; ADMIN only."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tests.e2e.conftest import Client
from tests.e2e.flows import SUP
from tests.unit.test_enterprise_import import row, workbook

IMPORT = """mutation($i: EnterpriseImportInput!) { importEnterprises(input: $i) {
  dryRun applied position counts { outcome outcomeLabel rows }
  lines { row name uscc outcome outcomeLabel detail } } }"""
ADMIN = {"as_role": "ADMIN", "sub": "a-001"}


def _upload(path: Path, **options: object) -> dict[str, object]:
    content = base64.b64encode(path.read_bytes()).decode()
    return {"i": {"filename": path.name, "contentBase64": content, **options}}


def _ok(api: Client, variables: dict[str, object], **who: str) -> dict[str, object]:
    body = api.gql(IMPORT, variables, **(who or ADMIN))
    assert "errors" not in body, body
    return dict(body["data"]["importEnterprises"])


@pytest.fixture
def listing(tmp_path: Path) -> Path:
    return workbook(tmp_path / "企业名单.xlsx", [row(1), row(2), row(3, uscc="91500000MA5U7XXXX")])


def test_a_preview_reports_every_row_and_writes_nothing_then_valid_rows_are_imported(
    api: Client, listing: Path
) -> None:
    preview = _ok(api, _upload(listing))
    assert (preview["dryRun"], preview["applied"], preview["position"]) == (True, False, None)
    lines = preview["lines"]
    assert [line["row"] for line in lines] == [3, 4, 5]  # under the title and the header
    assert [line["outcome"] for line in lines] == ["NOT_IMPORTED", "NOT_IMPORTED", "INVALID"]
    assert "统一社会信用代码" in lines[2]["detail"]
    assert api.gql("{ enterprises { totalCount } }", **ADMIN)["data"]["enterprises"] == {
        "totalCount": 0
    }
    held = _ok(api, _upload(listing, dryRun=False))
    assert held["applied"] is False  # an invalid row holds the whole file back
    done = _ok(api, _upload(listing, dryRun=False, skipInvalid=True))
    assert {c["outcome"]: c["rows"] for c in done["counts"]} == {"IMPORTED": 2, "INVALID": 1}
    read = api.post("{ enterprises { totalCount } }", token=api.token("ADMIN", "a-001"),
                    headers={"X-Min-Position": str(done["position"])}).json()  # fmt: skip
    assert read["data"]["enterprises"] == {"totalCount": 2}
    again = _ok(api, _upload(listing, dryRun=False, skipInvalid=True))
    assert {c["outcome"]: c["rows"] for c in again["counts"]} == {"UNCHANGED": 2, "INVALID": 1}


def test_a_file_that_is_not_a_spreadsheet_or_not_base64_is_refused_naming_it(
    api: Client, tmp_path: Path
) -> None:
    bad = tmp_path / "名单.xls"
    bad.write_bytes(b"old")
    [error] = api.gql(IMPORT, _upload(bad), **ADMIN)["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT" and ".xlsx" in error["message"]
    garbled = {"i": {"filename": "名单.xlsx", "contentBase64": "!!not base64!!"}}
    [error] = api.gql(IMPORT, garbled, **ADMIN)["errors"]
    assert error["extensions"] == {"code": "INVALID_INPUT", "field": "contentBase64"}


def test_only_an_admin_imports(api: Client, listing: Path) -> None:
    [error] = api.gql(IMPORT, _upload(listing), **SUP)["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
