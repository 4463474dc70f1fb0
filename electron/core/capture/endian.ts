import type { ByteReader } from '../bytes/byte-reader';

/**
 * pcap and pcapng fields are in the writer's byte order (per file for pcap,
 * per section for pcapng); these read a field in the order the header said.
 */
export function readU16(r: ByteReader, littleEndian: boolean, what: string): number {
  return littleEndian ? r.u16le(what) : r.u16(what);
}

export function readU32(r: ByteReader, littleEndian: boolean, what: string): number {
  return littleEndian ? r.u32le(what) : r.u32(what);
}

/** A 64-bit signed value as two 32-bit halves in the given order, as a bigint. */
export function readI64(r: ByteReader, littleEndian: boolean, what: string): bigint {
  const first = readU32(r, littleEndian, what);
  const second = readU32(r, littleEndian, what);
  const [hi, lo] = littleEndian ? [second, first] : [first, second];
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}
