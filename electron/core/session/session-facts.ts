/**
 * What each decoded message tells about its session: SNI, version, cipher
 * suite, ALPN, fingerprints, certificates, resumption. Pure; called by the
 * analyzer for every message, and once more when the input ends.
 */
import { clientHelloFingerprints, ja3s } from '../tls/fingerprints';
import { cipherSuiteName } from '../tls/registries';
import { parseCertificate } from '../x509/certificate';
import type { DecodedMessage } from '../tls/tls-connection-decoder';
import type { Session, TlsMessage } from './model';

/** Apply one message to its session; true when a session-level fact changed. */
export function applyDecodedMessage(s: Session, d: DecodedMessage): boolean {
  const m = d.message;
  if (d.clientHello && m.from === 'client') {
    if (s.clientHello) return false; // a second ClientHello (after HRR, renegotiation): the first one names the session
    const ch = d.clientHello;
    s.clientHello = ch;
    s.sni = ch.sni;
    s.alpnOffered = ch.alpn;
    // A hello with an extension running past its end has no defined fingerprint (tshark gives none either).
    const f = ch.extensionsTruncated ? null : (d.clientHelloFingerprints ?? clientHelloFingerprints(ch, m.raw));
    s.ja3 = f?.ja3?.text ?? null;
    s.ja3Hash = f?.ja3?.hash ?? null;
    s.ja4 = f?.ja4 ?? null;
    return true;
  }
  if (d.serverHello && m.from === 'server') {
    const sh = d.serverHello;
    if (sh.helloRetryRequest) return false;
    s.serverHello = sh;
    s.version = sh.selectedVersion ?? sh.version;
    s.cipherSuite = sh.cipherSuite;
    s.cipherSuiteName = cipherSuiteName(sh.cipherSuite);
    s.alpn = sh.alpn;
    const j = sh.extensionsTruncated ? null : (d.ja3s ?? ja3s(sh));
    s.ja3s = j?.text ?? null;
    s.ja3sHash = j?.hash ?? null;
    s.resumed = isResumedAtServerHello(s);
    return true;
  }
  if (d.serverKeyExchange && m.from === 'server') {
    s.serverKeyExchange = d.serverKeyExchange;
    return true;
  }
  if (d.certificates && (m.type === 'certificate' || m.type === 'compressed_certificate')) {
    const list = m.from === 'server' ? s.certificates : s.clientCertificates;
    if (list.length > 0) return false; // renegotiation sends it again; keep the first chain
    for (const der of d.certificates) list.push(parseCertificate(der));
    return true;
  }
  return false;
}

/**
 * Resumption visible in the ServerHello: TLS 1.3 with a selected PSK, or TLS <= 1.2
 * echoing the client's non-empty session ID.
 */
function isResumedAtServerHello(s: Session): boolean {
  const sh = s.serverHello;
  const ch = s.clientHello;
  if (!sh) return false;
  if (s.version === 0x0304) return sh.selectedIdentity !== null;
  if (!ch || ch.sessionId.length === 0 || sh.sessionId.length !== ch.sessionId.length) return false;
  for (let i = 0; i < ch.sessionId.length; i++) if (ch.sessionId[i] !== sh.sessionId[i]) return false;
  return true;
}

/**
 * Settle what can only be known at the end. Ticket resumption (RFC 5077) has no
 * echo in the ServerHello: the sign is an abbreviated handshake, the server's
 * ChangeCipherSpec following its ServerHello with no Certificate, key exchange
 * or ServerHelloDone between them (see `nextTicketSign`). A session whose
 * messages were not kept as objects (`messageJson`) carries the sign itself.
 */
export function finishSession(s: Session): void {
  if (s.resumed || !s.serverHello || s.version === 0x0304) return;
  let sign = s.messageJson?.ticketSign ?? TicketSign.NoServerHello;
  for (let i = 0; i < s.messages.length && sign < TicketSign.Abbreviated; i++) sign = nextTicketSign(sign, s.messages[i]!);
  if (sign === TicketSign.Abbreviated) s.resumed = true;
}

/** What the server's messages so far say of an abbreviated handshake (see `finishSession`). */
export const enum TicketSign {
  NoServerHello = 0,
  AfterServerHello = 1,
  /** A ChangeCipherSpec came first after the ServerHello (decided). */
  Abbreviated = 2,
  /** A Certificate, key exchange, CertificateRequest or ServerHelloDone came first (decided). */
  Full = 3,
}

/** The sign after one more message of the session, in order. */
export function nextTicketSign(sign: TicketSign, m: TlsMessage): TicketSign {
  if (sign >= TicketSign.Abbreviated || m.from !== 'server') return sign;
  if (m.type === 'server_hello') return TicketSign.AfterServerHello;
  if (sign === TicketSign.NoServerHello) return sign;
  if (m.type === 'change_cipher_spec') return TicketSign.Abbreviated;
  if (m.type === 'certificate' || m.type === 'server_key_exchange' || m.type === 'server_hello_done'
    || m.type === 'certificate_request') return TicketSign.Full;
  return sign;
}
