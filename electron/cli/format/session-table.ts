/** The human table of `tlswb analyze`: one line a session, aligned columns. */
import type { ContractDocument, ContractSession } from '../../core/session/contract-json';
import { versionName } from '../../core/tls/registries';

export function formatSessionTable(doc: ContractDocument): string {
  const rows: string[][] = [['#', 'client', 'server', 'sni', 'version', 'cipher suite', 'alpn', 'msgs', 'status']];
  for (const s of doc.sessions) {
    rows.push([
      String(s.id),
      endpoint(s.client),
      endpoint(s.server) + (s.proxy ? ` (CONNECT ${s.proxy.target} ${s.proxy.status ?? '-'})` : ''),
      s.sni ?? '-',
      s.version === null ? '-' : versionName(s.version),
      s.cipherSuiteName ?? (s.cipherSuite === null ? '-' : `0x${s.cipherSuite.toString(16).padStart(4, '0')}`),
      s.alpn ?? '-',
      String(s.messages.length),
      status(s),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
  const summary = `${doc.sessions.length} TLS session${doc.sessions.length === 1 ? '' : 's'} in ${doc.file.packets} packets`
    + (doc.file.damaged ? ` (file damaged after packet ${doc.file.damaged.afterPacket})` : '');
  return `${lines.join('\n')}\n${summary}\n`;
}

function endpoint(e: { ip: string; port: number }): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** complete / alert / resumed / incomplete, plus warnings. */
export function status(s: ContractSession): string {
  const alert = s.messages.find((m) => m.type === 'alert' && m.level === 'fatal');
  let st: string;
  if (alert) st = `alert ${alert.description ?? ''}`.trim();
  else if (s.resumed) st = 'resumed';
  else if (s.messages.some((m) => m.type === 'application_data')) st = 'complete';
  else st = 'incomplete';
  return s.warnings.length ? `${st}, ${s.warnings.length} warning${s.warnings.length === 1 ? '' : 's'}` : st;
}
