import { describe, expect, it } from "vitest";

import { isMasked, maskName, maskPhone } from "./mask";

describe("masking on screen", () => {
  it("masks a mobile number as the bureau does", () => {
    expect(maskPhone("13812345678")).toBe("138****5678");
    expect(maskPhone("138-1234-5678")).toBe("138****5678");
  });

  it("keeps only the last four digits of a landline", () => {
    expect(maskPhone("023-63891234")).toBe("*******1234");
    expect(maskPhone("123")).toBe("****");
  });

  it("leaves what the API already masked as it came", () => {
    expect(isMasked("138****5678")).toBe(true);
    expect(maskPhone("138****5678")).toBe("138****5678");
    expect(isMasked("13812345678")).toBe(false);
  });

  it("hides all but a family name", () => {
    expect(maskName("王小明")).toBe("王**");
    expect(maskName("李")).toBe("李");
  });
});
