// Read-your-writes: a mutation's payload carries the event log `position` it reached; later
// reads send the highest one seen as X-Min-Position, so the page shows the write at once.

let highest = 0;

export function notePosition(position: number | null | undefined): void {
  if (typeof position === "number" && position > highest) highest = position;
}

export function minPositionHeader(): Record<string, string> {
  return highest > 0 ? { "X-Min-Position": String(highest) } : {};
}

export function resetPositions(): void {
  highest = 0;
}
