import { ByteWriter } from '../../../../electron/core/bytes/byte-writer';

/** Hand-built TLS bytes for the unit tests (lengths can be made to lie on purpose). */

export function concat(...parts: Uint8Array[]): Uint8Array {
  const w = new ByteWriter();
  for (const p of parts) w.bytes(p);
  return w.finish();
}

export function u16(v: number): Uint8Array {
  return new ByteWriter().u16(v).finish();
}

export function vec8(body: Uint8Array): Uint8Array {
  return new ByteWriter().u8(body.length).bytes(body).finish();
}

export function vec16(body: Uint8Array): Uint8Array {
  return new ByteWriter().u16(body.length).bytes(body).finish();
}

export function vec24(body: Uint8Array): Uint8Array {
  return new ByteWriter().u24(body.length).bytes(body).finish();
}

export function u16s(values: number[]): Uint8Array {
  const w = new ByteWriter();
  for (const v of values) w.u16(v);
  return w.finish();
}

export function ascii(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** TLSPlaintext: type, legacy_record_version, length, fragment. */
export function record(type: number, fragment: Uint8Array, version = 0x0303, length = fragment.length): Uint8Array {
  return new ByteWriter().u8(type).u16(version).u16(length).bytes(fragment).finish();
}

/** Handshake: msg_type, uint24 length, body. */
export function handshake(type: number, body: Uint8Array, length = body.length): Uint8Array {
  return new ByteWriter().u8(type).u24(length).bytes(body).finish();
}

export function extension(type: number, data: Uint8Array): Uint8Array {
  return new ByteWriter().u16(type).u16(data.length).bytes(data).finish();
}

export function random(fill: number): Uint8Array {
  return new Uint8Array(32).fill(fill);
}

export function clientHelloBody(opts: { version?: number; sessionId?: Uint8Array; suites?: number[]; extensions?: Uint8Array[] } = {}): Uint8Array {
  return concat(
    u16(opts.version ?? 0x0303),
    random(0x11),
    vec8(opts.sessionId ?? new Uint8Array(0)),
    vec16(u16s(opts.suites ?? [0x1301, 0xc02f])),
    vec8(new Uint8Array([0])),
    ...(opts.extensions ? [vec16(concat(...opts.extensions))] : []),
  );
}

export function serverHelloBody(opts: { version?: number; random?: Uint8Array; suite?: number; extensions?: Uint8Array[] } = {}): Uint8Array {
  return concat(
    u16(opts.version ?? 0x0303),
    opts.random ?? random(0x22),
    vec8(new Uint8Array(0)),
    u16(opts.suite ?? 0xc02f),
    new Uint8Array([0]),
    ...(opts.extensions ? [vec16(concat(...opts.extensions))] : []),
  );
}

/** RFC 8446 4.1.3: SHA-256("HelloRetryRequest"). */
export const HRR_RANDOM = Uint8Array.from(Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex'));
