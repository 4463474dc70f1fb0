// What a session keeps of its hellos is its own copy, compact: the random and
// session ID survive the input buffer being reused (as a capture reader reuses
// its chunks), lists hold exactly their entries, and identical hellos share
// their (frozen) extension entries. Real bytes: https-connect.pcap frame 8.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../../electron/core/bytes/byte-reader';
import { keepBytes } from '../../../electron/core/bytes/byte-slab';
import { parseClientHello } from '../../../electron/core/tls/client-hello';
import { newParseContext } from '../../../electron/core/tls/parse-context';

interface PdmlField {
  name: string;
  value?: string;
  offset: number;
  length: number;
}

const extract = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/renderer/https-connect.client-hello.fields.json'), 'utf8')) as { raw: string; fields: PdmlField[] };
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The hello's body (after the 4-byte handshake header) in a fresh buffer. */
function helloBuffer(): Uint8Array {
  return Uint8Array.from(Buffer.from(extract.raw, 'hex'));
}

describe('the ClientHello details a session keeps', () => {
  it('keeps random and session ID as tshark shows them, after the input bytes are overwritten', () => {
    const input = helloBuffer();
    const ch = parseClientHello(new ByteReader(input, 4), newParseContext(null));
    input.fill(0);
    const tsharkRandom = extract.fields.find((f) => f.name === 'Random')!.value;
    expect(hex(ch.random)).toBe(tsharkRandom);
    expect(ch.sessionId.length).toBe(Number(extract.fields.find((f) => f.name === 'Session ID Length')!.value));
    expect(ch.cipherSuites.length).toBe(86); // tshark: "Cipher Suites (86 suites)"
  });

  it('gives two parses of the same hello equal lists and the same frozen extension entries', () => {
    const a = parseClientHello(new ByteReader(helloBuffer(), 4), newParseContext(null));
    const b = parseClientHello(new ByteReader(helloBuffer(), 4), newParseContext(null));
    expect(a.extensions.length).toBeGreaterThan(3);
    expect(b.extensions).toEqual(a.extensions);
    for (let i = 0; i < a.extensions.length; i++) {
      expect(b.extensions[i]).toBe(a.extensions[i]);
      expect(Object.isFrozen(a.extensions[i])).toBe(true);
    }
    expect(b.cipherSuites).toEqual(a.cipherSuites);
    expect(b.cipherSuites).not.toBe(a.cipherSuites); // lists are per hello: a consumer may sort its own
    expect(b.random).not.toBe(a.random);
  });
});

describe('keepBytes', () => {
  it('copies, so that later changes to the source do not show, across many slabs', () => {
    const copies: Uint8Array[] = [];
    const source = new Uint8Array(300);
    for (let i = 0; i < 2000; i++) {
      source.fill(i & 0xff);
      const n = i % 301; // 0 .. 300 bytes: slab copies and own buffers
      copies.push(keepBytes(source.subarray(0, n)));
    }
    source.fill(0xee);
    for (let i = 0; i < 2000; i++) {
      const c = copies[i]!;
      expect(c.length).toBe(i % 301);
      expect(c.every((x) => x === (i & 0xff))).toBe(true);
    }
  });
});
