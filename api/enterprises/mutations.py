"""Enterprise mutations: translate input into a command, run it, read the result back."""

from __future__ import annotations

import strawberry

from api.context import Info
from api.enterprises.types import (
    AssignCommissionerInput,
    Enterprise,
    EnterprisePayload,
    RegisterEnterpriseInput,
)
from api.ids import parse_uuid
from application.enterprises import RegisterEnterprise


@strawberry.type
class EnterpriseMutations:
    @strawberry.mutation
    async def register_enterprise(
        self, info: Info, input: RegisterEnterpriseInput
    ) -> EnterprisePayload:
        user = info.context.may("registerEnterprise")
        cmd = RegisterEnterprise(
            uscc=input.uscc,
            name=input.name,
            district=input.district,
            industry=input.industry,
            address=input.address,
            contacts=[vars(c) for c in input.contacts or []],
        )
        app = info.context.services.app
        enterprise_id, position = await info.context.command(
            app.register_enterprise, cmd, user.actor
        )
        return await _payload(info, enterprise_id, position)

    @strawberry.mutation
    async def assign_commissioner(
        self, info: Info, input: AssignCommissionerInput
    ) -> EnterprisePayload:
        user = info.context.may("assignCommissioner")
        enterprise_id = parse_uuid(input.enterprise_id, "enterpriseId")
        app = info.context.services.app
        position = await info.context.command(
            app.assign_commissioner,
            enterprise_id,
            input.commissioner_id,
            input.commissioner_name,
            input.reason,
            user.actor,
        )
        return await _payload(info, enterprise_id, position)


async def _payload(info: Info, enterprise_id: object, position: int) -> EnterprisePayload:
    """The payload reads its own write: wait for the directory to reach the position."""
    info.context.reads_after(position)
    view = info.context.services.views.enterprise_directory
    row = await info.context.read(view.get, enterprise_id)
    assert row is not None, "the directory reached the position, so the row exists"
    return EnterprisePayload(
        position=position, enterprise=Enterprise.from_row(row, info.context.user)
    )
