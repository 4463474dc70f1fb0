// A real capture opened through `tlswb serve`'s WebSocket: the rows the page
// builds from the streamed sessionsChanged events, and the list it asks for
// when it joins late, are the workbench's own rows, though both travel in the
// compact wire form.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createApiRuntime, type ApiRuntime } from '../../electron/api/api-runtime';
import type { ApiResult, EventPayloads, SessionSummary } from '../../electron/api/contract';
import { startServeServer, type RunningServe } from '../../electron/api/serve-server';
import { createWebSocketBridge, type WebSocketBridge } from '../../renderer/src/api/ws-bridge';
import { applySessionsChanged, type SessionRows } from '../../renderer/src/frame/sessions-state';

const fixture = (name: string) => join(import.meta.dirname, '../fixtures/api', name);

describe('session rows through tlswb serve', () => {
  let configDir: string;
  let runtime: ApiRuntime;
  let server: RunningServe;
  let ws: WebSocketBridge;

  beforeAll(async () => {
    configDir = mkdtempSync(join(tmpdir(), 'tlswb-serve-rows-'));
    runtime = createApiRuntime({ configDir, transport: 'ws' });
    server = await startServeServer({ host: '127.0.0.1', port: 0, staticDir: null, dispatch: runtime.dispatch, events: runtime.events });
    ws = createWebSocketBridge(`ws://127.0.0.1:${server.port}/api/ws?token=${server.token}`, WebSocket as unknown as typeof globalThis.WebSocket);
    await ws.ready;
  });

  afterAll(async () => {
    ws.close();
    await server.close();
    await runtime.workbench.dispose();
    rmSync(configDir, { recursive: true, force: true });
  });

  it('the streamed batches add up to the workbench list, and listSessions returns it whole', async () => {
    const batches: EventPayloads['sessionsChanged'][] = [];
    const off = ws.bridge.on('sessionsChanged', (b) => batches.push(b));
    const opened = await ws.bridge.openFile(fixture('arkime-synthetic.pcap'));
    off();
    expect(opened.ok).toBe(true);
    const expected = await runtime.workbench.handlers.listSessions();
    expect(expected.length).toBeGreaterThan(5);

    let rows: SessionRows = [];
    for (const b of batches) rows = applySessionsChanged(rows, b);
    expect(batches[0]?.reset).toBe(true);
    expect(rows).toEqual(expected);

    const listed = (await ws.bridge.listSessions()) as ApiResult<SessionSummary[]>;
    expect(listed).toEqual({ ok: true, value: expected });
  });

  it('a second file replaces the rows: a reset first, then only the new file`s sessions', async () => {
    const batches: EventPayloads['sessionsChanged'][] = [];
    const off = ws.bridge.on('sessionsChanged', (b) => batches.push(b));
    await ws.bridge.openFile(fixture('https-connect.pcap'));
    off();
    let rows: SessionRows = [{ ...(await runtime.workbench.handlers.listSessions())[0]!, id: 99 }];
    for (const b of batches) rows = applySessionsChanged(rows, b);
    expect(rows).toEqual(await runtime.workbench.handlers.listSessions());
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ proxyTarget: 'ts01-b.cloudsink.net:443', status: 'complete' });
  });
});
