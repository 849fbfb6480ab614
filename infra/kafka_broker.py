"""A real single-node Apache Kafka broker (KRaft), run by the project itself.

No docker and no downloads outside package registries: the broker's jars come from Maven
Central through infra/kafka/pom.xml, and the broker runs as a plain `java kafka.Kafka`
process whose files all live under one data dir:

    data_dir/
      server.properties   regenerated on each start (the ports may change)
      state.json          the ports picked on first start, reused on restart
      broker.pid          pid of the running java process
      broker.out          the process's stdout/stderr (WARN and above only)
      logs/server.log     the broker's own log (INFO), see infra/kafka/log4j2.xml
      log/                the Kafka data: topics, the KRaft metadata log, meta.properties

Beside the jars (a per-user cache) lies the archive of the classes a broker loads at start
(broker-classes-<java>.jsa, see "class data sharing" below): later starts map it.

The broker outlives the Python process that started it (it is detached), so
`espcrm kafka up` can return and a later `espcrm kafka down` stops it through the pid file.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

log = logging.getLogger("espcrm.kafka")

POM = Path(__file__).resolve().parent / "kafka" / "pom.xml"
LOG4J2_CONFIG = Path(__file__).resolve().parent / "kafka" / "log4j2.xml"
HOST = "127.0.0.1"
# Written last into the jars dir: its presence (with the pom's hash) means "complete".
JARS_MARKER = ".resolved.json"

# Startup speed over peak throughput: a dev/test broker moves little data, and C1-only JIT
# plus the serial collector cut about a second off a ~3 s start on a 2-core machine.
JVM_OPTIONS = (
    "-Xms256m",
    "-Xmx1g",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
)


def kafka_version() -> str:
    """The Kafka version pinned in pom.xml: the pom is the single place to bump it."""
    match = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", POM.read_text())
    if match is None:
        raise RuntimeError(f"no <kafka.version> property in {POM}")
    return match.group(1).strip()


def java_and_maven_available() -> bool:
    """Whether this machine can resolve the jars (mvn) and run the broker (java)."""
    return _java() is not None and shutil.which("mvn") is not None


def default_jars_dir() -> Path:
    """A per-user cache outside the data dir, so deleting .data does not re-resolve jars."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "espcrm" / f"kafka-{kafka_version()}" / "lib"


class KafkaBroker:
    """One KRaft broker+controller on 127.0.0.1, owned by its data dir.

    Any number of KafkaBroker objects (in any process) may point at the same data dir:
    they all see, reuse and stop the same java process through the pid file.
    """

    jvm_options: tuple[str, ...] = JVM_OPTIONS

    def __init__(
        self,
        data_dir: Path,
        *,
        jars_dir: Path | None = None,
        port: int | None = None,
        controller_port: int | None = None,
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.jars_dir = (jars_dir or default_jars_dir()).resolve()
        # Explicit ports win over saved ones; None means "saved, else any free one".
        self._wanted_ports = (port, controller_port)
        self._proc: subprocess.Popen[bytes] | None = None

    # -- paths ---------------------------------------------------------------------------

    @property
    def _properties(self) -> Path:
        return self.data_dir / "server.properties"

    @property
    def _state_file(self) -> Path:
        return self.data_dir / "state.json"

    @property
    def _pid_file(self) -> Path:
        return self.data_dir / "broker.pid"

    @property
    def _out_file(self) -> Path:
        return self.data_dir / "broker.out"

    @property
    def _log_dir(self) -> Path:
        return self.data_dir / "log"

    # -- public API ----------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        """The running broker's process id, None when it is not running."""
        pid = _read_int(self._pid_file)
        return pid if pid is not None and self._is_our_broker(pid) else None

    @property
    def bootstrap_servers(self) -> str | None:
        """`127.0.0.1:<port>` of the running broker, None when it is not running."""
        ports = self._saved_ports()
        if ports is None or not self.is_running():
            return None
        return f"{HOST}:{ports[0]}"

    def is_running(self) -> bool:
        return self.pid is not None

    def current_bootstrap(self) -> str | None:
        """`127.0.0.1:<port>` from the saved state, running or not: where the broker of this data
        dir listens now, even if another process restarted it on new ports since (a client that
        cannot connect asks again here)."""
        ports = self._saved_ports()
        return f"{HOST}:{ports[0]}" if ports is not None else None

    def ensure_jars(self) -> Path:
        """The directory of broker jars, resolved with Maven only if missing or stale."""
        digest = hashlib.sha256(POM.read_bytes()).hexdigest()
        if self._jars_complete(digest):
            return self.jars_dir
        self.jars_dir.parent.mkdir(parents=True, exist_ok=True)
        with _file_lock(self.jars_dir.parent / ".lock"):
            if not self._jars_complete(digest):  # another process may have finished meanwhile
                self._resolve_jars(digest)
        return self.jars_dir

    def start(self, timeout: float = 90) -> str:
        """Start the broker (or reuse the one running on this data dir); wait until it serves.

        Returns the bootstrap servers string. Raises RuntimeError, with the tail of the
        broker's log, when it does not answer a real admin request within `timeout` seconds.
        """
        deadline = time.monotonic() + timeout
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with _file_lock(self.data_dir / ".lock"):
            ports = self._saved_ports()
            if self.is_running() and ports is not None:
                bootstrap = f"{HOST}:{ports[0]}"
                log.info("reusing the Kafka broker already running at %s", bootstrap)
                self._wait_ready(bootstrap, deadline)
                return bootstrap
            self._pid_file.unlink(missing_ok=True)  # stale: left by a crash or a kill()
            jars = self.ensure_jars()
            try:
                return self._launch(jars, self._choose_ports(ports), deadline)
            except _ExitedDuringStartup as error:
                # Free ports are found by binding and letting go: on a busy machine another
                # process can take one in between. One more try, on ports chosen afresh;
                # not when the ports were given (the same port would fail the same way).
                if self._wanted_ports != (None, None):
                    raise RuntimeError(str(error)) from None
                log.warning("the Kafka broker exited during startup; retrying on new ports")
                self._state_file.unlink(missing_ok=True)
                try:
                    return self._launch(jars, self._choose_ports(None), deadline)
                except _ExitedDuringStartup:
                    raise RuntimeError(str(error)) from None

    def _launch(self, jars: Path, ports: tuple[int, int], deadline: float) -> str:
        self._write_properties(ports)
        self._format_storage_once(jars)
        self._spawn(jars)
        bootstrap = f"{HOST}:{ports[0]}"
        try:
            self._wait_ready(bootstrap, deadline)
        except BaseException:
            # A half-started broker would hold the ports and the data dir lock: clean up.
            self._kill_spawned()
            raise
        log.info("Kafka broker ready at %s (pid %s)", bootstrap, self.pid)
        return bootstrap

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM (a clean shutdown flushes the logs), then SIGKILL after `timeout`."""
        if not self.data_dir.exists():
            return
        with _file_lock(self.data_dir / ".lock"):
            pid = self.pid
            if pid is not None:
                _signal(pid, signal.SIGTERM)
                stopped_cleanly = self._wait_exit(pid, timeout)
                if not stopped_cleanly:
                    log.warning(
                        "Kafka broker pid %s ignored SIGTERM for %ss: killing", pid, timeout
                    )
                    _signal(pid, signal.SIGKILL)
                    self._wait_exit(pid, 10)
                self._keep_class_dump(stopped_cleanly)
            self._pid_file.unlink(missing_ok=True)
            self._proc = None

    def kill(self) -> None:
        """SIGKILL at once, like a crash: the pid file stays, as a crash would leave it."""
        pid = self.pid
        if pid is not None:
            _signal(pid, signal.SIGKILL)
            self._wait_exit(pid, 10)
            self._keep_class_dump(stopped_cleanly=False)
        self._proc = None

    def _kill_spawned(self) -> None:
        """Kill the process this object spawned, whatever its pid file or /proc say."""
        proc = self._proc
        if proc is not None and proc.poll() is None:
            _signal(proc.pid, signal.SIGKILL)
            self._wait_exit(proc.pid, 10)
        self.kill()
        self._keep_class_dump(stopped_cleanly=False)  # exited or killed at start: not kept

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- jars ----------------------------------------------------------------------------

    def _jars_complete(self, digest: str) -> bool:
        """The marker names the pom it was resolved from and every jar: all must match."""
        try:
            marker = json.loads((self.jars_dir / JARS_MARKER).read_text())
            jars = list(marker["jars"])
        except (OSError, ValueError, KeyError, TypeError):
            return False
        return (
            marker.get("pom_sha256") == digest
            and bool(jars)
            and all((self.jars_dir / name).is_file() for name in jars)
        )

    def _resolve_jars(self, digest: str) -> None:
        if shutil.which("mvn") is None:
            raise RuntimeError(
                "Maven (mvn) is needed once to fetch the Kafka broker jars into "
                f"{self.jars_dir}, but it is not on PATH: install it (apt-get install maven)"
            )
        # Resolve into a scratch dir and swap it in, so an interrupted run never leaves a
        # half-filled lib dir that looks complete.
        scratch = self.jars_dir.with_name(f"{self.jars_dir.name}.tmp-{os.getpid()}")
        shutil.rmtree(scratch, ignore_errors=True)
        command = [
            "mvn", "-q", "-B", "-f", str(POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={scratch}",
            "-DincludeScope=runtime",
        ]  # fmt: skip
        started = time.monotonic()
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0 or not any(scratch.glob("kafka_2.13-*.jar")):
            shutil.rmtree(scratch, ignore_errors=True)
            output = (result.stdout + result.stderr).splitlines()
            raise RuntimeError(
                f"resolving the Kafka jars failed (exit {result.returncode}): "
                f"{' '.join(command)}\n" + "\n".join(output[-40:])
            )
        jars = sorted(path.name for path in scratch.glob("*.jar"))
        (scratch / JARS_MARKER).write_text(json.dumps({"pom_sha256": digest, "jars": jars}))
        shutil.rmtree(self.jars_dir, ignore_errors=True)
        scratch.rename(self.jars_dir)
        log.info("resolved Kafka jars in %.1fs into %s", time.monotonic() - started, self.jars_dir)

    # -- ports and config ----------------------------------------------------------------

    def _saved_ports(self) -> tuple[int, int] | None:
        try:
            state = json.loads(self._state_file.read_text())
            return int(state["port"]), int(state["controller_port"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _choose_ports(self, saved: tuple[int, int] | None) -> tuple[int, int]:
        """Explicit ports, else the saved ones if still free, else two new free ones."""
        wanted_port, wanted_controller = self._wanted_ports
        if wanted_port is not None or wanted_controller is not None:
            ports = (wanted_port or _free_port(), wanted_controller or _free_port())
        elif saved is not None and all(_port_is_free(p) for p in saved):
            ports = saved
        else:
            if saved is not None:
                log.warning("saved Kafka ports %s are taken: picking new ones", saved)
            ports = _two_free_ports()
        self._state_file.write_text(
            json.dumps({"port": ports[0], "controller_port": ports[1]}, indent=2) + "\n"
        )
        return ports

    def _write_properties(self, ports: tuple[int, int]) -> None:
        lines = ["# Generated by infra/kafka_broker.py on every start: edits are lost."]
        lines += [f"{key}={value}" for key, value in self._settings(ports).items()]
        self._properties.write_text("\n".join(lines) + "\n")

    def _settings(self, ports: tuple[int, int]) -> dict[str, str]:
        """server.properties as a dict (a cluster node, infra/kafka_cluster.py, changes some)."""
        port, controller_port = ports
        return {
            "process.roles": "broker,controller",
            "node.id": "1",
            # A static voter (not `format --standalone`'s dynamic quorum): the voter's address
            # then lives only in this file, not in the metadata log, so a restart on new ports
            # (when the saved ones are taken) still finds its controller.
            "controller.quorum.voters": f"1@{HOST}:{controller_port}",
            "listeners": f"PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller_port}",
            "advertised.listeners": f"PLAINTEXT://{HOST}:{port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": str(self._log_dir),
            # Topics are created on purpose, with their partitions and configs, by the code
            # that owns them; a mistyped topic name must fail, not silently create a topic.
            "auto.create.topics.enable": "false",
            "num.partitions": "1",
            # One node: internal topics cannot have more than one replica, and one partition
            # each keeps the first consumer-group join and the broker's file count small.
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "share.coordinator.state.topic.num.partitions": "1",
            # No waiting for more members that will never come before the first rebalance.
            "group.initial.rebalance.delay.ms": "0",
            # After a crash the controller keeps the dead broker's registration until its
            # session times out (default 9 s), refusing the restarted one meanwhile; the broker
            # retries once per heartbeat interval (default 2 s). Shorter both: one node on
            # loopback, where a missed 3 s of heartbeats means something is really wrong.
            "broker.heartbeat.interval.ms": "500",
            "broker.session.timeout.ms": "3000",
            # Two cores: the defaults (3 network, 8 io threads) only add contention.
            "num.network.threads": "2",
            "num.io.threads": "2",
        }

    # -- process -------------------------------------------------------------------------

    def _java_command(self, jars: Path, main: str, *args: str) -> list[str]:
        java = _java()
        if java is None:
            raise RuntimeError(
                "Java 17+ is needed to run the Kafka broker, but `java` is not on "
                "PATH (nor in $JAVA_HOME/bin): install it (apt-get install "
                "openjdk-17-jre-headless)"
            )
        return [
            java,
            *self.jvm_options,
            f"-Dlog4j2.configurationFile={LOG4J2_CONFIG}",
            f"-Dkafka.logs.dir={self.data_dir / 'logs'}",
            "-cp",
            f"{jars}/*",
            main,
            *args,
        ]

    def _format_storage_once(self, jars: Path) -> None:
        """Format the log dir on first start only: formatting again would refuse (or wipe)."""
        if (self._log_dir / "meta.properties").exists():
            return
        command = self._java_command(
            jars, "kafka.tools.StorageTool", "format", "--ignore-formatted",
            "-t", self._cluster_id(), "-c", str(self._properties),
        )  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(
                f"formatting Kafka storage in {self._log_dir} failed "
                f"(exit {result.returncode}):\n{result.stdout}{result.stderr}"
            )

    def _cluster_id(self) -> str:
        """A new one for a lone broker; the nodes of a cluster share theirs."""
        return _new_cluster_id()

    def _spawn(self, jars: Path) -> None:
        command = self._java_command(jars, "kafka.Kafka", str(self._properties))
        command[1:1] = self._class_sharing(jars)
        with self._out_file.open("ab") as out:
            # A new session: Ctrl-C in the terminal that ran `espcrm kafka up` (or pytest)
            # must not reach the broker; only stop()/kill() end it.
            self._proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,
                start_new_session=True,
            )
        self._pid_file.write_text(f"{self._proc.pid}\n")

    # -- class data sharing ----------------------------------------------------------------
    # A broker's start is mostly the JVM loading and verifying thousands of classes. The first
    # broker stopped cleanly leaves an archive of them (AppCDS, -XX:ArchiveClassesAtExit) beside
    # the jars; every later start maps it: 3.2 s -> 2.1 s here. The archive is named after the
    # java binary, so another JDK makes (and then uses) its own, and the old one is removed.

    @property
    def _dump_note(self) -> Path:
        return self.data_dir / "classes-dump"

    def _class_sharing(self, jars: Path) -> list[str]:
        archive = _class_archive(jars)
        if archive is None:
            return []
        self._keep_class_dump(stopped_cleanly=False)  # a dead broker's note: its dump is partial
        if archive.is_file():
            return [f"-XX:SharedArchiveFile={archive}"]
        dump = archive.with_name(f"{archive.name}.{uuid.uuid4().hex[:8]}.part")
        self._dump_note.write_text(f"{dump}\n")  # for whoever stops this broker
        # Its notes on classes it leaves out (not linked, old bytecode) are not a reader's.
        return [f"-XX:ArchiveClassesAtExit={dump}", "-Xlog:cds*=error"]

    def _keep_class_dump(self, stopped_cleanly: bool) -> None:
        """The dump of a broker that exited on SIGTERM is complete (the JVM writes it before it
        exits): it becomes the archive. A killed broker's partial dump is thrown away."""
        note = self._dump_note
        if not note.is_file():
            return
        dump = Path(note.read_text().strip())
        note.unlink(missing_ok=True)
        if stopped_cleanly and dump.is_file() and dump.stat().st_size > 0:
            archive = dump.with_name(dump.name.split(".jsa.")[0] + ".jsa")
            os.replace(dump, archive)
            # Archives of a JDK replaced since (~50 MB each) are of no use to this one.
            for other in archive.parent.glob("broker-classes-*.jsa"):
                if other != archive:
                    other.unlink(missing_ok=True)
        else:
            dump.unlink(missing_ok=True)

    def _wait_ready(self, bootstrap: str, deadline: float) -> None:
        """Poll until a real admin request succeeds; a listening port alone is not enough."""
        last_error: BaseException | None = None
        while time.monotonic() < deadline:
            pid = self.pid
            if pid is None:
                raise _ExitedDuringStartup(
                    f"the Kafka broker exited during startup\n{self._log_tail()}"
                )
            # The TCP probe is cheap; kafka-python's bootstrap blocks with backoff instead.
            if _port_accepts(HOST, int(bootstrap.rsplit(":", 1)[1])):
                try:
                    _check_cluster(bootstrap, deadline)
                    return
                except Exception as error:  # not ready yet: any client error means "retry"
                    last_error = error
            time.sleep(0.1)
        raise RuntimeError(
            f"the Kafka broker at {bootstrap} was not ready in time "
            f"(last error: {last_error!r})\n{self._log_tail()}"
        )

    def _wait_exit(self, pid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # Reap our own child, otherwise it lingers as a zombie that still "exists".
            if self._proc is not None and self._proc.pid == pid:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._proc.wait(timeout=0.1)
            if not _process_alive(pid):
                return True
            time.sleep(0.05)
        return False

    def _is_our_broker(self, pid: int) -> bool:
        """Alive, and really our broker: after a crash the pid may belong to another process."""
        if self._proc is not None and self._proc.pid == pid:
            # Our own child: its exit status is the truth. /proc/<pid>/cmdline can read empty
            # while a starting JVM holds its memory map busy, and a live broker taken for dead
            # was once started a second time on the same properties (CI, two JVMs, one port).
            return self._proc.poll() is None
        if not _process_alive(pid):
            return False
        cmdline = _read_cmdline(pid)
        return cmdline is None or ("kafka.Kafka" in cmdline and str(self._properties) in cmdline)

    def _log_tail(self, lines: int = 40) -> str:
        parts = []
        for path in (self._out_file, self.data_dir / "logs" / "server.log"):
            text = _read_text(path)
            if text:
                tail = "\n".join(text.splitlines()[-lines:])
                parts.append(f"--- last lines of {path} ---\n{tail}")
        return "\n".join(parts) or f"(no broker log in {self.data_dir})"


# -- helpers ------------------------------------------------------------------------------


class _ExitedDuringStartup(RuntimeError):
    """The broker process ended before it answered: it may be tried again."""


def _java() -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    return shutil.which("java")


def _class_archive(jars: Path) -> Path | None:
    """Where the brokers' class archive lives for these jars and this java; None without java."""
    java = _java()
    if java is None:
        return None
    binary = Path(java).resolve()
    tag = hashlib.sha256(f"{binary}:{binary.stat().st_mtime_ns}".encode()).hexdigest()[:12]
    return jars.parent / f"broker-classes-{tag}.jsa"


def _check_cluster(bootstrap: str, deadline: float) -> None:
    """One round trip with kafka-python: an unfenced broker in the metadata, topics listed."""
    from kafka import KafkaAdminClient  # here: importing kafka-python costs ~0.1 s

    budget_ms = int(max(0.5, min(5.0, deadline - time.monotonic())) * 1000)
    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap,
        client_id="espcrm-kafka-readiness",
        bootstrap_timeout_ms=budget_ms,
        request_timeout_ms=budget_ms,
        reconnect_backoff_max_ms=500,
    )
    try:
        cluster = admin.describe_cluster()
        if not any(not broker.get("is_fenced", False) for broker in cluster["brokers"]):
            raise RuntimeError(f"no unfenced broker yet: {cluster['brokers']}")
        admin.list_topics()
    finally:
        admin.close()


def _new_cluster_id() -> str:
    """What `StorageTool random-uuid` prints (base64url of a v4 UUID), without a JVM start."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):  # Kafka avoids these: they read as CLI options
            return cluster_id


def _port_is_free(port: int) -> bool:
    # SO_REUSEADDR like the JVM's server sockets: a port whose old connections sit in
    # TIME_WAIT after a kill is free for the broker, so it must count as free here too.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    return _two_free_ports()[0]


# Where new ports are picked: below the kernel's ephemeral range. A port from that range (what
# binding to port 0 gives) can be taken by any outgoing connection while the broker is down,
# clients' own reconnects included, and the broker then comes back somewhere else; a port
# below it is only ever taken by a server that asks for it by number.
LOWEST_PORT = 20_000


def _ephemeral_range() -> tuple[int, int]:
    text = _read_text(Path("/proc/sys/net/ipv4/ip_local_port_range")) or ""
    try:
        low, high = (int(part) for part in text.split())
        return low, high
    except ValueError:
        return 32_768, 60_999  # Linux's default


def _two_free_ports() -> tuple[int, int]:
    """Two distinct free ports below the ephemeral range (any free ones if none is there)."""
    first, second = free_ports(2)
    return first, second


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports below the ephemeral range (any free ones if none is there)."""
    low = _ephemeral_range()[0]
    candidates = list(range(LOWEST_PORT, low)) if low - LOWEST_PORT >= 100 else []
    random.shuffle(candidates)
    picked = [port for port in candidates[: 100 * count] if _port_is_free(port)][:count]
    if len(picked) == count:
        return picked
    # All sockets stay bound until all are picked, so the ports differ.
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind((HOST, 0))
        return [sock.getsockname()[1] for sock in sockets]


def _port_accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    # A zombie still answers kill(0) until its parent reaps it, but it is dead.
    stat = _read_text(Path(f"/proc/{pid}/stat"))
    return stat is None or stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _read_cmdline(pid: int) -> str | None:
    """The process's command line, or None where /proc does not exist (not Linux)."""
    if not Path("/proc/self").exists():
        return None
    text = _read_text(Path(f"/proc/{pid}/cmdline"))
    return (text or "").replace("\0", " ")


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return None


def _read_int(path: Path) -> int | None:
    text = _read_text(path)
    try:
        return int(text.strip()) if text else None
    except ValueError:
        return None


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive flock, so two `espcrm kafka up` at once do not start two brokers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _signal(pid: int, signum: signal.Signals) -> None:
    # The broker may exit on its own between the liveness check and the signal.
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)
