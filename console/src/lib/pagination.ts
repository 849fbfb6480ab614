// Relay cursors (first/after) as pages a person moves through: a stack of the cursors each
// page started after, so 上一页 goes back without the server counting offsets.

export interface CursorPages {
  /** afters[i] is the cursor page i starts after (null: the first page). */
  afters: (string | null)[];
  index: number;
}

export const firstPage = (): CursorPages => ({ afters: [null], index: 0 });

export function currentAfter(pages: CursorPages): string | null {
  return pages.afters[pages.index] ?? null;
}

export function nextPage(pages: CursorPages, endCursor: string | null | undefined): CursorPages {
  if (!endCursor) return pages;
  const afters = pages.afters.slice(0, pages.index + 1);
  afters.push(endCursor);
  return { afters, index: pages.index + 1 };
}

export function previousPage(pages: CursorPages): CursorPages {
  return pages.index === 0 ? pages : { afters: pages.afters, index: pages.index - 1 };
}

export function pageCount(total: number, size: number): number {
  return Math.max(1, Math.ceil(total / size));
}

/** `第 2 / 5 页，共 87 条`. */
export function pageSummary(pages: CursorPages, total: number, size: number): string {
  return `第 ${pages.index + 1} / ${pageCount(total, size)} 页，共 ${total} 条`;
}

/** One page of an in-memory list (for lists the console sorts itself). */
export function slicePage<T>(items: readonly T[], page: number, size: number): T[] {
  const start = Math.max(0, page) * size;
  return items.slice(start, start + size);
}
