/**
 * The running hash of the handshake messages (RFC 8446 4.4.1 Transcript-Hash,
 * RFC 5246 7.4.9 Hash(handshake_messages)), fed one whole handshake message
 * (4-byte header included) at a time, in the order they were sent by both
 * sides. Each hash the Finished of any version may need runs at once (the
 * negotiated one is only known after ServerHello, and ClientHello comes
 * first); handshake bytes are few, so this costs little.
 */
import { createHash, type Hash } from 'node:crypto';
import { TLS1_2 } from './tls12-key-schedule';
import type { CipherSuiteParams } from './cipher-suite-params';

export type TranscriptHashName = 'sha256' | 'sha384' | 'md5+sha1';

export class HandshakeTranscript {
  private readonly md5: Hash = createHash('md5');
  private readonly sha1: Hash = createHash('sha1');
  private readonly sha256: Hash = createHash('sha256');
  private readonly sha384: Hash = createHash('sha384');

  /** Adds one handshake message, header included (RFC 8446 4: msg_type, length, body). */
  add(message: Uint8Array): void {
    this.md5.update(message);
    this.sha1.update(message);
    this.sha256.update(message);
    this.sha384.update(message);
  }

  /** The hash of everything added so far (the transcript stays open for more). */
  hash(name: TranscriptHashName): Uint8Array {
    if (name === 'md5+sha1') {
      const out = new Uint8Array(36);
      out.set(this.md5.copy().digest(), 0);
      out.set(this.sha1.copy().digest(), 16);
      return out;
    }
    const digest = (name === 'sha256' ? this.sha256 : this.sha384).copy().digest();
    return new Uint8Array(digest.buffer, digest.byteOffset, digest.length);
  }
}

/** Which transcript hash the Finished of `version` with `suite` is computed over. */
export function transcriptHashName(version: number, suite: CipherSuiteParams): TranscriptHashName {
  if (suite.tls13 || version >= TLS1_2) return suite.prfHash;
  return 'md5+sha1';
}
