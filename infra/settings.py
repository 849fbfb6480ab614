"""Settings from ESPCRM_* environment variables; the defaults need nothing installed."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from domain.deadline_alerts import AlertPolicy


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"ESPCRM_{name}")
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=lambda: Path(_env("DATA_DIR", ".data") or ".data"))
    # An external server when set; otherwise the embedded one under data_dir/pg.
    database_url: str | None = field(default_factory=lambda: _env("DATABASE_URL"))
    database_name: str = field(default_factory=lambda: _env("DATABASE_NAME", "espcrm") or "espcrm")
    # A streaming read replica of that server: read-model queries (the views the API reads)
    # go to it, everything else stays on the primary (infra/read_replica.py). Unset: the
    # embedded replica when `espcrm db up --replica` made one ("off" in READ_REPLICA: never).
    read_database_url: str | None = field(default_factory=lambda: _env("READ_DATABASE_URL"))
    read_replica: str = field(default_factory=lambda: _env("READ_REPLICA", "auto") or "auto")
    # Reads go back to the primary when the replica is this far behind (seconds).
    read_replica_max_lag_seconds: float = field(
        default_factory=lambda: float(_env("READ_REPLICA_MAX_LAG_SECONDS", "5") or 5)
    )
    # An existing broker when set; otherwise `espcrm run` starts one if Java and Maven exist.
    kafka_bootstrap: str | None = field(default_factory=lambda: _env("KAFKA_BOOTSTRAP"))
    kafka_topic: str = field(default_factory=lambda: _env("KAFKA_TOPIC", "espcrm.events.v1") or "")
    kafka_partitions: int = field(default_factory=lambda: int(_env("KAFKA_PARTITIONS", "3") or 3))
    # The topic's copies and the copies an acknowledged write needs; unset, they follow the
    # cluster (3 and 2 on three brokers or more, 1 and 1 on one: infra/relay.py ensure_topic).
    kafka_replication_factor: int | None = field(
        default_factory=lambda: int(v) if (v := _env("KAFKA_REPLICATION_FACTOR")) else None
    )
    kafka_min_insync_replicas: int | None = field(
        default_factory=lambda: int(v) if (v := _env("KAFKA_MIN_INSYNC_REPLICAS")) else None
    )
    # Where the relay reads the log: "process" (a child process reading ahead while the relay
    # publishes, infra/feed_reader.py) or "inline" (the relay's own process).
    relay_reader: str = field(default_factory=lambda: _env("RELAY_READER", "process") or "process")
    cipher_key: str | None = field(default_factory=lambda: _env("CIPHER_KEY"))
    # Keys the store was encrypted with before a rotation, comma-separated: still read, never
    # written (infra/keyring.py; `espcrm data rotate-key` re-encrypts what they wrote).
    cipher_old_keys: str | None = field(default_factory=lambda: _env("CIPHER_OLD_KEYS"))
    jwt_secret: str | None = field(default_factory=lambda: _env("JWT_SECRET"))
    jwt_public_key_file: Path | None = field(
        default_factory=lambda: Path(p) if (p := _env("JWT_PUBLIC_KEY_FILE")) else None
    )
    jwks_file: Path | None = field(
        default_factory=lambda: Path(p) if (p := _env("JWKS_FILE")) else None
    )
    calendar_dir: Path | None = field(
        default_factory=lambda: Path(p) if (p := _env("CALENDAR_DIR")) else None
    )
    host: str = field(default_factory=lambda: _env("HOST", "127.0.0.1") or "127.0.0.1")
    port: int = field(default_factory=lambda: int(_env("PORT", "8000") or 8000))
    # How long an idle HTTP connection is kept open (see infra/http_server.py).
    keep_alive_seconds: int = field(
        default_factory=lambda: int(_env("KEEP_ALIVE_SECONDS", "75") or 75)
    )
    # Seconds to wait for a connection: how long a request waits before an outage is reported.
    db_connect_timeout: int = field(
        default_factory=lambda: int(_env("DB_CONNECT_TIMEOUT", "5") or 5)
    )
    pool_size: int = field(default_factory=lambda: int(_env("DB_POOL_SIZE", "2") or 2))
    # A snapshot of an enterprise relationship every N of its events (0: none), and how many
    # aggregates the command side keeps between commands (0: none); docs/benchmarks.md.
    snapshot_interval: int = field(
        default_factory=lambda: int(_env("SNAPSHOT_INTERVAL", "50") or 0)
    )
    command_cache_capacity: int = field(
        default_factory=lambda: int(_env("COMMAND_CACHE_CAPACITY", "1000") or 0)
    )
    # The deadline watcher (processes/deadline_watcher.py): how often it looks at the clock,
    # and its thresholds (domain/deadline_alerts.py's AlertPolicy; 0 switches one off).
    watch_interval_seconds: float = field(
        default_factory=lambda: float(_env("WATCH_INTERVAL_SECONDS", "60") or 60)
    )
    alert_warn_fraction_left: float = field(
        default_factory=lambda: float(_env("ALERT_WARN_FRACTION_LEFT", "0.5") or 0)
    )
    alert_warn_working_days_before: int = field(
        default_factory=lambda: int(_env("ALERT_WARN_WORKING_DAYS_BEFORE", "1") or 0)
    )
    alert_supervise_after_working_days: int = field(
        default_factory=lambda: int(_env("ALERT_SUPERVISE_AFTER_WORKING_DAYS", "5") or 0)
    )
    alert_notify_after_working_days: int = field(
        default_factory=lambda: int(_env("ALERT_NOTIFY_AFTER_WORKING_DAYS", "10") or 0)
    )
    alert_late_after_minutes: int = field(
        default_factory=lambda: int(_env("ALERT_LATE_AFTER_MINUTES", "15") or 0)
    )

    # The notification outbox (processes/notification_outbox.py, README "Notifications"):
    # a channel goes over HTTP only when its URL is set, else to the local sink.
    notify_interval_seconds: float = field(
        default_factory=lambda: float(_env("NOTIFY_INTERVAL_SECONDS", "30") or 30)
    )
    notify_routes_file: Path | None = field(
        default_factory=lambda: Path(p) if (p := _env("NOTIFY_ROUTES_FILE")) else None
    )
    notify_retry_first_seconds: float = field(
        default_factory=lambda: float(_env("NOTIFY_RETRY_FIRST_SECONDS", "30") or 30)
    )
    notify_retry_max_seconds: float = field(
        default_factory=lambda: float(_env("NOTIFY_RETRY_MAX_SECONDS", "3600") or 3600)
    )
    notify_max_attempts: int = field(
        default_factory=lambda: int(_env("NOTIFY_MAX_ATTEMPTS", "10") or 10)
    )
    notify_max_age_hours: float = field(
        default_factory=lambda: float(_env("NOTIFY_MAX_AGE_HOURS", "72") or 72)
    )
    sms_gateway_url: str | None = field(default_factory=lambda: _env("SMS_GATEWAY_URL"))
    sms_gateway_key: str | None = field(default_factory=lambda: _env("SMS_GATEWAY_KEY"))
    sms_timeout_seconds: float = field(
        default_factory=lambda: float(_env("SMS_TIMEOUT_SECONDS", "5") or 5)
    )
    wecom_webhook_url: str | None = field(default_factory=lambda: _env("WECOM_WEBHOOK_URL"))
    wecom_robot_key: str | None = field(default_factory=lambda: _env("WECOM_ROBOT_KEY"))
    wecom_timeout_seconds: float = field(
        default_factory=lambda: float(_env("WECOM_TIMEOUT_SECONDS", "5") or 5)
    )
    remind_days_ahead: int = field(default_factory=lambda: int(_env("REMIND_DAYS_AHEAD", "3") or 0))
    remind_quarter_days_left: int = field(
        default_factory=lambda: int(_env("REMIND_QUARTER_DAYS_LEFT", "30") or 0)
    )

    # The enterprise's rating link (评价链接): its lifetime, its secret (generated into data_dir
    # when not set) and the public address the link starts with.
    rating_link_days: int = field(default_factory=lambda: int(_env("RATING_LINK_DAYS", "7") or 7))
    rating_link_secret: str | None = field(default_factory=lambda: _env("RATING_LINK_SECRET"))
    public_url: str | None = field(default_factory=lambda: _env("PUBLIC_URL"))
    # Direct-report progress lookups allowed per client address per minute.
    lookup_per_minute: int = field(
        default_factory=lambda: int(_env("LOOKUP_PER_MINUTE", "10") or 10)
    )
    # Publicity activities (政策宣传服务活动) the plan asks for in a year.
    publicity_yearly_target: int = field(
        default_factory=lambda: int(_env("PUBLICITY_YEARLY_TARGET", "800") or 800)
    )
    # How many of a stream's newest snapshots are kept (at least 1): older ones are removed
    # as a new one is written (infra/event_store.py SnapshotRecorder).
    snapshots_kept: int = field(default_factory=lambda: int(_env("SNAPSHOTS_KEPT", "2") or 2))

    def resolved_rating_link_secret(self) -> str:
        if self.rating_link_secret:
            return self.rating_link_secret
        return self.secret_file("rating_link_secret", secrets.token_urlsafe(48))

    def alert_policy(self) -> AlertPolicy:
        return AlertPolicy(
            warn_fraction_left=self.alert_warn_fraction_left,
            warn_working_days_before=self.alert_warn_working_days_before,
            supervise_after_working_days=self.alert_supervise_after_working_days,
            notify_after_working_days=self.alert_notify_after_working_days,
            late_after=timedelta(minutes=self.alert_late_after_minutes),
        )

    def secret_file(self, name: str, make: str) -> str:
        """A development secret kept under data_dir, generated once (never committed)."""
        path = self.data_dir / "secrets" / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(make)
            path.chmod(0o600)
        return path.read_text().strip()

    def resolved_cipher_key(self) -> str:
        """The event store's AES key: from settings, else generated into .data/ once."""
        from eventsourcing.cryptography import AESCipher

        if self.cipher_key:
            return self.cipher_key
        return self.secret_file("cipher_key", AESCipher.create_key(num_bytes=32))

    @property
    def development_login(self) -> bool:
        """The console's development login (/dev/token): only with the generated development
        secret, never with a configured secret or RS256 keys."""
        return self.jwt_secret is None and not self.jwt_public_key_file and not self.jwks_file

    def resolved_jwt_secret(self) -> str:
        if self.jwt_secret:
            return self.jwt_secret
        return self.secret_file("jwt_secret", secrets.token_urlsafe(48))
