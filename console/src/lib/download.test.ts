import { describe, expect, it } from "vitest";

import { fileBytes } from "./download";

describe("a file answered as base64", () => {
  it("decodes to the bytes the server sent", () => {
    const bytes = fileBytes({ filename: "a.png", mediaType: "image/png", sizeBytes: 4, contentBase64: btoa("\x89PNG") });
    expect(Array.from(bytes)).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it("is refused when it is shorter than the size the server stated", () => {
    expect(() => fileBytes({ filename: "a.xlsx", mediaType: "x", sizeBytes: 10, contentBase64: btoa("abc") })).toThrow("文件不完整");
  });
});
