"""What an enterprise-list import (企业名单导入) reports, row by row: key → (中文, English)."""

from __future__ import annotations

IMPORTS: dict[str, tuple[str, str]] = {
    "import.upload_unavailable": (
        "本服务未配置名单上传，请在服务器上用 espcrm import enterprises 导入",
        "uploads are not configured on this server: import with espcrm import enterprises",
    ),
    "import.not_base64": ("上传的文件内容不是有效的 base64 编码", "the file is not valid base64"),
    "import.source": ("名单导入：{name}", "list import: {name}"),
    "import.no_header": (
        "前 {rows} 行中没有包含 {names} 的表头行",
        "no header row naming {names} in the first {rows} rows",
    ),
    "import.map_row_incomplete": (
        "服务专员对照表第 {row} 行：需要姓名和用户ID",
        "commissioners file, row {row}: needs a name and an id",
    ),
    "import.map_two_ids": (
        "服务专员对照表第 {row} 行：{name} 有两个用户ID（{first} 和 {second}）",
        "commissioners file, row {row}: {name} has two ids ({first} and {second})",
    ),
    "import.report_unwritable": (
        "无法写入导入报告 {path}（{reason}）：请用 --report 指定路径",
        "cannot write the report to {path} ({reason}): give --report PATH",
    ),
    "import.file_type": ("{name}：应为以下格式之一：{types}", "{name}: expected one of {types}"),
    "import.xls": (
        "{name}：无法读取旧版 .xls 工作簿，请另存为 .xlsx",
        "{name}: old .xls workbooks cannot be read; save it as .xlsx",
    ),
    "import.unreadable_xlsx": (
        "{name}：不是可读取的 .xlsx 工作簿（{reason}）",
        "{name}: not a readable .xlsx workbook ({reason})",
    ),
    "import.encoding": (
        "{name}：既不是 UTF-8 也不是 GB18030 文本",
        "{name}: neither UTF-8 nor GB18030 text",
    ),
    "import.contact_missing": (
        "填写了联系电话，但联系人为空",
        "联系人 is empty but 联系电话 is given",
    ),
    "import.phone_missing": (
        "填写了联系人，但联系电话为空",
        "联系电话 is empty but 联系人 is given",
    ),
    "import.not_in_map": ("{name} 不在服务专员对照表中", "{name} is not in the commissioners file"),
    "import.empty": ("{column}为空", "{column} is empty"),
    "import.name_too_long": ("超过 {max_length} 个字符", "longer than {max_length} characters"),
    "import.reason": ("{column}：{reason}", "{column}: {reason}"),
    "import.as_typed": (
        "（原值“{raw}”，清理后为“{cleaned}”）",
        " (as typed “{raw}”, cleaned “{cleaned}”)",
    ),
    "import.same_code_as_row": (
        "{column}：与第 {row} 行的信用代码相同",
        "{column}: same credit code as row {row}",
    ),
    "import.differs.name": ("库中企业名称为 {value}", "企业名称 is {value} in the store"),
    "import.differs.district": ("库中所属区县为 {value}", "所属区县 is {value} in the store"),
    "import.differs.industry": ("库中所属产业为 {value}", "所属产业 is {value} in the store"),
    "import.differs.none": ("（空）", "(none)"),
    "import.differs.contacts": (
        "联系人/联系电话与库中不同",
        "联系人/联系电话 differ from the store's",
    ),
    "import.differs.commissioner": (
        "库中服务专员为 {value}（交接需要理由：请在系统中办理）",
        "服务专员 is {value} in the store (a handover needs a reason: make it in the application)",
    ),
    "import.differs": (
        "已登记，但数据不同：{found}",
        "already registered with different data: {found}",
    ),
    "import.closed": (
        "已登记，且服务关系已终止：不能指派服务专员",
        "already registered, and its relationship is CLOSED: cannot assign 服务专员",
    ),
    "import.to_assign": ("已登记；待指派服务专员", "already registered; 服务专员 to assign"),
    "import.unchanged": ("已登记，未变更", "already registered, unchanged"),
    "import.registered_not_assigned": (
        "已登记，但未能指派服务专员：{reason}",
        "registered, but 服务专员 not assigned: {reason}",
    ),
    "import.registered": ("已登记", "registered"),
    "import.registered_assigned": (
        "已登记，服务专员 {commissioner}",
        "registered, 服务专员 {commissioner}",
    ),
    "import.assigned": ("已指派服务专员 {commissioner}", "服务专员 {commissioner} assigned"),
    "import.dry_run.register": ("试运行：将登记", "dry run: would be registered"),
    "import.dry_run.assign": ("试运行：将指派服务专员", "dry run: would be assigned"),
    "import.held_back": (
        "未导入：文件中有错误行（请改正，或跳过错误行）",
        "not imported: the file has invalid rows (fix them, or skip them)",
    ),
    "import.outcome.IMPORTED": ("已导入", "imported"),
    "import.outcome.ASSIGNED": ("已分配服务专员", "commissioner assigned"),
    "import.outcome.UNCHANGED": ("已登记，未变更", "unchanged"),
    "import.outcome.INVALID": ("有误", "invalid"),
    "import.outcome.NOT_IMPORTED": ("未导入", "not imported"),
    "import.outcome.FAILED": ("导入失败", "failed"),
}
