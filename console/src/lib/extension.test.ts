import { describe, expect, it } from "vitest";

import { extensionPending } from "./extension";

const steps = (...types: string[]) => types.map((type) => ({ type }));

describe("an extension request waiting for a supervisor", () => {
  it("is pending after a request nobody answered", () => {
    expect(extensionPending(steps("Accepted", "ExtensionRequested", "ProgressRecorded"))).toBe(true);
  });

  it("is not pending once approved or refused, nor when none was asked", () => {
    expect(extensionPending(steps("ExtensionRequested", "ExtensionApproved"))).toBe(false);
    expect(extensionPending(steps("ExtensionRequested", "ExtensionRefused"))).toBe(false);
    expect(extensionPending(steps("Accepted"))).toBe(false);
  });

  it("ends with the cycle it was about: returned for rework, refused dispatch, reopened", () => {
    expect(extensionPending(steps("ExtensionRequested", "Resolved", "ReturnedForRework"))).toBe(false);
    expect(extensionPending(steps("ExtensionRequested", "DispatchRefused"))).toBe(false);
    expect(extensionPending(steps("ExtensionRequested", "Resolved", "Reopened"))).toBe(false);
  });

  it("is pending again after a second request following a refusal", () => {
    expect(extensionPending(steps("ExtensionRequested", "ExtensionRefused", "ExtensionRequested"))).toBe(true);
  });
});
