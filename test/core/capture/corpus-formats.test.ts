/**
 * Every capture format variant of the corpus reads exactly as tshark reads
 * it: same frames, nanosecond timestamps, interfaces, lengths and bytes,
 * whatever the chunk boundaries.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fixture, readInChunks, runTool, tsharkFrames } from './capture-test-helpers';

interface Variant {
  file: string;
  format: 'pcap' | 'pcapng';
  linkTypes: number[];
  packets: number;
}

const VARIANTS: Variant[] = [
  { file: 'pcapplusplus-tls.pcap', format: 'pcap', linkTypes: [1], packets: 44 },
  { file: 'arkime-tls-alpn-h2.pcap', format: 'pcap', linkTypes: [0], packets: 9 },
  { file: 'zeek-ml-dsa-44-cert.pcap', format: 'pcap', linkTypes: [101], packets: 5 },
  { file: 'suricata-linktype-228-flow-test-01.pcap', format: 'pcap', linkTypes: [228], packets: 7 },
  { file: 'ndpi-KakaoTalk_chat.pcap', format: 'pcap', linkTypes: [113], packets: 347 },
  { file: 'zeek-tls-fragmented-handshake.pcap.gz', format: 'pcap', linkTypes: [1], packets: 416 },
  { file: 'pcapplusplus-many_interfaces-1.pcapng', format: 'pcapng', linkTypes: [1, 0], packets: 64 },
  { file: 'pcapplusplus-pcapng-example.pcapng', format: 'pcapng', linkTypes: [1, 113], packets: 159 },
  { file: 'ja4-chrome-cloudflare-quic-with-secrets.pcapng', format: 'pcapng', linkTypes: [1], packets: 83 },
  { file: 'ndpi-pgsql2.pcapng', format: 'pcapng', linkTypes: [0], packets: 19 },
  { file: 'ndpi-steam.pcapng', format: 'pcapng', linkTypes: [1], packets: 48 },
  { file: 'ndpi-tls_heur__trojan-tcp-tls.pcapng', format: 'pcapng', linkTypes: [113], packets: 100 },
];

function bytesOf(file: string): Uint8Array {
  const raw = readFileSync(fixture(file));
  return file.endsWith('.gz') ? gunzipSync(raw) : raw;
}

describe('reading the corpus capture variants', () => {
  for (const v of VARIANTS) {
    it(`${v.file}: frames, timestamps, interfaces and bytes equal tshark's`, () => {
      const { frames: expected, run } = tsharkFrames(fixture(v.file));
      expect(run.stderr).toBe('');
      expect(expected).toHaveLength(v.packets);

      const read = readInChunks(bytesOf(v.file), 1 << 20);
      expect(read.summary).toEqual({ format: v.format, packets: v.packets, linkTypes: v.linkTypes, damaged: null });
      expect(read.frames).toEqual(expected);
    });
  }

  it('gives the same packets whatever the chunk size, including records split across chunks', () => {
    for (const file of ['pcapplusplus-tls.pcap', 'pcapplusplus-pcapng-example.pcapng']) {
      const bytes = bytesOf(file);
      const whole = readInChunks(bytes, bytes.length);
      for (const chunk of [1, 3, 7, 16, 64, 1500, 4096]) {
        const split = readInChunks(bytes, chunk);
        expect(split.frames, `${file} in ${chunk}-byte chunks`).toEqual(whole.frames);
        expect(split.comments).toEqual(whole.comments);
        expect(split.summary).toEqual(whole.summary);
      }
    }
  });
});

describe('pcapng interfaces, comments and secrets', () => {
  it('describes each interface with its link type, snaplen, if_tsresol and name', () => {
    const read = readInChunks(bytesOf('pcapplusplus-pcapng-example.pcapng'), 4096);
    expect(read.interfaces).toEqual([
      { id: 0, linkType: 1, snaplen: 262144, tsresol: 9, tsOffsetSeconds: 0, fcsBytes: null, name: 'lo', description: null, format: 'pcapng' },
      { id: 1, linkType: 113, snaplen: 0, tsresol: 6, tsOffsetSeconds: 0, fcsBytes: null, name: null, description: null, format: 'pcapng' },
    ]);
  });

  it('reports section and packet comments as tshark shows them (up to the first NUL)', () => {
    const file = fixture('pcapplusplus-pcapng-example.pcapng');
    const read = readInChunks(bytesOf('pcapplusplus-pcapng-example.pcapng'), 4096);
    const packetComments = read.comments.filter((c) => c.frame !== null);
    const shown = tsharkComments(file);
    expect(shown).toHaveLength(100);
    expect(packetComments.map((c) => `${c.frame}\t${c.text}`)).toEqual(shown);
    const section = read.comments.filter((c) => c.frame === null);
    expect(section).toHaveLength(1);
    expect(section[0]!.text.startsWith('CLIENT_RANDOM E39B5BF4903C68684E8512FB2F60213E')).toBe(true);
  });

  it('hands over a Decryption Secrets Block as a TLS key log', () => {
    const read = readInChunks(bytesOf('ja4-chrome-cloudflare-quic-with-secrets.pcapng'), 100);
    expect(read.secrets).toHaveLength(1);
    expect(read.secrets[0]!.type).toBe(0x544c534b);
    const text = new TextDecoder().decode(read.secrets[0]!.data);
    // The key log lines editcap --extract-secrets would write.
    expect(text.split('\n').filter((l) => l !== '').every((l) => /^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]+$/.test(l))).toBe(true);
    expect(text).toContain('CLIENT_HANDSHAKE_TRAFFIC_SECRET ');
    expect(read.secrets[0]!.data.length).toBe(1556);
  });
});

/** `frame<TAB>comment` for each commented frame, as tshark shows them. */
function tsharkComments(file: string): string[] {
  const run = runTool('tshark', ['-r', file, '-Y', 'frame.comment', '-T', 'fields', '-e', 'frame.number', '-e', 'frame.comment']);
  return run.stdout.split('\n').filter((l) => l !== '');
}
