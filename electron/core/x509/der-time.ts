/**
 * X.509 Time (RFC 5280 4.1.2.5) as ISO 8601 UTC, "2026-11-27T09:36:52Z".
 *   UTCTime         YYMMDDHHMM[SS]Z      (YY >= 50 is 19YY, else 20YY)
 *   GeneralizedTime YYYYMMDDHHMM[SS][.f]Z  (fractional seconds dropped)
 * RFC 5280 requires "Z"; a "+hhmm"/"-hhmm" offset (X.680 allows it, some
 * generators write it) is converted to UTC rather than refused.
 */
import { ParseError } from '../bytes/byte-reader';
import { TAG } from './der-reader';

const UTC = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{4})$/;
const GENERALIZED = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:[.,]\d+)?(Z|[+-]\d{4})$/;

function ascii(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length && i < 32; i++) s += String.fromCharCode(b[i]!);
  return s;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export function formatDerTime(tag: number, contents: Uint8Array): string {
  const text = ascii(contents);
  let m: RegExpExecArray | null;
  let year: number;
  if (tag === TAG.UTC_TIME && (m = UTC.exec(text)) !== null) {
    year = Number(m[1]) >= 50 ? 1900 + Number(m[1]) : 2000 + Number(m[1]);
  } else if (tag === TAG.GENERALIZED_TIME && (m = GENERALIZED.exec(text)) !== null) {
    year = Number(m[1]);
  } else {
    throw new ParseError(`bad time "${text}"`, 0);
  }
  const [month, day, hour, minute, second] = [m[2], m[3], m[4], m[5], m[6] ?? '00'].map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    throw new ParseError(`bad time "${text}"`, 0);
  }
  const zone = m[7]!;
  if (zone === 'Z') return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}Z`;
  const sign = zone[0] === '+' ? 1 : -1;
  const offsetMinutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
