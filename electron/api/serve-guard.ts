/**
 * Who may talk to `tlswb serve`: a request must carry the per-run token, come
 * from the page's own origin (a foreign web page in the same browser could
 * otherwise drive the API) and name a host the server answers for (DNS
 * rebinding). Pure functions of the request headers, so they are easy to test.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token from `?token=` or `Authorization: Bearer`. */
export function requestToken(url: URL, authorization: string | undefined): string | null {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return m ? m[1]! : null;
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export function isLoopbackHost(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Host header values the server answers to when bound to a loopback address. */
export function allowedHosts(boundHost: string, port: number): Set<string> {
  const names = new Set(LOOPBACK_NAMES);
  names.add(boundHost.includes(':') ? `[${boundHost}]` : boundHost);
  return new Set([...names].map((n) => `${n}:${port}`));
}

export type GuardVerdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

export interface GuardInput {
  token: string;
  boundHost: string;
  port: number;
  url: URL;
  headers: { host?: string; origin?: string; authorization?: string };
}

/** 403 for a foreign Host or Origin, 401 for a missing or wrong token. */
export function checkApiRequest(input: GuardInput): GuardVerdict {
  const hostHeader = input.headers.host ?? '';
  if (isLoopbackHost(input.boundHost) && !allowedHosts(input.boundHost, input.port).has(hostHeader.toLowerCase())) {
    return { ok: false, status: 403, reason: 'foreign Host' };
  }
  const origin = input.headers.origin;
  // Browsers always send Origin on WebSocket and cross-origin requests; tools (curl) send none and still need the token.
  if (origin !== undefined && origin !== `http://${hostHeader}`) return { ok: false, status: 403, reason: 'foreign Origin' };
  if (!tokenMatches(input.token, requestToken(input.url, input.headers.authorization))) {
    return { ok: false, status: 401, reason: 'missing or wrong token' };
  }
  return { ok: true };
}
