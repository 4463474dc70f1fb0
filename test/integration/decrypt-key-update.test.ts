import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { analyzeWithCli, compareWithTshark } from '../support/oracle';
import {
  freeLoopbackAddress, makeTestPki, spawnTracked, startLoopbackCapture, startOpenSslServer, stopAllSpawned,
} from '../support/real-peers';

/**
 * TLS 1.3 KeyUpdate through `tlswb analyze --keylog`: s_client's `K` command
 * sends a KeyUpdate asking for one back; each side moves to a traffic secret
 * no key log line carries. The key_update messages and the data after them
 * must decrypt, message by message as tshark shows them.
 */
let work: string;
let file: string;
let keylog: string;
const port = 443;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tlswb-decrypt-keyupdate-'));
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
}, 60_000);

afterAll(async () => {
  await stopAllSpawned();
  if (work) rmSync(work, { recursive: true, force: true });
});

it('agrees with tshark given the same key log', () => {
  const result = compareWithTshark(file, [], keylog);
  expect(result.percent, result.output).toBe(100);
});

it('shows each side\'s key_update and decrypts every record after it', () => {
  const s = analyzeWithCli(file, ['--keylog', keylog]).sessions[0]!;
  expect(s.warnings).toEqual([]);
  const messages = s.messages as { type: string; from: string; decrypted?: boolean }[];
  expect(messages.filter((m) => m.type === 'key_update' && m.decrypted).map((m) => m.from)).toEqual(['client', 'server']);
  const lastUpdate = messages.map((m) => m.type).lastIndexOf('key_update');
  const after = messages.slice(lastUpdate + 1).filter((m) => m.type === 'application_data');
  expect(after.length).toBeGreaterThan(0);
  expect(after.every((m) => m.decrypted)).toBe(true);
});
