/**
 * The CLI's analysis writes each message as JSON as it comes
 * (`AnalyzerOptions.messageJson`) and keeps no message object: the TLS
 * decoders then hand every record message over in one reused object. The
 * messages a sink sees must be exactly those a session keeps otherwise, field
 * for field, in order.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../../electron/services/analyze-file';
import { JsonTextBytes } from '../../../electron/core/bytes/json-text-bytes';
import type { MessageJsonSink } from '../../../electron/core/session/analyzer';
import type { Session, SessionMessageJson, TlsMessage } from '../../../electron/core/session/model';
import { TicketSign } from '../../../electron/core/session/session-facts';

const corpus = (name: string) => join(import.meta.dirname, '../../fixtures/corpus', name);

/** What the JSON shows of a message, copied (the object itself may be reused for the next). */
function fieldsOf(m: TlsMessage): string {
  return JSON.stringify([m.type, m.from, m.frame, String(m.timeNs), m.length, m.type === 'alert' ? [m.level, m.description] : null, m.decrypted ?? false]);
}

/** A sink that records each message's fields per session text. */
class RecordingSink implements MessageJsonSink {
  readonly seen = new Map<SessionMessageJson, string[]>();
  open(): SessionMessageJson {
    const j: SessionMessageJson = { text: new JsonTextBytes(64), count: 0, ticketSign: TicketSign.NoServerHello, closed: false };
    this.seen.set(j, []);
    return j;
  }
  message(j: SessionMessageJson, m: TlsMessage): void {
    j.count++;
    this.seen.get(j)!.push(fieldsOf(m));
  }
}

describe('messages handed to a JSON sink as they come', () => {
  // Alerts (readable and encrypted), several records a segment, records over segments, CONNECT, ticket resumption.
  for (const name of ['tls_alert.pcap', 'tls-1.2-handshake-failure.pcap', 'SSL-MultipleRecords1.pcap', 'dump_mtu300.pcap', 'https-connect.pcap', 'firefox.pcap']) {
    it(`are the messages a session keeps otherwise, in order: ${name}`, async () => {
      const kept = await analyzeFile(corpus(name), { keepRawBytes: false });
      const sink = new RecordingSink();
      const streamed: Session[] = [];
      await analyzeFile(corpus(name), {
        keepRawBytes: false,
        keepHelloDetails: false,
        messageJson: sink,
        stream: { start: () => (streamed.length = 0), session: (s) => streamed.push(s) },
      });
      expect(streamed.length).toBe(kept.sessions.length);
      expect(kept.sessions.length).toBeGreaterThan(0);
      streamed.forEach((s, i) => {
        expect(s.messages).toHaveLength(0);
        expect(sink.seen.get(s.messageJson!)).toEqual(kept.sessions[i]!.messages.map(fieldsOf));
        expect(s.resumed).toBe(kept.sessions[i]!.resumed);
      });
    });
  }

  it('include alerts, read and encrypted (the reused object carries level and description)', async () => {
    const kept = await analyzeFile(corpus('tls_alert.pcap'), { keepRawBytes: false });
    const alerts = kept.sessions.flatMap((s) => s.messages).filter((m) => m.type === 'alert');
    expect(alerts.some((m) => m.level !== null)).toBe(true);
  });
});
