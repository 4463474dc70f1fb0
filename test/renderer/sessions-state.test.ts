// How the renderer applies batches of session rows: rows are replaced by id
// and kept in id order, appended at the end, dropped on a reset; gaps (a
// client that joined late) still end in id order.
import { describe, expect, it } from 'vitest';
import type { SessionSummary } from '../../electron/api/contract';
import { applySessionsChanged } from '../../renderer/src/frame/sessions-state';

function row(id: number, messageCount = 1): SessionSummary {
  return {
    id,
    client: { ip: '10.0.0.1', port: 40000 + id },
    server: { ip: '10.0.0.2', port: 443 },
    sni: `s${id}.example`,
    version: 0x0303,
    cipherSuiteName: null,
    alpn: null,
    ja4: null,
    ja3Hash: null,
    messageCount,
    startTime: 1_700_000_000 + id,
    duration: 0.01,
    status: 'incomplete',
    hasAlert: false,
    proxyTarget: null,
  };
}

const ids = (rows: readonly SessionSummary[]) => rows.map((r) => r.id);

describe('applySessionsChanged', () => {
  it('replaces rows in place and appends new ones, without touching the old array', () => {
    const before = [row(0), row(1), row(2)];
    const after = applySessionsChanged(before, { reset: false, sessions: [row(1, 7), row(3), row(4)], total: 5 });
    expect(ids(after)).toEqual([0, 1, 2, 3, 4]);
    expect(after[1]!.messageCount).toBe(7);
    expect(before[1]!.messageCount).toBe(1);
    expect(after[0]).toBe(before[0]);
  });

  it('drops every row on a reset', () => {
    const after = applySessionsChanged([row(0), row(1)], { reset: true, sessions: [row(0, 9)], total: 1 });
    expect(after).toEqual([row(0, 9)]);
  });

  it('keeps id order when a batch leaves gaps, and fills them later', () => {
    const gappy = applySessionsChanged([row(0)], { reset: false, sessions: [row(2), row(5)], total: 6 });
    expect(ids(gappy)).toEqual([0, 2, 5]);
    const filled = applySessionsChanged(gappy, { reset: false, sessions: [row(1), row(3), row(4)], total: 6 });
    expect(ids(filled)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('applies 20 batches over 20,000 rows, each row once', () => {
    let rows: readonly SessionSummary[] = [];
    for (let b = 0; b < 20; b++) {
      const batch = Array.from({ length: 1000 }, (_, i) => row(b * 1000 + i));
      rows = applySessionsChanged(rows, { reset: b === 0, sessions: batch, total: (b + 1) * 1000 });
    }
    expect(rows).toHaveLength(20_000);
    expect(rows.every((r, i) => r.id === i)).toBe(true);
  });
});
