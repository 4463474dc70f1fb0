/**
 * A decoder renewed for another connection (`TlsConnectionDecoder.renew`: the
 * CLI keeps finished connections' decoders for the next) must decode it as a
 * new decoder would: nothing of the previous connection's state carries over.
 */
import { describe, expect, it } from 'vitest';
import { TlsConnectionDecoder, type DecodedMessage } from '../../../electron/core/tls/tls-connection-decoder';
import { KeyLog } from '../../../electron/core/tls/decrypt/keylog';
import { concat, record, u16 } from './support/tls-builder';

/** A server's handshake record: a ServerHelloDone, then one byte more (so not a chain of whole messages). */
const helloDoneAndMore = record(22, new Uint8Array([14, 0, 0, 0, 0xff]));
/** The server's ChangeCipherSpec (TLS <= 1.2: its handshake records are encrypted from here on). */
const serverCcs = record(20, new Uint8Array([1]));
/** A record cut short: its header and 2 of its 10 body bytes. */
const partial = record(22, new Uint8Array(10)).subarray(0, 7);

function recorder(): { events: { onMessage(d: DecodedMessage): void; onWarning(side: string, text: string): void }; types: string[]; warnings: string[] } {
  const types: string[] = [];
  const warnings: string[] = [];
  return { events: { onMessage: (d) => types.push(`${d.message.from}:${d.message.type}`), onWarning: (_side, text) => warnings.push(text) }, types, warnings };
}

describe('renewed TLS decoder', () => {
  it('forgets the previous connection: encryption after its CCS, a record cut short', () => {
    const first = recorder();
    const decoder = new TlsConnectionDecoder(first.events, { copyRaw: false, keepRecordBytes: false, reuseMessages: true });
    decoder.push('server', concat(serverCcs, helloDoneAndMore, partial), 1, 1n);
    expect(first.types).toEqual(['server:change_cipher_spec', 'server:encrypted_handshake']);

    const second = recorder();
    expect(decoder.renew(second.events)).toBe(true);
    decoder.push('server', helloDoneAndMore, 2, 2n);
    // Read as plaintext, as by a new decoder; the previous connection's events hear nothing more.
    expect(second.types).toEqual(['server:server_hello_done']);
    expect(first.types).toHaveLength(2);

    const fresh = recorder();
    new TlsConnectionDecoder(fresh.events).push('server', helloDoneAndMore, 2, 2n);
    expect(second.types).toEqual(fresh.types);
    expect(second.warnings).toEqual(fresh.warnings);
  });

  it('frames the next connection from scratch: after lost sync, a split header, a first record seen', () => {
    // An SSLv2-format ClientHello (only a client's first record may be one), then a TLS record.
    const body = concat(new Uint8Array([1]), u16(0x0301), u16(3), u16(0), u16(16), new Uint8Array([0, 0, 0x39]), new Uint8Array(16).fill(7));
    const sslv2Stream = concat(u16(0x8000 | body.length), body, record(22, new Uint8Array([16, 0, 0, 0])));
    const fresh = recorder();
    new TlsConnectionDecoder(fresh.events).push('client', sslv2Stream, 1, 1n);
    expect(fresh.types).toEqual(['client:client_hello', 'client:client_key_exchange']);
    expect(fresh.warnings).toEqual([]);

    // Left behind: a record read (no longer the first), then bytes that are not TLS (sync lost).
    const lost = new TlsConnectionDecoder(recorder().events, { copyRaw: false, keepRecordBytes: false, reuseMessages: true });
    lost.push('client', concat(record(22, new Uint8Array([16, 0, 0, 0])), new Uint8Array([0x47, 0x45, 0x54, 0x20, 0x2f, 0x20])), 1, 1n);
    const afterLost = recorder();
    expect(lost.renew(afterLost.events)).toBe(true);
    lost.push('client', sslv2Stream, 2, 2n);
    expect(afterLost.types).toEqual(fresh.types);
    expect(afterLost.warnings).toEqual(fresh.warnings);

    // Left behind: 3 bytes of a record header (split across segments) and application data's partial body.
    const split = new TlsConnectionDecoder(recorder().events, { copyRaw: false, keepRecordBytes: false, reuseMessages: true });
    split.push('server', record(23, new Uint8Array(100)).subarray(0, 50), 1, 1n);
    split.push('client', sslv2Stream.subarray(0, 3), 1, 1n);
    const afterSplit = recorder();
    expect(split.renew(afterSplit.events)).toBe(true);
    split.push('client', sslv2Stream, 2, 2n);
    split.push('server', helloDoneAndMore, 3, 3n);
    const freshBoth = recorder();
    const d = new TlsConnectionDecoder(freshBoth.events);
    d.push('client', sslv2Stream, 2, 2n);
    d.push('server', helloDoneAndMore, 3, 3n);
    expect(afterSplit.types).toEqual(freshBoth.types);
    expect(afterSplit.types).toEqual(['client:client_hello', 'client:client_key_exchange', 'server:server_hello_done']);
    expect(afterSplit.warnings).toEqual(freshBoth.warnings);
  });

  it('refuses to renew a decoder with a key log (its decryption state belongs to its connection)', () => {
    const r = recorder();
    const decoder = new TlsConnectionDecoder(r.events, { keyLog: new KeyLog() });
    expect(decoder.renew(recorder().events)).toBe(false);
  });
});
