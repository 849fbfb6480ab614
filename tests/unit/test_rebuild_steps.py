"""A rebuild's steps: each event reaches the handler process_event would call, and the
garbage collector runs less often only while rebuilds run."""

from __future__ import annotations

import gc
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from projection_runtime.runners import event_handler, feed_each, fewer_collections


class Event:
    originator_version = 1


class Visit(Event):
    pass


class LateVisit(Visit):
    pass


class Other(Event):
    pass


class Recorder:
    """A projection's dispatch, as the views declare theirs."""

    def __init__(self, name: str = "p") -> None:
        self.name = name
        self.seen: list[tuple[str, str, int]] = []

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.seen.append(("ignored", type(domain_event).__name__, tracking.notification_id))

    @process_event.register
    def _(self, e: Visit, tracking: Tracking) -> None:
        self.seen.append(("visit", type(e).__name__, tracking.notification_id))


def test_the_handler_calls_what_process_event_calls_for_every_class_of_event() -> None:
    direct, handled = Recorder(), Recorder()
    process = event_handler(handled)  # type: ignore[arg-type]
    for n, event in enumerate((Visit(), LateVisit(), Other(), Event()), 1):
        direct.process_event(event, Tracking("espcrm", n))
        process(event, Tracking("espcrm", n))
    assert handled.seen == direct.seen
    assert [kind for kind, _, _ in handled.seen] == ["visit", "visit", "ignored", "ignored"]


def test_each_event_reaches_every_projection_before_the_next_event() -> None:
    order: list[tuple[str, int]] = []

    class Ordered(Recorder):
        @singledispatchmethod
        def process_event(self, domain_event: Any, tracking: Tracking) -> None:
            order.append((self.name, tracking.notification_id))

    feed_each([Ordered("a"), Ordered("b")], [(1, Visit()), (2, Other())])  # type: ignore[list-item]
    assert order == [("a", 1), ("b", 1), ("a", 2), ("b", 2)]


def test_the_collector_runs_less_often_while_rebuilds_run_and_as_before_after() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        raised = gc.get_threshold()
        with fewer_collections():  # a second rebuild in the same process
            pass
        assert gc.get_threshold() == raised  # the first is still running
    assert raised[0] > before[0]
    assert gc.get_threshold() == before


def test_an_issue_view_handles_issues_and_erasures_and_leaves_visits_undecoded() -> None:
    from eventsourcing.utils import get_topic

    from domain.enterprise import EnterpriseRelationship
    from domain.issue import Issue
    from projection_runtime.runners import handled_topics
    from projections.issue_board import IssueBoardProjection

    board = IssueBoardProjection(None, None, None, None)  # type: ignore[arg-type]
    handled = handled_topics(board)
    assert handled is not None
    assert handled(get_topic(Issue.Raised)) and handled(get_topic(Issue.Evaluated))
    assert handled(get_topic(EnterpriseRelationship.PersonalDataErased))
    assert not handled(get_topic(EnterpriseRelationship.VisitLogged))
    assert handled_topics(object()) is None  # type: ignore[arg-type]  # cannot tell: all decoded


def test_a_fold_skips_the_events_left_undecoded() -> None:
    from projection_runtime.runners import feed_batch

    seen = Recorder()
    feed_batch(seen, [(1, Visit()), (2, None), (3, Other())])  # type: ignore[arg-type, list-item]
    assert [(kind, n) for kind, _, n in seen.seen] == [("visit", 1), ("ignored", 3)]
