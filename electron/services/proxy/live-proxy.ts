/**
 * The proxy as the desktop runs it: a ForwardProxy whose recorded legs go to
 * a spool file (pcapng, what "Save" copies) and, packet by packet, into a
 * SessionAnalyzer, so the tunnels' sessions stream into the same session
 * list and timeline as a capture's. Keeps a bounded list of tunnels for the
 * Proxy panel. One LiveProxy per start; stop() ends it with the file complete.
 */
import { readFileSync } from 'node:fs';
import type { AnalyzerEvents } from '../../core/session/analyzer-events';
import { SessionAnalyzer } from '../../core/session/analyzer';
import type { Session } from '../../core/session/model';
import { KeyLog, parseKeyLog } from '../../core/tls/decrypt/keylog';
import { loadOrCreateCa } from '../ca/certificate-authority';
import { LeafCertificateIssuer } from '../ca/leaf-certificates';
import { ForwardProxy } from './forward-proxy';
import { LegRecorder } from './leg-recorder';
import type { InterceptOptions, ProxyEvent } from './proxy-types';

export interface LiveProxyOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Intercept with the CA in `caDir` (made there on first use); null: passthrough. */
  intercept: { caDir: string; upstreamCaFiles?: string[]; insecureUpstream?: boolean } | null;
  /** pcapng file the legs are recorded to (created or truncated). */
  spoolFile: string;
  /** The analyzer's events, as a file's analysis gives them. */
  events?: AnalyzerEvents;
  /** A tunnel opened, changed or closed (coalesce before sending anywhere: one call per event). */
  onTunnel?: (tunnel: TunnelRow) => void;
}

export interface TunnelRow {
  id: number;
  client: string;
  /** CONNECT target (host:port), or the URL of a plain http:// request; null when the request was unreadable. */
  target: string | null;
  mode: 'passthrough' | 'intercept' | 'http';
  state: 'open' | 'closed' | 'refused';
  /** Error status the proxy answered, and why (refused). */
  status: number | null;
  reason: string | null;
  bytesFromClient: number;
  bytesFromServer: number;
  /** Intercepted: what the upstream handshake gave. */
  sni: string | null;
  alpn: string | null;
  upstreamVersion: string | null;
}

/** The panel shows the latest tunnels; older ones stay in the session list. */
const MAX_TUNNEL_ROWS = 500;

export class LiveProxy {
  private readonly rows = new Map<number, TunnelRow>();
  private stopped: Promise<void> | null = null;
  /** Where it listens (kept: a closed server has no address). */
  readonly address: { host: string; port: number };

  private constructor(
    private readonly proxy: ForwardProxy,
    private readonly recorder: LegRecorder,
    private readonly analyzer: SessionAnalyzer,
    readonly mode: 'passthrough' | 'intercept',
    readonly spoolFile: string,
  ) {
    this.address = proxy.address;
  }

  static async start(options: LiveProxyOptions): Promise<LiveProxy> {
    let intercept: InterceptOptions | null = null;
    if (options.intercept) {
      const ca = loadOrCreateCa(options.intercept.caDir);
      intercept = {
        issuer: new LeafCertificateIssuer(ca),
        upstreamCaPem: (options.intercept.upstreamCaFiles ?? []).map((f) => readFileSync(f, 'utf8')),
        insecureUpstream: options.intercept.insecureUpstream ?? false,
      };
    }
    // Intercepted tunnels are decrypted live. Each TLS socket of a tunnel logs its secrets (keylog)
    // while it handles a handshake flight, after the ClientHello but before the records they unlock
    // are turned into packets (the recorder does that at the end of the event-loop turn), so the
    // analyzer's key log is live: a connection looks its secrets up when it needs them. The spool
    // file holds the same secrets (DSBs). Passthrough has no secrets: no key log, no decryption cost.
    const keyLog = intercept ? new KeyLog({ live: true }) : undefined;
    const analyzer = new SessionAnalyzer({ events: options.events, ...(keyLog ? { keyLog } : {}) });
    const recorder = await LegRecorder.create({
      file: options.spoolFile,
      onPacket: (p) => analyzer.push(p),
      // The tunnels hand their key log lines to the recorder (for the file); the analyzer gets them too, at once.
      ...(keyLog ? { onSecrets: (line: string) => void parseKeyLog(line, keyLog) } : {}),
      application: 'tlswb desktop proxy',
    });
    let live: LiveProxy | null = null;
    let proxy: ForwardProxy;
    try {
      proxy = await ForwardProxy.start({
        host: options.host, port: options.port, intercept, recorder,
        onEvent: (e) => live?.apply(e, options.onTunnel),
      });
    } catch (e: unknown) {
      await recorder.close().catch(() => undefined);
      throw e;
    }
    live = new LiveProxy(proxy, recorder, analyzer, intercept ? 'intercept' : 'passthrough', options.spoolFile);
    return live;
  }

  /** Latest tunnels first. */
  get tunnels(): TunnelRow[] {
    return [...this.rows.values()].reverse();
  }

  get sessions(): Session[] {
    return this.analyzer.sessions;
  }

  /** Packets recorded so far (both legs of every tunnel). */
  get packets(): number {
    return this.recorder.frames;
  }

  get running(): boolean {
    return this.stopped === null;
  }

  /** Stops listening, ends every tunnel, completes the file and the analysis. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      await this.proxy.close();
      // Closing ended every tunnel; their close events may still be on their way.
      await new Promise((resolve) => setImmediate(resolve));
      for (const row of this.rows.values()) if (row.state === 'open') row.state = 'closed';
      await this.recorder.close();
      this.analyzer.finish();
    })();
    return this.stopped;
  }

  private apply(e: ProxyEvent, onTunnel: ((t: TunnelRow) => void) | undefined): void {
    let row = this.rows.get(e.tunnel);
    if (!row) {
      row = {
        id: e.tunnel, client: '', target: null, mode: this.mode, state: 'open', status: null, reason: null,
        bytesFromClient: 0, bytesFromServer: 0, sni: null, alpn: null, upstreamVersion: null,
      };
      this.rows.set(e.tunnel, row);
      if (this.rows.size > MAX_TUNNEL_ROWS) this.rows.delete(this.rows.keys().next().value as number);
    }
    switch (e.type) {
      case 'tunnel-opened':
        Object.assign(row, { client: e.client, target: e.target, mode: e.mode });
        break;
      case 'tunnel-intercepted':
        Object.assign(row, { sni: e.sni, alpn: e.alpn, upstreamVersion: e.upstreamVersion });
        break;
      case 'tunnel-closed':
        Object.assign(row, { state: row.state === 'refused' ? 'refused' : 'closed', bytesFromClient: e.bytesFromClient, bytesFromServer: e.bytesFromServer });
        break;
      case 'refused':
        Object.assign(row, { client: e.client, target: e.target ?? row.target, state: 'refused', status: e.status, reason: e.reason });
        break;
      case 'http-request':
        Object.assign(row, { target: e.url, mode: 'http' });
        break;
    }
    onTunnel?.({ ...row });
  }
}
