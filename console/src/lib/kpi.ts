// The KPI targets and how a measured rate reads against them.
import { KPI_TARGETS } from "./labels";
import { formatRate } from "./time";

export type TargetKpi = keyof typeof KPI_TARGETS;

export interface TargetReading {
  kpi: TargetKpi;
  label: string;
  target: number;
  rate: number | null;
  /** met, missed, or no sample (nothing to divide). */
  verdict: "met" | "missed" | "none";
  text: string;
}

export function readAgainstTarget(kpi: TargetKpi, rate: number | null | undefined): TargetReading {
  const { label, target } = KPI_TARGETS[kpi];
  const value = rate ?? null;
  const verdict = value === null ? "none" : value + 1e-9 >= target ? "met" : "missed";
  const text =
    verdict === "none"
      ? `${label}：样本不足（目标 ${formatRate(target, 0)}）`
      : `${label} ${formatRate(value)}，目标 ${formatRate(target, 0)}，${verdict === "met" ? "达标" : "未达标"}`;
  return { kpi, label, target, rate: value, verdict, text };
}

/** A league table as CSV (UTF-8 with BOM, so Excel opens the Chinese correctly). */
export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  const cell = (v: string | number | null) => {
    const s = v === null ? "" : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return "\ufeff" + [header, ...rows].map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}
