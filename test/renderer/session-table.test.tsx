// @vitest-environment happy-dom
// The session table: rows rendered (virtualized), sorting by header click,
// ↑/↓ to move and Enter to open; and the filter box's matching rules.
import { cleanup, fireEvent, render } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SessionSummary } from '../../electron/api/contract';
import { SessionTable } from '../../renderer/src/frame/session-table';
import { translator } from '../../renderer/src/i18n/strings';
import { matchesFilter, parseFilter } from '../../renderer/src/sessions/session-filter';
import { nextSort, sortSessions, type SortState } from '../../renderer/src/sessions/session-columns';

afterEach(cleanup);

function row(id: number, over: Partial<SessionSummary> = {}): SessionSummary {
  return {
    id,
    client: { ip: `10.0.0.${id + 1}`, port: 50000 + id },
    server: { ip: '93.184.216.34', port: 443 },
    sni: `host${id}.example`,
    version: 0x0303,
    cipherSuiteName: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    alpn: 'h2',
    ja4: 't13d1516h2_8daaf6152771_e5627efa2ab1',
    ja3Hash: 'e7d705a3286e19ea42f587b344ee6865',
    messageCount: 10 + id,
    startTime: 1700000000 + id,
    duration: 0.1 * (id + 1),
    status: 'complete',
    hasAlert: false,
    proxyTarget: null,
    ...over,
  };
}

const t = translator('en');

function renderTable(rows: SessionSummary[], sort: SortState = { key: null, direction: 'asc' }, selectedId: number | null = null) {
  const onSelect = vi.fn();
  const onOpen = vi.fn();
  const onSort = vi.fn();
  const view = render(<SessionTable rows={rows} selectedId={selectedId} onSelect={onSelect} onOpen={onOpen} sort={sort} onSort={onSort} t={t} />);
  return { ...view, onSelect, onOpen, onSort };
}

function renderedIds(container: HTMLElement): number[] {
  return [...container.querySelectorAll('[data-session-id]')].map((e) => Number(e.getAttribute('data-session-id')));
}

describe('SessionTable', () => {
  it('shows one row per session with the columns people read', () => {
    const { container } = renderTable([row(0), row(1, { sni: null, proxyTarget: 'ts01-b.cloudsink.net:443', version: 0x0304, status: 'alert', hasAlert: true })]);
    expect(renderedIds(container)).toEqual([0, 1]);
    const second = container.querySelector('[data-session-id="1"]')!;
    expect(second.querySelector('.col-version')!.textContent).toBe('TLS 1.3');
    expect(second.querySelector('.col-sni')!.textContent).toContain('ts01-b.cloudsink.net:443');
    expect(second.querySelector('.col-status')!.textContent).toBe('alert');
    expect(second.className).toContain('has-alert');
    const headers = [...container.querySelectorAll('[role="columnheader"]')].map((h) => h.textContent?.replace(/[▲▼]/g, ''));
    expect(headers).toEqual(['Client', 'Server', 'SNI', 'Version', 'Cipher suite', 'ALPN', 'JA4', 'Msgs', 'Duration', 'Status']);
  });

  it('renders only a window of a long list, not every row', () => {
    const rows = Array.from({ length: 20000 }, (_, i) => row(i));
    const { container } = renderTable(rows);
    const ids = renderedIds(container);
    expect(ids.length).toBeGreaterThan(10);
    expect(ids.length).toBeLessThan(100);
  });

  it('asks to sort when a header is clicked and marks the sorted column', () => {
    const { container, onSort } = renderTable([row(0), row(1)], { key: 'duration', direction: 'desc' });
    fireEvent.click(container.querySelector('[data-column="sni"]')!);
    expect(onSort).toHaveBeenCalledWith('sni');
    expect(container.querySelector('[data-column="duration"]')!.getAttribute('aria-sort')).toBe('descending');
  });

  it('moves the selection with ↑/↓ and opens it with Enter', () => {
    const { getByTestId, onSelect, onOpen } = renderTable([row(0), row(1), row(2)], undefined, 1);
    const scroll = getByTestId('session-scroll');
    fireEvent.keyDown(scroll, { key: 'ArrowDown' });
    expect(onSelect).toHaveBeenLastCalledWith(2);
    fireEvent.keyDown(scroll, { key: 'ArrowUp' });
    expect(onSelect).toHaveBeenLastCalledWith(0);
    fireEvent.keyDown(scroll, { key: 'Enter' });
    expect(onOpen).toHaveBeenCalledWith(1);
  });
});

describe('sorting', () => {
  it('sorts by a column both ways, ties and no sort in capture order', () => {
    const rows = [row(0, { duration: 2 }), row(1, { duration: 1 }), row(2, { duration: 2 })];
    expect(sortSessions(rows, { key: 'duration', direction: 'asc' }).map((r) => r.id)).toEqual([1, 0, 2]);
    expect(sortSessions(rows, { key: 'duration', direction: 'desc' }).map((r) => r.id)).toEqual([0, 2, 1]);
    expect(sortSessions(rows, { key: null, direction: 'asc' }).map((r) => r.id)).toEqual([0, 1, 2]);
  });

  it('sorts IPv4 addresses by number, not as text', () => {
    const rows = [row(0, { client: { ip: '10.0.0.10', port: 1 } }), row(1, { client: { ip: '10.0.0.9', port: 1 } })];
    expect(sortSessions(rows, { key: 'client', direction: 'asc' }).map((r) => r.id)).toEqual([1, 0]);
  });

  it('cycles a header: ascending, descending, capture order', () => {
    let s: SortState = { key: null, direction: 'asc' };
    s = nextSort(s, 'sni');
    expect(s).toEqual({ key: 'sni', direction: 'asc' });
    s = nextSort(s, 'sni');
    expect(s).toEqual({ key: 'sni', direction: 'desc' });
    expect(nextSort(s, 'sni').key).toBeNull();
  });
});

describe('the filter box', () => {
  const tls13 = row(0, { version: 0x0304, sni: 'enabled.tls13.com', cipherSuiteName: 'TLS_AES_256_GCM_SHA384' });
  const alert = row(1, { sni: 'bad.curveballtest.com', status: 'alert', hasAlert: true });
  const proxied = row(2, { sni: null, proxyTarget: 'ts01-b.cloudsink.net:443', ja3Hash: 'abcdef0123' });
  const all = [tls13, alert, proxied];
  const ids = (text: string, hasAlert = false) => all.filter((r) => matchesFilter(r, parseFilter(text, hasAlert))).map((r) => r.id);

  it('matches words anywhere: SNI, address, version, cipher, JA3, JA4, proxy target', () => {
    expect(ids('curveball')).toEqual([1]);
    expect(ids('10.0.0.3')).toEqual([2]);
    expect(ids('tls1.3')).toEqual([0]);
    expect(ids('AES_256')).toEqual([0]);
    expect(ids('abcdef')).toEqual([2]);
    expect(ids('cloudsink')).toEqual([2]);
  });

  it('narrows by field and requires every word', () => {
    expect(ids('version:1.2')).toEqual([1, 2]);
    expect(ids('version:1.2 sni:bad')).toEqual([1]);
    expect(ids('ja3:abcdef sni:bad')).toEqual([]);
  });

  it('keeps only sessions with an alert for has:alert or the checkbox', () => {
    expect(ids('has:alert')).toEqual([1]);
    expect(ids('', true)).toEqual([1]);
  });
});
