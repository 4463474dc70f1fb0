/**
 * What a recorded TLS socket (the intercepting proxy's, the probe's) runs
 * over: a thin stand-in for a TCP socket that reports every byte going each
 * way, so each leg is recorded as the ciphertext really sent and received.
 *
 * Node layers TLS over anything that is not a connected net.Socket through
 * its JS stream wrapper (JSStreamSocket), which only calls pause/resume,
 * write/cork/uncork/end/destroy and listens for data/end/error/close. Giving
 * it this object instead of a full stream.Duplex spares
 * each chunk a Readable and a Writable on the way (buffering, events, a
 * callback per write); the bytes go straight from the TCP socket to TLS and
 * back.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

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
const pendingTaps = new Set<TappedSocket>();

function flushAllReceived(): void {
  if (pendingTaps.size === 0) return;
  for (const tap of [...pendingTaps]) tap.flushReceived();
}

export class TappedSocket extends EventEmitter {
  /** Read by JSStreamSocket and TLSSocket: binary, half-open like the TCP socket, nothing buffered here. */
  readonly readableObjectMode = false;
  readonly allowHalfOpen = true;
  readonly readableLength = 0;
  readonly writableLength = 0;
  /**
   * Bytes received but not yet reported. TLS processes them synchronously
   * while they are handed over: it reports new secrets (keylog) first and may
   * write an answer (its Finished) at once. Reporting the received bytes
   * after the hand-over but before any such answer keeps both orders right:
   * secrets before the records they decrypt, a message before its answer.
   */
  private pendingReceived: Uint8Array | null = null;
  /** Bytes already read from the socket (and already reported) that TLS gets first. */
  private initial: Uint8Array | null;
  /** cork() depth, and the writes held until the matching uncork(). */
  private corked = 0;
  private held: Array<{ chunk: Uint8Array; callback: ((error?: Error | null) => void) | undefined }> = [];

  constructor(
    private readonly raw: Socket,
    private readonly tap: TapHandlers,
    initial?: Uint8Array,
  ) {
    super();
    this.initial = initial && initial.length > 0 ? initial : null;
    raw.on('data', (data: Buffer) => {
      this.pendingReceived = data;
      pendingTaps.add(this);
      this.emit('data', data);
      this.flushReceived();
    });
    raw.on('end', () => this.emit('end'));
    raw.on('error', (e: Error) => {
      // Whoever owns the raw socket handles its errors too; unheard here they must not throw.
      if (this.listenerCount('error') > 0) this.emit('error', e);
    });
    raw.on('close', () => {
      this.flushReceived();
      this.emit('close');
    });
  }

  /** This object where Node's TLS wants a Duplex (it uses only the members defined here). */
  asDuplex(): Duplex {
    return this as unknown as Duplex;
  }

  get readable(): boolean {
    return this.raw.readable;
  }

  get writable(): boolean {
    return this.raw.writable;
  }

  get destroyed(): boolean {
    return this.raw.destroyed;
  }

  pause(): this {
    this.raw.pause();
    return this;
  }

  resume(): this {
    const first = this.initial;
    if (first) {
      this.initial = null;
      // After the caller's turn (TLS starts reading from inside its own call), before the socket's next bytes.
      process.nextTick(() => this.emit('data', first));
    }
    this.raw.resume();
    return this;
  }

  /**
   * JSStreamSocket corks around every write it passes on, nearly always of a
   * single buffer: writes are held here until uncork and go to the socket as
   * they are (one buffer: a plain write, without the socket's cork buffering;
   * several: corked there, one writev).
   */
  cork(): void {
    this.corked++;
  }

  uncork(): void {
    if (this.corked === 0 || --this.corked > 0) return;
    const held = this.held;
    if (held.length === 0) return;
    this.held = [];
    if (held.length === 1) {
      this.writeNow(held[0]!.chunk, held[0]!.callback);
      return;
    }
    this.raw.cork();
    for (const w of held) this.writeNow(w.chunk, w.callback);
    this.raw.uncork();
  }

  write(chunk: Uint8Array, callback?: (error?: Error | null) => void): boolean {
    if (this.raw.destroyed) {
      if (callback) process.nextTick(callback, new Error('socket closed'));
      return false;
    }
    flushAllReceived();
    this.tap.sending(chunk);
    if (this.corked > 0) {
      this.held.push({ chunk, callback });
      return true;
    }
    return this.writeNow(chunk, callback);
  }

  /**
   * Writes to the socket. The caller (TLS, through JSStreamSocket) is told the
   * write is done at once when the socket took it without going over its
   * high-water mark, else when it drains: TLS keeps at most that much queued
   * (back-pressure as before) without waiting for each write's own callback.
   */
  private writeNow(chunk: Uint8Array, callback: ((error?: Error | null) => void) | undefined): boolean {
    const below = this.raw.write(chunk);
    if (callback) {
      if (below) callback(null);
      else this.raw.once('drain', () => callback(null));
    }
    return below;
  }

  /**
   * FIN to the peer; `callback` (JSStreamSocket's shutdown) once it is sent or
   * the socket closed. Not handed to the socket's end(): a socket destroyed
   * before its FIN went out (the tunnel closing) would make an Error, with
   * its stack trace, to give each pending end callback.
   */
  end(callback?: () => void): this {
    const raw = this.raw;
    if (callback && (raw.destroyed || raw.writableFinished)) {
      process.nextTick(callback);
    } else if (callback) {
      const done = (): void => {
        raw.removeListener('finish', done);
        raw.removeListener('close', done);
        callback();
      };
      raw.once('finish', done);
      raw.once('close', done);
    }
    raw.end();
    return this;
  }

  destroy(): this {
    this.flushReceived();
    this.raw.destroy();
    return this;
  }

  /** Reports the bytes received last, if not done yet. */
  flushReceived(): void {
    const pending = this.pendingReceived;
    if (!pending) return;
    this.pendingReceived = null;
    pendingTaps.delete(this);
    this.tap.received(pending);
  }
}
