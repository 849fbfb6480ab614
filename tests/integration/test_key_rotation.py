"""Rotating the application-wide key (docs/erasure.md): with the new key current and the old
one kept, every stored event still reads and new ones are written with the new key; the
rotation re-encrypts what the old key wrote while the system runs; afterwards the old key
can go, and nothing is lost."""

from __future__ import annotations

import dataclasses

from eventsourcing.cryptography import AESCipher

from infra.bootstrap import bootstrap
from infra.key_rotation import encrypted_columns, rotate
from infra.keyring import Keyring
from infra.postgres_server import PgAddress
from infra.settings import Settings
from tests.builders import ADMIN, register_command
from tests.conftest import FixedClock

NEW_KEY = AESCipher.create_key(num_bytes=32)


def test_a_rotation_re_encrypts_every_row_and_the_old_key_can_then_go(
    settings: Settings, database: PgAddress, clock: FixedClock
) -> None:
    old_key = settings.cipher_key or ""
    first = bootstrap(settings, clock=clock, address=database)
    first.projections.start()
    enterprise_id, position = first.app.register_enterprise(register_command(), ADMIN)
    first.projections.wait_for(position)
    first.close()

    # Every process restarted with the new key current and the old one kept: reads both.
    rotating = dataclasses.replace(settings, cipher_key=NEW_KEY, cipher_old_keys=old_key)
    second = bootstrap(rotating, clock=clock, address=database)
    second.projections.start()
    contacts = second.app.get_enterprise(enterprise_id).contacts
    position = second.app.assign_commissioner(enterprise_id, "c-001", "专员1", None, ADMIN)
    second.projections.wait_for(position)
    datastore = second.app.recorder.datastore  # type: ignore[attr-defined]
    keyring = Keyring(NEW_KEY, [old_key])
    columns = [f"{t}.{c}" for t, c in encrypted_columns(datastore)]
    assert {"espcrm_events.state", "personal_data_keys.key"} <= set(columns), columns

    rotation = rotate(datastore, keyring, batch=2)  # small batches: the paging is exercised
    assert rotation.rewritten["espcrm_events.state"] == 1  # Opened, the old key wrote it
    assert rotation.rewritten["personal_data_keys.key"] == 1
    assert rotate(datastore, keyring).total == 0  # nothing left under the old key
    events_before = len(second.app.read_feed(0, 1000))
    second.close()

    # The old key dropped: everything reads, the read models' sealed columns too.
    after = dataclasses.replace(settings, cipher_key=NEW_KEY, cipher_old_keys=None)
    third = bootstrap(after, clock=clock, address=database)
    try:
        assert len(third.app.read_feed(0, 1000)) == events_before
        assert third.app.get_enterprise(enterprise_id).contacts == contacts
        row = third.views.enterprise_directory.get(enterprise_id)
        assert row is not None and row.contacts == contacts
    finally:
        third.close()
