import { describe, expect, it } from "vitest";

import { decodeClaims, isExpired } from "./session";

function token(claims: object): string {
  const bytes = new TextEncoder().encode(JSON.stringify(claims));
  const body = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `e30.${body}.sig`;
}

describe("the signed-in person", () => {
  it("reads Chinese names from the token", () => {
    const claims = decodeClaims(token({ sub: "s-002", role: "SUPERVISOR", name: "督导员乙", exp: 2000000000 }));
    expect(claims).toMatchObject({ sub: "s-002", role: "SUPERVISOR", name: "督导员乙" });
  });

  it("refuses what is not a token", () => {
    expect(decodeClaims("garbage")).toBeNull();
    expect(decodeClaims(token({ role: "ADMIN" }))).toBeNull();
  });

  it("knows when it has expired", () => {
    const claims = decodeClaims(token({ sub: "a", role: "ADMIN", exp: 100 }))!;
    expect(isExpired(claims, 100_000)).toBe(true);
    expect(isExpired(claims, 99_000)).toBe(false);
  });
});
