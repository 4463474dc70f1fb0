import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../electron/core/bytes/byte-writer';
import {
  HRR_RANDOM, ascii, clientHelloBody, concat, extension, handshake, record, serverHelloBody, u16, u16s, vec16, vec24, vec8,
} from './support/tls-builder';
import { feed, recordingDecoder } from './support/decode-helper';

const GREASE = 0x3a3a;
const fullExtensions = [
  extension(GREASE, new Uint8Array(0)),
  extension(0, vec16(concat(new Uint8Array([0]), vec16(ascii('shop.example'))))),
  extension(23, new Uint8Array(0)),
  extension(65281, vec8(new Uint8Array(0))),
  extension(10, vec16(u16s([GREASE, 29, 23, 24]))),
  extension(11, vec8(new Uint8Array([0]))),
  extension(35, new Uint8Array(0)),
  extension(16, vec16(concat(vec8(ascii('h2')), vec8(ascii('http/1.1'))))),
  extension(5, concat(new Uint8Array([1]), u16(0), u16(0))),
  extension(13, vec16(u16s([0x0403, 0x0804, 0x0401]))),
  extension(50, vec16(u16s([0x0403]))),
  extension(18, new Uint8Array(0)),
  extension(51, vec16(concat(u16(GREASE), vec16(new Uint8Array(1)), u16(29), vec16(new Uint8Array(32))))),
  extension(45, vec8(new Uint8Array([1]))),
  extension(43, vec8(u16s([GREASE, 0x0304, 0x0303]))),
  extension(27, vec8(u16s([2]))),
  extension(28, u16(16385)),
  extension(42, new Uint8Array(0)),
  extension(44, vec16(new Uint8Array(8))),
  extension(0xfe0d, new Uint8Array(40)),
  extension(21, new Uint8Array(20)),
  extension(41, concat(
    vec16(concat(vec16(new Uint8Array(16)), new Uint8Array([0, 0, 0, 1]), vec16(new Uint8Array(8)), new Uint8Array(4))),
    vec16(concat(vec8(new Uint8Array(32)), vec8(new Uint8Array(48)))),
  )),
];
const fullClientHello = handshake(1, clientHelloBody({ sessionId: new Uint8Array(32).fill(5), suites: [GREASE, 0x1301, 0x1302, 0xc02f], extensions: fullExtensions }));

describe('ClientHello', () => {
  it('decodes every field and extension', () => {
    const d = recordingDecoder();
    feed(d, 'client', record(22, fullClientHello, 0x0301));
    expect(d.warnings).toEqual([]);
    const ch = d.messages[0]!.clientHello!;
    expect(ch).toMatchObject({
      version: 0x0303,
      cipherSuites: [GREASE, 0x1301, 0x1302, 0xc02f],
      compressionMethods: [0],
      sni: 'shop.example',
      alpn: ['h2', 'http/1.1'],
      supportedVersions: [GREASE, 0x0304, 0x0303],
      supportedGroups: [GREASE, 29, 23, 24],
      ecPointFormats: [0],
      signatureAlgorithms: [0x0403, 0x0804, 0x0401],
      keyShares: [
        { group: GREASE, groupName: 'grease', keyExchangeLength: 1 },
        { group: 29, groupName: 'x25519', keyExchangeLength: 32 },
      ],
      pskKeyExchangeModes: [1],
      pskIdentities: 2,
      sessionTicketLength: null,
      sslv2: false,
    });
    expect(ch.sessionId).toEqual(new Uint8Array(32).fill(5));
    expect(ch.extensions.map((e) => e.type)).toEqual([GREASE, 0, 23, 65281, 10, 11, 35, 16, 5, 13, 50, 18, 51, 45, 43, 27, 28, 42, 44, 0xfe0d, 21, 41]);
    expect(ch.extensions[0]!.name).toBe('grease');
    expect(ch.extensions[1]).toMatchObject({ name: 'server_name', length: 17 });
    // Offsets point at the extension's type field inside raw.
    for (const e of ch.extensions) {
      const raw = d.messages[0]!.message.raw;
      expect((raw[e.offset]! << 8) | raw[e.offset + 1]!).toBe(e.type);
      expect((raw[e.offset + 2]! << 8) | raw[e.offset + 3]!).toBe(e.length);
    }
  });

  it('accepts zero-length vectors and a ClientHello without extensions (TLS 1.0)', () => {
    const d = recordingDecoder();
    const body = concat(u16(0x0301), new Uint8Array(32), vec8(new Uint8Array(0)), vec16(new Uint8Array(0)), vec8(new Uint8Array(0)));
    feed(d, 'client', record(22, concat(handshake(1, body), handshake(1, concat(body, vec16(new Uint8Array(0)))))));
    expect(d.warnings).toEqual([]);
    expect(d.messages.map((m) => m.clientHello?.cipherSuites)).toEqual([[], []]);
    expect(d.messages[1]!.clientHello!.extensions).toEqual([]);
  });

  it('survives truncation at every byte: a warning, the message with its raw bytes, decoding goes on', () => {
    const body = fullClientHello.subarray(4);
    for (let cut = 0; cut < body.length; cut++) {
      const d = recordingDecoder();
      const truncated = handshake(1, body.subarray(0, cut));
      feed(d, 'client', record(22, concat(truncated, handshake(14, new Uint8Array(0)))));
      expect(d.messages.map((m) => m.message.type)).toEqual(['client_hello', 'server_hello_done']);
      expect(d.messages[0]!.message.raw).toEqual(truncated);
      // Without extensions the hello may be complete (the extension block is optional before TLS 1.3).
      if (d.messages[0]!.clientHello === undefined) expect(d.warnings.length).toBeGreaterThan(0);
      expect(d.warnings.every((w) => /^client: client_hello \(frame 1\)/.test(w))).toBe(true);
    }
  });

  it('names a malformed extension and keeps the rest of the hello', () => {
    const lyingSni = extension(0, concat(u16(40), new Uint8Array([0]), vec16(ascii('a.example')))); // list length past the extension
    const d = recordingDecoder();
    feed(d, 'client', record(22, handshake(1, clientHelloBody({ extensions: [lyingSni, extension(16, vec16(vec8(ascii('h2'))))] }))));
    const ch = d.messages[0]!.clientHello!;
    expect(ch.sni).toBeNull();
    expect(ch.alpn).toEqual(['h2']);
    expect(d.warnings).toHaveLength(1);
    expect(d.warnings[0]).toMatch(/client_hello.*server_name/);
  });

  it('keeps every value of a repeated extension, in order, and the whole values of an odd-length list', () => {
    // A hostile hello: each list-carrying extension twice; one groups list with a stray last byte.
    const oddGroups = extension(10, concat(u16(5), u16s([29, 23]), new Uint8Array([0])));
    const d = recordingDecoder();
    feed(d, 'client', record(22, handshake(1, clientHelloBody({
      extensions: [
        extension(10, vec16(u16s([24]))), oddGroups,
        extension(11, vec8(new Uint8Array([0]))), extension(11, vec8(new Uint8Array([1, 2]))),
        extension(13, vec16(u16s([0x0403]))), extension(13, vec16(u16s([0x0804, 0x0401]))),
        extension(43, vec8(u16s([0x0304]))), extension(43, vec8(u16s([0x0303]))),
        extension(45, vec8(new Uint8Array([1]))), extension(45, vec8(new Uint8Array([0]))),
        extension(16, vec16(vec8(ascii('h2')))), extension(16, vec16(vec8(ascii('http/1.1')))),
        extension(51, vec16(concat(u16(29), vec16(new Uint8Array(32))))), extension(51, vec16(concat(u16(23), vec16(new Uint8Array(65))))),
      ],
    }))));
    const ch = d.messages[0]!.clientHello!;
    expect(ch).toMatchObject({
      supportedGroups: [24, 29, 23],
      ecPointFormats: [0, 1, 2],
      signatureAlgorithms: [0x0403, 0x0804, 0x0401],
      supportedVersions: [0x0304, 0x0303],
      pskKeyExchangeModes: [1, 0],
      alpn: ['h2', 'http/1.1'],
      keyShares: [{ group: 29, keyExchangeLength: 32 }, { group: 23, keyExchangeLength: 65 }],
    });
    expect(d.warnings).toEqual(['client: client_hello (frame 1): client_hello extension supported_groups: NamedGroup: needs 2 bytes, 1 left']);
    // Lists the hello has none of are empty, and no two hellos share a list they could write to.
    const other = recordingDecoder();
    feed(other, 'client', record(22, handshake(1, clientHelloBody({ extensions: [] }))));
    const empty = other.messages[0]!.clientHello!;
    expect(empty).toMatchObject({ supportedGroups: [], alpn: [], keyShares: [], supportedVersions: [] });
    expect(empty.alpn).not.toBe(ch.alpn);
  });

  it('reports an extension whose length runs past the extension block', () => {
    const body = clientHelloBody({ extensions: [extension(0, new Uint8Array(4))] });
    body[body.length - 5] = 0x10; // extension_data length 4 -> 4100
    const d = recordingDecoder();
    feed(d, 'client', record(22, handshake(1, body)));
    expect(d.messages[0]!.message.type).toBe('client_hello');
    // The extensions before it stand (tshark shows them too); the hello is marked, so no fingerprint is taken.
    expect(d.messages[0]!.clientHello).toMatchObject({ extensionsTruncated: true, extensions: [] });
    expect(d.warnings[0]).toMatch(/client_hello \(frame 1\): client_hello extension server_name: length \d+ runs past/);
  });

  it('decodes an SSLv2-format ClientHello', () => {
    // msg_type 1, version 3.1, 2 cipher specs, no session id, 16-byte challenge
    const body = concat(new Uint8Array([1]), u16(0x0301), u16(6), u16(0), u16(16), new Uint8Array([0, 0, 0x39, 1, 0, 0x80]), new Uint8Array(16).fill(7));
    const rec = concat(u16(0x8000 | body.length), body);
    const d = recordingDecoder();
    feed(d, 'client', concat(rec, record(22, handshake(16, vec16(new Uint8Array(4))))), 3);
    expect(d.warnings).toEqual([]);
    const m = d.messages[0]!;
    expect(m.message).toMatchObject({ type: 'client_hello', sslv2: true, length: body.length });
    expect(m.message.raw).toEqual(rec);
    expect(m.clientHello).toMatchObject({ version: 0x0301, cipherSuites: [0x39, 0x010080], sslv2: true });
    expect(m.clientHello!.random).toEqual(new Uint8Array(16).fill(7));
    expect(d.messages[1]!.message.type).toBe('client_key_exchange');
  });
});

describe('handshake reassembly', () => {
  it('reassembles a message fragmented across records and splits a record holding several', () => {
    const cert = handshake(11, vec24(concat(vec24(new Uint8Array(3000).fill(1)), vec24(new Uint8Array(500).fill(2)))));
    const sh = handshake(2, serverHelloBody());
    const done = handshake(14, new Uint8Array(0));
    const all = concat(sh, cert, done);
    // records of 1000 bytes each, one record a segment
    const records: Uint8Array[] = [];
    for (let i = 0; i < all.length; i += 1000) records.push(record(22, all.subarray(i, i + 1000)));
    const d = recordingDecoder();
    records.forEach((r, k) => d.decoder.push('server', r, 10 + k, BigInt(k)));
    expect(d.warnings).toEqual([]);
    expect(d.messages.map((m) => [m.message.type, m.message.frame, m.message.frames])).toEqual([
      ['server_hello', 10, [10]],
      ['certificate', 13, [10, 11, 12, 13]],
      ['server_hello_done', 13, [13]],
    ]);
    expect(d.messages[1]!.certificates!.map((c) => c.length)).toEqual([3000, 500]);
    expect(d.messages[1]!.message.length).toBe(cert.length - 4);
  });

  it('names IANA handshake types the session model lacks unknown_<n>; unassigned types end the record', () => {
    const d = recordingDecoder();
    // client_certificate_request (17) is assigned but not a contract type; 99 is unassigned: no message starts with it.
    feed(d, 'server', concat(
      record(22, concat(handshake(14, new Uint8Array(0)), handshake(17, new Uint8Array(3)), handshake(99, new Uint8Array(2)), handshake(14, new Uint8Array(0)))),
      record(22, handshake(99, new Uint8Array(20))),
    ));
    expect(d.messages.map((m) => `${m.message.type}:${m.message.length}`)).toEqual(['server_hello_done:0', 'unknown_17:3', 'encrypted_handshake:24']);
    expect(d.warnings).toHaveLength(1);
    expect(d.warnings[0]).toMatch(/10 bytes that are no handshake message \(type 99\) skipped/);
  });

  it('names a ServerHello with the RFC 8446 special random hello_retry_request', () => {
    const d = recordingDecoder();
    const hrr = handshake(2, serverHelloBody({ random: HRR_RANDOM, suite: 0x1301, extensions: [extension(43, u16(0x0304)), extension(51, u16(23)), extension(44, vec16(new Uint8Array(5)))] }));
    feed(d, 'server', record(22, hrr));
    expect(d.messages[0]!.message.type).toBe('hello_retry_request');
    expect(d.messages[0]!.serverHello).toMatchObject({ helloRetryRequest: true, keyShareGroup: 23, selectedVersion: 0x0304, cipherSuite: 0x1301 });
    expect(d.warnings).toEqual([]);
  });
});

describe('connection state', () => {
  it('TLS 1.2: after a side\'s ChangeCipherSpec its handshake records and alerts are encrypted', () => {
    const d = recordingDecoder();
    feed(d, 'client', record(22, fullClientHello), 1000, 1);
    feed(d, 'server', record(22, concat(handshake(2, serverHelloBody({ suite: 0xc02f })), handshake(14, new Uint8Array(0)))), 1000, 2);
    feed(d, 'client', concat(record(22, handshake(16, vec8(new Uint8Array(65)))), record(20, new Uint8Array([1])), record(22, new Uint8Array(40).fill(0xa7))), 1000, 3);
    feed(d, 'server', concat(record(20, new Uint8Array([1])), record(22, new Uint8Array(40).fill(0xa7)), record(21, new Uint8Array(26))), 1000, 4);
    feed(d, 'client', record(21, new Uint8Array([1, 0])), 1000, 5);
    expect(d.messages.map((m) => `${m.message.from}:${m.message.type}:${m.message.frame}`)).toEqual([
      'client:client_hello:1', 'server:server_hello:2', 'server:server_hello_done:2', 'client:client_key_exchange:3',
      'client:change_cipher_spec:3', 'client:encrypted_handshake:3', 'server:change_cipher_spec:4',
      'server:encrypted_handshake:4', 'server:alert:4', 'client:alert:5',
    ]);
    expect(d.messages[5]!.message.length).toBe(40);
    expect(d.messages[8]!.message).toMatchObject({ level: null, description: null });
    // After its CCS the client's 2-byte alert is encrypted too (its plaintext would be 2 bytes only by chance).
    expect(d.messages[9]!.message).toMatchObject({ level: null, description: null });
  });

  it('TLS 1.3: CCS changes nothing, encrypted records come as application data, the second ClientHello after HRR is read', () => {
    const d = recordingDecoder();
    feed(d, 'client', record(22, fullClientHello, 0x0301), 1000, 1);
    const hrr = handshake(2, serverHelloBody({ random: HRR_RANDOM, suite: 0x1301, extensions: [extension(43, u16(0x0304)), extension(51, u16(23))] }));
    feed(d, 'server', concat(record(22, hrr), record(20, new Uint8Array([1]))), 1000, 2);
    feed(d, 'client', concat(record(20, new Uint8Array([1])), record(22, fullClientHello)), 1000, 3);
    const sh = handshake(2, serverHelloBody({ suite: 0x1301, extensions: [extension(43, u16(0x0304)), extension(51, concat(u16(23), vec16(new Uint8Array(65)))), extension(41, u16(0))] }));
    feed(d, 'server', concat(record(22, sh), record(23, new Uint8Array(2000)), record(23, new Uint8Array(300))), 1000, 4);
    feed(d, 'client', concat(record(23, new Uint8Array(53)), record(21, new Uint8Array([1, 0]))), 1000, 6);
    expect(d.messages.map((m) => `${m.message.from}:${m.message.type}`)).toEqual([
      'client:client_hello', 'server:hello_retry_request', 'server:change_cipher_spec', 'client:change_cipher_spec',
      'client:client_hello', 'server:server_hello', 'server:application_data', 'server:application_data',
      'client:application_data', 'client:alert',
    ]);
    expect(d.messages[5]!.serverHello).toMatchObject({ selectedVersion: 0x0304, keyShareGroup: 23, selectedIdentity: 0 });
    expect(d.messages[9]!.message).toMatchObject({ level: 'warning', description: 'close_notify' });
    expect(d.warnings).toEqual([]);
  });

  it('reads a record of whole plaintext handshake messages after a CCS whose meaning is not known (1.3 client, server unseen)', () => {
    const d = recordingDecoder();
    feed(d, 'client', concat(record(22, fullClientHello, 0x0301), record(20, new Uint8Array([1])), record(22, fullClientHello)), 1000, 1);
    expect(d.messages.map((m) => m.message.type)).toEqual(['client_hello', 'change_cipher_spec', 'client_hello']);
    expect(d.messages[2]!.clientHello!.sni).toBe('shop.example');
  });

  it('reads the ServerKeyExchange form the negotiated cipher suite says', () => {
    const ecdheSke = handshake(12, concat(new Uint8Array([3]), u16(29), vec8(new Uint8Array(32)), u16(0x0804), vec16(new Uint8Array(256))));
    const p = new Uint8Array(256).fill(0xff);
    p[0] = 0x7f; // 2047 bits
    const dheSke = handshake(12, concat(vec16(p), vec16(new Uint8Array([2])), vec16(new Uint8Array(256)), vec16(new Uint8Array(128))));
    const cases: [number, number, Uint8Array, object][] = [
      [0x0303, 0xc02f, ecdheSke, { kind: 'ecdhe', group: 29, groupName: 'x25519', publicKeyLength: 32, signatureScheme: 0x0804, signatureLength: 256 }],
      [0x0301, 0x0039, dheSke, { kind: 'dhe', dhPrimeBits: 2047, publicKeyLength: 256, signatureScheme: null, signatureLength: 128 }],
      [0x0303, 0xc0a8, dheSke, { kind: 'unknown' }],
    ];
    for (const [version, suite, ske, expected] of cases) {
      const d = recordingDecoder();
      feed(d, 'server', record(22, concat(handshake(2, serverHelloBody({ version, suite })), ske)));
      expect(d.messages[1]!.serverKeyExchange).toMatchObject(expected);
    }
  });

  it('reads the TLS 1.3 Certificate form with request context and per-entry extensions', () => {
    const body = concat(vec8(new Uint8Array(0)), vec24(concat(vec24(new Uint8Array(100).fill(9)), vec16(extension(5, new Uint8Array(10))), vec24(new Uint8Array(50)), vec16(new Uint8Array(0)))));
    const d = recordingDecoder();
    const sh = handshake(2, serverHelloBody({ suite: 0x1301, extensions: [extension(43, u16(0x0304))] }));
    feed(d, 'server', record(22, concat(sh, handshake(11, body))));
    expect(d.warnings).toEqual([]);
    expect(d.messages[1]!.certificates!.map((c) => c.length)).toEqual([100, 50]);
    expect(d.messages[1]!.certificates![0]).toEqual(new Uint8Array(100).fill(9));
  });
});

describe('hostile input', () => {
  it('never throws and stays bounded on randomly corrupted streams', () => {
    const server = concat(
      record(22, concat(handshake(2, serverHelloBody({ extensions: [extension(16, vec16(vec8(ascii('h2'))))] })), handshake(11, vec24(vec24(new Uint8Array(200)))), handshake(14, new Uint8Array(0)))),
      record(20, new Uint8Array([1])), record(22, new Uint8Array(40).fill(0xa7)), record(23, new Uint8Array(100)),
    );
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 2000; round++) {
      const client = record(22, fullClientHello).slice();
      const srv = server.slice();
      for (let k = 0; k < 1 + rand(4); k++) client[rand(client.length)] = rand(256);
      for (let k = 0; k < 1 + rand(4); k++) srv[rand(srv.length)] = rand(256);
      const d = recordingDecoder();
      feed(d, 'client', client, 1 + rand(80));
      feed(d, 'server', srv, 1 + rand(80));
      // At most one message per 4 bytes in (the smallest message is a 4-byte handshake header).
      expect(d.messages.length).toBeLessThanOrEqual((client.length + srv.length) / 4);
      for (const m of d.messages) expect(m.message.raw.length).toBeLessThanOrEqual(client.length + srv.length);
    }
  });

  it('waits for a handshake message longer than what arrived without allocating its claimed length', () => {
    const d = recordingDecoder();
    const w = new ByteWriter().u8(11).u24(0xffffff).finish();
    feed(d, 'server', record(22, w));
    feed(d, 'server', record(22, new Uint8Array(1000)));
    expect(d.messages).toEqual([]);
    expect(d.warnings).toEqual([]);
  });
});
