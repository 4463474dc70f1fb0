import { describe, expect, it } from 'vitest';
import { formatIpv4, formatIpv6, IpAddressTextCache, ipv6Hash } from '../../../electron/core/net/ip-address-text';

function v6(groups: number[]): Uint8Array {
  const b = new Uint8Array(16);
  groups.forEach((g, i) => {
    b[2 * i] = g >> 8;
    b[2 * i + 1] = g & 0xff;
  });
  return b;
}

describe('IP address text', () => {
  it('prints IPv4 as a dotted quad', () => {
    expect(formatIpv4(0xc0a80001)).toBe('192.168.0.1');
    expect(formatIpv4(0xffffffff)).toBe('255.255.255.255');
  });

  it.each([
    [[0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], '2001:db8::1'],
    [[0, 0, 0, 0, 0, 0, 0, 0], '::'],
    [[0, 0, 0, 0, 0, 0, 0, 1], '::1'],
    [[0xfe80, 0, 0, 0, 0, 0, 0, 0], 'fe80::'],
    [[0x2001, 0xdb8, 0, 1, 1, 1, 1, 1], '2001:db8:0:1:1:1:1:1'], // a single zero group stays
    [[1, 0, 0, 2, 0, 0, 0, 3], '1:0:0:2::3'], // the longest run
    [[1, 0, 0, 2, 0, 0, 3, 4], '1::2:0:0:3:4'], // the first of equal runs
    [[0x2001, 0xDB8, 0xABCD, 0, 0, 0, 0, 0xEF], '2001:db8:abcd::ef'], // lowercase
    [[0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304], '::ffff:1.2.3.4'],
  ])('prints %j as %s (RFC 5952)', (groups, text) => {
    expect(formatIpv6(v6(groups), 0)).toBe(text);
  });

  it('caches by value, so equal addresses give the same text whatever buffer they come from', () => {
    const cache = new IpAddressTextCache();
    const a = v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    const inPacket = new Uint8Array(40);
    inPacket.set(a, 8);
    expect(cache.ipv6(inPacket, 8, ipv6Hash(inPacket, 8))).toBe('2001:db8::1');
    inPacket[23] = 2; // the same buffer, reused for another address
    expect(cache.ipv6(inPacket, 8, ipv6Hash(inPacket, 8))).toBe('2001:db8::2');
    expect(ipv6Hash(a, 0)).toBe(ipv6Hash(v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]), 0));
    expect(ipv6Hash(a, 0)).not.toBe(ipv6Hash(inPacket, 8));
    expect(cache.ipv4(0x0a000001)).toBe('10.0.0.1');
  });

  it('gives each IPv4 address its own text however many share a cache slot', () => {
    const cache = new IpAddressTextCache();
    // 20,000 addresses over a 4096-slot cache, twice: slots are shared and overwritten.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 20_000; i++) {
        const addr = (0x7f000000 + i * 7919) >>> 0;
        expect(cache.ipv4(addr)).toBe(formatIpv4(addr));
      }
    }
    expect(cache.ipv4(0xffffffff)).toBe('255.255.255.255');
    expect(cache.ipv4(0)).toBe('0.0.0.0');
  });
});
