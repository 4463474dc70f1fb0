import type { ByteReader } from '../bytes/byte-reader';
import type { ClientHelloInfo } from '../session/model';
import { emptyExtensionFacts, parseExtensionBlock } from './extensions';
import type { ParseContext } from './parse-context';
import { cipherSuiteLabel } from './labels';
import { fitted } from './fitted-array';
import { readProtocolVersion, readRandom, readSessionId } from './hello-fields';

/**
 * RFC 8446 4.1.2 (RFC 5246 7.4.1.2 for the older form, whose extensions are optional):
 *   struct {
 *       ProtocolVersion legacy_version = 0x0303;
 *       Random random;                                   // 32 bytes
 *       opaque legacy_session_id<0..32>;
 *       CipherSuite cipher_suites<2..2^16-2>;
 *       opaque legacy_compression_methods<1..2^8-1>;
 *       Extension extensions<8..2^16-1>;
 *   } ClientHello;
 * `r` covers the body (after the 4-byte handshake header).
 */
export function parseClientHello(r: ByteReader, ctx: ParseContext): ClientHelloInfo {
  const t = ctx.t;
  const version = readProtocolVersion(r, t, 'legacy_version');
  const random = readRandom(r, t);
  const sessionId = readSessionId(r, t, 'legacy_session_id');
  const suites = r.vec16('cipher_suites');
  t?.open('cipher_suites', `${suites.remaining >> 1} suites`, suites.position - 2, 2 + suites.remaining);
  // As long as the vector says (an odd byte left over throws below): no spare room to trim.
  const cipherSuites = new Array<number>(suites.remaining >> 1);
  for (let i = 0; !suites.atEnd; i++) {
    const p = suites.position;
    const cs = suites.u16('CipherSuite');
    cipherSuites[i] = cs;
    t?.add('CipherSuite', cipherSuiteLabel(cs), p, 2);
  }
  t?.close();
  const comp = r.vec8('legacy_compression_methods');
  t?.open('legacy_compression_methods', `${comp.remaining} methods`, comp.position - 1, 1 + comp.remaining);
  const compressionMethods = new Array<number>(comp.remaining);
  for (let i = 0; !comp.atEnd; i++) {
    const p = comp.position;
    const m = comp.u8('compression method');
    compressionMethods[i] = m;
    t?.add('CompressionMethod', compressionLabel(m), p, 1);
  }
  t?.close();
  const facts = emptyExtensionFacts();
  const extensions = r.atEnd ? [] : parseExtensionBlock(r, 'client_hello', ctx, facts);
  r.expectEnd('client_hello');
  const hello: ClientHelloInfo = {
    version,
    random,
    sessionId,
    // Kept as long as the session: each list without its spare room (the numeric
    // lists of the extensions, and the list of extensions, are made at their size, extensions.ts).
    cipherSuites,
    compressionMethods,
    extensions,
    sni: facts.sni,
    alpn: fitted(facts.alpn),
    supportedVersions: facts.supportedVersions,
    supportedGroups: facts.supportedGroups,
    ecPointFormats: facts.ecPointFormats,
    signatureAlgorithms: facts.signatureAlgorithms,
    keyShares: fitted(facts.keyShares),
    pskKeyExchangeModes: facts.pskKeyExchangeModes,
    pskIdentities: facts.pskIdentities,
    sessionTicketLength: facts.sessionTicketLength,
    sslv2: false,
  };
  if (facts.truncated) hello.extensionsTruncated = true;
  return hello;
}

export function compressionLabel(m: number): string {
  return m === 0 ? 'null (0)' : m === 1 ? 'DEFLATE (1)' : `unknown (${m})`;
}
