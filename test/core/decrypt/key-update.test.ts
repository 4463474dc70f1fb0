import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseKeyLog } from '../../../electron/core/tls/decrypt/keylog';
import { stopAllSpawned } from '../../support/real-peers';
import { recordKeyUpdateExchange } from '../../support/key-update-capture';
import { decryptConnection, type ConnectionDecryption } from './decrypt-connection';
import { tcpChunks, tcpStreamIds, tlsDecryptedAppData, tsharkTlsView } from './tshark-streams';

/**
 * TLS 1.3 KeyUpdate with real peers: `s_client`'s `K` command sends a
 * KeyUpdate asking for one back, so both directions move to their next
 * application traffic secret ("traffic upd"), which no key log line carries.
 * Data sent after the update must still decrypt, as tshark decrypts it.
 */
let work: string;
let file: string;
let keylog: string;
let decryption: ConnectionDecryption;
const port = 443;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tlswb-keyupdate-'));
  ({ file, keylog } = await recordKeyUpdateExchange(work, port));
  const streams = tcpStreamIds(file);
  decryption = decryptConnection(tcpChunks(file, streams, port)[0]!, parseKeyLog(readFileSync(keylog, 'utf8')).keyLog);
});

afterAll(async () => {
  await stopAllSpawned();
  if (work) rmSync(work, { recursive: true, force: true });
});

it('decrypts the data sent after a KeyUpdate in each direction, as tshark does', () => {
  expect(decryption.failures).toEqual([]);
  // key_update (24) from the client, then the one the server sent back.
  expect(decryption.handshakeTypes.client).toContain(24);
  expect(decryption.handshakeTypes.server).toContain(24);
  expect(decryption.appData.client.toString()).toContain('after update from client');
  expect(decryption.appData.server.toString()).toContain('after update from server');
  const tshark = tlsDecryptedAppData(file, [0], port, keylog)[0]!;
  expect(decryption.appData.client.equals(tshark.client)).toBe(true);
  expect(decryption.appData.server.equals(tshark.server)).toBe(true);
  const view = tsharkTlsView(file, keylog, port);
  expect(decryption.contentTypes).toEqual(view.contentTypes.get(0));
  expect(decryption.handshakeTypes).toEqual(view.handshakeTypes.get(0));
});
