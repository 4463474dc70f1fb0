/**
 * Plain `http://` proxy requests (RFC 9112 3.2.2 absolute-form): one request
 * per client connection. The head goes to the origin in origin-form (or
 * unchanged to an upstream proxy), without the hop-by-hop proxy fields and
 * with `Connection: close`; then bytes flow both ways unchanged until the
 * origin closes.
 */
import type { Socket } from 'node:net';
import type { HttpHead } from '../../core/http/http-head-parser';
import { bridgeSockets } from './passthrough-bridge';
import type { ProxyLimits } from './proxy-types';
import type { TunnelLegs } from './tunnel-legs';
import { connectUpstream, type UpstreamProxy } from './upstream-connector';

export interface PlainHttpRequest {
  client: Socket;
  legs: TunnelLegs;
  head: HttpHead;
  rest: Uint8Array;
  limits: ProxyLimits;
  upstream: UpstreamProxy | null;
  fail(status: number, reason: string): void;
}

/** Fields that concern only this hop (RFC 9110 7.6.1) and are not forwarded. */
const HOP_BY_HOP = new Set(['connection', 'proxy-connection', 'keep-alive', 'proxy-authorization', 'te', 'trailer', 'upgrade']);

export async function forwardPlainHttp(r: PlainHttpRequest): Promise<void> {
  let url: URL;
  try {
    url = new URL(r.head.target ?? '');
  } catch {
    r.fail(400, 'malformed request URL');
    return;
  }
  if (url.protocol !== 'http:' || !url.hostname) {
    r.fail(400, 'malformed request URL');
    return;
  }
  const target = { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 80 };
  const requestTarget = r.upstream ? url.href : `${url.pathname}${url.search}`;
  const lines = [`${r.head.method} ${requestTarget} ${r.head.version}`];
  let hasHost = false;
  for (const [name, value] of r.head.headers) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) continue;
    if (lower === 'host') hasHost = true;
    lines.push(`${name}: ${value}`);
  }
  if (!hasHost) lines.push(`Host: ${url.host}`);
  if (r.upstream?.authorization) lines.push(`Proxy-Authorization: ${r.upstream.authorization}`);
  lines.push('Connection: close');
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');

  // Through an upstream proxy the request goes to it as is (no CONNECT): connect to the proxy itself.
  const hop = r.upstream ? { host: r.upstream.host, port: r.upstream.port } : target;
  const result = await connectUpstream(hop, { timeoutMs: r.limits.connectTimeoutMs, recording: r.legs.upstreamRecording() });
  if (r.client.destroyed) {
    if (result.ok) result.socket.destroy();
    r.legs.upstreamClosed();
    return;
  }
  if (!result.ok) {
    r.legs.upstreamClosed();
    r.fail(result.timedOut ? 504 : 502, result.reason);
    return;
  }
  r.legs.toUpstream(head);
  result.socket.write(head);
  bridgeSockets({
    client: r.client, upstream: result.socket, legs: r.legs, initial: r.rest, upstreamRest: new Uint8Array(0),
    idleTimeoutMs: r.limits.idleTimeoutMs, onClosed: () => undefined,
  });
}
