import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAnalysisValidator } from '../support/analysis-schema';
import { analyzeWithCli, compareWithTshark } from '../support/oracle';
import { projectRoot, runTlswb } from '../support/run-cli';

/**
 * The corpus captures that come with TLS secrets (test/fixtures/decrypt,
 * SOURCES.md): a pcapng with a Decryption Secrets Block, and Zeek's TLS 1.2
 * decryption traces with their secrets as NSS key logs. With the same secrets,
 * `tlswb analyze` and tshark must agree on every fact compare-analysis.py
 * counts, decrypted messages included.
 */
const fixtures = join(projectRoot, 'test', 'fixtures', 'decrypt');

const CASES: { file: string; keylog?: string; decrypted: string[] }[] = [
  // The DSB is inside: no key log given to either tool.
  { file: 'chrome-cloudflare-quic-with-secrets.pcapng', decrypted: ['encrypted_extensions', 'compressed_certificate', 'certificate_verify', 'finished'] },
  { file: 'tls12-decryption.pcap', keylog: 'tls12-decryption.nss-keylog.txt', decrypted: ['finished', 'alert'] },
  { file: 'tls-1.2-stream-keylog.pcap', keylog: 'tls-1.2-stream-keylog.nss-keylog.txt', decrypted: ['finished'] },
];

describe.each(CASES)('$file', ({ file, keylog, decrypted }) => {
  const capture = join(fixtures, file);
  const keys = keylog ? join(fixtures, keylog) : undefined;

  it('agrees with tshark given the same secrets', () => {
    const result = compareWithTshark(capture, [], keys);
    expect(result.output).toMatch(/SCORE/);
    expect(result.percent, result.output).toBe(100);
  });

  it('shows the encrypted messages decrypted, without warnings, in a document the schema accepts', () => {
    const doc = analyzeWithCli(capture, keys ? ['--keylog', keys] : []);
    expect(loadAnalysisValidator()(doc)).toEqual([]);
    for (const s of doc.sessions) {
      expect(s.warnings).toEqual([]);
      const types = (s.messages as { type: string; decrypted?: boolean }[]).filter((m) => m.decrypted).map((m) => m.type);
      expect(types).toEqual(expect.arrayContaining(decrypted));
      expect(s.messages.some((m) => m.type === 'encrypted_handshake')).toBe(false);
    }
  });
});

describe('a key log with only some of the secrets (Chrome capture, its DSB taken out)', () => {
  let work: string;
  let capture: string;
  let lines: string[];
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'tlswb-partial-keys-'));
    const source = readFileSync(join(fixtures, 'chrome-cloudflare-quic-with-secrets.pcapng'));
    capture = join(work, 'no-dsb.pcapng');
    writeFileSync(capture, withoutSecretsBlocks(source));
    const run = runTlswb(['keylog', join(fixtures, 'chrome-cloudflare-quic-with-secrets.pcapng')]);
    lines = run.stdout.trimEnd().split('\n');
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it.each([
    ['the client side only', (l: string) => l.startsWith('CLIENT_')],
    ['the server side only', (l: string) => l.startsWith('SERVER_')],
    // Without handshake secrets Wireshark decrypts nothing: neither do we, and one warning says why.
    ['the application traffic secrets only', (l: string) => l.includes('_TRAFFIC_SECRET_0')],
  ])('%s: as tshark shows it', (_what, keep) => {
    const keys = join(work, 'partial.keys');
    writeFileSync(keys, `${lines.filter(keep).join('\n')}\n`);
    const result = compareWithTshark(capture, [], keys);
    expect(result.percent, result.output).toBe(100);
  });

  it('application traffic secrets only: nothing decrypted, one warning', () => {
    const keys = join(work, 'app-only.keys');
    writeFileSync(keys, `${lines.filter((l) => l.includes('_TRAFFIC_SECRET_0')).join('\n')}\n`);
    const s = analyzeWithCli(capture, ['--keylog', keys]).sessions[0]!;
    expect((s.messages as { decrypted?: boolean }[]).some((m) => m.decrypted)).toBe(false);
    expect(s.warnings).toEqual(['server: decryption: the key log has only application traffic secrets for this connection (no handshake secrets): not decrypted']);
  });
});

/** The same little-endian pcapng without its Decryption Secrets Blocks. */
function withoutSecretsBlocks(file: Buffer): Buffer {
  const kept: Buffer[] = [];
  for (let at = 0; at < file.length;) {
    const length = file.readUInt32LE(at + 4);
    if (file.readUInt32LE(at) !== 0x0000000a) kept.push(file.subarray(at, at + length));
    at += length;
  }
  return Buffer.concat(kept);
}
