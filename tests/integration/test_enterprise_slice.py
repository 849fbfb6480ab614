"""The vertical slice on the real PostgreSQL: command → event store → projection → query."""

from __future__ import annotations

import psycopg
import pytest

from domain.shared import Conflict, InvalidInput
from infra.bootstrap import Container, bootstrap
from projections.enterprise_directory import EnterpriseFilter
from tests.builders import ADMIN, a_valid_uscc, an_invalid_uscc, register_command


def test_a_registered_enterprise_appears_in_the_directory(container: Container) -> None:
    enterprise_id, position = container.app.register_enterprise(register_command(), ADMIN)
    container.projections.wait_for(position)
    row = container.views.enterprise_directory.get(enterprise_id)
    assert row is not None
    assert row.name == "重庆渝新精密制造有限公司"
    assert row.contacts[0]["phone"] == "13812345678"
    assert container.views.enterprise_directory.position() >= position


def test_an_invalid_credit_code_writes_nothing(container: Container) -> None:
    before = container.app.last_position()
    with pytest.raises(InvalidInput) as error:
        container.app.register_enterprise(register_command(uscc=an_invalid_uscc()), ADMIN)
    assert error.value.field == "uscc"
    assert container.app.last_position() == before


def test_the_same_credit_code_twice_is_a_conflict_and_one_relationship(
    container: Container,
) -> None:
    code = a_valid_uscc()
    container.app.register_enterprise(register_command(uscc=code), ADMIN)
    with pytest.raises(Conflict, match="的企业已登记"):
        container.app.register_enterprise(register_command(uscc=code.lower()), ADMIN)
    assert container.app.last_position() == 1


def test_the_directory_pages_by_position_with_a_total(container: Container) -> None:
    for _ in range(5):
        _, position = container.app.register_enterprise(register_command(), ADMIN)
    container.projections.wait_for(position)
    view = container.views.enterprise_directory
    first = view.page(EnterpriseFilter(), 2, None)
    second = view.page(EnterpriseFilter(), 2, first.rows[-1].cursor)
    last = view.page(EnterpriseFilter(), 2, second.rows[-1].cursor)
    assert first.total_count == 5 and first.has_next_page
    assert [r.opened_position for r in first.rows + second.rows + last.rows] == [1, 2, 3, 4, 5]
    assert not last.has_next_page


def test_contact_details_are_not_stored_in_clear(container: Container) -> None:
    _, position = container.app.register_enterprise(register_command(), ADMIN)
    container.projections.wait_for(position)
    events = _dump(container, "espcrm_events")
    directory = _dump(container, "enterprise_directory_rows")
    assert "13812345678" not in events + directory
    assert "王小明" not in events + directory
    assert "重庆渝新精密制造有限公司" not in events  # the whole event state is encrypted
    assert "重庆渝新精密制造有限公司" in directory  # the directory's name column is not personal


def _dump(container: Container, table: str) -> str:
    with psycopg.connect(container.address.conninfo()) as conn:
        rows = conn.execute(f"SELECT * FROM {table}").fetchall()  # type: ignore[call-overload]
    return "".join(
        bytes(v).decode("utf-8", "replace") if isinstance(v, bytes | memoryview) else str(v)
        for row in rows
        for v in row
    )


def test_table_creation_is_idempotent_across_restarts(container: Container) -> None:
    _, position = container.app.register_enterprise(register_command(), ADMIN)
    container.projections.wait_for(position)
    again = bootstrap(container.settings, address=container.address)
    try:
        assert again.app.last_position() == position
        assert again.views.enterprise_directory.position() == position
    finally:
        again.close()
