/**
 * Comparing lists of code points (cipher suites, extensions, groups, ...) the
 * way a person reads them: what was added, what was removed, whether the
 * common ones changed order. GREASE values (RFC 8701) are random by design, so
 * every GREASE value counts as the same value.
 */
import { isGrease } from '../tls/registries';
import type { DiffChange } from './diff-model';
import type { MessageType } from './model';

/** The value every GREASE code point is compared as (0x0a0a). */
export const GREASE = 0x0a0a;

function normalise(values: readonly number[], grease: boolean): number[] {
  return grease ? values.map((v) => (isGrease(v) ? GREASE : v)) : [...values];
}

/** Multiset difference in `x`'s order: the values of `x` left after removing each of `y`'s once. */
function minus(x: readonly number[], y: readonly number[]): number[] {
  const counts = new Map<number, number>();
  for (const v of y) counts.set(v, (counts.get(v) ?? 0) + 1);
  const out: number[] = [];
  for (const v of x) {
    const c = counts.get(v) ?? 0;
    if (c > 0) counts.set(v, c - 1);
    else out.push(v);
  }
  return out;
}

/**
 * The change between two lists, or null when they are equal (GREASE
 * normalised when `grease`). `a`/`b` carry the lists as sent.
 */
export function diffNumberList(
  field: string,
  message: MessageType | null,
  a: readonly number[],
  b: readonly number[],
  grease = true,
): DiffChange | null {
  const na = normalise(a, grease);
  const nb = normalise(b, grease);
  if (na.length === nb.length && na.every((v, i) => v === nb[i])) return null;
  const added = minus(nb, na);
  const removed = minus(na, nb);
  // Order of what both share: drop the added/removed ones and compare what remains.
  const commonA = minus(na, removed);
  const commonB = minus(nb, added);
  const reordered = commonA.some((v, i) => v !== commonB[i]);
  return { field, message, a: [...a], b: [...b], change: 'changed', added, removed, reordered };
}

/** The same for lists of strings (ALPN protocol names, SAN entries). */
export function diffStringList(field: string, message: MessageType | null, a: readonly string[], b: readonly string[]): DiffChange | null {
  if (a.length === b.length && a.every((v, i) => v === b[i])) return null;
  const setA = new Set(a);
  const setB = new Set(b);
  const added = b.filter((v) => !setA.has(v));
  const removed = a.filter((v) => !setB.has(v));
  const commonA = a.filter((v) => setB.has(v));
  const commonB = b.filter((v) => setA.has(v));
  const reordered = commonA.some((v, i) => v !== commonB[i]);
  return { field, message, a: [...a], b: [...b], change: 'changed', added, removed, reordered };
}

/** A scalar that differs: `changed`, or `added`/`removed` when one side has none (null). */
export function diffScalar(
  field: string,
  message: MessageType | null,
  a: string | number | boolean | null,
  b: string | number | boolean | null,
): DiffChange | null {
  if (a === b) return null;
  const change = a === null ? 'added' : b === null ? 'removed' : 'changed';
  return { field, message, a, b, change };
}
