"""Enterprise mutations: translate input into a command, run it, read the result back."""

from __future__ import annotations

from uuid import UUID

import strawberry

from api.context import Info
from api.enterprises.types import (
    AssignCommissionerInput,
    ChangeContactsInput,
    CorrectVisitInput,
    Enterprise,
    EnterprisePayload,
    ForgetPersonInput,
    PolicyConfirmationInput,
    PolicyNoticeInput,
    RegisterEnterpriseInput,
    RelationshipChangeInput,
)
from api.ids import parse_uuid
from application.enterprises import RegisterEnterprise
from domain.enterprise import CORRECTABLE_FIELDS


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


async def _payload(info: Info, enterprise_id: UUID, position: int) -> EnterprisePayload:
    """The payload reads its own write: wait for the directory to reach the position."""
    view = info.context.services.views.enterprise_directory
    row = await info.context.read_own_write(position, view.get_many, enterprise_id, "enterprise")
    return EnterprisePayload(
        position=position, enterprise=Enterprise.from_row(row, info.context.user)
    )


@strawberry.type
class RelationshipMutations:
    """Beyond the contract: the rest of the enterprise-relationship stream (DOMAIN.md)."""

    @strawberry.mutation(description="Correct a logged visit (a new event pointing at it).")
    async def correct_visit(self, info: Info, input: CorrectVisitInput) -> EnterprisePayload:
        user = info.context.may("correctVisit")
        enterprise_id = parse_uuid(input.enterprise_id, "enterpriseId")
        given = {
            field: getattr(input, field)
            for field in CORRECTABLE_FIELDS
            if getattr(input, field, None) is not None
        }
        if "channel" in given:
            given["channel"] = given["channel"].value
        app = info.context.services.app
        position = await info.context.command(
            app.correct_visit, enterprise_id, str(input.visit_id), given, input.reason, user.actor
        )
        return await _payload(info, enterprise_id, position)

    @strawberry.mutation(description="告知: tell the enterprise of a policy before it benefits.")
    async def notify_policy(self, info: Info, input: PolicyNoticeInput) -> EnterprisePayload:
        return await act(
            info,
            "notifyPolicy",
            input.enterprise_id,
            "notify_policy",
            input.policy_code,
            input.note,
        )

    @strawberry.mutation(description="确认: the enterprise confirms it was told of the policy.")
    async def confirm_policy(self, info: Info, input: PolicyConfirmationInput) -> EnterprisePayload:
        return await act(
            info, "confirmPolicy", input.enterprise_id, "confirm_policy",
            input.policy_code, input.confirmed_by,
        )  # fmt: skip

    @strawberry.mutation
    async def change_contacts(self, info: Info, input: ChangeContactsInput) -> EnterprisePayload:
        contacts = [vars(c) for c in input.contacts]
        return await act(info, "changeContacts", input.enterprise_id, "change_contacts", contacts)

    @strawberry.mutation
    async def suspend_enterprise(
        self, info: Info, input: RelationshipChangeInput
    ) -> EnterprisePayload:
        return await act(
            info, "suspendEnterprise", input.enterprise_id, "suspend_relationship",
            input.reason or "",
        )  # fmt: skip

    @strawberry.mutation
    async def resume_enterprise(
        self, info: Info, input: RelationshipChangeInput
    ) -> EnterprisePayload:
        return await act(info, "resumeEnterprise", input.enterprise_id, "resume_relationship")

    @strawberry.mutation
    async def close_enterprise(
        self, info: Info, input: RelationshipChangeInput
    ) -> EnterprisePayload:
        return await act(
            info, "closeEnterprise", input.enterprise_id, "close_relationship", input.reason or ""
        )

    @strawberry.mutation(
        description="个人信息删除 (ADMIN): destroy the key of the enterprise's personal data and"
        " record PersonalDataErased; every read, report and feed message then shows （已删除）."
    )
    async def forget_person(self, info: Info, input: ForgetPersonInput) -> EnterprisePayload:
        return await act(
            info, "forgetPerson", input.enterprise_id, "forget_person", input.legal_basis
        )


async def act(
    info: Info, mutation: str, raw_enterprise_id: str, command: str, *args: object
) -> EnterprisePayload:
    """The shape of every relationship change: role gate, one application command, read back."""
    user = info.context.may(mutation)
    enterprise_id = parse_uuid(raw_enterprise_id, "enterpriseId")
    method = getattr(info.context.services.app, command)
    position = await info.context.command(method, enterprise_id, *args, user.actor)
    return await _payload(info, enterprise_id, position)
