/**
 * `tlswb analyze --json` on two threads as a pipeline: this thread reads the
 * file, decodes the packets and reassembles TCP, posting the TCP table's
 * events in batches (tcp-event-batch.ts) to a worker
 * (dist/cli/tlswb-analyze-tls.cjs, analyze-tls-worker.ts) that replays them
 * into the analyzer (`SessionAnalyzer.tcpEvents`) and writes the JSON,
 * exactly as one thread would, event for event.
 *
 * Why not split the connections between two analyzers (analyze-shards.ts)?
 * On two cores one thread already keeps the second core half busy: V8
 * compiles the hot code with TurboFan and collects garbage on helper
 * threads. Two shards run all the code twice (each isolate compiles it
 * again, each reads every packet): ~0.6 s more CPU on the bench capture,
 * more than they save. Here each thread runs only its half of the code and
 * holds only its half of the objects (TCP state here, TLS and session state
 * there). The TLS half, the larger, runs in the worker, whose heap can be
 * made with a young generation at its full size from the start (this
 * thread's is made before any of our code runs).
 *
 * Measured on the bench capture (2 cores, SCHED_RR, per-thread CPU from
 * /proc/self/task/TID/schedstat, event-loop idle from
 * performance.eventLoopUtilization): this thread ~0.21 s of CPU (~60 ms of
 * it the process's start), the worker ~0.3 s busy after its first batch,
 * V8's helpers ~0.23 s; ~0.78 s in all against ~0.66 s for one thread. The
 * cores are saturated: the wall follows the total CPU more than the split.
 * The ring is rarely full (0-2 waits here), and this thread's event loop
 * is idle ~180 ms of ~350 (its reads' hand-overs to libuv's pool each wait
 * for a core); blocking reads (readSync) took that idle time away but cost
 * more CPU than they saved (0.99 s median CPU, 0.56 s wall): not used. The
 * worker's start (Node's bootstrap, then its bundle) was ~55 ms before its
 * first batch, as an ES module compiled without a cache; from CommonJS
 * with its code cache (code-cache-loader.cjs) ~40 ms, and the run 0.44/0.45 s
 * best/median against 0.46/0.48 s before and 0.46-0.47/0.50 s for one
 * thread. Then one thread got cheaper again (final sessions held compactly,
 * which the worker does not do): 0.42-0.45 s against 0.46-0.50 s for this
 * pipeline, so two cores take one thread (analyze-shards.ts defaultThreads).
 *
 * What needs the whole file's secrets (a pcapng DSB) is analyzed by one
 * thread: this answers null then, as when a session was handed over at its
 * FINs too early (see `AnalyzerOptions.handOverAtFin`).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { SecretsType } from '../core/capture/pcapng-block-types';
import { PacketDecoder } from '../core/net/packet-decoder';
import { TcpConnectionTable } from '../core/net/tcp-connection-table';
import type { ContractFileFacts } from '../core/session/contract-json-writer';
import { readCaptureFile } from '../services/capture-file';
import type { ShardedAnalysis } from './analyze-shards';
import { LARGEST_BATCH_BYTES, TcpEventWriter } from './tcp-event-batch';

/**
 * The worker bundle, beside this one once built (CommonJS), and what runs it
 * with its code cache (scripts/code-cache-loader.cjs): the worker starts from
 * CommonJS, without Node's ES module loader, and compiles almost nothing.
 */
const WORKER_FILE = 'tlswb-analyze-tls.cjs';
const LOADER_FILE = 'code-cache-loader.cjs';

/**
 * Semi-space size (MiB) of the worker's young generation, from its start
 * (V8 begins at 1 MiB and grows it to 16): sessions, messages and TLS
 * decoder state live as long as their connection, and survive the small
 * early scavenges. Larger ones scavenge less often (64 MiB: 4 times on the
 * bench capture instead of ~14) but measured no faster in all (fewer
 * scavenges, more page faults) for ~90 MB more memory at 64 MiB.
 */
const TLS_SEMI_SPACE_MB = 16;

/**
 * Batches are written into slots of a shared ring (no buffer made, moved or
 * collected per batch); a slot is written again once the worker took its
 * batch. This thread runs ahead of the worker by at most the ring.
 */
const SLOTS = 16;
const SLOT_BYTES = LARGEST_BATCH_BYTES;
/** How long this thread waits for the worker to take a batch before checking it failed. */
const WAIT_SLICE_MS = 100;
/** No batch taken for this long: the worker is gone. */
const STALLED_MS = 60_000;

/** `PipelineJob.control` slots: slot batches the worker took; 1 once it failed. */
export const TAKEN = 0;
export const FAILED = 1;

export interface PipelineJob {
  /** Int32Array[2] (TAKEN, FAILED). */
  control: SharedArrayBuffer;
  /** The batches' slots, `slotBytes` each. */
  ring: SharedArrayBuffer;
  slotBytes: number;
}

/** What this thread posts to the worker: a batch in a slot of the ring, one larger than a slot, the end. */
export type ToTlsWorker =
  | { kind: 'slot'; slot: number; length: number }
  | { kind: 'batch'; bytes: Uint8Array }
  | { kind: 'end'; name: string; file: ContractFileFacts };

/** What the worker posts back, once. */
export type FromTlsWorker =
  | { kind: 'document'; pieces: (string | Uint8Array)[] }
  | { kind: 'one-thread' }
  | { kind: 'error'; message: string };

/** Whether the worker bundle is there (it is once built). */
export function canPipeline(): boolean {
  return existsSync(besideThis(WORKER_FILE)) && existsSync(besideThis(LOADER_FILE));
}

/** A pcapng Decryption Secrets Block: decryption can cross connections, so one thread reads the file. */
class SecretsInFile extends Error {}

/**
 * The file analyzed by two threads; null when one must analyze it after all.
 * Throws CaptureFileError as analyzeFile does. The document's name is `path`.
 */
export async function analyzePipelined(path: string): Promise<ShardedAnalysis | null> {
  const control = new Int32Array(new SharedArrayBuffer(8));
  const ring = new SharedArrayBuffer(SLOTS * SLOT_BYTES);
  // The worker's heap is made with the flags of the moment (this thread's is made already).
  setFlagsFromString(`--min-semi-space-size=${TLS_SEMI_SPACE_MB}`);
  setFlagsFromString(`--max-semi-space-size=${TLS_SEMI_SPACE_MB}`);
  const worker = new Worker(`require(${JSON.stringify(besideThis(LOADER_FILE))}).runWithCodeCache(${JSON.stringify(besideThis(WORKER_FILE))});`, {
    eval: true,
    workerData: { control: control.buffer as SharedArrayBuffer, ring, slotBytes: SLOT_BYTES } satisfies PipelineJob,
  });
  const reply = new Promise<FromTlsWorker>((resolve) => {
    worker.once('message', (m: FromTlsWorker) => resolve(m));
    worker.once('error', (e) => resolve({ kind: 'error', message: e.message }));
    worker.once('exit', (code) => resolve({ kind: 'error', message: `TLS worker exited (${code})` }));
  });
  let slotsSent = 0;
  const writer = new TcpEventWriter({
    next: (bytes) => {
      if (bytes > SLOT_BYTES) return new Uint8Array(bytes);
      waitForSlot(control, slotsSent);
      return new Uint8Array(ring, (slotsSent % SLOTS) * SLOT_BYTES, SLOT_BYTES);
    },
    send: (buffer, length) => {
      if (buffer.buffer !== ring) {
        const bytes = buffer.subarray(0, length);
        worker.postMessage({ kind: 'batch', bytes } satisfies ToTlsWorker, [bytes.buffer as ArrayBuffer]);
        return;
      }
      worker.postMessage({ kind: 'slot', slot: slotsSent % SLOTS, length } satisfies ToTlsWorker);
      slotsSent++;
    },
  });
  const decoder = new PacketDecoder();
  const table = new TcpConnectionTable(writer);
  let file: ContractFileFacts;
  try {
    const read = await readCaptureFile(path, {
      onPacket: (p) => {
        writer.beforePacket();
        const seg = decoder.decode(p);
        if (seg) table.push(seg, p.frame, p.timestampNs);
      },
      onComment: (text, frame) => writer.comment(text, frame),
      onSecrets: (secretsType) => {
        if (secretsType === SecretsType.TLS_KEY_LOG) throw new SecretsInFile();
      },
    });
    table.finish();
    writer.flush();
    file = { packets: read.packets, linkTypes: read.linkTypes, damaged: read.damaged };
  } catch (e) {
    void worker.terminate();
    if (e instanceof SecretsInFile) return null;
    throw e;
  }
  worker.postMessage({ kind: 'end', name: path, file } satisfies ToTlsWorker);
  const m = await reply;
  if (m.kind === 'error') {
    void worker.terminate();
    throw new Error(m.message);
  }
  if (m.kind === 'one-thread') return null;
  return {
    ...file,
    document: (name) => {
      if (name !== path) throw new Error(`the pipelined document is named ${path}, not ${name}`);
      return m.pieces.values();
    },
  };
}

/** Blocks until the worker took the batch last written into the slot of batch `seq` (throws if it failed). */
function waitForSlot(control: Int32Array, seq: number): void {
  let waited = 0;
  for (;;) {
    const taken = Atomics.load(control, TAKEN);
    if (seq - taken < SLOTS) return;
    if (Atomics.load(control, FAILED) !== 0 || waited >= STALLED_MS) throw new Error('the TLS worker stopped taking packets');
    if (Atomics.wait(control, TAKEN, taken, WAIT_SLICE_MS) === 'timed-out') waited += WAIT_SLICE_MS;
    else waited = 0;
  }
}

/** The path of `file` in this bundle's folder. */
function besideThis(file: string): string {
  return fileURLToPath(new URL(`./${file}`, import.meta.url));
}
