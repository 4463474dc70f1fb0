/**
 * What a session keeps of its hellos when their details are not wanted
 * (`AnalyzerOptions.keepHelloDetails` false: the CLI's analysis, whose
 * document shows none of them). A ClientHello's details (cipher suites,
 * extensions, groups, key shares...) weigh some 1.5 KB per session: kept, they
 * live as long as the session and the garbage collector copies them along;
 * slimmed as soon as the session took its facts from them (SNI, ALPN,
 * fingerprints, resumption), they die young.
 *
 * A slim hello still says that the hello was seen, and keeps what the
 * session's later facts read: the ClientHello's session ID (compared with the
 * ServerHello's echo) and the fields the session copies anyway. Lists are
 * empty (one shared, frozen list); `random` is empty.
 */
import type { ClientHelloInfo, ServerHelloInfo } from './model';

const NO_BYTES = new Uint8Array(0);
/** One empty list for every slim hello's lists (frozen: they are read, never written). */
const NONE = Object.freeze([]) as readonly never[] as never[];

export function slimClientHello(ch: ClientHelloInfo): ClientHelloInfo {
  const slim = slimClientHelloOf(ch.version, ch.sessionId, ch.sni, ch.alpn, ch.pskIdentities, ch.sessionTicketLength, ch.sslv2);
  if (ch.extensionsTruncated) slim.extensionsTruncated = true;
  return slim;
}

/** A slim ClientHello of these facts (the one literal every slim ClientHello is made by: one object shape for all). */
export function slimClientHelloOf(
  version: number,
  sessionId: Uint8Array,
  sni: string | null,
  alpn: string[],
  pskIdentities: number,
  sessionTicketLength: number | null,
  sslv2: boolean,
): ClientHelloInfo {
  return {
    version,
    random: NO_BYTES,
    sessionId,
    cipherSuites: NONE,
    compressionMethods: NONE,
    extensions: NONE,
    sni,
    alpn,
    supportedVersions: NONE,
    supportedGroups: NONE,
    ecPointFormats: NONE,
    signatureAlgorithms: NONE,
    keyShares: NONE,
    pskKeyExchangeModes: NONE,
    pskIdentities,
    sessionTicketLength,
    sslv2,
  };
}

export function slimServerHello(sh: ServerHelloInfo): ServerHelloInfo {
  const slim = slimServerHelloOf(sh, sh.sessionId);
  if (sh.extensionsTruncated) slim.extensionsTruncated = true;
  return slim;
}

/** `slimServerHello` of `sh` (its truncation mark aside) with this session ID: the one literal of every slim ServerHello. */
export function slimServerHelloOf(sh: ServerHelloInfo, sessionId: Uint8Array): ServerHelloInfo {
  return {
    version: sh.version,
    random: NO_BYTES,
    sessionId,
    cipherSuite: sh.cipherSuite,
    compressionMethod: sh.compressionMethod,
    extensions: NONE,
    selectedVersion: sh.selectedVersion,
    alpn: sh.alpn,
    selectedIdentity: sh.selectedIdentity,
    keyShareGroup: sh.keyShareGroup,
    helloRetryRequest: sh.helloRetryRequest,
  };
}

/** Whether `h` is slim already (made here, or by the decoder's known hellos): its lists are the shared empty one. */
export function isSlimHello(h: ClientHelloInfo | ServerHelloInfo): boolean {
  return h.extensions === NONE;
}
