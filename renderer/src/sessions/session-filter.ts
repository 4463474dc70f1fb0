/**
 * The filter box: words separated by spaces, every word must match. A bare
 * word matches any of SNI, addresses, version, cipher suite, ALPN, JA3 hash,
 * JA4, proxy target and status; `sni:`, `ip:`, `version:`, `cipher:`, `alpn:`,
 * `ja3:`, `ja4:`, `status:` narrow it to one; `has:alert` keeps sessions with
 * an alert. Case does not matter.
 */
import type { SessionSummary } from '../../../electron/api/contract';
import { endpointText, versionName } from './format';

type Field = 'sni' | 'ip' | 'version' | 'cipher' | 'alpn' | 'ja3' | 'ja4' | 'status' | 'proxy';

interface Term {
  field: Field | null;
  text: string;
}

export interface SessionFilter {
  terms: Term[];
  hasAlert: boolean;
}

const FIELDS = new Set<Field>(['sni', 'ip', 'version', 'cipher', 'alpn', 'ja3', 'ja4', 'status', 'proxy']);

export function parseFilter(text: string, hasAlert = false): SessionFilter {
  const terms: Term[] = [];
  let alert = hasAlert;
  for (const word of text.toLowerCase().split(/\s+/)) {
    if (!word) continue;
    if (word === 'has:alert' || word === 'is:alert') {
      alert = true;
      continue;
    }
    const colon = word.indexOf(':');
    const field = colon > 0 ? word.slice(0, colon) : '';
    if (FIELDS.has(field as Field) && colon < word.length - 1) terms.push({ field: field as Field, text: word.slice(colon + 1) });
    else terms.push({ field: null, text: word });
  }
  return { terms, hasAlert: alert };
}

function fieldText(s: SessionSummary, field: Field): string {
  switch (field) {
    case 'sni':
      return s.sni ?? '';
    case 'ip':
      return `${endpointText(s.client)} ${endpointText(s.server)}`;
    case 'version': {
      const name = versionName(s.version);
      // "1.3", "tls1.3" and "tls 1.3" all find TLS 1.3.
      return `${name} ${name.replace(' ', '')}`;
    }
    case 'cipher':
      return s.cipherSuiteName ?? '';
    case 'alpn':
      return s.alpn ?? '';
    case 'ja3':
      return s.ja3Hash ?? '';
    case 'ja4':
      return s.ja4 ?? '';
    case 'status':
      return s.status;
    case 'proxy':
      return s.proxyTarget ?? '';
  }
}

const ALL_FIELDS: Field[] = ['sni', 'ip', 'version', 'cipher', 'alpn', 'ja3', 'ja4', 'status', 'proxy'];

export function matchesFilter(s: SessionSummary, filter: SessionFilter): boolean {
  if (filter.hasAlert && !s.hasAlert) return false;
  for (const term of filter.terms) {
    const fields = term.field ? [term.field] : ALL_FIELDS;
    if (!fields.some((f) => fieldText(s, f).toLowerCase().includes(term.text))) return false;
  }
  return true;
}

export function isEmptyFilter(filter: SessionFilter): boolean {
  return filter.terms.length === 0 && !filter.hasAlert;
}
