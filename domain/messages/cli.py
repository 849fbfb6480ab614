"""What the `espcrm` command prints: key → (中文, English)."""

from __future__ import annotations

CLI: dict[str, tuple[str, str]] = {
    # data rotate-key
    "cli.rotate.column": ("{column}：重新加密 {rows} 行", "{column}: {rows} rows re-encrypted"),
    "cli.rotate.done": (
        "密钥轮换完成：重新加密 {total} 行，{current} 个值已是当前密钥加密。",
        "Key rotated: {total} rows re-encrypted, {current} values already under the current key.",
    ),
    # run / serve
    "cli.no_java": (
        "未找到 Java/Maven：本次运行不启动 Kafka 事件推送。",
        "No Java/Maven here: running without the Kafka event feed.",
    ),
    "cli.feed": ("事件推送：{topic}（{servers}）", "Event feed: topic {topic} on {servers}"),
    "cli.demo.seeding": (
        "演示数据：正在向空库写入一年的模拟数据（约半分钟）…",
        "Demo year: seeding an empty store (about half a minute)…",
    ),
    "cli.demo.seeded": ("演示数据已写入。", "Demo year seeded."),
    "cli.demo.not_empty": (
        "库中已有数据：未写入演示数据。",
        "Store not empty: no demo data added.",
    ),
    "cli.box.title": ("espcrm 已启动", "espcrm is running"),
    "cli.box.console": ("控制台", "Console"),
    "cli.box.graphiql": ("GraphiQL", "GraphiQL"),
    "cli.box.tokens": (
        "开发令牌（Authorization: Bearer …）",
        "Development tokens (Authorization: Bearer …)",
    ),
    "cli.box.stop": ("按 Ctrl-C 停止", "Ctrl-C stops it"),
    "cli.stopped": ("已停止：数据库{broker}均已关闭。", "Stopped: the database{broker} closed."),
    "cli.stopped.broker": ("和 Kafka", " and the Kafka broker"),
    "cli.schema_written": ("已写入 {path}", "wrote {path}"),
    "cli.kafka.stopped": ("已停止", "stopped"),
    "cli.kafka.not_running": ("未运行", "not running"),
    "cli.kafka.cluster_size": (
        "--brokers 取 1（单个开发 broker）或 3 至 9（集群）",
        "--brokers is 1 (the development broker) or 3 to 9 (a cluster)",
    ),
    "cli.kafka.cluster_exists": (
        "此处已有 {brokers} 个 broker 的集群：请以 --brokers {brokers} 启动，或删除 .data/kafka-cluster 重建",
        "the cluster here has {brokers} brokers: start it with --brokers {brokers}, or delete .data/kafka-cluster for a new one",
    ),
    "cli.kafka.cluster": (
        "Kafka 集群：{running}/{brokers} 个节点运行中",
        "Kafka cluster: {running} of {brokers} nodes running",
    ),
    "cli.kafka.node": (
        "节点 {node}  {address}（控制器端口 {controller}）  进程 {pid}  {state}",
        "node {node}  {address} (controller port {controller})  pid {pid}  {state}",
    ),
    "cli.kafka.node_down": ("未运行", "down"),
    "cli.kafka.node_starting": ("已启动，尚未注册", "running, not registered"),
    "cli.kafka.node_registered": ("服务中", "serving"),
    "cli.kafka.quorum_leader": ("元数据仲裁领导者", "metadata quorum leader"),
    "cli.kafka.under_replicated": (
        "副本不足的分区：{count}",
        "under-replicated partitions: {count}",
    ),
    "cli.relay.status": (
        "位置 {position}  日志头 {head}  落后 {lag} 个事件，{seconds} 秒",
        "position {position}  head {head}  lag {lag} events, {seconds} s",
    ),
    "cli.projections.unknown": (
        "没有名为 {name} 的读模型；可选：{names}",
        "{name!r} is not a projection; one of {names}",
    ),
    "cli.watch.status": (
        "位置 {position}  日志头 {head}  落后 {lag} 个事件  监视中的诉求 {watched}  已到期 {due}  下一时限 {next}",
        "position {position}  head {head}  lag {lag} events  issues watched {watched}  due now {due}  next {next}",
    ),
    "cli.watch.fired": ("已发出 {count} 条时限提醒", "{count} alerts fired"),
    # import
    "cli.import.title": ("企业名单导入", "Enterprise import"),
    "cli.import.outcome": ("结果", "outcome"),
    "cli.import.rows": ("行数", "rows"),
    "cli.import.row": ("第 {row} 行：{detail}", "row {row}: {detail}"),
    "cli.import.more": ("…… 另有 {count} 行", "… and {count} more"),
    "cli.import.dry_run": (
        "试运行（--dry-run）：未写入任何数据；报告列出了每一行将如何处理。",
        "Dry run (--dry-run): nothing was written; the report says what each row would do.",
    ),
    "cli.import.nothing": (
        "未导入任何数据：请改正错误行，或使用 --skip-invalid 跳过。",
        "Nothing imported: fix the rows, or use --skip-invalid.",
    ),
    "cli.import.report": ("导入报告：{path}", "Report: {path}"),
    # seed-demo
    "cli.seed.title": ("{year} 年演示数据（种子 {seed}）", "Demo year {year}, seed {seed}"),
    "cli.seed.event_type": ("事件类型", "event type"),
    "cli.seed.events": ("事件数", "events"),
    "cli.seed.channels": ("走访方式：{channels}", "Visits by channel: {channels}"),
    "cli.seed.summary": (
        "{events} 个事件，用时 {seconds} 秒；日志摘要 {digest}",
        "{events} events in {seconds} s; log digest {digest}",
    ),
    # projections
    "cli.projections.header": (
        "读模型 · 版本 · 位置 · 日志头 · 落后（事件） · 落后（秒） · 其他版本",
        "projection · version · position · head · lag · lag (s) · other versions",
    ),
    "cli.projections.rebuilt": (
        "{name}：v{old} → v{new}，{events} 个事件，用时 {seconds} 秒（每秒 {rate} 个）；v{old} 保留以便回退",
        "{name}: v{old} → v{new}, {events} events in {seconds} s ({rate} events/s); v{old} kept for rollback",
    ),
    "cli.projections.rolled_back": (
        "{name}：读取已切回 v{version}",
        "{name}: readers now on v{version}",
    ),
    # report
    "cli.report.behind": (
        "读模型落后于事件日志：{names}。数据可能不是最新；请运行 `espcrm project`（或 `espcrm run`）追上。",
        "Read models behind the log: {names}. Figures may be stale; run `espcrm project` (or `espcrm run`) to bring them up to date.",
    ),
    "cli.report.lag": ("{name}（{lag} 个事件）", "{name} ({lag} events)"),
    "cli.report.unknown_format": ("未知的格式：{formats}", "unknown format {formats}"),
    "cli.report.period_missing": (
        "请用 --period 指定统计期间（如 2025-Q3）",
        "give the period with --period (2025-Q3, say)",
    ),
    "cli.report.audit_title": ("审计轨迹 {id}", "audit trail {id}"),
    "cli.token.unknown_role": ("未知的角色 {role}", "unknown role {role!r}"),
    "cli.relay.reader": (
        "ESPCRM_RELAY_READER 只能是 process 或 inline，现在是 {value}",
        "ESPCRM_RELAY_READER must be process or inline, not {value!r}",
    ),
    "cli.relay.no_broker": (
        "请把 ESPCRM_KAFKA_BOOTSTRAP 设为 Kafka 的 host:port",
        "set ESPCRM_KAFKA_BOOTSTRAP to the broker's host:port",
    ),
    # cluster (issue 18)
    "cli.cluster.up": (
        "本机集群已启动：API {api_url}（2 个进程），数据库 {database}，Kafka {kafka}；日志在 {logs}",
        "Local cluster up: API {api_url} (2 workers), database {database}, Kafka {kafka}; logs in {logs}",
    ),
    "cli.cluster.already_up": (
        "本机集群已在运行（{home}）：先运行 `espcrm cluster down`",
        "A local cluster is already running ({home}): run `espcrm cluster down` first",
    ),
    "cli.cluster.part_failed": (
        "集群组件启动失败：{parts}；请查看日志 {logs}",
        "Cluster parts failed to start: {parts}; see the logs in {logs}",
    ),
    "cli.cluster.api_timeout": (
        "API 在 {seconds} 秒内未就绪；请查看日志 {logs}",
        "The API was not ready in {seconds} s; see the logs in {logs}",
    ),
    "cli.cluster.not_running": ("本机集群未运行", "No local cluster is running"),
    "cli.cluster.header": (
        "组件 · 状态 · 进程号 · 主备 · 说明",
        "part · state · pid · leads/stands by · description",
    ),
    "cli.cluster.leads": ("主用 {jobs} 项", "leads {jobs}"),
    "cli.cluster.kafka_header": (
        "Kafka 节点 · 状态 · 进程号 · 地址",
        "Kafka node · state · pid · address",
    ),
    "cli.cluster.kafka_controller": ("（当前控制器）", "(active controller)"),
    "cli.cluster.under_replicated": (
        "副本不足的分区：{count}",
        "under-replicated partitions: {count}",
    ),
    "cli.cluster.standby": ("备用", "standing by"),
    "cli.cluster.lags": ("落后（事件）", "lag (events)"),
    "cli.cluster.down": (
        "本机集群已停止：各组件、数据库和 Kafka 均已关闭",
        "Local cluster stopped: every part, the database and Kafka closed",
    ),
    "cli.cluster.down.parts": (
        "本机集群已停止：各组件均已关闭（外部数据库和 Kafka 未动）",
        "Local cluster stopped: every part closed (the external database and Kafka left alone)",
    ),
    "cli.cluster.state.RUNNING": ("运行中", "running"),
    "cli.cluster.state.STARTING": ("启动中", "starting"),
    "cli.cluster.state.BACKOFF": ("重启等待中", "backing off"),
    "cli.cluster.state.STOPPING": ("停止中", "stopping"),
    "cli.cluster.state.STOPPED": ("已停止", "stopped"),
    "cli.cluster.state.EXITED": ("已退出", "exited"),
    "cli.cluster.state.FATAL": ("启动失败", "failed"),
    "cli.cluster.state.UNKNOWN": ("未知", "unknown"),
}
