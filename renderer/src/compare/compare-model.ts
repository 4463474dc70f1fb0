/**
 * What the compare view shows, computed from a `CompareResult` without a DOM:
 * the session facts side by side (changed ones marked), the aligned message
 * rows with the changes that live in each, and list fields (cipher suites,
 * extensions, groups, ...) item by item: kept, added, removed or moved, GREASE
 * (RFC 8701) values counted as one value as the engine's diff does.
 */
import type { AlignedMessage, CodeNames, CompareResult, DiffChange, DiffValue, SessionDetail } from '../../../electron/api/contract';
import { registryOfField } from '../../../electron/api/diff-field-registry';

/** RFC 8701: 0x0a0a, 0x1a1a, ... 0xfafa. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
}

const GREASE = -1;
const norm = (v: DiffValue): DiffValue => (typeof v === 'number' && isGrease(v) ? GREASE : v);
const key = (v: DiffValue): string => JSON.stringify(norm(v));

export type ItemStatus = 'same' | 'added' | 'removed' | 'moved';

export interface ListItem {
  value: DiffValue;
  status: ItemStatus;
}

/**
 * Both lists item by item. An item only one side has is added (B) or removed
 * (A); of the items both have, those that are not on the longest run kept in
 * the same relative order are `moved`.
 */
export function compareLists(a: readonly DiffValue[], b: readonly DiffValue[]): { a: ListItem[]; b: ListItem[] } {
  const inB = new Set(b.map(key));
  const inA = new Set(a.map(key));
  const commonA = a.filter((v) => inB.has(key(v))).map(key);
  const commonB = b.filter((v) => inA.has(key(v))).map(key);
  const kept = lcsKeys(commonA, commonB);
  const status = (v: DiffValue, other: Set<string>, gone: ItemStatus, order: Set<string>): ItemStatus => {
    const k = key(v);
    if (!other.has(k)) return gone;
    return order.has(k) ? 'same' : 'moved';
  };
  return {
    a: a.map((value) => ({ value, status: status(value, inB, 'removed', kept) })),
    b: b.map((value) => ({ value, status: status(value, inA, 'added', kept) })),
  };
}

/** The keys on a longest common subsequence (lists are short: a few hundred items at most). */
function lcsKeys(a: readonly string[], b: readonly string[]): Set<string> {
  const n = a.length;
  const m = b.length;
  const table = new Uint16Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * (m + 1) + j] = a[i] === b[j] ? table[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(table[(i + 1) * (m + 1) + j]!, table[i * (m + 1) + j + 1]!);
    }
  }
  const out = new Set<string>();
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.add(a[i]!);
      i++;
      j++;
    } else if (table[(i + 1) * (m + 1) + j]! >= table[i * (m + 1) + j + 1]!) i++;
    else j++;
  }
  return out;
}

const hex4 = (v: number): string => `0x${v.toString(16).padStart(4, '0')}`;

/** A value as people read it: code points by name (with the number), strings as they are. */
export function showValue(field: string, v: DiffValue, names: CodeNames, none: string): string {
  if (v === null) return none;
  if (typeof v === 'number') {
    const registry = registryOfField(field);
    if (!registry) return String(v);
    if (registry !== 'versions' && isGrease(v)) return `GREASE (${hex4(v)})`;
    const name = names[registry][String(v)];
    if (!name) return hex4(v);
    return registry === 'versions' ? name : `${name} (${hex4(v)})`;
  }
  if (typeof v === 'boolean' || typeof v === 'string') return String(v);
  if (Array.isArray(v)) return v.map((x) => showValue(field, x, names, none)).join(', ');
  return JSON.stringify(v);
}

export interface MessageRow {
  row: AlignedMessage;
  /** Position in the aligned list. */
  position: number;
  changes: DiffChange[];
  /** B's time minus A's, ms; null when one side is missing. */
  deltaMs: number | null;
}

/**
 * Each change goes to the first aligned row of its message type that both
 * sides have (a `messages` change to the row only one side has); changes of
 * no message (resumption) stay with the session facts.
 */
export function messageRows(result: CompareResult): { rows: MessageRow[]; sessionChanges: DiffChange[] } {
  const rows: MessageRow[] = result.diff.messages.map((row, position) => ({
    row,
    position,
    changes: [],
    deltaMs: row.a && row.b ? row.b.ms - row.a.ms : null,
  }));
  const sessionChanges: DiffChange[] = [];
  for (const c of result.diff.changes) {
    let target: MessageRow | undefined;
    if (c.field === 'messages') target = rows.find((r) => r.row.type === c.message && (c.change === 'added' ? !r.row.a : !r.row.b));
    else if (c.message) target = rows.find((r) => r.row.type === c.message && r.row.a && r.row.b) ?? rows.find((r) => r.row.type === c.message);
    if (target) target.changes.push(c);
    else sessionChanges.push(c);
  }
  return { rows, sessionChanges };
}

export interface FactRow {
  /** The diff field this row shows (data-field in the view). */
  field: 'version' | 'cipherSuite' | 'alpn' | 'sni' | 'ja3Hash' | 'ja4' | 'ja3sHash' | 'resumed' | 'certificates[0].sha256';
  a: string;
  b: string;
  changed: boolean;
}

function leafOf(d: SessionDetail): string | null {
  const leaf = d.session.certificates[0];
  return leaf ? `${leaf.subject} · ${leaf.sha256.slice(0, 16)}…` : null;
}

/** The facts people compare first, with the changed ones marked from the diff (not recomputed). */
export function factRows(result: CompareResult, none: string, yesNo: (v: boolean) => string): FactRow[] {
  const a = result.a.detail.session;
  const b = result.b.detail.session;
  const changed = new Set(result.diff.changes.map((c) => c.field));
  const names = result.names;
  const fact = (field: FactRow['field'], av: DiffValue, bv: DiffValue): FactRow => ({
    field,
    a: showValue(field, av, names, none),
    b: showValue(field, bv, names, none),
    changed: changed.has(field),
  });
  // The leaf changed when any of its fields did, or only one chain has one.
  const leafChanged = result.diff.changes.some((c) => c.field === 'certificates[0]' || c.field.startsWith('certificates[0].'));
  return [
    fact('version', a.version, b.version),
    fact('cipherSuite', a.cipherSuite, b.cipherSuite),
    fact('alpn', a.alpn, b.alpn),
    fact('sni', a.sni, b.sni),
    fact('ja3Hash', a.ja3Hash, b.ja3Hash),
    fact('ja4', a.ja4, b.ja4),
    fact('ja3sHash', a.ja3sHash, b.ja3sHash),
    { field: 'resumed', a: yesNo(a.resumed), b: yesNo(b.resumed), changed: changed.has('resumed') },
    { ...fact('certificates[0].sha256', leafOf(result.a.detail), leafOf(result.b.detail)), changed: leafChanged },
  ];
}

/** Certificate changes (server chain and client chain), in the order the diff lists them. */
export function certificateChanges(result: CompareResult): DiffChange[] {
  return result.diff.changes.filter((c) => c.field.startsWith('certificates') || c.field.startsWith('clientCertificates'));
}
