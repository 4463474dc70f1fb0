/** The session table's columns: header, cell text, sort order, width. */
import type { SessionSummary } from '../../../electron/api/contract';
import { durationText, endpointSortKey, endpointText, versionName } from './format';

export type ColumnKey = 'client' | 'server' | 'sni' | 'version' | 'cipher' | 'alpn' | 'ja4' | 'messages' | 'duration' | 'status';

export interface Column {
  key: ColumnKey;
  /** Key of the header label in the strings table. */
  label: ColumnKey;
  /** CSS grid track. */
  width: string;
  text(s: SessionSummary): string;
  compare(a: SessionSummary, b: SessionSummary): number;
  numeric?: boolean;
}

const byText = (f: (s: SessionSummary) => string) => (a: SessionSummary, b: SessionSummary) => f(a).localeCompare(f(b));
const byNumber = (f: (s: SessionSummary) => number) => (a: SessionSummary, b: SessionSummary) => f(a) - f(b);

export const COLUMNS: Column[] = [
  { key: 'client', label: 'client', width: 'minmax(10.5rem, 1fr)', text: (s) => endpointText(s.client), compare: byText((s) => endpointSortKey(s.client)) },
  {
    key: 'server',
    label: 'server',
    width: 'minmax(10.5rem, 1fr)',
    text: (s) => endpointText(s.server),
    compare: byText((s) => endpointSortKey(s.server)),
  },
  { key: 'sni', label: 'sni', width: 'minmax(8rem, 1.5fr)', text: (s) => s.sni ?? (s.proxyTarget ? `⇢ ${s.proxyTarget}` : ''), compare: byText((s) => s.sni ?? s.proxyTarget ?? '') },
  { key: 'version', label: 'version', width: '5.5rem', text: (s) => versionName(s.version), compare: byNumber((s) => s.version ?? -1) },
  { key: 'cipher', label: 'cipher', width: 'minmax(10rem, 1.8fr)', text: (s) => s.cipherSuiteName ?? '', compare: byText((s) => s.cipherSuiteName ?? '') },
  { key: 'alpn', label: 'alpn', width: '4.5rem', text: (s) => s.alpn ?? '', compare: byText((s) => s.alpn ?? '') },
  { key: 'ja4', label: 'ja4', width: 'minmax(8rem, 1.1fr)', text: (s) => s.ja4 ?? '', compare: byText((s) => s.ja4 ?? '') },
  { key: 'messages', label: 'messages', width: '4.5rem', text: (s) => String(s.messageCount), compare: byNumber((s) => s.messageCount), numeric: true },
  { key: 'duration', label: 'duration', width: '5.5rem', text: (s) => durationText(s.duration), compare: byNumber((s) => s.duration), numeric: true },
  { key: 'status', label: 'status', width: '6rem', text: (s) => s.status, compare: byText((s) => s.status) },
];

export interface SortState {
  key: ColumnKey | null;
  direction: 'asc' | 'desc';
}

/** Sorted copy; ties (and no sort) keep capture order, by id. */
export function sortSessions(rows: readonly SessionSummary[], sort: SortState): SessionSummary[] {
  const column = COLUMNS.find((c) => c.key === sort.key);
  const out = [...rows];
  if (!column) return out.sort((a, b) => a.id - b.id);
  const sign = sort.direction === 'asc' ? 1 : -1;
  return out.sort((a, b) => sign * column.compare(a, b) || a.id - b.id);
}

/** Clicking a header: first ascending, then descending, then back to capture order. */
export function nextSort(sort: SortState, key: ColumnKey): SortState {
  if (sort.key !== key) return { key, direction: 'asc' };
  if (sort.direction === 'asc') return { key, direction: 'desc' };
  return { key: null, direction: 'asc' };
}
