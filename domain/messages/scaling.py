"""Messages of the scaled-out deployment (the read replica): key → (中文, English)."""

from __future__ import annotations

SCALING: dict[str, tuple[str, str]] = {
    "db.replica.failed": (
        "只读副本无法启动（数据目录 {path}）：{reason}",
        "The read replica could not start (data dir {path}): {reason}",
    ),
    "db.replica.wal_level": (
        "主库的 wal_level 为 {level}，流复制需要 replica 或 logical",
        "The primary's wal_level is {level}; streaming replication needs replica or logical",
    ),
    "db.replica.not_standby": (
        "{path} 上的服务器不是热备库（未处于恢复状态）",
        "The server on {path} is not a hot standby (not in recovery)",
    ),
    "db.replica.not_streaming": (
        "只读副本已启动，但未能从主库流式接收 WAL：{reason}",
        "The read replica started but is not streaming WAL from the primary: {reason}",
    ),
    "service.replica": (
        "只读副本刚刚不可用，读取已改由主库提供，请重试",
        "The read replica just became unavailable; reads now go to the primary, please retry",
    ),
    "cli.db.primary": ("主库：{address}", "primary: {address}"),
    "cli.db.replica": (
        "只读副本：{address}（恢复中 {in_recovery}，WAL 接收 {receiver}，已重放至 {replay_lsn}）",
        "replica: {address} (in recovery {in_recovery}, WAL receiver {receiver},"
        " replayed to {replay_lsn})",
    ),
    "cli.db.replica_lag": (
        "复制延迟：{bytes} 字节，{seconds} 秒（主库 pg_stat_replication）",
        "replication lag: {bytes} bytes, {seconds} s (the primary's pg_stat_replication)",
    ),
    "cli.db.read_url": (
        "读模型查询可使用：ESPCRM_READ_DATABASE_URL={url}",
        "read-model queries may use: ESPCRM_READ_DATABASE_URL={url}",
    ),
    "cli.db.not_running": ("{what}：未运行", "{what}: not running"),
    "cli.db.stopped": ("{what}：已停止", "{what}: stopped"),
    "cli.db.what.primary": ("主库", "primary"),
    "cli.db.what.replica": ("只读副本", "replica"),
}
