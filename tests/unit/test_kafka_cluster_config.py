"""The three-broker cluster's configuration, without starting a JVM: who votes, how many copies
a topic gets, where each node listens, and what `espcrm kafka status` prints of it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.kafka import describe_cluster
from domain.messages import render
from infra.kafka_broker import LOWEST_PORT, _ephemeral_range
from infra.kafka_cluster import (
    KafkaCluster,
    KafkaClusterStatus,
    NodeStatus,
    _quorum_leader,
    replication_for,
)
from infra.settings import Settings


def test_a_topic_has_three_copies_on_three_brokers_or_more_and_an_ack_needs_two() -> None:
    assert [replication_for(n) for n in (1, 2, 3, 5)] == [(1, 1), (2, 1), (3, 2), (3, 2)]


def test_every_node_is_a_voter_and_a_broker_with_the_cluster_replication(
    tmp_path: Path,
) -> None:
    cluster = KafkaCluster(tmp_path / "cluster")
    cluster.data_dir.mkdir()
    cluster._choose_ports({})
    ports = cluster.saved_ports()
    voters = ",".join(f"{node}@127.0.0.1:{ports[node][1]}" for node in (1, 2, 3))
    for node in cluster.nodes:
        node.data_dir.mkdir()
        node._write_properties(ports[node.node_id])
        lines = node._properties.read_text().splitlines()
        props = dict(line.split("=", 1) for line in lines if not line.startswith("#"))
        assert props["node.id"] == str(node.node_id)
        assert props["process.roles"] == "broker,controller"
        assert props["controller.quorum.voters"] == voters
        assert props["listeners"] == (
            f"PLAINTEXT://127.0.0.1:{ports[node.node_id][0]},"
            f"CONTROLLER://127.0.0.1:{ports[node.node_id][1]}"
        )
        assert props["log.dirs"] == str(node.data_dir / "log")
        assert props["default.replication.factor"] == props["offsets.topic.replication.factor"]
        assert (props["default.replication.factor"], props["min.insync.replicas"]) == ("3", "2")
        assert props["unclean.leader.election.enable"] == "false"
        assert "-Xmx512m" in node.jvm_options  # three JVMs: a smaller heap each


def test_the_six_ports_differ_and_lie_below_the_ephemeral_range(tmp_path: Path) -> None:
    cluster = KafkaCluster(tmp_path / "cluster")
    cluster.data_dir.mkdir()
    cluster._choose_ports({})
    ports = [port for pair in cluster.saved_ports().values() for port in pair]
    assert len(set(ports)) == 6
    assert all(LOWEST_PORT <= port < _ephemeral_range()[0] for port in ports)
    saved = cluster.saved_ports()
    cluster._choose_ports(saved)  # all still free: kept, with the cluster id
    assert cluster.saved_ports() == saved


def test_the_bootstrap_names_every_node_running_or_not(tmp_path: Path) -> None:
    cluster = KafkaCluster(tmp_path / "cluster")
    assert cluster.current_bootstrap() is None and cluster.bootstrap_servers is None
    cluster.data_dir.mkdir()
    cluster._choose_ports({})
    ports = cluster.saved_ports()
    expected = ",".join(f"127.0.0.1:{ports[node][0]}" for node in (1, 2, 3))
    assert cluster.current_bootstrap() == expected
    assert cluster.bootstrap_servers is None  # nothing runs
    status = cluster.status()
    assert status.running == 0 and status.under_replicated is None
    assert [(n.node_id, n.port, n.running) for n in status.nodes] == [
        (node, ports[node][0], False) for node in (1, 2, 3)
    ]


def test_a_cluster_is_three_to_nine_brokers_and_keeps_the_size_it_was_made_with(
    tmp_path: Path,
) -> None:
    for brokers in (1, 2, 10):
        with pytest.raises(ValueError, match="3 to 9 brokers"):
            KafkaCluster(tmp_path / "cluster", brokers)
    assert KafkaCluster.existing(tmp_path / "cluster") is None
    made = KafkaCluster(tmp_path / "cluster", 5)
    made.data_dir.mkdir()
    made._choose_ports({})
    assert json.loads((made.data_dir / "state.json").read_text())["brokers"] == 5
    with pytest.raises(ValueError, match="has 5 brokers, not 3"):
        KafkaCluster(tmp_path / "cluster", 3)
    existing = KafkaCluster.existing(tmp_path / "cluster")
    assert existing is not None and existing.brokers == 5
    with pytest.raises(ValueError, match="no node 6"):
        existing.node(6)


def test_kafka_status_shows_each_node_and_the_under_replicated_partitions() -> None:
    status = KafkaClusterStatus(
        (
            NodeStatus(1, 101, 21001, 21002, registered=True, quorum_leader=True),
            NodeStatus(2, None, 21003, 21004),
            NodeStatus(3, 103, 21005, 21006, registered=False),
        ),
        under_replicated=4,
    )
    lines = describe_cluster(status).splitlines()
    assert lines[0] == render("cli.kafka.cluster", running=2, brokers=3)
    assert lines[1].startswith(render("cli.kafka.node", node=1, address="127.0.0.1:21001",
                                      controller=21002, pid=101,
                                      state=render("cli.kafka.node_registered")))  # fmt: skip
    assert lines[1].endswith(render("cli.kafka.quorum_leader"))
    assert render("cli.kafka.node_down") in lines[2] and "-" in lines[2]
    assert render("cli.kafka.node_starting") in lines[3]
    assert lines[4] == render("cli.kafka.under_replicated", count=4)


def test_the_topic_replication_comes_from_the_environment_or_follows_the_cluster(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ESPCRM_KAFKA_REPLICATION_FACTOR", raising=False)
    monkeypatch.delenv("ESPCRM_KAFKA_MIN_INSYNC_REPLICAS", raising=False)
    assert (Settings().kafka_replication_factor, Settings().kafka_min_insync_replicas) == (
        None,
        None,
    )
    monkeypatch.setenv("ESPCRM_KAFKA_REPLICATION_FACTOR", "3")
    monkeypatch.setenv("ESPCRM_KAFKA_MIN_INSYNC_REPLICAS", "2")
    assert (Settings().kafka_replication_factor, Settings().kafka_min_insync_replicas) == (3, 2)


def test_the_quorum_leader_is_read_from_a_describe_quorum_answer() -> None:
    answer = {
        "topics": [
            {
                "topic_name": "__cluster_metadata",
                "partitions": [{"partition_index": 0, "leader_id": 2, "leader_epoch": 4}],
            }
        ],
        "nodes": [{"node_id": 1, "listeners": []}],
    }
    assert _quorum_leader(answer) == 2
    assert _quorum_leader({"topics": [{"partitions": [{"leader_id": -1}]}]}) is None
