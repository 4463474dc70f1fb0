import { looksLikeTls, TlsConnectionDecoder } from '../../../../electron/core/tls/tls-connection-decoder';
import type { DecodedMessage } from '../../../../electron/core/tls/tls-connection-decoder';
import { tcpStreams } from './tcp-payloads';

export interface DecodedStream {
  stream: number;
  client: string;
  messages: DecodedMessage[];
  warnings: string[];
}

/**
 * Every TCP stream of a capture through a TlsConnectionDecoder, each side
 * starting at its first segment that looks like TLS (as the session analyzer
 * does after a STARTTLS or CONNECT exchange).
 */
export function decodeCapture(file: string): DecodedStream[] {
  const out: DecodedStream[] = [];
  for (const st of tcpStreams(file)) {
    const messages: DecodedMessage[] = [];
    const warnings: string[] = [];
    const decoder = new TlsConnectionDecoder({
      onMessage: (d) => messages.push(d),
      onWarning: (side, text) => warnings.push(`${side}: ${text}`),
    });
    const started = { client: false, server: false };
    for (const ev of st.events) {
      if (ev.kind === 'gap') {
        if (started[ev.side]) decoder.gap(ev.side, ev.missing);
        continue;
      }
      if (!started[ev.side]) {
        if (!looksLikeTls(ev.data)) continue;
        started[ev.side] = true;
      }
      decoder.push(ev.side, ev.data, ev.frame, ev.timeNs);
    }
    out.push({ stream: st.stream, client: st.client, messages, warnings });
  }
  return out;
}
