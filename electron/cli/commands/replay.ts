/**
 * `tlswb replay FILE --session N [--to host:port] [--proxy http://h:p]
 * [--sni NAME] [--drop-cipher ID ...] [--only-version 1.2|1.3] [--alpn LIST]
 * [-w out.pcapng] [--json]`: send a recorded ClientHello again (byte for byte,
 * or re-encoded with the edits) and compare the server's answer with the
 * recording. --json prints {"session": <analysis contract session>, "diff":
 * <tlswb.diff/1>, "outcome": ..., ...}. An answer of any kind (a full flight,
 * an alert, a close) exits 0; no answer at all (refused, timed out) exits 1
 * with one line on stderr.
 */
import type { Command } from 'commander';
import { toContractSession } from '../../core/session/contract-json';
import { ClientHelloEditError } from '../../core/tls/client-hello-encoder';
import { CaptureFileError } from '../../services/capture-file';
import { parseReplayOptions, ReplayOptionError, type ParsedReplayOptions, type ReplayOptionField } from '../../services/replay/replay-options';
import { replayOutcomeReport } from '../../services/replay/replay-outcome';
import { ReplayError, runReplay, type ReplayResult } from '../../services/replay/replay-session';
import { loadSession, SessionNotFoundError } from '../../services/replay/session-source';
import { authorityOf } from '../../services/proxy/upstream-connector';
import { CliError } from '../cli-error';
import { formatSessionDiff } from '../format/diff-report';

interface ReplayFlags {
  session: string;
  to?: string;
  proxy?: string;
  sni?: string;
  dropCipher?: string[];
  onlyVersion?: string;
  alpn?: string;
  write?: string;
  json?: boolean;
  timeout: string;
}

/** How each flag is named in an error (the parser's message says what is wrong). */
const FLAG_OF: Record<ReplayOptionField, string> = {
  to: '--to',
  proxy: '--proxy',
  dropCiphers: '--drop-cipher:',
  onlyVersion: '--only-version',
};

function optionsOf(flags: ReplayFlags, timeoutSeconds: number): ParsedReplayOptions {
  try {
    return parseReplayOptions({
      to: flags.to,
      proxy: flags.proxy,
      sni: flags.sni,
      onlyVersion: flags.onlyVersion,
      dropCiphers: flags.dropCipher?.flatMap((x) => x.split(',')).filter(Boolean),
      alpn: flags.alpn?.split(',').map((x) => x.trim()).filter(Boolean),
      timeoutSeconds,
    });
  } catch (e: unknown) {
    if (e instanceof ReplayOptionError) throw new CliError(`${FLAG_OF[e.field]} ${e.message}`, 2);
    throw e;
  }
}

function summary(file: string, id: number, r: ReplayResult): string {
  const via = r.proxy ? ` via ${authorityOf(r.proxy)}` : '';
  const lines = [`replay of ${file}#${id} to ${authorityOf(r.target)}${via}: sent ${r.sentBytes} bytes (${r.asRecorded ? 'as recorded' : 'edited'}), received ${r.receivedBytes}`];
  for (const n of r.notes) lines.push(`  note: ${n}`);
  lines.push(`  outcome: ${r.outcome}${r.error ? `: ${r.error}` : ''}`);
  const s = r.session;
  if (s && s.serverHello) {
    lines.push(`  server chose ${s.cipherSuiteName ?? s.cipherSuite ?? '-'}, version ${s.version ?? '-'}, ALPN ${s.alpn ?? 'none'}`);
  }
  const alert = s?.messages.find((m) => m.type === 'alert' && m.from === 'server');
  if (alert) lines.push(`  server alert: ${alert.level ?? '?'} ${alert.description ?? '(encrypted)'}`);
  return `${lines.join('\n')}\n\n`;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function register(program: Command): void {
  program
    .command('replay')
    .description('send a recorded ClientHello again (optionally edited) and compare the server\'s answer with the recording')
    .argument('<file>', 'capture file holding the session')
    .requiredOption('--session <id>', 'the session to replay (its id in `tlswb analyze`)')
    .option('--to <host:port>', 'send to this server instead of the recorded one')
    .option('--proxy <url>', 'go through this HTTP proxy with CONNECT (http://[user:pass@]host:port; "" goes direct)')
    .option('--sni <name>', 'send this server_name instead ("" removes it)')
    .option('--drop-cipher <id>', 'leave out this cipher suite (0xc02f, 49199 or its IANA name); repeatable', collect)
    .option('--only-version <v>', 'offer only TLS 1.2 or 1.3')
    .option('--alpn <list>', 'offer these ALPN protocols, comma-separated ("" removes ALPN)')
    .option('-w, --write <file>', 'save the replay connection as pcapng')
    .option('--json', 'print {"session": ..., "diff": ...} as JSON')
    .option('--timeout <seconds>', 'limit for the whole replay', '10')
    .action(async (file: string, flags: ReplayFlags) => {
      if (!/^\d{1,9}$/.test(flags.session)) throw new CliError('--session must be a session id (0, 1, ...)', 2);
      const id = Number(flags.session);
      const timeout = Number(flags.timeout);
      if (!(timeout > 0 && timeout <= 600)) throw new CliError('--timeout must be 1 to 600 seconds', 2);
      const options = optionsOf(flags, timeout);
      let result: ReplayResult;
      try {
        const recorded = await loadSession(file, id);
        result = await runReplay({ recorded, recordedFile: file, ...options, file: flags.write ?? null });
      } catch (e: unknown) {
        if (e instanceof CaptureFileError || e instanceof SessionNotFoundError || e instanceof ReplayError) throw new CliError(e.message, 1);
        if (e instanceof ClientHelloEditError) throw new CliError(`cannot edit the ClientHello: ${e.message}`, 2);
        throw e;
      }
      if (flags.json) {
        const doc = {
          session: result.session ? toContractSession(result.session) : null,
          diff: result.diff,
          ...replayOutcomeReport(result),
        };
        process.stdout.write(`${JSON.stringify(doc)}\n`);
      } else {
        process.stdout.write(summary(file, id, result));
        if (result.diff) process.stdout.write(formatSessionDiff(result.diff));
      }
      if (result.error) {
        process.stderr.write(`tlswb: replay: ${result.error}\n`);
        process.exitCode = 1;
      }
    });
}
