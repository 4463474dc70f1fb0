import { describe, expect, it } from 'vitest';
import { describeMessage } from '../../../electron/core/tls/describe-message';
import type { FieldNode } from '../../../electron/core/session/field-tree';
import type { TlsMessage } from '../../../electron/core/session/model';
import { ascii, clientHelloBody, concat, extension, handshake, record, serverHelloBody, u16, u16s, vec16, vec8 } from './support/tls-builder';
import { feed, recordingDecoder } from './support/decode-helper';

function decodeOne(side: 'client' | 'server', bytes: Uint8Array): TlsMessage[] {
  const d = recordingDecoder();
  feed(d, side, bytes);
  return d.messages.map((m) => m.message);
}

function find(nodes: FieldNode[], name: string): FieldNode[] {
  const out: FieldNode[] = [];
  const walk = (list: FieldNode[]): void => {
    for (const n of list) {
      if (n.name === name) out.push(n);
      if (n.children) walk(n.children);
    }
  };
  walk(nodes);
  return out;
}

/** Every node lies inside its parent, and the top level inside raw. */
function expectNested(nodes: FieldNode[], start: number, end: number): void {
  for (const n of nodes) {
    expect(n.offset).toBeGreaterThanOrEqual(start);
    expect(n.offset + n.length).toBeLessThanOrEqual(end);
    if (n.children) expectNested(n.children, n.offset, n.offset + n.length);
  }
}

const clientHello = handshake(1, clientHelloBody({
  suites: [0x1301, 0xc02f, 0x0a0a],
  extensions: [
    extension(0, vec16(concat(new Uint8Array([0]), vec16(ascii('shop.example'))))),
    extension(16, vec16(concat(vec8(ascii('h2')), vec8(ascii('http/1.1'))))),
    extension(10, vec16(u16s([29, 23]))),
    extension(51, vec16(concat(u16(29), vec16(new Uint8Array(32))))),
    extension(13, vec16(u16s([0x0403, 0x0804]))),
    extension(43, vec8(u16s([0x0304, 0x0303]))),
  ],
}));

describe('describeMessage', () => {
  it('describes a ClientHello field by field with offsets into raw', () => {
    const [m] = decodeOne('client', record(22, clientHello));
    const tree = describeMessage(m!);
    expect(tree.map((n) => n.name)).toEqual(['msg_type', 'length', 'legacy_version', 'random', 'legacy_session_id', 'cipher_suites', 'legacy_compression_methods', 'extensions']);
    expect(tree[0]!.value).toBe('client_hello (1)');
    expect(tree[2]!.value).toBe('TLS 1.2 (0x0303)');
    expect(find(tree, 'CipherSuite').map((n) => n.value)).toEqual(['TLS_AES_128_GCM_SHA256 (0x1301)', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f)', 'GREASE (0x0a0a)']);
    const host = find(tree, 'HostName')[0]!;
    expect(host.value).toBe('shop.example');
    expect(new TextDecoder().decode(m!.raw.subarray(host.offset, host.offset + host.length))).toBe('shop.example');
    expect(find(tree, 'ProtocolName').map((n) => n.value)).toEqual(['h2', 'http/1.1']);
    expect(find(tree, 'NamedGroup').map((n) => n.value)).toEqual(['x25519 (0x001d)', 'secp256r1 (0x0017)']);
    expect(find(tree, 'KeyShareEntry')[0]!.value).toBe('x25519 (0x001d), 32 bytes');
    expect(find(tree, 'SignatureScheme').map((n) => n.value)).toEqual(['ecdsa_secp256r1_sha256 (0x0403)', 'rsa_pss_rsae_sha256 (0x0804)']);
    expect(find(tree, 'ProtocolVersion').map((n) => n.value)).toEqual(['TLS 1.3 (0x0304)', 'TLS 1.2 (0x0303)']);
    expect(find(tree, 'Extension')).toHaveLength(6);
    expectNested(tree, 0, m!.raw.length);
  });

  it('keeps what it read and marks where a truncated message stops making sense', () => {
    const cut = handshake(1, clientHello.subarray(4, 60));
    const [m] = decodeOne('client', record(22, cut));
    const tree = describeMessage(m!);
    const bad = find(tree, 'malformed');
    expect(bad).toHaveLength(1);
    expect(tree.map((n) => n.name).slice(0, 4)).toEqual(['msg_type', 'length', 'legacy_version', 'random']);
    expectNested(tree, 0, m!.raw.length);
  });

  it('never throws on any truncation or corruption of a ClientHello', () => {
    for (let cut = 0; cut <= clientHello.length; cut++) {
      const raw = clientHello.slice(0, cut);
      const tree = describeMessage({ type: 'client_hello', from: 'client', frame: 1, frames: [1], timeNs: 0n, length: cut, raw });
      expectNested(tree, 0, raw.length);
    }
    for (let at = 0; at < clientHello.length; at++) {
      const raw = clientHello.slice();
      raw[at] ^= 0xff;
      expectNested(describeMessage({ type: 'client_hello', from: 'client', frame: 1, frames: [1], timeNs: 0n, length: raw.length - 4, raw }), 0, raw.length);
    }
  });

  it('describes ServerHello, ServerKeyExchange, alerts and record-level messages', () => {
    const sh = handshake(2, serverHelloBody({ suite: 0xc02f, extensions: [extension(65281, vec8(new Uint8Array(0)))] }));
    const ske = handshake(12, concat(new Uint8Array([3]), u16(23), vec8(new Uint8Array(65)), u16(0x0401), vec16(new Uint8Array(256))));
    const msgs = decodeOne('server', concat(record(22, concat(sh, ske)), record(21, new Uint8Array([2, 40])), record(20, new Uint8Array([1])), record(22, new Uint8Array(40).fill(0xa7)), record(23, new Uint8Array(500))));
    const [shTree, skeTree, alertTree, ccsTree, encTree, appTree] = msgs.map((m) => describeMessage(m));
    expect(find(shTree!, 'cipher_suite')[0]!.value).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f)');
    // The SKE form is inferred from the bytes alone, or told by the connection.
    expect(skeTree!.map((n) => [n.name, n.value])).toEqual([
      ['msg_type', 'server_key_exchange (12)'], ['length', `${ske.length - 4}`], ['curve_type', 'named_curve (3)'],
      ['namedcurve', 'secp256r1 (0x0017)'], ['point', '65 bytes'], ['algorithm', 'rsa_pkcs1_sha256 (0x0401)'], ['signature', '256 bytes'],
    ]);
    expect(describeMessage(msgs[1]!, { version: 0x0303, cipherSuite: 0xc02f })).toEqual(skeTree);
    expect(alertTree!.map((n) => n.value)).toEqual(['fatal (2)', 'handshake_failure (40)']);
    expect(ccsTree!.map((n) => n.value)).toEqual(['change_cipher_spec (1)']);
    expect(encTree![0]!.name).toBe('encrypted_handshake_message');
    expect(appTree![0]).toMatchObject({ name: 'encrypted_application_data', value: '500 bytes (first 64 kept)', offset: 0, length: 64 });
  });

  it('describes the other handshake messages in their TLS 1.2 and TLS 1.3 forms', () => {
    const msg = (raw: Uint8Array): TlsMessage => ({ type: 'finished', from: 'server', frame: 1, frames: [1], timeNs: 0n, length: raw.length - 4, raw });
    const fields = (raw: Uint8Array, version?: number): string[] =>
      describeMessage(msg(raw), { version: version ?? null }).slice(2).map((n) => `${n.name}=${n.value ?? ''}`);
    const nst12 = handshake(4, concat(new Uint8Array([0, 0, 0x1c, 0x20]), vec16(new Uint8Array(160))));
    expect(fields(nst12)).toEqual(['ticket_lifetime_hint=7200 seconds', 'ticket=160 bytes']);
    const nst13 = handshake(4, concat(new Uint8Array([0, 0, 0x1c, 0x20, 1, 2, 3, 4]), vec8(new Uint8Array(8)), vec16(new Uint8Array(100)), vec16(extension(42, new Uint8Array([0, 0, 0x40, 0])))));
    expect(fields(nst13, 0x0304)).toEqual(['ticket_lifetime=7200 seconds', 'ticket_age_add=16909060', 'ticket_nonce=8 bytes', 'ticket=100 bytes', 'extensions=8 bytes']);
    expect(fields(nst13)).toEqual(fields(nst13, 0x0304)); // form inferred from the lengths
    const certReq12 = handshake(13, concat(vec8(new Uint8Array([1, 64])), vec16(u16s([0x0401, 0x0403])), vec16(vec16(new Uint8Array(30)))));
    expect(fields(certReq12, 0x0303)).toEqual(['certificate_types=2 types', 'supported_signature_algorithms=2 schemes', 'certificate_authorities=32 bytes']);
    const certReq11 = handshake(13, concat(vec8(new Uint8Array([1])), vec16(new Uint8Array(0))));
    expect(fields(certReq11)).toEqual(['certificate_types=1 types', 'certificate_authorities=0 bytes']);
    const certReq13 = handshake(13, concat(vec8(new Uint8Array(0)), vec16(extension(13, vec16(u16s([0x0804]))))));
    expect(fields(certReq13, 0x0304)).toEqual(['certificate_request_context=0 bytes', 'extensions=8 bytes']);
    const ee = handshake(8, vec16(concat(extension(16, vec16(vec8(ascii('h2')))), extension(0, new Uint8Array(0)))));
    expect(find(describeMessage(msg(ee)), 'ProtocolName').map((n) => n.value)).toEqual(['h2']);
    expect(fields(handshake(24, new Uint8Array([1])))).toEqual(['request_update=update_requested (1)']);
    expect(fields(handshake(22, concat(new Uint8Array([1]), new Uint8Array([0, 0, 5]), new Uint8Array(5))))).toEqual(['status_type=ocsp (1)', 'OCSPResponse=5 bytes']);
    expect(fields(handshake(20, new Uint8Array(12)))).toEqual(['verify_data=12 bytes']);
    expect(fields(handshake(25, concat(u16(2), new Uint8Array([0, 1, 0]), new Uint8Array([0, 0, 3, 1, 2, 3]))))).toEqual(['algorithm=brotli (0x0002)', 'uncompressed_length=256', 'compressed_certificate_message=3 bytes']);
  });
});
