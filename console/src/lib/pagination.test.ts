import { describe, expect, it } from "vitest";

import { currentAfter, firstPage, nextPage, pageCount, pageSummary, previousPage, slicePage } from "./pagination";

describe("cursor pages", () => {
  it("go forward with each page's end cursor and back without asking the server to count", () => {
    let pages = firstPage();
    expect(currentAfter(pages)).toBeNull();
    pages = nextPage(pages, "c20");
    pages = nextPage(pages, "c40");
    expect(currentAfter(pages)).toBe("c40");
    pages = previousPage(pages);
    expect(currentAfter(pages)).toBe("c20");
    pages = nextPage(pages, "c40b"); // forward again forgets the old branch
    expect(pages.afters).toEqual([null, "c20", "c40b"]);
    expect(previousPage(previousPage(previousPage(pages)))).toEqual({ afters: [null, "c20", "c40b"], index: 0 });
  });

  it("stay put without a next cursor", () => {
    const pages = firstPage();
    expect(nextPage(pages, null)).toBe(pages);
  });

  it("say where the reader is", () => {
    expect(pageCount(0, 20)).toBe(1);
    expect(pageCount(41, 20)).toBe(3);
    expect(pageSummary(nextPage(firstPage(), "x"), 41, 20)).toBe("第 2 / 3 页，共 41 条");
  });

  it("slice a list the console sorted itself", () => {
    expect(slicePage([1, 2, 3, 4, 5], 1, 2)).toEqual([3, 4]);
    expect(slicePage([1, 2, 3], 5, 2)).toEqual([]);
  });
});
