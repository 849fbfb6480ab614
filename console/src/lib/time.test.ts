import { describe, expect, it } from "vitest";

import {
  beijingIso,
  beijingToday,
  countdown,
  daysFromToday,
  formatDate,
  formatDateTime,
  formatRate,
  nextVisitStatus,
  periodLabel,
  periodRange,
  recentPeriods,
} from "./time";

const at = (iso: string) => new Date(iso).getTime();

describe("Beijing time", () => {
  it("shows an instant in Beijing whatever offset it came with", () => {
    expect(formatDateTime("2025-03-03T01:30:00+00:00")).toBe("2025-03-03 09:30");
    expect(formatDateTime("2025-03-03T09:30:00+08:00")).toBe("2025-03-03 09:30");
    expect(formatDateTime("2025-03-02T17:05:00Z")).toBe("2025-03-03 01:05"); // the next day
  });

  it("says nothing rather than a wrong time", () => {
    expect(formatDateTime(null)).toBe("—");
    expect(formatDateTime("not a time")).toBe("—");
    expect(formatDate(undefined)).toBe("—");
  });

  it("keeps a calendar date as given and dates an instant in Beijing", () => {
    expect(formatDate("2025-03-03")).toBe("2025-03-03");
    expect(formatDate("2025-12-31T16:00:00Z")).toBe("2026-01-01");
  });

  it("reads a picked wall-clock time as Beijing time for the API", () => {
    const iso = beijingIso(2025, 3, 3, 9, 5);
    expect(iso).toBe("2025-03-03T09:05:00+08:00");
    expect(new Date(iso).toISOString()).toBe("2025-03-03T01:05:00.000Z");
  });

  it("knows Beijing's today when UTC is still yesterday", () => {
    expect(beijingToday(at("2025-03-02T20:00:00Z"))).toBe("2025-03-03");
    expect(daysFromToday("2025-03-01", at("2025-03-02T20:00:00Z"))).toBe(-2);
  });
});

describe("countdown", () => {
  const now = at("2025-03-03T01:00:00Z");

  it("counts what is left", () => {
    expect(countdown("2025-03-03T04:20:00Z", now)).toMatchObject({ text: "剩余 3小时20分", urgency: "soon", overdue: false });
    expect(countdown("2025-03-05T03:00:00Z", now)).toMatchObject({ text: "剩余 2天2小时", urgency: "ok" });
    expect(countdown("2025-03-03T01:00:30Z", now).text).toBe("剩余不足1分钟");
    expect(countdown("2025-03-03T01:45:00Z", now).text).toBe("剩余 45分钟");
  });

  it("counts how late it is once the deadline passed", () => {
    expect(countdown("2025-03-02T00:00:00Z", now)).toMatchObject({ text: "已超时 1天1小时", overdue: true, urgency: "overdue" });
  });
});

describe("the next visit", () => {
  const now = at("2025-03-03T02:00:00Z");
  it("is overdue in red, due soon, or planned", () => {
    expect(nextVisitStatus("2025-02-28", now)).toEqual({ text: "逾期未走访 3 天", urgency: "overdue" });
    expect(nextVisitStatus("2025-03-03", now)).toEqual({ text: "今天应走访", urgency: "soon" });
    expect(nextVisitStatus("2025-03-05", now)).toEqual({ text: "2 天后应走访", urgency: "soon" });
    expect(nextVisitStatus("2025-04-01", now)).toEqual({ text: "2025-04-01 前走访", urgency: "ok" });
    expect(nextVisitStatus(null, now)).toEqual({ text: "未计划", urgency: "ok" });
  });
});

describe("periods", () => {
  it("are named as the reports name them", () => {
    expect(periodLabel("2025-Q3")).toBe("2025年第三季度");
    expect(periodLabel("2025-03")).toBe("2025年3月");
    expect(periodLabel("2025")).toBe("2025年");
  });

  it("span their first to last day", () => {
    expect(periodRange("2025-Q1")).toEqual({ from: "2025-01-01", to: "2025-03-31" });
    expect(periodRange("2024-02")).toEqual({ from: "2024-02-01", to: "2024-02-29" });
    expect(periodRange("2025")).toEqual({ from: "2025-01-01", to: "2025-12-31" });
  });

  it("offer this year's quarters and months so far, newest first", () => {
    const periods = recentPeriods(at("2025-05-10T00:00:00Z"), 1);
    expect(periods).toEqual(["2025", "2025-Q2", "2025-Q1", "2025-05", "2025-04", "2025-03", "2025-02", "2025-01"]);
  });

  it("show rates as percentages, and nothing to divide as a dash", () => {
    expect(formatRate(0.9812)).toBe("98.1%");
    expect(formatRate(1, 0)).toBe("100%");
    expect(formatRate(null)).toBe("—");
  });
});
