import type { ByteReader } from '../bytes/byte-reader';
import { toHex } from '../bytes/hex';
import type { ServerHelloInfo } from '../session/model';
import { emptyExtensionFacts, parseExtensionBlock } from './extensions';
import type { ParseContext } from './parse-context';
import { cipherSuiteLabel } from './labels';
import { compressionLabel } from './client-hello';
import { readProtocolVersion, readRandom, readSessionId } from './hello-fields';

/**
 * RFC 8446 4.1.4: a ServerHello whose random is SHA-256("HelloRetryRequest")
 * is a HelloRetryRequest.
 */
const HELLO_RETRY_REQUEST_RANDOM = new Uint8Array([
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
]);

/** Whether the ServerHello body in `raw` (handshake header at 0) carries the HRR random. */
export function isHelloRetryRequest(raw: Uint8Array): boolean {
  if (raw.length < 4 + 2 + 32) return false;
  for (let i = 0; i < 32; i++) if (raw[6 + i] !== HELLO_RETRY_REQUEST_RANDOM[i]) return false;
  return true;
}

function isHelloRetryRandom(random: Uint8Array): boolean {
  return random.every((b, i) => b === HELLO_RETRY_REQUEST_RANDOM[i]);
}

function describeServerRandom(random: Uint8Array): string {
  return isHelloRetryRandom(random) ? `HelloRetryRequest (${toHex(random)})` : toHex(random);
}

/**
 * RFC 8446 4.1.3 (RFC 5246 7.4.1.3 for the older form, whose extensions are optional;
 * TLS 1.3 drafts up to 21 lack legacy_session_id_echo and legacy_compression_method):
 *   struct {
 *       ProtocolVersion legacy_version = 0x0303;
 *       Random random;
 *       opaque legacy_session_id_echo<0..32>;
 *       CipherSuite cipher_suite;
 *       uint8 legacy_compression_method = 0;
 *       Extension extensions<6..2^16-1>;
 *   } ServerHello;
 */
export function parseServerHello(r: ByteReader, ctx: ParseContext): ServerHelloInfo {
  const t = ctx.t;
  const version = readProtocolVersion(r, t, 'legacy_version');
  const random = readRandom(r, t, describeServerRandom);
  const hrr = isHelloRetryRandom(random);
  // TLS 1.3 drafts before 22 (version 0x7f00 + n) had no session id echo and no compression method.
  // So had a server that put 0x0304 itself in this field (draft-era stacks did; RFC 8446
  // requires 0x0303 there, the real version going in supported_versions).
  const earlyDraft = ((version & 0xff00) === 0x7f00 && (version & 0xff) < 22) || version === 0x0304;
  const sessionId = earlyDraft ? new Uint8Array(0) : readSessionId(r, t, 'legacy_session_id_echo');
  let at = r.position;
  const cipherSuite = r.u16('cipher_suite');
  t?.add('cipher_suite', cipherSuiteLabel(cipherSuite), at, 2);
  let compressionMethod = 0;
  if (!earlyDraft) {
    at = r.position;
    compressionMethod = r.u8('legacy_compression_method');
    t?.add('legacy_compression_method', compressionLabel(compressionMethod), at, 1);
  }
  const facts = emptyExtensionFacts();
  const extensions = r.atEnd ? [] : parseExtensionBlock(r, hrr ? 'hello_retry_request' : 'server_hello', ctx, facts);
  r.expectEnd('server_hello');
  const hello: ServerHelloInfo = {
    version,
    random,
    sessionId,
    cipherSuite,
    compressionMethod,
    extensions,
    selectedVersion: facts.selectedVersion,
    alpn: facts.alpn[0] ?? null,
    selectedIdentity: facts.selectedIdentity,
    keyShareGroup: facts.keyShareGroup,
    helloRetryRequest: hrr,
  };
  if (facts.truncated) hello.extensionsTruncated = true;
  return hello;
}
