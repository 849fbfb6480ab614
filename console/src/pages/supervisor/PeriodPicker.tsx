import { Select } from "antd";
import { useMemo } from "react";

import { periodLabel, recentPeriods } from "../../lib/time";

export function PeriodPicker({ value, onChange }: { value: string; onChange: (p: string) => void }) {
  const options = useMemo(() => recentPeriods().map((p) => ({ value: p, label: periodLabel(p) })), []);
  return <Select aria-label="统计期间" value={value} onChange={onChange} options={options} style={{ width: 170 }} showSearch={{ optionFilterProp: "label" }} />;
}

/** The current quarter, e.g. 2025-Q3. */
export function currentQuarter(): string {
  return recentPeriods().find((p) => p.includes("-Q")) ?? String(new Date().getFullYear());
}
