// The batcher between the engine and the UI: many changes of a session make
// one row per flush, a row the clients already have is not sent again, and a
// reset sends every row anew. Sessions are the engine's, of a real capture.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventPayloads } from '../../electron/api/contract';
import { SessionsBatcher } from '../../electron/api/sessions-batcher';
import { summarizeSession } from '../../electron/api/session-summary';
import type { Session } from '../../electron/core/session/model';
import { analyzeFile } from '../../electron/services/analyze-file';

type Payload = EventPayloads['sessionsChanged'];

async function batcherOn(file: string): Promise<{ sessions: Session[]; sent: Payload[]; batcher: SessionsBatcher<Session> }> {
  const { sessions } = await analyzeFile(join(import.meta.dirname, '../fixtures/api', file));
  const sent: Payload[] = [];
  // A long interval: the test decides when to flush.
  const batcher = new SessionsBatcher<Session>((p) => sent.push(p), () => sessions.length, summarizeSession, 60_000);
  return { sessions, sent, batcher };
}

describe('SessionsBatcher', () => {
  it('sends one row per changed session per flush, summarized at flush time', async () => {
    const { sessions, sent, batcher } = await batcherOn('https-connect.pcap');
    expect(sessions).toHaveLength(1);
    for (let i = 0; i < 1000; i++) batcher.changed(sessions[0]!);
    batcher.flush();
    batcher.dispose();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toEqual({ reset: false, sessions: [summarizeSession(sessions[0]!)], total: 1 });
    expect(sent[0]!.sessions[0]).toMatchObject({ proxyTarget: 'ts01-b.cloudsink.net:443', messageCount: 13, status: 'complete' });
  });

  it('does not resend a row the clients already have, and resends all after a reset', async () => {
    const { sessions, sent, batcher } = await batcherOn('https-connect.pcap');
    batcher.changed(sessions[0]!);
    batcher.flush();
    // The end of a file touches every session again; nothing changed, nothing goes out.
    batcher.changed(sessions[0]!);
    batcher.flush();
    expect(sent).toHaveLength(1);
    batcher.markReset();
    batcher.changed(sessions[0]!);
    batcher.flush();
    batcher.dispose();
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({ reset: true, sessions: [{ id: 0 }] });
  });

  it('sends a row again when its summary changed', async () => {
    const { sessions, sent, batcher } = await batcherOn('https-connect.pcap');
    const session = sessions[0]!;
    const messages = session.messages;
    // As while reading: the session with its first four messages, then all of them.
    session.messages = messages.slice(0, 4);
    batcher.changed(session);
    batcher.flush();
    session.messages = messages;
    batcher.changed(session);
    batcher.flush();
    batcher.dispose();
    expect(sent.map((p) => p.sessions.map((s) => [s.messageCount, s.status]))).toEqual([[[4, 'incomplete']], [[13, 'complete']]]);
  });
});
