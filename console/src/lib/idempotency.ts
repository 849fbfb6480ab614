// An idempotency key per form: the same key for every submit of one filled-in form, so a double
// tap (or a retry after a lost answer) logs one visit; a new key once the form succeeded.

export function newIdempotencyKey(): string {
  // randomUUID exists only on https or localhost; an intranet's plain http has getRandomValues.
  if (typeof crypto.randomUUID === "function" && globalThis.isSecureContext !== false) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Split a free-text list (one per line, or separated by ，、;) into its items. */
export function splitList(text: string | null | undefined): string[] {
  if (!text) return [];
  return text
    .split(/[\n,，、;；]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
