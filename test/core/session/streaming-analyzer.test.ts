/**
 * A streaming analyzer (`onSessionFinal`) hands each session over once it can
 * change no more, in document order, while the input is still being read,
 * and keeps none: the same sessions as an analyzer that keeps them all.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../../electron/core/capture/capture-reader';
import { SessionAnalyzer } from '../../../electron/core/session/analyzer';
import { toContractSession } from '../../../electron/core/session/contract-json';
import type { Session } from '../../../electron/core/session/model';

const corpus = (name: string) => join(import.meta.dirname, '../../fixtures/corpus', name);

function run(name: string, analyzer: SessionAnalyzer): void {
  const reader = createCaptureReader({ onPacket: (p) => analyzer.push(p) });
  reader.feed(readFileSync(corpus(name)));
  reader.end();
  analyzer.finish();
}

describe('streaming analyzer', () => {
  for (const name of ['firefox.pcap', 'https-connect.pcap', 'ftp-auth-tls.pcap', 'tls_alert.pcap']) {
    it(`hands over the same sessions, in document order, and keeps none: ${name}`, () => {
      const kept = new SessionAnalyzer({ keepRawBytes: false });
      run(name, kept);
      const handed: Session[] = [];
      const streaming = new SessionAnalyzer({ keepRawBytes: false, onSessionFinal: (s) => handed.push(s) });
      run(name, streaming);
      expect(streaming.sessions).toHaveLength(0);
      expect(handed.length).toBe(kept.sessions.length);
      expect(handed.length).toBeGreaterThan(0);
      expect(handed.map(toContractSession)).toEqual(kept.sessions.map(toContractSession));
    });
  }

  it('hands a session over once its connection has closed, before the input ends', () => {
    const packetsAtHandOver: number[] = [];
    const analyzer = new SessionAnalyzer({ keepRawBytes: false, onSessionFinal: () => packetsAtHandOver.push(analyzer.packets) });
    const reader = createCaptureReader({ onPacket: (p) => analyzer.push(p) });
    // Two connections, the first closed (FIN, then its 5 s linger) long before the capture ends.
    reader.feed(readFileSync(corpus('tls_alert.pcap')));
    const total = analyzer.packets;
    reader.end();
    analyzer.finish();
    // Connections that ended (FIN/RST, then the linger) went out while packets still came.
    expect(packetsAtHandOver.some((n) => n < total)).toBe(true);
    expect(packetsAtHandOver).toEqual([...packetsAtHandOver].sort((a, b) => a - b));
  });
});
