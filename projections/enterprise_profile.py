"""What the read models need of an enterprise's state: everything but its visits.

The enterprise aggregate keeps every visit (a correction is checked against the visit as it
stands), so a projection that kept whole aggregates would hold every visit ever logged: a full
rebuild's memory would grow with the log, not with the number of enterprises. The views keep
visits in their own tables and change them there; in memory they need only this profile,
whose size does not grow with the stream.

The fold mirrors the aggregate's own handlers for these fields (all plain assignments);
tests/unit/test_enterprise_profile.py checks it against the aggregate event by event.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from functools import singledispatch
from typing import Any
from uuid import UUID

from domain.enterprise import EnterpriseRelationship, RelationshipStatus
from domain.personal_data import erase_contacts

_E = EnterpriseRelationship


@dataclass(slots=True)
class EnterpriseProfile:
    id: UUID
    version: int
    uscc: str
    name: str
    district: str
    industry: str | None
    size: str | None
    address: str | None
    contacts: list[dict[str, Any]]
    commissioner_id: str | None
    commissioner_name: str | None
    status: str
    created_on: datetime

    @classmethod
    def of(cls, enterprise: EnterpriseRelationship) -> EnterpriseProfile:
        """The profile of an aggregate loaded from the store (after a restart)."""
        return cls(
            id=enterprise.id,
            version=enterprise.version,
            uscc=enterprise.uscc,
            name=enterprise.name,
            district=enterprise.district,
            industry=enterprise.industry,
            size=enterprise.size,
            address=enterprise.address,
            contacts=copy.deepcopy(enterprise.contacts),
            commissioner_id=enterprise.commissioner_id,
            commissioner_name=enterprise.commissioner_name,
            status=enterprise.status,
            created_on=enterprise.created_on,
        )


def fold(profile: EnterpriseProfile | None, event: Any) -> EnterpriseProfile:
    """The profile once `event` (the stream's next event) has happened."""
    if profile is None:
        return _opened(event)
    _apply(event, profile)
    profile.version = event.originator_version
    return profile


def _opened(e: Any) -> EnterpriseProfile:
    if not isinstance(e, _E.Opened):
        raise ValueError(f"an enterprise stream starts with Opened, not {type(e).__name__}")
    return EnterpriseProfile(
        id=e.originator_id,
        version=e.originator_version,
        uscc=e.uscc,
        name=e.name,
        district=e.district,
        industry=e.industry,
        size=e.size,
        address=e.address,
        contacts=copy.deepcopy(e.contacts),
        commissioner_id=None,
        commissioner_name=None,
        status=RelationshipStatus.ACTIVE.value,
        created_on=e.timestamp,
    )


@singledispatch
def _apply(e: Any, profile: EnterpriseProfile) -> None:
    """Visits and policy notices change nothing the profile holds."""


@_apply.register
def _(e: _E.CommissionerAssigned, profile: EnterpriseProfile) -> None:
    profile.commissioner_id, profile.commissioner_name = e.commissioner_id, e.commissioner_name


@_apply.register
def _(e: _E.HandedOver, profile: EnterpriseProfile) -> None:
    profile.commissioner_id = e.to_commissioner_id
    profile.commissioner_name = e.to_commissioner_name


@_apply.register
def _(e: _E.ContactsChanged, profile: EnterpriseProfile) -> None:
    profile.contacts = copy.deepcopy(e.contacts)


@_apply.register
def _(e: _E.PersonalDataErased, profile: EnterpriseProfile) -> None:
    profile.contacts = erase_contacts(profile.contacts)


@_apply.register
def _(e: _E.Suspended, profile: EnterpriseProfile) -> None:
    profile.status = RelationshipStatus.SUSPENDED.value


@_apply.register
def _(e: _E.Resumed, profile: EnterpriseProfile) -> None:
    profile.status = RelationshipStatus.ACTIVE.value


@_apply.register
def _(e: _E.Closed, profile: EnterpriseProfile) -> None:
    profile.status = RelationshipStatus.CLOSED.value
