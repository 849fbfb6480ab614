"""The composition root: every entrypoint and every test builds the system here. Wiring only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast
from uuid import UUID

from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.utils import Environment

from application.commands import (
    COMMAND_CACHE_CAPACITY,
    SNAPSHOT_INTERVAL,
    SNAPSHOT_RECORDER_TOPIC,
    SNAPSHOTS_KEPT,
)
from application.outreach import LinkSender, LinkSigner, NotifyingLinkSender
from application.service_package import ServicePackage
from domain.shared import Clock
from infra.db_outage import cap_reconnect_delay
from infra.deadline_watch import lead_watcher, watcher_for
from infra.leader import AdvisoryLock, Leader, schema_lock
from infra.leader import projection_key as lock_key
from infra.log_waiter import LogWaiter, PositionListener
from infra.notify import lead_outbox, notification_store, outbox_for
from infra.occupation_catalogue_loader import load_occupations
from infra.policy_catalogue_loader import load_policy_catalogue
from infra.postgres_server import (
    EmbeddedPostgres,
    EmbeddedReplica,
    PgAddress,
    ensure_database,
    parse_database_url,
)
from infra.read_replica import ReplicaRoute, RoutedDatastore
from infra.settings import Settings
from infra.working_calendar import ChineseWorkingCalendar
from processes.deadline_watcher import DeadlineWatcher, WatcherLoop
from processes.notification_outbox import Outbox, OutboxLoop, OutboxNotifier
from projection_runtime.catalogue import Catalogue, build_view
from projection_runtime.host import Leadership, ProjectionHost
from projection_runtime.runners import FollowingRunner
from projection_runtime.versions import ProjectionVersions
from projections.enterprise_directory import EnterpriseDirectoryView
from projections.notifications import NotificationStore
from projections.views import Views


def eventsourcing_env(address: PgAddress, settings: Settings) -> dict[str, str]:
    """The settings eventsourcing reads, derived from ours (never from the process env)."""
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": address.dbname,
        "POSTGRES_HOST": address.host,
        "POSTGRES_PORT": str(address.port),
        "POSTGRES_USER": address.user,
        "POSTGRES_PASSWORD": address.password,
        "POSTGRES_POOL_SIZE": str(settings.pool_size),
        # Few connections held open per pool, more on demand: a process has many pools.
        "POSTGRES_MAX_OVERFLOW": str(settings.pool_size * 4),
        # No pre-ping round trip per call: a broken pooled connection fails the call and the
        # recorder's retry takes a new one (tests/integration/test_database_outage.py).
        "POSTGRES_PRE_PING": "n",
        "POSTGRES_CONNECT_TIMEOUT": str(settings.db_connect_timeout),
        "POSTGRES_LOCK_TIMEOUT": "5",
        # The application-wide key with its old keys (infra/keyring.py: rotation), and the key
        # table sealing each enterprise's personal data (application/shredding.py).
        "CIPHER_TOPIC": "infra.keyring:KeyringCipher",
        "CIPHER_KEY": settings.resolved_cipher_key(),
        "CIPHER_OLD_KEYS": settings.cipher_old_keys or "",
        "PERSONAL_DATA_KEYS_TOPIC": "infra.personal_keys:PostgresSubjectKeys",
        "CREATE_TABLE": "y",
        "APPLICATION_RECORDER_TOPIC": "infra.event_store:EspcrmRecorder",
        "IS_SNAPSHOTTING_ENABLED": "y" if settings.snapshot_interval > 0 else "n",
        SNAPSHOT_INTERVAL: str(settings.snapshot_interval),
        SNAPSHOT_RECORDER_TOPIC: "infra.event_store:SnapshotRecorder",
        SNAPSHOTS_KEPT: str(settings.snapshots_kept),
        COMMAND_CACHE_CAPACITY: str(settings.command_cache_capacity),
    }


@dataclass
class Container:
    """Everything an entrypoint needs, built once."""

    settings: Settings
    address: PgAddress
    env: dict[str, str]
    app: ServicePackage
    views: Views  # what readers query (the active versions)
    catalogue: Catalogue  # builds any version of any projection
    versions: ProjectionVersions
    projections: ProjectionHost  # runs them (`projections.start()`)
    notifications: NotificationStore  # the outbox's records: the inbox reads them
    embedded: EmbeddedPostgres | None = None
    # Where read-model queries go when a read replica is used (None: the primary).
    read_address: PgAddress | None = None
    replica: EmbeddedReplica | None = None
    watchers: list[Leader[WatcherLoop]] = field(default_factory=list)
    outboxes: list[Leader[OutboxLoop]] = field(default_factory=list)

    def tracking_recorder(self, name: str) -> PostgresTrackingRecorder:
        """A position of its own for a follower of the log (the relay, a consumer)."""
        factory = InfrastructureFactory[PostgresTrackingRecorder].construct(
            env=Environment(name, self.env)
        )
        return factory.tracking_recorder(PostgresTrackingRecorder)

    def log_waiter(self) -> LogWaiter:
        """Wakes a follower of the log (a runner, the relay) when the event store appends."""
        channel = self.app.recorder.channel_name  # type: ignore[attr-defined]
        return LogWaiter(self.address, channel, self.settings.db_connect_timeout)

    def deadline_watcher(self) -> DeadlineWatcher:
        """The deadline watcher on its own store and position (processes/deadline_watcher.py)."""
        return watcher_for(self.env, self.app, self.catalogue.calendar, self.settings)

    def start_deadline_watcher(self) -> Leader[WatcherLoop]:
        """Run the watcher in a thread while this process holds its lock; else stand by."""
        leader = lead_watcher(
            self.deadline_watcher, self.app.clock, self.log_waiter, self.address, self.settings
        )
        self.watchers.append(leader)
        return leader

    def outbox(self, channels: dict[Any, Any] | None = None) -> Outbox:
        """The notification outbox on its own store and position (`channels`: tests' senders)."""

        def directory() -> EnterpriseDirectoryView:
            view = build_view(
                self.env, "enterprise_directory", EnterpriseDirectoryView, create_tables=False
            )
            return cast(EnterpriseDirectoryView, view)

        return outbox_for(self.env, self.app, directory, self.settings, channels)

    def start_outbox(self) -> Leader[OutboxLoop]:
        """Run the outbox in a thread while this process holds its lock; else stand by."""
        leader = lead_outbox(
            self.outbox, self.app.clock, self.log_waiter, self.address, self.settings
        )
        self.outboxes.append(leader)
        return leader

    def notifier(self) -> OutboxNotifier:
        """The Notifier port (application/notifier.py) for other features."""
        return OutboxNotifier(self.notifications, self.app.clock)

    def read_status(self) -> dict[str, object]:
        """Where read-model queries go now and why (/healthz, `espcrm db status`)."""
        signal = self.views.signal
        if isinstance(signal, ReplicaRoute):
            return signal.status()
        return {"route": "primary", "reason": None}

    def close(self) -> None:
        for outbox in self.outboxes:
            outbox.close()
        for watcher in self.watchers:
            watcher.close()
        self.projections.close()
        if self.views.signal is not None:
            self.views.signal.close()
        for view in self.views.all().values():
            view.datastore.close()
        self.notifications.datastore.close()
        self.app.close()
        if self.replica is not None:
            self.replica.stop()
        if self.embedded is not None:
            self.embedded.stop()


def database_address(settings: Settings) -> tuple[PgAddress, EmbeddedPostgres | None]:
    """The external server when configured, else the embedded one (started or reused)."""
    if settings.database_url:
        return parse_database_url(settings.database_url), None
    embedded = EmbeddedPostgres(settings.data_dir)
    return embedded.start().with_dbname(settings.database_name), embedded


def read_database_address(
    settings: Settings, address: PgAddress, embedded: EmbeddedPostgres | None
) -> tuple[PgAddress | None, EmbeddedReplica | None]:
    """The read replica: ESPCRM_READ_DATABASE_URL's (the primary's database name), else the
    embedded one beside an embedded primary if `espcrm db up --replica` made it, else none."""
    if settings.read_database_url:
        return parse_database_url(settings.read_database_url).with_dbname(address.dbname), None
    if embedded is None or settings.read_replica == "off":
        return None, None
    replica = EmbeddedReplica(settings.data_dir)
    if not replica.exists:
        return None, None
    return replica.start(address), replica


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    address: PgAddress | None = None,
    link_sender: LinkSender | None = None,
    read_address: PgAddress | None = None,
) -> Container:
    """Start (or reuse) the database, create tables once, and wire the parts.

    `read_address`: a streaming replica of `address` for read-model queries (tests); else
    the settings say (read_database_address)."""
    settings = settings or Settings()
    cap_reconnect_delay()  # a database back after a restart is used within seconds
    embedded = replica = None
    if address is None:
        address, embedded = database_address(settings)
        if read_address is None:
            read_address, replica = read_database_address(settings, address, embedded)
    elif read_address is None and settings.read_database_url:
        read_address = parse_database_url(settings.read_database_url).with_dbname(address.dbname)
    ensure_database(address)
    # Tables are created once per database, not by every process starting at the same time.
    with schema_lock(address, settings.db_connect_timeout):
        env = eventsourcing_env(address, settings)
        calendar = ChineseWorkingCalendar(settings.calendar_dir)
        signer = LinkSigner(
            settings.resolved_rating_link_secret().encode(),
            timedelta(days=settings.rating_link_days),
        )
        app = ServicePackage(
            env=env,
            clock=clock,
            catalogue=load_policy_catalogue(),
            occupations=load_occupations(),
            calendar=calendar,
            link_signer=signer,
            link_sender=link_sender,
        )
        catalogue = Catalogue(env, app, calendar)
        versions = ProjectionVersions(app.recorder.datastore)  # type: ignore[attr-defined]
        catalogue.install(versions)
        notifications = notification_store(env)
    app.link_base_url = (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip(
        "/"
    )
    db, timeout = address, settings.db_connect_timeout
    channel = app.recorder.channel_name  # type: ignore[attr-defined]

    def elect(
        name: str, start: Callable[[], FollowingRunner], stop: Callable[[FollowingRunner], None]
    ) -> Leadership:
        return Leader(AdvisoryLock(db, lock_key(name), timeout), start, stop).start()

    host = ProjectionHost(catalogue, versions, lambda: LogWaiter(db, channel, timeout), elect)
    views = catalogue.readers()
    if read_address is None:
        views.signal = PositionListener(db, timeout)
    else:
        views = _routed_readers(catalogue, views, address, read_address, settings)
    container = Container(
        settings, address, env, app, views, catalogue, versions, host, notifications, embedded,
        read_address, replica,
    )  # fmt: skip
    if link_sender is None:  # the rating link goes out as an SMS through the outbox
        app.link_sender = NotifyingLinkSender(container.notifier(), _contact_phone(app))
    return container


def _routed_readers(
    catalogue: Catalogue,
    on_primary: Views,
    address: PgAddress,
    read_address: PgAddress,
    settings: Settings,
) -> Views:
    """The readers on the replica, each falling back to its twin on the primary; the route
    decides which (infra/read_replica.py)."""
    on_replica = catalogue.readers(eventsourcing_env(read_address, settings))
    route = ReplicaRoute(
        read_address,
        address,
        on_replica.position_sql(),
        max_lag=settings.read_replica_max_lag_seconds,
        connect_timeout=min(settings.db_connect_timeout, 2),
    )
    primaries = on_primary.all()
    for name, view in on_replica.all().items():
        view.datastore = RoutedDatastore(route, view.datastore, primaries[name].datastore)
    on_replica.signal = route
    route.start()
    return on_replica


def _contact_phone(app: ServicePackage) -> Callable[[str], str | None]:
    def phone(enterprise_id: str) -> str | None:
        contacts = app.get_enterprise(UUID(enterprise_id)).contacts
        phone = str(contacts[0]["phone"]) if contacts else ""
        return phone if any(ch.isdigit() for ch in phone) else None  # none, or erased

    return phone
