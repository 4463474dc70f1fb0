/**
 * `tlswb analyze --json` on two threads as a pipeline: a worker
 * (dist/cli/tlswb-analyze-tcp.mjs, analyze-tcp-worker.ts) reads the file,
 * decodes the packets and reassembles TCP; this thread takes the TCP table's
 * events (tcp-event-batch.ts) into the analyzer (`SessionAnalyzer.tcpEvents`)
 * and writes the JSON, exactly as one thread would, event for event.
 *
 * Why not split the connections between two analyzers (analyze-shards.ts)?
 * On two cores one thread already keeps the second core half busy: V8
 * compiles the hot code with TurboFan and collects garbage on helper
 * threads. Two shards run all the code twice (each isolate compiles it
 * again, each reads every packet), which costs more than it saves. Here
 * each thread runs only its half of the code and holds only its half of the
 * objects (TCP state there, TLS and session state here).
 *
 * What needs the whole file's secrets (a pcapng DSB) is analyzed by one
 * thread: the worker says so and this answers null, as when a session was
 * handed over at its FINs too early (see `AnalyzerOptions.handOverAtFin`).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FileDamage } from '../core/session/contract-json';
import { SessionAnalyzer } from '../core/session/analyzer';
import { StreamedContractJson } from '../core/session/contract-json-writer';
import type { Session } from '../core/session/model';
import { parseTunnelComment, type TunnelLink } from '../core/session/tunnel-link';
import { CaptureFileError } from '../services/capture-file';
import type { ShardedAnalysis } from './analyze-shards';
import { TcpEventReader } from './tcp-event-batch';

/** The worker bundle, beside this one once built. */
const WORKER_FILE = 'tlswb-analyze-tcp.mjs';

export interface PipelineJob {
  path: string;
  /** Int32Array[1]: batches this thread has taken (the worker waits on it). */
  control: SharedArrayBuffer;
}

/** What the worker posts. */
export type PipelineMessage =
  | { kind: 'batch'; bytes: Uint8Array }
  | { kind: 'end'; packets: number; linkTypes: number[]; damaged: FileDamage | null }
  | { kind: 'one-thread' }
  | { kind: 'capture-error'; error: { kind: CaptureFileError['kind']; message: string; path: string } }
  | { kind: 'error'; message: string };

/** Whether the worker bundle is there (it is once built). */
export function canPipeline(): boolean {
  return existsSync(fileURLToPath(workerUrl()));
}

/**
 * The file analyzed by two threads; null when one must analyze it after all.
 * Throws CaptureFileError as analyzeFile does.
 */
export function analyzePipelined(path: string): Promise<ShardedAnalysis | null> {
  const control = new SharedArrayBuffer(4);
  const taken = new Int32Array(control);
  const worker = new Worker(workerUrl(), { workerData: { path, control } satisfies PipelineJob });
  const json = new StreamedContractJson();
  const tunnelLinks = new Map<number, TunnelLink>();
  const analyzer = new SessionAnalyzer({
    keepRawBytes: false,
    keepHelloDetails: false,
    onSessionFinal: (s: Session) => json.add(withTunnelLink(s, tunnelLinks)),
    handOverAtFin: true,
  });
  const reader = new TcpEventReader({
    events: analyzer.tcpEvents,
    beforePacket: () => analyzer.beforePacket(),
    // tlswb proxy captures mark the first packet of each tunnel leg (tunnel-link.ts), as analyze-file.ts reads them.
    comment: (text, frame) => {
      const link = frame !== null ? parseTunnelComment(text) : null;
      if (link && frame !== null && tunnelLinks.size < 1_000_000) tunnelLinks.set(frame, link);
    },
  });
  return new Promise<ShardedAnalysis | null>((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
    };
    const fail = (e: unknown) =>
      settle(() => {
        void worker.terminate();
        reject(e instanceof Error ? e : new Error(String(e)));
      });
    worker.on('message', (m: PipelineMessage) => {
      if (settled) return;
      try {
        switch (m.kind) {
          case 'batch':
            reader.read(m.bytes);
            Atomics.add(taken, 0, 1);
            Atomics.notify(taken, 0);
            return;
          case 'end': {
            analyzer.finish();
            const file = { packets: m.packets, linkTypes: m.linkTypes, damaged: m.damaged };
            settle(() =>
              resolve(
                analyzer.handedOverTooEarly
                  ? null
                  : { ...file, document: (name: string) => json.documentChunks(name, file) },
              ),
            );
            return;
          }
          case 'one-thread':
            settle(() => resolve(null));
            return;
          case 'capture-error':
            fail(new CaptureFileError(m.error.kind, m.error.message, m.error.path));
            return;
          case 'error':
            fail(new Error(m.message));
            return;
        }
      } catch (e) {
        fail(e);
      }
    });
    worker.once('error', fail);
    worker.once('exit', (code) => fail(new Error(`TCP worker exited (${code})`)));
  });
}

/** `s`, marked as a tunnel leg when a packet comment said so (as analyze-file.ts does). */
function withTunnelLink(s: Session, tunnelLinks: ReadonlyMap<number, TunnelLink>): Session {
  const link = tunnelLinks.size ? tunnelLinks.get(s.firstFrame) : undefined;
  if (link) s.tunnel = link;
  return s;
}

function workerUrl(): URL {
  return new URL(`./${WORKER_FILE}`, import.meta.url);
}
