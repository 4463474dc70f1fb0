import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { analyzeWithCli, compareWithTshark } from '../support/oracle';
import { stopAllSpawned } from '../support/real-peers';
import { recordKeyUpdateExchange } from '../support/key-update-capture';

/**
 * TLS 1.3 KeyUpdate through `tlswb analyze --keylog`: s_client's `K` command
 * sends a KeyUpdate asking for one back; each side moves to a traffic secret
 * no key log line carries. The key_update messages and the data after them
 * must decrypt, message by message as tshark shows them.
 */
let work: string;
let file: string;
let keylog: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tlswb-decrypt-keyupdate-'));
  ({ file, keylog } = await recordKeyUpdateExchange(work));
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
