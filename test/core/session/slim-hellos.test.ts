/**
 * An analyzer that keeps no hello details (`keepHelloDetails: false`, the
 * CLI's analysis) gives the same sessions as one that keeps them: the same
 * contract facts (SNI, ALPN, fingerprints, version, suite, resumption by
 * session ID echo, by PSK and by ticket), while its sessions' hellos hold no
 * lists. Real captures with resumed sessions of every kind.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../../electron/core/capture/capture-reader';
import { SessionAnalyzer } from '../../../electron/core/session/analyzer';
import { toContractSession } from '../../../electron/core/session/contract-json';
import type { Session } from '../../../electron/core/session/model';

const corpus = (name: string) => join(import.meta.dirname, '../../fixtures/corpus', name);

function sessionsOf(name: string, keepHelloDetails: boolean, stream: boolean): Session[] {
  const handed: Session[] = [];
  const analyzer = new SessionAnalyzer({
    keepRawBytes: false,
    keepHelloDetails,
    ...(stream ? { onSessionFinal: (s: Session) => handed.push(s), handOverAtFin: true } : {}),
  });
  const reader = createCaptureReader({ onPacket: (p) => analyzer.push(p) });
  reader.feed(readFileSync(corpus(name)));
  reader.end();
  analyzer.finish();
  return stream ? handed : analyzer.sessions;
}

describe('sessions without hello details', () => {
  for (const name of ['firefox.pcap', 'tls-client-sessionid.pcap', 'tls13_psk_succesfull.pcap', 'https-connect.pcap']) {
    it(`have the same contract facts as with them: ${name}`, () => {
      const full = sessionsOf(name, true, false);
      const slim = sessionsOf(name, false, true);
      expect(slim.length).toBe(full.length);
      expect(full.some((s) => s.clientHello !== null && s.clientHello.cipherSuites.length > 0)).toBe(true);
      expect(slim.map(toContractSession)).toEqual(full.map(toContractSession));
      for (const s of slim) {
        expect(s.clientHello?.cipherSuites ?? []).toEqual([]);
        expect(s.clientHello?.extensions ?? []).toEqual([]);
        expect(s.serverHello?.extensions ?? []).toEqual([]);
      }
    });
  }

  it('have the same contract facts and warnings as with them, every corpus capture twice over', () => {
    // Without details, hellos of a shape met before are recognised rather than parsed
    // (known-client-hellos.ts): the second pass over each capture meets only known shapes.
    let sessions = 0;
    for (const name of readdirSync(join(import.meta.dirname, '../../fixtures/corpus'))) {
      if (!/\.pcap(ng)?$/.test(name)) continue;
      const full = sessionsOf(name, true, false).map(toContractSession);
      for (let pass = 0; pass < 2; pass++) expect(sessionsOf(name, false, true).map(toContractSession), name).toEqual(full);
      sessions += full.length;
    }
    expect(sessions).toBeGreaterThan(50);
  });

  it('still tell a resumption by session ID echo from a full handshake', () => {
    const full = sessionsOf('tls-client-sessionid.pcap', true, false);
    const slim = sessionsOf('tls-client-sessionid.pcap', false, false);
    expect(full.filter((s) => s.resumed).length).toBeGreaterThan(0);
    expect(slim.map((s) => s.resumed)).toEqual(full.map((s) => s.resumed));
    // The slim ClientHello keeps the session ID the ServerHello's echo is compared with.
    expect(slim.map((s) => Buffer.from(s.clientHello?.sessionId ?? []).toString('hex')))
      .toEqual(full.map((s) => Buffer.from(s.clientHello?.sessionId ?? []).toString('hex')));
  });
});
