// The entry point of dist/cli/tlswb-analyze-tls.cjs: the second half of
// `tlswb analyze --json` on two threads (see analyze-pipelined.ts). Takes the
// TCP table's events in batches from the thread that reads the file, runs the
// TLS analysis on them as one thread would, and posts the document's pieces
// (the bytes transferred, not copied).
import { parentPort, workerData } from 'node:worker_threads';
import { SessionAnalyzer } from '../core/session/analyzer';
import { StreamedContractJson } from '../core/session/contract-json-writer';
import type { Session } from '../core/session/model';
import { parseTunnelComment, type TunnelLink } from '../core/session/tunnel-link';
import { TcpEventReader } from './tcp-event-batch';
import { FAILED, TAKEN, type PipelineJob, type ToTlsWorker, type FromTlsWorker } from './analyze-pipelined';

const job = workerData as PipelineJob;
const control = new Int32Array(job.control);
const port = parentPort!;
const json = new StreamedContractJson();
const tunnelLinks = new Map<number, TunnelLink>();
const analyzer = new SessionAnalyzer({
  keepRawBytes: false,
  keepHelloDetails: false,
  onSessionFinal: (s: Session) => json.add(withTunnelLink(s)),
  handOverAtFin: true,
  // Each message written as JSON as it comes, as one thread does (no message object outlives its packet).
  messageJson: json,
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

function post(m: FromTlsWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(m, transfer);
}

port.on('message', (m: ToTlsWorker) => {
  try {
    if (m.kind === 'slot') {
      reader.read(new Uint8Array(job.ring, m.slot * job.slotBytes, m.length));
      Atomics.add(control, TAKEN, 1);
      Atomics.notify(control, TAKEN);
      return;
    }
    if (m.kind === 'batch') {
      reader.read(m.bytes);
      return;
    }
    analyzer.finish();
    if (analyzer.handedOverTooEarly) {
      post({ kind: 'one-thread' });
    } else {
      const pieces = [...json.documentChunks(m.name, m.file)];
      post({ kind: 'document', pieces }, pieces.flatMap((p) => (typeof p === 'string' ? [] : [p.buffer as ArrayBuffer])));
    }
    port.close();
  } catch (e) {
    Atomics.store(control, FAILED, 1);
    Atomics.notify(control, TAKEN);
    post({ kind: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    port.close();
  }
});

/** `s`, marked as a tunnel leg when a packet comment said so (as analyze-file.ts does). */
function withTunnelLink(s: Session): Session {
  const link = tunnelLinks.size ? tunnelLinks.get(s.firstFrame) : undefined;
  if (link) s.tunnel = link;
  return s;
}
