// The WebSocket's compact form of sessionsChanged: what the page decodes is
// exactly the batch the engine side emitted, in a fraction of the bytes.
// Rows are the summaries of real captures' sessions.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventPayloads, SessionSummary } from '../../electron/api/contract';
import { summarizeSession } from '../../electron/api/session-summary';
import { decodeSessionsChanged, encodeSessionsChanged, type WireSessionsChanged } from '../../electron/api/session-rows-wire';
import { analyzeFile } from '../../electron/services/analyze-file';

type Batch = EventPayloads['sessionsChanged'];

async function rowsOf(...files: string[]): Promise<SessionSummary[]> {
  const rows: SessionSummary[] = [];
  for (const file of files) {
    const { sessions } = await analyzeFile(join(import.meta.dirname, '../fixtures/api', file));
    rows.push(...sessions.map(summarizeSession));
  }
  return rows.map((r, id) => ({ ...r, id }));
}

/** What the socket carries: JSON text, parsed on the other side. */
function overTheWire(batch: Batch): { text: string; decoded: Batch } {
  const text = JSON.stringify(encodeSessionsChanged(batch));
  return { text, decoded: decodeSessionsChanged(JSON.parse(text) as WireSessionsChanged) };
}

describe('session rows on the WebSocket', () => {
  it('decode to the very rows that were sent: nulls, proxy targets, alerts, fractional times', async () => {
    const rows = await rowsOf('arkime-synthetic.pcap', 'https-connect.pcap', 'badcurveball.pcap');
    // The captures cover what a row can hold.
    expect(rows.some((r) => r.proxyTarget !== null)).toBe(true);
    expect(rows.some((r) => r.sni === null && r.version === null)).toBe(true);
    expect(rows.some((r) => r.hasAlert)).toBe(true);
    expect(new Set(rows.map((r) => r.status)).size).toBeGreaterThan(1);
    expect(rows.some((r) => !Number.isInteger(r.startTime))).toBe(true);
    const batch: Batch = { reset: true, sessions: rows, total: rows.length + 5 };
    expect(overTheWire(batch).decoded).toEqual(batch);
  });

  it('sends each repeated string once per batch, in far fewer bytes than the rows as objects', async () => {
    const rows = await rowsOf('arkime-synthetic.pcap');
    const batch: Batch = { reset: false, sessions: rows, total: rows.length };
    const wire = encodeSessionsChanged(batch);
    expect(new Set(wire.strings).size).toBe(wire.strings.length);
    expect(wire.strings.filter((s) => s === 'TLS_RSA_WITH_AES_128_CBC_SHA')).toHaveLength(1);
    expect(overTheWire(batch).text.length).toBeLessThan(JSON.stringify(batch).length / 2.5);
  });

  it('an empty batch (a reset with no rows yet) survives as it was', () => {
    const batch: Batch = { reset: true, sessions: [], total: 0 };
    expect(overTheWire(batch).decoded).toEqual(batch);
  });

  it('drops a row of the wrong shape instead of showing it half-filled', async () => {
    const rows = await rowsOf('https-connect.pcap');
    const wire = encodeSessionsChanged({ reset: false, sessions: rows, total: 1 });
    const broken: WireSessionsChanged = { ...wire, rows: [...wire.rows, [7, 0], ['x' as unknown as number, ...wire.rows[0]!.slice(1)]] };
    expect(decodeSessionsChanged(broken).sessions).toEqual(rows);
  });
});
