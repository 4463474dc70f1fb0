/**
 * `tlswb analyze --json` splits a large file's TCP connections between
 * threads (electron/cli/analyze-shards.ts). TLSWB_ANALYZE_THREADS forces the
 * number of threads, so small captures take that path too: the document,
 * the warnings and the exit code must be exactly one thread's.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../electron/core/capture/capture-reader';
import { PcapngWriter } from '../../electron/core/capture/pcapng-writer';
import { PacketDecoder } from '../../electron/core/net/packet-decoder';
import { TcpConnectionTable } from '../../electron/core/net/tcp-connection-table';
import { tunnelComment } from '../../electron/core/session/tunnel-link';
import { projectRoot, tlswbBin } from '../support/run-cli';

const fixture = (name: string) => join(projectRoot, 'test', 'fixtures', 'corpus', name);

function analyze(file: string, threads: number) {
  const r = spawnSync(process.execPath, [tlswbBin, 'analyze', file, '--json'], {
    cwd: projectRoot,
    env: { ...process.env, TLSWB_ANALYZE_THREADS: String(threads) },
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tlswb analyze on several threads', () => {
  // Many connections (firefox, trojan, vxlan), CONNECT, STARTTLS, tunnels, damage, gzip, several interfaces.
  const captures = [
    'firefox.pcap',
    'tls_heur__trojan-tcp-tls.pcapng',
    'vxlan.pcap',
    '6in4tunnel.pcap',
    'https-connect.pcap',
    'ftp-auth-tls.pcap',
    'many_interfaces-1.pcapng',
    'tls_DER-incomplete-header.pcap',
    'dhe.pcap.gz',
  ];
  for (const name of captures) {
    it(`prints exactly what one thread prints: ${name}`, () => {
      const one = analyze(fixture(name), 1);
      expect(one.status).toBe(0);
      expect(JSON.parse(one.stdout).sessions.length).toBeGreaterThan(0);
      for (const threads of [2, 3]) {
        const many = analyze(fixture(name), threads);
        expect(many.status).toBe(0);
        expect(many.stderr).toBe(one.stderr);
        expect(many.stdout).toBe(one.stdout);
      }
    });
  }

  it('analyzes a file with TLS secrets in a DSB as one thread does (decryption crosses connections)', () => {
    const file = join(projectRoot, 'test', 'fixtures', 'decrypt', 'chrome-cloudflare-quic-with-secrets.pcapng');
    const one = analyze(file, 1);
    expect(one.status).toBe(0);
    expect(JSON.parse(one.stdout).sessions.length).toBeGreaterThan(0);
    const two = analyze(file, 2);
    expect(two.stderr).toBe(one.stderr);
    expect(two.stdout).toBe(one.stdout);
  });

  it('marks the legs of a tlswb proxy tunnel from packet comments as one thread does', () => {
    // A real capture rewritten as pcapng, with the proxy's comment on the first packet of each TCP connection.
    const source = fixture('tls_heur__trojan-tcp-tls.pcapng');
    const firstFrames: number[] = [];
    const decoder = new PacketDecoder();
    const table = new TcpConnectionTable({ onOpen: (c) => firstFrames.push(c.firstFrame), onData: () => {}, onGap: () => {}, onClose: () => {} });
    const scan = createCaptureReader({
      onPacket: (p) => {
        const seg = decoder.decode(p);
        if (seg) table.push(seg, p.frame, p.timestampNs);
      },
    });
    scan.feed(readFileSync(source));
    scan.end();
    const w = new PcapngWriter(true);
    const blocks: Uint8Array[] = [w.sectionHeader({ userAppl: 'tlswb test' })];
    const ids = new Map<number, number>();
    const reader = createCaptureReader({
      onInterface: (i) => {
        const idb = w.interfaceDescription({ linkType: i.linkType, tsresol: 9 });
        blocks.push(idb.block);
        ids.set(i.id, idb.id);
      },
      onPacket: (p) => {
        const at = firstFrames.indexOf(p.frame);
        const comment = at >= 0 ? tunnelComment(at + 1, at % 2 ? 'upstream' : 'client') : undefined;
        blocks.push(w.enhancedPacket({ interfaceId: ids.get(p.interfaceId)!, timestampNs: p.timestampNs, data: p.data.slice(), comment }));
      },
    });
    reader.feed(readFileSync(source));
    reader.end();
    const file = join(mkdtempSync(join(tmpdir(), 'tlswb-')), 'tunnel-legs.pcapng');
    writeFileSync(file, Buffer.concat(blocks));
    const one = analyze(file, 1);
    expect(one.status).toBe(0);
    const sessions = (JSON.parse(one.stdout) as { sessions: { tunnel?: unknown }[] }).sessions;
    expect(sessions.length).toBeGreaterThan(1);
    expect(sessions.every((x) => x.tunnel)).toBe(true);
    const two = analyze(file, 2);
    expect(two.stderr).toBe(one.stderr);
    expect(two.stdout).toBe(one.stdout);
  });

  it('says what is wrong with a file that is not a capture in one line, as one thread does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tlswb-'));
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'this is not a capture file\n'.repeat(20));
    const one = analyze(text, 1);
    const many = analyze(text, 2);
    expect(one.status).toBe(1);
    expect(many.status).toBe(1);
    expect(many.stderr).toBe(one.stderr);
    expect(many.stderr.trim().split('\n')).toHaveLength(1);
  });
});
