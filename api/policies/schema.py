"""Reading the catalogue (anyone signed in) and adding to it (ADMIN)."""

from __future__ import annotations

import strawberry

from api.context import Info
from api.policies.types import AddPolicyInput, Policy, PolicyPayload


@strawberry.type
class PolicyQueries:
    @strawberry.field(description="The policy catalogue: shipped policies and those added since.")
    async def policies(self, info: Info) -> list[Policy]:
        info.context.user  # noqa: B018  (signed in)
        catalogue = await info.context.command(info.context.services.app.catalogue)
        return [Policy.from_policy(p) for p in catalogue]


@strawberry.type
class PolicyMutations:
    @strawberry.mutation
    async def add_policy(self, info: Info, input: AddPolicyInput) -> PolicyPayload:
        user = info.context.may("addPolicy")
        app = info.context.services.app
        position = await info.context.command(
            app.add_policy, input.code, input.title, input.benefit, user.actor
        )
        catalogue = await info.context.command(app.catalogue)
        policy = catalogue.lookup(input.code.strip())
        assert policy is not None, "the policy was just added"
        return PolicyPayload(position=position, policy=Policy.from_policy(policy))
