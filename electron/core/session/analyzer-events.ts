import type { Session, TlsMessage } from './model';

/**
 * What the engine tells its consumers while packets are pushed in. A file and
 * a live capture produce the same events; consumers that only want the end
 * result read `SessionAnalyzer.sessions` after `finish()`.
 */
export interface AnalyzerEvents {
  /** A TCP connection turned out to carry TLS or an HTTP CONNECT. */
  sessionOpened?(session: Session): void;
  /** A message completed (handshake message, CCS, alert, record, CONNECT head). */
  messageDecoded?(session: Session, message: TlsMessage): void;
  /** Something about the session changed other than a new message (certificates parsed, warning added). */
  sessionUpdated?(session: Session): void;
  /** FIN/RST seen, or the input ended. */
  sessionClosed?(session: Session): void;
}
