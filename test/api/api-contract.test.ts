// Both transports expose exactly the contract: the preload's window.tlswb and
// the renderer's WebSocket bridge have the same methods, each reaching the
// main side's dispatcher as the command of the same name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { COMMAND_NAMES, EVENT_NAMES, commandChannel } from '../../electron/api/command-names';
import { commandInputs } from '../../electron/api/contract';
import { createDispatcher } from '../../electron/api/dispatcher';
import { EventHub } from '../../electron/api/event-hub';
import { startServeServer, type RunningServe } from '../../electron/api/serve-server';
import { createBridgeApi } from '../../electron/preload/bridge-api';
import { createWebSocketBridge } from '../../renderer/src/api/ws-bridge';
import type { ApiResult } from '../../electron/api/contract';

/** Valid arguments for every command, so the dispatcher's validation passes. */
const SAMPLE_ARGS: Record<(typeof COMMAND_NAMES)[number], unknown[]> = {
  openFile: ['/tmp/x.pcap'],
  openBytes: ['x.pcap', 'AAAA'],
  getCurrentFile: [],
  listSessions: [],
  getSession: [0],
  getMessage: [0, 1],
  getCertificateChain: [0],
  saveAs: ['/tmp/y.pcapng'],
  recentFiles: [],
  getSettings: [],
  setSettings: [{ theme: 'dark' }],
  getCapabilities: [],
  choosePath: ['open'],
  openCompareFile: ['/tmp/z.pcap'],
  openCompareBytes: ['z.pcap', 'AAAA'],
  compareSessions: [{ source: 'current', id: 0 }, { source: 'compare', id: 1 }],
  replaySession: [0, { to: '127.0.0.1:443' }],
  loadKeyLog: ['/tmp/keys.txt'],
  loadKeyLogBytes: ['keys.txt', 'AAAA'],
  startProxy: [{ port: 0, intercept: false }],
  stopProxy: [],
  getProxyStatus: [],
  exportProxyCa: [null],
  runProbe: [{ url: 'https://example.com/' }],
  listInterfaces: [],
  startCapture: [{ interface: 'lo', filter: 'tcp' }],
  stopCapture: [],
};

function methodsOf(o: object): string[] {
  return Object.keys(o)
    .filter((k) => typeof (o as Record<string, unknown>)[k] === 'function')
    .sort();
}

describe('the API contract', () => {
  it('has a zod input schema for every command and nothing else', () => {
    expect(Object.keys(commandInputs).sort()).toEqual([...COMMAND_NAMES].sort());
  });

  it('the preload bridge exposes exactly the commands plus `on`, each on its own IPC channel', async () => {
    const calls: unknown[][] = [];
    const bridge = createBridgeApi(
      async (channel, ...args) => {
        calls.push([channel, ...args]);
        return { ok: true, value: null };
      },
      () => () => undefined,
    );
    expect(methodsOf(bridge)).toEqual([...COMMAND_NAMES, 'on'].sort());
    for (const name of COMMAND_NAMES) {
      await (bridge[name] as (...a: unknown[]) => Promise<unknown>)(...SAMPLE_ARGS[name]);
    }
    expect(calls).toEqual(COMMAND_NAMES.map((name) => [commandChannel(name), ...SAMPLE_ARGS[name]]));
  });

  describe('over WebSocket', () => {
    let server: RunningServe;
    const events = new EventHub();
    const received: [string, unknown][] = [];
    // The handlers answer with their own name, so a mis-routed call shows.
    const handlers = Object.fromEntries(COMMAND_NAMES.map((name) => [name, async (...args: unknown[]) => ({ name, args })]));

    beforeAll(async () => {
      const dispatch = createDispatcher(handlers as never);
      server = await startServeServer({
        host: '127.0.0.1',
        port: 0,
        staticDir: null,
        events,
        dispatch: (command, args) => {
          received.push([String(command), args]);
          return dispatch(command, args);
        },
      });
    });
    afterAll(() => server.close());

    it('the renderer WebSocket bridge has the same methods as the preload bridge, and each reaches its command', async () => {
      const ws = createWebSocketBridge(`ws://127.0.0.1:${server.port}/api/ws?token=${server.token}`, WebSocket as unknown as typeof globalThis.WebSocket);
      await ws.ready;
      const preload = createBridgeApi(async () => null, () => () => undefined);
      expect(methodsOf(ws.bridge)).toEqual(methodsOf(preload));
      for (const name of COMMAND_NAMES) {
        const result = (await (ws.bridge[name] as (...a: unknown[]) => Promise<ApiResult<unknown>>)(...SAMPLE_ARGS[name])) as ApiResult<{ name: string }>;
        expect(result).toEqual({ ok: true, value: { name, args: SAMPLE_ARGS[name] } });
      }
      expect(received.map(([c]) => c)).toEqual([...COMMAND_NAMES]);
      ws.close();
    });

    it('delivers events to a subscribed WebSocket client', async () => {
      const ws = createWebSocketBridge(`ws://127.0.0.1:${server.port}/api/ws?token=${server.token}`, WebSocket as unknown as typeof globalThis.WebSocket);
      await ws.ready;
      const got = new Promise((resolve) => ws.bridge.on('fileOpened', resolve));
      const summary = { name: 'a.pcap', path: null, packets: 3, linkTypes: [1], damaged: null, sessionCount: 1, state: 'ready' as const, unsaved: false };
      events.emit('fileOpened', summary);
      expect(await got).toEqual(summary);
      expect(EVENT_NAMES).toContain('fileOpened');
      ws.close();
    });

    it('delivers sessionsChanged to the bridge as the contract payload, though the socket carries it compact', async () => {
      const url = `ws://127.0.0.1:${server.port}/api/ws?token=${server.token}`;
      const ws = createWebSocketBridge(url, WebSocket as unknown as typeof globalThis.WebSocket);
      const raw = new WebSocket(url);
      await Promise.all([ws.ready, new Promise((resolve) => raw.once('open', resolve))]);
      const frame = new Promise<string>((resolve) => raw.once('message', (data: Buffer) => resolve(data.toString())));
      const got = new Promise((resolve) => ws.bridge.on('sessionsChanged', resolve));
      const row = {
        id: 0, client: { ip: '10.0.0.1', port: 50000 }, server: { ip: '10.0.0.2', port: 443 }, sni: 'a.example', version: 0x0304,
        cipherSuiteName: 'TLS_AES_128_GCM_SHA256', alpn: 'h2', ja4: null, ja3Hash: null, messageCount: 9, startTime: 1700000000.25,
        duration: 0.5, status: 'complete' as const, hasAlert: false, proxyTarget: null,
      };
      const payload = { reset: true, sessions: [row, { ...row, id: 1, sni: null, status: 'alert' as const, hasAlert: true }], total: 2 };
      events.emit('sessionsChanged', payload);
      expect(await got).toEqual(payload);
      const onTheWire = JSON.parse(await frame) as { encoding?: string; payload: { rows?: unknown[] } };
      expect(onTheWire.encoding).toBe('session-rows');
      expect(onTheWire.payload.rows).toHaveLength(2);
      raw.close();
      ws.close();
    });

    it('validates arguments on the main side whatever the transport', async () => {
      const ws = createWebSocketBridge(`ws://127.0.0.1:${server.port}/api/ws?token=${server.token}`, WebSocket as unknown as typeof globalThis.WebSocket);
      await ws.ready;
      const bad = await (ws.bridge.getMessage as (...a: unknown[]) => Promise<ApiResult<unknown>>)('0', -1);
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(bad.error.code).toBe('invalid-arguments');
      const unknownCommand = await createDispatcher(handlers as never)('deleteEverything', []);
      expect(unknownCommand).toMatchObject({ ok: false, error: { code: 'unknown-command' } });
      const tooMany = await createDispatcher(handlers as never)('listSessions', [1]);
      expect(tooMany).toMatchObject({ ok: false, error: { code: 'invalid-arguments' } });
      ws.close();
    });
  });
});
