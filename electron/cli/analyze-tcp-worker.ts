// The entry point of dist/cli/tlswb-analyze-tcp.mjs: the first half of
// `tlswb analyze --json` on two threads (see analyze-pipelined.ts). Reads the
// file, decodes its packets and runs the TCP connection table, posting the
// table's events in batches (tcp-event-batch.ts, buffers transferred); the
// other thread analyzes TLS from them. At most MAX_BATCHES_IN_FLIGHT batches
// wait for the reader at once: this thread blocks (Atomics.wait) rather than
// fill memory with a file the other thread is slower to take.
import { parentPort, workerData } from 'node:worker_threads';
import { SecretsType } from '../core/capture/pcapng-block-types';
import { PacketDecoder } from '../core/net/packet-decoder';
import { TcpConnectionTable } from '../core/net/tcp-connection-table';
import { CaptureFileError, readCaptureFile } from '../services/capture-file';
import { TcpEventWriter } from './tcp-event-batch';
import type { PipelineJob, PipelineMessage } from './analyze-pipelined';

const MAX_BATCHES_IN_FLIGHT = 16;

/** A pcapng Decryption Secrets Block: decryption can cross connections, so one thread reads the file. */
class SecretsInFile extends Error {}

async function run(job: PipelineJob): Promise<void> {
  const port = parentPort!;
  const taken = new Int32Array(job.control);
  let sent = 0;
  const post = (m: PipelineMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  const writer = new TcpEventWriter((batch) => {
    for (;;) {
      const done = Atomics.load(taken, 0);
      if (sent - done < MAX_BATCHES_IN_FLIGHT) break;
      Atomics.wait(taken, 0, done);
    }
    sent++;
    post({ kind: 'batch', bytes: batch }, [batch.buffer as ArrayBuffer]);
  });
  const decoder = new PacketDecoder();
  const table = new TcpConnectionTable(writer);
  try {
    const read = await readCaptureFile(job.path, {
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
    post({ kind: 'end', packets: read.packets, linkTypes: read.linkTypes, damaged: read.damaged });
  } catch (e) {
    if (e instanceof SecretsInFile) post({ kind: 'one-thread' });
    else if (e instanceof CaptureFileError) post({ kind: 'capture-error', error: { kind: e.kind, message: e.message, path: e.path } });
    else post({ kind: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
}

void run(workerData as PipelineJob);
