import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cipherSuiteParams, supportedCipherSuites, type CipherSuiteParams } from '../../../electron/core/tls/decrypt/cipher-suite-params';
import { HandshakeFramer } from '../../../electron/core/tls/decrypt/handshake-framer';
import { KeyLog } from '../../../electron/core/tls/decrypt/keylog';
import { RecordDecryptor } from '../../../electron/core/tls/decrypt/record-decryptor';
import { SessionKeys } from '../../../electron/core/tls/decrypt/session-keys';
import { tls13Nonce, tls13TrafficKeys } from '../../../electron/core/tls/decrypt/tls13-key-schedule';

function decryptorFor(suite: CipherSuiteParams, version: number, encryptThenMac: boolean): RecordDecryptor {
  return new RecordDecryptor({
    suite, version, encryptThenMac,
    key: randomBytes(suite.keyLength), iv: randomBytes(suite.fixedIvLength),
    macKey: randomBytes(suite.macHash === 'sha384' ? 48 : suite.macHash === 'sha256' ? 32 : 20),
  });
}

describe('RecordDecryptor on hostile input', () => {
  const variants = supportedCipherSuites().flatMap((suite) => suite.tls13
    ? [{ suite, version: 0x0304, etm: false }]
    : [0x0301, 0x0302, 0x0303].flatMap((version) => [false, true].map((etm) => ({ suite, version, etm }))));

  it.each(variants.map((v) => [`${v.suite.name} 0x${v.version.toString(16)}${v.etm ? ' EtM' : ''}`, v] as const))(
    '%s: any length of random bytes gives a failure result, never an exception', (_name, v) => {
      const decryptor = decryptorFor(v.suite, v.version, v.etm);
      const lengths = [0, 1, 5, 8, 15, 16, 17, 20, 24, 31, 32, 33, 48, 64, 65, 80, 96, 1000, 16_384 + 256];
      for (const length of lengths) {
        const result = decryptor.decrypt({ type: 23, version: 0x0303, fragment: randomBytes(length) });
        expect(result.ok).toBe(false);
      }
      expect(decryptor.nextSequenceNumber).toBe(lengths.length);
    });

  it('a TLS 1.3 inner plaintext of zeros only is no-content-type (RFC 8446 5.4)', () => {
    const suite = cipherSuiteParams(0x1301)!;
    const secret = randomBytes(32);
    const { key, iv } = tls13TrafficKeys(suite, secret);
    const inner = new Uint8Array(20);
    const header = Uint8Array.of(23, 3, 3, 0, inner.length + 16);
    const cipher = createCipheriv('aes-128-gcm', key, tls13Nonce(iv, 0));
    cipher.setAAD(header);
    const fragment = Buffer.concat([cipher.update(inner), cipher.final(), cipher.getAuthTag()]);
    const decryptor = new RecordDecryptor({ suite, version: 0x0304, key, iv, macKey: new Uint8Array(0), encryptThenMac: false });
    expect(decryptor.decrypt({ type: 23, version: 0x0303, fragment })).toEqual({ ok: false, reason: 'no-content-type' });
  });

  it('tryDecrypt leaves the sequence number where it was when the record does not open', () => {
    const decryptor = decryptorFor(cipherSuiteParams(0xc02f)!, 0x0303, false);
    decryptor.tryDecrypt({ type: 23, version: 0x0303, fragment: randomBytes(40) });
    expect(decryptor.nextSequenceNumber).toBe(0);
  });
});

describe('tls13Nonce', () => {
  it('XORs the big-endian sequence number into the last 8 bytes of the IV (RFC 8446 5.3)', () => {
    const iv = new Uint8Array(12).fill(0xff);
    expect(Buffer.from(tls13Nonce(iv, 0)).toString('hex')).toBe('ff'.repeat(12));
    expect(Buffer.from(tls13Nonce(iv, 1)).toString('hex')).toBe(`${'ff'.repeat(11)}fe`);
    expect(Buffer.from(tls13Nonce(iv, 2 ** 32 + 2)).toString('hex')).toBe(`${'ff'.repeat(7)}fe${'ff'.repeat(3)}fd`);
  });
});

describe('HandshakeFramer', () => {
  it('finds messages that span pushes, and zero-length ones, in constant memory', () => {
    const framer = new HandshakeFramer();
    // EncryptedExtensions (8) of 2 bytes split 3 ways, then EndOfEarlyData (5, empty) and half a Finished (20).
    expect(framer.push(Uint8Array.of(8, 0))).toEqual([]);
    expect(framer.push(Uint8Array.of(0, 2, 0))).toEqual([]);
    expect(framer.push(Uint8Array.of(0, 5, 0, 0, 0, 20, 0, 0, 4, 1, 2))).toEqual([8, 5]);
    expect(framer.push(Uint8Array.of(3, 4))).toEqual([20]);
    // A header claiming 16 MiB: nothing is allocated, nothing ends.
    expect(framer.push(Uint8Array.of(11, 0xff, 0xff, 0xff, 1, 2, 3))).toEqual([]);
  });
});

describe('SessionKeys', () => {
  it('reports a suite it cannot decrypt as unsupported, not as missing keys', () => {
    const keyLog = new KeyLog();
    const clientRandom = randomBytes(32);
    keyLog.add('CLIENT_RANDOM', clientRandom, randomBytes(48));
    const keys = new SessionKeys({ clientRandom, serverRandom: randomBytes(32), version: 0x0303, cipherSuite: 0x000a, keyLog });
    expect(keys.status).toBe('unsupported-cipher-suite');
    expect(keys.decryptClient({ type: 20, version: 0x0303, fragment: Uint8Array.of(1) })).toEqual({ kind: 'cleartext' });
    expect(keys.decryptClient({ type: 22, version: 0x0303, fragment: randomBytes(40) }))
      .toEqual({ kind: 'undecryptable', reason: 'unsupported-cipher-suite' });
  });

  it('does not try SSL 3.0 (its MAC and PRF differ): unsupported-version', () => {
    const keyLog = new KeyLog();
    const clientRandom = randomBytes(32);
    keyLog.add('CLIENT_RANDOM', clientRandom, randomBytes(48));
    const keys = new SessionKeys({ clientRandom, serverRandom: randomBytes(32), version: 0x0300, cipherSuite: 0x002f, keyLog });
    expect(keys.status).toBe('unsupported-version');
    keys.decryptServer({ type: 20, version: 0x0300, fragment: Uint8Array.of(1) });
    expect(keys.decryptServer({ type: 22, version: 0x0300, fragment: randomBytes(48) }))
      .toEqual({ kind: 'undecryptable', reason: 'unsupported-version' });
  });

  it('keeps TLS 1.3 records of other outer types (compatibility ChangeCipherSpec, cleartext alerts) in the clear', () => {
    const keys = new SessionKeys({ clientRandom: randomBytes(32), serverRandom: randomBytes(32), version: 0x0304, cipherSuite: 0x1301, keyLog: new KeyLog() });
    expect(keys.status).toBe('no-keys');
    expect(keys.decryptClient({ type: 20, version: 0x0303, fragment: Uint8Array.of(1) })).toEqual({ kind: 'cleartext' });
    expect(keys.decryptServer({ type: 21, version: 0x0303, fragment: Uint8Array.of(2, 40) })).toEqual({ kind: 'cleartext' });
    expect(keys.decryptServer({ type: 23, version: 0x0303, fragment: randomBytes(40) })).toEqual({ kind: 'undecryptable', reason: 'no-keys' });
  });
});
