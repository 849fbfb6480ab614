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
import re
from base64 import b64decode, b64encode
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, Protocol
from uuid import UUID

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    Cipher,
    Compressor,
    JSONTranscoder,
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    Transcoder,
    Transcoding,
    TranscodingNotRegisteredError,
)
from eventsourcing.utils import resolve_topic

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
    data = orjson.dumps(plain)  # a new json encoder per call (ensure_ascii=False) cost more
    return b64encode(nonce + _aead(key).encrypt(nonce, data, None)).decode()


def _unseal(key: bytes, sealed: str) -> Any:
    """A sealed value's plain JSON: always a text or a list of texts (_Sealer), so orjson
    reads it exactly."""
    raw = b64decode(sealed)
    return orjson.loads(_aead(key).decrypt(raw[:12], raw[12:], None))


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
        self.erased = str(ERASED)  # rendered once, not for every value read as erased

    def sealed(self, value: dict[str, Any]) -> Any:
        key = self.keys.key(str(value[SEALED])) if self.keys is not None else None
        plain: Any = None
        if key is not None:
            try:
                plain = _unseal(key, str(value["c"]))
            except (InvalidTag, ValueError):
                plain = None
        if "p" not in value:
            return plain if plain is not None else self.erased
        parts: list[str] = list(value["p"])
        found = plain if isinstance(plain, list) else [self.erased] * (len(parts) - 1)
        out = [parts[0]]
        for finding, part in zip(found, parts[1:], strict=False):
            out.extend((finding, part))
        return "".join(out)


_SEALED_FIELDS = frozenset({"contacts", "changes", *PERSON_FIELDS, *FREE_TEXT_FIELDS})
_SEALED_SHAPES = (frozenset({SEALED, "c"}), frozenset({SEALED, "p", "c"}))
# The key id of each sealed value in an event's JSON (the encoder writes no spaces).
_KEY_ID = re.compile(rb'"\$pd":"([^"]*)"')
_MARK = b'"$pd":'
# orjson reads an integer beyond 64 bits as a float: an event holding a float that large
# (or NaN) is read again by Python's json, which keeps such an integer exact.
_EXACT = 2.0**63


class _Inexact(Exception):
    """A number orjson may not have read as Python's json would."""


def _linked_subject(domain_event: Any) -> UUID | None:
    """An issue raised for an enterprise: its personal data is the enterprise's."""
    enterprise = getattr(domain_event, "enterprise_id", None)
    if type(domain_event).__qualname__ == "Issue.Raised" and enterprise:
        return UUID(str(enterprise))
    return None


def _is_erasure(stored_event: StoredEvent) -> bool:
    return resolve_topic(stored_event.topic).__qualname__ == ERASURE_EVENT


def _key_ids(plaintext: bytes) -> list[bytes]:
    """The key ids of the sealed values in an event's (or a snapshot's) JSON."""
    return _KEY_ID.findall(plaintext) if _MARK in plaintext else []


class _OpeningTranscoder(Transcoder):
    """The JSON transcoder's decoding with sealed values opened in the same pass: the
    parser's object hook sees every object once, innermost first, so a sealed value is
    opened where it is met (a second walk over every event's fields, then one over the
    fields that may hold one, were a third of decoding a batch of the log)."""

    def __init__(self, transcoder: JSONTranscoder, opener: _Opener) -> None:
        self.encoding = transcoder
        self.names = transcoder.names
        self.opener = opener
        self.decoder = json.JSONDecoder(object_hook=self._object)

    def encode(self, obj: Any) -> bytes:
        return self.encoding.encode(obj)

    def decode(self, data: bytes) -> Any:
        try:
            return self._objects(orjson.loads(data))
        except (orjson.JSONDecodeError, _Inexact):
            # NaN or Infinity, which only Python's json reads; or an integer beyond 64 bits,
            # which orjson reads as a float and Python's json keeps exact.
            return self.decoder.decode(data.decode("utf8"))

    def _objects(self, value: Any) -> Any:
        """Every object of a parsed tree through _object, innermost first (as json's object
        hook), changed in place."""
        if type(value) is dict:
            for k, v in value.items():
                kind = type(v)
                if kind is dict:
                    # Most objects are a field's value transcoded from a text (an id, a time):
                    # decoded here, without a call for the object and one for what it holds.
                    data = v.get("_data_")
                    if type(data) is str and len(v) == 2 and "_type_" in v:
                        value[k] = self._transcoding(v["_type_"]).decode(data)
                    else:
                        value[k] = self._objects(v)
                elif kind is list:
                    value[k] = self._objects(v)
                elif kind is float and not -_EXACT < v < _EXACT:
                    raise _Inexact
            return self._object(value)
        for i, v in enumerate(value):
            kind = type(v)
            if kind is dict or kind is list:
                value[i] = self._objects(v)
            elif kind is float and not -_EXACT < v < _EXACT:
                raise _Inexact
        return value

    def _object(self, d: dict[str, Any]) -> Any:
        if SEALED in d and d.keys() in _SEALED_SHAPES:
            return self.opener.sealed(d)
        if len(d) != 2 or "_type_" not in d or "_data_" not in d:
            return d
        return self._transcoding(d["_type_"]).decode(d["_data_"])

    def _transcoding(self, name: str) -> Transcoding:
        try:
            return self.names[name]
        except KeyError:
            raise TranscodingNotRegisteredError(
                f"Data serialized with name '{name}' is not deserializable."
            ) from None


class PersonalDataMapper(Mapper[UUID]):
    """eventsourcing's mapper, sealing personal fields before the store-wide cipher."""

    def __init__(
        self,
        transcoder: JSONTranscoder,
        compressor: Compressor | None = None,
        cipher: Cipher | None = None,
        keys: SubjectKeys | None = None,
    ) -> None:
        super().__init__(transcoder, compressor=compressor, cipher=cipher)
        self.keys = keys
        # Decoding after the store-wide cipher: the library's mapper with a transcoder that
        # opens sealed values as it parses (_OpeningTranscoder).
        self._from_plaintext: Mapper[UUID] = Mapper(_OpeningTranscoder(transcoder, _Opener(keys)))
        # For a reader that shows no personal data: every sealed value reads as an erased
        # subject's would (the same shapes and types), no key looked up, nothing opened.
        self._as_erased: Mapper[UUID] = Mapper(_OpeningTranscoder(transcoder, _Opener(None)))

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
        return self._decoded(stored_event, self._plaintext(stored_event))

    def to_domain_events(
        self,
        stored_events: Sequence[StoredEvent],
        personal: bool | Callable[[str], bool] = True,
        wanted: Callable[[str], bool] | None = None,
    ) -> list[Any]:
        """A batch of the log decoded, the keys its sealed values need fetched in one look-up
        (a key's look-up per subject was a quarter of a rebuild). Decoded in order, so an
        erasure in the batch still drops every cached key before the events after it.

        `personal=False`, for a reader whose rows hold no personal data (a rebuild of kpi):
        sealed values read as erased ones do, unopened (opening them was a fifth of
        decoding). `personal` as a predicate of the topic: only the events it accepts are
        opened (the directory shows contacts, not a visit's attendees). `wanted`: an event
        of another topic is neither decrypted nor decoded (None), though an erasure still
        drops the cached keys."""
        plaintexts = [
            self._plaintext(s) if wanted is None or wanted(s.topic) else None for s in stored_events
        ]
        opens: list[bool] = [
            bool(personal(s.topic)) if callable(personal) else personal for s in stored_events
        ]
        prefetch = getattr(self.keys, "prefetch", None)
        if prefetch is not None and any(opens):
            prefetch(
                {
                    key_id.decode()
                    for p, o in zip(plaintexts, opens, strict=True)
                    if p and o
                    for key_id in _key_ids(p)
                }
            )
        decoded: list[Any] = []  # the events, None for those not wanted
        for stored, plaintext, opened in zip(stored_events, plaintexts, opens, strict=True):
            if plaintext is not None:
                into = self._from_plaintext if opened else self._as_erased
                decoded.append(self._decoded(stored, plaintext, into))
            else:  # left undecoded; if it is an erasure, the cached keys still go
                if self.keys is not None and _is_erasure(stored):
                    self.keys.forget_cached()
                    forget_ciphers()
                decoded.append(None)
        return decoded

    def _plaintext(self, stored_event: StoredEvent) -> bytes:
        """The event's JSON: the store-wide cipher opened (and decompressed)."""
        state = stored_event.state
        try:
            if self.cipher:
                state = self.cipher.decrypt(state)
            if self.compressor:
                state = self.compressor.decompress(state)
        except Exception as e:
            raise MapperDeserialisationError(
                f"Failed to deserialise state of stored event with topic '{stored_event.topic}'"
                f", originator_id '{stored_event.originator_id}' and originator_version "
                f"{stored_event.originator_version}: {e}"
            ) from e
        return state

    def _decoded(
        self, stored_event: StoredEvent, plaintext: bytes, into: Mapper[UUID] | None = None
    ) -> DomainEventProtocol[UUID]:
        if self.keys is not None and _is_erasure(stored_event):
            # Whoever follows the log (projections, the relay, in any process) reads the
            # erasure before anything after it: no key cached here outlives it.
            self.keys.forget_cached()
            forget_ciphers()  # nor any cipher made from one
        return (into or self._from_plaintext).to_domain_event(
            StoredEvent(
                originator_id=stored_event.originator_id,
                originator_version=stored_event.originator_version,
                topic=stored_event.topic,
                state=plaintext,
            )
        )
