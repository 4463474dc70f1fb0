/**
 * The terminal face of `tlswb.diff/1`: the two sessions, their messages side by
 * side (ms since each connection's start), then each change with its code
 * points named (cipher suites, extensions, groups, versions, ...).
 */
import type { AlignedMessage, DiffChange, DiffSide, DiffValue, FileDiff, SessionDiff } from '../../core/session/diff-model';
import { cipherSuiteName, extensionName, groupName, isGrease, signatureSchemeName, versionName } from '../../core/tls/registries';

function endpoint(e: { ip: string; port: number }): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

function sideLine(label: string, s: DiffSide): string {
  const where = s.file === null ? 'replay' : `${s.file}#${s.session}`;
  return `${label}  ${where}  ${endpoint(s.client)} -> ${endpoint(s.server)}  SNI ${s.sni ?? '-'}`;
}

const hex4 = (v: number): string => `0x${v.toString(16).padStart(4, '0')}`;

/** How a number in `field` is named, if it is a code point of a registry. */
function namer(field: string): ((v: number) => string | null) | null {
  const leaf = field.slice(field.lastIndexOf('.') + 1);
  switch (leaf) {
    case 'cipherSuite':
    case 'cipherSuites':
      return cipherSuiteName;
    case 'extensions':
      return extensionName;
    case 'supportedGroups':
    case 'keyShares':
    case 'keyShareGroup':
    case 'group':
      return groupName;
    case 'signatureAlgorithms':
    case 'signatureScheme':
      return signatureSchemeName;
    case 'version':
    case 'supportedVersions':
      return versionName;
    default:
      return null;
  }
}

function showValue(field: string, v: DiffValue, long: boolean): string {
  if (v === null) return '(none)';
  if (typeof v === 'number') {
    if (namer(field) && isGrease(v)) return 'GREASE';
    const name = namer(field)?.(v);
    if (!name) return String(v);
    const code = name === versionName(v) ? '' : `${hex4(v)} `;
    return long ? `${code}${name}` : name;
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => showValue(field, x, false)).join(', ')}]`;
  return JSON.stringify(v);
}

function changeLines(c: DiffChange): string[] {
  const where = `${(c.message ?? 'session').padEnd(20)} ${c.field}`;
  if (c.added || c.removed) {
    const parts: string[] = [];
    if (c.added?.length) parts.push(`added ${c.added.map((x) => showValue(c.field, x, true)).join(', ')}`);
    if (c.removed?.length) parts.push(`removed ${c.removed.map((x) => showValue(c.field, x, true)).join(', ')}`);
    if (c.reordered) parts.push('order changed');
    return [`  ${where}: ${parts.join('; ') || 'changed'}`];
  }
  if (c.field === 'messages') return [`  ${where}: ${c.message} from ${String(c.a ?? c.b)} only in ${c.a !== null ? 'A' : 'B'}`];
  return [`  ${where}: ${showValue(c.field, c.a, true)}  ->  ${showValue(c.field, c.b, true)}`];
}

function messageTable(rows: readonly AlignedMessage[]): string[] {
  const out = ['  from    message                 A ms        B ms'];
  const cell = (s: AlignedMessage['a']): string => {
    if (!s) return '-'.padStart(10);
    return `${s.ms.toFixed(1)}${s.count > 1 ? ` x${s.count}` : ''}`.padStart(10);
  };
  for (const r of rows) {
    const mark = r.a && r.b ? '' : r.a ? '  only in A' : '  only in B';
    out.push(`  ${r.from.padEnd(7)} ${r.type.padEnd(22)} ${cell(r.a)}  ${cell(r.b)}${mark}`);
  }
  return out;
}

export function formatSessionDiff(d: Pick<SessionDiff, 'a' | 'b' | 'changes' | 'messages' | 'scope'>): string {
  const lines = [sideLine('A', d.a), sideLine('B', d.b)];
  if (d.scope === 'first-flights') lines.push('(compared: the client\'s first flight and the server\'s answer)');
  lines.push('', ...messageTable(d.messages), '');
  if (d.changes.length === 0) lines.push('no differences');
  else {
    lines.push(`${d.changes.length} difference${d.changes.length === 1 ? '' : 's'}:`);
    for (const c of d.changes) lines.push(...changeLines(c));
  }
  return `${lines.join('\n')}\n`;
}

export function formatFileDiff(d: FileDiff): string {
  const out: string[] = [`A  ${d.a.file}: ${d.a.sessions} sessions`, `B  ${d.b.file}: ${d.b.sessions} sessions`, ''];
  const changed = d.pairs.filter((p) => p.changes.length > 0);
  out.push(`${d.pairs.length} matched pair${d.pairs.length === 1 ? '' : 's'}, ${changed.length} with differences; `
    + `${d.onlyInA.length} only in A, ${d.onlyInB.length} only in B`);
  for (const p of d.pairs) {
    out.push('', `=== A#${p.a.session} <-> B#${p.b.session}  ${endpoint(p.a.server)}  SNI ${p.a.sni ?? '-'}  (matched by ${p.matchedBy})`);
    if (p.changes.length === 0) out.push('  no differences');
    else for (const c of p.changes) out.push(...changeLines(c));
  }
  for (const [label, list] of [['only in A', d.onlyInA], ['only in B', d.onlyInB]] as const) {
    if (!list.length) continue;
    out.push('', `${label}:`);
    for (const s of list) out.push(`  #${s.session}  ${endpoint(s.client)} -> ${endpoint(s.server)}  SNI ${s.sni ?? '-'}`);
  }
  return `${out.join('\n')}\n`;
}
