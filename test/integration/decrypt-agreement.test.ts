import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeWithCli, compareWithTshark, type ContractSession } from '../support/oracle';
import { makeTestPki, recordOpenSslExchange, stopAllSpawned, type OpenSslClientOptions, type TestPki } from '../support/real-peers';
import { runTlswb } from '../support/run-cli';

/**
 * Decryption end to end: real openssl peers on loopback recorded by dumpcap,
 * their `-keylogfile`, and `tlswb analyze --keylog` compared with tshark given
 * the same key log (compare-analysis.py): every session, message type, side
 * and frame must agree, and the encrypted half of each handshake must appear.
 */
interface Case {
  name: string;
  version: number;
  server: string[];
  client: string[];
  /** A second s_client run resumes the first one's session. */
  resume?: boolean;
  /** Server asks for a client certificate. */
  clientAuth?: boolean;
  /** The resuming client sends 0-RTT early data (s_server then cannot run -www). */
  earlyData?: boolean;
}

const tls13 = (suite: string, ...more: string[]): string[] => ['-tls1_3', '-ciphersuites', suite, ...more];
const tls12 = (cipher: string, ...more: string[]): string[] => ['-tls1_2', '-cipher', cipher, ...more];

const CASES: Case[] = [
  { name: 'TLS 1.3 TLS_AES_128_GCM_SHA256', version: 0x0304, server: tls13('TLS_AES_128_GCM_SHA256'), client: tls13('TLS_AES_128_GCM_SHA256') },
  { name: 'TLS 1.3 TLS_AES_256_GCM_SHA384', version: 0x0304, server: tls13('TLS_AES_256_GCM_SHA384'), client: tls13('TLS_AES_256_GCM_SHA384') },
  { name: 'TLS 1.3 TLS_CHACHA20_POLY1305_SHA256', version: 0x0304, server: tls13('TLS_CHACHA20_POLY1305_SHA256'), client: tls13('TLS_CHACHA20_POLY1305_SHA256') },
  { name: 'TLS 1.3 TLS_AES_128_CCM_SHA256', version: 0x0304, server: tls13('TLS_AES_128_CCM_SHA256'), client: tls13('TLS_AES_128_CCM_SHA256') },
  { name: 'TLS 1.3 TLS_AES_128_CCM_8_SHA256', version: 0x0304, server: tls13('TLS_AES_128_CCM_8_SHA256'), client: tls13('TLS_AES_128_CCM_8_SHA256') },
  { name: 'TLS 1.3 PSK resumption', version: 0x0304, server: ['-tls1_3'], client: ['-tls1_3'], resume: true },
  { name: 'TLS 1.3 PSK resumption with 0-RTT early data', version: 0x0304, server: ['-tls1_3', '-early_data'], client: tls13('TLS_AES_128_GCM_SHA256'), resume: true, earlyData: true },
  // The client's key share is for X25519, the server only takes P-256: a HelloRetryRequest, and a
  // transcript that starts with message_hash (RFC 8446 4.4.1).
  { name: 'TLS 1.3 HelloRetryRequest', version: 0x0304, server: ['-tls1_3', '-groups', 'P-256'], client: ['-tls1_3', '-groups', 'X25519:P-256'] },
  { name: 'TLS 1.3 client certificate', version: 0x0304, server: ['-tls1_3', '-Verify', '1'], client: ['-tls1_3'], clientAuth: true },
  { name: 'TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256', version: 0x0303, server: [], client: tls12('ECDHE-RSA-AES128-GCM-SHA256') },
  { name: 'TLS 1.2 ECDHE-RSA-AES256-GCM-SHA384', version: 0x0303, server: [], client: tls12('ECDHE-RSA-AES256-GCM-SHA384') },
  { name: 'TLS 1.2 ECDHE-RSA-CHACHA20-POLY1305', version: 0x0303, server: [], client: tls12('ECDHE-RSA-CHACHA20-POLY1305') },
  { name: 'TLS 1.2 DHE-RSA-AES128-GCM-SHA256', version: 0x0303, server: [], client: tls12('DHE-RSA-AES128-GCM-SHA256') },
  { name: 'TLS 1.2 AES128-SHA (RSA key exchange) encrypt-then-MAC', version: 0x0303, server: [], client: tls12('AES128-SHA') },
  { name: 'TLS 1.2 AES128-SHA MAC-then-encrypt', version: 0x0303, server: [], client: tls12('AES128-SHA', '-no_etm') },
  { name: 'TLS 1.2 AES256-SHA256', version: 0x0303, server: [], client: tls12('AES256-SHA256') },
  { name: 'TLS 1.2 ECDHE-RSA-AES256-SHA384 MAC-then-encrypt', version: 0x0303, server: [], client: tls12('ECDHE-RSA-AES256-SHA384', '-no_etm') },
  { name: 'TLS 1.2 session-ID resumption', version: 0x0303, server: ['-no_ticket'], client: tls12('ECDHE-RSA-AES128-GCM-SHA256'), resume: true },
  { name: 'TLS 1.2 session-ticket resumption', version: 0x0303, server: [], client: tls12('ECDHE-RSA-AES256-SHA384'), resume: true },
];

let work: string;
let pki: TestPki;
const captures = new Map<string, { file: string; keylog: string }>();

async function capture(c: Case): Promise<void> {
  const base = join(work, c.name.replace(/[^a-z0-9]+/gi, '-'));
  const file = `${base}.pcapng`;
  const session = `${base}.session.pem`;
  const clientCert = c.clientAuth ? ['-cert', pki.client.cert, '-key', pki.client.key] : [];
  const early = `${base}.early.txt`;
  if (c.earlyData) writeFileSync(early, 'early data from client\n');
  const input = c.earlyData ? 'normal data from client\n' : undefined;
  const clients: Omit<OpenSslClientOptions, 'host' | 'port' | 'keylogFile'>[] = c.resume
    ? [
      { args: [...c.client, '-sess_out', session], serverName: pki.serverName, input },
      { args: [...c.client, '-sess_in', session, ...(c.earlyData ? ['-early_data', early] : [])], serverName: pki.serverName, input },
    ]
    : [{ args: [...c.client, ...clientCert], serverName: pki.serverName }];
  const server = c.clientAuth ? [...c.server, '-CAfile', pki.caBundle] : c.server;
  const exchange = await recordOpenSslExchange(file, { server: { identity: pki.rsaServer, args: server, www: !c.earlyData }, clients });
  captures.set(c.name, { file, keylog: exchange.keylogFile });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tlswb-decrypt-int-'));
  pki = makeTestPki(work);
  const queue = [...CASES];
  const worker = async (): Promise<void> => {
    for (let c = queue.shift(); c; c = queue.shift()) await capture(c);
  };
  await Promise.all([worker(), worker(), worker()]);
}, 300_000);

afterAll(async () => {
  await stopAllSpawned();
  if (work && !process.env.TLSWB_KEEP_CAPTURES) rmSync(work, { recursive: true, force: true });
});

/** Messages as the document gives them with decryption (`decrypted` is additive to tlswb.analysis/1). */
type DecryptedMessage = ContractSession['messages'][number] & { decrypted?: boolean };

function decryptedTypes(s: ContractSession, from: 'client' | 'server'): string[] {
  return (s.messages as DecryptedMessage[]).filter((m) => m.decrypted && m.from === from && m.type !== 'application_data').map((m) => m.type);
}

describe.each(CASES)('$name', (c) => {
  it('agrees with tshark given the same key log, message by message', () => {
    const cap = captures.get(c.name)!;
    const result = compareWithTshark(cap.file, [], cap.keylog);
    expect(result.output).toMatch(/SCORE/);
    expect(result.percent, result.output).toBe(100);
  });

  it('shows the encrypted half of the handshake, decrypted, without warnings', () => {
    const cap = captures.get(c.name)!;
    const doc = analyzeWithCli(cap.file, ['--keylog', cap.keylog]);
    expect(doc.sessions.length).toBe(c.resume ? 2 : 1);
    doc.sessions.forEach((s, i) => {
      const resumed = i === 1;
      expect(s.version).toBe(c.version);
      expect(s.warnings).toEqual([]);
      expect(s.resumed).toBe(resumed);
      expect(decryptedTypes(s, 'client')).toContain('finished');
      if (c.earlyData && resumed) expect(decryptedTypes(s, 'client').filter((t) => t !== 'alert')).toEqual(['end_of_early_data', 'finished']);
      expect(decryptedTypes(s, 'server')).toContain('finished');
      const appData = s.messages.filter((m) => m.type === 'application_data');
      expect(appData.length).toBeGreaterThan(0);
      expect(appData.every((m: DecryptedMessage) => m.decrypted === true)).toBe(true);
      // Encrypted alerts (close_notify at the end) get their level and description.
      for (const alert of (s.messages as DecryptedMessage[]).filter((m) => m.type === 'alert' && m.decrypted)) {
        expect(alert.level).toBe('warning');
        expect(alert.description).toBe('close_notify');
      }
      if (c.version === 0x0304) {
        expect(decryptedTypes(s, 'server')[0]).toBe('encrypted_extensions');
        if (!resumed) {
          // The chain openssl served, read from the decrypted Certificate message.
          expect(decryptedTypes(s, 'server')).toEqual(expect.arrayContaining(['certificate', 'certificate_verify']));
          expect(s.certificates.length).toBeGreaterThan(0);
          expect(s.certificates[0]!.subject).toContain(pki.serverName);
        }
        if (c.clientAuth) {
          expect(decryptedTypes(s, 'server')).toContain('certificate_request');
          expect(decryptedTypes(s, 'client').filter((t) => t !== 'alert')).toEqual(['certificate', 'certificate_verify', 'finished']);
          expect(s.clientCertificates.length).toBe(1);
        }
      }
    });
  });
});

describe('keys that do not fit, and keys that do not cover the capture', () => {
  /** The same key log with the last hex digit of every secret changed: right client randoms, wrong keys. */
  function wrongSecrets(text: string): string {
    return text.split('\n').map((line) => {
      const fields = line.split(' ');
      if (fields.length !== 3 || line.startsWith('#')) return line;
      const last = fields[2]!.slice(-1);
      return `${fields[0]} ${fields[1]} ${fields[2]!.slice(0, -1)}${last === '0' ? '1' : '0'}`;
    }).join('\n');
  }

  it.each(['TLS 1.3 TLS_AES_128_GCM_SHA256', 'TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256', 'TLS 1.2 AES128-SHA MAC-then-encrypt'])(
    '%s: wrong secrets give one clear warning and the messages of no key log',
    (name) => {
      const cap = captures.get(name)!;
      const wrong = join(work, 'wrong.keys');
      writeFileSync(wrong, wrongSecrets(readFileSync(cap.keylog, 'utf8')));
      const plain = analyzeWithCli(cap.file);
      const doc = analyzeWithCli(cap.file, ['--keylog', wrong]);
      expect(doc.sessions.length).toBe(plain.sessions.length);
      doc.sessions.forEach((s, i) => {
        expect(s.warnings.length).toBe(1);
        expect(s.warnings[0]).toMatch(/decryption: .*(could not be decrypted|does not verify)/);
        // Never garbage: what cannot be decrypted is shown as it is without keys.
        expect(s.messages.some((m: DecryptedMessage) => m.decrypted)).toBe(false);
        expect(s.messages).toEqual(plain.sessions[i]!.messages);
      });
    },
  );

  it('a key log for other connections changes nothing', () => {
    const cap = captures.get('TLS 1.3 TLS_AES_256_GCM_SHA384')!;
    const other = captures.get('TLS 1.2 AES256-SHA256')!;
    const plain = runTlswb(['analyze', cap.file, '--json']);
    const keyed = runTlswb(['analyze', cap.file, '--json', '--keylog', other.keylog]);
    expect(keyed.status).toBe(0);
    expect(keyed.stdout).toBe(plain.stdout);
  });

  it('a key log file that cannot be read is one line naming it', () => {
    const cap = captures.get('TLS 1.2 AES256-SHA256')!;
    const run = runTlswb(['analyze', cap.file, '--keylog', join(work, 'no-such.keys')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`tlswb: key log ${join(work, 'no-such.keys')}: no such file\n`);
    expect(run.stdout).toBe('');
  });
});

describe('TLS 1.2 resumption with the secret of the full handshake only (tshark remembers it by session ID and ticket)', () => {
  it.each(['TLS 1.2 session-ID resumption', 'TLS 1.2 session-ticket resumption'])('%s', (name) => {
    const cap = captures.get(name)!;
    // Both peers log to the same file: each line twice.
    const lines = [...new Set(readFileSync(cap.keylog, 'utf8').split('\n').filter((l) => l.startsWith('CLIENT_RANDOM ')))];
    expect(lines).toHaveLength(2);
    const firstOnly = join(work, 'first-only.keys');
    writeFileSync(firstOnly, `${lines[0]}\n`);
    const result = compareWithTshark(cap.file, [], firstOnly);
    expect(result.percent, result.output).toBe(100);
    const doc = analyzeWithCli(cap.file, ['--keylog', firstOnly]);
    expect(doc.sessions.map((s) => s.resumed)).toEqual([false, true]);
    for (const s of doc.sessions) {
      expect(s.warnings).toEqual([]);
      expect(decryptedTypes(s, 'client')).toContain('finished');
      expect(decryptedTypes(s, 'server')).toContain('finished');
    }
  });
});

describe('secrets stay secret', () => {
  it('no secret of the key log appears in any output, warning or error of a decrypting run', () => {
    const cap = captures.get('TLS 1.3 TLS_CHACHA20_POLY1305_SHA256')!;
    const text = readFileSync(cap.keylog, 'utf8');
    const secrets = text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(' ')[2]!.toLowerCase());
    expect(secrets.length).toBeGreaterThan(3);
    // A key log with one malformed line (a warning quoting it would leak) and a broken copy (wrong keys: warnings).
    const broken = join(work, 'broken.keys');
    const garbled = `${text}CLIENT_RANDOM ${secrets[0]} ${secrets[0]}\n`;
    writeFileSync(broken, garbled);
    const wrong = join(work, 'wrong-all.keys');
    writeFileSync(wrong, text.replace(/[0-9a-f](\n)/g, (_m, nl: string) => `0${nl}`));
    const outputs: string[] = [];
    for (const keylog of [cap.keylog, broken, wrong]) {
      for (const json of [true, false]) {
        const run = runTlswb(['analyze', cap.file, ...(json ? ['--json'] : []), '--keylog', keylog]);
        expect(run.status).toBe(0);
        outputs.push(run.stdout, run.stderr);
      }
    }
    const all = outputs.join('\n').toLowerCase();
    expect(all).toContain('decrypted');
    for (const secret of secrets) {
      expect(all).not.toContain(secret);
      expect(all).not.toContain(secret.slice(0, 16));
    }
  });
});

describe('keys carried in the capture', () => {
  it('a capture with secrets injected by editcap decrypts without --keylog, as tshark shows it', () => {
    const cap = captures.get('TLS 1.3 TLS_AES_128_CCM_SHA256')!;
    const withDsb = join(work, 'with-dsb.pcapng');
    const run = spawnSync('editcap', ['--inject-secrets', `tls,${cap.keylog}`, cap.file, withDsb], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const result = compareWithTshark(withDsb);
    expect(result.percent, result.output).toBe(100);
    const doc = analyzeWithCli(withDsb);
    expect(decryptedTypes(doc.sessions[0]!, 'server')).toContain('certificate');
  });
});
