/**
 * `tlswb analyze --json` on several threads. Two threads are a pipeline
 * (analyze-pipelined.ts: reading and TCP on one, TLS and JSON on the other);
 * three or more (TLSWB_ANALYZE_THREADS only) shards: the TCP connections of a large file
 * are split by endpoint-pair hash between this thread and worker threads
 * (dist/cli/tlswb-analyze-shard.mjs), each reading the whole file (frame
 * numbers stay the file's) but analyzing only its share, and writing the JSON
 * text of its sessions; this thread merges them in document order. The text
 * is the same as one thread's: connections are analyzed independently, and
 * what is not independent sends the file back to one thread (a key log or
 * DSB: resumption secrets cross connections; TCP table limits that the
 * shards' peaks, added up, could have reached).
 */
import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { FileDamage } from '../core/session/contract-json';
import { ShardSessionsJson, mergeShardedSessions, type ShardSessions } from '../core/session/contract-json-writer';
import type { TcpTablePeaks } from '../core/session/analyzer';
import { analyzeFile } from '../services/analyze-file';
import { CaptureFileError } from '../services/capture-file';
import { analyzePipelined, canPipeline } from './analyze-pipelined';

/**
 * Smaller files are read by one thread: most of their time is V8 warming up
 * (interpreted code, then TurboFan), which both isolates do. Measured on cuts
 * of the bench capture (SCHED_RR, 9 runs each): 32 MiB 0.56/0.59 s
 * best/median pipelined against 0.53/0.55 s; 56 MiB 0.66/0.70 s against 0.72/0.72 s.
 */
const MIN_THREADED_FILE_BYTES = 48 << 20;

/**
 * Load (1-minute average) up to which two threads are started from
 * MIN_THREADED_CORES cores: `cores - 2` leaves them two cores, plus the
 * tail of an earlier run. With other processes busy (load 8-10, two cores)
 * two threads measured 10-20% slower than one, hence the load check.
 */
const SPARE_CORE_LOAD = 0.5;

/**
 * Cores from which two threads are the default when the load leaves them two (above).
 * Fewer cores (two or three): one thread. Both threads and V8's helpers
 * (TurboFan, the garbage collector) would share the two cores, and the
 * pipeline costs ~0.15 s more CPU than one thread. History: without the
 * worker's code cache it did not win (0.53-0.60 s against 0.53-0.58 s);
 * with it, it won briefly (0.43/0.45 s best/median against 0.46/0.47 s);
 * then one thread holding final sessions compactly (contract-json-writer.ts
 * HeldSessions, not used by the worker) measured 0.42-0.45 s against
 * 0.46-0.50 s pipelined on the quiet 2-core machine (6 alternating runs),
 * so two cores went back to one thread. `TLSWB_ANALYZE_THREADS=2` forces it.
 */
const MIN_THREADED_CORES = 4;

/** Semi-space size (MiB) of the workers' young generation (V8's default grows to 16). */
const WORKER_SEMI_SPACE_MB = 16;

/** The worker bundle, beside this one once built. */
const WORKER_FILE = 'tlswb-analyze-shard.mjs';

export interface ShardJob {
  path: string;
  index: number;
  count: number;
}

/** One shard's analysis, as a worker posts it (plain data and transferable bytes). */
export interface ShardResult extends ShardSessions {
  packets: number;
  linkTypes: number[];
  damaged: FileDamage | null;
  secretsInFile: number;
  tcpPeaks: TcpTablePeaks;
}

/** What a worker posts: its result, or why it failed. */
export type ShardReply =
  | { ok: true; result: ShardResult }
  | { ok: false; captureError: { kind: CaptureFileError['kind']; message: string; path: string } | null; message: string };

/** Analyze shard `index` of `count` of the file. */
export async function analyzeShard(job: ShardJob): Promise<ShardResult> {
  const json = new ShardSessionsJson();
  const r = await analyzeFile(job.path, {
    keepRawBytes: false,
    keepHelloDetails: false,
    shard: { index: job.index, count: job.count },
    stream: { start: () => json.reset(), session: (s) => json.add(s) },
    // Each message written as JSON as it comes, as one thread does (no message object outlives its packet).
    messageJson: json,
  });
  return {
    packets: r.packets,
    linkTypes: r.linkTypes,
    damaged: r.damaged,
    secretsInFile: r.secretsInFile,
    tcpPeaks: r.tcpPeaks,
    firstFrames: json.firstFrames,
    starts: json.starts,
    ends: json.ends,
    chunks: json.chunks(),
  };
}

/**
 * How many threads to analyze `path` with (TLSWB_ANALYZE_THREADS overrides;
 * 2 is the pipeline of analyze-pipelined.ts, more are shards): 1 for
 * standard input, small or gzip-compressed files, a busy machine (see
 * defaultThreads); else 2.
 */
export function analyzeThreads(path: string): number {
  const forced = Number(process.env.TLSWB_ANALYZE_THREADS);
  if (path === '-') return 1;
  if (Number.isInteger(forced) && forced >= 1) {
    const threads = Math.min(forced, 8);
    if (threads === 2 && canPipeline()) return 2;
    return existsSync(fileURLToPath(workerUrl())) ? threads : 1;
  }
  if (!canPipeline()) return 1;
  try {
    if (statSync(path).size < MIN_THREADED_FILE_BYTES || isGzip(path)) return 1;
  } catch {
    return 1; // one thread says what is wrong with it
  }
  return defaultThreads(availableParallelism(), loadavg()[0]!);
}

/**
 * The default for a file large enough (see MIN_THREADED_FILE_BYTES): 2 on
 * MIN_THREADED_CORES cores that the 1-minute `load` leaves two of; else 1.
 */
export function defaultThreads(cores: number, load: number): number {
  return cores >= MIN_THREADED_CORES && load <= cores - 2 + SPARE_CORE_LOAD ? 2 : 1;
}

export interface ShardedAnalysis {
  packets: number;
  linkTypes: number[];
  damaged: FileDamage | null;
  /** The document's text. */
  document(name: string): Iterable<string | Uint8Array>;
}

/**
 * The file analyzed by `threads` threads (2: pipelined, see
 * analyze-pipelined.ts; more: each analyzes a shard of the connections);
 * null when it must be analyzed by one after all (it carries secrets, or the
 * TCP table's limits come into play). Throws CaptureFileError as analyzeFile
 * does.
 */
export async function analyzeSharded(path: string, threads: number): Promise<ShardedAnalysis | null> {
  if (threads === 2 && canPipeline()) return analyzePipelined(path);
  const workers: Worker[] = [];
  const replies: Promise<ShardReply>[] = [];
  // A worker's heap is made with the flags of the moment: a young generation
  // at its full size from the start (V8 begins at 1 MiB and grows it) saves a
  // tenth of the work, as the sessions open at any time outlive small ones.
  setFlagsFromString(`--min-semi-space-size=${WORKER_SEMI_SPACE_MB}`);
  for (let index = 1; index < threads; index++) {
    const worker = new Worker(workerUrl(), { workerData: { path, index, count: threads } satisfies ShardJob });
    workers.push(worker);
    replies.push(
      new Promise<ShardReply>((resolve) => {
        worker.once('message', (reply: ShardReply) => resolve(reply));
        worker.once('error', (e) => resolve({ ok: false, captureError: null, message: e.message }));
        worker.once('exit', (code) => resolve({ ok: false, captureError: null, message: `shard worker exited (${code})` }));
      }),
    );
  }
  let own: ShardResult;
  try {
    own = await analyzeShard({ path, index: 0, count: threads });
  } catch (e) {
    for (const w of workers) void w.terminate();
    throw e;
  }
  const results: ShardResult[] = [own];
  for (const reply of await Promise.all(replies)) {
    if (!reply.ok) {
      if (reply.captureError) {
        const c = reply.captureError;
        throw new CaptureFileError(c.kind, c.message, c.path);
      }
      throw new Error(reply.message);
    }
    results.push(reply.result);
  }
  if (results.some((r) => r.secretsInFile > 0)) return null;
  const peaks = results.map((r) => r.tcpPeaks);
  const connections = peaks.reduce((n, p) => n + p.connections, 0);
  const buffered = peaks.reduce((n, p) => n + p.bufferedBytes, 0);
  if (connections >= own.tcpPeaks.maxConnections || buffered > own.tcpPeaks.maxBufferedBytes) return null;
  return {
    packets: own.packets,
    linkTypes: own.linkTypes,
    damaged: own.damaged,
    document: (name) => mergeShardedSessions(name, own, results),
  };
}

function workerUrl(): URL {
  return new URL(`./${WORKER_FILE}`, import.meta.url);
}

function isGzip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}
