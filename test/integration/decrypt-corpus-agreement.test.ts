import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAnalysisValidator } from '../support/analysis-schema';
import { analyzeWithCli, compareWithTshark } from '../support/oracle';
import { projectRoot } from '../support/run-cli';

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
