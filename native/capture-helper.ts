/**
 * The capture helper process (dist/native/capture-helper.mjs), as Wireshark's
 * dumpcap: the only process that holds the capture permission. It opens one
 * interface and writes the capture itself, as pcapng (SHB, IDB, EPBs), to the
 * spool file `-w` names; the parent tails that file. Messages (ready,
 * statistics, errors) go to stderr as `TLSWB {json}` lines (helper-protocol.ts).
 *
 *   capture-helper.mjs -i IFACE -w SPOOL.pcapng [-f BPF] [-s SNAPLEN] [-B BUFFER_MIB] [-c COUNT]
 *
 * The helper never waits on its parent: packets go from libpcap's ring to the
 * file (page cache) in one synchronous write per event-loop turn, at most a
 * few milliseconds after they arrive; stderr is a non-blocking socket, and a
 * statistics line the parent has not read yet is skipped rather than waited for.
 *
 * It stops, flushing what it has, on SIGINT/SIGTERM, when its stdin closes
 * (the parent went away) or after COUNT packets. Exit 0 after a clean stop,
 * 2 when the capture could not start (the error message says why), 1 on
 * anything else.
 */
import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fstatSync, unlinkSync } from 'node:fs';
import { CaptureError } from './capture-errors';
import { InterfaceDropCounter } from './interface-drops';
import { formatHelperMessage, type CaptureStatistics, type HelperMessage } from './helper-protocol';
import { openLiveDevice, type LiveDevice } from './live-device';
import { openRingDevice } from './pcap-ring-device';
import { PcapngStreamEncoder } from './pcapng-stream-encoder';
import { SpoolWriter } from './spool-writer';

interface HelperArgs {
  interfaceName: string;
  spoolPath: string;
  filter: string;
  snaplen: number;
  bufferMiB: number;
  /** Stop after this many packets; 0 = no limit. */
  count: number;
}

const STATS_INTERVAL_MS = 500;
/**
 * At most one write per this interval. In immediate mode libpcap wakes the
 * helper for every packet; a write (and the parent's wake-up on it) per packet
 * costs more than the packet itself, and under a flood the helper would lose
 * to the CPU what it saves in latency. The first packet after a quiet spell is
 * still written at once.
 */
const FLUSH_INTERVAL_MS = 20;
/** pcap_ring: how often the helper takes what libpcap holds, and how long a part-filled kernel block may wait. */
const RING_POLL_MS = 10;
const RING_TIMEOUT_MS = 10;
/** pcap_ring: bytes taken per read (many blocks). */
const RING_BATCH_BYTES = 4 << 20;
/** Unread stderr beyond which a statistics line is skipped (the next one carries the same totals). */
const MAX_UNREAD_MESSAGE_BYTES = 16 << 10;
/** How long a stopping helper waits for its last messages to leave before it exits anyway. */
const EXIT_GRACE_MS = 2000;

function parseArgs(argv: string[]): HelperArgs {
  const args: HelperArgs = { interfaceName: '', spoolPath: '', filter: '', snaplen: 262_144, bufferMiB: 64, count: 0 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new CaptureError('failed', `capture helper: ${flag} needs a value`);
    i++;
    if (flag === '-i') args.interfaceName = value;
    else if (flag === '-w') args.spoolPath = value;
    else if (flag === '-c') args.count = positive(flag, value);
    else if (flag === '-f') args.filter = value;
    else if (flag === '-s') args.snaplen = positive(flag, value);
    else if (flag === '-B') args.bufferMiB = positive(flag, value);
    else throw new CaptureError('failed', `capture helper: unknown option ${flag}`);
  }
  if (!args.interfaceName) throw new CaptureError('failed', 'capture helper: -i IFACE is required');
  if (!args.spoolPath) throw new CaptureError('failed', 'capture helper: -w SPOOL is required');
  return args;
}

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new CaptureError('failed', `capture helper: ${flag} must be a positive integer`);
  return n;
}

// process.stderr on a pipe writes synchronously on Linux: a parent busy
// analyzing would block the helper and libpcap's ring would overflow unseen.
// A non-blocking socket on fd 2 queues instead. (A file or terminal on fd 2,
// when run by hand, is no parent to wait on: plain stderr then.)
const messages = stderrIsPipe() ? new Socket({ fd: 2, readable: false, writable: true }) : process.stderr;

function stderrIsPipe(): boolean {
  if (process.platform === 'win32') return false;
  try {
    const stat = fstatSync(2);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}

function say(message: HelperMessage): void {
  messages.write(formatHelperMessage(message));
}

/** Where packets come from: the project's pcap_ring binding when built, else cap. Either writes into `encoder`/`spool`. */
interface PacketSource {
  linkType: number;
  linkTypeName: string;
  snaplen: number;
  /** libpcap's counters where the source has them. */
  counters(): Pick<CaptureStatistics, 'droppedByKernel' | 'droppedByInterface'>;
  /**
   * How long a stop keeps reading before it closes the device: what the
   * kernel took just before the stop is still on its way (libpcap hands over a
   * ring block only when it is full or its timeout ran out).
   */
  settleMs: number;
  close(): void;
}

function run(): void {
  const args = parseArgs(process.argv.slice(2));
  const stats: CaptureStatistics = {
    received: 0, bytes: 0, droppedByKernel: null, droppedByInterface: null, droppedByHelper: 0, written: 0, spoolBytes: 0,
  };
  let stopping = false;
  let spool: SpoolWriter | null = null;
  const encoder = new PcapngStreamEncoder((bytes, packets) => spool?.write(bytes, packets), undefined, false);
  const startedAtNs = (BigInt(Date.now()) * 1_000_000n).toString();
  const onCountReached = (): void => {
    // Not from inside a libpcap callback: closing the handle there frees what libpcap is using.
    setImmediate(() => stop('count reached'));
  };
  // The device first: without permission (or with a bad filter) no file is left behind.
  const source = openRingSource(args, stats, () => spool!, onCountReached)
    ?? openCapSource(args, stats, encoder, onCountReached);
  try {
    spool = new SpoolWriter(args.spoolPath);
  } catch (e) {
    source.close();
    throw e;
  }
  encoder.header(
    { userAppl: 'tlswb capture helper', os: `${process.platform} ${process.arch}` },
    { linkType: source.linkType, snaplen: source.snaplen, name: args.interfaceName },
  );
  encoder.flush();
  if (spool.failure !== null) {
    source.close();
    spool.close();
    try {
      unlinkSync(args.spoolPath);
    } catch {
      // Could not even write the header: there may be nothing to remove.
    }
    throw new CaptureError('failed', `cannot write the capture file ${args.spoolPath}: ${spool.failure}`);
  }
  const current = (): CaptureStatistics => {
    Object.assign(stats, source.counters());
    stats.droppedByHelper = spool!.lostPackets;
    stats.written = stats.received - stats.droppedByHelper;
    stats.spoolBytes = spool!.bytes;
    return stats;
  };
  say({
    type: 'ready', interface: args.interfaceName, linkType: source.linkType, linkTypeName: source.linkTypeName,
    snaplen: source.snaplen, startedAtNs, spoolPath: args.spoolPath,
  });
  // The counters from the start: known zeros (or nulls where the source cannot say), not "not yet".
  const statsKey = (c: CaptureStatistics): string => `${c.received} ${c.droppedByKernel} ${c.droppedByInterface} ${c.droppedByHelper}`;
  say({ type: 'stats', ...current() });
  let lastReported = statsKey(stats);
  let failureReported = false;
  const statsTimer = setInterval(() => {
    if (spool!.failure !== null && !failureReported) {
      failureReported = true;
      messages.write(`cannot write the capture file ${args.spoolPath}: ${spool!.failure}\n`);
    }
    const now = current();
    // Drops can grow while nothing arrives: compare all counters, not just packets.
    const key = statsKey(now);
    if (key === lastReported) return;
    // The totals are cumulative: a line the parent has not read yet is enough.
    if (messages.writableLength > MAX_UNREAD_MESSAGE_BYTES) return;
    lastReported = key;
    say({ type: 'stats', ...now });
  }, STATS_INTERVAL_MS);

  const stop = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    clearInterval(statsTimer);
    // After COUNT packets the file is complete; any other stop first lets the last packets arrive.
    setTimeout(() => finishStop(reason), reason === 'count reached' ? 0 : source.settleMs);
  };
  const finishStop = (reason: string): void => {
    // Counters before close (pcap_stats needs the handle); close first drains nothing more.
    current();
    source.close();
    encoder.flush();
    spool!.close();
    say({ type: 'stopped', reason, ...current() });
    process.stdin.destroy();
    setTimeout(() => process.exit(0), EXIT_GRACE_MS);
    messages.end(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('interrupted'));
  process.on('SIGTERM', () => stop('terminated'));
  // The parent closing our stdin (or dying) means stop.
  process.stdin.on('end', () => stop('parent closed the pipe'));
  process.stdin.on('error', () => stop('parent pipe failed'));
  process.stdin.resume();
  // The parent gone: keep nothing running, the file is complete to the last batch.
  messages.on('error', () => stop('parent went away'));
}

/**
 * Through pcap_ring: every RING_POLL_MS the helper takes what libpcap has
 * (blocks the kernel filled or timed out) as ready-made pcapng, straight into
 * the spool. JavaScript runs per batch, not per packet.
 */
function openRingSource(args: HelperArgs, stats: CaptureStatistics, spool: () => SpoolWriter,
  onCountReached: () => void): PacketSource | null {
  const device = openRingDevice({
    interfaceName: args.interfaceName, filter: args.filter, snaplen: args.snaplen,
    bufferBytes: args.bufferMiB << 20, timeoutMs: RING_TIMEOUT_MS,
  });
  if (device === null) return null;
  const out = Buffer.allocUnsafe(Math.max(RING_BATCH_BYTES, device.largestBlock * 2));
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let lastCounters: Pick<CaptureStatistics, 'droppedByKernel' | 'droppedByInterface'> = { droppedByKernel: 0, droppedByInterface: 0 };
  const poll = (): void => {
    timer = null;
    if (closed) return;
    drain();
    if (!closed) timer = setTimeout(poll, RING_POLL_MS);
  };
  const drain = (): void => {
    for (;;) {
      let room = out.length;
      if (args.count > 0) {
        // With a count, never more than what is left: the file then holds exactly COUNT. A read
        // goes on while `largestBlock` still fits and each block takes 32 bytes or more.
        const left = args.count - stats.received;
        if (left <= 0) return;
        room = Math.min(room, device.largestBlock + 32 * (left - 1));
      }
      const [bytes, packets, captured] = device.read(room === out.length ? out : out.subarray(0, room));
      if (packets === 0) return;
      stats.received += packets;
      stats.bytes += captured;
      spool().write(out.subarray(0, bytes), packets);
      if (args.count > 0 && stats.received >= args.count) {
        onCountReached();
        return;
      }
      // The read stopped with room to spare: libpcap had no more ready.
      if (room - bytes >= device.largestBlock) return;
    }
  };
  timer = setTimeout(poll, RING_POLL_MS);
  return {
    linkType: device.linkType,
    linkTypeName: device.linkTypeName,
    snaplen: device.snaplen,
    // A few block timeouts: the kernel retires the open block on a timer, not to the millisecond.
    settleMs: RING_TIMEOUT_MS * 5,
    counters() {
      if (closed) return lastCounters;
      const s = device.stats();
      lastCounters = { droppedByKernel: s.droppedByKernel, droppedByInterface: s.droppedByInterface };
      return lastCounters;
    },
    close() {
      if (timer) clearTimeout(timer);
      if (!closed) {
        // What the kernel still holds goes into the file before the handle closes.
        drain();
        lastCounters = this.counters();
      }
      closed = true;
      device.close();
    },
  };
}

/**
 * Through cap (when pcap_ring is not built): one JavaScript call per packet,
 * stamped on arrival (packet-clock.ts), batched by the encoder, written at
 * most every FLUSH_INTERVAL_MS. libpcap's counters are not available (null).
 */
function openCapSource(args: HelperArgs, stats: CaptureStatistics, encoder: PcapngStreamEncoder,
  onCountReached: () => void): PacketSource {
  let flushScheduled = false;
  let lastFlushMs = -Infinity;
  const flushSoon = (): void => {
    flushScheduled = false;
    lastFlushMs = performance.now();
    encoder.flush();
  };
  let countReached = false;
  const device: LiveDevice = openLiveDevice({
    interfaceName: args.interfaceName,
    filter: args.filter,
    snaplen: args.snaplen,
    bufferBytes: args.bufferMiB << 20,
    onPacket(tsHigh, tsLow, data, capturedLength, originalLength) {
      if (countReached) return;
      stats.received++;
      stats.bytes += capturedLength;
      encoder.packetAt(tsHigh, tsLow, data, capturedLength, originalLength);
      // Packets reach the file within FLUSH_INTERVAL_MS, far inside the one-second spool promise.
      if (!flushScheduled) {
        flushScheduled = true;
        const wait = lastFlushMs + FLUSH_INTERVAL_MS - performance.now();
        if (wait <= 0) setImmediate(flushSoon);
        else setTimeout(flushSoon, wait);
      }
      if (args.count > 0 && stats.received >= args.count) {
        countReached = true;
        onCountReached();
      }
    },
  });
  const interfaceDrops = new InterfaceDropCounter(args.interfaceName);
  return {
    linkType: device.linkType,
    linkTypeName: device.linkTypeName,
    snaplen: device.snaplen,
    counters: () => ({ droppedByKernel: null, droppedByInterface: interfaceDrops.read() }),
    // cap runs in immediate mode: packets already taken arrive within a few event-loop turns.
    settleMs: 20,
    close: () => device.close(),
  };
}

try {
  run();
} catch (e: unknown) {
  const error = e instanceof CaptureError ? e : new CaptureError('failed', e instanceof Error ? e.message : String(e));
  say({ type: 'error', kind: error.kind, message: error.message });
  process.exitCode = 2;
  messages.end();
}
