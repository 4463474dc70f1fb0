import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cipherSuiteParams } from '../../../electron/core/tls/decrypt/cipher-suite-params';
import { KeyLog, parseKeyLog } from '../../../electron/core/tls/decrypt/keylog';
import {
  makeTestPki, recordOpenSslExchange, stopAllSpawned, type OpenSslClientOptions, type TestPki,
} from '../../support/real-peers';
import { decryptConnection, type ConnectionDecryption } from './decrypt-connection';
import { tcpChunks, tcpStreamIds, tlsDecryptedAppData, tsharkTlsView, type StreamChunk } from './tshark-streams';

/**
 * Real openssl peers on loopback, recorded by dumpcap, secrets from
 * `-keylogfile`; every record is decrypted by SessionKeys and compared with
 * what tshark decrypts from the same capture and key log.
 */
interface Case {
  name: string;
  version: number;
  suite: number;
  server: string[];
  client: string[];
  /** A second s_client run resumes the first one's session. */
  resume?: boolean;
  /** Both peers run with extended master secret disabled (an OpenSSL config file). */
  noEms?: boolean;
  /** The resuming client sends 0-RTT early data (s_server then cannot run -www). */
  earlyData?: boolean;
}

const TLS13 = ['-tls1_3'];
const tls13 = (suite: string): string[] => [...TLS13, '-ciphersuites', suite];
const tls12 = (cipher: string, ...more: string[]): string[] => ['-tls1_2', '-cipher', cipher, ...more];
// TLS 1.0/1.1 need security level 0 in OpenSSL 3 (SHA-1 signatures, old versions).
const legacy = (version: '-tls1' | '-tls1_1', cipher: string, ...more: string[]): string[] => [version, '-cipher', `${cipher}@SECLEVEL=0`, ...more];

const CASES: Case[] = [
  { name: 'TLS 1.3 TLS_AES_128_GCM_SHA256', version: 0x0304, suite: 0x1301, server: tls13('TLS_AES_128_GCM_SHA256'), client: tls13('TLS_AES_128_GCM_SHA256') },
  { name: 'TLS 1.3 TLS_AES_256_GCM_SHA384', version: 0x0304, suite: 0x1302, server: tls13('TLS_AES_256_GCM_SHA384'), client: tls13('TLS_AES_256_GCM_SHA384') },
  { name: 'TLS 1.3 TLS_CHACHA20_POLY1305_SHA256', version: 0x0304, suite: 0x1303, server: tls13('TLS_CHACHA20_POLY1305_SHA256'), client: tls13('TLS_CHACHA20_POLY1305_SHA256') },
  { name: 'TLS 1.3 TLS_AES_128_CCM_SHA256', version: 0x0304, suite: 0x1304, server: tls13('TLS_AES_128_CCM_SHA256'), client: tls13('TLS_AES_128_CCM_SHA256') },
  { name: 'TLS 1.3 TLS_AES_128_CCM_8_SHA256', version: 0x0304, suite: 0x1305, server: tls13('TLS_AES_128_CCM_8_SHA256'), client: tls13('TLS_AES_128_CCM_8_SHA256') },
  { name: 'TLS 1.3 PSK resumption', version: 0x0304, suite: 0x1302, server: TLS13, client: TLS13, resume: true },
  { name: 'TLS 1.3 PSK resumption with 0-RTT early data', version: 0x0304, suite: 0x1301, server: [...TLS13, '-early_data'], client: tls13('TLS_AES_128_GCM_SHA256'), resume: true, earlyData: true },
  { name: 'TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256', version: 0x0303, suite: 0xc02f, server: [], client: tls12('ECDHE-RSA-AES128-GCM-SHA256') },
  { name: 'TLS 1.2 ECDHE-RSA-AES256-GCM-SHA384', version: 0x0303, suite: 0xc030, server: [], client: tls12('ECDHE-RSA-AES256-GCM-SHA384') },
  { name: 'TLS 1.2 ECDHE-RSA-CHACHA20-POLY1305', version: 0x0303, suite: 0xcca8, server: [], client: tls12('ECDHE-RSA-CHACHA20-POLY1305') },
  { name: 'TLS 1.2 DHE-RSA-AES128-GCM-SHA256', version: 0x0303, suite: 0x009e, server: [], client: tls12('DHE-RSA-AES128-GCM-SHA256') },
  { name: 'TLS 1.2 AES128-SHA encrypt-then-MAC', version: 0x0303, suite: 0x002f, server: [], client: tls12('AES128-SHA') },
  { name: 'TLS 1.2 AES128-SHA MAC-then-encrypt', version: 0x0303, suite: 0x002f, server: [], client: tls12('AES128-SHA', '-no_etm') },
  { name: 'TLS 1.2 AES256-SHA256 encrypt-then-MAC', version: 0x0303, suite: 0x003d, server: [], client: tls12('AES256-SHA256') },
  { name: 'TLS 1.2 AES256-SHA256 MAC-then-encrypt', version: 0x0303, suite: 0x003d, server: [], client: tls12('AES256-SHA256', '-no_etm') },
  { name: 'TLS 1.2 ECDHE-RSA-AES256-SHA384 encrypt-then-MAC', version: 0x0303, suite: 0xc028, server: [], client: tls12('ECDHE-RSA-AES256-SHA384') },
  { name: 'TLS 1.2 ECDHE-RSA-AES256-SHA384 MAC-then-encrypt', version: 0x0303, suite: 0xc028, server: [], client: tls12('ECDHE-RSA-AES256-SHA384', '-no_etm') },
  { name: 'TLS 1.2 session-ID resumption', version: 0x0303, suite: 0xc02f, server: ['-no_ticket'], client: tls12('ECDHE-RSA-AES128-GCM-SHA256'), resume: true },
  { name: 'TLS 1.2 session-ticket resumption', version: 0x0303, suite: 0xc028, server: [], client: tls12('ECDHE-RSA-AES256-SHA384', '-no_etm'), resume: true },
  { name: 'TLS 1.2 without extended master secret', version: 0x0303, suite: 0xc030, server: [], client: tls12('ECDHE-RSA-AES256-GCM-SHA384'), noEms: true },
  { name: 'TLS 1.2 CBC without extended master secret', version: 0x0303, suite: 0x003d, server: [], client: tls12('AES256-SHA256', '-no_etm'), noEms: true },
  { name: 'TLS 1.1 ECDHE-RSA-AES256-SHA', version: 0x0302, suite: 0xc014, server: ['-cipher', 'ALL@SECLEVEL=0'], client: legacy('-tls1_1', 'ECDHE-RSA-AES256-SHA', '-no_etm') },
  { name: 'TLS 1.0 AES128-SHA chained IV', version: 0x0301, suite: 0x002f, server: ['-cipher', 'ALL@SECLEVEL=0'], client: legacy('-tls1', 'AES128-SHA', '-no_etm') },
  { name: 'TLS 1.0 AES128-SHA encrypt-then-MAC', version: 0x0301, suite: 0x002f, server: ['-cipher', 'ALL@SECLEVEL=0'], client: legacy('-tls1', 'AES128-SHA') },
];

const NO_EMS_CONFIG = `openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
Options = -ExtendedMasterSecret
`;

let work: string;
let pki: TestPki;
const captures = new Map<string, { file: string; keylog: string; port: number }>();

async function capture(c: Case): Promise<void> {
  const base = join(work, c.name.replace(/[^a-z0-9]+/gi, '-'));
  const file = `${base}.pcapng`;
  const session = `${base}.session.pem`;
  const early = `${base}.early.txt`;
  if (c.earlyData) writeFileSync(early, 'early data from client\n');
  const input = c.earlyData ? 'normal data from client\n' : undefined;
  const clients: Omit<OpenSslClientOptions, 'host' | 'port' | 'keylogFile'>[] = c.resume
    ? [
      { args: [...c.client, '-sess_out', session], serverName: pki.serverName, input },
      { args: [...c.client, '-sess_in', session, ...(c.earlyData ? ['-early_data', early] : [])], serverName: pki.serverName, input },
    ]
    : [{ args: c.client, serverName: pki.serverName }];
  const exchange = await recordOpenSslExchange(file, { server: { identity: pki.rsaServer, args: c.server, www: !c.earlyData }, clients });
  captures.set(c.name, { file, keylog: exchange.keylogFile, port: exchange.port });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tlswb-decrypt-'));
  pki = makeTestPki(work);
  const queue = CASES.filter((c) => !c.noEms);
  const worker = async (): Promise<void> => {
    for (let c = queue.shift(); c; c = queue.shift()) await capture(c);
  };
  await Promise.all([worker(), worker(), worker()]);
  // OPENSSL_CONF reaches the peers through the environment they inherit: one case at a time, nothing else running.
  const config = join(work, 'no-ems.cnf');
  writeFileSync(config, NO_EMS_CONFIG);
  process.env.OPENSSL_CONF = config;
  try {
    for (const c of CASES.filter((k) => k.noEms)) await capture(c);
  } finally {
    delete process.env.OPENSSL_CONF;
  }
}, 300_000);

afterAll(async () => {
  await stopAllSpawned();
  if (work && !process.env.TLSWB_KEEP_CAPTURES) rmSync(work, { recursive: true, force: true });
});

const decrypted = new Map<string, { decryptions: ConnectionDecryption[]; streams: number[] }>();
const payloads = new Map<string, { streams: number[]; chunks: StreamChunk[][] }>();

/** Each TCP connection's payload in the case's capture, as tshark reassembles it (memoized). */
function payloadOf(name: string): { streams: number[]; chunks: StreamChunk[][] } {
  const known = payloads.get(name);
  if (known) return known;
  const cap = captures.get(name)!;
  const streams = tcpStreamIds(cap.file);
  const result = { streams, chunks: tcpChunks(cap.file, streams, cap.port) };
  payloads.set(name, result);
  return result;
}

/** Every TCP connection of the case's capture, decrypted with its key log (memoized: tshark is slow). */
function decryptAll(name: string): { decryptions: ConnectionDecryption[]; streams: number[] } {
  const known = decrypted.get(name);
  if (known) return known;
  const cap = captures.get(name)!;
  const log = parseKeyLog(readFileSync(cap.keylog, 'utf8')).keyLog;
  const { streams, chunks } = payloadOf(name);
  const result = { decryptions: chunks.map((c) => decryptConnection(c, log)), streams };
  decrypted.set(name, result);
  return result;
}

describe.each(CASES)('$name', (c) => {
  it('negotiates what the case asks for', () => {
    const { decryptions } = decryptAll(c.name);
    expect(decryptions.length).toBeGreaterThan(0);
    for (const d of decryptions) {
      expect(d.version).toBe(c.version);
      expect(d.cipherSuite).toBe(c.suite);
      expect(d.keys?.status).toBe('ready');
      expect(d.extendedMasterSecret).toBe(c.version < 0x0304 && !c.noEms);
      // encrypt_then_mac applies to CBC suites only; the servers answer it unless the client left it out.
      expect(d.encryptThenMac).toBe(cipherSuiteParams(c.suite)!.mode === 'cbc' && !c.client.includes('-no_etm'));
    }
    expect(decryptions.map((d) => d.resumed)).toEqual(c.resume ? [false, true] : [false]);
    if (c.earlyData) {
      // The early data went in 0-RTT records, before the ServerHello, under the early traffic secret; then EndOfEarlyData (5).
      expect(decryptions[1]!.appData.client.toString()).toBe('early data from client\nnormal data from client\n');
      expect(decryptions[1]!.handshakeTypes.client).toEqual([1, 5, 20]);
    }
  });

  it('decrypts every record, as tshark does', () => {
    const cap = captures.get(c.name)!;
    const { decryptions, streams } = decryptAll(c.name);
    const tsharkData = tlsDecryptedAppData(cap.file, streams, cap.port, cap.keylog);
    const view = tsharkTlsView(cap.file, cap.keylog, cap.port);
    decryptions.forEach((d, i) => {
      expect(d.failures).toEqual([]);
      expect(d.appData.client.length).toBeGreaterThan(0);
      // Without -www (the 0-RTT case) the server sends no application data.
      if (!c.earlyData) expect(d.appData.server.length).toBeGreaterThan(0);
      expect(d.appData.client.equals(tsharkData[i]!.client)).toBe(true);
      expect(d.appData.server.equals(tsharkData[i]!.server)).toBe(true);
      expect(d.contentTypes).toEqual(view.contentTypes.get(streams[i]!));
      expect(d.handshakeTypes).toEqual(view.handshakeTypes.get(streams[i]!));
    });
  });

  it('finds both Finished verify_data correct', () => {
    const { decryptions } = decryptAll(c.name);
    for (const d of decryptions) {
      expect(d.finished.map((f) => f.side).sort()).toEqual(['client', 'server']);
      expect(d.finished.every((f) => f.ok)).toBe(true);
    }
  });
});

/** The same key log with the last hex digit of every secret changed: right lines, wrong keys. */
function wrongSecrets(text: string): string {
  return text.split('\n').map((line) => {
    const fields = line.split(' ');
    if (fields.length !== 3 || line.startsWith('#')) return line;
    const last = fields[2]!.slice(-1);
    return `${fields[0]} ${fields[1]} ${fields[2]!.slice(0, -1)}${last === '0' ? '1' : '0'}`;
  }).join('\n');
}

describe('with secrets that do not match the capture', () => {
  const names = [
    'TLS 1.3 TLS_AES_128_GCM_SHA256', 'TLS 1.3 TLS_CHACHA20_POLY1305_SHA256', 'TLS 1.3 TLS_AES_128_CCM_8_SHA256',
    'TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256', 'TLS 1.2 ECDHE-RSA-CHACHA20-POLY1305',
    'TLS 1.2 AES128-SHA encrypt-then-MAC', 'TLS 1.2 AES256-SHA256 MAC-then-encrypt', 'TLS 1.0 AES128-SHA chained IV',
  ];

  it.each(names)('%s: every encrypted record fails cleanly, no garbage plaintext', (name) => {
    const cap = captures.get(name)!;
    const log = parseKeyLog(wrongSecrets(readFileSync(cap.keylog, 'utf8'))).keyLog;
    const [wrong] = payloadOf(name).chunks.map((chunks) => decryptConnection(chunks, log));
    const right = decryptAll(name).decryptions[0]!;
    expect(wrong!.keys?.status).toBe('ready');
    expect(wrong!.appData.client.length + wrong!.appData.server.length).toBe(0);
    // Every record the right keys decrypted fails with the wrong ones, as a MAC or padding failure.
    const encryptedRecords = right.contentTypes.client.length + right.contentTypes.server.length
      - (wrong!.contentTypes.client.length + wrong!.contentTypes.server.length - wrong!.failures.length);
    expect(wrong!.failures.length).toBe(encryptedRecords);
    expect(wrong!.failures.length).toBeGreaterThan(2);
    for (const f of wrong!.failures) expect(['bad-record-mac', 'bad-padding']).toContain(f.reason);
  });

  it.each(names)('%s: the real Finished verify_data does not check out', (name) => {
    const cap = captures.get(name)!;
    const right = decryptAll(name).decryptions[0]!;
    const log = parseKeyLog(wrongSecrets(readFileSync(cap.keylog, 'utf8'))).keyLog;
    const [wrong] = payloadOf(name).chunks.map((chunks) => decryptConnection(chunks, log));
    expect(right.finished).toHaveLength(2);
    for (const f of right.finished) {
      expect(right.keys!.checkFinished(f.side, f.verifyData, f.transcriptHash)).toBe(true);
      expect(wrong!.keys!.checkFinished(f.side, f.verifyData, f.transcriptHash)).toBe(false);
    }
  });

  it('without any secret: says no-keys for each encrypted record, and cleartext for the rest', () => {
    const [none] = payloadOf('TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256').chunks.map((chunks) => decryptConnection(chunks, new KeyLog()));
    expect(none!.keys?.status).toBe('no-keys');
    expect(none!.failures.length).toBeGreaterThan(2);
    expect(new Set(none!.failures.map((f) => f.reason))).toEqual(new Set(['no-keys']));
    // ClientHello, ServerHello..ServerHelloDone, ClientKeyExchange were read in the clear.
    expect(none!.handshakeTypes.server.slice(0, 4)).toEqual([2, 11, 12, 14]);
    expect(none!.handshakeTypes.client).toEqual([1, 16]);
  });
});

describe('resumption with the master secret remembered from the resumed connection', () => {
  it('decrypts a session-ID resumption whose own CLIENT_RANDOM line is missing, given the first connection\'s master secret', () => {
    const name = 'TLS 1.2 session-ID resumption';
    const cap = captures.get(name)!;
    const right = decryptAll(name).decryptions;
    // Keep only the first connection's line: as if the resuming client had not logged its secrets.
    const firstRandom = Buffer.from(right[0]!.clientRandom!).toString('hex');
    const lines = readFileSync(cap.keylog, 'utf8').split('\n').filter((l) => l.includes(firstRandom));
    expect(lines).toHaveLength(2); // both peers logged it
    const log = parseKeyLog(lines.join('\n')).keyLog;
    const { chunks } = payloadOf(name);
    const first = decryptConnection(chunks[0]!, log);
    const withoutHelp = decryptConnection(chunks[1]!, log);
    const resumed = decryptConnection(chunks[1]!, log, { masterSecret: first.keys!.masterSecret! });
    expect(withoutHelp.keys!.status).toBe('no-keys');
    expect(resumed.resumed).toBe(true);
    expect(resumed.failures).toEqual([]);
    expect(resumed.appData.server.equals(right[1]!.appData.server)).toBe(true);
    expect(resumed.finished.every((f) => f.ok)).toBe(true);
  });
});

describe('a TLS 1.3 key log with the application traffic secrets only', () => {
  it.each(['TLS 1.3 TLS_AES_256_GCM_SHA384', 'TLS 1.3 TLS_CHACHA20_POLY1305_SHA256'])('%s: the application data still decrypts; the handshake records are no-keys', (name) => {
    const cap = captures.get(name)!;
    const right = decryptAll(name).decryptions[0]!;
    const text = readFileSync(cap.keylog, 'utf8').split('\n').filter((l) => !l.includes('HANDSHAKE_TRAFFIC_SECRET')).join('\n');
    const [partial] = payloadOf(name).chunks.map((chunks) => decryptConnection(chunks, parseKeyLog(text).keyLog));
    expect(partial!.appData.client.equals(right.appData.client)).toBe(true);
    expect(partial!.appData.server.equals(right.appData.server)).toBe(true);
    // The server's EncryptedExtensions..Finished record(s) and the client's Finished.
    expect(partial!.failures.length).toBeGreaterThan(1);
    expect(new Set(partial!.failures.map((f) => f.reason))).toEqual(new Set(['no-keys']));
    expect(partial!.finished).toEqual([]);
  });
});
