"""Errors a person reads: key → (中文, English). Say what was wrong and what to do, naming the
field ({field} renders as the field's Chinese name, domain/messages/labels.py FIELDS)."""

from __future__ import annotations

ERRORS: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- any input
    "input.required": ("{field}不能为空", "{field} is required"),
    "input.reason_required": ("{action}必须填写理由", "reason is required"),
    "input.nul": ("{field}不能包含空字符（NUL）", "{field} must not contain NUL characters"),
    "input.too_long": (
        "{field}不能超过{max_length}个字符",
        "{field} is longer than {max_length} characters",
    ),
    "input.aware_time": (
        "{field}必须带时区（如 +08:00）",
        "{field} must be a timezone-aware date-time",
    ),
    "input.texts": ("{field}必须是文本列表", "{field} must be a list of texts"),
    "input.too_many": ("{field}最多{limit}项", "{field}: at most {limit} items are allowed"),
    "input.at_least_one": ("{field}至少填写一项", "{field}: at least one is required"),
    "input.text": ("{field}必须是文本", "{field} must be text"),
    "input.date": ("{field}必须是日期", "{field} must be a date"),
    "input.unknown_value": (
        "{field}的取值“{value}”无效（可选：{allowed}）",
        "{field}: unknown value {value!r} (one of {allowed})",
    ),
    "input.whole_number": ("{field}必须是不小于 0 的整数", "{field} must be a whole number ≥ 0"),
    "input.not_an_id": (
        "{field}：“{value}”不是本系统签发的编号",
        "{field}: {value!r} is not an id this API issued",
    ),
    "input.bad_registry_id": (
        "{field}：“{value}”不是有效编号（2–63 位小写字母、数字或连字符，以字母或数字开头）",
        "{field}: {value!r} is not a valid id (2–63 lower-case letters, digits and hyphens, starting with a letter or digit)",
    ),
    "input.listed_twice": (
        "{field}中重复填写：{values}",
        "{field}: listed more than once: {values}",
    ),
    "input.department_ids": (
        "{field}必须是部门编号列表",
        "{field} must be a list of department ids",
    ),
    "input.unstorable": (
        "输入包含无法保存的字符（NUL）",
        "the input contains characters that cannot be stored (NUL)",
    ),
    "input.first": (
        "每页条数（first）须在 0 到 {max} 之间，实为 {value}",
        "first must be between 0 and {max}, got {value}",
    ),
    "input.after_position": ("after 必须是不小于 0 的位置", "after must be a position (0 or more)"),
    "input.cursor": ("after 不是本系统签发的游标", "after: not a cursor this API issued"),
    "input.period_order": (
        "结束日期 {to} 早于开始日期 {from_}",
        "to: {to} is before from ({from_})",
    ),
    "input.period_reversed": ("结束日期不能早于开始日期", "to must not be before from"),
    "input.period_too_long": ("统计期间最长 {days} 天", "a period is at most {days} days"),
    "input.graphql": ("请求无效：{detail}", "{detail}"),
    # ---------------------------------------------------------------- reference data
    "district.unknown": ("{field}：未知的区县“{value}”", "{field}: unknown district {value!r}"),
    "uscc.length": (
        "统一社会信用代码应为 18 位，实为 {length} 位",
        "{field}: a unified social credit code has 18 characters, got {length}",
    ),
    "uscc.characters": (
        "统一社会信用代码含有不允许的字符：{characters}",
        "{field}: characters not allowed in a unified social credit code: {characters}",
    ),
    "uscc.check": (
        "统一社会信用代码校验位错误：应为 {expected}，实为 {actual}",
        "{field}: {code} is not a valid unified social credit code (check character is {actual}, expected {expected})",
    ),
    "phone.invalid": (
        "{field}：“{value}”不是电话号码",
        "{field}.phone: {value!r} is not a phone number",
    ),
    "policy.code_format": (
        "政策编码“{code}”格式应如 POL-STABLE-JOB-REFUND",
        "policy code {code!r} must look like POL-STABLE-JOB-REFUND",
    ),
    "policy.listed_twice": ("政策编码 {code} 重复出现", "policy code {code} is listed twice"),
    "policy.unknown": ("未知的政策编码：{codes}", "unknown policy code(s): {codes}"),
    "policy.no_list": (
        "政策目录缺少 policies 列表",
        "the policy catalogue needs a 'policies' list",
    ),
    "policy.entry_not_object": (
        "政策目录第 {number} 项不是对象",
        "policy entry {number} is not an object",
    ),
    "policy.entry_not_text": (
        "政策目录第 {number} 项：{names}必须是文本",
        "policy entry {number}: {names} must be text",
    ),
    "policy.entry": ("政策目录第 {number} 项：{reason}", "policy entry {number}: {reason}"),
    "policy.already_added": (
        "政策 {code} 已在政策目录中",
        "code: policy {code} is already in the catalogue",
    ),
    "period.invalid": (
        "{field}：“{value}”不是统计期间；请写月份（2025-03）、季度（2025-Q3）或年份（2025）",
        "{field}: {value!r} is not a period; use a month (2025-03), a quarter (2025-Q3) or a year (2025)",
    ),
    "department.already_registered": (
        "部门 {id} 已登记",
        "id: department {id} is already registered",
    ),
    "point.already_registered": (
        "直报点 {id} 已登记",
        "id: direct-report point {id} is already registered",
    ),
    "enterprise.already_registered": (
        "统一社会信用代码为 {uscc} 的企业已登记",
        "uscc: an enterprise with credit code {uscc} is already registered",
    ),
    "department.already_named": (
        "该部门已叫“{name}”",
        "name: the department is already called {name}",
    ),
    "department.not_registered": (
        "{field}：部门“{value}”未登记",
        "{field}: no department {value!r} is registered",
    ),
    # ---------------------------------------------------------------- transitions
    "transition.refused": ("不能对处于“{state}”状态的{stream}执行{action}", "cannot {action}"),
    "policy.never_notified": (
        "不能确认从未告知的政策 {code}",
        "cannot confirm policy {code} that was never notified",
    ),
    "policy.already_confirmed": (
        "政策 {code} 已确认，不能重复确认",
        "cannot confirm policy {code}: it is already confirmed",
    ),
    "issue.unrated_too_early": (
        "审核通过满 7 天后才能按超期未评价关闭（最早 {possible_from}）",
        "cannot close an issue as UNRATED before 7 days have passed since its closure was approved (possible from {possible_from})",
    ),
    # ---------------------------------------------------------------- enterprise relationship
    "enterprise.not_yours": (
        "该企业不在您的服务范围内：只有{who}可以{action}",
        "{name} is not your enterprise: only {who} can {action}",
    ),
    "enterprise.already_assigned": (
        "服务专员 {commissioner} 已是该企业的服务专员",
        "commissionerId: {commissioner} is already assigned to this enterprise",
    ),
    "visit.already_logged": ("走访 {visit} 已登记", "visitId: visit {visit} is already logged"),
    "visit.in_future": ("走访时间 {at} 晚于当前时间", "visitedAt: {at} is in the future"),
    "visit.before_opened": (
        "走访时间 {at} 早于服务关系建立时间（{opened}）",
        "visitedAt: {at} is before the relationship was opened ({opened})",
    ),
    "visit.next_before_visit": (
        "下次走访日期 {next} 早于本次走访（{visited}）",
        "nextVisitOn: {next} is before the visit ({visited})",
    ),
    "visit.unknown": ("该企业没有走访 {visit}", "visitId: no visit {visit} on this enterprise"),
    "visit.too_old_to_correct": (
        "走访 {visit} 早于该企业最近 {window} 次走访，不能再更正",
        "visitId: visit {visit} is older than the enterprise's latest {window} visits and can no"
        " longer be corrected",
    ),
    "visit.not_this_enterprise": (
        "走访 {visit} 不属于该企业",
        "visitId: visit {visit} is not this enterprise's",
    ),
    "correction.none": (
        "更正：请至少填写一项要更正的内容",
        "corrections: name at least one field to correct",
    ),
    "correction.not_correctable": (
        "更正：不能更正 {fields}（可更正：{correctable}）",
        "corrections: cannot correct {fields} (correctable: {correctable})",
    ),
    "nothing_changes": ("{field}：没有任何变化", "{field}: nothing would change"),
    # ---------------------------------------------------------------- issues
    "issue.enterprise_required": ("企业诉求必须填写企业", "enterpriseId is required for a demand"),
    "issue.demand_not_from_point": (
        "企业诉求由服务专员提出，不能由直报点提出",
        "reportingPointId: a demand is raised by a commissioner, not a direct-report point",
    ),
    "issue.point_required": (
        "直报问题必须填写直报点",
        "reportingPointId is required for a direct report",
    ),
    "issue.visit_only_for_demand": (
        "只有走访中提出的企业诉求才能关联走访",
        "visitId: only a demand raised during a visit can point at the visit",
    ),
    "issue.resolver_cannot": (
        "办结该诉求的人员不能对其{action}",
        "the person who resolved an issue cannot {action} it",
    ),
    "issue.lead_already": (
        "{lead} 已是主办部门，不能同时为协办部门",
        "assistingDepartmentIds: {lead} is already the lead department",
    ),
    "issue.lead_only": (
        "只有主办部门可以对该诉求{action}",
        "only the lead department can {action} this issue",
    ),
    "issue.resume_before_suspend": (
        "恢复时间不能早于暂停时间",
        "timestamp: an issue cannot be resumed before it was suspended",
    ),
    "issue.unrated_not_evaluation": (
        "“未评价”不是评价结果：审核通过 7 天后由督导员按超期未评价关闭",
        "satisfaction: UNRATED is not an evaluation; a supervisor closes an unrated issue 7 days after approval",
    ),
    "issue.not_commissioners": (
        "只有该企业的服务专员可以提出其诉求",
        "only the enterprise's assigned commissioner raises its demands",
    ),
    "issue.not_departments": (
        "该诉求不由您的部门承办",
        "this issue is not your department's to handle",
    ),
    "issue.audit_queue": ("待审核队列仅供督导员使用", "the audit queue is for supervisors"),
    "token.no_department": (
        "您的令牌未指定所属部门（department_id）",
        "your token names no department_id",
    ),
    "token.no_point": (
        "您的令牌未指定所属直报点（reporting_point_id）",
        "your token names no reporting_point_id",
    ),
    # ---------------------------------------------------------------- application and access
    "not_found": ("{what} {id} 不存在", "{what} {id} not found"),
    "not_found.row": ("{what}不存在", "{what} not found"),
    "conflict.kept_changing": (
        "{what} {id} 在保存时被他人修改，请重试",
        "{what} {id} kept changing while this was saved; try again",
    ),
    "access.no_browsing": (
        "承办部门和直报点不能浏览企业名录",
        "departments and direct-report points do not browse enterprises",
    ),
    "access.role": (
        "此操作需要角色：{allowed}；您的角色是{role}",
        "this needs the role {allowed}; you are {role}",
    ),
    "history.nested_as_of": (
        "按时点查询只回答企业本身的字段；其走访、诉求等列表是当前数据，请用 issue(id, asOf) 按时点查看诉求",
        "a read as of a moment answers the enterprise's own fields; its lists are today's: read"
        " an issue as of the moment with issue(id, asOf)",
    ),
    "report.city_wide_only": (
        "晾晒通报文件列出全市各区县的超期事项，仅限全市范围的督导和管理员下载",
        "the airing report lists every district's late items: only city-wide supervisors and"
        " admins download it",
    ),
    "report.unavailable": (
        "本服务未配置报表生成，请联系管理员",
        "report files are not configured on this server; ask the administrator",
    ),
    "access.districts": ("您的令牌仅覆盖：{districts}", "your token covers only {districts}"),
    "auth.sign_in": (
        "请登录：发送 Authorization: Bearer <令牌>",
        "sign in: send Authorization: Bearer <token>",
    ),
    "auth.scheme": (
        "Authorization 的格式应为：Bearer <令牌>",
        "Authorization must be: Bearer <token>",
    ),
    "auth.expired": ("令牌已过期", "the token has expired"),
    "auth.invalid": ("令牌无效：{reason}", "the token is not valid: {reason}"),
    "auth.unknown_kid": ("JWKS 中没有密钥 {kid}", "no key {kid!r} in the configured JWKS"),
    "auth.algorithm": ("不接受令牌算法 {alg}", "token algorithm {alg!r} is not accepted"),
    "auth.unknown_role": (
        "令牌中的角色 {role} 不是有效角色",
        "the token's role {role!r} is not a role",
    ),
    "auth.system_role": ("令牌中的角色不是用户角色", "the token's role is not a user role"),
    "service.database": (
        "数据库暂不可用，请稍后重试",
        "the database is unavailable; try again shortly",
    ),
    "service.position": (
        "读模型尚未到达位置 {position}，请重试",
        "the read models have not reached position {position} yet; retry",
    ),
    # Hardening (issue 12): tokens, bounds, cost, transport
    "feed.narrowed_token": (
        "事件流包含所有区县的数据，限定区县的令牌无权读取",
        "the event feed carries every district; a token narrowed to districts may not read it",
    ),
    "auth.claim_not_text": (
        "令牌声明 {claim} 必须是文本",
        "the token's claim {claim} must be text",
    ),
    "auth.claim_not_an_id": (
        "令牌声明 {claim} 不是有效标识（字母、数字和 ._@:+-，首尾无空格）",
        "the token's claim {claim} is not a valid id (letters, digits and ._@:+-, no spaces)",
    ),
    "auth.claim_not_a_list": (
        "令牌声明 {claim} 必须是文本列表",
        "the token's claim {claim} must be a list of text",
    ),
    "auth.department_missing": (
        "承办部门令牌缺少 department_id",
        "a DEPARTMENT token must name its department_id",
    ),
    "auth.point_missing": (
        "直报点令牌缺少 reporting_point_id",
        "a REPORTER token must name its reporting_point_id",
    ),
    "input.unstorable_characters": (
        "输入包含无法保存的字符（如孤立代理项）",
        "the input contains characters that cannot be stored (a lone surrogate)",
    ),
    "input.body_too_slow": (
        "请求体未在 {seconds:g} 秒内传完",
        "the request body did not arrive within {seconds:g} s",
    ),
    "input.not_utf8": ("请求体不是 UTF-8 编码", "the request body is not UTF-8"),
    "input.body_too_large": (
        "请求体超过 {limit} 字节的上限",
        "the request body is over {limit} bytes",
    ),
    "input.content_length": (
        "Content-Length 不是字节数",
        "Content-Length is not a number of bytes",
    ),
    # HTTP answers outside GraphQL (a wrong path or method, the development login's form)
    "http.404": ("未找到该地址", "not found"),
    "http.405": ("该地址不支持此请求方法", "method not allowed"),
    "http.error": (
        "请求未能处理（HTTP {status}）",
        "the request could not be handled (HTTP {status})",
    ),
    "http.invalid_body": (
        "请求内容无效：{fields}",
        "the request is not valid: {fields}",
    ),
    "console.not_built": (
        '控制台尚未构建：安装 Node.js 后运行 <code>make install</code>。GraphQL 接口在 <a href="/graphql">/graphql</a>。',
        'The console is not built: install Node.js and run <code>make install</code>. GraphQL is at <a href="/graphql">/graphql</a>.',
    ),
    "dev_login.unknown_role": ("未知角色：{role}", "unknown role: {role}"),
    "dev_login.department_needed": (
        "承办部门账号须选择所属部门",
        "a department account must name its department",
    ),
    "dev_login.point_needed": (
        "直报点账号须选择所属直报点",
        "a direct-report account must name its reporting point",
    ),
    "input.list_too_long": ("{field} 最多 {limit} 项", "{field}: at most {limit} items"),
    "input.string_too_long": ("{field} 最多 {limit} 个字符", "{field}: at most {limit} characters"),
    "input.query_too_costly": (
        "查询预计返回 {cost} 行，超出上限 {budget}；请减少 first 或嵌套",
        "the query may return {cost} rows, over the budget of {budget}: ask for fewer (first)"
        " or nest less",
    ),
    "service.position_beyond_head": (
        "X-Min-Position {position} 超出事件日志的最新位置 {head}",
        "X-Min-Position {position} is beyond the log's head ({head})",
    ),
    "idempotency.key_reused": (
        "幂等键已用于另一个不同的请求，请换一个新的键",
        "this idempotency key was already used for a different request; send a new key",
    ),
    # Deadline alerts (预警 · 催办 · 督办 · 通报), raised by the deadline watcher
    "alert.no_deadline": (
        "无法{level}：当前没有进行中的{deadline}时限",
        "cannot raise {level}: no {deadline} deadline runs",
    ),
    "alert.already_raised": (
        "{deadline}时限的{level}已发出",
        "{level} of the {deadline} deadline has already been raised",
    ),
    "alert.not_yet": (
        "{at} 之前不能{level}：时间未到",
        "cannot raise {level} before {at}: not reached yet",
    ),
    "alert.fraction": (
        "预警比例须不小于 0 且小于 1",
        "warn_fraction_left must be at least 0 and below 1",
    ),
    "alert.late_after": ("补发判定时长不能为负", "late_after must not be negative"),
    "input.client_app": (
        "X-Client-App 须为 1 至 64 个字母、数字或 ._/- 字符，且以字母或数字开头",
        "X-Client-App must be 1 to 64 letters, digits or ._/- characters, beginning with a"
        " letter or digit",
    ),
    "league.already_published": (
        "{period} 的区县晾晒结果已于 {at} 发布，发布后不再更改",
        "the league table of {period} was published at {at} and never changes afterwards",
    ),
    "league.not_published": (
        "{period} 的区县晾晒结果尚未发布",
        "the league table of {period} has not been published",
    ),
    "input.as_of_future": ("查询时刻 {at} 晚于当前时间", "asOf {at} is later than now"),
    "audit.stream": (
        "{id} 不是企业服务关系或诉求的编号",
        "{id} is not the id of an enterprise relationship or an issue",
    ),
    "internal": (
        "发生意外错误，已记录（请求编号 {request_id}）",
        "an unexpected error occurred; it has been logged (request id {request_id})",
    ),
}
