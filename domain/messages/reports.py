"""What the airing report's summary (reports/markdown.py) says: key → (中文, English)."""

from __future__ import annotations

REPORTS: dict[str, tuple[str, str]] = {
    "report.title": ("区县晾晒通报 — {period}", "District league report — {period}"),
    "report.period": (
        "统计期 {first} 至 {last} · 生成于 {generated}（北京时间）",
        "Period {first} – {last} · generated {generated} (Beijing time)",
    ),
    "report.section.kpis": ("主要指标", "Key figures"),
    "report.section.league": ("区县晾晒", "League table"),
    "report.section.departments": ("部门（牵头）", "Departments (lead)"),
    "report.section.overdue": ("超期诉求", "Overdue issues"),
    "report.chart": ("区县晾晒 {period}", "League table {period}"),
    "report.league_note": (
        "得分为 0–100，是各区县各项比率的加权平均（权重：{weights}）。没有可计算数据的比率不计入，"
        "其余权重按比例重算；样本不足的比率同样不计入。已计入的权重不足总权重一半的区县列在表末，"
        "不参与排名。",
        "Score 0–100: the weighted mean of each district's rates (weights: {weights}). Rates with "
        "nothing to measure are left out and the other weights re-normalised; so are rates on an "
        "insufficient sample. A district whose score rests on less than half of the weights is "
        "listed last, unranked.",
    ),
    # League weights (ESPCRM_LEAGUE_WEIGHTS, --weights) and the minimum sample
    "weights.unknown_kpi": (
        "{source}：未知的指标 {kpis}（可用：{known}）",
        "{source}: unknown KPI {kpis} (known: {known})",
    ),
    "weights.not_a_weight": (
        "{source}：{kpi} 的权重须为不小于 0 的数，而不是 {value}",
        "{source}: the weight of {kpi} must be a number ≥ 0, not {value}",
    ),
    "weights.all_zero": (
        "{source}：至少一个权重须大于 0",
        "{source}: at least one weight must be above 0",
    ),
    "weights.unreadable": ("无法读取权重文件 {path}：{reason}", "weights file {path}: {reason}"),
    "weights.min_sample": (
        "{name} 须为不小于 1 的整数，而不是 {value}",
        "{name}: a whole number ≥ 1, not {value}",
    ),
    "weights.not_parsed": (
        "{source}：不是有效的 {kind}：{error}",
        "{source}: not valid {kind}: {error}",
    ),
    "weights.not_a_mapping": (
        "{source}：应为“指标名 → 权重”的映射",
        "{source}: expected a mapping of KPI name to weight",
    ),
    "report.overdue.none": ("无超期诉求。", "No overdue issues."),
    "report.overdue.count": (
        "报告生成时共有 {count} 件超期诉求，按超期时间由长到短排列。",
        "{count} overdue at the time of the report, longest overdue first.",
    ),
    "report.overdue.first": (
        "此处仅列前 {shown} 件（全部见工作簿）：",
        "The first {shown} (all are in the workbook):",
    ),
}
