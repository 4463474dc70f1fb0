/**
 * The last TLS session the intercepting proxy got from each server (per
 * name, port and what the proxy offered), so that its next upstream
 * connection there resumes (RFC 8446 2.2, RFC 5077) instead of making the
 * server sign and send its chain and the proxy verify it again, as browsers
 * do. A resumed session keeps the verdict of the full handshake that made it
 * (OpenSSL stores the verify result in the session). Bounded; per proxy.
 * TLS 1.3 sessions are kept without the server's certificate
 * (upstream-session-der.ts): decoding it again on every resumption cost more
 * than the resumed handshake.
 */
import { withoutPeerCertificate } from './upstream-session-der';

const MAX_SESSIONS = 1024;

export interface UpstreamSessionKey {
  servername: string | undefined;
  host: string;
  port: number;
  alpn: readonly string[];
  maxVersion: string;
  verified: boolean;
}

export class UpstreamSessions {
  private readonly sessions = new Map<string, Buffer>();

  static key(k: UpstreamSessionKey): string {
    return `${k.servername ?? ''}\0${k.host}\0${k.port}\0${k.alpn.join(',')}\0${k.maxVersion}\0${k.verified ? 1 : 0}`;
  }

  get(key: string): Buffer | undefined {
    return this.sessions.get(key);
  }

  remember(key: string, session: Buffer): void {
    if (!this.sessions.has(key) && this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    this.sessions.set(key, withoutPeerCertificate(session));
  }

  /** Forgets the session for `key` (the server refused it, or the handshake failed). */
  forget(key: string): void {
    this.sessions.delete(key);
  }
}
