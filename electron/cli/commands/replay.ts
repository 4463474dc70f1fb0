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
import { ClientHelloEditError, type ClientHelloEdits } from '../../core/tls/client-hello-encoder';
import { cipherSuiteName } from '../../core/tls/registries';
import { CaptureFileError } from '../../services/capture-file';
import { parseAuthority, ReplayError, runReplay, type ReplayResult } from '../../services/replay/replay-session';
import { loadSession, SessionNotFoundError } from '../../services/replay/session-source';
import { authorityOf, parseProxyUrl } from '../../services/proxy/upstream-connector';
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

/** 0xc02f, 49199 or an IANA name. */
function parseCipher(text: string): number | null {
  const t = text.trim();
  if (/^0x[0-9a-f]{1,4}$/i.test(t)) return parseInt(t.slice(2), 16);
  if (/^\d{1,5}$/.test(t) && Number(t) <= 0xffff) return Number(t);
  for (let id = 0; id <= 0xffff; id++) if (cipherSuiteName(id) === t) return id;
  return null;
}

function editsOf(flags: ReplayFlags): ClientHelloEdits {
  const edits: ClientHelloEdits = {};
  if (flags.sni !== undefined) edits.sni = flags.sni;
  if (flags.dropCipher?.length) {
    edits.dropCiphers = flags.dropCipher.flatMap((x) => x.split(',')).filter(Boolean).map((x) => {
      const id = parseCipher(x);
      if (id === null) throw new CliError(`--drop-cipher: not a cipher suite: ${x}`, 2);
      return id;
    });
  }
  if (flags.onlyVersion !== undefined) {
    if (flags.onlyVersion !== '1.2' && flags.onlyVersion !== '1.3') throw new CliError('--only-version must be 1.2 or 1.3', 2);
    edits.onlyVersion = flags.onlyVersion;
  }
  if (flags.alpn !== undefined) edits.alpn = flags.alpn.split(',').map((x) => x.trim()).filter(Boolean);
  return edits;
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
    .option('--proxy <url>', 'go through this HTTP proxy with CONNECT (http://[user:pass@]host:port)')
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
      const to = flags.to !== undefined ? parseAuthority(flags.to) : null;
      if (flags.to !== undefined && !to) throw new CliError(`--to must be host:port, not "${flags.to}"`, 2);
      const proxy = flags.proxy !== undefined ? parseProxyUrl(flags.proxy) : undefined;
      if (flags.proxy !== undefined && !proxy) throw new CliError(`--proxy must be http://host:port, not "${flags.proxy}"`, 2);
      const timeout = Number(flags.timeout);
      if (!(timeout > 0 && timeout <= 600)) throw new CliError('--timeout must be 1 to 600 seconds', 2);
      const edits = editsOf(flags);
      let result: ReplayResult;
      try {
        const recorded = await loadSession(file, id);
        result = await runReplay({
          recorded, recordedFile: file, to, proxy: proxy ?? undefined, edits, file: flags.write ?? null,
          timeoutMs: timeout * 1000, connectTimeoutMs: Math.min(timeout * 1000, 5000),
        });
      } catch (e: unknown) {
        if (e instanceof CaptureFileError || e instanceof SessionNotFoundError || e instanceof ReplayError) throw new CliError(e.message, 1);
        if (e instanceof ClientHelloEditError) throw new CliError(`cannot edit the ClientHello: ${e.message}`, 2);
        throw e;
      }
      if (flags.json) {
        const doc = {
          session: result.session ? toContractSession(result.session) : null,
          diff: result.diff,
          outcome: result.outcome,
          error: result.error,
          target: authorityOf(result.target),
          proxy: result.proxy ? authorityOf(result.proxy) : null,
          sentBytes: result.sentBytes,
          receivedBytes: result.receivedBytes,
          asRecorded: result.asRecorded,
          notes: result.notes,
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
