"""Spreadsheet files in and out: .xlsx and .csv as plain rows of text, and the import report.

Reading only turns cells into text (what the bureau typed, numbers without a stray ".0");
finding the header and judging the rows is `application.enterprise_import`'s.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable
from datetime import date, datetime, time
from pathlib import Path

from application.enterprise_import import OUTCOME_LABELS, ReportLine, SheetRow, UnusableFile

SUPPORTED = (".xlsx", ".xlsm", ".csv")
REPORT_HEADER = ("行号", "序号", "企业名称", "统一社会信用代码", "结果", "结果说明", "原因")
# Excel in China saves CSV as GB18030 (GBK); everything else we see is UTF-8, maybe with a BOM.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


def cell_text(value: object) -> str:
    """A cell as the text it shows: 13361609088.0 (a phone typed as a number) → 13361609088."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def read_rows(path: Path) -> list[SheetRow]:
    """Every row of the file (of an .xlsx, its first sheet with anything on it), numbered as
    the spreadsheet shows them."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    if suffix == ".xls":
        raise UnusableFile("import.xls", name=path.name)
    raise UnusableFile("import.file_type", name=path.name, types=list(SUPPORTED))


def read_upload(filename: str, content: bytes) -> list[SheetRow]:
    """An uploaded file's rows (the console's 名单导入), read as the command line reads a file:
    by its suffix, from a private temporary copy that is removed at once."""
    name = Path(filename).name or "upload"
    with tempfile.TemporaryDirectory(prefix="espcrm-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        return read_rows(path)


def read_xlsx(path: Path) -> list[SheetRow]:
    import openpyxl  # only the import command needs it

    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise UnusableFile("import.unreadable_xlsx", name=path.name, reason=exc) from exc
    try:
        for sheet in workbook.worksheets:
            rows = [
                SheetRow(number, tuple(cell_text(value) for value in values))
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
            if any(any(cell.strip() for cell in row.cells) for row in rows):
                return rows
        return []
    finally:
        workbook.close()


def read_csv(path: Path) -> list[SheetRow]:
    text = _decode(path.read_bytes(), path.name)
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    return [SheetRow(reader.line_num, tuple(cells)) for cells in reader]


def _decode(data: bytes, name: str) -> str:
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnusableFile("import.encoding", name=name)


def report_path(source: Path) -> Path:
    """Next to the imported file: 企业名单.xlsx → 企业名单.import-report.csv."""
    return source.with_name(source.stem + ".import-report.csv")


def write_report(path: Path, lines: Iterable[ReportLine]) -> Path:
    """One line per data row; UTF-8 with a BOM so that Excel shows the Chinese correctly."""
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(REPORT_HEADER)
        for line in lines:
            writer.writerow(
                (
                    line.row, line.serial, line.name, line.uscc, line.outcome.value,
                    OUTCOME_LABELS[line.outcome], line.detail,
                )
            )  # fmt: skip
    return path
