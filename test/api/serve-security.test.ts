// `tlswb serve` refuses API and WebSocket requests without the per-run token
// (401) or from a foreign Origin or Host (403), and never serves files outside
// the renderer folder. Real HTTP and WebSocket requests against the server.
import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createDispatcher } from '../../electron/api/dispatcher';
import { EventHub } from '../../electron/api/event-hub';
import { startServeServer, type RunningServe } from '../../electron/api/serve-server';
import { COMMAND_NAMES } from '../../electron/api/command-names';

let server: RunningServe;
let origin: string;

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

function wsStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tlswb-serve-'));
  await mkdir(join(dir, 'renderer'));
  await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>x</title>');
  await writeFile(join(dir, 'secret.txt'), 'outside the renderer');
  const handlers = Object.fromEntries(COMMAND_NAMES.map((n) => [n, async () => n]));
  server = await startServeServer({
    host: '127.0.0.1',
    port: 0,
    staticDir: join(dir, 'renderer'),
    dispatch: createDispatcher(handlers as never),
    events: new EventHub(),
  });
  origin = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.close());

describe('tlswb serve', () => {
  it('prints a loopback URL carrying a long random token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('answers the API with the token', async () => {
    expect((await get(`/api/hello?token=${server.token}`)).status).toBe(200);
    expect((await get('/api/hello', { Authorization: `Bearer ${server.token}`, Origin: origin })).status).toBe(200);
  });

  it('refuses API requests without the token or with a wrong one (401)', async () => {
    expect((await get('/api/hello')).status).toBe(401);
    expect((await get('/api/hello?token=wrong')).status).toBe(401);
    expect((await get(`/api/hello?token=${server.token.slice(0, -1)}${server.token.endsWith('x') ? 'y' : 'x'}`)).status).toBe(401);
  });

  it('refuses API requests from a foreign Origin or Host even with the token (403)', async () => {
    expect((await get(`/api/hello?token=${server.token}`, { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(`/api/hello?token=${server.token}`, { Origin: 'null' })).status).toBe(403);
    expect((await get(`/api/hello?token=${server.token}`, { Host: `evil.example:${server.port}` })).status).toBe(403);
  });

  it('refuses WebSocket upgrades without the token (401) or from a foreign Origin (403)', async () => {
    const base = `ws://127.0.0.1:${server.port}/api/ws`;
    expect(await wsStatus(base, { Origin: origin })).toBe(401);
    expect(await wsStatus(`${base}?token=nope`, { Origin: origin })).toBe(401);
    expect(await wsStatus(`${base}?token=${server.token}`, { Origin: 'http://evil.example' })).toBe(403);
    expect(await wsStatus(`${base}?token=${server.token}`, { Origin: origin })).toBe(101);
  });

  it('serves the page itself without the token (it holds no capture data), with a strict CSP', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
  });

  it('never serves a file outside the renderer folder', async () => {
    expect((await get('/../secret.txt')).status).toBe(404);
    expect((await get('/%2e%2e/secret.txt')).status).toBe(404);
    expect((await get('/..%2fsecret.txt')).status).toBe(404);
  });
});
