"""Enterprise lists (企业名单) as the bureau keeps them: find the header, validate, plan, apply.

The file readers are infra's (`infra/spreadsheets.py` turns .xlsx and .csv into `SheetRow`s of
cell texts); everything from there on is here and needs no database: `read_enterprise_list`
finds the header row and the columns, `plan_import` validates every row (credit code checksum,
district, contacts, commissioner, duplicates within the file and against the store through a
`Lookup`), and `apply_plan` registers what the plan says, through the application's commands.

Decisions:

- A file with any invalid row changes nothing unless the caller skips invalid rows.
- An enterprise already registered with the same data is UNCHANGED, not an error; so
  re-importing a file writes nothing. If its data differs (name, district, industry, contacts or
  commissioner) the row is INVALID and names the differences: an import opens relationships,
  it does not silently edit them (a handover needs a reason, contacts are personal data).
  An enterprise registered without a commissioner gets the file's commissioner (ASSIGN).
- 服务专员 names map to user ids through a mapping file (name → id) when one is given, and a
  name missing from it is an error; without one the id is derived from the name
  (`derived_commissioner_id`), stable across imports.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar
from uuid import UUID

from application.enterprises import EnterpriseCommands, RegisterEnterprise
from domain.districts import validate_district
from domain.enterprise import enterprise_id_for, validate_contacts
from domain.messages import render
from domain.shared import Actor, DomainError, InvalidInput, NotFound
from domain.uscc import normalise_uscc, validate_uscc

T = TypeVar("T")

HEADER_SEARCH_ROWS = 20  # title rows, notes and blank rows above the header
NAME_MAX_LENGTH = 200

# Column → the header texts bureaus use for it, compared after `header_key`.
COLUMNS: dict[str, tuple[str, ...]] = {
    "serial": ("序号", "编号"),
    "name": ("企业名称", "单位名称", "公司名称", "企业全称", "名称"),
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "统一信用代码"),
    "district": ("所属区县", "区县", "所在区县", "区县名称", "所属区域", "所在地区"),
    "industry": ("所属产业", "产业", "所属行业", "行业", "产业类别"),
    "contact": ("联系人", "联系人姓名", "企业联系人"),
    "phone": ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "联系人电话"),
    "commissioner": ("服务专员", "专员", "包企干部", "服务专员姓名"),
}
REQUIRED_COLUMNS = ("name", "uscc", "district")
# How a report names a column: the header the sample file uses.
LABELS = {key: names[0] for key, names in COLUMNS.items()}

COMMISSIONER_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("服务专员", "姓名", "专员姓名", "name", "commissionername"),
    "id": ("用户id", "用户账号", "账号", "工号", "id", "userid", "commissionerid"),
}

_CJK = "\u3400-\u9fff\uf900-\ufaff（）"
_SPACE_BESIDE_CJK = re.compile(rf"\s+(?=[{_CJK}])|(?<=[{_CJK}])\s+")
_PHONE_SEPARATORS = re.compile(r"[/、,;，；]+")


# Refusals whose message begins with the column's name already (统一社会信用代码应为 18 位…).
_SELF_NAMING = frozenset({"uscc.length", "uscc.characters", "uscc.check", "import.empty"})


class UnusableFile(InvalidInput):
    """The file as a whole cannot be read as an enterprise list (no header, missing columns)."""


# ---------------------------------------------------------------- cleaning


def clean_text(value: str | None) -> str:
    """Half-width letters and digits, single spaces and none beside Chinese characters.

    Parentheses become full-width, as registered Chinese enterprise names write them, so that
    “重庆(集团)” and “重庆（集团）” are the same name."""
    text = unicodedata.normalize("NFKC", value or "")
    text = " ".join(text.split()).replace("(", "（").replace(")", "）")
    return _SPACE_BESIDE_CJK.sub("", text)


def header_key(cell: str) -> str:
    """联系电话（手机）, ' 企业名称 ', *所属区县 → the bare header word, lower-case."""
    text = unicodedata.normalize("NFKC", cell or "")
    text = re.sub(r"\(.*?\)", "", text)
    return "".join(ch for ch in text if not ch.isspace() and ch not in "*※:_-").lower()


def district_of(raw: str) -> str:
    """The official district name; also accepts the name without 区/县 (渝中 → 渝中区)."""
    try:
        return validate_district(raw)
    except InvalidInput:
        for suffix in ("区", "县"):
            try:
                return validate_district(clean_text(raw) + suffix)
            except InvalidInput:
                continue
        raise


def contacts_of(name: str, phones: str) -> list[dict[str, Any]]:
    """One contact per phone in the cell ("138… / 023-6386…"); both blank means none."""
    contact = clean_text(name)
    numbers = [p for p in _PHONE_SEPARATORS.split(phones or "") if p.strip()]
    if not contact and not numbers:
        return []
    if not contact:
        raise InvalidInput("import.contact_missing")
    if not numbers:
        raise InvalidInput("import.phone_missing")
    return validate_contacts([{"name": contact, "phone": number} for number in numbers])


def derived_commissioner_id(name: str) -> str:
    """A stable user id for a commissioner known only by name: c- and 10 hex digits of the
    name's hash (never clashes with the c-001 style of hand-made ids)."""
    digest = hashlib.sha256(clean_text(name).encode("utf-8")).hexdigest()
    return "c-" + digest[:10]


# ---------------------------------------------------------------- reading rows


@dataclass(frozen=True)
class SheetRow:
    """One spreadsheet row: its number as the spreadsheet shows it, and its cells as text."""

    number: int
    cells: tuple[str, ...]

    def cell(self, column: int | None) -> str:
        if column is None or column >= len(self.cells):
            return ""
        return self.cells[column].strip()


@dataclass(frozen=True)
class ListedEnterprise:
    """One data row of the list, each cell trimmed but otherwise as typed."""

    row: int
    serial: str
    name: str
    uscc: str
    district: str
    industry: str
    contact: str
    phone: str
    commissioner: str


@dataclass(frozen=True)
class EnterpriseList:
    header_row: int
    columns: dict[str, int]
    entries: tuple[ListedEnterprise, ...]


def find_header(
    rows: Sequence[SheetRow], columns: Mapping[str, tuple[str, ...]], required: Sequence[str]
) -> tuple[int, dict[str, int]]:
    """The index (in `rows`) of the first row naming every required column, and where each
    known column is; the merged title row and notes above it are passed over."""
    wanted = {header_key(alias): key for key, aliases in columns.items() for alias in aliases}
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found: dict[str, int] = {}
        for position, cell in enumerate(row.cells):
            key = wanted.get(header_key(cell))
            if key is not None and key not in found:
                found[key] = position
        if all(key in found for key in required):
            return index, found
    names = "、".join(columns[key][0] for key in required)
    raise UnusableFile("import.no_header", field="file", names=names, rows=HEADER_SEARCH_ROWS)


def read_enterprise_list(rows: Sequence[SheetRow]) -> EnterpriseList:
    """The list's data rows; blank rows (and rows with only a serial number) are left out."""
    index, columns = find_header(rows, COLUMNS, REQUIRED_COLUMNS)
    entries = []
    for row in rows[index + 1 :]:
        values = {key: row.cell(columns.get(key)) for key in COLUMNS}
        if not any(value for key, value in values.items() if key != "serial"):
            continue
        entries.append(ListedEnterprise(row=row.number, **values))
    return EnterpriseList(rows[index].number, columns, tuple(entries))


def read_commissioner_map(rows: Sequence[SheetRow]) -> dict[str, str]:
    """服务专员 name → user id, from a two-column file; a name given two ids is an error."""
    index, columns = find_header(rows, COMMISSIONER_COLUMNS, ("name", "id"))
    mapping: dict[str, str] = {}
    for row in rows[index + 1 :]:
        name, user_id = clean_text(row.cell(columns["name"])), row.cell(columns["id"])
        if not name and not user_id:
            continue
        if not name or not user_id:
            raise UnusableFile("import.map_row_incomplete", row=row.number)
        if mapping.get(name, user_id) != user_id:
            raise UnusableFile(
                "import.map_two_ids", row=row.number, name=name, first=mapping[name], second=user_id
            )
        mapping[name] = user_id
    return mapping


# ---------------------------------------------------------------- commissioners


@dataclass(frozen=True)
class Commissioner:
    id: str
    name: str
    # Known only by name (no commissioners file): the id is derived, so the store's own
    # commissioner of that name, whatever their id, is the same person.
    derived: bool = False

    def is_registered_as(self, registered_id: str | None, registered_name: str | None) -> bool:
        if registered_id == self.id:
            return True
        return self.derived and clean_text(registered_name) == self.name


class CommissionerDirectory:
    """Who a 服务专员 name is: the mapping's user id, or one derived from the name."""

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self._mapping = {clean_text(name): user_id for name, user_id in (mapping or {}).items()}
        self._strict = mapping is not None

    def resolve(self, raw_name: str) -> Commissioner:
        name = clean_text(raw_name)
        if not self._strict:
            return Commissioner(derived_commissioner_id(name), name, derived=True)
        if name not in self._mapping:
            raise InvalidInput("import.not_in_map", name=name)
        return Commissioner(self._mapping[name], name)


# ---------------------------------------------------------------- validation and planning


@dataclass(frozen=True)
class Registered:
    """What the store holds for a credit code, as far as a list row can say."""

    enterprise_id: UUID
    name: str
    district: str
    industry: str | None
    contacts: frozenset[tuple[str, str]]  # (name, phone)
    commissioner_id: str | None
    commissioner_name: str | None
    status: str


# A credit code (normalised, valid) → the registered enterprise, or None.
Lookup = Callable[[str], Registered | None]


class RowStatus(StrEnum):
    NEW = "NEW"  # valid and not registered yet: to register
    ASSIGN = "ASSIGN"  # registered without a commissioner: to assign the file's
    UNCHANGED = "UNCHANGED"  # registered with the same data: nothing to do
    INVALID = "INVALID"


@dataclass(frozen=True)
class RowPlan:
    entry: ListedEnterprise
    status: RowStatus
    reasons: tuple[str, ...] = ()
    command: RegisterEnterprise | None = None
    enterprise_id: UUID | None = None
    commissioner: Commissioner | None = None


@dataclass(frozen=True)
class ImportPlan:
    rows: tuple[RowPlan, ...]

    @property
    def invalid(self) -> tuple[RowPlan, ...]:
        return tuple(row for row in self.rows if row.status is RowStatus.INVALID)

    @property
    def has_errors(self) -> bool:
        return bool(self.invalid)

    @property
    def changes(self) -> tuple[RowPlan, ...]:
        return tuple(r for r in self.rows if r.status in (RowStatus.NEW, RowStatus.ASSIGN))


def _reason(label: str, error: InvalidInput, raw: str = "", cleaned: str = "") -> str:
    """How a row's report names a problem: the column, what is wrong (in Chinese), and, when
    cleaning changed the cell, the value as typed next to the cleaned one."""
    names_field = "field" in error.text.params
    if names_field:  # the column's header for the field's name
        reason = render(error.key, **{**error.text.params, "field": label})
    else:
        reason = error.message
    if not (names_field or error.key in _SELF_NAMING):
        reason = render("import.reason", column=label, reason=reason)
    if raw.strip() and cleaned and raw != cleaned:
        reason += render("import.as_typed", raw=raw, cleaned=cleaned)
    return reason


def _checked(
    reasons: list[str], label: str, check: Callable[[], T], raw: str = "", cleaned: str = ""
) -> T | None:
    """Run one check; a refusal becomes a reason naming the column (and the value as typed
    beside the cleaned one), so every problem of a row is reported at once."""
    try:
        return check()
    except InvalidInput as error:
        reasons.append(_reason(label, error, raw, cleaned))
        return None


def _required(value: str, label: str) -> str:
    if not value.strip():
        raise InvalidInput("import.empty", column=label)
    return value


def validate_entry(
    entry: ListedEnterprise, commissioners: CommissionerDirectory
) -> tuple[RegisterEnterprise | None, Commissioner | None, list[str]]:
    """The registration command and commissioner for a row, or the reasons it has none."""
    reasons: list[str] = []
    name = _checked(reasons, LABELS["name"], lambda: _name(entry.name))
    uscc = _checked(
        reasons, LABELS["uscc"], lambda: validate_uscc(_required(entry.uscc, LABELS["uscc"])),
        entry.uscc, normalise_uscc(entry.uscc),
    )  # fmt: skip
    district = _checked(
        reasons, LABELS["district"],
        lambda: district_of(_required(entry.district, LABELS["district"])),
        entry.district, clean_text(entry.district),
    )  # fmt: skip
    contacts = _checked(reasons, "联系人/联系电话", lambda: contacts_of(entry.contact, entry.phone))
    commissioner = None
    if entry.commissioner:
        commissioner = _checked(
            reasons, LABELS["commissioner"], lambda: commissioners.resolve(entry.commissioner)
        )
    if reasons or name is None or uscc is None or district is None:
        return None, None, reasons
    command = RegisterEnterprise(
        uscc=uscc,
        name=name,
        district=district,
        industry=clean_text(entry.industry) or None,
        contacts=contacts or [],
    )
    return command, commissioner, reasons


def _name(raw: str) -> str:
    name = clean_text(_required(raw, LABELS["name"]))
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidInput("import.name_too_long", max_length=NAME_MAX_LENGTH)
    return name


def differences(
    command: RegisterEnterprise, commissioner: Commissioner | None, registered: Registered
) -> list[str]:
    """What the row says that the store does not; blank cells claim nothing."""
    found = []
    if clean_text(registered.name) != command.name:
        found.append(render("import.differs.name", value=registered.name))
    if registered.district != command.district:
        found.append(render("import.differs.district", value=registered.district))
    if command.industry and clean_text(registered.industry) != command.industry:
        industry = registered.industry or render("import.differs.none")
        found.append(render("import.differs.industry", value=industry))
    pairs = {(c["name"], c["phone"]) for c in command.contacts or []}
    # Contacts are personal information: the report says they differ, not what the store has.
    if pairs and pairs != registered.contacts:
        found.append(render("import.differs.contacts"))
    if (
        commissioner
        and registered.commissioner_id is not None
        and not commissioner.is_registered_as(
            registered.commissioner_id, registered.commissioner_name
        )
    ):
        found.append(render("import.differs.commissioner", value=registered.commissioner_name))
    return found


def _against_store(
    row: RowPlan, command: RegisterEnterprise, registered: Registered | None
) -> RowPlan:
    if registered is None:
        return row
    commissioner = row.commissioner
    found = differences(command, commissioner, registered)
    if found:
        reasons = (render("import.differs", found="；".join(found)),)
        return RowPlan(
            row.entry, RowStatus.INVALID, reasons, enterprise_id=registered.enterprise_id
        )
    if commissioner and registered.commissioner_id is None:
        if registered.status == "CLOSED":
            reason = render("import.closed")
            return RowPlan(row.entry, RowStatus.INVALID, (reason,))
        return RowPlan(
            row.entry, RowStatus.ASSIGN, (render("import.to_assign"),),
            enterprise_id=registered.enterprise_id, commissioner=commissioner,
        )  # fmt: skip
    return RowPlan(
        row.entry, RowStatus.UNCHANGED, (render("import.unchanged"),),
        enterprise_id=registered.enterprise_id,
    )  # fmt: skip


def plan_import(
    entries: Iterable[ListedEnterprise],
    lookup: Lookup,
    commissioners: CommissionerDirectory | None = None,
) -> ImportPlan:
    """Validate every row and decide what it needs; nothing is written here."""
    directory = commissioners or CommissionerDirectory()
    first_row: dict[str, int] = {}
    plans = []
    for entry in entries:
        command, commissioner, reasons = validate_entry(entry, directory)
        code = normalise_uscc(entry.uscc)
        if code and code in first_row:
            reasons.append(
                render("import.same_code_as_row", column=LABELS["uscc"], row=first_row[code])
            )
        elif code:
            first_row[code] = entry.row
        if reasons or command is None:
            plans.append(RowPlan(entry, RowStatus.INVALID, tuple(reasons)))
            continue
        row = RowPlan(
            entry, RowStatus.NEW, command=command,
            enterprise_id=enterprise_id_for(command.uscc), commissioner=commissioner,
        )  # fmt: skip
        plans.append(_against_store(row, command, lookup(command.uscc)))
    return ImportPlan(tuple(plans))


def store_lookup(app: EnterpriseCommands) -> Lookup:
    """The event store as a Lookup: the stream of the code's relationship, if it exists."""

    def lookup(uscc: str) -> Registered | None:
        try:
            enterprise = app.get_enterprise(enterprise_id_for(uscc))
        except NotFound:
            return None
        return Registered(
            enterprise_id=enterprise.id,
            name=enterprise.name,
            district=enterprise.district,
            industry=enterprise.industry,
            contacts=frozenset((c["name"], c["phone"]) for c in enterprise.contacts),
            commissioner_id=enterprise.commissioner_id,
            commissioner_name=enterprise.commissioner_name,
            status=enterprise.status,
        )

    return lookup


# ---------------------------------------------------------------- applying


class Outcome(StrEnum):
    IMPORTED = "IMPORTED"  # 已导入
    ASSIGNED = "ASSIGNED"  # 已分配服务专员
    UNCHANGED = "UNCHANGED"  # 已登记，未变更
    INVALID = "INVALID"  # 有误
    NOT_IMPORTED = "NOT_IMPORTED"  # 未导入: valid, but the file has errors (or a dry run)
    FAILED = "FAILED"  # 导入失败: refused when applied (e.g. registered meanwhile)


OUTCOME_LABELS = {outcome: render(f"import.outcome.{outcome.value}") for outcome in Outcome}


@dataclass(frozen=True)
class ReportLine:
    row: int
    serial: str
    name: str
    uscc: str
    outcome: Outcome
    detail: str


@dataclass(frozen=True)
class ImportResult:
    lines: tuple[ReportLine, ...]
    written: bool  # whether anything was applied (maybe nothing needed to be)
    last_position: int | None = None
    counts: Counter[str] = field(default_factory=Counter)


def _line(plan: RowPlan, outcome: Outcome, detail: str) -> ReportLine:
    entry = plan.entry
    return ReportLine(entry.row, entry.serial, entry.name, entry.uscc, outcome, detail)


def _apply_row(
    app: EnterpriseCommands, plan: RowPlan, actor: Actor, source: str
) -> tuple[ReportLine, int | None]:
    """Register and/or assign; a refusal is this row's FAILED line, the others go on."""
    position = None
    registered = False
    try:
        if plan.status is RowStatus.NEW:
            assert plan.command is not None
            enterprise_id, position = app.register_enterprise(plan.command, actor)
            registered = True
        else:
            assert plan.enterprise_id is not None
            enterprise_id = plan.enterprise_id
        if plan.commissioner is not None:
            position = app.assign_commissioner(
                enterprise_id, plan.commissioner.id, plan.commissioner.name, source, actor
            )
    except DomainError as error:
        detail = (
            render("import.registered_not_assigned", reason=error.text)
            if registered
            else error.message
        )
        return _line(plan, Outcome.FAILED, detail), position
    if plan.status is RowStatus.NEW:
        if plan.commissioner:
            detail = render("import.registered_assigned", commissioner=plan.commissioner.id)
        else:
            detail = render("import.registered")
        return _line(plan, Outcome.IMPORTED, detail), position
    assert plan.commissioner is not None
    detail = render("import.assigned", commissioner=plan.commissioner.id)
    return _line(plan, Outcome.ASSIGNED, detail), position


def _held_back(plan: RowPlan, dry_run: bool) -> ReportLine:
    if dry_run:
        detail = render(
            "import.dry_run.register" if plan.status is RowStatus.NEW else "import.dry_run.assign"
        )
    else:
        detail = render("import.held_back")
    return _line(plan, Outcome.NOT_IMPORTED, detail)


def apply_plan(
    app: EnterpriseCommands,
    plan: ImportPlan,
    actor: Actor,
    *,
    skip_invalid: bool = False,
    dry_run: bool = False,
    source: str = "企业名单导入",
) -> ImportResult:
    """Carry out the plan: all or nothing as to invalid rows (unless skipped); one line a row."""
    proceed = not dry_run and (skip_invalid or not plan.has_errors)
    lines: list[ReportLine] = []
    last: int | None = None
    for row in plan.rows:
        if row.status is RowStatus.INVALID:
            lines.append(_line(row, Outcome.INVALID, "；".join(row.reasons)))
        elif row.status is RowStatus.UNCHANGED:
            lines.append(_line(row, Outcome.UNCHANGED, "；".join(row.reasons)))
        elif not proceed:
            lines.append(_held_back(row, dry_run))
        else:
            line, position = _apply_row(app, row, actor, source)
            lines.append(line)
            last = position if position is not None else last
    counts = Counter(line.outcome.value for line in lines)
    return ImportResult(tuple(lines), proceed, last, counts)
