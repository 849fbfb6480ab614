"""5. The relay: throughput vs B4, and commit-to-broker / commit-to-read-model lag.

Throughput: the relay (infra.relay.EventRelay, its own producer settings, reading in a child
process as `espcrm relay` does) publishes a generated log from position 0 to a fresh topic,
batch by batch, recording its position after each acknowledged batch; B4 sends the very same
messages (key, the JSON value's bytes, headers), decoded and encoded beforehand, with a bare
producer made by the same make_producer. Rounds alternate.

Lag: `espcrm relay` and `espcrm project` run as their own processes while this one logs
visits at half the maximum write rate (measured just before, in process, one thread). For
each event: commit → the broker's append time (the lag topic has LogAppendTime timestamps,
read back afterwards) and commit → the moment every read model has processed it (polled
every 2 ms). Both are in ms; their baselines are the floors of each path: B4's send → ack
latency at the same rate, and B1's insert+commit latency (one connection).
"""

from __future__ import annotations

import subprocess
import time
import uuid
from typing import Any

import psycopg

from benchmarks import baselines, data
from benchmarks.command_path import log_visits, sample_event, visit_command
from benchmarks.env import PYTHON, ROOT, BenchEnv
from benchmarks.harness import Result, alternate, closed_loop, percentile
from domain.shared import Actor
from infra.feed_reader import ChildFeed, wire_value
from infra.relay import EventRelay, ensure_topic, make_producer, message_headers
from projection_runtime.catalogue import PROJECTIONS

NAME = "relay_throughput"
PARTITIONS = 3


def relay_round(container: Any, bootstrap: str, topic: str, head: int, tag: str) -> float:
    """Publish the whole log once; events per second. The relay reads as `espcrm relay` does
    by default: in a child process (infra/feed_reader.py), started before the clock starts."""
    feed = ChildFeed(container.env)
    relay = EventRelay(
        container.app, container.tracking_recorder(f"bench_relay_{tag}"),
        lambda: make_producer(bootstrap), topic, feed=feed,
    )  # fmt: skip
    relay._producer_or_new()  # connected before the clock starts, as B4's is
    feed.read(0, 1)  # the child started (and its read-ahead asked)
    started = time.perf_counter()
    while relay.position() < head:
        relay.publish_batch()
    seconds = time.perf_counter() - started
    relay.close()
    relay.positions.datastore.close()
    return head / seconds


def create_lag_topic(bootstrap: str, topic: str) -> None:
    from kafka.admin import KafkaAdminClient, NewTopic

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    try:
        admin.create_topics([NewTopic(topic, PARTITIONS, 1, topic_configs={
            "message.timestamp.type": "LogAppendTime"})])  # fmt: skip
    finally:
        admin.close()


def append_times(
    bootstrap: str, topic: str, wanted: set[int], timeout: float = 60
) -> dict[int, float]:
    """position → the broker's append time (s), for every wanted position."""
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None,
        enable_auto_commit=False, fetch_max_wait_ms=100, consumer_timeout_ms=2000,
    )  # fmt: skip
    found: dict[int, float] = {}
    deadline = time.monotonic() + timeout
    try:
        while not wanted <= found.keys() and time.monotonic() < deadline:
            for message in consumer:
                position = int(dict(message.headers)["position"])
                found.setdefault(position, message.timestamp / 1000)
                if wanted <= found.keys():
                    break
    finally:
        consumer.close()
    return found


RELAY_POSITION = "SELECT max(notification_id) FROM relay_tracking WHERE application_name = 'espcrm'"


def read_model_position_sql() -> str:
    parts = [
        f"SELECT max(notification_id) AS p FROM {name}_tracking WHERE application_name = 'espcrm'"
        for name in PROJECTIONS
    ]
    return "SELECT min(p) FROM (" + " UNION ALL ".join(parts) + ") t"


def lag_run(env: BenchEnv, db: Any, container: Any, seeded: data.Generated, bootstrap: str,
            rate: float, seconds: float) -> dict[str, Any]:  # fmt: skip
    topic = f"bench.lag.{uuid.uuid4().hex[:8]}"
    create_lag_topic(bootstrap, topic)
    child_env = env.child_env(db, ESPCRM_KAFKA_BOOTSTRAP=bootstrap, ESPCRM_KAFKA_TOPIC=topic,
                              ESPCRM_KAFKA_PARTITIONS=str(PARTITIONS))  # fmt: skip
    procs = [
        env.spawn([PYTHON, "-m", "cli.main", "project"], child_env, "lag-project"),
        env.spawn([PYTHON, "-m", "cli.main", "relay"], child_env, "lag-relay"),
    ]
    committed: dict[int, float] = {}
    sql = read_model_position_sql()
    watcher: subprocess.Popen[str] | None = None
    try:
        head = container.app.last_position()
        _wait(lambda: _min_position(db, sql) >= head, 120, "projections to catch up")
        # The relay too, so the clock starts with both followers warm: its first batch to a
        # new topic waits for the topic's metadata (about 0.8 s), which the first run of
        # issue 13's last session counted as the p99 of commit → broker.
        _wait(lambda: _min_position(db, RELAY_POSITION) >= head, 120, "the relay to catch up")
        watcher = subprocess.Popen(
            [PYTHON, "-m", "benchmarks.position_watch", db.conninfo(), sql],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
        )  # fmt: skip
        assert watcher.stdout is not None
        timeline = watcher.stdout.readline()  # it polls: the clock may start
        actors = {e: Actor(c, c, "COMMISSIONER") for e, c in seeded.commissioner_of.items()}
        interval, n = 1.0 / rate, 0
        started = time.perf_counter()
        next_at = started
        while time.perf_counter() - started < seconds:
            enterprise_id = seeded.enterprises[n % len(seeded.enterprises)]
            _, position = container.app.log_visit(
                visit_command(enterprise_id, container.app.clock.now(), n), actors[enterprise_id]
            )
            committed[position] = time.time()
            n += 1
            next_at += interval
            time.sleep(max(0.0, next_at - time.perf_counter()))
        achieved = n / (time.perf_counter() - started)
        last = max(committed)
        _wait(lambda: _min_position(db, sql) >= last, 60, "read models to see every write")
        time.sleep(0.05)  # the watcher's last poll printed
        timeline += watcher.communicate(timeout=30)[0]
        visible = first_seen(timeline, committed)
        appended = append_times(bootstrap, topic, set(committed))
    finally:
        if watcher is not None and watcher.poll() is None:
            watcher.kill()
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
            env.children.remove(proc)
    to_broker = [appended[p] - t for p, t in committed.items() if p in appended]
    to_views = [visible[p] - t for p, t in committed.items() if p in visible]
    return {
        "writes": len(committed),
        "target_rate": round(rate, 1),
        "achieved_rate": round(achieved, 1),
        "to_broker_ms": _ms(to_broker),
        "to_read_models_ms": _ms(to_views),
        "missing_on_broker": len(committed) - len(to_broker),
    }


def first_seen(timeline: str, committed: dict[int, float]) -> dict[int, float]:
    """position → when the read models first reached it, from the watcher's `time position`
    lines (in order)."""
    moves = [(float(t), int(p)) for t, p in (line.split() for line in timeline.splitlines())]
    seen: dict[int, float] = {}
    at = 0
    for position in sorted(committed):
        while at < len(moves) and moves[at][1] < position:
            at += 1
        if at < len(moves):
            seen[position] = moves[at][0]
    return seen


def _ms(seconds: list[float]) -> dict[str, float]:
    ms = [max(0.0, s) * 1000 for s in seconds] or [float("nan")]
    return {
        "p50": round(percentile(ms, 50), 2), "p99": round(percentile(ms, 99), 2),
        "max": round(max(ms), 2), "count": len(seconds),
    }  # fmt: skip


def _min_position(db: Any, sql: str) -> int:
    with psycopg.connect(db.conninfo(), autocommit=True) as conn:
        row = conn.execute(sql).fetchone()  # type: ignore[arg-type]
    return int(row[0] or 0) if row else 0


def _wait(done: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout} s for {what}")
        time.sleep(0.05)


def run(env: BenchEnv) -> list[Result]:
    floor_s = 1.5 if env.quick else 3.0  # the lag baselines' runs
    events, rounds, lag_seconds = (4_000, 1, 3.0) if env.quick else (12_000, 3, 10.0)
    bootstrap = env.kafka()
    db = env.fresh_database("relay")
    container = env.container(db)
    try:
        seeded = data.generate(container.app, enterprises=200, events=events)
        head = container.app.last_position()
        messages = [  # the bytes the relay sends: B4 is the producer's floor for them
            (e.stream_id, wire_value(e), message_headers(e))
            for start in range(0, head, 500)
            for e in container.app.read_feed(start, 500)
        ]
        topic_b4, topic_relay = (f"bench.{kind}.{uuid.uuid4().hex[:8]}" for kind in ("b4", "relay"))
        ensure_topic(bootstrap, topic_b4, PARTITIONS)
        ensure_topic(bootstrap, topic_relay, PARTITIONS)
        counter = iter(range(1000))

        def b4() -> float:
            sent, seconds = baselines.b4_produce(bootstrap, topic_b4, messages)
            return sent / seconds

        def relay() -> float:
            return relay_round(container, bootstrap, topic_relay, head, str(next(counter)))

        medians, each = alternate({"b4": b4, "relay": relay}, rounds)
    finally:
        container.close()

    # Lag, at half the maximum in-process write rate, on a store of its own (the runners
    # started for it then have only the registrations to catch up with first).
    db = env.fresh_database("relay_lag")
    container = env.container(db)
    try:
        seeded = data.generate(container.app, enterprises=200, events=0)
        max_rate = closed_loop(log_visits(container.app, seeded), 1, 1.5, warmup=0.3).rate
        lag = lag_run(env, db, container, seeded, bootstrap, max_rate / 2, lag_seconds)
        b4_lat = baselines.b4_latency(bootstrap, topic_b4, messages[0], max_rate / 2, floor_s)
        topic, state = sample_event(db)
        baselines.create_b1_table(db)
        b1 = baselines.b1_insert(db, 1, floor_s, topic, state)
    finally:
        container.close()
    b4_p99 = percentile([x * 1000 for x in b4_lat], 99)
    b1_p99 = percentile([x * 1000 for x in b1.latencies], 99)
    lag["max_write_rate"] = round(max_rate, 1)
    lag["b4_send_to_ack_ms"] = {
        "p50": round(percentile([x * 1000 for x in b4_lat], 50), 2),
        "p99": round(b4_p99, 2),
    }
    lag["b1_commit_ms_p99"] = round(b1_p99, 2)
    note = (f"lag measured while writing {lag['achieved_rate']}/s (half the in-process maximum "
            f"of {lag['max_write_rate']}/s) for {lag_seconds:.0f} s")  # fmt: skip
    return [
        Result(
            name=NAME,
            value=medians["relay"],
            baseline=medians["b4"],
            unit="events/s",
            target=0.8,
            op=">=",
            baseline_name="B4 (bare producer loop, relay settings)",
            description="EventRelay publishing the log from position 0 (read, decode, envelope "
            "and its JSON in the feed reader's process; send, flush, record position per batch "
            "of 500) vs B4 sending the same messages' bytes",
            details={"rounds": each, "log_events": head, "lag": lag},
        ),
        Result(
            name="relay_lag_to_broker_p99",
            value=lag["to_broker_ms"]["p99"],
            baseline=round(b4_p99, 3),
            unit="ms",
            target=1000.0,
            op="<=",
            target_on="value",
            baseline_name="B4 send→ack p99 at the same rate",
            description="commit → the broker's append time, p99, under half the max write rate",
            details=lag,
            notes=[note, "the issue sets no number for the lags; 1 s p99 is ours"],
        ),
        Result(
            name="relay_lag_to_read_models_p99",
            value=lag["to_read_models_ms"]["p99"],
            baseline=round(b1_p99, 3),
            unit="ms",
            target=50.0,
            op="<=",
            target_on="value",
            baseline_name="B1 insert+commit p99 (1 connection)",
            description="commit → every read model has processed the event, p99, under half "
            "the max write rate",
            details=lag,
            notes=[note, "issue 13: stays at or under 50 ms"],
        ),
    ]
