import type { ByteReader } from '../bytes/byte-reader';
import type { ParseContext } from './parse-context';
import { isTls13 } from './parse-context';
import { emptyExtensionFacts, parseExtensionBlock } from './extensions';

/**
 * The Certificate message: the DER of each certificate, in the order sent, as
 * views into the message's bytes (valid as long as they are: x509's
 * parseCertificate copies what it keeps, once per distinct certificate).
 *
 * RFC 5246 7.4.2 (SSL 3.0 .. TLS 1.2):
 *   opaque ASN.1Cert<1..2^24-1>;
 *   struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate;
 *
 * RFC 8446 4.4.2 (TLS 1.3):
 *   struct {
 *       select (certificate_type) {
 *           case RawPublicKey: opaque ASN1_subjectPublicKeyInfo<1..2^24-1>;
 *           case X509:         opaque cert_data<1..2^24-1>;
 *       };
 *       Extension extensions<0..2^16-1>;
 *   } CertificateEntry;
 *   struct {
 *       opaque certificate_request_context<0..2^8-1>;
 *       CertificateEntry certificate_list<0..2^24-1>;
 *   } Certificate;
 *
 * When the negotiated version is unknown (a field tree built from the message
 * alone), the form whose outer length fits the body is taken.
 */
export function parseCertificate(r: ByteReader, ctx: ParseContext): Uint8Array[] {
  const t = ctx.t;
  const tls13 = ctx.version !== null ? isTls13(ctx.version) : !looksLikeTls12Form(r);
  if (tls13) {
    const at = r.position;
    const context = r.vec8('certificate_request_context');
    t?.add('certificate_request_context', `${context.remaining} bytes`, at, 1 + context.remaining);
    context.skip(context.remaining);
  }
  const list = r.vec24('certificate_list');
  t?.open('certificate_list', `${list.remaining} bytes`, list.position - 3, 3 + list.remaining);
  const certificates: Uint8Array[] = [];
  while (!list.atEnd) {
    const at = list.position;
    // (The view taken straight from the list: the same checks and errors as through a reader of its own.)
    const n = list.u24('cert_data');
    certificates.push(list.bytesView(n, 'cert_data'));
    if (!tls13) {
      t?.add('Certificate', `${n} bytes`, at, 3 + n);
      continue;
    }
    const extLength = list.peek(0) !== undefined && list.peek(1) !== undefined ? ((list.peek(0)! << 8) | list.peek(1)!) : 0;
    t?.open('CertificateEntry', `${n} bytes`, at, 3 + n + 2 + extLength);
    t?.add('cert_data', `${n} bytes`, at, 3 + n);
    parseExtensionBlock(list, 'certificate', ctx, emptyExtensionFacts());
    t?.close();
  }
  t?.close();
  r.expectEnd('certificate');
  return certificates;
}

function looksLikeTls12Form(r: ByteReader): boolean {
  if (r.remaining < 3) return true;
  const n = (r.peek(0)! << 16) | (r.peek(1)! << 8) | r.peek(2)!;
  return n + 3 === r.remaining;
}
