import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { readCaptureFile } from '../../electron/services/capture-file';
import type { AnalysisDocument } from '../support/oracle';
import {
  runCurl, runOpenSslClient, startOpenSslServer, spawnTracked, type SpawnedProcess, type TestPki,
} from '../support/real-peers';

/** Helpers of the live-capture tests: traffic, a second recorder, packet lists to compare. */

/** One s_server on host:443 and three clients: TLS 1.3 with SNI, TLS 1.2, curl. */
export async function makeTlsTraffic(pki: TestPki, host: string): Promise<void> {
  const server = await startOpenSslServer({ host, port: 443, identity: pki.ecServer, chain: pki.chain });
  try {
    await runOpenSslClient({ host, port: 443, serverName: pki.serverName });
    await runOpenSslClient({ host, port: 443, serverName: 'other.tlswb.test', args: ['-tls1_2'] });
    const curl = await runCurl(`https://${host}/`);
    if (curl.httpCode !== 200) throw new Error(`curl failed: ${curl.output}`);
  } finally {
    await server.stop();
  }
}

/** A connection attempt (SYN, RST) to a port where nothing listens: traffic inside a filter, no TLS. */
export function knock(host: string, port: number): void {
  const socket = connect({ host, port });
  socket.on('error', () => undefined);
  socket.on('connect', () => socket.destroy());
  setTimeout(() => socket.destroy(), 500).unref();
}

/**
 * dumpcap on `iface`, live for sure before it returns: it knocks at `probe`
 * until dumpcap counts a packet.
 */
export async function startDumpcap(iface: string, filter: string, file: string, probe: { host: string; port: number },
  linkType?: string): Promise<SpawnedProcess> {
  const args = ['-i', iface, '-f', filter, '-w', file];
  if (linkType) args.push('-y', linkType);
  const dumpcap = spawnTracked(`dumpcap ${iface}`, 'dumpcap', args);
  await dumpcap.waitForOutput(/Capturing on/, 15_000);
  knock(probe.host, probe.port);
  const timer = setInterval(() => knock(probe.host, probe.port), 200);
  try {
    await dumpcap.waitForOutput(/Packets: [1-9]/, 15_000);
  } finally {
    clearInterval(timer);
  }
  return dumpcap;
}

export async function stopDumpcap(dumpcap: SpawnedProcess): Promise<void> {
  await new Promise((r) => setTimeout(r, 300));
  await dumpcap.stop('SIGINT', 5000);
}

export interface PacketDigest {
  hash: string;
  timeNs: bigint;
}

/** Every packet of a capture: a hash of its bytes (link header skipped: `skip`) and its time. */
export async function packetDigests(file: string, skip = 0): Promise<PacketDigest[]> {
  const out: PacketDigest[] = [];
  const read = await readCaptureFile(file, {
    onPacket: (p) => out.push({ hash: createHash('sha1').update(p.data.subarray(skip)).digest('hex'), timeNs: p.timestampNs }),
  });
  if (read.damaged) throw new Error(`${file} is damaged: ${read.damaged.reason}`);
  return out;
}

/** The facts of a session two recorders of the same traffic must agree on (not ids, times or frame numbers). */
export function sessionFacts(doc: AnalysisDocument): unknown[] {
  return doc.sessions.map((s) => ({
    client: s.client, server: s.server, sni: s.sni, version: s.version, cipherSuite: s.cipherSuite,
    ja3Hash: s.ja3Hash, ja3sHash: s.ja3sHash, resumed: s.resumed,
    messages: s.messages.map((m) => `${m.from}:${m.type}:${m.length}`),
    certificates: s.certificates.map((c) => c.sha256), warnings: s.warnings,
  }));
}

/** tshark reads the file to its end without complaint; returns its packet count. */
export function tsharkPacketCount(file: string): number {
  const run = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
  if (run.status !== 0 || /cut short|appears to be damaged|corrupt/i.test(run.stderr)) {
    throw new Error(`tshark could not read ${file}: ${run.stderr}`);
  }
  return run.stdout.trim() ? run.stdout.trim().split('\n').length : 0;
}
