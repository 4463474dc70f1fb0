/**
 * JsonTextBytes writes JSON values straight into UTF-8 bytes; the text must be
 * what JSON.stringify writes, whatever the value and wherever a buffer ends.
 */
import { describe, expect, it } from 'vitest';
import { JsonTextBytes } from '../../../electron/core/bytes/json-text-bytes';

const NUMBERS = [0, -0, 1, 9, 10, 99, 100, 65535, 4294967296, Number.MAX_SAFE_INTEGER, 2 ** 53, 1e21, -1, -42, 0.5,
  1764235363.005832, 1764238531.1602, NaN, Infinity, -Infinity, 1e-7,
  // Each digit count of the 31-bit path and either side of where it ends.
  999, 1000, 9999, 10000, 99999, 100000, 999999, 1000000, 9999999, 10000000, 99999999, 100000000, 999999999,
  1000000000, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32 - 1];
const STRINGS = ['', 'shop.example', 'a"b', 'back\\slash', 'tab\there', 'nul\u0000', '\u007f', 'é', 'CN=Ünïcødé, O=例',
  '\ud83d\ude00', 'lone \ud800 surrogate', 'x'.repeat(300)];

describe('JSON text written straight into bytes', () => {
  it('writes numbers as JSON.stringify does', () => {
    for (const n of NUMBERS) {
      const out = new JsonTextBytes();
      out.number(n);
      expect(out.toString(), String(n)).toBe(JSON.stringify(n));
    }
  });

  it('writes strings, lists and null as JSON.stringify does, escapes and non-ASCII included', () => {
    for (const text of STRINGS) {
      const out = new JsonTextBytes();
      out.string(text);
      expect(out.toString()).toBe(JSON.stringify(text));
    }
    const out = new JsonTextBytes();
    out.strings(STRINGS);
    out.stringOrNull(null);
    expect(out.toString()).toBe(`${JSON.stringify(STRINGS)}null`);
  });

  it('never splits a value across buffers, so small buffers give the same bytes', () => {
    const write = (out: JsonTextBytes) => {
      for (let i = 0; i < 200; i++) {
        out.ascii(i ? ',' : '[');
        out.string(STRINGS[i % STRINGS.length]!);
        out.ascii(',');
        out.number(NUMBERS[i % NUMBERS.length]!);
        out.bytes(new TextEncoder().encode(',"é"'));
      }
      out.ascii(']');
    };
    const big = new JsonTextBytes();
    const small = new JsonTextBytes(16);
    write(big);
    write(small);
    expect(small.chunks().length).toBeGreaterThan(10);
    expect(small.toString()).toBe(big.toString());
    expect(small.length).toBe(big.length);
    // Every chunk is whole UTF-8 on its own.
    for (const c of small.chunks()) expect(() => new TextDecoder('utf-8', { fatal: true }).decode(c)).not.toThrow();
    expect(JSON.parse(big.toString())).toHaveLength(600);
  });
});
