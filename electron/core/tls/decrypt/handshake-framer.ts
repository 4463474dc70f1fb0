/**
 * Finds handshake message boundaries in a stream of decrypted handshake
 * bytes (one direction), across records, without keeping the bodies:
 *
 *   struct { HandshakeType msg_type; uint24 length; select (msg_type) { ... } body; } Handshake;   (RFC 8446 4)
 *
 * The key schedule only needs to know when a Finished, KeyUpdate or
 * EndOfEarlyData ended; the dissector parses the messages themselves.
 * Constant memory whatever the lengths claim.
 */
export class HandshakeFramer {
  private header = 0;
  private headerBytes = 0;
  private type = -1;
  private remaining = 0;

  /** Feeds bytes; returns the types of the messages that ended inside them, in order. */
  push(bytes: Uint8Array): number[] {
    const ended: number[] = [];
    let i = 0;
    while (i < bytes.length) {
      if (this.type < 0) {
        this.header = this.header * 256 + bytes[i++]!;
        if (++this.headerBytes < 4) continue;
        this.type = Math.floor(this.header / 0x100_0000);
        this.remaining = this.header % 0x100_0000;
        this.header = 0;
        this.headerBytes = 0;
      } else {
        const take = Math.min(this.remaining, bytes.length - i);
        i += take;
        this.remaining -= take;
      }
      if (this.type >= 0 && this.remaining === 0) {
        ended.push(this.type);
        this.type = -1;
      }
    }
    return ended;
  }
}
