// 审计轨迹: one event's changes as a person reads them. The API gives before/after as JSON text
// (masked already where the reader may not see personal data).

export interface AuditChangeLike {
  fieldLabel: string;
  before?: string | null;
  after?: string | null;
}

const EMPTY = "（空）";

/** A JSON text as words: a string without its quotes, lists joined, objects as compact JSON. */
export function jsonText(value: string | null | undefined): string {
  if (value === null || value === undefined || value === "") return EMPTY;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return value; // not JSON after all: show it as it came
  }
  if (parsed === null || parsed === "") return EMPTY;
  if (typeof parsed === "string") return parsed;
  if (Array.isArray(parsed)) return parsed.length ? parsed.map((v) => jsonText(JSON.stringify(v))).join("、") : EMPTY;
  if (typeof parsed === "boolean") return parsed ? "是" : "否";
  return typeof parsed === "object" ? JSON.stringify(parsed) : String(parsed);
}

/** "字段：前 → 后", or "字段：后" when the stream had no value before. */
export function changeText(change: AuditChangeLike): string {
  if (change.before === null || change.before === undefined) return `${change.fieldLabel}：${jsonText(change.after)}`;
  return `${change.fieldLabel}：${jsonText(change.before)} → ${jsonText(change.after)}`;
}
