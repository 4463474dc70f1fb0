import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../electron/core/bytes/byte-reader';
import { TAG } from '../../../electron/core/x509/der-reader';
import { formatDerTime } from '../../../electron/core/x509/der-time';
import { DerReader, escapeRfc4514, formatIpv6, formatName } from '../../../electron/core/x509';

/** DER TLV with a short-form length. */
const tlv = (tag: number, ...content: number[]) => [tag, content.length, ...content];
const ascii = (s: string) => [...Buffer.from(s, 'utf8')];

/** A Name with one RDN per [oid bytes, string tag, value]. */
function name(...rdns: [number[], number, string][]): DerReader {
  const body = rdns.flatMap(([oid, tag, value]) => tlv(0x31, ...tlv(0x30, ...tlv(0x06, ...oid), ...tlv(tag, ...ascii(value)))));
  return DerReader.of(Uint8Array.from(tlv(0x30, ...body))).next().contents;
}

const CN = [0x55, 0x04, 0x03];
const C = [0x55, 0x04, 0x06];

describe('formatName (RFC 4514)', () => {
  it('puts the most specific RDN first', () => {
    expect(formatName(name([C, TAG.PRINTABLE_STRING, 'CN'], [CN, TAG.UTF8_STRING, 'shop.example']))).toBe('CN=shop.example, C=CN');
  });

  it('writes unknown attribute types dotted with the value as #hex of its DER', () => {
    expect(formatName(name([[0x2a, 0x03, 0x04, 0x05], TAG.UTF8_STRING, 'hi']))).toBe('1.2.3.4.5=#0c026869');
  });

  it('decodes BMPString and T61String values', () => {
    const bmp = DerReader.of(Uint8Array.from(tlv(0x30, ...tlv(0x31, ...tlv(0x30, ...tlv(0x06, ...CN), ...tlv(0x1e, 0x00, 0x41, 0x04, 0x14)))))).next().contents;
    expect(formatName(bmp)).toBe('CN=AД');
    const t61 = DerReader.of(Uint8Array.from(tlv(0x30, ...tlv(0x31, ...tlv(0x30, ...tlv(0x06, ...CN), ...tlv(0x14, 0x4d, 0xfc)))))).next().contents;
    expect(formatName(t61)).toBe('CN=Mü');
  });

  it('escapes what RFC 4514 2.4 requires', () => {
    expect(escapeRfc4514('a,b+c"d\\e<f>g;h')).toBe('a\\,b\\+c\\"d\\\\e\\<f\\>g\\;h');
    expect(escapeRfc4514('#x')).toBe('\\#x');
    expect(escapeRfc4514('x#')).toBe('x#');
    expect(escapeRfc4514(' x ')).toBe('\\ x\\ ');
    expect(escapeRfc4514('a\u0000b\nc')).toBe('a\\00b\\0Ac');
  });
});

describe('formatDerTime', () => {
  const t = (s: string) => Uint8Array.from(ascii(s));
  it('reads UTCTime with the RFC 5280 century rule', () => {
    expect(formatDerTime(TAG.UTC_TIME, t('261127093652Z'))).toBe('2026-11-27T09:36:52Z');
    expect(formatDerTime(TAG.UTC_TIME, t('500101000000Z'))).toBe('1950-01-01T00:00:00Z');
    expect(formatDerTime(TAG.UTC_TIME, t('4912312359Z'))).toBe('2049-12-31T23:59:00Z');
  });

  it('reads GeneralizedTime, dropping fractions', () => {
    expect(formatDerTime(TAG.GENERALIZED_TIME, t('20810830101922Z'))).toBe('2081-08-30T10:19:22Z');
    expect(formatDerTime(TAG.GENERALIZED_TIME, t('20250101000000.123Z'))).toBe('2025-01-01T00:00:00Z');
  });

  it('converts a zone offset to UTC', () => {
    expect(formatDerTime(TAG.UTC_TIME, t('250115120000+0530'))).toBe('2025-01-15T06:30:00Z');
    expect(formatDerTime(TAG.GENERALIZED_TIME, t('20251231230000-0200'))).toBe('2026-01-01T01:00:00Z');
  });

  it('refuses what is not a time', () => {
    expect(() => formatDerTime(TAG.UTC_TIME, t('20250101000000Z'))).toThrow(ParseError);
    expect(() => formatDerTime(TAG.UTC_TIME, t('251399000000Z'))).toThrow(ParseError);
    expect(() => formatDerTime(TAG.OCTET_STRING, t('250101000000Z'))).toThrow(ParseError);
  });
});

describe('formatIpv6 (RFC 5952)', () => {
  const ip = (...g: number[]) => Uint8Array.from(g.flatMap((x) => [x >> 8, x & 0xff]));
  it('compresses the longest zero run and lowercases', () => {
    expect(formatIpv6(ip(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 0)).toBe('2001:db8::1');
    expect(formatIpv6(ip(0, 0, 0, 0, 0, 0, 0, 1), 0)).toBe('::1');
    expect(formatIpv6(ip(0, 0, 0, 0, 0, 0, 0, 0), 0)).toBe('::');
    expect(formatIpv6(ip(0x2001, 0xdb8, 0, 1, 0, 0, 0, 1), 0)).toBe('2001:db8:0:1::1');
    expect(formatIpv6(ip(0x2001, 0, 0, 1, 0, 0, 1, 0xabcd), 0)).toBe('2001::1:0:0:1:abcd');
    expect(formatIpv6(ip(0xfe80, 0, 0, 0, 0, 0, 0, 0), 0)).toBe('fe80::');
  });
});
