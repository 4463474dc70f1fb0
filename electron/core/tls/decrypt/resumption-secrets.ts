/**
 * TLS <= 1.2 master secrets by the handles a later connection resumes them
 * with (RFC 5246 7.3 session ID, RFC 5077 session ticket), as tshark keeps
 * them: a key log often has the secret of the full handshake only, and an
 * abbreviated handshake reuses it under a new client random.
 *
 * One store per analysis (shared by its connections), bounded: the oldest
 * handles go first. Key material: never printed.
 */
import { toHex } from '../../bytes/hex';

const MAX_ENTRIES = 100_000;

export class ResumptionSecrets {
  private readonly byHandle = new Map<string, Uint8Array>();

  /** Remembers `masterSecret` for a session ID (non-empty) or a ticket. */
  remember(kind: 'id' | 'ticket', handle: Uint8Array, masterSecret: Uint8Array): void {
    if (handle.length === 0) return;
    const key = `${kind}:${toHex(handle)}`;
    this.byHandle.delete(key);
    this.byHandle.set(key, masterSecret.slice());
    if (this.byHandle.size > MAX_ENTRIES) {
      const oldest = this.byHandle.keys().next().value;
      if (oldest !== undefined) this.byHandle.delete(oldest);
    }
  }

  find(kind: 'id' | 'ticket', handle: Uint8Array): Uint8Array | undefined {
    return handle.length === 0 ? undefined : this.byHandle.get(`${kind}:${toHex(handle)}`);
  }

  get size(): number {
    return this.byHandle.size;
  }

  toString(): string {
    return `ResumptionSecrets(${this.byHandle.size} sessions)`;
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
