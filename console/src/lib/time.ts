// Beijing time (UTC+08:00, no daylight saving) whatever the browser's own time zone is:
// every time a person reads is shown as GLOSSARY.md says, `2025-03-03 09:30`.

const BEIJING_OFFSET_MS = 8 * 3600 * 1000;
const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const pad = (n: number) => String(n).padStart(2, "0");

/** The wall-clock fields in Beijing of an instant. */
export function beijingParts(instant: Date | number | string) {
  const ms = typeof instant === "number" ? instant : new Date(instant).getTime();
  const shifted = new Date(ms + BEIJING_OFFSET_MS);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
  };
}

/** `2025-03-03 09:30` in Beijing time; `—` for nothing. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return "—";
  const p = beijingParts(t);
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
}

/** A calendar date (`2025-03-03`) as given, or the Beijing date of an instant. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return "—";
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const t = new Date(value);
  if (Number.isNaN(t.getTime())) return "—";
  const p = beijingParts(t);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** Today's date in Beijing, `2025-03-03`. */
export function beijingToday(now: number = Date.now()): string {
  const p = beijingParts(now);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** The instant of a Beijing wall-clock time, as ISO 8601 with +08:00 (what the API takes). */
export function beijingIso(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
): string {
  return `${year}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:00+08:00`;
}

/** Whole days from Beijing's today to a date (negative: past). */
export function daysFromToday(date: string, now: number = Date.now()): number {
  const [y, m, d] = date.split("-").map(Number);
  const today = beijingToday(now).split("-").map(Number);
  return Math.round((Date.UTC(y, m - 1, d) - Date.UTC(today[0], today[1] - 1, today[2])) / DAY);
}

export type Urgency = "ok" | "soon" | "overdue";

export interface Countdown {
  /** What a person reads: `剩余 3小时20分`, `已超时 1天2小时`. */
  text: string;
  overdue: boolean;
  /** soon: less than `soonMs` left (4 hours by default). */
  urgency: Urgency;
  remainingMs: number;
}

function span(ms: number): string {
  const total = Math.max(0, Math.floor(ms / MINUTE));
  const days = Math.floor(total / (24 * 60));
  const hours = Math.floor((total % (24 * 60)) / 60);
  const minutes = total % 60;
  if (days > 0) return hours > 0 ? `${days}天${hours}小时` : `${days}天`;
  if (hours > 0) return minutes > 0 ? `${hours}小时${minutes}分` : `${hours}小时`;
  return `${minutes}分钟`;
}

/** The time left until a deadline (or past it), as a person reads it. */
export function countdown(
  deadline: string,
  now: number = Date.now(),
  soonMs: number = 4 * HOUR,
): Countdown {
  const remainingMs = new Date(deadline).getTime() - now;
  if (remainingMs < 0) {
    return { text: `已超时 ${span(-remainingMs)}`, overdue: true, urgency: "overdue", remainingMs };
  }
  if (remainingMs < MINUTE) {
    return { text: "剩余不足1分钟", overdue: false, urgency: "soon", remainingMs };
  }
  return {
    text: `剩余 ${span(remainingMs)}`,
    overdue: false,
    urgency: remainingMs < soonMs ? "soon" : "ok",
    remainingMs,
  };
}

/** The next visit as the commissioner reads it: overdue in red, due soon, or planned. */
export function nextVisitStatus(
  dueOn: string | null | undefined,
  now: number = Date.now(),
): { text: string; urgency: Urgency } {
  if (!dueOn) return { text: "未计划", urgency: "ok" };
  const days = daysFromToday(dueOn, now);
  if (days < 0) return { text: `逾期未走访 ${-days} 天`, urgency: "overdue" };
  if (days === 0) return { text: "今天应走访", urgency: "soon" };
  if (days <= 7) return { text: `${days} 天后应走访`, urgency: "soon" };
  return { text: `${dueOn} 前走访`, urgency: "ok" };
}

const QUARTERS = ["一", "二", "三", "四"];

/** A period as the reports name it: 2025-Q3 → 2025年第三季度, 2025-03 → 2025年3月, 2025 → 2025年. */
export function periodLabel(period: string): string {
  const quarter = /^(\d{4})-Q([1-4])$/.exec(period);
  if (quarter) return `${quarter[1]}年第${QUARTERS[Number(quarter[2]) - 1]}季度`;
  const month = /^(\d{4})-(\d{2})$/.exec(period);
  if (month) return `${month[1]}年${Number(month[2])}月`;
  if (/^\d{4}$/.test(period)) return `${period}年`;
  return period;
}

/** The first and last day of a period (month, quarter or year). */
export function periodRange(period: string): { from: string; to: string } {
  const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
  const quarter = /^(\d{4})-Q([1-4])$/.exec(period);
  if (quarter) {
    const y = Number(quarter[1]);
    const first = (Number(quarter[2]) - 1) * 3 + 1;
    return { from: `${y}-${pad(first)}-01`, to: `${y}-${pad(first + 2)}-${lastDay(y, first + 2)}` };
  }
  const month = /^(\d{4})-(\d{2})$/.exec(period);
  if (month) {
    const y = Number(month[1]);
    const m = Number(month[2]);
    return { from: `${y}-${pad(m)}-01`, to: `${y}-${pad(m)}-${lastDay(y, m)}` };
  }
  return { from: `${period}-01-01`, to: `${period}-12-31` };
}

/** The periods a person can pick, most recent first: this year's quarters and months so far. */
export function recentPeriods(now: number = Date.now(), years = 2): string[] {
  const today = beijingParts(now);
  const periods: string[] = [];
  for (let y = today.year; y > today.year - years; y--) {
    periods.push(String(y));
    const lastMonth = y === today.year ? today.month : 12;
    for (let q = Math.ceil(lastMonth / 3); q >= 1; q--) periods.push(`${y}-Q${q}`);
    for (let m = lastMonth; m >= 1; m--) periods.push(`${y}-${pad(m)}`);
  }
  return periods;
}

/** A rate (0–1) as a percentage, `98.5%`; `—` when there is nothing to divide. */
export function formatRate(rate: number | null | undefined, digits = 1): string {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return "—";
  return `${(rate * 100).toFixed(digits)}%`;
}
