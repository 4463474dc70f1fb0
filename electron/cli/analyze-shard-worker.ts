// The entry point of dist/cli/tlswb-analyze-shard.mjs: one shard of
// `tlswb analyze --json` in a worker thread (see analyze-shards.ts). Posts
// its sessions' JSON text (the buffers transferred, not copied) and exits.
import { parentPort, workerData } from 'node:worker_threads';
import { CaptureFileError } from '../services/capture-file';
import { analyzeShard, type ShardJob, type ShardReply } from './analyze-shards';

async function run(job: ShardJob): Promise<void> {
  let reply: ShardReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const result = await analyzeShard(job);
    reply = { ok: true, result };
    transfer = result.chunks.map((c) => c.buffer as ArrayBuffer);
  } catch (e) {
    reply = {
      ok: false,
      captureError: e instanceof CaptureFileError ? { kind: e.kind, message: e.message, path: e.path } : null,
      message: e instanceof Error ? e.message : String(e),
    };
  }
  parentPort!.postMessage(reply, transfer);
}

void run(workerData as ShardJob);
