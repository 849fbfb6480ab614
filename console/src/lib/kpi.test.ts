import { describe, expect, it } from "vitest";

import { resolverOf, isResolver } from "./duties";
import { readAgainstTarget, toCsv } from "./kpi";
import { defaultAttendees, sameMinute, visitedAtToSend } from "./visit";

describe("KPIs against the plan's targets", () => {
  it("read met, missed or without a sample", () => {
    expect(readAgainstTarget("closureRate", 0.985)).toMatchObject({ verdict: "met", text: "办结率 98.5%，目标 98%，达标" });
    expect(readAgainstTarget("urgentHiringResponseRate", 0.97)).toMatchObject({ verdict: "missed" });
    expect(readAgainstTarget("urgentHiringResponseRate", 1)).toMatchObject({ verdict: "met" });
    expect(readAgainstTarget("satisfactionRate", null)).toMatchObject({ verdict: "none", text: "满意率：样本不足（目标 92%）" });
  });

  it("export a table Excel opens in Chinese", () => {
    const csv = toCsv(["区县", "得分"], [["渝中区", 91.5], ["江北区, 北部", null]]);
    expect(csv.startsWith("\ufeff区县,得分\r\n渝中区,91.5\r\n")).toBe(true);
    expect(csv).toContain('"江北区, 北部",');
  });
});

describe("separation of duties", () => {
  const timeline = [
    { type: "Resolved", actor: { id: "d-001", name: "就业处经办" } },
    { type: "ReturnedForRework", actor: { id: "s-001", name: "督导员甲" } },
    { type: "Resolved", actor: { id: "d-002", name: "就业处复核" } },
  ];
  it("knows who resolved last", () => {
    expect(resolverOf(timeline)?.name).toBe("就业处复核");
    expect(isResolver(timeline, "d-002")).toBe(true);
    expect(isResolver(timeline, "d-001")).toBe(false);
    expect(resolverOf([])).toBeNull();
  });
});

describe("the visit form", () => {
  it("starts with the contacts and the commissioner, never a masked name", () => {
    expect(defaultAttendees([{ name: "王小明" }, { name: "李**" }, { name: "专员1" }], "专员1")).toEqual(["王小明", "专员1"]);
  });
  it("knows a time left at now", () => {
    expect(sameMinute("2025-03-03T09:05:00+08:00", new Date("2025-03-03T01:05:40Z").getTime())).toBe(true);
    expect(sameMinute("2025-03-03T09:04:00+08:00", new Date("2025-03-03T01:05:40Z").getTime())).toBe(false);
  });
  it("sends a time left as the form set it with its seconds, even when saved a minute later", () => {
    const opened = new Date("2025-03-03T01:05:40Z").getTime(); // the form opened at 09:05:40
    const later = new Date("2025-03-03T01:06:10Z").getTime(); // saved at 09:06:10
    expect(visitedAtToSend("2025-03-03T09:05:00+08:00", opened, later)).toBe("2025-03-03T01:05:40.000Z");
    expect(visitedAtToSend("2025-03-03T09:06:00+08:00", opened, later)).toBe("2025-03-03T01:06:10.000Z");
    expect(visitedAtToSend("2025-03-01T15:30:00+08:00", opened, later)).toBe("2025-03-01T15:30:00+08:00");
  });
});
