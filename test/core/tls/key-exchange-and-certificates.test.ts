import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { decodeCapture } from './support/decode-capture';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/tls/${name}`, import.meta.url));

function tsharkFields(file: string, filter: string, fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-n', '-o', 'tcp.reassemble_out_of_order:TRUE', '-r', file, '-Y', filter, '-T', 'fields',
    '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=|', ...fields.flatMap((f) => ['-e', f])], { maxBuffer: 1 << 28 }).toString();
  return out.split('\n').filter((l) => l).map((l) => l.split('\t'));
}

describe('ServerKeyExchange parameters agree with tshark', () => {
  const files = ['pcapplusplus-SSL-MultipleRecords3.pcap', 'suricata-tls-altname-zero.pcap', 'arkime-openssl-tls1.pcap', 'arkime-openssl-tls1_2.pcap', 'arkime-badcurveball.pcap'];
  for (const name of files) {
    it(name, () => {
      const file = fixture(name);
      const rows = tsharkFields(file, 'tls.handshake.type == 12', ['frame.number', 'tls.handshake.p_len', 'tls.handshake.ys_len',
        'tls.handshake.server_named_curve', 'tls.handshake.server_point_len', 'tls.handshake.sig_len', 'tls.handshake.sig_hash_alg']);
      expect(rows.length).toBeGreaterThan(0);
      const decoded = decodeCapture(file);
      expect(decoded.flatMap((d) => d.warnings)).toEqual([]);
      const skes = decoded.flatMap((d) => d.messages).filter((m) => m.serverKeyExchange);
      expect(skes).toHaveLength(rows.length);
      rows.forEach(([frame, pLen, ysLen, curve, pointLen, sigLen, sigAlg], k) => {
        const ske = skes[k]!;
        expect(ske.message.frame).toBe(Number(frame));
        const info = ske.serverKeyExchange!;
        if (pLen) {
          expect(info.kind).toBe('dhe');
          expect(info.dhPrimeBits).toBeGreaterThan(Number(pLen) * 8 - 8);
          expect(info.dhPrimeBits).toBeLessThanOrEqual(Number(pLen) * 8);
          expect(info.publicKeyLength).toBe(Number(ysLen));
        } else {
          expect(info.kind).toBe('ecdhe');
          expect(info.group).toBe(Number(curve));
          expect(info.publicKeyLength).toBe(Number(pointLen));
        }
        expect(info.signatureLength).toBe(Number(sigLen));
        // In the SKE frame, tshark's only sig_hash_alg is the SKE's (TLS 1.2); none before 1.2.
        const algs = sigAlg ? sigAlg.split('|') : [];
        expect(info.signatureScheme).toBe(algs.length === 1 ? Number(algs[0]) : null);
      });
    });
  }
});

describe('Certificate messages give the DER tshark shows', () => {
  const files = ['arkime-openssl-tls1_2.pcap', 'arkime-ssl-selfsign.pcap', 'arkime-mysql-tls.pcap', 'ndpi-google_ssl.pcap', 'pcapplusplus-SSL-MultipleRecords3.pcap', 'suricata-tls-altname-zero.pcap'];
  for (const name of files) {
    it(name, () => {
      const file = fixture(name);
      const rows = tsharkFields(file, 'tls.handshake.type == 11', ['frame.number', 'tls.handshake.certificate']);
      expect(rows.length).toBeGreaterThan(0);
      const certMessages = decodeCapture(file).flatMap((d) => d.messages).filter((m) => m.message.type === 'certificate');
      const theirs = rows.map(([frame, ders]) => `${frame} ${(ders ?? '').split('|').map((h) => h.replace(/:/g, '')).join(',')}`);
      const ours = certMessages.map((m) => `${m.message.frame} ${m.certificates!.map((c) => Buffer.from(c).toString('hex')).join(',')}`);
      expect(ours).toEqual(theirs);
    });
  }
});
