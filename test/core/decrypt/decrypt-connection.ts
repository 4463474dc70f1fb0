import { ByteReader } from '../../../electron/core/bytes/byte-reader';
import { HandshakeTranscript } from '../../../electron/core/tls/decrypt/handshake-transcript';
import type { KeyLog } from '../../../electron/core/tls/decrypt/keylog';
import type { DecryptFailureReason } from '../../../electron/core/tls/decrypt/record-decryptor';
import { SessionKeys, type Side } from '../../../electron/core/tls/decrypt/session-keys';
import type { StreamChunk } from './tshark-streams';

/**
 * Plays one TCP connection's payload (both directions, in wire order)
 * through `SessionKeys` the way the TLS decoder is meant to: records are
 * framed per direction, hellos read in the clear, a SessionKeys made at the
 * ServerHello, every later record handed to it, every Finished checked
 * against the transcript of the handshake messages before it.
 */
export interface ConnectionDecryption {
  clientRandom: Uint8Array | null;
  version: number | null;
  cipherSuite: number | null;
  encryptThenMac: boolean;
  extendedMasterSecret: boolean;
  /** ServerHello echoed a non-empty session ID that the ClientHello offered (TLS <= 1.2 resumption) or accepted a PSK (1.3). */
  resumed: boolean;
  keys: SessionKeys | null;
  /** Real content type of each record, per direction. */
  contentTypes: Record<Side, number[]>;
  handshakeTypes: Record<Side, number[]>;
  appData: Record<Side, Buffer>;
  /** Each Finished seen: whether its verify_data checked out, with what it was checked against. */
  finished: { side: Side; ok: boolean; verifyData: Uint8Array; transcriptHash: Uint8Array }[];
  failures: { side: Side; reason: DecryptFailureReason }[];
}

interface DirectionState {
  pending: Buffer;
  handshake: Buffer;
}

/**
 * RFC 8446 4.1.3:
 *   struct { ProtocolVersion legacy_version = 0x0303; Random random; opaque legacy_session_id_echo<0..32>;
 *            CipherSuite cipher_suite; uint8 legacy_compression_method = 0; Extension extensions<6..2^16-1>; } ServerHello;
 */
function parseServerHello(body: Uint8Array): { version: number; random: Uint8Array; sessionId: Uint8Array; suite: number; extensions: Map<number, Uint8Array> } {
  const r = new ByteReader(body);
  let version = r.u16();
  const random = r.bytesCopy(32);
  const sessionId = r.vec8().rest().slice();
  const suite = r.u16();
  r.u8();
  const extensions = new Map<number, Uint8Array>();
  if (!r.atEnd) {
    const list = r.vec16();
    while (!list.atEnd) {
      const type = list.u16();
      extensions.set(type, list.vec16().rest().slice());
    }
  }
  const supported = extensions.get(43);
  if (supported && supported.length === 2) version = (supported[0]! << 8) | supported[1]!;
  return { version, random, sessionId, suite, extensions };
}

export function decryptConnection(chunks: StreamChunk[], keyLog: KeyLog, options: { masterSecret?: Uint8Array } = {}): ConnectionDecryption {
  const result: ConnectionDecryption = {
    clientRandom: null, version: null, cipherSuite: null, encryptThenMac: false, extendedMasterSecret: false, resumed: false, keys: null,
    contentTypes: { client: [], server: [] },
    handshakeTypes: { client: [], server: [] },
    appData: { client: Buffer.alloc(0), server: Buffer.alloc(0) },
    finished: [],
    failures: [],
  };
  const state: Record<Side, DirectionState> = {
    client: { pending: Buffer.alloc(0), handshake: Buffer.alloc(0) },
    server: { pending: Buffer.alloc(0), handshake: Buffer.alloc(0) },
  };
  const transcript = new HandshakeTranscript();
  let clientRandom: Uint8Array | null = null;
  let clientSessionId: Uint8Array | null = null;
  const appData: Record<Side, Buffer[]> = { client: [], server: [] };

  const onHandshakeBytes = (side: Side, bytes: Uint8Array): void => {
    const d = state[side];
    d.handshake = Buffer.concat([d.handshake, bytes]);
    while (d.handshake.length >= 4) {
      const length = d.handshake.readUIntBE(1, 3);
      if (d.handshake.length < 4 + length) break;
      const message = d.handshake.subarray(0, 4 + length);
      d.handshake = d.handshake.subarray(4 + length);
      const type = message[0]!;
      const body = message.subarray(4);
      result.handshakeTypes[side].push(type);
      if (type === 1) {
        clientRandom = body.slice(2, 34);
        result.clientRandom = clientRandom;
        clientSessionId = body.slice(35, 35 + body[34]!);
      } else if (type === 2 && clientRandom) {
        const hello = parseServerHello(body);
        result.version = hello.version;
        result.cipherSuite = hello.suite;
        result.encryptThenMac = hello.extensions.has(22);
        result.extendedMasterSecret = hello.extensions.has(23);
        result.resumed = hello.version >= 0x0304
          ? hello.extensions.has(41)
          : hello.sessionId.length > 0 && !!clientSessionId && Buffer.from(hello.sessionId).equals(Buffer.from(clientSessionId));
        result.keys = new SessionKeys({
          clientRandom, serverRandom: hello.random, version: hello.version, cipherSuite: hello.suite,
          encryptThenMac: result.encryptThenMac, keyLog, masterSecret: options.masterSecret,
        });
      } else if (type === 20 && result.keys) {
        const hash = transcript.hash(result.keys.transcriptHash!);
        result.finished.push({ side, ok: result.keys.checkFinished(side, body, hash), verifyData: body.slice(), transcriptHash: hash });
      }
      transcript.add(message);
    }
  };

  // 0-RTT: client application_data records sent before the ServerHello wait for the keys it brings.
  const beforeServerHello: { type: number; version: number; fragment: Uint8Array }[] = [];
  const onRecord = (side: Side, type: number, version: number, fragment: Uint8Array): void => {
    const keys = result.keys;
    if (!keys && side === 'client' && type === 23) {
      beforeServerHello.push({ type, version, fragment: fragment.slice() });
      return;
    }
    const outcome = keys
      ? (side === 'client' ? keys.decryptClient({ type, version, fragment }) : keys.decryptServer({ type, version, fragment }))
      : { kind: 'cleartext' as const };
    if (outcome.kind === 'undecryptable') {
      result.failures.push({ side, reason: outcome.reason });
      result.contentTypes[side].push(type);
      return;
    }
    const [realType, plaintext] = outcome.kind === 'decrypted' ? [outcome.contentType, outcome.plaintext] : [type, fragment];
    result.contentTypes[side].push(realType);
    if (realType === 22) onHandshakeBytes(side, plaintext);
    if (result.keys && beforeServerHello.length > 0) {
      for (const queued of beforeServerHello.splice(0)) onRecord('client', queued.type, queued.version, queued.fragment);
    }
    if (realType === 23) appData[side].push(Buffer.from(plaintext));
  };

  for (const chunk of chunks) {
    const d = state[chunk.from];
    d.pending = Buffer.concat([d.pending, chunk.bytes]);
    while (d.pending.length >= 5) {
      const length = d.pending.readUInt16BE(3);
      if (d.pending.length < 5 + length) break;
      onRecord(chunk.from, d.pending[0]!, d.pending.readUInt16BE(1), d.pending.subarray(5, 5 + length));
      d.pending = d.pending.subarray(5 + length);
    }
  }
  result.appData = { client: Buffer.concat(appData.client), server: Buffer.concat(appData.server) };
  return result;
}
