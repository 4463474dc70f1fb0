import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { looksLikeKeyLog } from '../../../electron/core/tls/decrypt/keylog';
import { isKeyLogFile } from '../../../electron/services/keylog-file';
import { projectRoot } from '../../support/run-cli';

/** A file dropped on the window is loaded as a key log when it reads as one, opened as a capture otherwise. */
const fixtures = join(projectRoot, 'test', 'fixtures', 'decrypt');

describe('telling a key log from a capture', () => {
  it('key logs with comments first (Zeek-derived) and without are key logs', async () => {
    for (const name of ['tls12-decryption.nss-keylog.txt', 'tls-1.2-stream-keylog.nss-keylog.txt']) {
      expect(looksLikeKeyLog(readFileSync(join(fixtures, name)))).toBe(true);
      expect(await isKeyLogFile(join(fixtures, name))).toBe(true);
    }
    expect(looksLikeKeyLog(Buffer.from('CLIENT_HANDSHAKE_TRAFFIC_SECRET 00 11\r\n'))).toBe(true);
  });

  it('captures (pcap, pcapng with a DSB inside), other text and missing files are not', async () => {
    for (const name of ['tls12-decryption.pcap', 'chrome-cloudflare-quic-with-secrets.pcapng']) {
      expect(looksLikeKeyLog(readFileSync(join(fixtures, name)))).toBe(false);
      expect(await isKeyLogFile(join(fixtures, name))).toBe(false);
    }
    expect(looksLikeKeyLog(Buffer.from('# only a comment\n\n'))).toBe(false);
    expect(looksLikeKeyLog(Buffer.from('GET / HTTP/1.1\r\n'))).toBe(false);
    expect(await isKeyLogFile(join(fixtures, 'no-such-file'))).toBe(false);
  });
});
