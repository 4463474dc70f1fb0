/**
 * The Probe panel's command: one live handshake (`tlswb probe`): CONNECT
 * through a proxy when one is given, TLS with the chosen version and ALPN,
 * one GET, timed step by step. The recording (with its TLS secrets) then
 * opens as the capture, so the probe's session lands in the same session list
 * and timeline as any other; the timings and verdict come back to the panel.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProbeOptions, ProbeResult } from '../services/probe/tls-probe';
import { parseProxyUrl } from '../services/proxy/upstream-connector';
import { makeTemporaryDir } from '../services/workbench-temporaries';
import { ApiError, type FileSummary, type ProbeRequest, type ProbeRunResult } from './contract';

export interface ProbeWorkspacePorts {
  run(options: ProbeOptions): Promise<ProbeResult>;
  /** Open the recording as the current capture. */
  openRecording(path: string, name: string): Promise<FileSummary>;
}

export class ProbeWorkspace {
  private dir: string | null = null;
  private count = 0;

  constructor(private readonly ports: ProbeWorkspacePorts) {}

  readonly handlers = {
    runProbe: async (request: ProbeRequest): Promise<ProbeRunResult> => {
      const proxy = request.proxy ? parseProxyUrl(request.proxy) : null;
      if (request.proxy && !proxy) throw new ApiError('invalid-arguments', `the proxy must be http://host:port, not "${request.proxy.slice(0, 100)}"`);
      this.dir ??= await makeTemporaryDir('probe');
      const file = join(this.dir, `probe-${++this.count}.pcapng`);
      let result: ProbeResult;
      try {
        result = await this.ports.run({
          url: request.url, proxy, file,
          tlsVersion: request.tlsVersion ?? null,
          alpn: request.alpn && request.alpn.length > 0 ? request.alpn : undefined,
        });
      } catch (e: unknown) {
        throw new ApiError('invalid-arguments', e instanceof Error ? e.message : String(e));
      }
      const host = new URL(request.url).host;
      const opened = await this.ports.openRecording(file, `probe ${host}`).catch(() => null);
      return {
        timings: result.timings, verdict: result.verdict, status: result.status, protocol: result.protocol,
        alpn: result.alpn, error: result.error, notes: result.notes, file: opened,
      };
    },
  };

  async dispose(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
