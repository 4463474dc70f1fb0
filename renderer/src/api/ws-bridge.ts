/**
 * The WebSocket transport's bridge, for the renderer in a browser (`tlswb
 * serve`): the same methods as `window.tlswb`, built from the same name list.
 * Calls are `{id, command, args}`; answers `{type: "result", id, result}`;
 * events `{type: "event", event, payload}`. `encoding: "session-rows"` marks
 * session rows in their compact wire form (session-rows-wire.ts): a
 * `sessionsChanged` payload, or the value of a `listSessions` result. They are
 * decoded here, so callers and listeners get the contract's shapes.
 */
import { COMMAND_NAMES, type EventName } from '../../../electron/api/command-names';
import type { ApiResult, TlswbBridge } from '../../../electron/api/contract';
import { decodeSessionsChanged, SESSION_ROWS_ENCODING, type WireSessionsChanged } from '../../../electron/api/session-rows-wire';

export interface WebSocketBridge {
  bridge: TlswbBridge;
  /** Resolves once the socket is open; rejects if it could not connect. */
  ready: Promise<void>;
  /** Called once when the connection is lost. */
  onClose(listener: () => void): void;
  close(): void;
}

type Pending = (result: ApiResult<unknown>) => void;

export function createWebSocketBridge(url: string, WebSocketImpl: typeof WebSocket = WebSocket): WebSocketBridge {
  const socket = new WebSocketImpl(url);
  const pending = new Map<number, Pending>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const closeListeners: (() => void)[] = [];
  let nextId = 1;
  let closed = false;

  const ready = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error('cannot connect to the workbench')), { once: true });
  });
  // Callers that never await `ready` must not see an unhandled rejection.
  ready.catch(() => undefined);

  socket.addEventListener('message', (e: MessageEvent) => {
    let msg: { type?: string; id?: number; result?: ApiResult<unknown>; event?: EventName; encoding?: string; payload?: unknown };
    try {
      msg = JSON.parse(String(e.data)) as typeof msg;
    } catch {
      return;
    }
    if (msg.type === 'result' && typeof msg.id === 'number' && msg.result) {
      const done = pending.get(msg.id);
      pending.delete(msg.id);
      // listSessions' rows come compact, as sessionsChanged's do.
      const result = msg.encoding === SESSION_ROWS_ENCODING && msg.result.ok
        ? { ok: true as const, value: decodeSessionsChanged(msg.result.value as WireSessionsChanged).sessions }
        : msg.result;
      done?.(result);
    } else if (msg.type === 'event' && msg.event) {
      const payload = msg.encoding === SESSION_ROWS_ENCODING ? decodeSessionsChanged(msg.payload as WireSessionsChanged) : msg.payload;
      for (const l of listeners.get(msg.event) ?? []) l(payload);
    }
  });

  socket.addEventListener('close', () => {
    closed = true;
    for (const done of pending.values()) done({ ok: false, error: { code: 'internal', message: 'the connection to the workbench was lost' } });
    pending.clear();
    for (const l of closeListeners.splice(0)) l();
  });

  const call = async (command: string, args: unknown[]): Promise<ApiResult<unknown>> => {
    try {
      await ready;
    } catch (err) {
      return { ok: false, error: { code: 'internal', message: (err as Error).message } };
    }
    if (closed) return { ok: false, error: { code: 'internal', message: 'the connection to the workbench was lost' } };
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, command, args }));
    });
  };

  const bridge: Record<string, unknown> = {};
  for (const name of COMMAND_NAMES) bridge[name] = (...args: unknown[]) => call(name, args);
  bridge.on = (event: EventName, listener: (payload: unknown) => void) => {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  };

  return {
    bridge: bridge as TlswbBridge,
    ready,
    onClose: (l) => closeListeners.push(l),
    close: () => socket.close(),
  };
}
