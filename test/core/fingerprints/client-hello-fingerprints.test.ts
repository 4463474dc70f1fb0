/**
 * The session's JA3/JA4 come from `clientHelloFingerprints`, which remembers
 * them by the hello's shape: it must give exactly what ja3()/ja4() give, for
 * a hello seen for the first time and for one whose shape it remembers, and
 * never a remembered value for a hello that differs in anything they read.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../../electron/services/analyze-file';
import { clientHelloFingerprints, ja3, ja4 } from '../../../electron/core/tls/fingerprints';
import type { ClientHelloInfo } from '../../../electron/core/session/model';

const corpus = (name: string) => join(import.meta.dirname, '../../fixtures/corpus', name);

async function hellos(name: string): Promise<{ ch: ClientHelloInfo; raw: Uint8Array }[]> {
  const { sessions } = await analyzeFile(corpus(name));
  return sessions.flatMap((s) => {
    const m = s.messages.find((x) => x.type === 'client_hello' && x.from === 'client');
    return s.clientHello && m ? [{ ch: s.clientHello, raw: m.raw }] : [];
  });
}

describe('ClientHello fingerprints remembered by shape', () => {
  it('are what ja3() and ja4() compute, first time and remembered', async () => {
    const all = [
      ...(await hellos('firefox.pcap')),
      ...(await hellos('ja3_lots_of_cipher_suites.pcap')),
      ...(await hellos('client-certificate.pcap')),
      ...(await hellos('psiphon3.pcap')),
      ...(await hellos('SSL-MultipleRecords1.pcap')),
      ...(await hellos('mysql-tls.pcap')),
      ...(await hellos('ldap-starttls.pcap')),
    ];
    expect(all.length).toBeGreaterThan(8);
    for (let pass = 0; pass < 2; pass++) {
      for (const { ch, raw } of all) {
        const f = clientHelloFingerprints(ch, raw);
        expect(f.ja3).toEqual(ja3(ch));
        expect(f.ja4).toBe(ja4(ch, { message: raw }));
      }
    }
  });

  it('does not reuse a remembered fingerprint for a hello that differs in what they read', async () => {
    const [{ ch, raw }] = await hellos('firefox.pcap');
    const first = clientHelloFingerprints(ch, raw);
    const reordered: ClientHelloInfo = { ...ch, cipherSuites: [...ch.cipherSuites].reverse() };
    const other = clientHelloFingerprints(reordered, raw);
    expect(other.ja3).toEqual(ja3(reordered));
    expect(other.ja3!.hash).not.toBe(first.ja3!.hash);
    // JA4 sorts the suites: the same JA4, a different JA3.
    expect(other.ja4).toBe(first.ja4);
    const fewerGroups: ClientHelloInfo = { ...ch, supportedGroups: ch.supportedGroups.slice(1) };
    expect(clientHelloFingerprints(fewerGroups, raw).ja3).toEqual(ja3(fewerGroups));
    const otherVersion: ClientHelloInfo = { ...ch, version: 0x0301 };
    expect(clientHelloFingerprints(otherVersion, raw).ja3).toEqual(ja3(otherVersion));
  });
});
