import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../electron/core/session/model';
import { runReplay, type ReplayResult } from '../../electron/services/replay/replay-session';
import { loadSession, loadSessions } from '../../electron/services/replay/session-source';
import { analyzeWithCli } from '../support/oracle';
import { runTlswb } from '../support/run-cli';
import { loadDiffValidator } from '../core/diff/diff-schema';
import {
  freeLoopbackAddress, freePort, makeTestPki, recordOpenSslExchange, startOpenSslServer, startTinyproxy,
  stopAllSpawned, type OpenSslExchange, type OpenSslServerOptions, type TestPki,
} from '../support/real-peers';

/**
 * `tlswb replay` against real servers on loopback: a handshake from
 * `openssl s_client` to `openssl s_server` is recorded with dumpcap, the server
 * is restarted with one thing changed, the recorded ClientHello is sent again,
 * and the diff must name exactly what changed and nothing else.
 */

let dir: string;
let pki: TestPki;
/** TLS 1.2 only, server's cipher preference AES-256 first, ALPN http/1.1. */
let rec12: OpenSslExchange;
let session12: Session;
/** The client offered TLS 1.3 and 1.2; the server chose 1.3. */
let rec13: OpenSslExchange;
let session13: Session;

const suites256First = 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256';
const suites128First = 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384';
type ServerSetup = Omit<OpenSslServerOptions, 'host' | 'port'>;
const base12 = (): ServerSetup => ({ identity: pki.rsaServer, chain: pki.chain, args: ['-tls1_2', '-serverpref', '-cipher', suites256First, '-alpn', 'http/1.1'] });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tlswb-replay-'));
  pki = makeTestPki(dir);
  rec12 = await recordOpenSslExchange(join(dir, 'recorded-tls12.pcapng'), {
    server: base12(),
    clients: [{ serverName: pki.serverName, args: ['-tls1_2', '-alpn', 'http/1.1', '-cipher', suites128First] }],
  });
  [session12] = await loadSessions(rec12.file);
  rec13 = await recordOpenSslExchange(join(dir, 'recorded-tls13.pcapng'), {
    server: { identity: pki.rsaServer, chain: pki.chain },
    clients: [{ serverName: pki.serverName }],
  });
  session13 = await loadSession(rec13.file, 0);
});

afterAll(async () => {
  await stopAllSpawned();
  if (process.env.TLSWB_KEEP_CAPTURES) console.log(`replay captures kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
});

/** Starts `setup` where the recording's server was, replays the recorded hello to it, stops it. */
async function replayAgainst(rec: OpenSslExchange, recorded: Session, setup: ServerSetup, extra: Partial<Parameters<typeof runReplay>[0]> = {}): Promise<ReplayResult> {
  const server = await startOpenSslServer({ ...setup, host: rec.host, port: rec.port });
  try {
    return await runReplay({ recorded, recordedFile: rec.file, timeoutMs: 8000, ...extra });
  } finally {
    await server.stop();
  }
}

const fields = (r: ReplayResult): string[] => (r.diff?.changes ?? []).map((c) => `${c.message ?? '-'}:${c.field}`).sort();

describe('replaying a recorded TLS 1.2 ClientHello to a changed openssl s_server', () => {
  it('the recording was a full TLS 1.2 handshake with the server\'s preferred suite', () => {
    expect(session12.version).toBe(0x0303);
    expect(session12.cipherSuite).toBe(0xc030);
    expect(session12.alpn).toBe('http/1.1');
    expect(session12.certificates).toHaveLength(2);
  });

  it('sends the recorded hello byte for byte; the same server answers the same: no differences', async () => {
    const r = await replayAgainst(rec12, session12, base12());
    expect(r.outcome).toBe('flight-complete');
    expect(r.asRecorded).toBe(true);
    expect(r.error).toBeNull();
    expect(r.session?.clientHello?.random).toEqual(session12.clientHello?.random);
    expect(r.session?.messages.map((m) => `${m.from}:${m.type}`)).toEqual([
      'client:client_hello', 'server:server_hello', 'server:certificate', 'server:server_key_exchange', 'server:server_hello_done',
    ]);
    expect(r.diff?.changes).toEqual([]);
    expect(r.diff?.scope).toBe('first-flights');
  });

  it('cipher preference reversed: the cipher suite and JA3S change, nothing else', async () => {
    const r = await replayAgainst(rec12, session12, { ...base12(), args: ['-tls1_2', '-serverpref', '-cipher', suites128First, '-alpn', 'http/1.1'] });
    expect(fields(r)).toEqual(['server_hello:cipherSuite', 'server_hello:ja3s', 'server_hello:ja3sHash']);
    expect(r.diff?.changes.find((c) => c.field === 'cipherSuite')).toMatchObject({ a: 0xc030, b: 0xc02f, change: 'changed' });
  });

  it('ALPN off: the selected protocol and the ServerHello\'s extension list change, nothing else', async () => {
    const r = await replayAgainst(rec12, session12, { ...base12(), args: ['-tls1_2', '-serverpref', '-cipher', suites256First] });
    expect(fields(r)).toEqual(['server_hello:alpn', 'server_hello:extensions', 'server_hello:ja3s', 'server_hello:ja3sHash']);
    expect(r.diff?.changes.find((c) => c.field === 'alpn')).toMatchObject({ a: 'http/1.1', b: null, change: 'removed' });
    expect(r.diff?.changes.find((c) => c.field === 'extensions')).toMatchObject({ removed: [16], added: [], reordered: false });
  });

  it('another certificate: only the leaf certificate\'s fields change', async () => {
    const other = { cert: join(dir, 'other.pem'), key: join(dir, 'other.key') };
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', other.key, '-out', other.cert,
      '-subj', '/CN=other.tlswb.test/O=tlswb other', '-days', '7', '-addext', 'subjectAltName=DNS:other.tlswb.test'], { stdio: 'ignore' });
    const r = await replayAgainst(rec12, session12, { ...base12(), identity: other });
    const changed = fields(r);
    expect(changed.every((f) => f.startsWith('certificate:certificates[0].')), changed.join()).toBe(true);
    expect(changed).toEqual(expect.arrayContaining(['certificate:certificates[0].sha256', 'certificate:certificates[0].subject',
      'certificate:certificates[0].issuer', 'certificate:certificates[0].serial', 'certificate:certificates[0].san']));
    expect(r.diff?.changes.find((c) => c.field === 'certificates[0].san')).toMatchObject({ b: ['DNS:other.tlswb.test'] });
  });

  it('a server that only speaks TLS 1.3 answers with an alert: a clear result, no hang', async () => {
    const r = await replayAgainst(rec12, session12, { identity: pki.rsaServer, args: ['-tls1_3'] });
    expect(r.outcome).toBe('alert');
    expect(r.error).toBeNull();
    const alert = r.session?.messages.find((m) => m.type === 'alert');
    expect(alert).toMatchObject({ from: 'server', level: 'fatal', description: 'protocol_version' });
    expect(fields(r)).toEqual(expect.arrayContaining(['server_hello:cipherSuite', 'server_hello:version', 'server_hello:messages', 'alert:messages']));
    expect(fields(r).some((f) => f.startsWith('client_hello:'))).toBe(false);
  });

  it('through tinyproxy: the answer is the same, and the CONNECT exchange is the only difference', async () => {
    const proxyHost = await freeLoopbackAddress([3128]);
    const proxy = await startTinyproxy({ dir, host: proxyHost, port: 3128, connectPorts: [rec12.port] });
    try {
      const r = await replayAgainst(rec12, session12, base12(), { proxy: { host: proxyHost, port: 3128, authorization: null } });
      expect(r.outcome).toBe('flight-complete');
      expect(r.session?.proxy).toMatchObject({ target: `${rec12.host}:${rec12.port}`, status: 200 });
      expect(r.session?.server).toEqual({ ip: proxyHost, port: 3128 });
      expect(fields(r)).toEqual(['connect_request:messages', 'connect_request:proxy.target', 'connect_response:messages', 'connect_response:proxy.status']);
    } finally {
      await proxy.stop();
    }
  });
});

describe('replaying a recorded TLS 1.3 ClientHello', () => {
  it('the same server: the TLS 1.3 flight ends after a quiet period, with no differences', async () => {
    expect(session13.version).toBe(0x0304);
    const r = await replayAgainst(rec13, session13, { identity: pki.rsaServer, chain: pki.chain });
    expect(r.outcome).toBe('quiet');
    expect(r.session?.version).toBe(0x0304);
    expect(r.diff?.changes).toEqual([]);
  });

  it('TLS 1.3 turned off: version, suite, ServerHello extensions and the TLS 1.2 messages show up', async () => {
    const r = await replayAgainst(rec13, session13, { identity: pki.rsaServer, chain: pki.chain, args: ['-no_tls1_3'] });
    expect(r.outcome).toBe('flight-complete');
    const version = r.diff?.changes.find((c) => c.field === 'version' && c.message === 'server_hello');
    expect(version).toMatchObject({ a: 0x0304, b: 0x0303 });
    const changed = fields(r);
    expect(changed).toEqual(expect.arrayContaining(['server_hello:version', 'server_hello:cipherSuite', 'server_hello:extensions',
      'certificate:messages', 'server_key_exchange:messages', 'server_hello_done:messages']));
    // The client side was sent as recorded: nothing about it may differ.
    expect(changed.some((f) => f.startsWith('client_hello:'))).toBe(false);
  });

  it('--only-version 1.2 re-encodes the hello; the server then answers TLS 1.2', async () => {
    const r = await replayAgainst(rec13, session13, { identity: pki.rsaServer, chain: pki.chain }, { edits: { onlyVersion: '1.2' } });
    expect(r.asRecorded).toBe(false);
    expect(r.outcome).toBe('flight-complete');
    expect(r.session?.version).toBe(0x0303);
    expect(r.session?.clientHello?.supportedVersions).toEqual([]);
    expect(r.session?.clientHello?.keyShares).toEqual([]);
    expect(fields(r)).toEqual(expect.arrayContaining(['client_hello:supportedVersions', 'client_hello:keyShares', 'server_hello:version']));
  });
});

describe('replays that get no answer end with a clear result', () => {
  it('a closed port: connect-failed, connection refused, at once', async () => {
    const host = await freeLoopbackAddress([443]);
    const r = await runReplay({ recorded: session12, to: { host, port: 443 }, timeoutMs: 5000 });
    expect(r.outcome).toBe('connect-failed');
    expect(r.error).toMatch(/connection refused/);
    expect(r.session).toBeNull();
  });

  it('a server that accepts and never answers: timeout after the limit', async () => {
    const host = '127.0.0.1';
    const port = await freePort(host);
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(port, host, resolve));
    try {
      const r = await runReplay({ recorded: session12, to: { host, port }, timeoutMs: 1500 });
      expect(r.outcome).toBe('timeout');
      expect(r.error).toMatch(/no answer/);
      expect(r.session?.messages.map((m) => m.type)).toEqual(['client_hello']);
    } finally {
      silent.close();
    }
  });
});

describe('tlswb replay (the CLI)', () => {
  it('--json -w: the new session in contract shape, its diff (valid tlswb.diff/1), and the leg saved as pcapng', async () => {
    const out = join(dir, 'replay-leg.pcapng');
    const server = await startOpenSslServer({ ...base12(), args: ['-tls1_2', '-serverpref', '-cipher', suites128First, '-alpn', 'http/1.1'], host: rec12.host, port: rec12.port });
    let run;
    try {
      run = runTlswb(['replay', rec12.file, '--session', '0', '--json', '-w', out]);
    } finally {
      await server.stop();
    }
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const doc = JSON.parse(run.stdout) as { session: { cipherSuite: number; messages: { type: string }[] }; diff: { changes: { field: string }[] }; outcome: string };
    expect(doc.outcome).toBe('flight-complete');
    expect(loadDiffValidator()(doc.diff)).toEqual([]);
    expect(doc.diff.changes.map((c) => c.field).sort()).toEqual(['cipherSuite', 'ja3s', 'ja3sHash']);
    expect(doc.session.cipherSuite).toBe(0xc02f);
    // The saved leg is an ordinary capture: tlswb and tshark read the same handshake from it.
    const saved = analyzeWithCli(out);
    expect(saved.sessions).toHaveLength(1);
    expect(saved.sessions[0]!.cipherSuite).toBe(0xc02f);
    expect(saved.sessions[0]!.messages.map((m) => m.type)).toEqual(doc.session.messages.map((m) => m.type));
    const tshark = execFileSync('tshark', ['-r', out, '-Y', 'tls.handshake', '-T', 'fields', '-e', 'tls.handshake.type'], { encoding: 'utf8' });
    expect(tshark.trim().split(/[\n,]/)).toEqual(['1', '2', '11', '12', '14']);
  });

  it('to a closed port: exit 1 and one line on stderr', async () => {
    const host = await freeLoopbackAddress([443]);
    const run = runTlswb(['replay', rec12.file, '--session', '0', '--to', `${host}:443`]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^tlswb: replay: cannot connect to .*connection refused/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toMatch(/outcome: connect-failed/);
  });

  it('a session without a ClientHello, or edits that leave nothing: one line, no replay', () => {
    const none = runTlswb(['replay', rec12.file, '--session', '5']);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/^tlswb: .*has no session 5/);
    const bad = runTlswb(['replay', rec12.file, '--session', '0', '--only-version', '1.1']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('tlswb: --only-version must be 1.2 or 1.3\n');
  });
});
