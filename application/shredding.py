"""Crypto-shredding: personal data inside events is sealed with a key of its data subject.

The store-wide cipher encrypts every event as a whole; on top of it, this mapper seals the
personal fields of an event's state with the key of the event's **data subject**, a key of
its own held in a key table (infra/personal_keys.py). Destroying that key (`forgetPerson`)
makes those fields unreadable for good, in every replay, while the rest of each event (dates,
districts, statuses, counts) stays readable.

The subject is the **enterprise**: its contacts, the attendees of its visits, who confirmed a
policy there, and personal data typed into the free text of its stream and of the demands
raised for it (an issue stream is linked to its enterprise's subject by its Raised event).
One key per enterprise rather than one per named person, because the people of an
enterprise are not identifiable records here: a contact or attendee is free text ("王经理"),
the same person is written differently from one visit to the next, and personal data in
free text cannot be attributed to one of them. A direct report without an enterprise is its
own subject.

What is sealed (domain/personal_data.py names the fields):
- contacts: each contact's name and phone (the title, a job title, stays);
- attendees and confirmed_by: each name as a whole;
- free-text fields: only the personal data `find_personal_data` finds, so the rest of a
  summary or a title stays readable after an erasure;
- a correction's `changes`, by the same rules.

A sealed value is a dict {"$pd": key id, "c": ciphertext} (a whole value) or {"$pd": key id,
"p": [text parts], "c": ciphertext of the findings} (free text). Events written before field
sealing hold plain values and are read as they are. When the key is gone the value reads as
the catalogue's "（已删除）".
"""

from __future__ import annotations

import json
import os
from base64 import b64decode, b64encode
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Any, Protocol
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Cipher, Compressor, Mapper, StoredEvent, Transcoder

from domain.personal_data import (
    ERASED,
    FREE_TEXT_FIELDS,
    PERSON_FIELDS,
    find_personal_data,
)

SEALED = "$pd"
ERASURE_EVENT = "EnterpriseRelationship.PersonalDataErased"


class SubjectKeys(Protocol):
    """The key table: one live key per data subject, destroyed on erasure."""

    def key_for(self, subject_id: UUID) -> tuple[str, bytes]:
        """The subject's live key (id, bytes), made on first use."""

    def key(self, key_id: str) -> bytes | None:
        """A key by id; None once destroyed."""

    def subject_of(self, stream_id: UUID) -> UUID | None:
        """The subject a stream's personal data belongs to, when it is another stream's."""

    def link(self, stream_id: UUID, subject_id: UUID) -> None:
        """Record that `stream_id`'s personal data belongs to `subject_id`."""

    def destroy(self, subject_id: UUID) -> int:
        """Destroy the subject's keys for good; the number destroyed."""

    def forget_cached(self) -> None:
        """Drop every key held in memory (another process destroyed one)."""


def _seal(key: bytes, plain: Any) -> str:
    nonce = os.urandom(12)
    data = json.dumps(plain, ensure_ascii=False).encode()
    return b64encode(nonce + _aead(key).encrypt(nonce, data, None)).decode()


def _unseal(key: bytes, sealed: str) -> Any:
    raw = b64decode(sealed)
    return json.loads(_aead(key).decrypt(raw[:12], raw[12:], None))


def forget_ciphers() -> None:
    """Drop every subject key's cipher held in memory (keys were destroyed)."""
    _aead.cache_clear()


@lru_cache(maxsize=4_096)
def _aead(key: bytes) -> AESGCM:
    """One AES-GCM object per subject key (making one was a fifth of opening a sealed value,
    as it was of the store-wide cipher: infra/keyring.py). Emptied with the key table's own
    cache whenever keys are destroyed: no key outlives its erasure here either."""
    return AESGCM(key)


class _Sealer:
    """Seals one event's personal fields with one subject's key (fetched only if needed)."""

    def __init__(self, keys: SubjectKeys, subject: Callable[[], UUID]) -> None:
        self.keys, self.subject = keys, subject
        self._key: tuple[str, bytes] | None = None

    def _current(self) -> tuple[str, bytes]:
        if self._key is None:
            self._key = self.keys.key_for(self.subject())
        return self._key

    def whole(self, value: Any) -> Any:
        if not isinstance(value, str) or not value:
            return value
        key_id, key = self._current()
        return {SEALED: key_id, "c": _seal(key, value)}

    def text(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [self.text(v) for v in value]
        if not isinstance(value, str):
            return value
        findings = find_personal_data(value)
        if not findings:
            return value
        parts, at = [], 0
        for f in findings:
            parts.append(value[at : f.start])
            at = f.end
        parts.append(value[at:])
        key_id, key = self._current()
        return {SEALED: key_id, "p": parts, "c": _seal(key, [f.text for f in findings])}

    def fields(self, state: dict[str, Any]) -> dict[str, Any]:
        sealed = dict(state)
        for name, value in state.items():
            if name == "contacts" and isinstance(value, list):
                sealed[name] = [self.contact(c) for c in value]
            elif name in PERSON_FIELDS:
                sealed[name] = (
                    [self.whole(v) for v in value]
                    if isinstance(value, list | tuple)
                    else self.whole(value)
                )
            elif name in FREE_TEXT_FIELDS:
                sealed[name] = self.text(value)
            elif name == "changes" and isinstance(value, dict):
                sealed[name] = self.fields(value)
        return sealed

    def contact(self, contact: Any) -> Any:
        if not isinstance(contact, dict):
            return contact
        return {
            **contact,
            "name": self.whole(contact.get("name")),
            "phone": self.whole(contact.get("phone")),
        }


class _Opener:
    """Opens sealed values; a destroyed key reads as ERASED."""

    def __init__(self, keys: SubjectKeys | None) -> None:
        self.keys = keys

    def value(self, value: Any) -> Any:
        if isinstance(value, dict):
            if SEALED in value:
                return self.sealed(value)
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return value

    def sealed(self, value: dict[str, Any]) -> Any:
        key = self.keys.key(str(value[SEALED])) if self.keys is not None else None
        plain: Any = None
        if key is not None:
            try:
                plain = _unseal(key, str(value["c"]))
            except (InvalidTag, ValueError):
                plain = None
        if "p" not in value:
            return plain if plain is not None else str(ERASED)
        parts: list[str] = list(value["p"])
        found = plain if isinstance(plain, list) else [str(ERASED)] * (len(parts) - 1)
        out = [parts[0]]
        for finding, part in zip(found, parts[1:], strict=False):
            out.extend((finding, part))
        return "".join(out)


_SEALED_FIELDS = frozenset({"contacts", "changes", *PERSON_FIELDS, *FREE_TEXT_FIELDS})


def _linked_subject(domain_event: Any) -> UUID | None:
    """An issue raised for an enterprise: its personal data is the enterprise's."""
    enterprise = getattr(domain_event, "enterprise_id", None)
    if type(domain_event).__qualname__ == "Issue.Raised" and enterprise:
        return UUID(str(enterprise))
    return None


def _key_ids(state: dict[str, Any]) -> Iterator[str]:
    """The key ids of the sealed values in an event's (or a snapshot's) state."""
    if isinstance(state.get("state"), dict):
        yield from _sealed_in(state["state"])
        return
    for name in _SEALED_FIELDS.intersection(state):
        yield from _sealed_in(state[name])


def _sealed_in(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if SEALED in value:
            yield str(value[SEALED])
            return
        for v in value.values():
            yield from _sealed_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from _sealed_in(v)


class PersonalDataMapper(Mapper[UUID]):
    """eventsourcing's mapper, sealing personal fields before the store-wide cipher."""

    def __init__(
        self,
        transcoder: Transcoder,
        compressor: Compressor | None = None,
        cipher: Cipher | None = None,
        keys: SubjectKeys | None = None,
    ) -> None:
        super().__init__(transcoder, compressor=compressor, cipher=cipher)
        self.keys = keys
        self._opener = _Opener(keys)

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        if self.keys is None:
            return super().to_stored_event(domain_event)
        linked = _linked_subject(domain_event)
        if linked is not None:
            self.keys.link(domain_event.originator_id, linked)
        if isinstance(vars(domain_event).get("state"), dict):
            return super().to_stored_event(self._sealed_snapshot(domain_event))
        if not _SEALED_FIELDS.intersection(vars(domain_event)):
            return super().to_stored_event(domain_event)
        state = dict(vars(domain_event))
        keys = self.keys
        stream = domain_event.originator_id
        sealed = _Sealer(keys, lambda: linked or keys.subject_of(stream) or stream).fields(state)
        if sealed == state:
            return super().to_stored_event(domain_event)
        twin = object.__new__(type(domain_event))
        object.__setattr__(twin, "__dict__", sealed)
        return super().to_stored_event(twin)  # type: ignore[arg-type]

    def _sealed_snapshot(self, snapshot: Any) -> Any:
        """A snapshot holds the aggregate's state: its contacts and the names of those who
        confirmed policies are sealed with the subject's key like the events that set them
        (else an erasure would leave them readable in older snapshots)."""
        assert self.keys is not None
        keys, stream = self.keys, snapshot.originator_id
        sealer = _Sealer(keys, lambda: keys.subject_of(stream) or stream)
        state = dict(snapshot.state)
        if isinstance(state.get("contacts"), list):
            state["contacts"] = [sealer.contact(c) for c in state["contacts"]]
        if isinstance(state.get("_confirmed"), dict):
            state["_confirmed"] = {k: sealer.whole(v) for k, v in state["_confirmed"].items()}
        twin = object.__new__(type(snapshot))
        object.__setattr__(twin, "__dict__", {**vars(snapshot), "state": state})
        return twin

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        return self._opened(super().to_domain_event(stored_event))

    def to_domain_events(
        self, stored_events: Sequence[StoredEvent]
    ) -> list[DomainEventProtocol[UUID]]:
        """A batch of the log decoded, the keys its sealed values need fetched in one look-up
        (a key's look-up per subject was a quarter of a rebuild). Opened in order, so an
        erasure in the batch still drops every cached key before the events after it."""
        prefetch = getattr(self.keys, "prefetch", None)
        if prefetch is None:
            return [self.to_domain_event(s) for s in stored_events]
        decoded = [super(PersonalDataMapper, self).to_domain_event(s) for s in stored_events]
        prefetch({key_id for e in decoded for key_id in _key_ids(vars(e))})
        return [self._opened(e) for e in decoded]

    def _opened(self, domain_event: DomainEventProtocol[UUID]) -> DomainEventProtocol[UUID]:
        if self.keys is not None and type(domain_event).__qualname__ == ERASURE_EVENT:
            # Whoever follows the log (projections, the relay, in any process) reads the
            # erasure before anything after it: no key cached here outlives it.
            self.keys.forget_cached()
            forget_ciphers()  # nor any cipher made from one
        state = vars(domain_event)
        if isinstance(state.get("state"), dict):  # a snapshot (see _sealed_snapshot)
            state["state"] = self._opener.value(state["state"])
            return domain_event
        for name in _SEALED_FIELDS.intersection(state):
            state[name] = self._opener.value(state[name])
        return domain_event
