// Personal data on screen. The API already masks what a role may not see (138****1234); the
// console hides even permitted numbers until asked (a commissioner's phone in the field).

/** 13812345678 → 138****5678; landlines and short numbers keep only their last 4 digits. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, "");
  if (isMasked(phone)) return phone;
  if (/^1\d{10}$/.test(digits)) return `${digits.slice(0, 3)}****${digits.slice(7)}`;
  if (digits.length > 4) return `${"*".repeat(Math.min(digits.length - 4, 8))}${digits.slice(-4)}`;
  return "****";
}

/** Whether a value came masked from the API (shown as is, never "revealed"). */
export function isMasked(value: string): boolean {
  return value.includes("*");
}

/** A person's name with all but the family name hidden: 王小明 → 王**. */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length <= 1 || isMasked(name)) return name;
  return chars[0] + "*".repeat(chars.length - 1);
}
