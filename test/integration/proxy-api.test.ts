import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiRuntime, type ApiRuntime } from '../../electron/api/api-runtime';
import type { ApiResult, EventName, EventPayloads, FileSummary, ProxyCaExport, ProxyStatus, SessionSummary } from '../../electron/api/contract';
import { freeLoopbackAddress, runCurl, startOpenSslServer, stopAllSpawned, type OpenSslServer } from '../support/real-peers';
import { makeServerIdentity, type ServerIdentity } from './proxy-support';

/**
 * The Proxy panel's commands through the API (the same dispatcher IPC and
 * WebSocket carry): start the proxy, curl through it, and its sessions
 * stream into the session list as the open capture's; stop completes it.
 */

let dir: string;
let origin: string;
let identity: ServerIdentity;
let server: OpenSslServer;
let runtime: ApiRuntime;
let savedDataHome: string | undefined;
const seen: Array<{ event: EventName; payload: unknown }> = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tlswb-proxy-api-'));
  origin = await freeLoopbackAddress([443]);
  identity = makeServerIdentity(dir, 'origin', origin);
  server = await startOpenSslServer({ host: origin, port: 443, identity, args: ['-alpn', 'http/1.1'] });
  // The CA goes to the user's data folder: here, the test's own.
  savedDataHome = process.env.XDG_DATA_HOME;
  process.env.XDG_DATA_HOME = join(dir, 'data');
  runtime = createApiRuntime({ configDir: join(dir, 'config'), transport: 'ws' });
  runtime.events.subscribe((event, payload) => seen.push({ event, payload }));
});

afterAll(async () => {
  await runtime?.workbench.dispose();
  await server?.stop();
  await stopAllSpawned();
  if (savedDataHome === undefined) delete process.env.XDG_DATA_HOME;
  else process.env.XDG_DATA_HOME = savedDataHome;
  rmSync(dir, { recursive: true, force: true });
});

async function call<T>(command: string, ...args: unknown[]): Promise<T> {
  const r = (await runtime.dispatch(command, args)) as ApiResult<T>;
  if (!r.ok) throw new Error(`${command}: ${r.error.code} ${r.error.message}`);
  return r.value;
}

function events<E extends EventName>(name: E): EventPayloads[E][] {
  return seen.filter((e) => e.event === name).map((e) => e.payload as EventPayloads[E]);
}

describe('proxy commands', () => {
  it('start, tunnel, stop: the sessions stream into the list and the recording is the open capture', async () => {
    const started = await call<ProxyStatus>('startProxy', { port: 0, intercept: false });
    expect(started).toMatchObject({ running: true, mode: 'passthrough', host: '127.0.0.1' });
    expect((await call<FileSummary>('getCurrentFile'))?.state).toBe('loading');
    const again = await runtime.dispatch('startProxy', [{ port: 0, intercept: false }]);
    expect(again).toMatchObject({ ok: false, error: { code: 'unsupported' } });

    const curl = await runCurl(`https://${origin}/api`, { proxy: `http://127.0.0.1:${started.port}`, args: ['--cacert', identity.caCert] });
    expect(curl.httpCode).toBe(200);
    const stopped = await call<ProxyStatus>('stopProxy');
    expect(stopped.running).toBe(false);
    expect(stopped.tunnels).toHaveLength(1);
    expect(stopped.tunnels[0]).toMatchObject({ target: `${origin}:443`, state: 'closed', mode: 'passthrough' });
    expect(stopped.packets).toBeGreaterThan(20);

    const file = await call<FileSummary>('getCurrentFile');
    expect(file).toMatchObject({ state: 'ready', sessionCount: 2, packets: stopped.packets });
    const rows = await call<SessionSummary[]>('listSessions');
    expect(rows.map((r) => r.proxyTarget)).toContain(`${origin}:443`);
    // The rows came as sessionsChanged events while the proxy ran, as a file's do while it loads.
    const streamed = new Set(events('sessionsChanged').flatMap((e) => e.sessions.map((s) => s.id)));
    expect([...streamed].sort()).toEqual([0, 1]);
    expect(events('proxyChanged').some((s) => s.tunnels.length === 1)).toBe(true);

    // The recording is saved like any capture.
    const saved = join(dir, 'saved.pcapng');
    await call('saveAs', saved);
    expect(existsSync(saved)).toBe(true);
  });

  it('a recording not saved is temporary: its spool goes when another capture opens; Save As keeps the packets', async () => {
    const recordOnce = async (): Promise<FileSummary> => {
      const started = await call<ProxyStatus>('startProxy', { port: 0, intercept: false });
      const curl = await runCurl(`https://${origin}/api`, { proxy: `http://127.0.0.1:${started.port}`, args: ['--cacert', identity.caCert] });
      expect(curl.httpCode).toBe(200);
      await call<ProxyStatus>('stopProxy');
      const file = await call<FileSummary>('getCurrentFile');
      expect(file).toMatchObject({ state: 'ready', unsaved: true });
      expect(file?.path && existsSync(file.path)).toBe(true);
      return file as FileSummary;
    };
    const gone = async (path: string): Promise<boolean> => {
      for (let i = 0; i < 50 && existsSync(path); i++) await new Promise((r) => setTimeout(r, 20));
      return !existsSync(path);
    };
    const first = await recordOnce();
    // A second recording replaces the first, which nobody saved: its spool is removed.
    const second = await recordOnce();
    expect(await gone(first.path as string)).toBe(true);
    expect(existsSync(second.path as string)).toBe(true);
    // Saved, it is no longer at risk; the spool still goes when another capture opens, the copy stays.
    const kept = join(dir, 'kept.pcapng');
    await call('saveAs', kept);
    expect((await call<FileSummary>('getCurrentFile'))?.unsaved).toBe(false);
    const reopened = await call<FileSummary>('openFile', kept);
    expect(reopened).toMatchObject({ state: 'ready', unsaved: false, sessionCount: 2 });
    expect(await gone(second.path as string)).toBe(true);
    expect(existsSync(kept)).toBe(true);
  });

  it('exports the interception CA with trust instructions, and refuses a host that is not an address', async () => {
    const target = join(dir, 'ca-export.pem');
    const exported = await call<ProxyCaExport>('exportProxyCa', target);
    expect(readFileSync(target, 'utf8')).toBe(exported.certPem);
    expect(exported.certPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(exported.certPem).not.toMatch(/PRIVATE/);
    expect(exported.instructions).toMatch(/update-ca-certificates[\s\S]*certutil/);
    expect(existsSync(join(dir, 'data', 'tlswb', 'ca', 'ca.key'))).toBe(true);
    const bad = await runtime.dispatch('startProxy', [{ host: 'evil.example', port: 0, intercept: false }]);
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } });
  });
});
