/**
 * `tlswb probe`: one live (optionally proxied) HTTPS request, timed step by
 * step and recorded. TCP connect, CONNECT through the proxy when one is
 * given, the TLS handshake, one HTTP request (HTTP/1.1, or HTTP/2 when the
 * server picks h2). The leg is recorded as synthesized packets (pcapng with
 * the secrets when asked) and run through the engine, so the session it
 * reports is the same analysis `tlswb analyze` gives of the saved file.
 */
import { connect as http2Connect } from 'node:http2';
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { SessionAnalyzer } from '../../core/session/analyzer';
import type { Session } from '../../core/session/model';
import { TrustAnchors } from '../../core/x509/trust-anchors';
import { SYSTEM_CA_BUNDLES, verifyCertificateChain, type ChainVerification } from '../certificate-verifier';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { LegRecorder, type RecordedLeg } from '../proxy/leg-recorder';
import { TappedSocket } from '../proxy/tapped-socket';
import { connectUpstream, type UpstreamProxy } from '../proxy/upstream-connector';

export interface ProbeOptions {
  /** https://host[:port][/path] */
  url: string;
  proxy?: UpstreamProxy | null;
  /** Only this TLS version. */
  tlsVersion?: '1.2' | '1.3' | null;
  alpn?: string[];
  /** OpenSSL cipher list (TLS 1.2 names) and/or TLS 1.3 suite names. */
  ciphers?: string | null;
  /** SNI to send instead of the URL's host name. */
  servername?: string | null;
  /** Extra trust anchors (PEM) for the verdict, beside the system's. */
  extraCaPem?: string[];
  /** Record to this pcapng file (with the TLS secrets). */
  file?: string | null;
  timeoutMs?: number;
}

/** Milliseconds since the probe started; null when the step did not happen (or cannot be seen). */
export interface ProbeTimings {
  tcpConnect: number | null;
  connectAnswered: number | null;
  serverHello: number | null;
  certificate: number | null;
  /** The handshake finished (the client verified the server's Finished). */
  finished: number | null;
  firstResponseByte: number | null;
  total: number;
}

export interface ProbeResult {
  session: Session | null;
  timings: ProbeTimings;
  verdict: ChainVerification | null;
  /** HTTP status of the answer, when one came. */
  status: number | null;
  protocol: string | null;
  alpn: string | null;
  /** Why the probe stopped early, if it did. */
  error: string | null;
  /** Where the timings of encrypted steps come from (TLS 1.3 hides the certificate on the wire). */
  notes: string[];
}

export function parseProbeUrl(text: string): { host: string; port: number; path: string } | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || !url.hostname) return null;
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 443, path: `${url.pathname || '/'}${url.search}` };
}

const MAX_RESPONSE_BYTES = 1 << 20;

export async function runProbe(options: ProbeOptions): Promise<ProbeResult> {
  const target = parseProbeUrl(options.url);
  if (!target) throw new Error(`not an https:// URL: ${options.url}`);
  const analyzer = new SessionAnalyzer();
  const recorder = await LegRecorder.create({ file: options.file ?? undefined, onPacket: (p) => analyzer.push(p), application: 'tlswb probe' });
  const clock = recorder.clock;
  const t0 = clock.nowNs();
  const ms = (ns: bigint | null): number | null => (ns === null ? null : Number(ns - t0) / 1e6);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const notes: string[] = [];
  let leg: RecordedLeg | null = null;
  let tcpAt: bigint | null = null;
  let connectAt: bigint | null = null;
  let secureAt: bigint | null = null;
  let requestSentAt: bigint | null = null;
  let firstByteAt: bigint | null = null;
  let status: number | null = null;
  let error: string | null = null;
  let tlsSocket: TLSSocket | null = null;
  let peerChain: Uint8Array[] = [];
  let protocol: string | null = null;
  let alpn: string | null = null;

  const connected = await connectUpstream(target, {
    via: options.proxy ?? null,
    timeoutMs,
    recording: {
      connected: (socket: Socket) => {
        tcpAt = clock.nowNs();
        leg = recorder.leg(
          { ip: socket.localAddress ?? '0.0.0.0', port: socket.localPort ?? 0 },
          { ip: socket.remoteAddress ?? '0.0.0.0', port: socket.remotePort ?? 0 },
        );
        leg.open();
      },
      sent: (d) => leg?.sent('client', d),
      received: (d) => leg?.sent('server', d),
    },
  });
  const legOf = (): RecordedLeg | null => leg;
  if (!connected.ok) {
    error = connected.reason;
  } else {
    if (options.proxy) connectAt = clock.nowNs();
    const socket = connected.socket;
    try {
      const outcome = await handshakeAndRequest(socket, connected.rest);
      status = outcome.status;
    } catch (e: unknown) {
      error = e instanceof Error ? e.message : String(e);
    }
    socket.destroy();
    legOf()?.close('client');
    legOf()?.close('server');
  }

  async function handshakeAndRequest(socket: Socket, rest: Uint8Array): Promise<{ status: number | null }> {
    const tap = new TappedSocket(socket, {
      received: (d) => {
        if (requestSentAt !== null && firstByteAt === null) firstByteAt = clock.nowNs();
        legOf()?.sent('server', d);
      },
      sending: (d) => legOf()?.sent('client', d),
    }, rest);
    const servername = options.servername ?? (isIP(target!.host) ? undefined : target!.host);
    const version = options.tlsVersion === '1.2' ? 'TLSv1.2' : options.tlsVersion === '1.3' ? 'TLSv1.3' : undefined;
    const tls = tlsConnect({
      socket: tap.asDuplex(),
      servername,
      ALPNProtocols: options.alpn && options.alpn.length ? options.alpn : ['http/1.1'],
      ciphers: options.ciphers ?? undefined,
      minVersion: version,
      maxVersion: version,
      // The probe reports the verdict instead of refusing: it must see the handshake either way.
      rejectUnauthorized: false,
    });
    tlsSocket = tls;
    tls.on('keylog', (line: Buffer) => recorder.secrets(line.toString('latin1')));
    await withTimeout(new Promise<void>((resolve, reject) => {
      tls.once('secureConnect', () => resolve());
      tls.once('error', reject);
    }), timeoutMs, 'TLS handshake');
    secureAt = clock.nowNs();
    protocol = tls.getProtocol();
    alpn = typeof tls.alpnProtocol === 'string' ? tls.alpnProtocol : null;
    const chain = tls.getPeerCertificate(true);
    peerChain = [];
    const seen = new Set<string>();
    for (let c = chain; c && c.raw && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
      seen.add(c.fingerprint256);
      peerChain.push(new Uint8Array(c.raw));
    }
    const host = target!.port === 443 ? target!.host : `${target!.host}:${target!.port}`;
    if (tls.alpnProtocol === 'h2') return withTimeout(requestH2(tls, host), timeoutMs, 'HTTP/2 response');
    return withTimeout(requestHttp1(tls, host), timeoutMs, 'HTTP response');
  }

  function requestHttp1(tls: TLSSocket, host: string): Promise<{ status: number | null }> {
    return new Promise((resolve, reject) => {
      let text = '';
      let bytes = 0;
      tls.on('data', (d: Buffer) => {
        bytes += d.length;
        if (text.length < 256) text += d.toString('latin1', 0, Math.min(d.length, 256));
        if (bytes > MAX_RESPONSE_BYTES) tls.end();
      });
      const done = (): void => {
        const m = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(text);
        resolve({ status: m ? Number(m[1]) : null });
      };
      tls.once('end', done);
      tls.once('close', done);
      tls.once('error', reject);
      requestSentAt = clock.nowNs();
      tls.write(`GET ${target!.path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: tlswb-probe\r\nAccept: */*\r\nConnection: close\r\n\r\n`);
    });
  }

  function requestH2(tls: TLSSocket, host: string): Promise<{ status: number | null }> {
    return new Promise((resolve, reject) => {
      const session = http2Connect(`https://${host}`, { createConnection: () => tls });
      session.once('error', reject);
      requestSentAt = clock.nowNs();
      const req = session.request({ ':path': target!.path, ':authority': host, 'user-agent': 'tlswb-probe' });
      let code: number | null = null;
      req.once('response', (headers) => {
        code = Number(headers[':status']) || null;
      });
      req.on('data', () => undefined);
      req.once('end', () => {
        session.close();
        resolve({ status: code });
      });
      req.once('error', reject);
      req.end();
    });
  }

  await recorder.close();
  analyzer.finish();
  const session = analyzer.sessions.at(-1) ?? null;
  const tls = tlsSocket as TLSSocket | null;

  // Timings from the recorded wire (what Wireshark would show), then from the socket for what TLS 1.3 encrypts.
  const msgAt = (type: string, from: 'client' | 'server'): bigint | null =>
    session?.messages.find((m) => m.type === type && m.from === from)?.timeNs ?? null;
  const serverHello = msgAt('server_hello', 'server');
  let certificate = msgAt('certificate', 'server');
  if (certificate === null && serverHello !== null && session) {
    const flight = session.messages.find((m) => m.from === 'server' && m.timeNs >= serverHello && (m.type === 'application_data' || m.type === 'encrypted_handshake'));
    if (flight) {
      certificate = flight.timeNs;
      notes.push('certificate: time of the encrypted server flight that carries it (TLS 1.3)');
    }
  }
  if (secureAt !== null) notes.push('finished: when the client had verified the server Finished');

  let verdict: ChainVerification | null = null;
  const sentDer = session && session.certificates.length ? session.certificates.map((c) => c.der) : peerChain;
  if (tls && sentDer.length) {
    let anchors: TrustAnchors | undefined;
    if (options.extraCaPem && options.extraCaPem.length) {
      anchors = anchorsWith(options.extraCaPem);
    }
    verdict = verifyCertificateChain(sentDer, { serverName: options.servername ?? target.host, at: new Date(), anchors });
  }
  return {
    session,
    timings: {
      tcpConnect: ms(tcpAt),
      connectAnswered: ms(connectAt),
      serverHello: ms(serverHello),
      certificate: ms(certificate),
      finished: ms(secureAt),
      firstResponseByte: ms(firstByteAt),
      total: ms(clock.nowNs()) ?? 0,
    },
    verdict,
    status,
    protocol,
    alpn,
    error,
    notes,
  };
}

/** The system store and Node's roots (as certificate-verifier.ts reads them) plus `extraPem`. */
function anchorsWith(extraPem: string[]): TrustAnchors {
  const anchors = new TrustAnchors();
  for (const path of SYSTEM_CA_BUNDLES) {
    try {
      if (anchors.addPemBundle(readFileSync(path, 'utf8')) > 0) break;
    } catch {
      // next candidate
    }
  }
  anchors.addPemBundle(rootCertificates.join('\n'));
  for (const pem of extraPem) anchors.addPemBundle(pem);
  return anchors;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
    p.then((v) => {
      clearTimeout(timer);
      resolve(v);
    }, (e: unknown) => {
      clearTimeout(timer);
      reject(e instanceof Error ? e : new Error(String(e)));
    });
  });
}
