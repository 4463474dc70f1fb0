/**
 * A Duplex over a TCP socket that reports every byte going each way, so a
 * TLS socket layered on it (interception, the probe) can be recorded as the
 * ciphertext really sent and received. Node layers TLS over a generic Duplex
 * through its JS stream wrapper; over a bare net.Socket it would read the
 * socket's handle directly and the bytes would never be seen.
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

export interface TapHandlers {
  /** Bytes that arrived from the peer, called right after they were handed on (so that TLS has derived any keys they lead to). */
  received(data: Uint8Array): void;
  /** Bytes about to be written to the peer. */
  sending(data: Uint8Array): void;
}

/**
 * Taps holding received bytes not yet reported. Shared by all taps: the
 * plaintext of one TLS socket is relayed synchronously into another (the
 * intercepting proxy), whose write must come after the bytes that caused it.
 */
const pendingTaps = new Set<TappedDuplex>();

function flushAllReceived(): void {
  if (pendingTaps.size === 0) return;
  for (const tap of [...pendingTaps]) tap.flushReceived();
}

export class TappedDuplex extends Duplex {
  /**
   * Bytes received but not yet reported. TLS processes them synchronously
   * while they are pushed: it reports new secrets (keylog) first and may
   * write an answer (its Finished) at once. Reporting the received bytes
   * after the push but before any such answer keeps both orders right:
   * secrets before the records they decrypt, a message before its answer.
   */
  private pendingReceived: Uint8Array | null = null;

  constructor(
    private readonly raw: Socket,
    private readonly tap: TapHandlers,
    /** Bytes already read from `raw` (and already reported) to deliver first. */
    initial?: Uint8Array,
  ) {
    super({ allowHalfOpen: true });
    if (initial && initial.length > 0) this.push(initial);
    raw.on('data', (data: Buffer) => {
      this.pendingReceived = data;
      pendingTaps.add(this);
      const more = this.push(data);
      this.flushReceived();
      if (!more) raw.pause();
    });
    raw.on('end', () => this.push(null));
    raw.on('error', (e) => this.destroy(e));
    raw.on('close', () => {
      if (!this.destroyed) this.destroy();
    });
    raw.resume();
  }

  override _read(): void {
    this.raw.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.raw.destroyed) {
      callback(new Error('socket closed'));
      return;
    }
    flushAllReceived();
    this.tap.sending(chunk);
    this.raw.write(chunk, (e) => callback(e ?? null));
  }

  /** Reports the bytes received last, if not done yet. */
  flushReceived(): void {
    const pending = this.pendingReceived;
    if (!pending) return;
    this.pendingReceived = null;
    pendingTaps.delete(this);
    this.tap.received(pending);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.raw.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.flushReceived();
    this.raw.destroy();
    callback(error);
  }
}
