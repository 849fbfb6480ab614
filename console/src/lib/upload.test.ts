import { describe, expect, it } from "vitest";

import { toBase64, uploadProblem } from "./upload";

describe("an uploaded enterprise list", () => {
  it("is taken as .xlsx or .csv of a sensible size", () => {
    expect(uploadProblem("企业名单.XLSX", 30_000)).toBeNull();
    expect(uploadProblem("名单.csv", 1_000)).toBeNull();
  });

  it("is refused as old .xls, as another type, or when too large, saying what to do", () => {
    expect(uploadProblem("名单.xls", 1_000)).toContain("另存为 .xlsx");
    expect(uploadProblem("名单.pdf", 1_000)).toContain("只能上传");
    expect(uploadProblem("名单.xlsx", 2_000_000)).toContain("文件过大");
  });

  it("is encoded as base64, also beyond one chunk", () => {
    expect(toBase64(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toBe("iVBORw==");
    const big = new Uint8Array(100_000).fill(65);
    expect(atob(toBase64(big)).length).toBe(100_000);
  });
});
