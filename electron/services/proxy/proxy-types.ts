/** Options, limits and events of the forward proxy (forward-proxy.ts). */
import type { LeafCertificateIssuer } from '../ca/leaf-certificates';
import type { LegRecorder } from './leg-recorder';
import type { UpstreamProxy } from './upstream-connector';

export interface ProxyLimits {
  /** Largest request head accepted (431 beyond). */
  maxHeadBytes: number;
  /** Time for a client to send its request head (408 after). */
  headTimeoutMs: number;
  /** Time to reach the target or the upstream proxy (504 after). */
  connectTimeoutMs: number;
  /** A tunnel or request with no traffic either way this long is closed. */
  idleTimeoutMs: number;
  /** Time for a TLS handshake (either side) when intercepting. */
  handshakeTimeoutMs: number;
  /** Connections served at once; more are refused (503) so memory stays bounded. */
  maxConnections: number;
}

export const DEFAULT_PROXY_LIMITS: ProxyLimits = {
  maxHeadBytes: 16 * 1024,
  headTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  idleTimeoutMs: 120_000,
  handshakeTimeoutMs: 20_000,
  maxConnections: 10_000,
};

export interface InterceptOptions {
  issuer: LeafCertificateIssuer;
  /** Extra PEM certificates trusted for upstream servers (--upstream-ca), beside the system roots. */
  upstreamCaPem: string[];
  /** Carry on when the upstream certificate does not verify (--insecure-upstream). */
  insecureUpstream: boolean;
  /**
   * Resume the proxy's TLS sessions towards each server (default true), as a
   * browser does; false: a full handshake, with the server's certificates, on
   * every upstream leg (--full-upstream-handshakes).
   */
  resumeUpstreamSessions?: boolean;
}

export interface ProxyOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  intercept?: InterceptOptions | null;
  upstream?: UpstreamProxy | null;
  /** Basic auth the clients must send (Proxy-Authorization); null: none. */
  auth?: { user: string; password: string } | null;
  recorder?: LegRecorder | null;
  limits?: Partial<ProxyLimits>;
  onEvent?: (event: ProxyEvent) => void;
}

export type ProxyEvent =
  | { type: 'tunnel-opened'; tunnel: number; client: string; target: string; mode: 'passthrough' | 'intercept' }
  | { type: 'tunnel-intercepted'; tunnel: number; target: string; sni: string | null; alpn: string | null; upstreamVersion: string | null }
  | { type: 'tunnel-closed'; tunnel: number; target: string; bytesFromClient: number; bytesFromServer: number }
  /** The request was answered with an error status, or the tunnel was refused (upstream certificate, bad TLS). */
  | { type: 'refused'; tunnel: number; client: string; target: string | null; status: number | null; reason: string }
  | { type: 'http-request'; tunnel: number; method: string; url: string };
