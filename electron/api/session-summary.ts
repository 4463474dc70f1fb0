/**
 * The session table's row for a session, and the status people read in it:
 * did the handshake finish, was it resumed, did an alert end it.
 */
import { nsToSeconds } from '../core/capture/packet';
import type { Session, TlsMessage } from '../core/session/model';
import type { SessionStatus, SessionSummary } from './contract';

const TLS13 = 0x0304;

/**
 * Finished in both directions, as far as the wire shows it. TLS <= 1.2: each
 * side sent ChangeCipherSpec (its Finished follows encrypted). TLS 1.3: the
 * server answered and the client then sent protected records (its Finished is
 * one of them, indistinguishable without keys).
 */
export function handshakeCompleted(session: Session): boolean {
  const messages = session.messages;
  if (session.version === TLS13) {
    let serverHello = false;
    for (const m of messages) {
      if (m.type === 'server_hello') serverHello = true;
      else if (serverHello && m.from === 'client' && (m.type === 'application_data' || m.type === 'finished')) return true;
    }
    return false;
  }
  let clientCcs = false;
  let serverCcs = false;
  for (const m of messages) {
    if (m.type !== 'change_cipher_spec') continue;
    if (m.from === 'client') clientCcs = true;
    else serverCcs = true;
  }
  return clientCcs && serverCcs;
}

/**
 * An alert that means trouble: fatal, or a named one other than close_notify.
 * An encrypted alert (level unknown) after a completed handshake is almost
 * always close_notify, so it does not count; before completion it does.
 */
export function isTroubleAlert(m: TlsMessage, completed: boolean): boolean {
  if (m.type !== 'alert') return false;
  if (m.level === 'fatal') return true;
  if (m.description != null) return m.description !== 'close_notify';
  return !completed;
}

export function sessionStatus(session: Session): { status: SessionStatus; hasAlert: boolean } {
  const completed = handshakeCompleted(session);
  let hasAlert = false;
  for (const m of session.messages) {
    if (isTroubleAlert(m, completed)) {
      hasAlert = true;
      break;
    }
  }
  const status: SessionStatus = hasAlert ? 'alert' : completed ? (session.resumed ? 'resumed' : 'complete') : 'incomplete';
  return { status, hasAlert };
}

export function summarizeSession(session: Session): SessionSummary {
  const { status, hasAlert } = sessionStatus(session);
  return {
    id: session.id,
    client: { ip: session.client.ip, port: session.client.port },
    server: { ip: session.server.ip, port: session.server.port },
    sni: session.sni,
    version: session.version,
    cipherSuiteName: session.cipherSuiteName,
    alpn: session.alpn,
    ja4: session.ja4,
    ja3Hash: session.ja3Hash,
    messageCount: session.messages.length,
    startTime: nsToSeconds(session.startTimeNs),
    duration: Number(session.lastTimeNs - session.startTimeNs) / 1e9,
    status,
    hasAlert,
    proxyTarget: session.proxy ? session.proxy.target : null,
  };
}
