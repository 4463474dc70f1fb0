import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffNumberList } from '../../../electron/core/session/diff-lists';
import { diffFiles } from '../../../electron/core/session/diff-matching';
import { diffSessions } from '../../../electron/core/session/session-diff';
import type { Session } from '../../../electron/core/session/model';
import { loadSessions } from '../../../electron/services/replay/session-source';
import { tsharkOracle, type OracleSession } from '../../support/oracle';

/** Diffs of real sessions (test/fixtures/diff, see SOURCES.md), checked against tshark's facts of the same captures. */
const fixture = (name: string): string => join(import.meta.dirname, '..', '..', 'fixtures', 'diff', name);

const changed = (d: ReturnType<typeof diffSessions>): string[] => d.changes.map((c) => `${c.message ?? '-'}:${c.field}`);

describe('diffing two sessions of one Firefox capture: a full TLS 1.3 handshake and a PSK resumption', () => {
  let sessions: Session[];
  let oracle: OracleSession[];
  beforeAll(async () => {
    sessions = await loadSessions(fixture('firefox.pcap'));
    oracle = tsharkOracle(fixture('firefox.pcap'));
  });

  it('a session against itself has no differences and every message aligned', () => {
    const d = diffSessions(sessions[0]!, sessions[0]!);
    expect(d.changes).toEqual([]);
    expect(d.messages.every((m) => m.a !== null && m.b !== null)).toBe(true);
    expect(d.format).toBe('tlswb.diff/1');
  });

  it('names the resumption: pre_shared_key offered and accepted, fingerprints as tshark computes them', () => {
    const d = diffSessions(sessions[0]!, sessions[1]!, { aFile: 'firefox.pcap', bFile: 'firefox.pcap' });
    // Beside the facts, only the flow of application data differs (another page, another ticket).
    expect(changed(d).filter((f) => f.endsWith(':messages')).every((f) => f === 'application_data:messages')).toBe(true);
    expect(changed(d).filter((f) => !f.endsWith(':messages'))).toEqual([
      'client_hello:extensions', 'client_hello:pskIdentities', 'client_hello:ja3', 'client_hello:ja3Hash', 'client_hello:ja4',
      'server_hello:extensions', 'server_hello:ja3s', 'server_hello:ja3sHash', '-:resumed',
    ]);
    const ext = d.changes.find((c) => c.field === 'extensions' && c.message === 'client_hello')!;
    expect(ext.added).toEqual([41]);
    expect(ext.removed).toEqual([35, 21]);
    expect(d.changes.find((c) => c.field === 'ja3Hash')).toMatchObject({ a: oracle[0]!.ja3Hash, b: oracle[1]!.ja3Hash });
    expect(d.changes.find((c) => c.field === 'ja3sHash')).toMatchObject({ a: oracle[0]!.ja3sHash, b: oracle[1]!.ja3sHash });
    expect(d.changes.find((c) => c.field === 'resumed')).toMatchObject({ a: false, b: true, message: null });
    expect(d.a).toMatchObject({ file: 'firefox.pcap', session: 0, sni: 'www.iit.cnr.it', server: { ip: '146.48.58.18', port: 443 } });
  });

  it('aligns messages by type and order and times each step from the connection start', () => {
    const d = diffSessions(sessions[0]!, sessions[1]!);
    expect(d.messages[0]).toMatchObject({ type: 'client_hello', from: 'client' });
    expect(d.messages[0]!.a!.frame).toBe(4);
    for (const row of d.messages) {
      for (const side of [row.a, row.b]) if (side) expect(side.ms).toBeGreaterThanOrEqual(0);
    }
    // Runs of application_data records are one step each.
    const appData = d.messages.filter((m) => m.type === 'application_data');
    for (let i = 1; i < appData.length; i++) expect(appData[i]!.from === appData[i - 1]!.from && d.messages.indexOf(appData[i]!) === d.messages.indexOf(appData[i - 1]!) + 1).toBe(false);
  });
});

describe('GREASE values are compared as one value', () => {
  it('a Chrome hello whose GREASE values changed (as they do on every connection) has no differences', async () => {
    const [s] = await loadSessions(fixture('tls_grease.pcap'));
    const ch = s!.clientHello!;
    expect(ch.cipherSuites.filter((v) => (v & 0x0f0f) === 0x0a0a).length).toBeGreaterThan(0);
    const regreased: Session = {
      ...s!,
      clientHello: {
        ...ch,
        cipherSuites: ch.cipherSuites.map((v) => ((v & 0x0f0f) === 0x0a0a && (v >> 8) === (v & 0xff) ? (v === 0xfafa ? 0x1a1a : 0xfafa) : v)),
        extensions: ch.extensions.map((e) => ((e.type & 0x0f0f) === 0x0a0a ? { ...e, type: e.type === 0x3a3a ? 0x4a4a : 0x3a3a } : e)),
      },
    };
    expect(regreased.clientHello!.cipherSuites).not.toEqual(ch.cipherSuites);
    expect(diffSessions(s!, regreased).changes).toEqual([]);
  });

  it('tells added, removed and reordered apart', () => {
    expect(diffNumberList('cipherSuites', 'client_hello', [0x2a2a, 1, 2, 3], [0x5a5a, 1, 2, 3])).toBeNull();
    expect(diffNumberList('cipherSuites', 'client_hello', [1, 2, 3], [3, 2, 1, 4])).toMatchObject({ added: [4], removed: [], reordered: true });
    expect(diffNumberList('cipherSuites', 'client_hello', [1, 2, 3], [1, 3])).toMatchObject({ added: [], removed: [2], reordered: false });
  });
});

describe('two OpenSSL clients to Google, TLS 1.0 and TLS 1.2', () => {
  it('version, cipher suite and key exchange agree with tshark; the changed certificates are named field by field', async () => {
    const [a] = await loadSessions(fixture('arkime-openssl-tls1.pcap'));
    const [b] = await loadSessions(fixture('arkime-openssl-tls1_2.pcap'));
    const [oa] = tsharkOracle(fixture('arkime-openssl-tls1.pcap'));
    const [ob] = tsharkOracle(fixture('arkime-openssl-tls1_2.pcap'));
    const d = diffSessions(a!, b!);
    expect(d.changes.find((c) => c.field === 'version' && c.message === 'server_hello')).toMatchObject({ a: oa!.version, b: ob!.version });
    expect(d.changes.find((c) => c.field === 'cipherSuite')).toMatchObject({ a: oa!.cipherSuite, b: ob!.cipherSuite });
    expect(d.changes.find((c) => c.field === 'version' && c.message === 'client_hello')).toMatchObject({ a: 0x0301, b: 0x0303 });
    const certFields = d.changes.filter((c) => c.message === 'certificate').map((c) => c.field);
    for (let i = 0; i < Math.max(oa!.certificates.length, ob!.certificates.length); i++) {
      const same = oa!.certificates[i] === ob!.certificates[i];
      expect(certFields.includes(`certificates[${i}].sha256`) || certFields.includes(`certificates[${i}]`)).toBe(!same);
    }
  });
});

describe('two captures of one server: sessions matched by server and SNI', () => {
  it('pairs the sessions, lists what changed in each and what is left over', async () => {
    const a = await loadSessions(fixture('firefox-early.pcap'));
    const b = await loadSessions(fixture('firefox-late.pcap'));
    const d = diffFiles('early', a, 'late', b);
    expect(d.pairs.map((p) => [p.a.session, p.b.session, p.matchedBy])).toEqual([[0, 0, 'server+sni'], [1, 1, 'server+sni'], [2, 2, 'server+sni']]);
    // The early capture's first connection is a full handshake, the late one's a resumption.
    expect(d.pairs[0]!.changes.find((c) => c.field === 'resumed')).toMatchObject({ a: false, b: true });
    // The late capture starts inside two earlier connections: no hello, no SNI, nothing to pair with.
    expect(d.onlyInA).toEqual([]);
    expect(d.onlyInB.map((s) => s.sni)).toEqual([null, null]);
  });
});
