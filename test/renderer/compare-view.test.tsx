// @vitest-environment happy-dom
// The compare view on a real comparison (the API's compareSessions of
// openssl-tls1.pcap against openssl-tls1_2.pcap; tshark: ServerHello suites
// 0xc011 and 0xc02f, ClientHello 46 suites against 74): the facts with the
// changed ones marked, the messages aligned with every change in its row, and
// the lists item by item. Plus the list comparison's rules (GREASE, order).
import { cleanup, fireEvent, render, within } from '@testing-library/react';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CompareResult } from '../../electron/api/contract';
import { compareLists, messageRows } from '../../renderer/src/compare/compare-model';
import { CompareView } from '../../renderer/src/compare/compare-view';
import { I18nProvider } from '../../renderer/src/i18n/i18n-context';
import { createRealApi, type RealApi } from './compare-real-api';

const fixtures = join(import.meta.dirname, '../fixtures/compare');
let real: RealApi;
let result: CompareResult;

beforeAll(async () => {
  real = createRealApi();
  await real.api.openFile(join(fixtures, 'arkime-openssl-tls1_2.pcap'));
  await real.api.openCompareFile(join(fixtures, 'arkime-openssl-tls1.pcap'));
  result = await real.api.compareSessions({ source: 'compare', id: 0 }, { source: 'current', id: 0 });
});

afterAll(() => real.dispose());
afterEach(cleanup);

function renderView(lang: 'en' | 'zh-CN' = 'en') {
  return render(
    <I18nProvider choice={lang}>
      <CompareView result={result} />
    </I18nProvider>,
  );
}

describe('CompareView', () => {
  it('marks the facts that changed and leaves the others plain', () => {
    const { container } = renderView();
    const row = (field: string) => container.querySelector(`.compare-facts tr[data-field="${field}"]`)!;
    expect(row('cipherSuite').className).toBe('changed');
    expect(row('cipherSuite').querySelector('.compare-a')!.textContent).toBe('TLS_ECDHE_RSA_WITH_RC4_128_SHA (0xc011)');
    expect(row('cipherSuite').querySelector('.compare-b')!.textContent).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f)');
    expect(row('version').querySelector('.compare-b')!.textContent).toBe('TLS 1.2');
    expect(row('version').getAttribute('data-changed')).toBe('true');
    expect(row('alpn').getAttribute('data-changed')).toBe('false');
    expect(row('certificates[0].sha256').getAttribute('data-changed')).toBe('false');
    expect(container.querySelector('[data-testid="compare-count"]')!.textContent).toBe(`${result.diff.changes.length} differences`);
  });

  it('aligns the messages and puts every change in the row of its message', () => {
    const { container } = renderView();
    const rows = [...container.querySelectorAll('[data-testid="compare-messages"] tbody tr')];
    expect(rows.map((r) => r.getAttribute('data-type'))).toEqual(result.diff.messages.map((m) => m.type));
    const badges = rows.map((r) => Number(r.querySelector('.compare-badge')?.textContent ?? 0));
    expect(badges.reduce((a, b) => a + b, 0)).toBe(result.diff.changes.length);
    const changedTypes = rows.filter((r) => r.getAttribute('data-changed') === 'true').map((r) => r.getAttribute('data-type'));
    expect(changedTypes).toEqual(['client_hello', 'server_hello', 'server_key_exchange']);
  });

  it('opens on the first changed message and shows its lists item by item', () => {
    const { container } = renderView();
    const pane = container.querySelector('[data-testid="compare-message-diff"]') as HTMLElement;
    expect(pane.querySelector('h3')!.textContent).toBe('Client Hello');
    const suites = pane.querySelector('li[data-field="cipherSuites"]')!;
    const [aList, bList] = [...suites.querySelectorAll('.compare-list')];
    expect(aList!.querySelectorAll('.compare-chip')).toHaveLength(46);
    expect(bList!.querySelectorAll('.compare-chip')).toHaveLength(74);
    expect(bList!.querySelectorAll('[data-status="added"]')).toHaveLength(28);
    expect(aList!.querySelectorAll('[data-status="removed"]')).toHaveLength(0);
    expect(within(pane).getByText('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (0xc030)').getAttribute('data-status')).toBe('added');
  });

  it('shows a changed value as A → B when its row is chosen', () => {
    const { container } = renderView();
    fireEvent.click(container.querySelector('[data-testid="compare-messages"] tr[data-type="server_hello"]')!);
    const change = container.querySelector('[data-testid="compare-message-diff"] li[data-field="cipherSuite"]')!;
    expect(change.querySelector('.compare-old')!.textContent).toBe('TLS_ECDHE_RSA_WITH_RC4_128_SHA (0xc011)');
    expect(change.querySelector('.compare-new')!.textContent).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f)');
    fireEvent.click(container.querySelector('[data-testid="compare-messages"] tr[data-type="certificate"]')!);
    expect(container.querySelector('[data-testid="compare-message-diff"] .compare-note')!.textContent).toMatch(/Nothing differs/);
  });

  it('speaks 简体中文', () => {
    const { container } = renderView('zh-CN');
    expect(container.querySelector('.compare-facts tr[data-field="cipherSuite"] th')!.textContent).toBe('密码套件');
    expect(container.querySelector('[data-testid="compare-count"]')!.textContent).toBe(`${result.diff.changes.length} 处差异`);
  });

  it('attributes each change exactly once', () => {
    const { rows, sessionChanges } = messageRows(result);
    expect(rows.reduce((n, r) => n + r.changes.length, 0) + sessionChanges.length).toBe(result.diff.changes.length);
  });
});

describe('compareLists', () => {
  it('counts GREASE values as one value, as the engine\'s diff does', () => {
    const { a, b } = compareLists([0x0a0a, 0x1301, 0x1302], [0x3a3a, 0x1301, 0x1302]);
    expect([...a, ...b].map((x) => x.status)).toEqual(['same', 'same', 'same', 'same', 'same', 'same']);
  });

  it('says which items were added, removed, and which changed place', () => {
    const { a, b } = compareLists([1, 2, 3, 4], [2, 1, 3, 5]);
    expect(a.map((x) => x.status)).toEqual([expect.stringMatching(/same|moved/), expect.stringMatching(/same|moved/), 'same', 'removed']);
    expect(b.map((x) => x.status)).toEqual([expect.stringMatching(/same|moved/), expect.stringMatching(/same|moved/), 'same', 'added']);
    // Of 1 and 2, exactly one kept its place relative to the rest.
    expect(a.filter((x) => x.status === 'moved')).toHaveLength(1);
    expect(b.filter((x) => x.status === 'moved')).toHaveLength(1);
  });
});
