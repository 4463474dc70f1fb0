/**
 * `tlswb proxy [--port 8080] [--host 127.0.0.1] [--intercept] [--ca-dir DIR]
 * [--upstream URL] [--upstream-ca FILE] [--insecure-upstream] [--full-upstream-handshakes] [--auth user:pass]
 * [-w out.pcapng]`: an HTTP forward proxy that records both legs of every
 * tunnel. Prints one line on stdout when it listens ("listening on
 * http://host:port"); tunnels and refusals go to stderr. SIGINT/SIGTERM stop
 * it with the file complete.
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import type { Command } from 'commander';
import { isLoopbackHost } from '../../api/serve-guard';
import { defaultCaDir, loadOrCreateCa } from '../../services/ca/certificate-authority';
import { LeafCertificateIssuer } from '../../services/ca/leaf-certificates';
import { ForwardProxy } from '../../services/proxy/forward-proxy';
import { LegRecorder } from '../../services/proxy/leg-recorder';
import type { InterceptOptions, ProxyEvent } from '../../services/proxy/proxy-types';
import { parseProxyUrl } from '../../services/proxy/upstream-connector';
import { CliError, describeError } from '../cli-error';

interface ProxyFlags {
  port: string;
  host: string;
  intercept?: boolean;
  caDir?: string;
  upstream?: string;
  upstreamCa?: string[];
  insecureUpstream?: boolean;
  fullUpstreamHandshakes?: boolean;
  auth?: string;
  write?: string;
}

export function parsePortOption(text: string, flag = '--port'): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new CliError(`${flag} must be a number from 0 to 65535, not "${text}"`, 2);
  return port;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** One line per event on stderr; never any secret (events carry none). */
export function describeProxyEvent(e: ProxyEvent): string {
  switch (e.type) {
    case 'tunnel-opened':
      return `tunnel ${e.tunnel}: ${e.client} -> ${e.target} (${e.mode})`;
    case 'tunnel-intercepted':
      return `tunnel ${e.tunnel}: intercepted ${e.target}: ${e.upstreamVersion ?? '?'}, ALPN ${e.alpn ?? 'none'}`;
    case 'tunnel-closed':
      return `tunnel ${e.tunnel}: closed (${e.bytesFromClient} bytes from the client, ${e.bytesFromServer} from the server)`;
    case 'refused':
      return `tunnel ${e.tunnel}: ${e.status ?? 'refused'} ${e.target ?? ''} ${e.reason}`.replace(/\s+/g, ' ');
    case 'http-request':
      return `tunnel ${e.tunnel}: ${e.method} ${e.url}`;
  }
}

/**
 * A proxy runs the same few functions once or twice per connection (the
 * relay's events of a tunnel, its log lines), and V8 optimizes a function
 * after about 3 x 66 KB of its bytecode ran: for those, after ~1,500
 * connections, so the first thousand or so ran on unoptimized code
 * (bench-proxy.mjs: ~10 % fewer round trips per second in its first rounds
 * than its last). A quarter of that budget reaches them four times sooner;
 * set before any of the proxy's code has run (budgets are given when a
 * function first runs).
 */
function optimizeSooner(): void {
  setFlagsFromString('--interrupt-budget=16384');
}

/**
 * Event lines for stderr, written together at most EVENT_FLUSH_MS after the
 * first: a busy proxy has several events per tunnel, and one write each
 * would cost a system call per event.
 */
const EVENT_FLUSH_MS = 50;

class EventLog {
  private pending = '';
  private timer: NodeJS.Timeout | null = null;

  line(text: string): void {
    this.pending += `${text}\n`;
    this.timer ??= setTimeout(() => this.flush(), EVENT_FLUSH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending) return;
    process.stderr.write(this.pending);
    this.pending = '';
  }
}

export function register(program: Command): void {
  program
    .command('proxy')
    .description('run an HTTP forward proxy that records both legs of every tunnel (passthrough, or --intercept)')
    .option('--port <n>', 'TCP port (0 picks a free one)', '8080')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--intercept', 'terminate TLS with a certificate from the tlswb CA and record both handshakes and their secrets')
    .option('--ca-dir <dir>', 'folder of the interception CA (default: the user data folder)')
    .option('--upstream <url>', 'chain through another HTTP proxy (http://[user:pass@]host:port) with CONNECT')
    .option('--upstream-ca <file>', 'also trust these CA certificates (PEM) for servers, when intercepting (repeatable)', collect)
    .option('--insecure-upstream', 'intercept even when the server certificate does not verify')
    .option('--full-upstream-handshakes', 'when intercepting, never resume TLS sessions towards servers (each upstream leg shows the server\'s certificates)')
    .option('--auth <user:pass>', 'require Basic proxy authentication')
    .option('-w, --write <file>', 'record both legs of every tunnel to this pcapng file')
    .action(async (flags: ProxyFlags) => {
      optimizeSooner();
      const port = parsePortOption(flags.port);
      const upstream = flags.upstream !== undefined ? parseProxyUrl(flags.upstream) : null;
      if (flags.upstream !== undefined && !upstream) throw new CliError(`--upstream must be http://host:port, not "${flags.upstream}"`, 2);
      let auth: { user: string; password: string } | null = null;
      if (flags.auth !== undefined) {
        const colon = flags.auth.indexOf(':');
        if (colon <= 0) throw new CliError('--auth must be user:password', 2);
        auth = { user: flags.auth.slice(0, colon), password: flags.auth.slice(colon + 1) };
      }
      if ((flags.upstreamCa || flags.insecureUpstream || flags.fullUpstreamHandshakes) && !flags.intercept) {
        throw new CliError('--upstream-ca, --insecure-upstream and --full-upstream-handshakes only apply with --intercept', 2);
      }
      let intercept: InterceptOptions | null = null;
      if (flags.intercept) {
        const caDir = flags.caDir ?? defaultCaDir();
        let ca;
        try {
          ca = loadOrCreateCa(caDir);
        } catch (e: unknown) {
          throw new CliError(`cannot use the CA in ${caDir}: ${describeError(e)}`, 1);
        }
        if (ca.created) process.stderr.write(`tlswb: made a new interception CA in ${caDir}; trust it with \`tlswb ca --export FILE\`\n`);
        const upstreamCaPem = (flags.upstreamCa ?? []).map((file) => {
          try {
            return readFileSync(file, 'utf8');
          } catch (e: unknown) {
            throw new CliError(`cannot read --upstream-ca ${file}: ${describeError(e)}`, 1);
          }
        });
        intercept = {
          issuer: new LeafCertificateIssuer(ca), upstreamCaPem, insecureUpstream: flags.insecureUpstream ?? false,
          resumeUpstreamSessions: !flags.fullUpstreamHandshakes,
        };
      }
      if (!isLoopbackHost(flags.host)) {
        process.stderr.write(`tlswb: warning: listening on ${flags.host}: anyone who can reach it can use this proxy${auth ? '' : ' (no --auth)'}\n`);
      }
      let recorder: LegRecorder | null = null;
      if (flags.write !== undefined) {
        try {
          recorder = await LegRecorder.create({ file: flags.write, application: `tlswb ${process.env.TLSWB_VERSION ?? ''} proxy`.trim() });
        } catch (e: unknown) {
          throw new CliError(`cannot write ${flags.write}: ${describeError(e)}`, 1);
        }
      }
      let proxy: ForwardProxy;
      const events = new EventLog();
      try {
        proxy = await ForwardProxy.start({
          host: flags.host, port, intercept, upstream, auth, recorder,
          onEvent: (e) => events.line(`tlswb: ${describeProxyEvent(e)}`),
        });
      } catch (e: unknown) {
        await recorder?.close().catch(() => undefined);
        throw new CliError(`cannot listen on ${flags.host}:${port}: ${describeError(e)}`, 1);
      }
      const a = proxy.address;
      const shown = a.host.includes(':') ? `[${a.host}]` : a.host;
      process.stdout.write(`listening on http://${shown}:${a.port} (${intercept ? 'intercept' : 'passthrough'})\n`);
      await new Promise<void>((done) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void proxy.close()
            .then(() => recorder?.close())
            .catch((e: unknown) => events.line(`tlswb: ${describeError(e)}`))
            .finally(() => {
              events.flush();
              done();
            });
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
