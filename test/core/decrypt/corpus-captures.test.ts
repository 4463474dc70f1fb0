import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKeyLog } from '../../../electron/core/tls/decrypt/keylog';
import { decryptConnection } from './decrypt-connection';
import { tcpChunks, tcpStreamIds, tlsDecryptedAppData, tsharkTlsView } from './tshark-streams';

/**
 * Captures from other projects (Zeek's TLS 1.2 decryption tests: a browser
 * talking to heise.de) with their secrets as an NSS key log: every record
 * decrypts, as tshark decrypts it, and both Finished messages check out.
 */
const FIXTURES = join(__dirname, '../../fixtures/decrypt');

describe.each([
  { capture: 'tls12-decryption.pcap', keylog: 'tls12-decryption.nss-keylog.txt' },
  { capture: 'tls-1.2-stream-keylog.pcap', keylog: 'tls-1.2-stream-keylog.nss-keylog.txt' },
])('$capture', ({ capture, keylog }) => {
  const file = join(FIXTURES, capture);
  const keys = join(FIXTURES, keylog);

  it('decrypts every record as tshark does, and both Finished verify', () => {
    const keyLog = parseKeyLog(readFileSync(keys, 'utf8')).keyLog;
    const streams = tcpStreamIds(file);
    const decryptions = tcpChunks(file, streams, 443).map((chunks) => decryptConnection(chunks, keyLog));
    const tsharkData = tlsDecryptedAppData(file, streams, 443, keys);
    const view = tsharkTlsView(file, keys, 443);
    expect(decryptions.length).toBeGreaterThan(0);
    decryptions.forEach((d, i) => {
      expect(d.keys?.status).toBe('ready');
      expect(d.failures).toEqual([]);
      expect(d.appData.client.toString('latin1')).toMatch(/^GET \//);
      expect(d.appData.client.equals(tsharkData[i]!.client)).toBe(true);
      expect(d.appData.server.equals(tsharkData[i]!.server)).toBe(true);
      expect(d.contentTypes).toEqual(view.contentTypes.get(streams[i]!));
      expect(d.handshakeTypes).toEqual(view.handshakeTypes.get(streams[i]!));
      expect(d.finished.map((f) => [f.side, f.ok])).toEqual([['client', true], ['server', true]]);
    });
  });
});
