/**
 * The capture helper process (dist/native/capture-helper.mjs), as Wireshark's
 * dumpcap: the only process that holds the capture permission. It opens one
 * interface and streams pcapng to stdout (SHB, IDB, EPBs); messages (ready,
 * statistics, errors) go to stderr as `TLSWB {json}` lines (helper-protocol.ts).
 *
 *   capture-helper.mjs -i IFACE [-f BPF] [-s SNAPLEN] [-B BUFFER_MIB]
 *
 * It stops, flushing what it has, on SIGINT/SIGTERM or when its stdin closes
 * (the parent went away). Exit 0 after a clean stop, 2 when the capture could
 * not start (the error message says why), 1 on anything else.
 */
import { Socket } from 'node:net';
import { CaptureError } from './capture-errors';
import { formatHelperMessage, type CaptureStatistics, type HelperMessage } from './helper-protocol';
import { openLiveDevice, type LiveDevice } from './live-device';
import { PcapngStreamEncoder } from './pcapng-stream-encoder';

interface HelperArgs {
  interfaceName: string;
  filter: string;
  snaplen: number;
  bufferMiB: number;
}

/** Bytes the parent may leave unread in the pipe before the helper drops packets (and counts them). */
const MAX_UNREAD_BYTES = 64 << 20;
const STATS_INTERVAL_MS = 500;

function parseArgs(argv: string[]): HelperArgs {
  const args: HelperArgs = { interfaceName: '', filter: '', snaplen: 262_144, bufferMiB: 64 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new CaptureError('failed', `capture helper: ${flag} needs a value`);
    i++;
    if (flag === '-i') args.interfaceName = value;
    else if (flag === '-f') args.filter = value;
    else if (flag === '-s') args.snaplen = positive(flag, value);
    else if (flag === '-B') args.bufferMiB = positive(flag, value);
    else throw new CaptureError('failed', `capture helper: unknown option ${flag}`);
  }
  if (!args.interfaceName) throw new CaptureError('failed', 'capture helper: -i IFACE is required');
  return args;
}

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new CaptureError('failed', `capture helper: ${flag} must be a positive integer`);
  return n;
}

function say(message: HelperMessage): void {
  process.stderr.write(formatHelperMessage(message));
}

function run(): void {
  const args = parseArgs(process.argv.slice(2));
  const stats: CaptureStatistics = { received: 0, bytes: 0, droppedByKernel: null, droppedByInterface: null, droppedByHelper: 0 };
  // process.stdout on a pipe writes synchronously on Linux: a parent busy
  // analyzing would block the helper and libpcap's ring would overflow
  // unseen. A non-blocking socket on fd 1 queues instead, up to
  // MAX_UNREAD_BYTES, beyond which drops are counted (droppedByHelper).
  const out = process.platform === 'win32' ? process.stdout : new Socket({ fd: 1, readable: false, writable: true });
  let flushScheduled = false;
  let stopping = false;
  const encoder = new PcapngStreamEncoder((bytes) => {
    out.write(bytes);
  });
  const flushSoon = (): void => {
    flushScheduled = false;
    encoder.flush();
  };
  const device: LiveDevice = openLiveDevice({
    interfaceName: args.interfaceName,
    filter: args.filter,
    snaplen: args.snaplen,
    bufferBytes: args.bufferMiB << 20,
    onPacket(tsHigh, tsLow, data, capturedLength, originalLength) {
      stats.received++;
      stats.bytes += capturedLength;
      if (out.writableLength > MAX_UNREAD_BYTES) {
        stats.droppedByHelper++;
        return;
      }
      encoder.packetAt(tsHigh, tsLow, data, capturedLength, originalLength);
      // One flush per burst libpcap delivers: packets reach the parent within
      // a turn of the event loop, far inside the one-second spool promise.
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flushSoon);
      }
    },
  });
  encoder.header(
    { userAppl: 'tlswb capture helper', os: `${process.platform} ${process.arch}` },
    { linkType: device.linkType, snaplen: device.snaplen, name: args.interfaceName },
  );
  encoder.flush();
  say({
    type: 'ready', interface: args.interfaceName, linkType: device.linkType, linkTypeName: device.linkTypeName,
    snaplen: device.snaplen, startedAtNs: device.clock.nowNs().toString(),
  });

  let lastReported = -1;
  const statsTimer = setInterval(() => {
    if (stats.received === lastReported) return;
    lastReported = stats.received;
    say({ type: 'stats', ...stats });
  }, STATS_INTERVAL_MS);

  const stop = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    clearInterval(statsTimer);
    device.close();
    encoder.flush();
    say({ type: 'stopped', reason, ...stats });
    process.stdin.destroy();
    out.end(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('interrupted'));
  process.on('SIGTERM', () => stop('terminated'));
  // The parent closing our stdin (or dying) means stop.
  process.stdin.on('end', () => stop('parent closed the pipe'));
  process.stdin.on('error', () => stop('parent pipe failed'));
  process.stdin.resume();
  // The parent gone while we write: nothing left to do.
  out.on('error', () => {
    device.close();
    process.exit(0);
  });
}

try {
  run();
} catch (e: unknown) {
  const error = e instanceof CaptureError ? e : new CaptureError('failed', e instanceof Error ? e.message : String(e));
  say({ type: 'error', kind: error.kind, message: error.message });
  process.exitCode = 2;
}
