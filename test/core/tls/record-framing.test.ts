import { describe, expect, it } from 'vitest';
import { looksLikeTls } from '../../../electron/core/tls/tls-connection-decoder';
import { clientHelloBody, concat, extension, handshake, record, ascii, vec16, vec8 } from './support/tls-builder';
import { feed, recordingDecoder } from './support/decode-helper';

const sni = extension(0, vec16(concat(new Uint8Array([0]), vec16(ascii('example.com')))));
const clientHello = handshake(1, clientHelloBody({ extensions: [sni] }));
const appData = new Uint8Array(300).map((_, i) => i & 0xff);

/** A client stream: ClientHello, CCS, an alert, two application data records, a heartbeat. */
const stream = concat(
  record(22, clientHello, 0x0301),
  record(20, new Uint8Array([1])),
  record(21, new Uint8Array([1, 0])),
  record(23, appData),
  record(23, appData.subarray(0, 10)),
  record(24, new Uint8Array(40)),
);

function summary(d: ReturnType<typeof recordingDecoder>): string[] {
  return d.messages.map((m) => `${m.message.type}:${m.message.length}`);
}

describe('record framing', () => {
  it('decodes several records in one segment', () => {
    const d = recordingDecoder();
    feed(d, 'client', stream);
    expect(summary(d)).toEqual([`client_hello:${clientHello.length - 4}`, 'change_cipher_spec:1', 'alert:2', 'application_data:300', 'application_data:10', 'heartbeat:40']);
    expect(d.warnings).toEqual([]);
    expect(d.messages[0]!.clientHello!.sni).toBe('example.com');
    expect(d.messages[0]!.message.recordVersion).toBe(0x0301);
  });

  it('gives the same messages whatever the segmentation, down to 1-byte segments', () => {
    const whole = recordingDecoder();
    feed(whole, 'client', stream);
    for (let split = 1; split < stream.length; split++) {
      const d = recordingDecoder();
      d.decoder.push('client', stream.subarray(0, split), 1, 1n);
      d.decoder.push('client', stream.subarray(split), 2, 2n);
      expect(summary(d)).toEqual(summary(whole));
      expect(d.warnings).toEqual([]);
    }
    const bytewise = recordingDecoder();
    feed(bytewise, 'client', stream, 1);
    expect(summary(bytewise)).toEqual(summary(whole));
    // Each message names the frames its bytes came in (one byte a frame here; the record header's 5 frames carry none).
    const ch = bytewise.messages[0]!.message;
    expect(ch.frames).toEqual(Array.from({ length: clientHello.length }, (_, i) => 6 + i));
    expect(ch.frame).toBe(5 + clientHello.length);
    expect(ch.raw).toEqual(clientHello);
  });

  it('keeps only the first 64 bytes of application data but counts the record length', () => {
    const d = recordingDecoder();
    feed(d, 'client', stream, 7);
    const app = d.messages.find((m) => m.message.type === 'application_data')!.message;
    expect(app.length).toBe(300);
    expect(app.raw).toEqual(appData.subarray(0, 64));
  });

  it('copies what it keeps: reusing the input buffer does not change emitted messages', () => {
    const d = recordingDecoder();
    const buf = stream.slice();
    d.decoder.push('client', buf, 1, 1n);
    buf.fill(0xee);
    expect(d.messages[0]!.message.raw).toEqual(clientHello);
    expect(d.messages[0]!.clientHello!.random).toEqual(new Uint8Array(32).fill(0x11));
  });

  it('stops at bytes that are not a TLS record, with a warning, and resumes at a segment starting with a record', () => {
    const d = recordingDecoder();
    d.decoder.push('server', ascii('HTTP/1.1 400 Bad Request\r\n\r\n'), 1, 1n);
    d.decoder.push('server', ascii('more text'), 2, 2n);
    expect(d.messages).toEqual([]);
    expect(d.warnings).toHaveLength(1);
    expect(d.warnings[0]).toMatch(/^server: not a TLS record/);
    d.decoder.push('server', record(21, new Uint8Array([2, 40])), 3, 3n);
    expect(summary(d)).toEqual(['alert:2']);
    expect(d.messages[0]!.message).toMatchObject({ level: 'fatal', description: 'handshake_failure', frame: 3 });
  });

  it('refuses a record longer than 2^14+2048 and a record version that is not 3.x', () => {
    for (const bad of [record(23, new Uint8Array(0), 0x0303, 18433), record(22, new Uint8Array(4), 0x0200), record(25, new Uint8Array(2))]) {
      const d = recordingDecoder();
      feed(d, 'client', bad);
      expect(d.messages).toEqual([]);
      expect(d.warnings[0]).toMatch(/not a TLS record/);
    }
    const d = recordingDecoder();
    feed(d, 'client', record(23, new Uint8Array(18432)));
    expect(summary(d)).toEqual(['application_data:18432']);
  });

  it('keeps record boundaries across a gap inside an application data record', () => {
    const d = recordingDecoder();
    const two = concat(record(23, appData), record(21, new Uint8Array([1, 0])));
    d.decoder.push('server', two.subarray(0, 100), 1, 1n);
    d.decoder.gap('server', 100);
    d.decoder.push('server', two.subarray(200), 2, 2n);
    expect(summary(d)).toEqual(['application_data:300', 'alert:2']);
    expect(d.warnings).toEqual([]);
  });

  it('drops a handshake record damaged by a gap and a gap across records resynchronises on the next record', () => {
    const d = recordingDecoder();
    const rec = record(22, clientHello);
    d.decoder.push('client', rec.subarray(0, 20), 1, 1n);
    d.decoder.gap('client', 10);
    d.decoder.push('client', rec.subarray(30), 2, 2n);
    expect(d.messages).toEqual([]);
    expect(d.warnings.some((w) => /damaged by a gap/.test(w))).toBe(true);
    d.decoder.gap('client', 5000);
    d.decoder.push('client', appData.subarray(0, 50), 3, 3n); // middle of an unknown record: skipped
    d.decoder.push('client', record(21, new Uint8Array([1, 0])), 4, 4n);
    expect(summary(d)).toEqual(['alert:2']);
    expect(d.warnings.some((w) => /resynchronised/.test(w))).toBe(true);
  });

  it('decodes zero-length records', () => {
    const d = recordingDecoder();
    feed(d, 'client', concat(record(23, new Uint8Array(0)), record(23, new Uint8Array(3))));
    expect(summary(d)).toEqual(['application_data:0', 'application_data:3']);
  });

  it('recognises TLS and SSLv2 ClientHello starts and nothing else', () => {
    expect(looksLikeTls(record(22, new Uint8Array(10), 0x0301))).toBe(true);
    expect(looksLikeTls(new Uint8Array([0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15]))).toBe(true);
    expect(looksLikeTls(ascii('GET / HTTP/1.1\r\n'))).toBe(false);
    expect(looksLikeTls(ascii('SSH-2.0-OpenSSH'))).toBe(false);
    expect(looksLikeTls(new Uint8Array([0x16, 0x03]))).toBe(false);
    expect(looksLikeTls(vec8(new Uint8Array(0)))).toBe(false);
  });
});
