"""Extension requests (延期申请), the enterprise's own page (评价链接, 直报进度查询) and publicity
activities (政策宣传服务活动): key → (中文, English)."""

from __future__ import annotations

_EXTENSIONS = {
    "event.ExtensionRequested": ("延期申请", "extension requested"),
    "event.ExtensionApproved": ("同意延期", "extension approved"),
    "event.ExtensionRefused": ("不同意延期", "extension refused"),
    "event.RatingLinkIssued": ("发送评价链接", "rating link sent"),
    "action.issue.request_extension": ("申请延期", "request an extension of {it}"),
    "action.issue.decide_extension": ("审批延期申请", "decide an extension request of {it}"),
    "action.issue.refuse_extension": ("不同意延期", "refuse the extension of {it}"),
    "action.issue.issue_rating_link": ("发送评价链接", "send a rating link for {it}"),
    "do.request_extension": ("申请延期", "request an extension of"),
    "extension.pending": (
        "已有一项延期申请待审批，请等待督导员审批后再申请",
        "an extension request is already waiting for a decision",
    ),
    "extension.none_pending": ("没有待审批的延期申请", "no extension request is waiting"),
    "extension.deadline_passed": (
        "办结时限（{due}）已过，不能再申请延期",
        "the resolution deadline ({due}) has passed: too late to request an extension",
    ),
    "extension.not_later": (
        "{field}必须晚于当前办结时限（{due}）和当前时间",
        "{field} must be later than the current deadline ({due}) and now",
    ),
}

_RATING = {
    "rating.link.not_enterprise_demand": (
        "只有企业诉求可以发送评价链接",
        "only an enterprise demand gets a rating link",
    ),
    "rating.link.unknown": (
        "该评价链接无效或已被新的链接取代",
        "this rating link is unknown or was replaced by a newer one",
    ),
    "rating.link.used": ("该评价链接已使用过，不能重复评价", "this rating link was already used"),
    "rating.link.expired": (
        "该评价链接已过期，请联系服务专员",
        "this rating link has expired; ask your commissioner",
    ),
    "rating.link.bad": (
        "评价链接无效（签名不正确或已被修改）",
        "the rating link is invalid (bad or altered signature)",
    ),
    "rating.link.other_issue": (
        "该评价链接不属于此诉求",
        "this rating link belongs to another issue",
    ),
    "rating.page.title": ("诉求办理进度与评价", "Your demand: progress and rating"),
    "rating.page.progress": ("办理进度", "Progress"),
    "rating.page.status": ("当前状态", "Status"),
    "rating.page.resolution": ("办结情况", "Resolution"),
    "rating.page.rate": ("请对办理结果进行评价", "Please rate the result"),
    "rating.page.comment": ("评价意见（选填）", "Comment (optional)"),
    "rating.page.submit": ("提交评价", "Submit"),
    "rating.page.thanks": ("感谢您的评价！", "Thank you for your rating!"),
    "rating.page.rework": (
        "我们已收到您的意见，诉求已退回承办部门重新办理。",
        "We have your answer; the demand goes back to the department for rework.",
    ),
    "rating.page.error": ("无法打开评价页面", "The rating page cannot be opened"),
    "rating.page.expires": ("链接有效期至 {at}（北京时间）", "Link valid until {at} Beijing time"),
    "rating.page.no_steps": ("暂无办理记录", "No steps yet"),
    "lookup.title": ("直报问题办理进度查询", "Direct report: progress lookup"),
    "lookup.not_found": (
        "未找到该编号的直报问题，或手机号码与直报点登记的不一致",
        "no direct report with this tracking number and phone number",
    ),
    "lookup.rate_limited": (
        "查询过于频繁，请 {seconds} 秒后再试",
        "too many lookups; try again in {seconds} seconds",
    ),
    "lookup.tracking_number": ("查询编号", "Tracking number"),
    "lookup.phone": ("直报点联系电话", "Phone number"),
    "lookup.submit": ("查询", "Look up"),
}

_ACTIVITIES = {
    "event.Logged": ("登记宣传服务活动", "activity logged"),
    "event.Cancelled": ("撤销宣传服务活动", "activity cancelled"),
    "activity.SEMINAR": ("座谈会", "seminar"),
    "activity.JOB_FAIR": ("招聘会", "job fair"),
    "activity.VOLUNTEER_SERVICE": ("志愿服务", "volunteer service"),
    "activity.POLICY_BRIEFING": ("政策宣讲", "policy briefing"),
    "activity_state.LOGGED": ("已登记", "LOGGED"),
    "activity_state.CANCELLED": ("已撤销", "CANCELLED"),
    "stream.activity": ("宣传服务活动", "an activity that is {status}"),
    "action.activity.cancel": ("撤销", "cancel {it}"),
    "activity.in_future": (
        "{field}不能晚于今天（{today}）",
        "{field} must not be after today ({today})",
    ),
    "activity.unknown_enterprises": (
        "{field}中有未登记的企业：{values}",
        "{field}: unknown enterprises {values}",
    ),
    "activity.timeline": ("参加{kind}：{title}", "attended {kind}: {title}"),
    "what.activity": ("宣传服务活动", "activity"),
}

OUTREACH: dict[str, tuple[str, str]] = {**_EXTENSIONS, **_RATING, **_ACTIVITIES}

OUTREACH_FIELDS: dict[str, str] = {
    "requestedDueAt": "申请延期至",
    "newDueAt": "延期后的办结时限",
    "heldOn": "活动日期",
    "policyCodes": "宣传的政策",
    "enterpriseIds": "参加企业",
    "token": "评价链接",
    "trackingNumber": "查询编号",
    "phone": "联系电话",
}
