import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientHelloInfo, Session } from '../../../electron/core/session/model';
import { ClientHelloEditError, encodeClientHello, handshakeRecords, type ClientHelloEdits } from '../../../electron/core/tls/client-hello-encoder';
import { parseHandshakeMessage } from '../../../electron/core/tls/handshake-message';
import { newParseContext } from '../../../electron/core/tls/parse-context';
import { isGrease } from '../../../electron/core/tls/registries';
import { LegRecorder } from '../../../electron/services/proxy/leg-recorder';
import { loadSessions } from '../../../electron/services/replay/session-source';

/**
 * Re-encoding real ClientHellos (test/fixtures/diff): unedited they come back
 * byte for byte; edited, the engine's own parser reads back exactly the edits
 * and everything else unchanged, and tshark parses them without complaint.
 */
const fixture = (name: string): string => join(import.meta.dirname, '..', '..', 'fixtures', 'diff', name);
const captures = ['firefox.pcap', 'tls_grease.pcap', 'tls13_psk_succesfull.pcap', 'ja3_lots_of_cipher_suites.pcap', 'arkime-openssl-tls1.pcap', 'arkime-https-connect.pcap'];

interface Hello {
  name: string;
  raw: Uint8Array;
  recordVersion: number;
  info: ClientHelloInfo;
}

let hellos: Hello[] = [];
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tlswb-encoder-'));
  for (const c of captures) {
    const sessions: Session[] = await loadSessions(fixture(c));
    for (const s of sessions) {
      const m = s.messages.find((x) => x.type === 'client_hello' && x.from === 'client');
      if (m && s.clientHello && !m.sslv2) hellos.push({ name: `${c}#${s.id}`, raw: m.raw, recordVersion: m.recordVersion ?? 0x0301, info: s.clientHello });
    }
  }
  hellos = hellos.slice(0, 40);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function decode(message: Uint8Array): { info: ClientHelloInfo; problems: string[] } {
  const ctx = newParseContext(null);
  const facts = parseHandshakeMessage(message, ctx);
  return { info: facts.clientHello!, problems: ctx.problems };
}

const types = (i: ClientHelloInfo): number[] => i.extensions.map((e) => e.type);

describe('without edits', () => {
  it('returns every recorded ClientHello byte for byte', () => {
    expect(hellos.length).toBeGreaterThanOrEqual(8);
    for (const h of hellos) expect(Buffer.from(encodeClientHello(h.raw).message).equals(Buffer.from(h.raw)), h.name).toBe(true);
  });
});

describe('with edits, decode(encode(hello)) is the hello with the edits applied', () => {
  it('--sni, --alpn and --drop-cipher change those and nothing else', () => {
    for (const h of hellos) {
      const drop = h.info.cipherSuites.find((c) => !isGrease(c))!;
      const { message, notes } = encodeClientHello(h.raw, { sni: 'replay.tlswb.test', alpn: ['h2', 'http/1.1'], dropCiphers: [drop] });
      const { info, problems } = decode(message);
      expect(problems, h.name).toEqual([]);
      expect(info.sni).toBe('replay.tlswb.test');
      expect(info.alpn).toEqual(['h2', 'http/1.1']);
      expect(info.cipherSuites).toEqual(h.info.cipherSuites.filter((c) => c !== drop));
      for (const k of ['version', 'random', 'sessionId', 'compressionMethods', 'supportedVersions', 'supportedGroups', 'signatureAlgorithms', 'keyShares', 'ecPointFormats'] as const) {
        expect(info[k], `${h.name} ${k}`).toEqual(h.info[k]);
      }
      // Extensions keep their order; server_name / ALPN are added when missing; a PSK cannot survive an edit.
      const expected = types(h.info).filter((t) => t !== 41 && t !== 42);
      for (const t of [0, 16]) expect(types(info)).toContain(t);
      expect(types(info).filter((t) => expected.includes(t))).toEqual(expected);
      if (types(h.info).includes(41)) expect(notes.join()).toMatch(/pre_shared_key removed/);
      // A padded hello keeps its length when the padding can absorb the change.
      const pad = h.info.extensions.find((e) => e.type === 21);
      if (pad && pad.length >= message.length - h.raw.length) expect(message.length, h.name).toBe(h.raw.length);
    }
  });

  it('--only-version 1.2 removes supported_versions, key_share and the TLS 1.3 suites', () => {
    for (const h of hellos) {
      const { info, problems } = decode(encodeClientHello(h.raw, { onlyVersion: '1.2' }).message);
      expect(problems).toEqual([]);
      expect(info.version).toBe(0x0303);
      expect(info.supportedVersions).toEqual([]);
      expect(info.keyShares).toEqual([]);
      const tls12 = h.info.cipherSuites.filter((c) => (c & 0xff00) !== 0x1300 || isGrease(c));
      expect(info.cipherSuites).toEqual(tls12.some((c) => !isGrease(c)) ? tls12 : h.info.cipherSuites);
    }
  });

  it('--only-version 1.3 offers exactly TLS 1.3 (GREASE kept), with an empty key_share when none was recorded', () => {
    for (const h of hellos) {
      const { info, problems } = decode(encodeClientHello(h.raw, { onlyVersion: '1.3' }).message);
      expect(problems).toEqual([]);
      expect(info.supportedVersions.filter((v) => !isGrease(v))).toEqual([0x0304]);
      expect(info.version).toBe(0x0303);
      expect(types(info)).toContain(51);
      if (h.info.keyShares.length) expect(info.keyShares).toEqual(h.info.keyShares);
    }
  });

  it('refuses edits that leave nothing to offer', () => {
    const h = hellos[0]!;
    expect(() => encodeClientHello(h.raw, { dropCiphers: h.info.cipherSuites })).toThrow(ClientHelloEditError);
    expect(() => encodeClientHello(h.raw, { alpn: ['x'.repeat(300)] })).toThrow(ClientHelloEditError);
  });
});

describe('tshark reads the edited hellos', () => {
  it('parses every edited hello as a ClientHello with the edits, without malformed packets', async () => {
    const file = join(dir, 'edited.pcapng');
    const recorder = await LegRecorder.create({ file });
    const edits: ClientHelloEdits[] = [{ sni: 'edited.tlswb.test', alpn: ['h2'] }, { onlyVersion: '1.2', sni: 'edited.tlswb.test' }, { onlyVersion: '1.3', sni: 'edited.tlswb.test', alpn: [] }];
    const expectedAlpn: string[] = [];
    hellos.forEach((h, i) => {
      for (const [j, e] of edits.entries()) {
        expectedAlpn.push(e.alpn ? e.alpn.join(',') : h.info.alpn.join(','));
        const leg = recorder.leg({ ip: '10.9.0.1', port: 40000 + i * 4 + j }, { ip: '10.9.0.2', port: 443 });
        leg.open();
        leg.sent('client', handshakeRecords(encodeClientHello(h.raw, e).message, h.recordVersion));
        leg.close('client');
      }
    });
    await recorder.close();
    const run = spawnSync('tshark', ['-r', file, '-Y', 'tls.handshake.type == 1', '-T', 'fields', '-E', 'separator=|',
      '-e', 'tls.handshake.extensions_server_name', '-e', 'tls.handshake.extensions_alpn_str', '-e', '_ws.malformed', '-e', '_ws.expert.severity'],
    { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(expectedAlpn.length);
    for (const [i, line] of lines.entries()) {
      const [sni, alpn, malformed, severity] = line.split('|');
      expect(alpn).toBe(expectedAlpn[i]);
      expect(sni).toBe('edited.tlswb.test');
      expect(malformed).toBe('');
      // tshark's expert "error" severity (the class malformed fields get) must not appear.
      expect(severity ?? '').not.toMatch(/8388608/);
    }
  });
});
