import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiRuntime, type ApiRuntime } from '../../electron/api/api-runtime';
import type { ApiResult, KeyLogSummary, MessageDetail, SessionDetail } from '../../electron/api/contract';
import { projectRoot } from '../support/run-cli';

/**
 * Decryption through the workbench API (what the desktop's "Load key log…"
 * and a dropped key file call): the open capture is decoded again with the
 * keys; the key file is named, never shown.
 */
const fixtures = join(projectRoot, 'test', 'fixtures', 'decrypt');
const capture = join(fixtures, 'tls12-decryption.pcap');
const keys = join(fixtures, 'tls12-decryption.nss-keylog.txt');
const secretHex = readFileSync(keys, 'utf8').split('\n').find((l) => l.startsWith('CLIENT_RANDOM'))!.split(' ')[2]!.trim().toLowerCase();

let config: string;
let api: ApiRuntime;
const results: unknown[] = [];

async function call<T>(command: string, ...args: unknown[]): Promise<ApiResult<T>> {
  const result = (await api.dispatch(command, args)) as ApiResult<T>;
  results.push(result);
  return result;
}

async function value<T>(command: string, ...args: unknown[]): Promise<T> {
  const result = await call<T>(command, ...args);
  if (!result.ok) throw new Error(`${command}: ${result.error.message}`);
  return result.value;
}

beforeAll(() => {
  config = mkdtempSync(join(tmpdir(), 'tlswb-decrypt-api-'));
});
afterAll(() => {
  rmSync(config, { recursive: true, force: true });
});

describe('loadKeyLog', () => {
  it('decodes the open capture again: decrypted Finished, and the HTTP request line of the application data', async () => {
    api = createApiRuntime({ configDir: config, transport: 'ws' });
    await value('openFile', capture);
    const before = await value<SessionDetail>('getSession', 0);
    expect(before.session.messages.filter((m) => m.type === 'encrypted_handshake')).toHaveLength(2);

    const loaded = await value<KeyLogSummary>('loadKeyLog', keys);
    expect(loaded).toMatchObject({ name: 'tls12-decryption.nss-keylog.txt', secrets: 1, skippedLines: 0, loaded: ['tls12-decryption.nss-keylog.txt'] });
    expect(loaded.file).toMatchObject({ name: 'tls12-decryption.pcap', state: 'ready', sessionCount: 1 });

    const after = await value<SessionDetail>('getSession', 0);
    expect(after.session.messages.filter((m) => m.decrypted).map((m) => m.type)).toEqual(['finished', 'finished', 'application_data', 'application_data', 'alert']);
    const index = after.session.messages.findIndex((m) => m.type === 'application_data' && m.from === 'client');
    const request = await value<MessageDetail>('getMessage', 0, index);
    expect(request.message.decrypted).toBe(true);
    expect(Buffer.from(request.rawBase64, 'base64').toString('latin1')).toMatch(/^GET \/ HTTP\/1\.1\r\n/);
    expect(request.truncated).toBe(true);
  });

  it('a capture opened after the key log is decrypted too, and the same key file again changes nothing', async () => {
    await value('openFile', capture);
    const s = await value<SessionDetail>('getSession', 0);
    expect(s.session.messages.some((m) => m.decrypted)).toBe(true);
    const again = await value<KeyLogSummary>('loadKeyLog', keys);
    expect(again.loaded).toHaveLength(2);
    expect(again.file).toMatchObject({ name: 'tls12-decryption.pcap', state: 'ready' });
  });

  it('a dropped key file (bytes) works as a path does', async () => {
    api = createApiRuntime({ configDir: config, transport: 'ws' });
    await value('openFile', capture);
    const loaded = await value<KeyLogSummary>('loadKeyLogBytes', 'dropped.keys', readFileSync(keys).toString('base64'));
    expect(loaded).toMatchObject({ name: 'dropped.keys', secrets: 1 });
    const s = await value<SessionDetail>('getSession', 0);
    expect(s.session.messages.filter((m) => m.decrypted && m.type === 'finished')).toHaveLength(2);
  });

  it('errors name the key file, never what it holds; nothing leaks into any answer', async () => {
    const missing = await call('loadKeyLog', join(config, 'missing.keys'));
    expect(missing).toEqual({ ok: false, error: { code: 'not-found', message: `key log ${join(config, 'missing.keys')}: no such file` } });
    const junk = await call('loadKeyLogBytes', 'junk.keys', Buffer.from(`CLIENT_RANDOM zz ${secretHex}\n`).toString('base64'));
    expect(junk).toEqual({ ok: false, error: { code: 'unreadable', message: 'key log junk.keys holds no TLS secrets' } });
    const relative = await call('loadKeyLog', 'keys.txt');
    expect(relative.ok).toBe(false);
    expect(JSON.stringify(results).toLowerCase()).not.toContain(secretHex);
  });
});
