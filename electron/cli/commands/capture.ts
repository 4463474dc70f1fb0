/**
 * `tlswb capture -i IFACE [-f BPF] [-w FILE] [--duration S] [--count N] [--json]`:
 * live capture through the privileged helper. Sessions print as they close
 * (one JSON line each with --json, in the analysis contract's session shape);
 * progress and the summary go to stderr. The packets are written to FILE (or
 * a spool file in the data folder) as they arrive; Ctrl+C stops cleanly with
 * the file complete.
 */
import type { Command } from 'commander';
import { toContractSession, type ContractSession } from '../../core/session/contract-json';
import type { Session } from '../../core/session/model';
import { finishSession } from '../../core/session/session-facts';
import { versionName } from '../../core/tls/registries';
import { CaptureError, LiveCapture, type LiveCaptureResult } from '../../services/live-capture';
import { CliError } from '../cli-error';
import { status } from '../format/session-table';

interface CaptureFlags {
  interface: string;
  filter?: string;
  write?: string;
  duration?: string;
  count?: string;
  snaplen?: string;
  bufferSize?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('capture')
    .description('capture live traffic (libpcap) and show TLS sessions as they happen')
    .requiredOption('-i, --interface <name>', 'interface to capture on (see `tlswb interfaces`)')
    .option('-f, --filter <bpf>', 'capture filter (pcap-filter syntax), e.g. "tcp port 443"')
    .option('-w, --write <file>', 'write the packets to this pcapng file (default: a spool file in the data folder)')
    .option('--duration <seconds>', 'stop after this many seconds')
    .option('--count <packets>', 'stop after this many packets')
    .option('-s, --snaplen <bytes>', 'bytes kept of each packet (at most 65535)')
    .option('-B, --buffer-size <MiB>', 'kernel capture buffer in MiB (default 64)')
    .option('--json', 'print each session as one JSON line (the analysis contract\'s session shape)')
    .action(async (flags: CaptureFlags) => {
      const duration = optionalNumber('--duration', flags.duration, false);
      const count = optionalNumber('--count', flags.count, true);
      const snaplen = optionalNumber('--snaplen', flags.snaplen, true);
      const bufferMiB = optionalNumber('--buffer-size', flags.bufferSize, true);
      const printed = new Set<Session>();
      const print = (s: Session): void => {
        if (printed.has(s)) return;
        printed.add(s);
        finishSession(s);
        const c = toContractSession(s);
        process.stdout.write(flags.json ? `${JSON.stringify(c)}\n` : `${sessionLine(c)}\n`);
      };
      let capture: LiveCapture;
      try {
        capture = await LiveCapture.start({
          interfaceName: flags.interface,
          filter: flags.filter ?? '',
          spoolPath: flags.write,
          durationSeconds: duration,
          maxPackets: count,
          snaplen,
          bufferMiB,
          // This process exists to capture: under a flood the helper gets the CPU, the printing lags.
          yieldToHelper: true,
          events: { sessionClosed: print },
          onDiagnostic: (line) => {
            if (process.env.TLSWB_DEBUG) process.stderr.write(`tlswb: helper: ${line}\n`);
          },
        });
      } catch (e: unknown) {
        if (e instanceof CaptureError) throw new CliError(e.message, 1);
        throw e;
      }
      process.stderr.write(`Capturing on '${flags.interface}' (link type ${capture.linkType}), writing ${capture.spoolPath}\n`);
      const stop = (): void => void capture.stop();
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      let result: LiveCaptureResult;
      try {
        result = await capture.done;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
      for (const s of result.sessions) print(s);
      process.stderr.write(`${summaryLine(result)}\n`);
      if (result.damaged) {
        process.stderr.write(`tlswb: warning: the helper's stream ended inside a block: ${result.damaged.reason}\n`);
      }
      if (result.stopReason === 'helper-exited' && (result.helperExit.signal || result.helperExit.code !== 0)) {
        throw new CliError(`the capture helper ended unexpectedly (${result.helperExit.signal ?? `exit ${result.helperExit.code}`}); `
          + `the packets up to then are in ${result.spoolPath}`, 1);
      }
    });
}

function optionalNumber(flag: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new CliError(`${flag} must be a positive ${integer ? 'integer' : 'number'}, not '${value}'`, 2);
  }
  return n;
}

function endpoint(e: { ip: string; port: number }): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

function sessionLine(s: ContractSession): string {
  const suite = s.cipherSuiteName ?? (s.cipherSuite === null ? '-' : `0x${s.cipherSuite.toString(16).padStart(4, '0')}`);
  return [endpoint(s.client), '->', endpoint(s.server), s.sni ?? '-', s.version === null ? '-' : versionName(s.version),
    suite, s.alpn ?? '-', `${s.messages.length} msgs`, status(s)].join('  ');
}

function summaryLine(r: LiveCaptureResult): string {
  const s = r.stats;
  // null: libpcap's counter is not available through cap (native/README.md, "Statistics").
  const counter = (n: number | null): string => (n === null ? 'unknown' : String(n));
  return `${r.packets} packets captured (${s.received} received by the helper), ${r.sessions.length} TLS sessions; `
    + `dropped: by the kernel ${counter(s.droppedByKernel)}, by the interface ${counter(s.droppedByInterface)}, `
    + `by the helper ${s.droppedByHelper}; file: ${r.spoolPath}`;
}
