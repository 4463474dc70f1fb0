/**
 * RFC 8879 certificate compression: the Certificate message inside a
 * CompressedCertificate, inflated with the algorithm it names. Chrome sends
 * its server chains this way (brotli), so a decrypted TLS 1.3 handshake shows
 * its certificates only through here, as tshark does.
 *
 *   enum { zlib(1), brotli(2), zstd(3), (65535) } CertificateCompressionAlgorithm;
 *
 * Bounded: the output may not exceed `uncompressed_length` (itself a uint24),
 * and must be exactly that long.
 */
import { brotliDecompressSync, inflateSync } from 'node:zlib';

export const CERTIFICATE_COMPRESSION_ZLIB = 1;
export const CERTIFICATE_COMPRESSION_BROTLI = 2;

export type DecompressedCertificate = { ok: true; message: Uint8Array } | { ok: false; reason: string };

export function decompressCertificateMessage(algorithm: number, uncompressedLength: number, compressed: Uint8Array): DecompressedCertificate {
  let out: Buffer;
  try {
    if (algorithm === CERTIFICATE_COMPRESSION_ZLIB) out = inflateSync(compressed, { maxOutputLength: Math.max(1, uncompressedLength) });
    else if (algorithm === CERTIFICATE_COMPRESSION_BROTLI) out = brotliDecompressSync(compressed, { maxOutputLength: Math.max(1, uncompressedLength) });
    else return { ok: false, reason: `compression algorithm ${algorithm} is not supported` };
  } catch {
    return { ok: false, reason: 'compressed certificate does not decompress (or exceeds its uncompressed_length)' };
  }
  if (out.length !== uncompressedLength) {
    return { ok: false, reason: `decompressed to ${out.length} bytes, uncompressed_length says ${uncompressedLength}` };
  }
  return { ok: true, message: new Uint8Array(out.buffer, out.byteOffset, out.length) };
}
