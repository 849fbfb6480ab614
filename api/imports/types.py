"""名单导入 over the API: a spreadsheet in, one line per row out (the same report as the CLI's)."""

from __future__ import annotations

import strawberry

from application.enterprise_import import OUTCOME_LABELS, ImportResult


@strawberry.input(description="A bureau spreadsheet (.xlsx or .csv) as base64, with options")
class EnterpriseImportInput:
    filename: str = strawberry.field(description="Its name; the suffix says how to read it")
    content_base64: str
    commissioners_filename: str | None = strawberry.field(
        default=None, description="A 服务专员 → 用户ID table (.xlsx/.csv), as --commissioners"
    )
    commissioners_base64: str | None = None
    dry_run: bool = strawberry.field(
        default=True, description="Preview (the default): validate every row, change nothing"
    )
    skip_invalid: bool = strawberry.field(
        default=False, description="Import the valid rows even when other rows are invalid"
    )


@strawberry.type(description="One row of the file: what became of it and why")
class ImportLine:
    row: int = strawberry.field(description="The row number the spreadsheet shows")
    serial: str
    name: str
    uscc: str
    outcome: str = strawberry.field(
        description="IMPORTED, ASSIGNED, UNCHANGED, INVALID, NOT_IMPORTED or FAILED"
    )
    outcome_label: str
    detail: str


@strawberry.type
class ImportCount:
    outcome: str
    outcome_label: str
    rows: int


@strawberry.type
class EnterpriseImportReport:
    dry_run: bool
    applied: bool = strawberry.field(description="Whether any row was written")
    position: int | None = strawberry.field(
        description="The last write's position (send it as X-Min-Position to read it)"
    )
    counts: list[ImportCount]
    lines: list[ImportLine]

    @classmethod
    def from_result(cls, result: ImportResult, dry_run: bool) -> EnterpriseImportReport:
        return cls(
            dry_run=dry_run,
            applied=result.written,
            position=result.last_position,
            counts=[
                ImportCount(outcome=o.value, outcome_label=OUTCOME_LABELS[o], rows=n)
                for o in OUTCOME_LABELS
                if (n := result.counts[o.value])
            ],
            lines=[
                ImportLine(
                    row=line.row,
                    serial=line.serial,
                    name=line.name,
                    uscc=line.uscc,
                    outcome=line.outcome.value,
                    outcome_label=OUTCOME_LABELS[line.outcome],
                    detail=line.detail,
                )
                for line in result.lines
            ],
        )
