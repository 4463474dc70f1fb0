/**
 * Picks the transport: `window.tlswb` inside Electron, else the WebSocket of
 * `tlswb serve` with the token from the page URL. Checks the token first
 * (`/api/hello`), so a page opened without it shows the token screen and
 * never any capture data.
 */
import type { TlswbBridge } from '../../../electron/api/contract';
import { createApiClient, type ApiClient } from './api-client';
import { createWebSocketBridge } from './ws-bridge';

declare global {
  interface Window {
    tlswb?: TlswbBridge;
  }
}

export type Connection =
  | { kind: 'connected'; api: ApiClient; transport: 'ipc' | 'ws'; onLost(listener: () => void): void }
  | { kind: 'refused'; reason: 'missing-token' | 'wrong-token' | 'forbidden' }
  | { kind: 'failed'; message: string };

export async function connect(win: Window = window): Promise<Connection> {
  if (win.tlswb) return { kind: 'connected', api: createApiClient(win.tlswb), transport: 'ipc', onLost: () => undefined };
  const token = new URL(win.location.href).searchParams.get('token');
  if (!token) return { kind: 'refused', reason: 'missing-token' };
  let status: number;
  try {
    const res = await fetch(`/api/hello?token=${encodeURIComponent(token)}`, { cache: 'no-store' });
    status = res.status;
  } catch (err) {
    return { kind: 'failed', message: `cannot reach the workbench: ${(err as Error).message}` };
  }
  if (status === 401) return { kind: 'refused', reason: 'wrong-token' };
  if (status === 403) return { kind: 'refused', reason: 'forbidden' };
  if (status !== 200) return { kind: 'failed', message: `the workbench answered ${status}` };
  const scheme = win.location.protocol === 'https:' ? 'wss' : 'ws';
  const ws = createWebSocketBridge(`${scheme}://${win.location.host}/api/ws?token=${encodeURIComponent(token)}`);
  try {
    await ws.ready;
  } catch (err) {
    return { kind: 'failed', message: (err as Error).message };
  }
  return { kind: 'connected', api: createApiClient(ws.bridge), transport: 'ws', onLost: ws.onClose };
}
