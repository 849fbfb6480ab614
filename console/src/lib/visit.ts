// The 记录走访 form's defaults and its conversion to the API's input.
import { beijingIso } from "./time";

export const COMMON_TOPICS = ["政策解答", "用工需求", "社保咨询", "技能培训", "人才引进", "劳动关系", "审批协调", "创业扶持"];

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** A time picked on screen (its wall-clock fields, read as Beijing time) for the API. */
export function visitedAtIso(t: WallTime): string {
  return beijingIso(t.year, t.month, t.day, t.hour, t.minute);
}

/** The attendees a form starts with: the enterprise's contacts and the commissioner. */
export function defaultAttendees(contacts: readonly { name: string }[], me: string): string[] {
  const names = contacts.map((c) => c.name).filter((n) => n && !n.includes("*"));
  return Array.from(new Set([...names, me]));
}

/** Whether an instant (ISO) falls in the same minute as `now`. */
export function sameMinute(iso: string, now: number): boolean {
  return Math.floor(new Date(iso).getTime() / 60_000) === Math.floor(now / 60_000);
}

/**
 * The instant a visit is logged at. The picker holds minutes; a time left as the form set it
 * (the minute it was opened) goes with its seconds, and one set to the current minute goes as
 * now: otherwise a visit logged in the minute its enterprise was registered would read as
 * before the registration (the server refuses that), as it did when the save came a minute
 * after the form was opened.
 */
export function visitedAtToSend(picked: string, openedAt: number, now: number): string {
  if (sameMinute(picked, openedAt)) return new Date(openedAt).toISOString();
  if (sameMinute(picked, now)) return new Date(now).toISOString();
  return picked;
}
