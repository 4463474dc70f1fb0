/**
 * A live key log (`KeyLog({ live: true })`, the intercepting live proxy's):
 * secrets arrive after a connection's ClientHello (the TLS stacks log them
 * during the handshake) but before the records they unlock, and the
 * connection still decrypts, exactly as with every secret known from the
 * start. Real capture and key log: test/fixtures/decrypt (see SOURCES.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../../electron/core/capture/capture-reader';
import { SessionAnalyzer } from '../../../electron/core/session/analyzer';
import { toContractSession } from '../../../electron/core/session/contract-json';
import { KeyLog, parseKeyLog } from '../../../electron/core/tls/decrypt/keylog';

const fixtures = join(import.meta.dirname, '../../fixtures/decrypt');
const capture = readFileSync(join(fixtures, 'tls12-decryption.pcap'));
const keyLogText = readFileSync(join(fixtures, 'tls12-decryption.nss-keylog.txt'), 'utf8');

/** Analyzes the capture; `beforeFrame` runs before each packet is pushed. */
function analyze(keyLog: KeyLog | undefined, beforeFrame: (frame: number) => void = () => undefined): SessionAnalyzer {
  const analyzer = new SessionAnalyzer(keyLog ? { keyLog } : {});
  const reader = createCaptureReader({
    onPacket: (p) => {
      beforeFrame(p.frame);
      analyzer.push(p);
    },
  });
  reader.feed(capture);
  reader.end();
  analyzer.finish();
  return analyzer;
}

describe('live key log', () => {
  const known = analyze(parseKeyLog(keyLogText).keyLog).sessions;
  const session = known[0]!;
  const hello = session.messages.find((m) => m.type === 'client_hello')!.frame;
  const firstEncrypted = session.messages.find((m) => m.type === 'change_cipher_spec')!.frame;

  it('the secrets arriving between the ClientHello and the ChangeCipherSpec decrypt the connection as if known at the start', () => {
    expect(session.messages.filter((m) => m.decrypted && m.type === 'finished')).toHaveLength(2);
    expect(firstEncrypted).toBeGreaterThan(hello);
    const live = new KeyLog({ live: true });
    const sessions = analyze(live, (frame) => {
      if (frame === firstEncrypted) parseKeyLog(keyLogText, live);
    }).sessions;
    expect(sessions.map(toContractSession)).toEqual(known.map(toContractSession));
  });

  it('a file key log (not live) given the secrets at the same point decrypts nothing: it looks them up at the ClientHello', () => {
    const late = new KeyLog();
    const sessions = analyze(late, (frame) => {
      if (frame === firstEncrypted) parseKeyLog(keyLogText, late);
    }).sessions;
    expect(sessions[0]!.messages.some((m) => m.decrypted)).toBe(false);
  });

  it('secrets that never come: the connection shows as without a key log, with no warning', () => {
    const plain = analyze(undefined).sessions;
    const sessions = analyze(new KeyLog({ live: true })).sessions;
    expect(sessions[0]!.warnings).toEqual([]);
    expect(sessions.map(toContractSession)).toEqual(plain.map(toContractSession));
  });
});
