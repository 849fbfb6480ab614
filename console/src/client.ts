// The one GraphQL client: the bearer token, X-Min-Position and Chinese on every request.
import { Client, cacheExchange, fetchExchange, mapExchange, type OperationResult } from "urql";

import { minPositionHeader, notePosition } from "./lib/position";
import { storedToken } from "./lib/session";

/** A mutation payload's `position`, noted as its result arrives: before the cache refetches
 * the queries the mutation touched, so those refetches already wait for the write. */
export function notePositions(result: OperationResult): void {
  if (result.operation.kind !== "mutation" || !result.data) return;
  for (const value of Object.values(result.data as Record<string, unknown>)) {
    if (value && typeof value === "object" && "position" in value) {
      notePosition((value as { position: number }).position);
    }
  }
}

export function makeClient(): Client {
  return new Client({
    url: "/graphql",
    // Results travel fetch → position → cache: the position is known before invalidation.
    exchanges: [cacheExchange, mapExchange({ onResult: notePositions }), fetchExchange],
    // Lists change under other people's hands: show what is cached, then what is current.
    requestPolicy: "cache-and-network",
    fetchOptions: () => {
      const token = storedToken();
      return {
        headers: {
          // The server's messages in Chinese whatever the browser's own language (a refusal
          // read "uscc: … is not a valid unified social credit code" in an English browser).
          "Accept-Language": "zh-CN",
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...minPositionHeader(),
        },
      };
    },
  });
}

/** What a list depends on even when it is empty (urql invalidates by the types it saw). */
export const ISSUES = { additionalTypenames: ["Issue"] };
export const ENTERPRISES = { additionalTypenames: ["Enterprise", "Visit", "Issue"] };
export const UNITS = { additionalTypenames: ["Department", "ReportingPoint"] };
