import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  alertDescriptionName,
  cipherSuiteInfo,
  cipherSuiteName,
  extensionName,
  groupName,
  handshakeTypeName,
  isGrease,
  isGreasePskKeyExchangeMode,
  signatureSchemeName,
  versionName,
} from '../../../electron/core/tls/registries';

/** tshark 4.0.17's own names for the same code points (`tshark -G values`). */
const tsharkRows = readFileSync(join(__dirname, '../../fixtures/registries/tshark-4.0.17-tls-values.tsv'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => line.split('\t') as [string, string, string]);

const lookups: Record<string, (id: number) => string | null> = {
  'tls.handshake.ciphersuite': cipherSuiteName,
  'tls.handshake.extension.type': (id) => {
    const n = extensionName(id);
    return n === 'grease' || n.startsWith('unknown_') ? null : n;
  },
  'tls.handshake.extensions_supported_group': groupName,
  'tls.handshake.sig_hash_alg': signatureSchemeName,
  'tls.alert_message.desc': alertDescriptionName,
};

/** Names compared without case and punctuation: "Handshake Failure" = "handshake_failure". */
const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * Where IANA and Wireshark 4.0 disagree on purpose: groups 0x0200-0x0202 were
 * Wireshark's OQS code points before IANA assigned them to ML-KEM; IANA spells
 * extension 34 in the singular (RFC 9345).
 */
const knownDifferences = new Set(['tls.handshake.extensions_supported_group/512', 'tls.handshake.extensions_supported_group/513',
  'tls.handshake.extensions_supported_group/514', 'tls.handshake.extension.type/34']);

describe('registry names generated from IANA', () => {
  it('agree with tshark for every code point both know', () => {
    const agreed: Record<string, number> = {};
    const disagreements: string[] = [];
    for (const [field, value, tsharkName] of tsharkRows) {
      const ours = lookups[field]!(Number(value));
      if (ours === null || knownDifferences.has(`${field}/${Number(value)}`)) continue;
      if (norm(ours) === norm(tsharkName)) agreed[field] = (agreed[field] ?? 0) + 1;
      else disagreements.push(`${field} ${value}: ours ${ours}, tshark ${tsharkName}`);
    }
    expect(disagreements).toEqual([]);
    expect(agreed['tls.handshake.ciphersuite']).toBeGreaterThan(330);
    expect(agreed['tls.handshake.extension.type']).toBeGreaterThanOrEqual(48);
    expect(agreed['tls.alert_message.desc']).toBeGreaterThan(30);
    expect(agreed['tls.handshake.sig_hash_alg']).toBeGreaterThan(15);
    expect(agreed['tls.handshake.extensions_supported_group']).toBeGreaterThan(35);
  });

  it('names cipher suites, groups and schemes as IANA spells them', () => {
    expect(cipherSuiteName(0xc02f)).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    expect(cipherSuiteName(0x1301)).toBe('TLS_AES_128_GCM_SHA256');
    expect(cipherSuiteName(0x0a0a)).toBeNull();
    expect(cipherSuiteName(0x0060)).toBeNull(); // Wireshark knows EXPORT1024 suites; IANA never assigned them
    expect(groupName(29)).toBe('x25519');
    expect(groupName(4588)).toBe('X25519MLKEM768');
    expect(signatureSchemeName(0x0804)).toBe('rsa_pss_rsae_sha256');
    expect(signatureSchemeName(0x0402)).toBeNull();
  });

  it('drops IANA\'s _RESERVED suffix from types TLS 1.2 still uses', () => {
    expect(handshakeTypeName(0)).toBe('hello_request');
    expect(handshakeTypeName(12)).toBe('server_key_exchange');
    expect(handshakeTypeName(22)).toBe('certificate_status');
    expect(handshakeTypeName(254)).toBe('message_hash');
    expect(handshakeTypeName(7)).toBeNull();
    expect(alertDescriptionName(0)).toBe('close_notify');
    expect(alertDescriptionName(40)).toBe('handshake_failure');
    expect(alertDescriptionName(41)).toBe('no_certificate');
    expect(alertDescriptionName(1)).toBeNull();
  });

  it('names extensions, GREASE and unknown values', () => {
    expect(extensionName(0)).toBe('server_name');
    expect(extensionName(10)).toBe('supported_groups');
    expect(extensionName(35)).toBe('session_ticket');
    expect(extensionName(65037)).toBe('encrypted_client_hello');
    expect(extensionName(0x3a3a)).toBe('grease');
    expect(extensionName(17513)).toBe('unknown_17513'); // application_settings: Chrome's, not in the registry
  });
});

describe('isGrease', () => {
  it('accepts exactly the 16 RFC 8701 values', () => {
    const all = [];
    for (let v = 0; v <= 0xffff; v++) if (isGrease(v)) all.push(v);
    expect(all).toEqual(Array.from({ length: 16 }, (_, i) => i * 0x1010 + 0x0a0a));
    expect(isGrease(0x1a1a0000 | 0x0a0a)).toBe(false);
  });

  it('knows the one-byte psk_key_exchange_modes GREASE values', () => {
    const all = [];
    for (let v = 0; v <= 0xff; v++) if (isGreasePskKeyExchangeMode(v)) all.push(v);
    expect(all).toEqual([0x0b, 0x2a, 0x49, 0x68, 0x87, 0xa6, 0xc5, 0xe4]);
  });
});

describe('versionName', () => {
  it('names SSL, TLS, drafts and unknown versions', () => {
    expect(versionName(0x0002)).toBe('SSL 2.0');
    expect(versionName(0x0300)).toBe('SSL 3.0');
    expect(versionName(0x0301)).toBe('TLS 1.0');
    expect(versionName(0x0304)).toBe('TLS 1.3');
    expect(versionName(0x7f17)).toBe('TLS 1.3 draft 23');
    expect(versionName(0x0a0a)).toBe('0x0a0a');
    expect(versionName(0x1234)).toBe('0x1234');
  });
});

describe('cipherSuiteInfo', () => {
  it('splits TLS 1.2 names into key exchange, authentication, cipher and MAC', () => {
    expect(cipherSuiteInfo(0xc02f)).toEqual({ name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', keyExchange: 'ECDHE', authentication: 'RSA', cipher: 'AES_128_GCM', mac: 'AEAD' });
    expect(cipherSuiteInfo(0x0035)).toMatchObject({ keyExchange: 'RSA', authentication: 'RSA', cipher: 'AES_256_CBC', mac: 'SHA' });
    expect(cipherSuiteInfo(0x0004)).toMatchObject({ keyExchange: 'RSA', cipher: 'RC4_128', mac: 'MD5' });
    expect(cipherSuiteInfo(0x0033)).toMatchObject({ keyExchange: 'DHE', authentication: 'RSA' });
    expect(cipherSuiteInfo(0x0032)).toMatchObject({ keyExchange: 'DHE', authentication: 'DSS' });
    expect(cipherSuiteInfo(0x0030)).toMatchObject({ keyExchange: 'DH', authentication: 'DSS' });
    expect(cipherSuiteInfo(0xc004)).toMatchObject({ keyExchange: 'ECDH', authentication: 'ECDSA' });
    expect(cipherSuiteInfo(0x00aa)).toMatchObject({ keyExchange: 'DHE_PSK', authentication: 'PSK' });
    expect(cipherSuiteInfo(0x00ac)).toMatchObject({ keyExchange: 'RSA_PSK', authentication: 'RSA' });
    expect(cipherSuiteInfo(0xccac)).toMatchObject({ keyExchange: 'ECDHE_PSK', cipher: 'CHACHA20_POLY1305', mac: 'AEAD' });
    expect(cipherSuiteInfo(0x008c)).toMatchObject({ keyExchange: 'PSK', authentication: 'PSK' });
    expect(cipherSuiteInfo(0xc01e)).toMatchObject({ keyExchange: 'SRP', authentication: 'RSA' });
    expect(cipherSuiteInfo(0x001e)).toMatchObject({ keyExchange: 'KRB5', cipher: 'DES_CBC', mac: 'SHA' });
    expect(cipherSuiteInfo(0x0018)).toMatchObject({ keyExchange: 'DH', authentication: 'anon' });
    expect(cipherSuiteInfo(0x0000)).toMatchObject({ keyExchange: 'NULL', authentication: 'NULL', cipher: 'NULL', mac: 'NULL' });
    expect(cipherSuiteInfo(0x0002)).toMatchObject({ keyExchange: 'RSA', cipher: 'NULL', mac: 'SHA' });
    expect(cipherSuiteInfo(0xc09c)).toMatchObject({ cipher: 'AES_128_CCM', mac: 'AEAD' });
  });

  it('marks TLS 1.3 suites and leaves SCSVs and unassigned values out', () => {
    expect(cipherSuiteInfo(0x1303)).toEqual({ name: 'TLS_CHACHA20_POLY1305_SHA256', keyExchange: 'TLS13', authentication: 'TLS13', cipher: 'CHACHA20_POLY1305', mac: 'AEAD' });
    expect(cipherSuiteInfo(0x1305)).toMatchObject({ keyExchange: 'TLS13', cipher: 'AES_128_CCM_8', mac: 'AEAD' });
    expect(cipherSuiteInfo(0x00ff)).toBeNull();
    expect(cipherSuiteInfo(0x5600)).toBeNull();
    expect(cipherSuiteInfo(0x0a0a)).toBeNull();
  });

  it('classifies every assigned suite with a known key exchange', () => {
    const known = new Set(['ECDHE', 'DHE', 'RSA', 'PSK', 'ECDHE_PSK', 'DHE_PSK', 'RSA_PSK', 'DH', 'ECDH', 'SRP', 'NULL', 'KRB5', 'TLS13']);
    const odd = new Set<string>();
    for (let id = 0; id <= 0xffff; id++) {
      const info = cipherSuiteInfo(id);
      if (info && !known.has(info.keyExchange)) odd.add(info.keyExchange);
    }
    expect([...odd].sort()).toEqual(['ECCPWD', 'GOSTR341112_256']);
  });
});
