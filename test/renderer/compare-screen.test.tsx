// @vitest-environment happy-dom
// The compare screen over the real API: a second file opened from the path
// dialog becomes B, Compare shows the two sessions; swapping sides swaps the
// diff. And the Replay form's fields as the replaySession options they mean.
import { cleanup, fireEvent, render, waitFor } from '@testing-library/react';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useState } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SessionSummary } from '../../electron/api/contract';
import { CompareScreen, EMPTY_COMPARE, type CompareState } from '../../renderer/src/compare/compare-screen';
import { I18nProvider } from '../../renderer/src/i18n/i18n-context';
import { translator } from '../../renderer/src/i18n/strings';
import { emptyReplayForm, toReplayRequest } from '../../renderer/src/replay/replay-form';
import { createRealApi, type RealApi } from './compare-real-api';

const fixtures = join(import.meta.dirname, '../fixtures/compare');
let real: RealApi;
let rows: SessionSummary[];

beforeAll(async () => {
  real = createRealApi();
  await real.api.openFile(join(fixtures, 'firefox-early.pcap'));
  rows = await real.api.listSessions();
});

afterAll(() => real.dispose());
afterEach(cleanup);

function Harness({ initial, errors }: { initial: CompareState; errors: string[] }) {
  const [state, setState] = useState(initial);
  return (
    <I18nProvider choice="en">
      <CompareScreen
        api={real.api}
        currentName="firefox-early.pcap"
        currentSessions={rows}
        state={state}
        onState={setState}
        nativeDialogs={false}
        frameT={translator('en')}
        onClose={() => undefined}
        onError={(m) => errors.push(m)}
      />
    </I18nProvider>
  );
}

describe('CompareScreen', () => {
  it('opens a second file as B, compares, and swaps', async () => {
    const errors: string[] = [];
    const { container, getByTestId } = render(<Harness initial={{ ...EMPTY_COMPARE, a: { source: 'current', id: 0 } }} errors={errors} />);
    expect((getByTestId('compare-run') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(getByTestId('compare-open-second'));
    fireEvent.change(getByTestId('path-input'), { target: { value: join(fixtures, 'firefox-late.pcap') } });
    fireEvent.submit(getByTestId('path-input').closest('form')!);
    await waitFor(() => expect((getByTestId('compare-pick-b') as HTMLSelectElement).value).toBe('compare:0'));
    // tshark: firefox-early.pcap has 3 TLS connections, firefox-late.pcap 5.
    expect(container.querySelectorAll('[data-testid="compare-pick-a"] option[value^="current:"]')).toHaveLength(3);
    expect(container.querySelectorAll('[data-testid="compare-pick-a"] option[value^="compare:"]')).toHaveLength(5);
    fireEvent.click(getByTestId('compare-run'));
    await waitFor(() => expect(container.querySelector('[data-testid="compare-view"]')).not.toBeNull());
    expect(container.querySelector('.compare-facts tr[data-field="resumed"] .compare-a')!.textContent).toBe('no');
    expect(container.querySelector('.compare-facts tr[data-field="resumed"] .compare-b')!.textContent).toBe('yes');
    fireEvent.click(getByTestId('compare-swap'));
    fireEvent.click(getByTestId('compare-run'));
    await waitFor(() => expect(container.querySelector('.compare-facts tr[data-field="resumed"] .compare-a')!.textContent).toBe('yes'));
    expect(container.querySelector('[data-testid="compare-side-a"]')!.textContent).toContain('firefox-late.pcap #0');
    expect(errors).toEqual([]);
  });

  it('in the browser, opens the second file by upload, as the main Open does, the open capture staying', async () => {
    const errors: string[] = [];
    const { container, getByTestId } = render(<Harness initial={{ ...EMPTY_COMPARE, a: { source: 'current', id: 0 } }} errors={errors} />);
    fireEvent.click(getByTestId('compare-open-second'));
    const bytes = readFileSync(join(fixtures, 'firefox-late.pcap'));
    const upload = new File([bytes], 'firefox-late.pcap', { type: 'application/vnd.tcpdump.pcap' });
    fireEvent.change(getByTestId('upload-input'), { target: { files: [upload] } });
    await waitFor(() => expect((getByTestId('compare-pick-b') as HTMLSelectElement).value).toBe('compare:0'));
    expect(container.querySelector('[data-testid="compare-pick-b"] optgroup[label="Second file (firefox-late.pcap)"]')).not.toBeNull();
    expect(container.querySelectorAll('[data-testid="compare-pick-b"] option[value^="compare:"]')).toHaveLength(5);
    expect(container.querySelector('[data-testid="compare-open-dialog"]')).toBeNull();
    // The open capture is still firefox-early.pcap (3 sessions), not the upload.
    expect((await real.api.getCurrentFile())!.name).toBe('firefox-early.pcap');
    expect(await real.api.listSessions()).toHaveLength(3);
    expect(errors).toEqual([]);
  });

  it('lists the recent files in the open dialog; choosing one opens it as the second file', async () => {
    const errors: string[] = [];
    const { container, getByTestId } = render(<Harness initial={{ ...EMPTY_COMPARE, a: { source: 'current', id: 0 } }} errors={errors} />);
    fireEvent.click(getByTestId('compare-open-second'));
    // firefox-early.pcap was opened with openFile (beforeAll): it is a recent file.
    const entry = await waitFor(() => {
      const button = container.querySelector<HTMLButtonElement>(`[data-testid="compare-recent"] button[data-path="${join(fixtures, 'firefox-early.pcap')}"]`);
      expect(button).not.toBeNull();
      return button!;
    });
    fireEvent.click(entry);
    await waitFor(() => expect(container.querySelector('[data-testid="compare-pick-b"] optgroup[label="Second file (firefox-early.pcap)"]')).not.toBeNull());
    expect((getByTestId('compare-pick-b') as HTMLSelectElement).value).toBe('compare:0');
    expect(errors).toEqual([]);
  });

  it('takes a capture dropped on the screen as the second file, and keeps the drop from the window (which would open it as the capture)', async () => {
    const errors: string[] = [];
    const windowDrops: Event[] = [];
    const onWindowDrop = (e: Event) => windowDrops.push(e);
    window.addEventListener('drop', onWindowDrop);
    try {
      const { container, getByTestId } = render(<Harness initial={{ ...EMPTY_COMPARE, a: { source: 'current', id: 0 } }} errors={errors} />);
      const screenEl = getByTestId('compare-screen');
      const file = new File([readFileSync(join(fixtures, 'firefox-late.pcap'))], 'dropped.pcap');
      const dataTransfer = { types: ['Files'], files: [file] };
      fireEvent.dragEnter(screenEl, { dataTransfer });
      expect(container.querySelector('.compare-drop')?.textContent).toBe('Drop the capture to compare with it');
      fireEvent.dragOver(screenEl, { dataTransfer });
      fireEvent.drop(screenEl, { dataTransfer });
      expect(container.querySelector('.compare-drop')).toBeNull();
      await waitFor(() => expect(container.querySelector('[data-testid="compare-pick-b"] optgroup[label="Second file (dropped.pcap)"]')).not.toBeNull());
      expect(container.querySelectorAll('[data-testid="compare-pick-b"] option[value^="compare:"]')).toHaveLength(5);
      expect(windowDrops).toEqual([]);
      expect((await real.api.getCurrentFile())!.name).toBe('firefox-early.pcap');
      expect(errors).toEqual([]);
    } finally {
      window.removeEventListener('drop', onWindowDrop);
    }
  });

  it('reports a second file that cannot be opened', async () => {
    const errors: string[] = [];
    const { getByTestId } = render(<Harness initial={EMPTY_COMPARE} errors={errors} />);
    fireEvent.click(getByTestId('compare-open-second'));
    fireEvent.change(getByTestId('path-input'), { target: { value: join(fixtures, 'SOURCES.md') } });
    fireEvent.submit(getByTestId('path-input').closest('form')!);
    await waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]).toMatch(/cannot read SOURCES\.md/);
  });
});

describe('the Replay form', () => {
  it('sends nothing but the fields that were changed', () => {
    expect(toReplayRequest(emptyReplayForm('shop.example', ['h2', 'http/1.1']))).toEqual({ timeoutSeconds: 10 });
  });

  it('turns each field into its option; ticked SNI/ALPN boxes left empty remove the extension', () => {
    const f = { ...emptyReplayForm('shop.example', ['h2']), to: ' 127.0.0.1:8443 ', proxy: 'http://127.0.0.1:3128', dropCiphers: '0xc02f, TLS_AES_128_GCM_SHA256,', onlyVersion: '1.2' as const, timeoutSeconds: '500' };
    expect(toReplayRequest(f)).toEqual({ to: '127.0.0.1:8443', proxy: 'http://127.0.0.1:3128', dropCiphers: ['0xc02f', 'TLS_AES_128_GCM_SHA256'], onlyVersion: '1.2', timeoutSeconds: 120 });
    expect(toReplayRequest({ ...f, changeSni: true, sni: '', changeAlpn: true, alpn: '' })).toMatchObject({ sni: '', alpn: [] });
    expect(toReplayRequest({ ...f, changeAlpn: true, alpn: 'h2, http/1.1' }).alpn).toEqual(['h2', 'http/1.1']);
  });
});
