import { ParseError } from '../bytes/byte-reader';
import type { ByteReader } from '../bytes/byte-reader';
import type { ClientHelloInfo } from '../session/model';
import type { ParseContext } from './parse-context';
import { hex16, versionLabel } from './labels';
import { cipherSuiteName } from './registries';

/**
 * An SSL 2.0-format ClientHello, as TLS clients sent it for compatibility
 * (RFC 5246 E.2, RFC 6101 E.1). Only the 2-byte record header form:
 *   uint8 V2CipherSpec[3];
 *   struct {
 *       uint16 msg_length;          // high bit set; length of what follows
 *       uint8 msg_type;             // 1
 *       Version version;
 *       uint16 cipher_spec_length;  // a multiple of 3
 *       uint16 session_id_length;
 *       uint16 challenge_length;
 *       V2CipherSpec cipher_specs[V2ClientHello.cipher_spec_length];
 *       opaque session_id[V2ClientHello.session_id_length];
 *       opaque challenge[V2ClientHello.challenge_length];
 *   } V2ClientHello;
 * `r` covers the whole record, header included (that is the message's `raw`).
 */
export function parseSslv2ClientHello(r: ByteReader, ctx: ParseContext): ClientHelloInfo {
  const t = ctx.t;
  const head = r.u16('msg_length');
  t?.add('msg_length', `${head & 0x7fff}`, 0, 2);
  const type = r.u8('msg_type');
  t?.add('msg_type', `client_hello (${type})`, 2, 1);
  const version = r.u16('version');
  t?.add('version', versionLabel(version), 3, 2);
  const specLength = r.u16('cipher_spec_length');
  t?.add('cipher_spec_length', `${specLength}`, 5, 2);
  const sidLength = r.u16('session_id_length');
  t?.add('session_id_length', `${sidLength}`, 7, 2);
  const challengeLength = r.u16('challenge_length');
  t?.add('challenge_length', `${challengeLength}`, 9, 2);
  if (specLength % 3 !== 0) throw new ParseError(`cipher_spec_length ${specLength} is not a multiple of 3`, 5);
  const specs = r.sub(specLength, 'cipher_specs');
  t?.open('cipher_specs', `${specLength / 3} specs`, specs.position, specLength);
  const cipherSuites: number[] = [];
  while (!specs.atEnd) {
    const at = specs.position;
    const v = (specs.u8('V2CipherSpec') << 16) | specs.u16('V2CipherSpec');
    cipherSuites.push(v);
    t?.add('V2CipherSpec', v2CipherSpecLabel(v), at, 3);
  }
  t?.close();
  let at = r.position;
  const sessionId = r.bytesCopy(sidLength, 'session_id');
  t?.add('session_id', `${sidLength} bytes`, at, sidLength);
  at = r.position;
  const random = r.bytesCopy(challengeLength, 'challenge');
  t?.add('challenge', `${challengeLength} bytes`, at, challengeLength);
  r.expectEnd('SSLv2 client_hello');
  return {
    version,
    random,
    sessionId,
    cipherSuites,
    compressionMethods: [],
    extensions: [],
    sni: null,
    alpn: [],
    supportedVersions: [],
    supportedGroups: [],
    ecPointFormats: [],
    signatureAlgorithms: [],
    keyShares: [],
    pskKeyExchangeModes: [],
    pskIdentities: 0,
    sessionTicketLength: null,
    sslv2: true,
  };
}

const V2_SPECS: Record<number, string> = {
  0x010080: 'SSL2_RC4_128_WITH_MD5',
  0x020080: 'SSL2_RC4_128_EXPORT40_WITH_MD5',
  0x030080: 'SSL2_RC2_128_CBC_WITH_MD5',
  0x040080: 'SSL2_RC2_128_CBC_EXPORT40_WITH_MD5',
  0x050080: 'SSL2_IDEA_128_CBC_WITH_MD5',
  0x060040: 'SSL2_DES_64_CBC_WITH_MD5',
  0x0700c0: 'SSL2_DES_192_EDE3_CBC_WITH_MD5',
};

/** SSL 2.0 specs by their SSL 2.0 names; 0x00XXXX specs are TLS cipher suites. */
function v2CipherSpecLabel(v: number): string {
  const hex = `0x${v.toString(16).padStart(6, '0')}`;
  if (v < 0x10000) return `${cipherSuiteName(v) ?? 'Unknown'} (${hex16(v)})`;
  return `${V2_SPECS[v] ?? 'Unknown'} (${hex})`;
}
