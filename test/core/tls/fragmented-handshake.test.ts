import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { decodeCapture } from './support/decode-capture';
import { tsharkMessages } from './support/tshark-tls-view';

const file = fileURLToPath(new URL('../../fixtures/tls/zeek-tls-fragmented-handshake.pcap.gz', import.meta.url));

describe('a handshake message fragmented across records (RFC 8446 5.1)', () => {
  it('reassembles the Certificate from 21 records into certificates openssl accepts', () => {
    const [stream] = decodeCapture(file);
    expect(stream!.warnings).toEqual([]);
    const types = stream!.messages.map((m) => `${m.message.frame} ${m.message.from} ${m.message.type}`);
    expect(types.slice(0, 5)).toEqual(['4 client client_hello', '6 server server_hello', '410 server certificate', '411 server server_key_exchange', '411 server server_hello_done']);
    const cert = stream!.messages[2]!;
    // Every frame from the first fragment to the last carried part of it.
    expect(cert.message.frames[0]).toBe(6);
    expect(cert.message.frames.at(-1)).toBe(410);
    expect(cert.message.frames).toHaveLength(235);
    expect(cert.message.frames.every((f, i, all) => i === 0 || f > all[i - 1]!)).toBe(true);
    // After a message of 235 frames, the next ones name only their own frames.
    expect(stream!.messages[3]!.message.frames).toEqual([410, 411]);
    expect(stream!.messages[4]!.message.frames).toEqual([411]);
    expect(cert.message.length + 4).toBe(cert.message.raw.length);
    expect(cert.certificates!.length).toBeGreaterThan(0);
    for (const der of cert.certificates!) {
      const subject = execFileSync('openssl', ['x509', '-inform', 'DER', '-noout', '-subject'], { input: der }).toString();
      expect(subject).toMatch(/^subject=/);
    }
    expect(stream!.messages[3]!.serverKeyExchange).toMatchObject({ kind: 'ecdhe' });
  });

  it('differs from tshark 4.0, which shows each fragment as an encrypted handshake message', () => {
    const theirs = tsharkMessages(file).map((m) => m.type);
    expect(theirs).not.toContain('certificate');
    expect(theirs.filter((t) => t === 'encrypted_handshake').length).toBeGreaterThan(15);
  });
});
