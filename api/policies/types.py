"""The policy catalogue (人社政策服务包): what commissioners may cite as policies explained."""

from __future__ import annotations

import strawberry

from domain.policy_catalogue import Policy as DomainPolicy


@strawberry.type
class Policy:
    code: str
    title: str
    benefit: str

    @classmethod
    def from_policy(cls, policy: DomainPolicy) -> Policy:
        return cls(code=policy.code, title=policy.title, benefit=policy.benefit)


@strawberry.input
class AddPolicyInput:
    code: str
    title: str
    benefit: str


@strawberry.type
class PolicyPayload:
    position: int
    policy: Policy
