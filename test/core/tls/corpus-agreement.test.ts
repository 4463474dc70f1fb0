import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { alertDescriptionName } from '../../../electron/core/tls/registries';
import { decodeCapture } from './support/decode-capture';
import { tsharkHellos, tsharkMessages } from './support/tshark-tls-view';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/tls/${name}`, import.meta.url));

/**
 * Real captures: every message (type, sender, completing frame, alert contents)
 * and every hello field as tshark 4.0 shows them.
 */
const captures: [string, string][] = [
  ['arkime-openssl-tls1.pcap', 'TLS 1.0'],
  ['arkime-openssl-tls1_1.pcap', 'TLS 1.1'],
  ['arkime-openssl-tls1_2.pcap', 'TLS 1.2'],
  ['arkime-ssl-selfsign.pcap', 'SSL 3.0 with a client certificate'],
  ['arkime-tls13.pcap', 'TLS 1.3 draft 18'],
  ['arkime-mysql-tls.pcap', 'TLS inside MySQL, CertificateRequest'],
  ['arkime-badcurveball.pcap', 'a fatal alert'],
  ['ndpi-google_ssl.pcap', 'an SSLv2 ClientHello, retransmissions'],
  ['ndpi-firefox.pcap', 'TLS 1.3 with PSK'],
  ['suricata-bug-5758-hrr.pcap', 'TLS 1.3 HelloRetryRequest'],
  ['zeek-heartbleed.pcap', 'heartbeat records'],
  ['zeek-tls-1.2-handshake-failure.pcap', 'a handshake_failure alert'],
];

function side(src: string, client: string): string {
  return src === client ? 'client' : 'server';
}

describe('agreement with tshark on real captures', () => {
  for (const [name, what] of captures) {
    it(`${name}: ${what}`, () => {
      const file = fixture(name);
      const expected = tsharkMessages(file);
      expect(expected.length).toBeGreaterThan(0);
      const decoded = decodeCapture(file);
      const streams = new Set(expected.map((m) => m.stream));
      for (const stream of streams) {
        const ours = decoded.find((d) => d.stream === stream)!;
        const theirs = expected.filter((m) => m.stream === stream).map((m) => {
          const alert = m.level ? ` ${m.level}/${alertDescriptionName(Number(m.description)) ?? `unknown_${m.description}`}` : '';
          return `${m.frame} ${side(m.src, ours.client)} ${m.type}${alert}`;
        });
        const mine = ours.messages.map(({ message: m }) => {
          const alert = m.level ? ` ${m.level}/${m.description}` : '';
          return `${m.frame} ${m.from} ${m.type}${alert}`;
        });
        expect(mine, `stream ${stream}`).toEqual(theirs);
      }

      // Hello fields, for every frame holding exactly one hello.
      const hellos = tsharkHellos(file);
      expect(hellos.length).toBeGreaterThan(0);
      const all = decoded.flatMap((d) => d.messages);
      for (const h of hellos) {
        const m = all.find((d) => d.message.frame === h.frame && (h.type === 1 ? d.clientHello : d.serverHello));
        expect(m, `hello in frame ${h.frame}`).toBeDefined();
        if (h.type === 1) {
          const ch = m!.clientHello!;
          expect(ch.version, `frame ${h.frame}`).toBe(h.version);
          expect(ch.cipherSuites).toEqual(ch.sslv2 ? h.cipherSpecs : h.cipherSuites);
          expect(ch.extensions.map((e) => e.type)).toEqual(h.extensionTypes);
          expect(ch.sni).toBe(h.sni);
          expect(ch.alpn).toEqual(h.alpn);
          expect(ch.supportedVersions).toEqual(h.supportedVersions);
          if (!ch.sslv2) expect(Buffer.from(ch.random).toString('hex')).toBe(h.random);
        } else {
          const sh = m!.serverHello!;
          expect(sh.version, `frame ${h.frame}`).toBe(h.version);
          expect(sh.cipherSuite).toBe(h.cipherSuites[0]);
          expect(sh.extensions.map((e) => e.type)).toEqual(h.extensionTypes);
          expect(sh.alpn === null ? [] : [sh.alpn]).toEqual(h.alpn);
          expect(sh.selectedVersion === null ? [] : [sh.selectedVersion]).toEqual(h.supportedVersions);
          expect(Buffer.from(sh.random).toString('hex')).toBe(h.random);
        }
      }
    });
  }
});
