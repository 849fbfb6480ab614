import { describe, expect, it } from "vitest";

import { CATEGORY_LABELS, ROLE_LABELS, STATUS_LABELS, noteLabel, optionsOf, stepLabel } from "./labels";

describe("labels follow GLOSSARY.md", () => {
  it("names statuses, roles and categories in the glossary's words", () => {
    expect(STATUS_LABELS.RAISED).toBe("已提出（待派单）");
    expect(STATUS_LABELS.DISPATCHED).toBe("已派单（待签收）");
    expect(STATUS_LABELS.RESOLVED).toBe("已办结（待审核）");
    expect(ROLE_LABELS.SUPERVISOR).toBe("督导员");
    expect(CATEGORY_LABELS.URGENT_HIRING).toBe("紧急用工");
  });

  it("names timeline steps, and shows an unknown step's machine name rather than nothing", () => {
    expect(stepLabel("DispatchRefused")).toBe("退单");
    expect(stepLabel("ClosureApproved")).toBe("审核通过");
    expect(stepLabel("SomethingNew")).toBe("SomethingNew");
  });

  it("translates the machine values inside a note, and leaves the person's words", () => {
    expect(noteLabel("URGE · 请今日内签收")).toBe("催办 · 请今日内签收");
    expect(noteLabel("SATISFIED")).toBe("满意");
    expect(noteLabel(null)).toBe("");
  });

  it("gives every value an option in order", () => {
    const options = optionsOf(CATEGORY_LABELS);
    expect(options).toHaveLength(11);
    expect(options[0]).toEqual({ value: "POLICY_CONSULTATION", label: "政策咨询" });
  });
});
