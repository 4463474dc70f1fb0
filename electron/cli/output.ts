/**
 * Write text pieces to stdout, respecting back-pressure (large JSON documents,
 * slow pipes). Byte pieces (UTF-8) are written as they are.
 *
 * A reader that goes away early (`tlswb analyze F --json | head -c 100`) is
 * not an error: the rest of the output is dropped and the command ends as
 * other Unix tools do, quietly. Node reports the closed pipe as an 'error'
 * event (EPIPE), which without a listener is an uncaught exception with a
 * stack trace.
 */
import { CliError } from './cli-error';

export interface WriteOutOptions {
  /**
   * Each byte piece is valid only until the next is asked for (the producer
   * fills one buffer again and again): the next is asked for only once the
   * piece was handed to the system, not merely queued.
   */
  piecesReuseBuffers?: boolean;
}

/** Whether everything was written (false: stdout's reader closed it first). */
export async function writeOut(pieces: Iterable<string | Uint8Array>, options: WriteOutOptions = {}): Promise<boolean> {
  const out = process.stdout;
  const state = watch(out);
  let batch = '';
  for (const p of pieces) {
    if (state.closed) break;
    if (typeof p !== 'string') {
      if (batch) await write(out, state, batch);
      batch = '';
      await (options.piecesReuseBuffers ? writeAll(out, state, p) : write(out, state, p));
      continue;
    }
    batch += p;
    if (batch.length >= 1 << 20) {
      await write(out, state, batch);
      batch = '';
    }
  }
  if (batch) await write(out, state, batch);
  if (state.failure) throw new CliError(`cannot write the output: ${state.failure}`, 1);
  return !state.closed;
}

interface OutputState {
  /** stdout was closed by its reader (EPIPE) or failed: nothing more is written. */
  closed: boolean;
  /** A write failed for another reason than a gone reader (a full disk): one line for the user. */
  failure: string | null;
}

const states = new WeakMap<NodeJS.WritableStream, OutputState>();

/** stdout's state, with the one 'error' listener that keeps a closed pipe from throwing. */
function watch(out: NodeJS.WriteStream): OutputState {
  let state = states.get(out);
  if (state === undefined) {
    const s: OutputState = { closed: false, failure: null };
    out.on('error', (e: NodeJS.ErrnoException) => {
      s.closed = true;
      if (e.code !== 'EPIPE' && s.failure === null) s.failure = e.code ?? e.message;
    });
    states.set(out, s);
    state = s;
  }
  return state;
}

/** One piece; resolves once stdout can take more, or is closed (the error comes before 'close'). */
function write(out: NodeJS.WriteStream, state: OutputState, piece: string | Uint8Array): Promise<void> | void {
  if (state.closed || out.destroyed) {
    state.closed = true;
    return;
  }
  if (out.write(piece)) return;
  return new Promise<void>((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

/** One piece; resolves once it is written (stdout's callback), or stdout is closed. */
function writeAll(out: NodeJS.WriteStream, state: OutputState, piece: Uint8Array): Promise<void> | void {
  if (state.closed || out.destroyed) {
    state.closed = true;
    return;
  }
  return new Promise<void>((resolve) => {
    const done = (): void => {
      out.off('close', done);
      resolve();
    };
    out.on('close', done);
    out.write(piece, done);
  });
}
