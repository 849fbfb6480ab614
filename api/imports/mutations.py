"""`importEnterprises`: the console's 名单导入, preview first (dryRun), then for real."""

from __future__ import annotations

import base64
import binascii

import strawberry

from api.context import Info
from api.errors import ServiceUnavailable
from api.imports.types import EnterpriseImportInput, EnterpriseImportReport
from application.enterprise_import import (
    CommissionerDirectory,
    apply_plan,
    plan_import,
    read_commissioner_map,
    read_enterprise_list,
    store_lookup,
)
from domain.messages import render
from domain.shared import InvalidInput


@strawberry.type
class ImportMutations:
    @strawberry.mutation(
        description="名单导入 (ADMIN): every row validated first; with dryRun (the default)"
        " nothing is written; invalid rows stop the import unless skipInvalid. Re-importing the"
        " same file changes nothing."
    )
    async def import_enterprises(
        self, info: Info, input: EnterpriseImportInput
    ) -> EnterpriseImportReport:
        user = info.context.may("importEnterprises")
        read = info.context.services.uploaded_sheets
        if read is None:
            raise ServiceUnavailable("import.upload_unavailable")
        content = _decoded(input.content_base64, "contentBase64")
        listing = read_enterprise_list(read(input.filename, content))
        mapping = None
        if input.commissioners_base64 is not None:
            sheet = _decoded(input.commissioners_base64, "commissionersBase64")
            name = input.commissioners_filename or "commissioners.csv"
            mapping = read_commissioner_map(read(name, sheet))
        app = info.context.services.app

        def run() -> EnterpriseImportReport:
            plan = plan_import(listing.entries, store_lookup(app), CommissionerDirectory(mapping))
            result = apply_plan(app, plan, user.actor, skip_invalid=input.skip_invalid,
                                dry_run=input.dry_run, source=render("import.source", name=input.filename))  # fmt: skip
            return EnterpriseImportReport.from_result(result, input.dry_run)

        report = await info.context.command(run)
        if report.position is not None:
            info.context.reads_after(report.position)
        return report


def _decoded(text: str, field: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("import.not_base64", field=field) from None
