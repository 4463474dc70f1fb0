import { TlsConnectionDecoder } from '../../../../electron/core/tls/tls-connection-decoder';
import type { DecodedMessage } from '../../../../electron/core/tls/tls-connection-decoder';
import type { Side } from '../../../../electron/core/session/model';

export interface Decoded {
  decoder: TlsConnectionDecoder;
  messages: DecodedMessage[];
  warnings: string[];
}

/** A decoder that records what it emits. */
export function recordingDecoder(): Decoded {
  const messages: DecodedMessage[] = [];
  const warnings: string[] = [];
  const decoder = new TlsConnectionDecoder({
    onMessage: (d) => messages.push(d),
    onWarning: (side: Side, text: string) => warnings.push(`${side}: ${text}`),
  });
  return { decoder, messages, warnings };
}

/** Feed `bytes` as one side's stream in chunks of `chunk` bytes, frame numbers counting from `firstFrame`. */
export function feed(d: Decoded, side: Side, bytes: Uint8Array, chunk = bytes.length, firstFrame = 1): number {
  let frame = firstFrame;
  for (let i = 0; i < bytes.length; i += chunk) {
    d.decoder.push(side, bytes.subarray(i, Math.min(i + chunk, bytes.length)), frame, BigInt(frame) * 1000n);
    frame++;
  }
  return frame;
}
