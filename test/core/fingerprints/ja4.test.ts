import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClientHelloInfo } from '../../../electron/core/session/model';
import { ja4, ja4AlpnCode, ja4Parts } from '../../../electron/core/tls/fingerprints';
import { extensionName } from '../../../electron/core/tls/registries';
import { clientHellos, fixtureDir } from './hello-fixtures';

/** Our JA4 of every ClientHello in a capture, as a sorted distinct list. */
function oursFor(capture: string): string[] {
  const set = new Set(clientHellos.filter((c) => c.capture === capture).map((c) => ja4(c.hello, { message: c.message })));
  return [...set].sort();
}

const arkime = JSON.parse(readFileSync(join(fixtureDir, 'arkime-tls-fingerprints.json'), 'utf8')) as Record<string, { ja4: string }[]>;

/** FoxIO's Rust snapshots: "ja4: t13d..." lines, TCP ones only (QUIC hellos are not in the fixture). */
const foxio = readdirSync(join(fixtureDir, 'ja4-snapshots')).map((file) => {
  const text = readFileSync(join(fixtureDir, 'ja4-snapshots', file), 'utf8');
  const capture = `ja4/pcap/${file.replace('ja4__insta@', '').replace(/\.snap$/, '')}`;
  const expected = [...new Set([...text.matchAll(/ ja4: (t\S+)/g)].map((m) => m[1]!))].sort();
  return { capture, expected };
});

describe('ja4 on corpus captures', () => {
  it.each(Object.entries(arkime).map(([capture, rows]) => [capture, rows] as const))('matches Arkime for %s', (capture, rows) => {
    const expected = [...new Set(rows.map((r) => r.ja4).filter((v) => v.startsWith('t')))].sort();
    expect(oursFor(capture)).toEqual(expected);
  });

  it.each(foxio.filter((f) => !f.capture.includes('non-ascii')).map((f) => [f.capture, f.expected] as const))(
    'matches the FoxIO snapshot for %s',
    (capture, expected) => {
      expect(oursFor(capture)).toEqual(expected);
    },
  );

  it('applies the spec\'s hex rule to a non-alphanumeric ALPN (FoxIO\'s older tools printed "99")', () => {
    // The first ALPN protocol there is the two bytes 0xBA 0xAD: hex "baad" -> "bd".
    // The stored FoxIO snapshot predates the rule and shows t13d151699_...
    const snap = foxio.find((f) => f.capture.includes('non-ascii'))!;
    expect(snap.expected).toEqual(['t13d151699_8daaf6152771_e5627efa2ab1']);
    expect(oursFor(snap.capture)).toEqual(['t13d1516bd_8daaf6152771_e5627efa2ab1']);
  });
});

/** A ClientHelloInfo with just what JA4 reads. */
function hello(p: Partial<ClientHelloInfo> & { extensionTypes?: number[] }): ClientHelloInfo {
  const types = p.extensionTypes ?? [];
  return {
    version: 0x0303,
    random: new Uint8Array(32),
    sessionId: new Uint8Array(0),
    cipherSuites: [],
    compressionMethods: [0],
    extensions: types.map((type) => ({ type, name: extensionName(type), offset: 0, length: 0 })),
    sni: null,
    alpn: [],
    supportedVersions: [],
    supportedGroups: [],
    ecPointFormats: [],
    signatureAlgorithms: [],
    keyShares: [],
    pskKeyExchangeModes: [],
    pskIdentities: 0,
    sessionTicketLength: null,
    sslv2: false,
    ...p,
  };
}

/** The example of technical_details/JA4.md (Chrome), with GREASE added the way Chrome sends it. */
const specExample = hello({
  version: 0x0303,
  cipherSuites: [0x2a2a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035],
  extensionTypes: [0x8a8a, 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015, 0xbaba],
  supportedVersions: [0x7a7a, 0x0304, 0x0303],
  alpn: ['h2', 'http/1.1'],
  signatureAlgorithms: [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601],
});

describe('ja4 by the specification', () => {
  it('reproduces the worked example of JA4.md', () => {
    expect(ja4Parts(specExample)).toEqual({
      fingerprint: 't13d1516h2_8daaf6152771_e5627efa2ab1',
      raw:
        't13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_' +
        '0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601',
    });
  });

  it('ends the extension string without "_" when there are no signature algorithms', () => {
    const parts = ja4Parts({ ...specExample, signatureAlgorithms: [] });
    expect(parts.raw.endsWith('4469,ff01')).toBe(true);
    expect(parts.fingerprint.endsWith('_6d807ffa2a79')).toBe(true); // JA4.md's value
  });

  it('uses the legacy version without supported_versions, "i" without SNI and "00" without ALPN', () => {
    const fp = ja4(hello({ version: 0x0301, cipherSuites: [0x002f], extensionTypes: [0x000b] }));
    expect(fp.slice(0, 10)).toBe('t10i010100');
    expect(ja4(hello({ version: 0x0300, cipherSuites: [0x002f] })).slice(0, 4)).toBe('ts3i');
    expect(ja4(hello({ version: 0x0002, cipherSuites: [0x002f] })).slice(0, 4)).toBe('ts2i');
    expect(ja4(hello({ version: 0x7f12, cipherSuites: [0x002f] })).slice(0, 4)).toBe('t00i');
  });

  it('gives 000000000000 for empty cipher and extension lists', () => {
    expect(ja4(hello({}))).toBe('t12i000000_000000000000_000000000000');
    // Only SNI and ALPN: the sorted list is empty once they are removed.
    expect(ja4(hello({ cipherSuites: [0x1301], extensionTypes: [0x0000, 0x0010], alpn: ['h2'] }))).toBe(
      't12d0102h2_' + ja4(hello({ cipherSuites: [0x1301] })).split('_')[1] + '_000000000000',
    );
  });

  it('caps counts at 99 and takes the transport from the options', () => {
    const many = hello({ cipherSuites: Array.from({ length: 120 }, (_, i) => i + 1) });
    expect(ja4(many).slice(0, 10)).toBe('t12i990000');
    expect(ja4(specExample, { transport: 'q' }).startsWith('q13d1516h2')).toBe(true);
    expect(ja4(specExample, { transport: 'd' }).startsWith('d13d1516h2')).toBe(true);
  });

  it('ignores GREASE signature algorithms', () => {
    const withGrease = { ...specExample, signatureAlgorithms: [0x0a0a, ...specExample.signatureAlgorithms] };
    expect(ja4(withGrease)).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
  });
});

describe('ja4AlpnCode', () => {
  const b = (...bytes: number[]) => Uint8Array.from(bytes);
  it('follows the examples of JA4.md', () => {
    expect(ja4AlpnCode(new TextEncoder().encode('h2'))).toBe('h2');
    expect(ja4AlpnCode(new TextEncoder().encode('http/1.1'))).toBe('h1');
    expect(ja4AlpnCode(b(0xab))).toBe('ab');
    expect(ja4AlpnCode(b(0xab, 0xcd))).toBe('ad');
    expect(ja4AlpnCode(b(0x30, 0xab))).toBe('3b');
    expect(ja4AlpnCode(b(0x30, 0x31, 0xab, 0xcd))).toBe('3d');
    expect(ja4AlpnCode(b(0x30, 0xab, 0xcd, 0x31))).toBe('01');
  });

  it('treats one character as both ends and no value as 00', () => {
    expect(ja4AlpnCode(new TextEncoder().encode('x'))).toBe('xx');
    expect(ja4AlpnCode(b())).toBe('00');
    expect(ja4AlpnCode(null)).toBe('00');
  });
});
