// getSession gives the timeline what it draws: the messages in wire order,
// how the TCP connection ended and when, checked against tshark's reading of
// badcurveball.pcap (frames 10 and 11 carry FIN; frame 12, the last packet
// of the connection, is at 1579293816.817749).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiRuntime } from '../../electron/api/api-runtime';
import type { ApiResult, SessionDetail } from '../../electron/api/contract';

const configDir = mkdtempSync(join(tmpdir(), 'tlswb-detail-'));
const runtime = createApiRuntime({ configDir, transport: 'ws' });
let detail: SessionDetail;

beforeAll(async () => {
  const opened = await runtime.dispatch('openFile', [join(import.meta.dirname, '../fixtures/api/badcurveball.pcap')]);
  expect(opened.ok).toBe(true);
  const result = (await runtime.dispatch('getSession', [0])) as ApiResult<SessionDetail>;
  if (!result.ok) throw new Error(result.error.message);
  detail = result.value;
});

afterAll(async () => {
  await runtime.workbench.dispose();
  rmSync(configDir, { recursive: true, force: true });
});

describe('getSession', () => {
  it('says the connection was closed with FIN and ended after its first packet', () => {
    expect(detail.state).toBe('closed-fin');
    // tshark: frame 1 (SYN) at 1579293816.559976.
    expect(detail.summary.startTime).toBeCloseTo(1579293816.559976, 6);
    expect(detail.endTime).toBeGreaterThan(detail.summary.startTime);
    expect(detail.summary).toMatchObject({ status: 'alert', hasAlert: true, sni: 'bad.curveballtest.com' });
  });

  it('lists the messages as tshark shows them, the alert last', () => {
    // tshark: 4 Client Hello; 6 Server Hello; 7 Certificate, Server Key Exchange, Server Hello Done; 9 Alert (Fatal, Certificate Unknown).
    expect(detail.session.messages.map((m) => [m.frame, m.type])).toEqual([
      [4, 'client_hello'], [6, 'server_hello'], [7, 'certificate'], [7, 'server_key_exchange'], [7, 'server_hello_done'], [9, 'alert'],
    ]);
    expect(detail.session.messages.at(-1)).toMatchObject({ level: 'fatal', description: 'certificate_unknown' });
  });

  // Known engine gap (electron/core, not the API): Session.lastTimeNs is the
  // last TLS record's time (frame 9), not the connection's last packet (frame 12)
  // nor even its FIN (frame 10). When the engine is fixed this starts passing
  // and `it.fails` reports it: then make it a plain `it`.
  it('ends at the connection\'s last packet (frame 12), as the contract says', () => {
    expect(detail.endTime).toBeCloseTo(1579293816.817749, 6);
  });
});
