import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyLog } from '../../../electron/core/tls/decrypt/keylog';
import type { Session } from '../../../electron/core/session/model';
import { analyzeFile } from '../../../electron/services/analyze-file';
import { projectRoot, runTlswb } from '../../support/run-cli';

/**
 * The engine with secrets: real captures (test/fixtures/decrypt, see
 * SOURCES.md) through `analyzeFile`, as the CLI and the API use it. What
 * tshark shows of the same files is checked in
 * test/integration/decrypt-corpus-agreement.test.ts; this is about what the
 * session model holds.
 */
const fixtures = join(projectRoot, 'test', 'fixtures', 'decrypt');
const tls12 = join(fixtures, 'tls12-decryption.pcap');
const tls12Keys = join(fixtures, 'tls12-decryption.nss-keylog.txt');
const chrome = join(fixtures, 'chrome-cloudflare-quic-with-secrets.pcapng');

const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const appData = (s: Session, from: 'client' | 'server') => s.messages.filter((m) => m.type === 'application_data' && m.from === from);

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tlswb-analyzer-decrypt-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('with a key log', () => {
  it('TLS 1.2: Finished messages decrypted and verified, application data keeps the first bytes of its plaintext', async () => {
    const keyLog = parseKeyLog(readFileSync(tls12Keys, 'utf8')).keyLog;
    const { sessions } = await analyzeFile(tls12, { keyLog });
    const s = sessions[0]!;
    expect(s.warnings).toEqual([]);
    expect(s.messages.filter((m) => m.decrypted && m.type === 'finished').map((m) => m.from)).toEqual(['client', 'server']);
    const request = appData(s, 'client')[0]!;
    expect(request.decrypted).toBe(true);
    expect(request.raw.length).toBe(64);
    expect(text(request.raw)).toMatch(/^GET \/ HTTP\/1\.1\r\n/);
    expect(text(appData(s, 'server')[0]!.raw)).toMatch(/^HTTP\/1\.1 /);
    // The record length stays the wire's, as without keys.
    expect(request.length).toBe(347);
    const close = s.messages.find((m) => m.type === 'alert')!;
    expect([close.level, close.description, close.decrypted]).toEqual(['warning', 'close_notify', true]);
  });

  it('a handshake altered on the way (one byte of the certificate) decrypts, but its Finished gives one warning', async () => {
    const bytes = readFileSync(tls12);
    // The second "heise" in the file is in the server's certificate (frame 6): part of the transcript, not of the keys.
    const at = bytes.indexOf('heise', bytes.indexOf('heise') + 1);
    expect(at).toBeGreaterThan(0);
    const altered = Buffer.from(bytes);
    altered[at] = 'H'.charCodeAt(0);
    const file = join(work, 'altered.pcap');
    writeFileSync(file, altered);
    const keyLog = parseKeyLog(readFileSync(tls12Keys, 'utf8')).keyLog;
    const s = (await analyzeFile(file, { keyLog })).sessions[0]!;
    expect(s.warnings).toEqual([
      "client: decryption: client Finished (frame 8) does not verify: the key log's secrets do not belong to this handshake",
    ]);
    // What decrypted is shown (the records authenticated); only the transcript is in doubt.
    expect(s.messages.filter((m) => m.decrypted).map((m) => m.type)).toEqual(['finished', 'finished', 'application_data', 'application_data', 'alert']);
  });

  it('without a key log nothing is decrypted and application data keeps its ciphertext head', async () => {
    const { sessions } = await analyzeFile(tls12);
    const s = sessions[0]!;
    expect(s.messages.some((m) => m.decrypted)).toBe(false);
    expect(s.messages.filter((m) => m.type === 'encrypted_handshake')).toHaveLength(2);
    expect(text(appData(s, 'client')[0]!.raw)).not.toMatch(/^GET /);
    const close = s.messages.find((m) => m.type === 'alert')!;
    expect([close.level, close.description]).toEqual([null, null]);
  });
});

describe('with the secrets a pcapng carries (DSB)', () => {
  it('TLS 1.3 from Chrome: the compressed certificate chain and the HTTP/2 preface', async () => {
    const { sessions, secretsInFile } = await analyzeFile(chrome);
    expect(secretsInFile).toBe(10);
    const s = sessions[0]!;
    expect(s.warnings).toEqual([]);
    expect(s.messages.filter((m) => m.decrypted && m.type !== 'application_data').map((m) => `${m.from} ${m.type}`)).toEqual([
      'server encrypted_extensions', 'server compressed_certificate', 'server certificate_verify', 'server finished',
      'client finished', 'server new_session_ticket', 'server new_session_ticket',
    ]);
    expect(s.certificates.map((c) => c.subject.split(',')[0])).toEqual(['CN=sni.cloudflaressl.com', 'CN=Cloudflare Inc ECC CA-3']);
    expect(text(appData(s, 'client')[0]!.raw)).toMatch(/^PRI \* HTTP\/2\.0\r\n\r\nSM\r\n\r\n/);
  });

  it('a DSB after the packets still decrypts the whole file (a second read), as tshark applies it', async () => {
    const late = join(work, 'dsb-at-end.pcapng');
    writeFileSync(late, moveSecretsToEnd(readFileSync(chrome)));
    const early = await analyzeFile(chrome);
    const moved = await analyzeFile(late);
    expect(moved.secretsInFile).toBe(10);
    expect(moved.sessions.map((s) => s.messages.map((m) => [m.type, m.from, m.frame, m.decrypted ?? false])))
      .toEqual(early.sessions.map((s) => s.messages.map((m) => [m.type, m.from, m.frame, m.decrypted ?? false])));
    expect(moved.sessions[0]!.certificates).toHaveLength(2);
  });

  it('from standard input, which cannot be read twice, a late DSB leaves the earlier connections encrypted', () => {
    const late = moveSecretsToEnd(readFileSync(chrome));
    const run = runTlswb(['analyze', '-', '--json'], late);
    expect(run.status).toBe(0);
    const doc = JSON.parse(run.stdout) as { sessions: { messages: { decrypted?: boolean }[] }[] };
    expect(doc.sessions[0]!.messages.some((m) => m.decrypted)).toBe(false);
  });
});

/** The same little-endian pcapng with its Decryption Secrets Blocks moved after the last packet. */
function moveSecretsToEnd(file: Buffer): Buffer {
  const kept: Buffer[] = [];
  const secrets: Buffer[] = [];
  for (let at = 0; at < file.length;) {
    const length = file.readUInt32LE(at + 4);
    const block = file.subarray(at, at + length);
    (file.readUInt32LE(at) === 0x0000000a ? secrets : kept).push(block);
    at += length;
  }
  expect(secrets.length).toBeGreaterThan(0);
  return Buffer.concat([...kept, ...secrets]);
}
