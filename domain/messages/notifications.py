"""The texts of notifications (通知) and reminders: key → (中文, English)."""

from __future__ import annotations

NOTIFICATIONS: dict[str, tuple[str, str]] = {
    "notice.rating_link": (
        "【重庆人社】您提出的诉求已办结，请点击链接查看办理情况并评价：{url}（{expires}前有效）",
        "Your demand has been resolved: see how and rate it at {url} (valid until {expires})",
    ),
    "notice.DISPATCHED": (
        "【派单】诉求“{title}”已派单，请及时签收（{at}）",
        "Dispatched: “{title}” awaits acceptance ({at})",
    ),
    "notice.WARNED": (
        "【预警】诉求“{title}”的{deadline_label}将于{due}到期，请抓紧办理",
        "Warning: {deadline_label} of “{title}” falls at {due}",
    ),
    "notice.URGE": (
        "【催办】诉求“{title}”已超过{deadline_label}（{due}），请尽快办理",
        "Urged: “{title}” is past {deadline_label} ({due})",
    ),
    "notice.SUPERVISE": (
        "【督办】诉求“{title}”超过{deadline_label}（{due}）仍未办理，已列入督办",
        "Supervised: “{title}” is still past {deadline_label} ({due})",
    ),
    "notice.NOTIFY": (
        "【通报】诉求“{title}”超过{deadline_label}（{due}）仍未办理，予以通报",
        "Notified: “{title}” is still past {deadline_label} ({due})",
    ),
    "notice.manual.URGE": ("【催办】诉求“{title}”被催办（{at}）", "Urged: “{title}” ({at})"),
    "notice.manual.SUPERVISE": (
        "【督办】诉求“{title}”被列入督办（{at}）",
        "Supervised: “{title}” ({at})",
    ),
    "notice.manual.NOTIFY": ("【通报】诉求“{title}”被通报（{at}）", "Notified: “{title}” ({at})"),
    "notice.RETURNED": (
        "【退回重办】诉求“{title}”被退回重办，请重新办理（{at}）",
        "Returned for rework: “{title}” ({at})",
    ),
    "notice.CLOSED": ("【办结】诉求“{title}”已关闭（{at}）", "Closed: “{title}” ({at})"),
    "notice.VISIT_DUE": (
        "【走访提醒】{enterprise}计划于{due}走访，请按时安排",
        "Visit reminder: {enterprise} is due a visit on {due}",
    ),
    "notice.VISIT_OVERDUE": (
        "【走访提醒】{enterprise}计划于{due}走访，现已逾期未走访",
        "Visit overdue: {enterprise} was due a visit on {due}",
    ),
    "notice.NOT_VISITED": (
        "【走访提醒】{enterprise}在{year}年第{quarter}季度尚未走访",
        "Not visited: {enterprise} has had no visit in {year} Q{quarter}",
    ),
    "notice.kind.DISPATCHED": ("派单", "dispatched"),
    "notice.kind.WARNED": ("预警", "warning"),
    "notice.kind.URGE": ("催办", "urge"),
    "notice.kind.SUPERVISE": ("督办", "supervise"),
    "notice.kind.NOTIFY": ("通报", "notify"),
    "notice.kind.RETURNED": ("退回重办", "returned for rework"),
    "notice.kind.CLOSED": ("已关闭", "closed"),
    "notice.kind.VISIT_DUE": ("走访提醒", "visit reminder"),
    "notice.kind.NOT_VISITED": ("本季度未走访", "not visited this quarter"),
    "notice.kind.MESSAGE": ("消息", "message"),
    "notice.stream_open": ("通知推送已连接", "notifications stream open"),
    "service.no_inbox": ("此处未提供通知服务", "notifications are not served here"),
    "notice.stream_unauthenticated": ("请先登录后再接收通知", "sign in to receive notifications"),
    "notice.too_many_ids": (
        "一次最多标记{limit}条通知",
        "at most {limit} notifications can be marked at once",
    ),
}
