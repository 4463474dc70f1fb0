/**
 * Decides when the server has answered a replayed ClientHello, from the
 * messages the engine decodes off the replay leg: the end of its flight
 * (ServerHelloDone; a HelloRetryRequest or HelloVerifyRequest, which wait for
 * a client answer a replay cannot give; the encrypted Finished of an
 * abbreviated handshake), or an alert. TLS 1.3 encrypts the rest of its flight,
 * so after a TLS 1.3 ServerHello the end is a quiet period (the replay's timer).
 */
import type { Session, TlsMessage } from '../../core/session/model';

export type FlightEnd = 'flight-complete' | 'alert';

export class FlightWatcher {
  private serverCcs = false;
  /** A TLS 1.3 ServerHello came: the end can only be told by a quiet period. */
  tls13 = false;
  ended: FlightEnd | null = null;

  /** One decoded message of the replay leg; returns the end when this message is it. */
  message(s: Session, m: TlsMessage): FlightEnd | null {
    if (this.ended || m.from !== 'server') return null;
    switch (m.type) {
      case 'server_hello':
        if (s.version === 0x0304) this.tls13 = true;
        break;
      case 'server_hello_done':
      case 'hello_retry_request':
      case 'hello_verify_request':
        this.ended = 'flight-complete';
        break;
      case 'alert':
        this.ended = 'alert';
        break;
      case 'change_cipher_spec':
        this.serverCcs = true;
        break;
      case 'encrypted_handshake':
        if (this.serverCcs && !this.tls13) this.ended = 'flight-complete';
        break;
      default:
        break;
    }
    return this.ended;
  }
}
