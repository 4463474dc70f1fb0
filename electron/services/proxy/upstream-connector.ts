/**
 * Opens the proxy's (or the probe's) TCP connection towards a target:
 * directly, or through another HTTP proxy with CONNECT. Bounded in time; a
 * failure comes back as a reason a person can read ("connection refused",
 * "upstream proxy answered 403 Forbidden", "timed out after 10 s").
 */
import { connect, type Socket } from 'node:net';
import { HttpHeadParser } from '../../core/http/http-head-parser';

export interface UpstreamProxy {
  host: string;
  port: number;
  /** "Basic ..." for the upstream's Proxy-Authorization, when its URL had user:pass. */
  authorization: string | null;
}

export interface ConnectTarget {
  host: string;
  port: number;
}

/** Hooks to record the connection (the leg towards the target or the upstream proxy). */
export interface ConnectRecording {
  /** The TCP connection is up: local and remote addresses are known. */
  connected(socket: Socket): void;
  /** Bytes sent on it (the CONNECT request). */
  sent(data: Uint8Array): void;
  /** Bytes received on it (the upstream proxy's answer). */
  received(data: Uint8Array): void;
}

export type ConnectResult =
  | { ok: true; socket: Socket; /** Bytes after the upstream proxy's answer (normally none). */ rest: Uint8Array }
  | { ok: false; reason: string; timedOut: boolean; socket: Socket | null };

/** Parses `http://[user:pass@]host:port` (the --upstream / --proxy argument). */
export function parseProxyUrl(text: string): UpstreamProxy | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' || !url.hostname || (url.pathname !== '/' && url.pathname !== '')) return null;
  const port = url.port ? Number(url.port) : 8080;
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  const authorization = user || pass ? `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` : null;
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port, authorization };
}

/** "host:port" as a CONNECT request-target (IPv6 in brackets). */
export function authorityOf(target: ConnectTarget): string {
  return target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}

const errnoText: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed (temporary)',
  ETIMEDOUT: 'timed out',
};

export function describeSocketError(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code && errnoText[code]) return `${errnoText[code]} (${code})`;
  return e instanceof Error ? e.message : String(e);
}

/**
 * TCP to `target`, or to `via` followed by CONNECT target. Resolves (never
 * rejects) within `timeoutMs`.
 */
export function connectUpstream(
  target: ConnectTarget,
  options: { via?: UpstreamProxy | null; timeoutMs: number; maxHeadBytes?: number; recording?: ConnectRecording },
): Promise<ConnectResult> {
  const hop = options.via ?? target;
  return new Promise<ConnectResult>((resolve) => {
    let settled = false;
    const socket = connect({ host: hop.host, port: hop.port, allowHalfOpen: true, noDelay: true });
    const finish = (result: ConnectResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeListener('error', onError);
      socket.removeListener('data', onData);
      if (!result.ok) socket.destroy();
      else socket.pause();
      // Until the caller adds its own handler, an error must not become an uncaught exception.
      socket.on('error', () => undefined);
      resolve(result);
    };
    const timer = setTimeout(() => {
      const what = options.via ? `upstream proxy ${authorityOf(options.via)}` : authorityOf(target);
      finish({ ok: false, reason: `connecting to ${what} timed out after ${options.timeoutMs / 1000} s`, timedOut: true, socket: null });
    }, options.timeoutMs);
    const onError = (e: unknown): void => {
      const what = options.via ? `upstream proxy ${authorityOf(options.via)}` : authorityOf(target);
      finish({ ok: false, reason: `cannot connect to ${what}: ${describeSocketError(e)}`, timedOut: false, socket: null });
    };
    // Only through an upstream proxy is there an answer to parse.
    let parser: HttpHeadParser | null = null;
    const onData = (data: Buffer): void => {
      options.recording?.received(data);
      parser ??= new HttpHeadParser(options.maxHeadBytes ?? 16 * 1024);
      const r = parser.push(data);
      if (!r.done) return;
      if ('error' in r) {
        finish({ ok: false, reason: `upstream proxy sent a malformed answer: ${r.error}`, timedOut: false, socket: null });
        return;
      }
      const status = r.head.status ?? 0;
      if (status < 200 || status > 299) {
        finish({ ok: false, reason: `upstream proxy answered ${status} ${r.head.reason ?? ''}`.trim(), timedOut: false, socket: null });
        return;
      }
      finish({ ok: true, socket, rest: r.rest });
    };
    socket.on('error', onError);
    socket.once('connect', () => {
      socket.setNoDelay(true);
      options.recording?.connected(socket);
      if (!options.via) {
        finish({ ok: true, socket, rest: new Uint8Array(0) });
        return;
      }
      const authority = authorityOf(target);
      let head = `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n`;
      if (options.via.authorization) head += `Proxy-Authorization: ${options.via.authorization}\r\n`;
      head += '\r\n';
      const bytes = Buffer.from(head, 'latin1');
      options.recording?.sent(bytes);
      socket.write(bytes);
      socket.on('data', onData);
    });
  });
}
