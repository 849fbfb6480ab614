"""The labour-data messages and labels (用工需求, 缺工, 岗位空缺, 招聘渠道): key → (中文, English)."""

from __future__ import annotations

LABOUR: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- refusals
    "labour.negative": (
        "{field}不能为负数（实为 {value}）",
        "{field} must not be negative ({value})",
    ),
    "labour.not_a_count": ("{field}必须是整数", "{field} must be a whole number"),
    "labour.count_at_least_one": (
        "{field}至少为 1（实为 {value}）",
        "{field} must be at least 1 ({value})",
    ),
    "labour.wage_range": (
        "{field}：最低工资 {low} 高于最高工资 {high}",
        "{field}: the lowest wage {low} is above the highest {high}",
    ),
    "labour.shortfall_unexplained": (
        "缺工人数 {shortfall} 与空缺岗位合计 {vacancies} 不一致，请填写缺工说明",
        "shortfall {shortfall} differs from the vacancies' total {vacancies}: explain it in"
        " shortfallNote",
    ),
    "labour.needed_by_before_observed": (
        "{field}：到岗期限 {needed_by} 早于登记日期 {observed}",
        "{field}: needed by {needed_by} is before the date recorded ({observed})",
    ),
    "labour.observed_in_future": (
        "登记时间 {at} 晚于当前时间",
        "observedAt: {at} is in the future",
    ),
    "labour.observed_before_opened": (
        "登记时间 {at} 早于服务关系建立时间（{opened}）",
        "observedAt: {at} is before the relationship was opened ({opened})",
    ),
    "labour.observed_before_current": (
        "登记时间 {at} 早于当前用工情况的登记时间（{current}）：请更正那一次登记",
        "observedAt: {at} is before the current labour record ({current}): correct that one",
    ),
    "labour.line_repeated": (
        "岗位编号 {line} 重复出现",
        "lines: line {line} appears twice",
    ),
    "labour.line_already_filled": (
        "岗位 {line} 已填补，不能再次登记或填补",
        "line {line} is already filled: it cannot be recorded or filled again",
    ),
    "labour.line_unknown": (
        "该企业没有在招岗位 {line}",
        "lineId: no open vacancy line {line} on this enterprise",
    ),
    "labour.placed_above_count": (
        "安置人数 {placed} 超过岗位需求人数 {count}",
        "placed {placed} is more than the line's {count}",
    ),
    "labour.no_record": (
        "该企业还没有登记用工情况，无法更正",
        "this enterprise has no labour record to correct",
    ),
    "labour.not_latest": (
        "只能更正当前的用工登记 {current}，不能更正 {record}",
        "recordId: only the current labour record {current} can be corrected, not {record}",
    ),
    "labour.already_has_demand": (
        "岗位 {line} 已提出诉求 {issue}",
        "lineId: line {line} already has the demand {issue}",
    ),
    "labour.demand_category": (
        "由岗位空缺提出的诉求只能是紧急用工或招工用工，不能是 {value}",
        "category: a demand from a vacancy is URGENT_HIRING or RECRUITMENT, not {value}",
    ),
    "labour.issue_without_vacancy": (
        "诉求 {issue} 不是由岗位空缺提出的，不能登记安置",
        "issueId: the demand {issue} was not raised from a vacancy line",
    ),
    "labour.too_large": ("{field}不能超过 {limit}", "{field} must be at most {limit}"),
    "labour.too_many_lines": ("岗位空缺最多 {limit} 条", "lines: at most {limit} lines"),
    "occupation.unknown": (
        "未知的职业（工种）编码：{codes}",
        "unknown occupation code(s): {codes}",
    ),
    "occupation.listed_twice": (
        "职业编码 {code} 重复出现",
        "occupation code {code} is listed twice",
    ),
    "occupation.no_list": (
        "职业目录文件缺少 occupations 列表",
        "the occupation catalogue has no occupations list",
    ),
    "occupation.entry": ("职业目录第 {number} 项：{reason}", "occupation entry {number}: {reason}"),
    "occupation.code_format": (
        "职业编码 {code} 格式不对：应为 OCC- 加大写字母、数字或连字符",
        "occupation code {code} must be OCC- then capitals, digits or hyphens",
    ),
    # ---------------------------------------------------------------- labels
    "action.relationship.record_labour": ("登记用工情况", "record the labour situation of {it}"),
    "action.relationship.fill_vacancy": ("登记岗位安置", "record placements for {it}"),
    "action.relationship.raise_vacancy_demand": (
        "由岗位空缺提出诉求",
        "raise a demand from a vacancy of {it}",
    ),
    "do.record_labour": ("登记用工情况", "record labour situations"),
    "do.fill_vacancies": ("登记岗位安置", "record placements"),
    "what.vacancy": ("岗位空缺", "vacancy line"),
    "placement_channel.JOB_FAIR": ("招聘会", "job fair"),
    "placement_channel.JOB_PLATFORM": ("网络招聘平台（渝职聘）", "job platform"),
    "placement_channel.LABOUR_COOPERATION": ("劳务协作", "labour cooperation"),
    "placement_channel.TRAINING": ("培训后上岗", "placed after training"),
    "skill_level.ANY": ("不限", "any"),
    "skill_level.LEVEL_5": ("初级工（五级）", "junior (level 5)"),
    "skill_level.LEVEL_4": ("中级工（四级）", "intermediate (level 4)"),
    "skill_level.LEVEL_3": ("高级工（三级）", "senior (level 3)"),
    "skill_level.LEVEL_2": ("技师（二级）", "technician (level 2)"),
    "skill_level.LEVEL_1": ("高级技师（一级）", "senior technician (level 1)"),
    "labour.demand_title": (
        "{occupation}用工需求 {count} 人",
        "{occupation}: {count} to hire",
    ),
    "labour.demand_description": (
        "岗位：{occupation}，{count} 人，月薪 {low}–{high} 元，技能要求：{skill}，到岗期限：{needed_by}。",
        "{occupation}: {count} people, monthly wage {low}-{high} yuan, skills {skill},"
        " needed by {needed_by}.",
    ),
    "labour_map.dimension.DISTRICT": ("区县", "district"),
    "labour_map.dimension.INDUSTRY": ("产业集群", "industry cluster"),
    "labour_map.dimension.OCCUPATION": ("职业（工种）", "occupation"),
    "labour_map.unknown_industry": ("未填产业", "industry not given"),
    "labour_map.title": (
        "{period}企业用工需求地图：按{dimension}",
        "Labour demand map {period}: by {dimension}",
    ),
    "labour_map.shortfall": ("缺工人数", "shortfall"),
    "labour_map.open_vacancies": ("在招岗位人数", "open vacancies"),
    "labour_map.previous": ("上期", "previous period"),
    "labour_map.change": ("较上期变化", "change"),
    "labour_map.enterprises": ("缺工企业数", "enterprises short of staff"),
    "labour_map.placed": ("本期安置人数", "placed in the period"),
    "labour_map.top_occupations": (
        "全市紧缺职业（工种）排行",
        "Top shortage occupations city-wide",
    ),
    "labour_map.rank": ("排名", "rank"),
}

LABOUR_FIELDS: dict[str, str] = {
    "employees": "在岗职工人数",
    "shortfall": "缺工人数",
    "shortfallNote": "缺工说明",
    "lines": "岗位空缺",
    "lineId": "岗位编号",
    "occupationCode": "职业（工种）",
    "occupations": "职业目录",
    "count": "需求人数",
    "wageMin": "最低月薪",
    "wageMax": "最高月薪",
    "skillLevel": "技能等级",
    "neededBy": "到岗期限",
    "observedAt": "登记时间",
    "recordId": "用工登记编号",
    "placed": "安置人数",
    "placementChannel": "招聘渠道",
    "issueId": "诉求",
    "dimension": "统计维度",
    "period": "统计期",
}
