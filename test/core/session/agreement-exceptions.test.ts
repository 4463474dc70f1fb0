/**
 * Where tlswb and tshark 4.0 disagree on a corpus capture and tlswb is right
 * (docs/agreement-exceptions.md). Each case shows the disagreement (tshark's
 * view as the oracle takes it) and what the bytes really say.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeWithCli, repoRoot, tsharkOracle, type ContractSession } from '../../support/oracle';

const dir = join(repoRoot, 'test', 'fixtures', 'corpus', 'exceptions');
const fixture = (name: string): string => join(dir, name);

/** tshark -T fields, one row per displayed frame, fields split on tabs. */
function tsharkFields(file: string, filter: string, fields: string[], outOfOrder = true): string[][] {
  const args = ['-n', '-r', file, '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
  if (outOfOrder) args.unshift('-o', 'tcp.reassemble_out_of_order:TRUE');
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  return r.stdout.trim().split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

function session(file: string, clientPort: number): ContractSession {
  const s = analyzeWithCli(file).sessions.find((x) => x.client.port === clientPort);
  if (!s) throw new Error(`no session from port ${clientPort} in ${file}`);
  return s;
}

const events = (s: ContractSession): string[] => s.messages.filter((m) => m.type !== 'application_data').map((m) => `${m.type} ${m.from} ${m.frame}`);

describe('TCP: the SYN-ACK a stream really follows', () => {
  it('TFO with a second SYN-ACK: the server data follows the later ISN, which tshark (out-of-order mode) ignores', () => {
    const file = fixture('tcp-fastopen-10-input.pcap');
    const raw = new Map(tsharkFields(file, 'frame.number <= 25', ['frame.number', 'tcp.seq_raw']).map(([f, s]) => [Number(f), Number(s)]));
    expect(raw.get(25)).toBe(raw.get(14)! + 1); // frame 25's data starts right after the SYN-ACK of frame 14
    expect(raw.get(25)).not.toBe(raw.get(2)! + 1);
    // tshark, reassembling out of order from frame 2's ISN, waits for 1.18 GB that never come...
    const oracle = tsharkOracle(file)[0]!;
    expect(oracle.events.map((e) => e[0])).not.toContain('server_hello');
    // ...while tshark dissecting segment by segment sees the ServerHello in frame 25, as we do.
    expect(tsharkFields(file, 'tls.handshake.type == 2', ['frame.number'], false).map((r) => r[0])).toEqual(['25']);
    expect(events(session(file, 51615))).toContain('server_hello server 25');
  });

  it('a second SYN-ACK with another ISN (port reuse): the server data follows the first one', () => {
    const file = fixture('KakaoTalk_chat.pcap');
    const raw = new Map(tsharkFields(file, 'tcp.port == 35503', ['frame.number', 'tcp.seq_raw']).map(([f, s]) => [Number(f), Number(s)]));
    expect(raw.get(91)).toBe(raw.get(42)! + 1);
    expect(raw.get(91)).not.toBe(raw.get(46)! + 1);
    const tshark = tsharkOracle(file).find((s) => s.client?.port === 35503)!;
    expect(tshark.events.map((e) => e[0])).not.toContain('server_hello');
    const s = session(file, 35503);
    expect(events(s).slice(0, 2)).toEqual(['client_hello client 44', 'server_hello server 91']);
    expect(s.certificates.length).toBe(2);
  });
});

describe('capture loss: decoding goes on after a gap', () => {
  it('after a lost client segment tshark (out-of-order mode) waits forever; segment by segment it shows what we show', () => {
    const file = fixture('tls_missing_ch_frag.pcap');
    const oracle = tsharkOracle(file)[0]!;
    expect(oracle.events.filter((e) => e[1] === 'client')).toEqual([]);
    const plain = tsharkFields(file, 'tls.record.version && tcp.srcport == 33063', ['frame.number'], false);
    expect(plain).toEqual([['9'], ['11'], ['12']]);
    const s = session(file, 33063);
    expect(s.messages.filter((m) => m.from === 'client').map((m) => `${m.type} ${m.frame}`))
      .toEqual(['change_cipher_spec 9', 'application_data 9', 'application_data 11', 'application_data 12']);
    expect(s.warnings[0]).toMatch(/481 bytes missing from the client stream before frame 9/);
  });

  it('a CONNECT whose answer the capture lost: the TLS in the tunnel is still decoded', () => {
    const file = fixture('bug-2512-sample.pcap');
    const oracle = tsharkOracle(file)[0]!;
    expect(oracle.events).toEqual([['connect_request', 'client', 4]]);
    const s = session(file, 62227);
    expect(s.proxy?.target).toBe('secure-assets.rubiconproject.com:443');
    expect(s.sni).toBe('secure-assets.rubiconproject.com');
    expect(events(s).slice(0, 3)).toEqual(['connect_request client 4', 'client_hello client 6', 'server_hello server 8']);
    expect(s.certificates[0]!.subject).toContain('rubiconproject.com');
  });
});

describe('malformed hellos', () => {
  it('a zero-length supported_versions: tshark reads the next extension type (44) as the version', () => {
    const file = fixture('arkime_synthetic.pcap');
    expect(tsharkOracle(file).find((s) => s.client?.port === 49621)!.version).toBe(44);
    // tshark's own expert info says it read past the extension.
    const expert = spawnSync('tshark', ['-n', '-r', file, '-Y', 'frame.number == 904', '-V'], { encoding: 'utf8' }).stdout;
    expect(expert).toMatch(/Supported Version: Unknown \(0x002c\)\s+Dissector processed too much data/);
    expect(session(file, 49621).version).toBe(0x0303);
  });

  it('an extensions length past the ClientHello: tshark hashes a 3-field string that is no JA3; we give none', () => {
    for (const [name, port] of [['tls_cipher_lens.pcap', 51591], ['tls_invalid_reads.pcap', 3967]] as const) {
      const file = fixture(name);
      const full = tsharkFields(file, `tls.handshake.type == 1 && tcp.srcport == ${port}`, ['tls.handshake.ja3_full'])[0]![0]!;
      expect(full.split(',')).toHaveLength(3); // JA3 is SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats
      const s = session(file, port);
      expect(s.ja3Hash).toBeNull();
      expect(s.warnings.some((w) => /client_hello \(frame \d+\) malformed: extensions length/.test(w))).toBe(true);
    }
  });

  it('a TLS 1.3 draft ServerHello with 0x0304 in legacy_version has no session id: its suite is one the client offered', () => {
    const file = fixture('tls13_draft14.pcap');
    const offered = tsharkFields(file, 'tls.handshake.type == 1', ['tls.handshake.ciphersuite'])[0]![0]!.split(',').map(Number);
    const tsharkSuite = tsharkOracle(file)[0]!.cipherSuite!;
    expect(tsharkSuite).toBe(0xacad);
    expect(offered).not.toContain(tsharkSuite); // read from the middle of a key_share: not a suite anyone offered
    const s = session(file, 54049);
    expect(s.version).toBe(0x0304);
    expect(s.cipherSuite).toBe(0xc02b);
    expect(offered).toContain(s.cipherSuite);
    expect(s.warnings).toEqual([]);
  });
});

describe('handshake messages tshark splits or swallows', () => {
  it('a 339,629-byte Certificate over 21 records: one message, not 21 "encrypted" ones before any CCS', () => {
    const file = fixture('tls-fragmented-handshake.pcap.gz');
    const oracle = tsharkOracle(file)[0]!;
    expect(oracle.events.filter((e) => e[0] === 'encrypted_handshake')).toHaveLength(21);
    expect(oracle.events.map((e) => e[0])).not.toContain('change_cipher_spec');
    // The first of those records (it starts in frame 6, after the ServerHello) opens a
    // Certificate whose 24-bit length spans them all.
    const frame6 = tsharkFields(file, 'frame.number == 6', ['tcp.payload'])[0]![0]!.replace(/:/g, '');
    const header = `1603034000 0b${(339629).toString(16).padStart(6, '0')}`.replace(' ', ''); // handshake, TLS 1.2, 16384 bytes
    expect(frame6).toContain(header);
    const s = session(file, 61454);
    expect(events(s)).toEqual(['client_hello client 4', 'server_hello server 6', 'certificate server 410',
      'server_key_exchange server 411', 'server_hello_done server 411']);
    expect(s.messages.find((m) => m.type === 'certificate')!.length).toBe(339629);
    expect(s.certificates.map((c) => c.subject)).toEqual(['CN=Bro']);
  });

  it('a Certificate shorter than its record: the next record, 0e000000, is a ServerHelloDone, not part of the garbage', () => {
    const file = fixture('tls1.2-protocol-violation.pcap');
    expect(tsharkOracle(file)[0]!.events).toContainEqual(['encrypted_handshake', 'server', 8]);
    const payload = tsharkFields(file, 'frame.number == 8', ['tcp.payload'])[0]![0]!.replace(/:/g, '');
    expect(payload.endsWith('16030300040e000000')).toBe(true);
    expect(events(session(file, 56637))).toContain('server_hello_done server 8');
  });

  it('a corrupt ChangeCipherSpec header (version ffff, length 65281): the records after it are still read', () => {
    const file = fixture('tls1.2-late-protocol-error.pcap');
    const oracle = tsharkOracle(file)[0]!;
    expect(oracle.appData.client).toBe(0);
    const client = tsharkFields(file, 'tcp.srcport == 56637 && tcp.len > 0', ['frame.number', 'tcp.payload']);
    const byFrame = new Map(client.map(([f, p]) => [Number(f), p!.replace(/:/g, '')]));
    expect(byFrame.get(10)).toContain('14ffffff01');
    for (const f of [13, 15]) expect(byFrame.get(f)!.startsWith('170303')).toBe(true);
    expect(byFrame.get(20)!.startsWith('150303')).toBe(true);
    const s = session(file, 56637);
    expect(s.messages.filter((m) => m.from === 'client' && m.frame >= 13).map((m) => `${m.type} ${m.frame}`))
      .toEqual(['application_data 13', 'application_data 15', 'alert 20']);
  });
});

describe('certificates', () => {
  it('a 9-byte certificate whose DER is cut: its hash is of the 9 bytes, not of the 7 tshark shows', () => {
    const file = join(repoRoot, 'test', 'fixtures', 'corpus', 'tls_DER-incomplete-header.pcap');
    const [der, length] = tsharkFields(file, 'tls.handshake.type == 11', ['tls.handshake.certificate', 'tls.handshake.certificate_length'])[0]!;
    expect(Number(length)).toBe(9);
    expect(der!.replace(/:/g, '').length / 2).toBe(7);
    const payload = tsharkFields(file, 'tls.handshake.type == 11', ['tcp.payload'])[0]![0]!.replace(/:/g, '');
    const at = payload.indexOf(`000009${der!.replace(/:/g, '')}`);
    expect(at).toBeGreaterThanOrEqual(0);
    const nine = Buffer.from(payload.slice(at + 6, at + 6 + 18), 'hex');
    const doc = analyzeWithCli(file);
    expect(doc.sessions[0]!.certificates.map((c) => c.sha256)).toEqual([createHash('sha256').update(nine).digest('hex')]);
  });
});
