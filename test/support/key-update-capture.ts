import { join } from 'node:path';
import {
  freeLoopbackAddress, makeTestPki, spawnTracked, startLoopbackCapture, startOpenSslServer,
} from './real-peers';

export interface KeyUpdateCapture {
  file: string;
  keylog: string;
}

/**
 * Records (dumpcap on lo) one TLS 1.3 connection between openssl s_client and
 * s_server, both writing the key log, in which the client's `K` command sends a
 * KeyUpdate asking for one back; data crosses before and after the update in
 * both directions. Files go into `work`.
 */
export async function recordKeyUpdateExchange(work: string, port = 443): Promise<KeyUpdateCapture> {
  const pki = makeTestPki(work);
  const host = await freeLoopbackAddress([port]);
  const file = join(work, 'key-update.pcapng');
  const keylog = join(work, 'key-update.keys');
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
  return { file, keylog };
}
