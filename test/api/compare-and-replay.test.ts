// The compare and replay commands of the API, through the validating
// dispatcher as either transport calls them: a second file opened for
// comparison, two sessions compared (the same tlswb.diff/1 document as
// `tlswb diff --json`, valid against docs/diff.schema.json, with the cipher
// suites tshark reads in the two ServerHellos), and "Replay…" against a real
// openssl s_server and against a closed port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiRuntime } from '../../electron/api/api-runtime';
import type { ApiResult, CompareFileSummary, CompareResult, ReplaySessionResult } from '../../electron/api/contract';
import { loadDiffValidator } from '../core/diff/diff-schema';
import { freePort, makeTestPki, startOpenSslServer, stopAllSpawned, type TestPki } from '../support/real-peers';
import { runTlswb } from '../support/run-cli';

const fixtures = join(import.meta.dirname, '../fixtures/compare');
const tls10 = join(fixtures, 'arkime-openssl-tls1.pcap');
const tls12 = join(fixtures, 'arkime-openssl-tls1_2.pcap');
const dir = mkdtempSync(join(tmpdir(), 'tlswb-compare-api-'));
const runtime = createApiRuntime({ configDir: join(dir, 'config'), transport: 'ws' });
const validateDiff = loadDiffValidator();
let pki: TestPki;

async function call<T>(command: string, args: unknown[]): Promise<T> {
  const r = (await runtime.dispatch(command, args)) as ApiResult<T>;
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

async function failure(command: string, args: unknown[]): Promise<{ code: string; message: string }> {
  const r = await runtime.dispatch(command, args);
  if (r.ok) throw new Error(`${command} succeeded: ${JSON.stringify(r.value).slice(0, 200)}`);
  return r.error;
}

beforeAll(async () => {
  pki = makeTestPki(dir);
  await call('openFile', [tls12]);
});

afterAll(async () => {
  await stopAllSpawned();
  await runtime.workbench.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('compareSessions', () => {
  it('refuses the second file before one is opened, and malformed references', async () => {
    expect(await failure('compareSessions', [{ source: 'current', id: 0 }, { source: 'compare', id: 0 }])).toMatchObject({ code: 'no-file' });
    expect(await failure('compareSessions', [{ source: 'elsewhere', id: 0 }, { source: 'current', id: 0 }])).toMatchObject({ code: 'invalid-arguments' });
    expect(await failure('compareSessions', [{ source: 'current', id: -1 }, { source: 'current', id: 0 }])).toMatchObject({ code: 'invalid-arguments' });
    expect(await failure('compareSessions', [{ source: 'current', id: 0, extra: 1 }, { source: 'current', id: 0 }])).toMatchObject({ code: 'invalid-arguments' });
    expect(await failure('openCompareFile', ['relative/path.pcap'])).toMatchObject({ code: 'invalid-arguments' });
    expect(await failure('openCompareFile', [join(fixtures, 'no-such-file.pcap')])).toMatchObject({ code: 'not-found' });
  });

  it('opens a second file for comparison and keeps the open capture open', async () => {
    const second = await call<CompareFileSummary>('openCompareFile', [tls10]);
    expect(second).toMatchObject({ name: 'arkime-openssl-tls1.pcap', path: tls10, damaged: null });
    expect(second.sessions.map((s) => [s.id, s.cipherSuiteName])).toEqual([[0, 'TLS_ECDHE_RSA_WITH_RC4_128_SHA']]);
    const current = await call<{ name: string }>('getCurrentFile', []);
    expect(current.name).toBe('arkime-openssl-tls1_2.pcap');
    expect(await failure('compareSessions', [{ source: 'compare', id: 1 }, { source: 'current', id: 0 }])).toMatchObject({ code: 'not-found' });
  });

  it('compares two files\' sessions exactly as `tlswb diff --json` does, and names the suites tshark reads', async () => {
    await call('openCompareFile', [tls10]);
    const result = await call<CompareResult>('compareSessions', [{ source: 'compare', id: 0 }, { source: 'current', id: 0 }]);
    expect(validateDiff(result.diff)).toEqual([]);
    const cli = runTlswb(['diff', `${tls10}#0`, `${tls12}#0`, '--json']);
    expect(cli.status).toBe(0);
    const expected = JSON.parse(cli.stdout) as CompareResult['diff'];
    // The CLI names files as given (here absolute paths); the API by their base names.
    expect({ ...result.diff, a: { ...result.diff.a, file: null }, b: { ...result.diff.b, file: null } })
      .toEqual({ ...expected, a: { ...expected.a, file: null }, b: { ...expected.b, file: null } });
    expect(result.diff.a.file).toBe('arkime-openssl-tls1.pcap');
    // tshark: openssl-tls1.pcap frame 6 and openssl-tls1_2.pcap frame 6, tls.handshake.ciphersuite 0xc011 and 0xc02f.
    expect(result.diff.changes).toContainEqual({ field: 'cipherSuite', message: 'server_hello', a: 0xc011, b: 0xc02f, change: 'changed' });
    expect(result.names.cipherSuites[String(0xc011)]).toBe('TLS_ECDHE_RSA_WITH_RC4_128_SHA');
    expect(result.names.cipherSuites[String(0xc02f)]).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    expect(result.names.versions[String(0x0301)]).toBe('TLS 1.0');
    // Both sides' details come along for the side-by-side view: A's ClientHello offered 46 suites (tshark, frame 4).
    expect(result.a).toMatchObject({ ref: { source: 'compare', id: 0 }, file: 'arkime-openssl-tls1.pcap' });
    expect(result.a.detail.clientHello?.cipherSuites).toHaveLength(46);
    expect(result.b.detail.session.cipherSuiteName).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    // Aligned message by message: 12 rows, each present in both.
    expect(result.diff.messages.map((m) => m.type).slice(0, 3)).toEqual(['client_hello', 'server_hello', 'certificate']);
    expect(result.diff.messages.every((m) => m.a && m.b)).toBe(true);
  });

  it('finds no change between a session and itself', async () => {
    const result = await call<CompareResult>('compareSessions', [{ source: 'current', id: 0 }, { source: 'current', id: 0 }]);
    expect(result.diff.changes).toEqual([]);
  });
});

describe('replaySession', () => {
  it('refuses options the CLI would refuse, naming the field', async () => {
    expect((await failure('replaySession', [0, { to: 'no-port-here' }])).message).toMatch(/"to" must be host:port/);
    expect((await failure('replaySession', [0, { proxy: 'ftp://x' }])).message).toMatch(/"proxy" must be http/);
    expect((await failure('replaySession', [0, { dropCiphers: ['TLS_NOT_A_SUITE'] }])).message).toMatch(/not a cipher suite: TLS_NOT_A_SUITE/);
    expect(await failure('replaySession', [0, { onlyVersion: '1.1' }])).toMatchObject({ code: 'invalid-arguments' });
    expect(await failure('replaySession', [0, { bogus: true }])).toMatchObject({ code: 'invalid-arguments' });
    expect(await failure('replaySession', [7, {}])).toMatchObject({ code: 'not-found' });
  });

  it('says clearly that a closed port refused the replay, with no comparison', async () => {
    const port = await freePort();
    const r = await call<ReplaySessionResult>('replaySession', [0, { to: `127.0.0.1:${port}`, timeoutSeconds: 5 }]);
    expect(r).toMatchObject({ outcome: 'connect-failed', target: `127.0.0.1:${port}`, replay: null, comparison: null, receivedBytes: 0 });
    expect(r.error).toMatch(/refused/);
  });

  it('replays the recorded hello to openssl s_server, edited by the form, and compares the answer with the recording', async () => {
    const port = await freePort();
    // Prefers AES-256-GCM; the recording's server chose AES-128-GCM (0xc02f).
    const server = await startOpenSslServer({
      host: '127.0.0.1', port, identity: pki.rsaServer, chain: pki.chain,
      args: ['-tls1_2', '-serverpref', '-cipher', 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256'],
    });
    try {
      const asRecorded = await call<ReplaySessionResult>('replaySession', [0, { to: `127.0.0.1:${port}`, timeoutSeconds: 8 }]);
      expect(asRecorded).toMatchObject({ outcome: 'flight-complete', asRecorded: true, error: null, replay: { source: 'replay' } });
      const diff = asRecorded.comparison!.diff;
      expect(validateDiff(diff)).toEqual([]);
      expect(diff.scope).toBe('first-flights');
      expect(diff.b.file).toBeNull();
      expect(diff.changes).toContainEqual({ field: 'cipherSuite', message: 'server_hello', a: 0xc02f, b: 0xc030, change: 'changed' });
      expect(asRecorded.comparison!.b.detail.session.cipherSuiteName).toBe('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384');

      // The form's "drop cipher" by IANA name: without AES-256-GCM on offer the server takes AES-128-GCM, as recorded.
      const edited = await call<ReplaySessionResult>('replaySession', [0, { to: `127.0.0.1:${port}`, dropCiphers: ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'], timeoutSeconds: 8 }]);
      expect(edited).toMatchObject({ outcome: 'flight-complete', asRecorded: false });
      expect(edited.comparison!.diff.changes.find((c) => c.field === 'cipherSuite')).toBeUndefined();
      expect(edited.comparison!.diff.changes).toContainEqual(expect.objectContaining({ field: 'cipherSuites', message: 'client_hello', removed: [0xc030] }));

      // A replay stays comparable with any session, here the other file's.
      await call('openCompareFile', [tls10]);
      const again = await call<CompareResult>('compareSessions', [asRecorded.replay, { source: 'compare', id: 0 }]);
      expect(again.diff.a.file).toBeNull();
      expect(again.diff.changes).toContainEqual(expect.objectContaining({ field: 'cipherSuite', a: 0xc030, b: 0xc011 }));
    } finally {
      await server.stop();
    }
  });
});
