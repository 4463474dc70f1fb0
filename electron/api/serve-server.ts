/**
 * The WebSocket transport: one HTTP server that serves the built renderer and
 * the API (`/api/ws` WebSocket, `/api/hello` and `POST /api/call` for tools),
 * every API request checked by `serve-guard`. The page itself carries no
 * capture data, so it is served without the token; it asks `/api/hello` and
 * shows a "missing or wrong token" screen when refused.
 */
import { RENDERER_CSP } from './renderer-security';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { MAX_UPLOAD_BYTES, type EventPayloads, type SessionSummary } from './contract';
import type { Dispatch } from './dispatcher';
import type { EventHub } from './event-hub';
import { checkApiRequest, newToken } from './serve-guard';
import { encodeSessionsChanged, SESSION_ROWS_ENCODING } from './session-rows-wire';

export interface ServeOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The built renderer (dist/renderer); null serves a page saying it is missing. */
  staticDir: string | null;
  dispatch: Dispatch;
  events: EventHub;
  token?: string;
}

export interface RunningServe {
  /** `http://HOST:PORT/?token=...`: the one line `tlswb serve` prints. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** A request or a WebSocket message may carry an upload of this many base64 characters, plus its envelope. */
const MAX_MESSAGE_BYTES = Math.ceil(MAX_UPLOAD_BYTES / 3) * 4 + 64 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const CSP = RENDERER_CSP;

function securityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // The token is in the page URL: never send it anywhere as a Referer.
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

const MISSING_RENDERER = `<!doctype html><meta charset="utf-8"><title>TLS Workbench</title>
<p>The desktop UI is not built. Run <code>npm run build</code>, then start <code>tlswb serve</code> again.</p>`;

async function serveStatic(staticDir: string | null, pathname: string, res: ServerResponse): Promise<void> {
  if (!staticDir) {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(MISSING_RENDERER);
    return;
  }
  let relative: string;
  try {
    relative = decodeURIComponent(pathname);
  } catch {
    res.writeHead(400).end();
    return;
  }
  if (relative.includes('\0')) {
    res.writeHead(400).end();
    return;
  }
  if (relative === '/' || relative === '') relative = '/index.html';
  const root = normalize(staticDir + sep);
  const file = normalize(join(root, relative));
  // Never outside the renderer folder.
  if (!file.startsWith(root)) {
    res.writeHead(404).end();
    return;
  }
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    const cache = extname(file) === '.html' ? 'no-store' : 'public, max-age=3600';
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': info.size, 'Cache-Control': cache });
    createReadStream(file).pipe(res);
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('not found');
  }
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_MESSAGE_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseCall(text: string): { id: unknown; command: unknown; args: unknown } | null {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const v = value as Record<string, unknown>;
    return { id: v.id, command: v.command, args: v.args ?? [] };
  } catch {
    return null;
  }
}

export async function startServeServer(options: ServeOptions): Promise<RunningServe> {
  const token = options.token ?? newToken();
  let port = options.port;

  const guard = (req: IncomingMessage, url: URL) =>
    checkApiRequest({
      token,
      boundHost: options.host,
      port,
      url,
      headers: { host: req.headers.host, origin: req.headers.origin, authorization: req.headers.authorization },
    });

  const server = createServer((req, res) => {
    securityHeaders(res);
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (url.pathname.startsWith('/api/')) {
      const verdict = guard(req, url);
      if (!verdict.ok) {
        sendJson(res, verdict.status, { ok: false, error: { code: verdict.status === 401 ? 'unauthorized' : 'forbidden', message: verdict.reason } });
        return;
      }
      if (url.pathname === '/api/hello' && req.method === 'GET') {
        sendJson(res, 200, { ok: true, value: { app: 'tlswb' } });
        return;
      }
      if (url.pathname === '/api/call' && req.method === 'POST') {
        void readBody(req).then(async (text) => {
          const call = text === null ? null : parseCall(text);
          if (!call) {
            sendJson(res, 400, { ok: false, error: { code: 'invalid-arguments', message: 'expected {"command", "args"}' } });
            return;
          }
          sendJson(res, 200, await options.dispatch(call.command, call.args));
        });
        return;
      }
      sendJson(res, 404, { ok: false, error: { code: 'unknown-command', message: 'no such API endpoint' } });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    void serveStatic(options.staticDir, url.pathname, res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const verdict = url.pathname === '/api/ws' ? guard(req, url) : ({ ok: false, status: 403, reason: 'not the API' } as const);
    if (!verdict.ok) {
      const text = verdict.status === 401 ? 'Unauthorized' : 'Forbidden';
      socket.end(`HTTP/1.1 ${verdict.status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  const attach = (ws: WebSocket): void => {
    const unsubscribe = options.events.subscribe((event, payload) => {
      if (ws.readyState !== ws.OPEN) return;
      // Session rows go positional with a string table (session-rows-wire.ts): a fifth of the bytes.
      const message =
        event === 'sessionsChanged'
          ? { type: 'event', event, encoding: SESSION_ROWS_ENCODING, payload: encodeSessionsChanged(payload as EventPayloads['sessionsChanged']) }
          : { type: 'event', event, payload };
      ws.send(JSON.stringify(message));
    });
    ws.on('message', (data: RawData) => {
      const call = parseCall(data.toString());
      if (!call || (typeof call.id !== 'number' && typeof call.id !== 'string')) {
        ws.send(JSON.stringify({ type: 'result', id: null, result: { ok: false, error: { code: 'invalid-arguments', message: 'expected {"id", "command", "args"}' } } }));
        return;
      }
      void options.dispatch(call.command, call.args).then((result) => {
        if (ws.readyState !== ws.OPEN) return;
        // The whole list, for a page that joined after the rows streamed: in the same compact rows.
        if (call.command === 'listSessions' && result.ok && Array.isArray(result.value)) {
          const rows = result.value as SessionSummary[];
          const value = encodeSessionsChanged({ reset: false, sessions: rows, total: rows.length });
          ws.send(JSON.stringify({ type: 'result', id: call.id, encoding: SESSION_ROWS_ENCODING, result: { ok: true, value } }));
          return;
        }
        ws.send(JSON.stringify({ type: 'result', id: call.id, result }));
      });
    });
    ws.on('close', unsubscribe);
    ws.on('error', unsubscribe);
  };

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((done) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
