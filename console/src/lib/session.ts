// Who is signed in: the bearer token (kept in this browser) and the claims the console shows.
import type { Role } from "../gql/graphql";

const KEY = "espcrm.token";

export interface Claims {
  sub: string;
  name: string;
  role: Role;
  exp: number;
  department_id?: string;
  reporting_point_id?: string;
  districts?: string[];
}

/** The claims of a JWT (not verified: the server verifies every request). */
export function decodeClaims(token: string): Claims | null {
  const part = token.split(".")[1];
  if (!part) return null;
  try {
    const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as Partial<Claims>;
    if (!claims.sub || !claims.role || typeof claims.exp !== "number") return null;
    return { ...claims, name: claims.name ?? claims.sub } as Claims;
  } catch {
    return null;
  }
}

export function isExpired(claims: Claims, now: number = Date.now()): boolean {
  return claims.exp * 1000 <= now;
}

export function storedToken(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string | null): void {
  if (token) localStorage.setItem(KEY, token);
  else localStorage.removeItem(KEY);
}

/** The signed-in person, or null when nobody is or the token has expired. */
export function currentSession(now: number = Date.now()): { token: string; claims: Claims } | null {
  const token = storedToken();
  const claims = token ? decodeClaims(token) : null;
  if (!token || !claims || isExpired(claims, now)) return null;
  return { token, claims };
}
