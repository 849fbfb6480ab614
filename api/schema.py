"""The GraphQL schema: each feature's queries and mutations merged into the roots."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.tools import merge_types

from api.common.types import User
from api.context import Info
from api.enterprises.mutations import EnterpriseMutations, RelationshipMutations
from api.enterprises.queries import EnterpriseQueries
from api.errors import ContractErrors
from api.feed.queries import FeedQueries
from api.issues.mutations import IssueMutations
from api.issues.queries import IssueQueries
from api.kpis.queries import KpiQueries
from api.league.queries import LeagueQueries
from api.policies.schema import PolicyMutations, PolicyQueries
from api.registry.mutations import RegistryMutations
from api.visits.mutations import VisitMutations


@strawberry.type
class MeQuery:
    @strawberry.field
    def me(self, info: Info) -> User:
        return User.from_principal(info.context.user)


Query = merge_types(
    "Query",
    (
        MeQuery,
        EnterpriseQueries,
        IssueQueries,
        KpiQueries,
        LeagueQueries,
        FeedQueries,
        PolicyQueries,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        RegistryMutations,
        EnterpriseMutations,
        VisitMutations,
        IssueMutations,
        RelationshipMutations,
        PolicyMutations,
    ),
)

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    extensions=[
        lambda: QueryDepthLimiter(max_depth=10),
        lambda: MaxAliasesLimiter(max_alias_count=30),
        lambda: MaxTokensLimiter(max_token_count=2000),
        ContractErrors,
    ],
)
