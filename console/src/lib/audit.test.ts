import { describe, expect, it } from "vitest";

import { changeText, jsonText } from "./audit";

describe("an audit change as a person reads it", () => {
  it("shows a string without its JSON quotes and a missing value as empty", () => {
    expect(jsonText('"就业促进处"')).toBe("就业促进处");
    expect(jsonText(null)).toBe("（空）");
    expect(jsonText('""')).toBe("（空）");
  });

  it("joins lists and reads booleans in Chinese", () => {
    expect(jsonText('["hrss-talent","hrss-employment"]')).toBe("hrss-talent、hrss-employment");
    expect(jsonText("true")).toBe("是");
    expect(jsonText("[]")).toBe("（空）");
  });

  it("keeps text that is not JSON as it came", () => {
    expect(jsonText("王**")).toBe("王**");
  });

  it("writes before → after, or only the value set when there was none before", () => {
    expect(changeText({ fieldLabel: "承办部门", before: '"a"', after: '"b"' })).toBe("承办部门：a → b");
    expect(changeText({ fieldLabel: "办结说明", before: null, after: '"已解决"' })).toBe("办结说明：已解决");
  });
});
