/**
 * The fields ClientHello and ServerHello (and HelloVerifyRequest's version)
 * open with, read and shown in the field tree the same way:
 *   ProtocolVersion legacy_version;          // uint16
 *   Random random;                           // 32 bytes
 *   opaque legacy_session_id<0..32>;         // legacy_session_id_echo in a ServerHello
 */
import type { ByteReader } from '../bytes/byte-reader';
import { keepBytesOf } from '../bytes/byte-slab';
import { toHex } from '../bytes/hex';
import type { FieldSink } from './field-tree-builder';
import { versionLabel } from './labels';

export function readProtocolVersion(r: ByteReader, t: FieldSink, name: string): number {
  const at = r.position;
  const version = r.u16(name);
  t?.add(name, versionLabel(version), at, 2);
  return version;
}

/** Kept (outlives the packet); `describe` labels it in the tree (a ServerHello's may mark a HelloRetryRequest). */
export function readRandom(r: ByteReader, t: FieldSink, describe: (random: Uint8Array) => string = toHex): Uint8Array {
  const at = r.position;
  r.skip(32, 'random');
  const random = keepBytesOf(r.bytes, at, at + 32);
  t?.add('random', describe(random), at, 32);
  return random;
}

/** Kept (outlives the packet). */
export function readSessionId(r: ByteReader, t: FieldSink, name: 'legacy_session_id' | 'legacy_session_id_echo'): Uint8Array {
  const at = r.position;
  const sid = r.vec8(name);
  const sessionId = keepBytesOf(sid.bytes, sid.position, sid.end);
  sid.skip(sid.remaining);
  t?.add(name, sessionId.length ? toHex(sessionId) : 'empty', at, 1 + sessionId.length);
  return sessionId;
}
