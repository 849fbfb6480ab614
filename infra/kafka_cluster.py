"""A real Apache Kafka cluster of three (or more) KRaft nodes on 127.0.0.1, run by the project.

The same jars and process handling as the single development broker (infra/kafka_broker.py);
each node is a broker and a controller at once (combined mode) and all of them are the static
voters of the metadata quorum, so the cluster keeps working with any one node down:

    data_dir/                 (.data/kafka-cluster for `espcrm kafka up --brokers 3`)
      state.json              the cluster id, the node count and each node's two ports
      node-1/ node-2/ ...     one KafkaBroker data dir each (server.properties, broker.pid,
                              broker.out, logs/, log/), see infra/kafka_broker.py

The voters' addresses live only in the nodes' server.properties (controller.quorum.voters),
never in the metadata log: a cluster started again on new ports (the saved ones taken) finds
itself. One node restarted alone keeps its saved ports, since the others know it by them.

Internal topics get the cluster's replication (3, min.insync.replicas 2) and, like the
single broker, one partition each: the group coordinator moves when its node dies.
"""

from __future__ import annotations

import contextlib
import json
import logging
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.kafka_broker import (
    HOST,
    KafkaBroker,
    _ExitedDuringStartup,
    _file_lock,
    _new_cluster_id,
    _port_accepts,
    _port_is_free,
    default_jars_dir,
    free_ports,
)

log = logging.getLogger("espcrm.kafka")

# Three JVMs on two cores: a smaller heap each than the lone broker's, the same quick start.
CLUSTER_JVM_OPTIONS = (
    "-Xms128m",
    "-Xmx512m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
)

MIN_BROKERS = 3
MAX_BROKERS = 9


def replication_for(brokers: int) -> tuple[int, int]:
    """(replication factor, min.insync.replicas) for a topic on `brokers` brokers: three copies
    where there are three brokers, and an acknowledged write on two of them, so one broker may
    die without losing an acknowledged event or stopping writes. One broker: 1 and 1."""
    replicas = max(1, min(3, brokers))
    return replicas, max(1, min(2, replicas - 1))


def node_settings(node_id: int, controller_ports: dict[int, int]) -> dict[str, str]:
    """What a cluster node's server.properties has unlike the lone broker's."""
    replicas, min_insync = replication_for(len(controller_ports))
    voters = ",".join(f"{node}@{HOST}:{port}" for node, port in sorted(controller_ports.items()))
    return {
        "node.id": str(node_id),
        "controller.quorum.voters": voters,
        # Topics created without saying (and the internal ones) get the cluster's replication.
        "default.replication.factor": str(replicas),
        "min.insync.replicas": str(min_insync),
        "offsets.topic.replication.factor": str(replicas),
        "transaction.state.log.replication.factor": str(replicas),
        "transaction.state.log.min.isr": str(min_insync),
        "share.coordinator.state.topic.replication.factor": str(replicas),
        "share.coordinator.state.topic.min.isr": str(min_insync),
        # Never elect a leader that may lack acknowledged records (the default, said here).
        "unclean.leader.election.enable": "false",
        # A dead quorum leader is noticed after 1 s without its fetch answers (default 2 s)
        # and a new one elected within 0.5 s (default 1 s): killing the node that is both the
        # active controller and a partition leader stalls writes ~2 s less.
        "controller.quorum.fetch.timeout.ms": "1000",
        "controller.quorum.election.timeout.ms": "500",
        # A node back from a crash leads its preferred partitions again within seconds
        # (default 300 s), so the load spreads over the three again.
        "leader.imbalance.check.interval.seconds": "5",
    }


@dataclass(frozen=True)
class NodeStatus:
    node_id: int
    pid: int | None
    port: int | None
    controller_port: int | None
    # Registered with the controller and unfenced: serving clients. False when not known.
    registered: bool = False
    quorum_leader: bool = False

    @property
    def running(self) -> bool:
        return self.pid is not None


@dataclass(frozen=True)
class KafkaClusterStatus:
    nodes: tuple[NodeStatus, ...]
    # Partitions (all topics) with fewer in-sync replicas than replicas; None: not known.
    under_replicated: int | None = None

    @property
    def running(self) -> int:
        return sum(node.running for node in self.nodes)


class ClusterNode(KafkaBroker):
    """One node of a KafkaCluster: a KafkaBroker whose ports, cluster id and voters are the
    cluster's."""

    jvm_options = CLUSTER_JVM_OPTIONS

    def __init__(self, cluster: KafkaCluster, node_id: int) -> None:
        super().__init__(cluster.data_dir / f"node-{node_id}", jars_dir=cluster.jars_dir)
        self.cluster = cluster
        self.node_id = node_id

    def _saved_ports(self) -> tuple[int, int] | None:
        return self.cluster.saved_ports().get(self.node_id)

    def _cluster_id(self) -> str:
        return self.cluster.cluster_id()

    def _settings(self, ports: tuple[int, int]) -> dict[str, str]:
        controller_ports = {node: ports[1] for node, ports in self.cluster.saved_ports().items()}
        return super()._settings(ports) | node_settings(self.node_id, controller_ports)


class KafkaCluster:
    """`brokers` KRaft nodes on 127.0.0.1, owned by one data dir.

    Like KafkaBroker, any number of these objects (in any process) may point at the same data
    dir: they see, reuse and stop the same java processes through the nodes' pid files.
    """

    def __init__(self, data_dir: Path, brokers: int = 3, *, jars_dir: Path | None = None) -> None:
        if not MIN_BROKERS <= brokers <= MAX_BROKERS:
            raise ValueError(f"a cluster has {MIN_BROKERS} to {MAX_BROKERS} brokers, not {brokers}")
        self.data_dir = data_dir.resolve()
        self.jars_dir = (jars_dir or default_jars_dir()).resolve()
        saved = self._read_state().get("brokers")
        if saved is not None and int(saved) != brokers:
            raise ValueError(
                f"the Kafka cluster in {self.data_dir} has {saved} brokers, not {brokers}: "
                "start it with that number, or delete the directory for a new one"
            )
        self.brokers = brokers
        self.nodes = [ClusterNode(self, node_id) for node_id in range(1, brokers + 1)]

    @classmethod
    def existing(cls, data_dir: Path, *, jars_dir: Path | None = None) -> KafkaCluster | None:
        """The cluster of this data dir with its saved size, None when there never was one."""
        try:
            brokers = int(json.loads((data_dir / "state.json").read_text())["brokers"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return cls(data_dir, brokers, jars_dir=jars_dir)

    # -- state -----------------------------------------------------------------------------

    @property
    def _state_file(self) -> Path:
        return self.data_dir / "state.json"

    def _read_state(self) -> dict[str, Any]:
        try:
            state = json.loads(self._state_file.read_text())
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) else {}

    def _write_state(self, cluster_id: str, ports: dict[int, tuple[int, int]]) -> None:
        state = {
            "cluster_id": cluster_id,
            "brokers": self.brokers,
            "nodes": {
                str(node): {"port": p, "controller_port": c} for node, (p, c) in ports.items()
            },
        }
        self._state_file.write_text(json.dumps(state, indent=2) + "\n")

    def cluster_id(self) -> str:
        cluster_id = self._read_state().get("cluster_id")
        if not cluster_id:
            raise RuntimeError(f"no Kafka cluster state in {self.data_dir}")
        return str(cluster_id)

    def saved_ports(self) -> dict[int, tuple[int, int]]:
        """node id → (port, controller port), as last started; empty before the first start."""
        nodes = self._read_state().get("nodes") or {}
        try:
            return {
                int(node): (int(ports["port"]), int(ports["controller_port"]))
                for node, ports in nodes.items()
            }
        except (ValueError, KeyError, TypeError, AttributeError):
            return {}

    # -- public API ------------------------------------------------------------------------

    def node(self, node_id: int) -> ClusterNode:
        if not 1 <= node_id <= self.brokers:
            raise ValueError(f"no node {node_id}: the cluster has nodes 1 to {self.brokers}")
        return self.nodes[node_id - 1]

    def is_running(self) -> bool:
        """Whether any node runs (a cluster with one node down still serves)."""
        return any(node.is_running() for node in self.nodes)

    def current_bootstrap(self) -> str | None:
        """Every node's `127.0.0.1:<port>`, comma-separated, from the saved state, running or
        not (a client tries them in turn, so a node that is down costs nothing)."""
        ports = self.saved_ports()
        if len(ports) != self.brokers:
            return None
        return ",".join(f"{HOST}:{ports[node][0]}" for node in sorted(ports))

    @property
    def bootstrap_servers(self) -> str | None:
        """current_bootstrap() while any node runs, else None."""
        return self.current_bootstrap() if self.is_running() else None

    def start(self, timeout: float = 120) -> str:
        """Start every node that is not running (reusing the ones that are) and wait until all
        of them are registered brokers. Returns the bootstrap servers string.

        Started from nothing, the nodes take their saved ports if all are still free, else new
        ones. Raises RuntimeError, with the nodes' log tails, when they are not ready in time.
        """
        deadline = time.monotonic() + timeout
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with _file_lock(self.data_dir / ".lock"):
            down = [node for node in self.nodes if not node.is_running()]
            if down:
                jars = self.nodes[0].ensure_jars()
                from_nothing = len(down) == self.brokers
                if from_nothing:
                    self._choose_ports(self.saved_ports())
                try:
                    self._launch(down, jars, deadline)
                except _ExitedDuringStartup as error:
                    if not from_nothing:
                        raise RuntimeError(str(error)) from None
                    # A port picked as free may have been taken in between: once more, afresh.
                    log.warning("a Kafka node exited during startup; retrying on new ports")
                    self._choose_ports({})
                    try:
                        self._launch(down, jars, deadline)
                    except _ExitedDuringStartup:
                        raise RuntimeError(str(error)) from None
            else:
                self._wait_ready([], deadline)
        bootstrap = self.current_bootstrap()
        assert bootstrap is not None
        log.info("Kafka cluster of %d ready at %s", self.brokers, bootstrap)
        return bootstrap

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM to every node at once (each then SIGKILLed after `timeout`)."""
        threads = [
            threading.Thread(target=node.stop, args=(timeout,), daemon=True)
            for node in self.nodes
            if node.is_running()
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def kill(self, node_id: int) -> None:
        """SIGKILL one node at once, like a crash."""
        self.node(node_id).kill()

    def restart(self, node_id: int, timeout: float = 90) -> None:
        """Stop the node if it runs, start it again on its saved ports, and wait until every
        node is a registered broker again."""
        node = self.node(node_id)
        if node.is_running():
            node.stop()
        self.start(timeout)

    def status(self, timeout: float = 3.0) -> KafkaClusterStatus:
        """Each node: process, ports, registered, quorum leader; and under-replicated
        partitions. What the running nodes cannot tell within `timeout` reads as unknown."""
        ports = self.saved_ports()
        registered: set[int] = set()
        leader: int | None = None
        under: int | None = None
        if self.is_running() and (bootstrap := self.current_bootstrap()):
            with contextlib.suppress(Exception):  # a cluster in trouble still has a status
                registered, leader, under = _ask_cluster(bootstrap, timeout)
        nodes = tuple(
            NodeStatus(
                node.node_id,
                node.pid,
                port=ports[node.node_id][0] if node.node_id in ports else None,
                controller_port=ports[node.node_id][1] if node.node_id in ports else None,
                registered=node.node_id in registered,
                quorum_leader=node.node_id == leader,
            )
            for node in self.nodes
        )
        return KafkaClusterStatus(nodes, under)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- starting --------------------------------------------------------------------------

    def _choose_ports(self, saved: dict[int, tuple[int, int]]) -> None:
        """The saved ports if every one is still free, else new ones for every node."""
        cluster_id = self._read_state().get("cluster_id") or _new_cluster_id()
        wanted = [port for pair in saved.values() for port in pair]
        if len(saved) == self.brokers and all(_port_is_free(port) for port in wanted):
            ports = saved
        else:
            if saved:
                log.warning("saved Kafka cluster ports %s are taken: picking new ones", saved)
            new = free_ports(2 * self.brokers)
            ports = {
                node: (new[2 * i], new[2 * i + 1])
                for i, node in enumerate(range(1, self.brokers + 1))
            }
        self._write_state(str(cluster_id), ports)

    def _launch(self, down: list[ClusterNode], jars: Path, deadline: float) -> None:
        ports = self.saved_ports()
        for node in down:
            node.data_dir.mkdir(parents=True, exist_ok=True)
            node._pid_file.unlink(missing_ok=True)  # stale: left by a crash or a kill()
            node._write_properties(ports[node.node_id])
        _format_storage(down, jars)
        try:
            for node in down:
                node._spawn(jars)
            self._wait_ready(down, deadline)
        except BaseException:
            # Half-started nodes would hold the ports: clean up what we spawned.
            for node in down:
                node._kill_spawned()
            raise

    def _wait_ready(self, started: list[ClusterNode], deadline: float) -> None:
        """Until every node is a registered, unfenced broker; a started node that exits
        meanwhile ends the wait at once."""
        expected = {node.node_id for node in self.nodes}
        bootstrap = self.current_bootstrap() or ""
        last: object = None
        while time.monotonic() < deadline:
            for node in started:
                if not node.is_running():
                    raise _ExitedDuringStartup(
                        f"Kafka cluster node {node.node_id} exited during startup\n"
                        f"{node._log_tail()}"
                    )
            # A node's client port opens only once it is unfenced: a node just restarted after
            # a kill is not taken for ready on its old registration, still listed for seconds.
            if all(_port_accepts(HOST, port) for port, _ in self.saved_ports().values()):
                try:
                    registered, _, _ = _ask_cluster(bootstrap, _budget(deadline))
                    if registered >= expected:
                        return
                    last = f"registered brokers {sorted(registered)}"
                except Exception as error:  # not ready yet: any client error means "retry"
                    last = error
            time.sleep(0.2)
        tails = "\n".join(node._log_tail(20) for node in self.nodes)
        raise RuntimeError(
            f"the Kafka cluster at {bootstrap} was not ready in time (last: {last!r})\n{tails}"
        )


def _budget(deadline: float) -> float:
    return max(0.5, min(5.0, deadline - time.monotonic()))


def _format_storage(nodes: list[ClusterNode], jars: Path) -> None:
    """Format the nodes never formatted, all at once (a JVM start each), with one cluster id."""
    pending = [node for node in nodes if not (node._log_dir / "meta.properties").exists()]
    cluster_id = pending[0].cluster.cluster_id() if pending else ""
    runs = []
    for node in pending:
        command = node._java_command(
            jars, "kafka.tools.StorageTool", "format", "--ignore-formatted",
            "-t", cluster_id, "-c", str(node._properties),
        )  # fmt: skip
        runs.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
    for node, run in zip(pending, runs, strict=True):
        output, _ = run.communicate()
        if run.returncode != 0:
            raise RuntimeError(
                f"formatting Kafka storage in {node._log_dir} failed "
                f"(exit {run.returncode}):\n{output.decode(errors='replace')}"
            )


def _ask_cluster(bootstrap: str, timeout: float) -> tuple[set[int], int | None, int | None]:
    """(registered unfenced broker ids, the metadata quorum's leader, under-replicated
    partitions) in a few admin round trips."""
    from kafka import KafkaAdminClient  # here: importing kafka-python costs ~0.1 s

    budget_ms = int(timeout * 1000)
    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap,
        client_id="espcrm-kafka-cluster",
        bootstrap_timeout_ms=budget_ms,
        request_timeout_ms=budget_ms,
        reconnect_backoff_max_ms=500,
    )
    try:
        cluster = admin.describe_cluster()
        registered = {
            int(broker["broker_id"])
            for broker in cluster["brokers"]
            if not broker.get("is_fenced", False)
        }
        leader: int | None = None
        with contextlib.suppress(Exception):  # DescribeQuorum is forwarded; older brokers may not
            quorum = admin.describe_metadata_quorum()
            leader = _quorum_leader(quorum)
        topics = admin.describe_topics()
        under = sum(
            len(part["isr_nodes"]) < len(part["replica_nodes"])
            for topic in topics
            for part in topic["partitions"]
        )
        return registered, leader, under
    finally:
        admin.close()


def _quorum_leader(quorum: Any) -> int | None:
    """The leader id from a DescribeQuorum response (as dict, in either of its shapes)."""
    if isinstance(quorum, dict):
        for key in ("leader_id", "leaderId"):
            if key in quorum and int(quorum[key]) >= 0:
                return int(quorum[key])
        for value in quorum.values():
            found = _quorum_leader(value)
            if found is not None:
                return found
    elif isinstance(quorum, list):
        for value in quorum:
            found = _quorum_leader(value)
            if found is not None:
                return found
    return None
