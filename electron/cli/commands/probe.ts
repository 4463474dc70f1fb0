/**
 * `tlswb probe https://host[:port][/path] [--proxy http://h:p] [--tls 1.2|1.3]
 * [--alpn h2,http/1.1] [--ciphers LIST] [--servername NAME] [--cacert FILE]
 * [-w out.pcapng] [--json]`: one live HTTPS request (through a proxy with
 * CONNECT when given), with the time of each step and the certificate
 * verdict. --json prints {"session": <contract session>, "timings": {...}, ...}.
 * Exit 0 when an HTTP answer came, 1 when a step failed.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { toContractSession } from '../../core/session/contract-json';
import { runProbe, parseProbeUrl, type ProbeResult } from '../../services/probe/tls-probe';
import { parseProxyUrl } from '../../services/proxy/upstream-connector';
import { CliError, describeError } from '../cli-error';

interface ProbeFlags {
  proxy?: string;
  tls?: string;
  alpn?: string;
  ciphers?: string;
  servername?: string;
  cacert?: string;
  write?: string;
  json?: boolean;
  timeout: string;
}

function formatTimeline(url: string, r: ProbeResult): string {
  const ms = (v: number | null): string => (v === null ? '        -' : `${v.toFixed(1).padStart(8)} ms`);
  const t = r.timings;
  const lines = [`probe ${url}`,
    `  TCP connect          ${ms(t.tcpConnect)}`,
    `  CONNECT answered     ${ms(t.connectAnswered)}`,
    `  ServerHello          ${ms(t.serverHello)}`,
    `  certificate          ${ms(t.certificate)}`,
    `  Finished             ${ms(t.finished)}`,
    `  first response byte  ${ms(t.firstResponseByte)}`,
    `  total                ${ms(t.total)}`];
  const s = r.session;
  if (s) {
    lines.push(`  ${r.protocol ?? '?'}  ${s.cipherSuiteName ?? ''}  ALPN ${r.alpn ?? 'none'}  SNI ${s.sni ?? 'none'}`);
    if (s.ja3Hash) lines.push(`  JA3 ${s.ja3Hash}  JA4 ${s.ja4 ?? '-'}`);
  }
  if (r.verdict) lines.push(`  certificate: ${r.verdict.verdict}${r.verdict.trusted ? ' (trusted)' : ''}: ${r.verdict.reason}`);
  if (r.status !== null) lines.push(`  HTTP status ${r.status}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  if (r.error) lines.push(`  failed: ${r.error}`);
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  program
    .command('probe')
    .description('run one live HTTPS request (optionally through a proxy) and time each step of the handshake')
    .argument('<url>', 'https://host[:port][/path]')
    .option('--proxy <url>', 'HTTP proxy to CONNECT through (http://[user:pass@]host:port)')
    .option('--tls <version>', 'only this TLS version: 1.2 or 1.3')
    .option('--alpn <list>', 'ALPN protocols to offer, comma-separated (default http/1.1)')
    .option('--ciphers <list>', 'OpenSSL cipher list / TLS 1.3 suites to offer')
    .option('--servername <name>', 'SNI to send (default: the URL host)')
    .option('--cacert <file>', 'also trust these CA certificates (PEM) in the verdict')
    .option('-w, --write <file>', 'record the connection (with its TLS secrets) to this pcapng file')
    .option('--json', 'print {"session": ..., "timings": ...} as JSON')
    .option('--timeout <seconds>', 'limit for each step', '15')
    .action(async (url: string, flags: ProbeFlags) => {
      if (!parseProbeUrl(url)) throw new CliError(`not an https:// URL: ${url}`, 2);
      const proxy = flags.proxy !== undefined ? parseProxyUrl(flags.proxy) : null;
      if (flags.proxy !== undefined && !proxy) throw new CliError(`--proxy must be http://host:port, not "${flags.proxy}"`, 2);
      if (flags.tls !== undefined && flags.tls !== '1.2' && flags.tls !== '1.3') throw new CliError('--tls must be 1.2 or 1.3', 2);
      const timeout = Number(flags.timeout);
      if (!(timeout > 0 && timeout <= 600)) throw new CliError('--timeout must be 1 to 600 seconds', 2);
      let extraCaPem: string[] = [];
      if (flags.cacert !== undefined) {
        try {
          extraCaPem = [readFileSync(flags.cacert, 'utf8')];
        } catch (e: unknown) {
          throw new CliError(`cannot read --cacert ${flags.cacert}: ${describeError(e)}`, 1);
        }
      }
      let result: ProbeResult;
      try {
        result = await runProbe({
          url, proxy,
          tlsVersion: (flags.tls as '1.2' | '1.3' | undefined) ?? null,
          alpn: flags.alpn ? flags.alpn.split(',').map((x) => x.trim()).filter(Boolean) : undefined,
          ciphers: flags.ciphers ?? null,
          servername: flags.servername ?? null,
          extraCaPem,
          file: flags.write ?? null,
          timeoutMs: timeout * 1000,
        });
      } catch (e: unknown) {
        throw new CliError(describeError(e), 1);
      }
      if (flags.json) {
        const doc = {
          session: result.session ? toContractSession(result.session) : null,
          timings: result.timings,
          protocol: result.protocol,
          alpn: result.alpn,
          status: result.status,
          certificateVerdict: result.verdict,
          error: result.error,
          notes: result.notes,
        };
        process.stdout.write(`${JSON.stringify(doc)}\n`);
      } else {
        process.stdout.write(formatTimeline(url, result));
      }
      if (result.error) {
        if (!flags.json) process.stderr.write(`tlswb: probe failed: ${result.error}\n`);
        process.exitCode = 1;
      }
    });
}
