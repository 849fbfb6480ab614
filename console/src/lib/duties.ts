// Separation of duties (DOMAIN.md): the person who resolved an issue may neither approve its
// closure nor record its evaluation. The server refuses; the page says why before anyone tries.

export interface TimelineStep {
  type: string;
  actor: { id: string; name: string };
}

/** Who resolved the issue last (the resolution being audited), if anyone. */
export function resolverOf(timeline: readonly TimelineStep[]): { id: string; name: string } | null {
  for (let i = timeline.length - 1; i >= 0; i--) {
    if (timeline[i].type === "Resolved") return timeline[i].actor;
  }
  return null;
}

export function isResolver(timeline: readonly TimelineStep[], userId: string): boolean {
  return resolverOf(timeline)?.id === userId;
}

export const RESOLVER_CANNOT_AUDIT =
  "您是该诉求的办结人。按照职责分离要求，办结人不能审核本人办结的诉求，也不能记录回访评价，请由其他督导员办理。";
