"""The enterprise relationship stream (企业服务关系): one stream per enterprise under service."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.districts import validate_district
from domain.shared import Actor, InvalidInput, require_text
from domain.uscc import validate_uscc

_NAMESPACE = uuid5(NAMESPACE_URL, "https://espcrm/enterprise-relationship")
_PHONE = re.compile(r"^\+?[0-9][0-9-]{5,19}$")


def enterprise_id_for(uscc: str) -> UUID:
    """One relationship per credit code: the id is derived from the code itself."""
    return uuid5(_NAMESPACE, validate_uscc(uscc))


@dataclass(frozen=True)
class Contact:
    """联系人: personal information, encrypted at rest and masked for most readers."""

    name: str
    phone: str
    title: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "phone": self.phone, "title": self.title}


def normalise_phone(raw: str) -> str:
    """Mobiles as 11 bare digits; landlines (023-6386xxxx) keep their area-code dash."""
    phone = "".join(unicodedata.normalize("NFKC", raw).split())
    digits = phone.replace("-", "")
    if len(digits) == 11 and digits.startswith("1") and digits.isdigit():
        return digits
    return phone


def validate_contacts(raw: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Contacts as plain dicts, phones cleaned of spaces; InvalidInput names the row."""
    contacts: list[dict[str, Any]] = []
    for i, item in enumerate(raw or []):
        field = f"contacts[{i}]"
        name = require_text(item.get("name"), f"{field}.name", max_length=50)
        phone = normalise_phone(str(item.get("phone") or ""))
        if not _PHONE.match(phone):
            raise InvalidInput(f"{field}.phone: {phone!r} is not a phone number", field=field)
        title = (item.get("title") or "").strip() or None
        contacts.append(Contact(name, phone, title).as_dict())
    return contacts


class EnterpriseRelationship(Aggregate):
    """An enterprise under one-on-one service (一对一服务) by a service commissioner."""

    class Opened(Aggregate.Created):
        class_version = 1
        uscc: str
        name: str
        district: str
        industry: str | None
        size: str | None
        address: str | None
        contacts: list[dict[str, Any]]
        actor: Actor

    class CommissionerAssigned(Aggregate.Event):
        class_version = 1
        commissioner_id: str
        commissioner_name: str
        previous_commissioner_id: str | None
        reason: str | None
        actor: Actor

    @staticmethod
    def create_id(uscc: str) -> UUID:
        return enterprise_id_for(uscc)

    @classmethod
    def open(
        cls,
        *,
        uscc: str,
        name: str,
        district: str,
        industry: str | None,
        size: str | None,
        address: str | None,
        contacts: list[dict[str, Any]] | None,
        actor: Actor,
        timestamp: datetime,
    ) -> EnterpriseRelationship:
        """Open a relationship; every input is checked before anything is recorded."""
        return cls(
            uscc=validate_uscc(uscc),
            name=require_text(name, "name", max_length=200),
            district=validate_district(district),
            industry=(industry or "").strip() or None,
            size=(size or "").strip() or None,
            address=(address or "").strip() or None,
            contacts=validate_contacts(contacts),
            actor=actor,
            timestamp=timestamp,
        )

    @event(Opened)
    def __init__(
        self,
        *,
        uscc: str,
        name: str,
        district: str,
        industry: str | None,
        size: str | None,
        address: str | None,
        contacts: list[dict[str, Any]],
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self.uscc = uscc
        self.name = name
        self.district = district
        self.industry = industry
        self.size = size
        self.address = address
        self.contacts = contacts
        self.commissioner_id: str | None = None
        self.commissioner_name: str | None = None

    def assign_commissioner(
        self,
        commissioner_id: str,
        commissioner_name: str,
        reason: str | None,
        *,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        """Assign (or hand over to) a commissioner (服务专员); a no-op assignment is refused."""
        commissioner_id = require_text(commissioner_id, "commissionerId", max_length=64)
        commissioner_name = require_text(commissioner_name, "commissionerName", max_length=50)
        if commissioner_id == self.commissioner_id:
            raise InvalidInput(
                f"commissionerId: {commissioner_id} is already assigned to this enterprise",
                field="commissionerId",
            )
        self._commissioner_assigned(
            commissioner_id=commissioner_id,
            commissioner_name=commissioner_name,
            previous_commissioner_id=self.commissioner_id,
            reason=(reason or "").strip() or None,
            actor=actor,
            timestamp=timestamp,
        )

    @event(CommissionerAssigned)
    def _commissioner_assigned(
        self,
        commissioner_id: str,
        commissioner_name: str,
        previous_commissioner_id: str | None,
        reason: str | None,
        actor: Actor,
        timestamp: datetime,
    ) -> None:
        self.commissioner_id = commissioner_id
        self.commissioner_name = commissioner_name
