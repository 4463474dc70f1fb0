import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LinkType } from '../../../electron/core/capture/packet';
import { PcapngWriter } from '../../../electron/core/capture/pcapng-writer';
import { parseIpAddress, TcpPacketSynthesizer } from '../../../electron/core/net/tcp-packet-synthesizer';
import { SessionAnalyzer } from '../../../electron/core/session/analyzer';

const dir = mkdtempSync(join(tmpdir(), 'tlswb-synth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Frame { data: Uint8Array; timestampNs: bigint }

/** One connection: CONNECT, its answer, 5000 bytes from the server (several segments), FIN both ways. */
function synthesize(client: string, server: string, linkType: 1 | 101): Frame[] {
  const frames: Frame[] = [];
  const synth = new TcpPacketSynthesizer({
    client: { ip: client, port: 50000 }, server: { ip: server, port: 3128 }, linkType,
    sink: (data, timestampNs) => frames.push({ data: data.slice(), timestampNs }),
  });
  let t = 1_700_000_000_000_000_000n;
  synth.open(t);
  synth.send('client', new TextEncoder().encode('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'), (t += 1000n));
  synth.send('server', new TextEncoder().encode('HTTP/1.1 200 Connection established\r\n\r\n'), (t += 1000n));
  const bulk = new Uint8Array(5000).map((_, i) => i & 0xff);
  synth.send('server', bulk, (t += 1000n));
  synth.close('client', (t += 1000n));
  synth.close('server', (t += 1000n));
  expect(synth.ended).toBe(true);
  synth.send('client', bulk, t + 1000n); // after both FINs: nothing more
  return frames;
}

function writePcapng(file: string, frames: Frame[], linkType: number): void {
  const w = new PcapngWriter();
  const parts = [w.sectionHeader({ userAppl: 'test' }), w.interfaceDescription({ linkType }).block];
  for (const f of frames) parts.push(w.enhancedPacket({ interfaceId: 0, timestampNs: f.timestampNs, data: f.data }));
  writeFileSync(file, Buffer.concat(parts));
}

function tshark(args: string[]): { stdout: string; stderr: string } {
  const r = spawnSync('tshark', args, { encoding: 'utf8', timeout: 60_000 });
  return { stdout: r.stdout, stderr: r.stderr.replace(/^Running as user "root".*\n/m, '') };
}

describe('synthesized TCP connections', () => {
  const cases = [
    { name: 'IPv4 over Ethernet', client: '10.1.2.3', server: '10.9.8.7', link: LinkType.ETHERNET },
    { name: 'IPv6, raw IP', client: '2001:db8::1', server: '2001:db8::2', link: LinkType.RAW },
  ] as const;
  for (const c of cases) {
    it(`${c.name}: tshark sees valid checksums, no sequence problems, and the bytes in order`, () => {
      const frames = synthesize(c.client, c.server, c.link);
      // tshark: 1 = good checksum. 3 handshake + (1+1) CONNECT + (1+1) answer + (4 segments + 1 ACK) bulk + (2+2) FINs
      expect(frames).toHaveLength(3 + 2 + 2 + 5 + 4);
      const file = join(dir, `${c.link}-${c.client.includes(':') ? 6 : 4}.pcapng`);
      writePcapng(file, frames, c.link);
      const checks = ['-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE'];
      const bad = tshark(['-r', file, ...checks, '-Y', 'tcp.checksum.status != 1 || tcp.analysis.flags || (ip && ip.checksum.status != 1)', '-T', 'fields', '-e', 'frame.number']);
      expect(bad.stderr).toBe('');
      expect(bad.stdout.trim()).toBe('');
      const good = tshark(['-r', file, ...checks, '-Y', 'tcp.checksum.status == 1', '-T', 'fields', '-e', 'frame.number']);
      expect(good.stdout.trim().split('\n')).toHaveLength(frames.length);
      const http = tshark(['-r', file, '-Y', 'http', '-T', 'fields', '-e', 'http.request.method', '-e', 'http.response.code']);
      expect(http.stdout.trim().split('\n').map((l) => l.trim())).toEqual(['CONNECT', '200']);
      // The 5000 server bytes arrive as 1460-byte segments (1440 for IPv6) with consecutive sequence numbers.
      const segs = tshark(['-r', file, '-Y', 'tcp.srcport == 3128 && tcp.len > 100', '-T', 'fields', '-e', 'tcp.seq', '-e', 'tcp.len']);
      const rows = segs.stdout.trim().split('\n').map((l) => l.split('\t').map(Number));
      const mss = c.client.includes(':') ? 1440 : 1460;
      expect(rows.map((r) => r[1])).toEqual([mss, mss, mss, 5000 - 3 * mss]);
      for (let i = 1; i < rows.length; i++) expect(rows[i][0]).toBe(rows[i - 1][0] + rows[i - 1][1]);
    });

    it(`${c.name}: the engine sees one connection with its CONNECT answered`, () => {
      const frames = synthesize(c.client, c.server, c.link);
      const analyzer = new SessionAnalyzer();
      frames.forEach((f, i) => analyzer.push({ frame: i + 1, interfaceId: 0, linkType: c.link, timestampNs: f.timestampNs, data: f.data, originalLength: f.data.length }));
      analyzer.finish();
      expect(analyzer.sessions).toHaveLength(1);
      const [s] = analyzer.sessions;
      expect(s.client).toEqual({ ip: c.client, port: 50000 });
      expect(s.clientBy).toBe('syn');
      expect(s.proxy?.target).toBe('example.com:443');
      expect(s.proxy?.status).toBe(200);
      expect(s.warnings).toEqual([]);
      expect(s.state).toBe('closed-fin');
    });
  }

  it('writes the RFC 1071 checksum for every payload length, address family and link type', () => {
    // The synthesizer adds 32-bit words; a plain byte-pair sum is the reference.
    const sum16 = (b: Uint8Array, from: number, to: number): number => {
      let s = 0;
      for (let i = from; i < to; i += 2) s += (b[i]! << 8) | (i + 1 < to ? b[i + 1]! : 0);
      while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
      return s;
    };
    const payload = new Uint8Array(1460).map((_, i) => (i * 151 + 7) & 0xff);
    payload.fill(0xff, 700, 900); // runs of 0xff push sums through every carry
    for (const [client, server, link] of [['10.1.2.3', '10.9.8.7', 1], ['2001:db8::1', '2001:db8::2', 1], ['10.1.2.3', '10.9.8.7', 101], ['2001:db8::1', '2001:db8::2', 101]] as const) {
      const frames: Uint8Array[] = [];
      const synth = new TcpPacketSynthesizer({ client: { ip: client, port: 50000 }, server: { ip: server, port: 443 }, linkType: link, sink: (d) => frames.push(d.slice()) });
      synth.open(1n);
      for (let n = 1; n <= 1440; n++) synth.send(n & 1 ? 'client' : 'server', payload.subarray(1440 - n, 1440), 2n);
      const ipAt = link === 1 ? 14 : 0;
      const v6 = client.includes(':');
      const tcpAt = ipAt + (v6 ? 40 : 20);
      let checked = 0;
      for (const f of frames) {
        const tcpLength = f.length - tcpAt;
        const pseudo = v6 ? sum16(f, ipAt + 8, ipAt + 40) : sum16(f, ipAt + 12, ipAt + 20);
        const copy = f.slice();
        copy[tcpAt + 16] = 0;
        copy[tcpAt + 17] = 0;
        let total = pseudo + 6 + tcpLength + sum16(copy, tcpAt, f.length);
        while (total > 0xffff) total = (total & 0xffff) + (total >>> 16);
        const expected = ~total & 0xffff;
        expect((f[tcpAt + 16]! << 8) | f[tcpAt + 17]!, `${client} link ${link} frame of ${tcpLength} TCP bytes`).toBe(expected);
        checked++;
      }
      expect(checked).toBe(3 + 2 * 1440);
    }
  });

  it('writes a checksum that sums to zero as 0x0000, which tshark accepts (not 0xffff)', () => {
    const make = (payload: Uint8Array): Frame[] => {
      const frames: Frame[] = [];
      const synth = new TcpPacketSynthesizer({
        client: { ip: '10.1.2.3', port: 50000 }, server: { ip: '10.9.8.7', port: 443 },
        sink: (data, timestampNs) => frames.push({ data: data.slice(), timestampNs }),
      });
      synth.open(1_700_000_000_000_000_000n);
      synth.send('client', payload, 1_700_000_000_000_001_000n);
      return frames;
    };
    const tcpChecksumAt = 14 + 20 + 16;
    const payload = new Uint8Array(100).map((_, i) => (i < 98 ? i * 3 : 0));
    const first = make(payload)[3]!.data;
    // Adding the old checksum as one more 16-bit word makes the sum 0xffff: the checksum becomes zero.
    payload[98] = first[tcpChecksumAt]!;
    payload[99] = first[tcpChecksumAt + 1]!;
    const frames = make(payload);
    expect([...frames[3]!.data.subarray(tcpChecksumAt, tcpChecksumAt + 2)]).toEqual([0, 0]);
    const file = join(dir, 'zero-checksum.pcapng');
    writePcapng(file, frames, LinkType.ETHERNET);
    const r = tshark(['-r', file, '-o', 'tcp.check_checksum:TRUE', '-Y', 'tcp.len == 100', '-T', 'fields', '-e', 'tcp.checksum.status', '-e', '_ws.expert.message']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('1');
  });

  it('reads addresses as Node reports them', () => {
    expect([...parseIpAddress('::ffff:127.0.0.1')!]).toEqual([127, 0, 0, 1]);
    expect(parseIpAddress('::1')!.length).toBe(16);
    expect(parseIpAddress('fe80::1%lo')![0]).toBe(0xfe);
    expect(parseIpAddress('1.2.3.256')).toBeNull();
    expect(parseIpAddress('1::2::3')).toBeNull();
    expect(parseIpAddress('example.com')).toBeNull();
  });

  it('refuses endpoints of different IP versions', () => {
    expect(() => new TcpPacketSynthesizer({ client: { ip: '1.2.3.4', port: 1 }, server: { ip: '::1', port: 2 }, sink: () => undefined })).toThrow(RangeError);
  });
});
