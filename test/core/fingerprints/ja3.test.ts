import { describe, expect, it } from 'vitest';
import type { ClientHelloInfo } from '../../../electron/core/session/model';
import { ja3, ja3s } from '../../../electron/core/tls/fingerprints';
import { clientHellos, serverHellos } from './hello-fixtures';

describe('ja3 (as Wireshark 4.0 computes tls.handshake.ja3)', () => {
  it('has real hellos to check', () => {
    expect(clientHellos.length).toBe(122);
    expect(serverHellos.length).toBeGreaterThanOrEqual(55);
  });

  it.each(clientHellos.map((c) => [`${c.capture} frame ${c.frame}`, c] as const))('matches tshark for %s', (_, c) => {
    const fp = ja3(c.hello);
    expect(fp).toEqual({ text: c.tsharkJa3Full, hash: c.tsharkJa3 });
  });

  it('leaves GREASE out of ciphers, extensions and groups', () => {
    const grease = clientHellos.find((c) => c.hello.cipherSuites.some((v) => (v & 0x0f0f) === 0x0a0a));
    expect(grease).toBeDefined();
    const text = ja3(grease!.hello)!.text;
    for (const v of ['2570', '6682', '10794', '14906', '19018', '23130', '27242', '31354', '35466', '39578', '43690', '47802', '51914', '56026', '60138', '64250']) {
      expect(text.split(/[,-]/)).not.toContain(v);
    }
  });

  it('gives none for an SSLv2-format ClientHello, like Wireshark', () => {
    const sslv2: ClientHelloInfo = { ...clientHellos[0]!.hello, sslv2: true };
    expect(ja3(sslv2)).toBeNull();
  });
});

describe('ja3s (as Wireshark 4.0 computes tls.handshake.ja3s)', () => {
  it.each(serverHellos.map((c) => [`${c.capture} frame ${c.frame}`, c] as const))('matches tshark for %s', (_, c) => {
    expect(ja3s(c.hello)).toEqual({ text: c.tsharkJa3sFull, hash: c.tsharkJa3s });
  });

  it('gives the same from its memo, whatever came before (every hello again, in reverse, then one changed)', () => {
    for (const c of serverHellos) ja3s(c.hello);
    for (const c of [...serverHellos].reverse()) expect(ja3s(c.hello)).toEqual({ text: c.tsharkJa3sFull, hash: c.tsharkJa3s });
    // Same extensions, another suite; same suite, one extension fewer: neither is the remembered one.
    const h = serverHellos[0]!.hello;
    const otherSuite = { ...h, cipherSuite: h.cipherSuite ^ 1 };
    expect(ja3s(otherSuite).text).toBe(`${h.version},${h.cipherSuite ^ 1},${serverHellos[0]!.tsharkJa3sFull.split(',')[2]}`);
    const fewer = { ...h, extensions: h.extensions.slice(1) };
    expect(ja3s(fewer).text.split(',')[2]).not.toBe(serverHellos[0]!.tsharkJa3sFull.split(',')[2]);
    expect(ja3s(h)).toEqual({ text: serverHellos[0]!.tsharkJa3sFull, hash: serverHellos[0]!.tsharkJa3s });
  });
});
