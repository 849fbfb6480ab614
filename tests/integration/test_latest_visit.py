"""Which visit is an enterprise's latest is the aggregate's rule (by when it happened, and of
two at the same moment the one logged later); the read models decide it again in SQL. On
generated histories of visits, ties and corrections, the enterprise directory's row (its
latest visit's time and planned next visit) and the warehouse's (its latest visit's time)
say what the aggregate says."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from consumers.warehouse.store import PostgresWarehouse, WarehouseRecord
from domain.enterprise import EnterpriseRelationship
from domain.policy_catalogue import PolicyCatalogue
from domain.shared import BEIJING_TIME, Actor, DomainError
from infra.bootstrap import Container
from infra.postgres_server import PgAddress
from infra.warehouse import warehouse_store
from tests.builders import ADMIN, a_valid_uscc

ZHANG = Actor("c-zhang", "张专员", "COMMISSIONER")
CATALOGUE = PolicyCatalogue()
OPENED_AT = datetime(2025, 3, 3, 9, 0, tzinfo=BEIJING_TIME)
LOGGED_FROM = datetime(2025, 3, 10, 9, 0, tzinfo=BEIJING_TIME)  # after every visit

# Few moments, so that visits often share one: the same instant is also given in UTC, and two
# moments a microsecond apart are not a tie.
_FIRST = datetime(2025, 3, 4, 10, 0, tzinfo=BEIJING_TIME)
MOMENTS = (
    _FIRST,
    _FIRST.astimezone(UTC),
    _FIRST + timedelta(microseconds=1),
    _FIRST + timedelta(hours=2),
)
NEXT_VISITS = (None, date(2025, 4, 1), date(2025, 4, 15))

# ("log", moment, next visit) | ("move", visit, moment) | ("replan", visit, next visit)
Step = tuple[str, int, int]
steps = st.one_of(
    st.tuples(st.just("log"), st.integers(0, len(MOMENTS) - 1), st.integers(0, 2)),
    st.tuples(st.just("move"), st.integers(0, 9), st.integers(0, len(MOMENTS) - 1)),
    st.tuples(st.just("replan"), st.integers(0, 9), st.integers(0, 2)),
)


def a_history(history: list[Step]) -> EnterpriseRelationship:
    """An enterprise with the history's visits and corrections; refused steps are skipped."""
    enterprise = EnterpriseRelationship.open(
        uscc=a_valid_uscc(), name="重庆渝新精密制造有限公司", district="渝中区", industry=None,
        size=None, address=None, contacts=None, actor=ADMIN, timestamp=OPENED_AT,
    )  # fmt: skip
    enterprise.assign_commissioner(ZHANG.id, ZHANG.name, None, actor=ADMIN, timestamp=OPENED_AT)
    visits: list[str] = []
    for n, (kind, a, b) in enumerate(history):
        now = LOGGED_FROM + timedelta(minutes=n)
        try:
            if kind == "log":
                # Unique across enterprises: the directory keys visit dates by visit id alone.
                visit_id = f"{enterprise.id}/v{n}"
                enterprise.log_visit(
                    visit_id, MOMENTS[a], "ON_SITE", ["王小明"], None, None, "走访", None,
                    NEXT_VISITS[b], CATALOGUE, actor=ZHANG, timestamp=now,
                )  # fmt: skip
                visits.append(visit_id)
            elif visits:
                visit = visits[a % len(visits)]
                change = (
                    {"visited_at": MOMENTS[b]}
                    if kind == "move"
                    else {"next_visit_on": NEXT_VISITS[b]}
                )
                enterprise.correct_visit(
                    visit, change, "更正", CATALOGUE, actor=ADMIN, timestamp=now
                )
        except DomainError:
            continue  # e.g. a correction that changes nothing: no event
    return enterprise


@pytest.fixture
def warehouse(database: PgAddress) -> Iterator[PostgresWarehouse]:
    store = warehouse_store(database)
    yield store
    store.datastore.close()


# A tie of two visits with different plans: the later logged one's plan is the row's.
@example(history=[("log", 0, 1), ("log", 1, 2)])
# A correction moves the earlier logged visit onto the later one's moment, then away.
@example(history=[("log", 3, 1), ("log", 0, 2), ("move", 0, 0), ("log", 2, 0), ("move", 2, 3)])
@settings(
    max_examples=40,
    deadline=None,
    # One database for every example: each example writes an enterprise of its own.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(history=st.lists(steps, max_size=12))
def test_the_read_models_latest_visit_is_the_aggregates(
    container: Container, warehouse: PostgresWarehouse, history: list[Step]
) -> None:
    enterprise = a_history(history)
    after = container.app.last_position()
    container.app.save(enterprise)
    container.wait_for_projections(container.app.last_position())

    row = container.views.enterprise_directory.get(enterprise.id)
    assert row is not None
    assert (row.visit_count, row.last_visit_at, row.next_visit_due_on) == (
        enterprise.visit_count,
        enterprise.last_visit_at,
        enterprise.next_visit_due_on,
    )

    envelopes = container.app.read_feed(after, 1000)
    warehouse.load(WarehouseRecord("feed", 0, e.position, e.as_json()) for e in envelopes)
    with warehouse.datastore.transaction(commit=False) as curs:
        curs.execute(
            "SELECT visit_count, last_visit_at FROM warehouse.enterprises WHERE id = %s",
            (str(enterprise.id),),
        )
        loaded = curs.fetchone()
    assert loaded is not None
    assert (loaded["visit_count"], loaded["last_visit_at"]) == (
        enterprise.visit_count,
        enterprise.last_visit_at,
    )
