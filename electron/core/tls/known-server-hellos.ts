/**
 * ServerHellos recognised by their shape (hello-shape.ts), as
 * known-client-hellos.ts recognises ClientHellos: a server answers its
 * clients alike but for the random, the session ID and its key share's
 * bytes. A shape met before in a ServerHello that parsed without a problem
 * gives the slim hello and the JA3S at once. HelloRetryRequests, and anything
 * unusual, are left to the full parse (server-hello.ts).
 */
import type { ServerHelloInfo } from '../session/model';
import { slimServerHelloOf } from '../session/slim-hellos';
import { keepBytesOf } from '../bytes/byte-slab';
import { opensExtensionData } from './extensions';
import { ShapeMemo, ShapeWriter } from './hello-shape';
import type { Fingerprint } from './fingerprints';

/**
 * A recognised hello: reused for the next (read it during the call that got it).
 * Also what a shape stands for: a slim hello of its facts (its session ID replaced per hello) and its JA3S.
 */
export interface KnownServerHello {
  hello: ServerHelloInfo;
  ja3s: Fingerprint;
}

const w = new ShapeWriter();
const shapes = new ShapeMemo<KnownServerHello>(w, 256);
const result: KnownServerHello = { hello: null as unknown as ServerHelloInfo, ja3s: null as unknown as Fingerprint };

/** msg_type server_hello. */
const HANDSHAKE_TYPE = 2;

let sessionIdAt = 0;
let sessionIdLength = 0;

/**
 * The slim hello and JA3S of the ServerHello `raw` (its 4-byte handshake
 * header first; not a HelloRetryRequest) if its shape is known; null
 * otherwise (parse it, then `rememberServerHello`). `clientSessionId`, the
 * connection's ClientHello's (kept, never changed): a session ID echoing it is
 * that very array rather than a copy (TLS 1.3 echoes it always).
 */
export function knownServerHello(raw: Uint8Array, clientSessionId: Uint8Array | null): KnownServerHello | null {
  const known = shapes.lookup(walk(raw));
  if (known === undefined) return null;
  const sessionId = clientSessionId !== null && echoes(raw, clientSessionId)
    ? clientSessionId
    : keepBytesOf(raw, sessionIdAt, sessionIdAt + sessionIdLength);
  result.hello = slimServerHelloOf(known.hello, sessionId);
  result.ja3s = known.ja3s;
  return result;
}

/**
 * After `knownServerHello` gave null for a hello that then parsed into `sh`
 * (no HelloRetryRequest) with no problem and no truncation, with this JA3S:
 * its shape stands for them from now on.
 */
export function rememberServerHello(sh: ServerHelloInfo, ja3s: Fingerprint): void {
  if (!shapes.pending || sh.helloRetryRequest) return;
  shapes.remember({ hello: slimServerHelloOf(sh, sh.sessionId), ja3s });
}

/** Whether the session ID the last walk found is `id`'s bytes. */
function echoes(raw: Uint8Array, id: Uint8Array): boolean {
  if (id.length !== sessionIdLength || sessionIdLength === 0) return false;
  for (let i = 0; i < sessionIdLength; i++) if (raw[sessionIdAt + i] !== id[i]) return false;
  return true;
}

/** One pass over the ServerHello (RFC 8446 4.1.3, as server-hello.ts reads it): false when not as a sound one has it. */
function walk(raw: Uint8Array): boolean {
  w.reset();
  sessionIdAt = 0;
  sessionIdLength = 0;
  if (raw.length < 4 || raw[0] !== HANDSHAKE_TYPE) return false;
  const end = 4 + ((raw[1]! << 16) | (raw[2]! << 8) | raw[3]!);
  if (end > raw.length) return false;
  let p = 4;
  // legacy_version, random
  if (end - p < 2 + 32) return false;
  const version = (raw[p]! << 8) | raw[p + 1]!;
  w.u16(version);
  p += 34;
  // TLS 1.3 drafts before 22, and 0x0304 in this field: no session ID echo, no compression method (server-hello.ts).
  const earlyDraft = ((version & 0xff00) === 0x7f00 && (version & 0xff) < 22) || version === 0x0304;
  if (!earlyDraft) {
    if (end - p < 1) return false;
    sessionIdLength = raw[p]!;
    sessionIdAt = p + 1;
    if (sessionIdLength > end - p - 1) return false;
    p += 1 + sessionIdLength;
  }
  // cipher_suite, legacy_compression_method
  const fixed = earlyDraft ? 2 : 3;
  if (end - p < fixed) return false;
  w.copy(raw, p, p + fixed);
  p += fixed;
  if (p === end) {
    w.u8(0); // no extensions
    return true;
  }
  w.u8(1);
  if (end - p < 2) return false;
  const block = (raw[p]! << 8) | raw[p + 1]!;
  p += 2;
  if (p + block !== end) return false;
  while (p < end) {
    if (end - p < 4) return false;
    const type = (raw[p]! << 8) | raw[p + 1]!;
    const length = (raw[p + 2]! << 8) | raw[p + 3]!;
    p += 4;
    if (length > end - p) return false;
    const dataEnd = p + length;
    w.u16(type);
    if (type === 51) {
      // key_share: KeyShareEntry server_share; its group is the shape, its key_exchange<1..2^16-1> is not.
      if (length < 4 || 4 + ((raw[p + 2]! << 8) | raw[p + 3]!) !== length) return false;
      w.copy(raw, p, p + 2);
    } else if (type !== 35 && opensExtensionData(type)) {
      // Data the parser opens (session_ticket's it skips whole): its bytes are the shape.
      w.u16(length);
      w.copy(raw, p, dataEnd);
    }
    p = dataEnd;
  }
  return true;
}
