/**
 * The Proxy panel's commands: start and stop the recording proxy
 * (services/proxy/live-proxy), its status with the latest tunnels, and the
 * interception CA's export with the trust instructions. While it runs, the
 * proxy's sessions are the open capture's (the workbench's live source), so
 * they stream into the same session list and timeline; its spool file is
 * what Save As copies. Status changes go out as `proxyChanged`, at most
 * every PUSH_INTERVAL_MS.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnalyzerEvents } from '../core/session/analyzer-events';
import type { ExportedCa } from '../services/proxy/live-proxy-ca';
import type { LiveProxy, LiveProxyOptions } from '../services/proxy/live-proxy';
import { makeTemporaryDir } from '../services/workbench-temporaries';
import { ApiError, type ProxyStartRequest, type ProxyStatus } from './contract';
import { CoalescedPush } from './coalesced-push';

export interface ProxyWorkspacePorts {
  start(options: LiveProxyOptions): Promise<LiveProxy>;
  exportCa(caDir: string, file: string): ExportedCa;
  /** Where the interception CA lives. */
  caDir(): string;
  /** Make the proxy the open capture: its sessions stream in through `events`; `finished` when it stops. */
  beginLive(name: string, spoolFile: string): { events: AnalyzerEvents; finished(packets: number): void };
  emit(status: ProxyStatus): void;
}

const PUSH_INTERVAL_MS = 100;

export class ProxyWorkspace {
  private live: LiveProxy | null = null;
  private liveSource: { finished(packets: number): void } | null = null;
  private spoolDir: string | null = null;
  private readonly push = new CoalescedPush(PUSH_INTERVAL_MS, () => this.ports.emit(this.status()));
  private lastError: string | null = null;

  constructor(private readonly ports: ProxyWorkspacePorts) {}

  readonly handlers = {
    startProxy: async (request: ProxyStartRequest): Promise<ProxyStatus> => {
      if (this.live?.running) throw new ApiError('unsupported', `the proxy already runs on ${this.live.address.host}:${this.live.address.port}; stop it first`);
      this.spoolDir ??= await makeTemporaryDir('proxy');
      const spoolFile = join(this.spoolDir, `proxy-${Date.now()}.pcapng`);
      const host = request.host ?? '127.0.0.1';
      const source = this.ports.beginLive(`proxy ${host}:${request.port}`, spoolFile);
      try {
        this.live = await this.ports.start({
          host, port: request.port, spoolFile,
          intercept: request.intercept ? { caDir: this.ports.caDir() } : null,
          events: source.events,
          onTunnel: () => this.push.schedule(),
        });
      } catch (e: unknown) {
        source.finished(0);
        this.lastError = e instanceof Error ? e.message : String(e);
        throw new ApiError('unreadable', `cannot start the proxy on ${host}:${request.port}: ${this.lastError}`);
      }
      this.liveSource = source;
      this.lastError = null;
      this.push.now();
      return this.status();
    },
    stopProxy: async (): Promise<ProxyStatus> => {
      const live = this.live;
      if (live?.running) {
        await live.stop();
        this.liveSource?.finished(live.packets);
        this.liveSource = null;
      }
      this.push.now();
      return this.status();
    },
    getProxyStatus: async (): Promise<ProxyStatus> => this.status(),
    exportProxyCa: async (path: string | null): Promise<ExportedCa> => {
      const file = path ?? join((this.spoolDir ??= await makeTemporaryDir('proxy')), 'tlswb-ca.pem');
      try {
        return this.ports.exportCa(this.ports.caDir(), file);
      } catch (e: unknown) {
        throw new ApiError('unreadable', `cannot export the CA: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
  };

  async dispose(): Promise<void> {
    this.push.cancel();
    await this.live?.stop().catch(() => undefined);
    if (this.spoolDir) await rm(this.spoolDir, { recursive: true, force: true });
  }

  private status(): ProxyStatus {
    const live = this.live;
    if (!live) return { running: false, mode: null, host: null, port: null, packets: 0, spoolFile: null, tunnels: [], error: this.lastError };
    const { host, port } = live.address;
    return { running: live.running, mode: live.mode, host, port, packets: live.packets, spoolFile: live.spoolFile, tunnels: live.tunnels.slice(0, 200), error: this.lastError };
  }
}
