// 延期: whether an extension request waits for a supervisor, read from the timeline.

const ANSWERS = new Set(["ExtensionApproved", "ExtensionRefused"]);
// Steps that end the resolution cycle a request was about (domain/issue.py clears it then).
const CYCLE_ENDS = new Set(["DispatchRefused", "ReturnedForRework", "Evaluated", "Reopened"]);

/** True when the latest extension request of this cycle has no answer yet. */
export function extensionPending(timeline: readonly { type: string }[]): boolean {
  let pending = false;
  for (const step of timeline) {
    if (step.type === "ExtensionRequested") pending = true;
    else if (ANSWERS.has(step.type) || CYCLE_ENDS.has(step.type)) pending = false;
  }
  return pending;
}
