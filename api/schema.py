"""The GraphQL schema: each feature's queries and mutations merged into the roots."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule
from strawberry.tools import merge_types

from api.bounds import InputBounds
from api.common.types import User
from api.context import Info
from api.cost import QueryCost
from api.directory.queries import DirectoryQueries
from api.enterprises.mutations import EnterpriseMutations, RelationshipMutations
from api.enterprises.queries import EnterpriseQueries
from api.enterprises.types import Enterprise
from api.errors import ContractErrors, ContractSchema
from api.feed.queries import FeedQueries
from api.history.mutations import HistoryMutations
from api.history.queries import HistoryQueries
from api.imports.mutations import ImportMutations
from api.issues.mutations import IssueMutations
from api.issues.queries import IssueQueries
from api.issues.types import Issue
from api.kpis.queries import KpiQueries
from api.labour.mutations import LabourMutations
from api.labour.queries import LabourQueries
from api.league.queries import LeagueQueries
from api.nodes import Nodes
from api.notifications.mutations import NotificationMutations
from api.notifications.queries import NotificationQueries
from api.outreach.mutations import OutreachMutations
from api.policies.schema import PolicyMutations, PolicyQueries
from api.publicity.schema import PublicityMutations, PublicityQueries
from api.registry.mutations import RegistryMutations
from api.report_files.queries import ReportFileQueries
from api.scalars import BEIJING_DATETIME
from api.visits.mutations import VisitMutations
from api.visits.types import Visit


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
        DirectoryQueries,
        NotificationQueries,
        ReportFileQueries,
        HistoryQueries,
        LabourQueries,
        PublicityQueries,
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
        NotificationMutations,
        ImportMutations,
        HistoryMutations,
        LabourMutations,
        OutreachMutations,
        PublicityMutations,
    ),
)

# How a visit or an issue builds the nodes it links to (api/nodes.py).
NODES = Nodes(enterprise=Enterprise.from_row, visit=Visit.from_row, issue=Issue.from_row)

# The depth and alias limits as validation rules made once (QueryDepthLimiter and
# MaxAliasesLimiter make new ones per request): the same rules every time let ValidationCache
# reuse its verdict on a query text already seen, and ParserCache its parse. Parsing and
# validating were a sixth of a logVisit's CPU in the API (docs/benchmarks.md). Both caches
# are bounded LRUs: unknown query texts only push older ones out.
LIMITS = (max_depth_rule(10, None, None), max_aliases_rule(30))

# The schema's extensions, in order (benchmarks/server.py gives B5 the same).
EXTENSIONS = (
    lambda: MaxTokensLimiter(max_token_count=2000),
    lambda: ParserCache(maxsize=256),
    lambda: AddValidationRules(list(LIMITS)),
    lambda: ValidationCache(maxsize=256),
    InputBounds,
    QueryCost,
    ContractErrors,
)
SCALAR_OVERRIDES: dict[object, Any] = {datetime: BEIJING_DATETIME}

schema = ContractSchema(
    query=Query,
    mutation=Mutation,
    scalar_overrides=SCALAR_OVERRIDES,
    extensions=list(EXTENSIONS),
)
