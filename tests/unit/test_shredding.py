"""Field sealing (application/shredding.py) and the keyring (infra/keyring.py), without a
database: a key table in memory."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import JSONTranscoder
from eventsourcing.utils import Environment

from application.shredding import PersonalDataMapper
from application.transcodings import ActorAsDict, DateAsISO
from domain.enterprise import EnterpriseRelationship
from domain.personal_data import ERASED, erase_free_text
from infra.keyring import Keyring, KeyringCipher
from tests.builders import ADMIN, a_valid_uscc

OLD, NEW = AESCipher.create_key(32), AESCipher.create_key(32)
NAME, PHONE = "赵子龙", "13912345678"


class MemoryKeys:
    def __init__(self) -> None:
        self.keys: dict[str, tuple[UUID, bytes]] = {}
        self.links: dict[UUID, UUID] = {}
        self.forgotten = False

    def key_for(self, subject_id: UUID) -> tuple[str, bytes]:
        for key_id, (subject, key) in self.keys.items():
            if subject == subject_id:
                return key_id, key
        key_id = str(uuid.uuid4())
        self.keys[key_id] = (subject_id, uuid.uuid4().bytes * 2)
        return key_id, self.keys[key_id][1]

    def key(self, key_id: str) -> bytes | None:
        return self.keys[key_id][1] if key_id in self.keys else None

    def subject_of(self, stream_id: UUID) -> UUID | None:
        return self.links.get(stream_id)

    def link(self, stream_id: UUID, subject_id: UUID) -> None:
        self.links[stream_id] = subject_id

    def forget_cached(self) -> None:
        self.forgotten = True

    def destroy(self, subject_id: UUID) -> int:
        gone = [k for k, (s, _) in self.keys.items() if s == subject_id]
        for key_id in gone:
            del self.keys[key_id]
        return len(gone)


def _mapper(keys: MemoryKeys | None) -> PersonalDataMapper:
    transcoder = JSONTranscoder()
    for transcoding in (ActorAsDict(), DateAsISO()):
        transcoder.register(transcoding)
    from eventsourcing.persistence import DatetimeAsISO, UUIDAsHex

    transcoder.register(UUIDAsHex())
    transcoder.register(DatetimeAsISO())
    cipher = KeyringCipher(Environment("", {"CIPHER_KEY": NEW}))
    return PersonalDataMapper(transcoder, cipher=cipher, keys=keys)


def _opened() -> EnterpriseRelationship:
    return EnterpriseRelationship.open(
        uscc=a_valid_uscc(3), name="重庆嘉陵精工有限公司", district="渝中区", industry=None,
        size=None, address="渝中区解放碑",
        contacts=[{"name": NAME, "phone": PHONE, "title": "人事经理"}],
        actor=ADMIN, timestamp=datetime(2025, 3, 3, tzinfo=UTC),
    )  # fmt: skip


def test_the_store_holds_only_ciphertext_for_a_contacts_name_and_phone() -> None:
    keys = MemoryKeys()
    mapper = _mapper(keys)
    [opened] = _opened().collect_events()
    stored = mapper.to_stored_event(opened)
    plain = mapper.cipher.decrypt(stored.state).decode()  # type: ignore[union-attr]
    assert NAME not in plain and PHONE not in plain
    assert "人事经理" in plain and "重庆嘉陵精工有限公司" in plain  # not personal: as it was
    back = mapper.to_domain_event(stored)
    assert back.contacts == [{"name": NAME, "phone": PHONE, "title": "人事经理"}]  # type: ignore[attr-defined]


def test_once_the_key_is_destroyed_the_fields_read_erased_and_the_rest_stays() -> None:
    keys = MemoryKeys()
    mapper = _mapper(keys)
    enterprise = _opened()
    enterprise.suspend(f"联系人 {PHONE} 要求暂停", actor=ADMIN, timestamp=datetime.now(UTC))
    stored = [mapper.to_stored_event(e) for e in enterprise.collect_events()]
    assert keys.destroy(enterprise.id) == 1
    enterprise.erase_personal_data("个人信息保护法", actor=ADMIN, timestamp=datetime.now(UTC))
    [erasure] = [mapper.to_stored_event(e) for e in enterprise.collect_events()]
    mapper.to_domain_event(erasure)
    assert keys.forgotten  # a follower of the log drops its cached keys at the erasure
    opened, suspended = (mapper.to_domain_event(s) for s in stored)
    erased = str(ERASED)
    assert opened.contacts == [{"name": erased, "phone": erased, "title": "人事经理"}]  # type: ignore[attr-defined]
    assert suspended.reason == f"联系人 {erased} 要求暂停"  # type: ignore[attr-defined]
    assert suspended.reason == erase_free_text(f"联系人 {PHONE} 要求暂停")  # type: ignore[attr-defined]


def test_events_written_before_field_sealing_still_read_as_they_were() -> None:
    [opened] = _opened().collect_events()
    stored = _mapper(None).to_stored_event(opened)  # the old, plain form
    back = _mapper(MemoryKeys()).to_domain_event(stored)
    assert back.contacts[0]["name"] == NAME  # type: ignore[attr-defined]


def test_the_keyring_reads_what_old_keys_and_the_plain_aes_cipher_wrote() -> None:
    legacy = AESCipher(Environment("", {"CIPHER_KEY": OLD})).encrypt(b"before the keyring")
    old_ring, ring = Keyring(OLD), Keyring(NEW, [OLD])
    written_by_old = old_ring.encrypt(b"old key")
    assert ring.decrypt(legacy) == b"before the keyring"
    assert ring.decrypt(written_by_old) == b"old key"
    assert not ring.is_current(written_by_old) and not ring.is_current(legacy)
    assert ring.is_current(ring.encrypt(b"new"))
    assert json.loads(Keyring(NEW).decrypt(ring.encrypt(b"[1]"))) == [1]


def test_a_snapshot_seals_the_contacts_and_reads_erased_once_the_key_is_gone() -> None:
    """Snapshots hold the aggregate's state (issue 13 takes one every N events): an erasure
    must reach the contacts in snapshots taken before it, not only in the events."""
    from domain.enterprise import EnterpriseRelationship as ER

    keys = MemoryKeys()
    mapper = _mapper(keys)
    enterprise = _opened()
    enterprise.collect_events()
    snapshot = ER.Snapshot.take(enterprise)
    stored = mapper.to_stored_event(snapshot)
    plain = mapper.cipher.decrypt(stored.state).decode()  # type: ignore[union-attr]
    assert NAME not in plain and PHONE not in plain
    restored = mapper.to_domain_event(stored).mutate(None)  # type: ignore[attr-defined]
    assert restored.contacts[0]["name"] == NAME
    keys.destroy(enterprise.id)
    erased = mapper.to_domain_event(stored).mutate(None)  # type: ignore[attr-defined]
    assert erased.contacts[0] == {"name": str(ERASED), "phone": str(ERASED), "title": "人事经理"}


class CachingKeys(MemoryKeys):
    """A key table read through a cache, as infra/personal_keys.py is: a batch's keys come
    in one look (prefetch), and an erasure read from the log empties the cache."""

    def __init__(self) -> None:
        super().__init__()
        self.cached: dict[str, bytes | None] = {}
        self.looks: list[set[str]] = []

    def prefetch(self, key_ids: set[str]) -> None:
        missing = {k for k in key_ids if k not in self.cached}
        self.looks.append(missing)
        self.cached.update({k: super(CachingKeys, self).key(k) for k in missing})

    def key(self, key_id: str) -> bytes | None:
        if key_id not in self.cached:
            self.cached[key_id] = super().key(key_id)
        return self.cached[key_id]

    def forget_cached(self) -> None:
        super().forget_cached()
        self.cached.clear()


def _stored_year(mapper: PersonalDataMapper) -> tuple[EnterpriseRelationship, list[Any]]:
    enterprise = _opened()
    enterprise.suspend(f"联系人 {PHONE} 要求暂停", actor=ADMIN, timestamp=datetime.now(UTC))
    return enterprise, [mapper.to_stored_event(e) for e in enterprise.collect_events()]


def test_a_batch_reads_as_its_events_read_one_by_one_with_its_keys_fetched_in_one_look() -> None:
    keys = CachingKeys()
    mapper = _mapper(keys)
    _, stored = _stored_year(mapper)
    batch = mapper.to_domain_events(stored)
    assert keys.looks == [set(keys.keys)]  # both events' sealed values, one key, one look
    table = MemoryKeys()
    table.keys = keys.keys
    one_by_one = [_mapper(table).to_domain_event(s) for s in stored]
    assert [vars(e) for e in batch] == [vars(e) for e in one_by_one]
    assert batch[0].contacts[0]["name"] == NAME  # type: ignore[attr-defined]
    assert batch[1].reason == f"联系人 {PHONE} 要求暂停"  # type: ignore[attr-defined]


def test_a_batch_read_without_personal_data_reads_it_as_erased_and_looks_up_no_key() -> None:
    """For a view that shows no personal data (kpi): the same shapes as an erased subject's,
    everything else as it was, and an erasure still drops the keys cached here."""
    keys = CachingKeys()
    mapper = _mapper(keys)
    enterprise, stored = _stored_year(mapper)
    enterprise.erase_personal_data("个人信息保护法", actor=ADMIN, timestamp=datetime.now(UTC))
    stored += [mapper.to_stored_event(e) for e in enterprise.collect_events()]
    opened, suspended, _ = mapper.to_domain_events(stored, personal=False)
    erased = str(ERASED)
    assert opened.contacts == [{"name": erased, "phone": erased, "title": "人事经理"}]  # type: ignore[attr-defined]
    assert suspended.reason == f"联系人 {erased} 要求暂停"  # type: ignore[attr-defined]
    assert opened.name == "重庆嘉陵精工有限公司"  # type: ignore[attr-defined]
    assert keys.looks == [] and keys.cached == {}  # nothing fetched, nothing opened
    assert keys.forgotten
    assert mapper.to_domain_events(stored[:1])[0].contacts[0]["name"] == NAME  # type: ignore[attr-defined]


def test_a_batch_opens_the_personal_data_of_the_topics_asked_for_only() -> None:
    """For a view whose rows show the personal data of some events only (the directory: the
    contacts, not a visit's attendees): the others read as erased and fetch no key."""
    keys = CachingKeys()
    mapper = _mapper(keys)
    _, stored = _stored_year(mapper)
    opened, suspended = mapper.to_domain_events(stored, personal=lambda t: t.endswith("Opened"))
    assert opened.contacts[0]["name"] == NAME  # type: ignore[attr-defined]
    assert suspended.reason == f"联系人 {ERASED} 要求暂停"  # type: ignore[attr-defined]
    assert len(keys.looks) == 1  # the opened event's key, one look
    _, only_later = mapper.to_domain_events(stored, personal=lambda t: t.endswith("Suspended"))
    assert only_later.reason == f"联系人 {PHONE} 要求暂停"  # type: ignore[attr-defined]


def test_events_of_topics_not_wanted_are_left_undecoded_though_an_erasure_still_counts() -> None:
    """A rebuild of a view decodes only the events it handles; the rest come as None, their
    keys not fetched, and an erasure among them still drops the keys cached here."""
    keys = CachingKeys()
    mapper = _mapper(keys)
    enterprise, (opened, suspended) = _stored_year(mapper)
    mapper.to_domain_events([suspended])  # its key is cached here now
    keys.destroy(enterprise.id)
    enterprise.erase_personal_data("个人信息保护法", actor=ADMIN, timestamp=datetime.now(UTC))
    [erasure] = [mapper.to_stored_event(e) for e in enterprise.collect_events()]
    keys.looks.clear()
    batch = mapper.to_domain_events(
        [opened, erasure, suspended], wanted=lambda topic: topic == suspended.topic
    )
    assert batch[0] is None and batch[1] is None
    assert batch[2].reason == erase_free_text(f"联系人 {PHONE} 要求暂停")
    assert keys.forgotten


def test_an_erasure_in_a_batch_drops_the_cached_keys_before_the_events_after_it() -> None:
    keys = CachingKeys()
    mapper = _mapper(keys)
    enterprise, (_, suspended) = _stored_year(mapper)
    mapper.to_domain_events([suspended])  # its key is cached here now
    keys.destroy(enterprise.id)  # by another process: the cache here still holds the key
    enterprise.erase_personal_data("个人信息保护法", actor=ADMIN, timestamp=datetime.now(UTC))
    [erasure] = [mapper.to_stored_event(e) for e in enterprise.collect_events()]
    before, _, after = mapper.to_domain_events([suspended, erasure, suspended])
    assert before.reason == f"联系人 {PHONE} 要求暂停"  # type: ignore[attr-defined]
    assert after.reason == erase_free_text(f"联系人 {PHONE} 要求暂停")  # type: ignore[attr-defined]


def test_numbers_beyond_what_orjson_reads_exactly_are_read_as_pythons_json_reads_them() -> None:
    """An integer beyond 64 bits (orjson would make it a float) and an infinity (orjson
    refuses it) come back as they were written."""
    mapper = _mapper(None)
    [opened] = _opened().collect_events()
    for extra in ({"count": 2**70, "share": 0.5}, {"ratio": float("inf")}, {"n": [-(2**64)]}):
        twin = object.__new__(type(opened))
        object.__setattr__(twin, "__dict__", {**vars(opened), **extra})
        back = vars(mapper.to_domain_event(mapper.to_stored_event(twin)))
        assert {k: back[k] for k in extra} == extra
        assert [type(back[k]) for k in extra] == [type(v) for v in extra.values()]
