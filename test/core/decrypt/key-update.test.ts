import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseKeyLog } from '../../../electron/core/tls/decrypt/keylog';
import {
  freeLoopbackAddress, makeTestPki, spawnTracked, startLoopbackCapture, startOpenSslServer, stopAllSpawned,
} from '../../support/real-peers';
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
const port = 443;
let decryption: ConnectionDecryption;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tlswb-keyupdate-'));
  const pki = makeTestPki(work);
  const host = await freeLoopbackAddress([port]);
  file = join(work, 'key-update.pcapng');
  keylog = join(work, 'key-update.keys');
  const capture = await startLoopbackCapture({ file, filter: `host ${host} and tcp port ${port}` });
  try {
    const server = await startOpenSslServer({ host, port, identity: pki.rsaServer, www: false, keylogFile: keylog, args: ['-tls1_3'] });
    const client = spawnTracked('s_client key update', 'openssl',
      ['s_client', '-connect', `${host}:${port}`, '-tls1_3', '-keylogfile', keylog]);
    await client.waitForOutput(/Verify return code/, 10_000);
    client.write('before update from client\n');
    await server.process.waitForOutput(/before update from client/, 10_000);
    client.write('K\n');
    await client.waitForOutput(/KEYUPDATE/, 10_000);
    client.write('after update from client\n');
    await server.process.waitForOutput(/after update from client/, 10_000);
    server.process.write('after update from server\n');
    await client.waitForOutput(/after update from server/, 10_000);
    client.write('Q\n');
    await client.waitForExit(10_000).catch(() => client.stop('SIGTERM', 2000));
    await server.stop();
  } finally {
    await capture.stop();
  }
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
