// @vitest-environment happy-dom
// The timeline of a long-lived connection whose sides take turns: a real
// recording (test/fixtures/timeline/openssl-ping-pong.pcap, openssl s_client
// against s_server -rev, 1,500 lines each answered in turn; see
// record-ping-pong.ts) read through the real API. tshark 4.0.17 lists 3,011
// TLS records in frames 4-3011; application data strictly alternates, so
// nothing folds and the diagram has some three thousand arrows. Only a
// window of them may be in the DOM; scrolling and the keyboard reach the rest.
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SessionDetail } from '../../../electron/api/contract';
import { I18nProvider } from '../../../renderer/src/i18n/i18n-context';
import { formatMs } from '../../../renderer/src/views/timeline/message-labels';
import { rowHeight } from '../../../renderer/src/views/timeline/row-geometry';
import { Timeline } from '../../../renderer/src/views/timeline/timeline';
import { buildTimelineRows, type ArrowRow, type TimelineSession } from '../../../renderer/src/views/timeline/timeline-rows';
import { createRealApi, type RealApi } from '../compare-real-api';
import { loadSession } from './session-fixtures';

let real: RealApi;
let detail: SessionDetail;
let session: TimelineSession;

/**
 * happy-dom has no layout: give the timeline's body the sizes a browser would
 * (a 640 px view onto its canvas), so scrolling to a row can reach it. The
 * Chromium e2e (test/e2e/timeline-virtual.e2e.test.ts) checks the real thing.
 */
const VIEW_HEIGHT = 640;
function isBody(el: Element): boolean {
  return el.classList.contains('tlswb-timeline__body');
}
function giveBodyLayout(): () => void {
  const proto = HTMLElement.prototype;
  const saved = ['clientHeight', 'scrollHeight'].map((k) => [k, Object.getOwnPropertyDescriptor(proto, k)] as const);
  Object.defineProperty(proto, 'clientHeight', { configurable: true, get(this: HTMLElement) { return isBody(this) ? VIEW_HEIGHT : 0; } });
  Object.defineProperty(proto, 'scrollHeight', {
    configurable: true,
    get(this: HTMLElement) { return isBody(this) ? parseFloat((this.firstElementChild as HTMLElement).style.height) : 0; },
  });
  return () => {
    for (const [k, d] of saved) {
      if (d) Object.defineProperty(proto, k, d);
      else delete (proto as unknown as Record<string, unknown>)[k];
    }
  };
}
let restoreLayout: () => void;

beforeAll(async () => {
  restoreLayout = giveBodyLayout();
  real = createRealApi();
  await real.api.openFile(join(import.meta.dirname, '../../fixtures/timeline/openssl-ping-pong.pcap'));
  detail = await real.api.getSession(0);
  session = { ...detail.session, state: detail.state, endTime: detail.endTime };
});

afterAll(async () => {
  restoreLayout();
  await real.dispose();
});
afterEach(cleanup);

function renderTimeline(selectedIndex: number | null, onSelect = vi.fn(), onActivate = vi.fn()) {
  const view = render(
    <I18nProvider choice="en">
      <Timeline session={session} selectedIndex={selectedIndex} onSelect={onSelect} onActivate={onActivate} />
    </I18nProvider>,
  );
  const body = view.container.querySelector<HTMLElement>('.tlswb-timeline__body')!;
  const options = () => [...view.container.querySelectorAll<HTMLElement>('[role="option"]')];
  const indexes = () => options().map((o) => Number(o.dataset.messageIndex));
  return { ...view, body, options, indexes, onSelect, onActivate };
}

/** Scrolls the body to `top` pixels as a person would (the virtualizer reads scrollTop on the scroll event). */
function scrollTo(body: HTMLElement, top: number) {
  body.scrollTop = top;
  fireEvent.scroll(body);
}

/** The scroll event a browser sends after the component scrolled its body itself (happy-dom sends none). */
function settleScroll(body: HTMLElement) {
  fireEvent.scroll(body);
}

describe('a timeline of thousands of alternating records', () => {
  it('is the recording: 3,011 messages, ping-pong application data that cannot fold, then the FIN', () => {
    expect(session.messages).toHaveLength(3011);
    expect(session.messages.at(-1)!.frame).toBe(3011);
    const arrows = buildTimelineRows(session).rows.filter((r): r is ArrowRow => r.kind === 'arrow');
    expect(arrows.length).toBeGreaterThan(3000);
    // From the fourth arrow on (after the handshake), no run holds more than one line from one side.
    const pingPong = arrows.slice(-2990);
    expect(pingPong.every((a) => a.type === 'application_data' && a.count === 1)).toBe(true);
    expect(pingPong.every((a, k) => k === 0 || a.fromLane !== pingPong[k - 1]!.fromLane)).toBe(true);
  });

  it('puts only a window of rows in the DOM, the lane names above it', () => {
    const v = renderTimeline(null);
    const total = Number(v.body.dataset.arrows);
    expect(total).toBe(buildTimelineRows(session).rows.filter((r) => r.kind === 'arrow').length);
    // A screenful (640 px without layout) of 28 px arrows and 16+ px gaps, plus overscan: far fewer than 3,000.
    expect(v.options().length).toBeGreaterThan(5);
    expect(v.options().length).toBeLessThan(60);
    expect(v.container.querySelectorAll('.tlswb-timeline__flight').length).toBeLessThan(60);
    expect(v.indexes()[0]).toBe(0);
    expect(v.options()[0]!.getAttribute('aria-setsize')).toBe(String(total));
    expect(v.container.querySelector('[data-type="close"]')).toBeNull();
    // capinfos: the capture lasts 5.092476 s (the FIN's ACK); TLS 1.3, one round trip.
    expect(v.container.querySelector('.tlswb-timeline__summary')!.textContent).toBe('3011 messages · 5,092 ms · handshake: 1 RTT');
    expect([...v.container.querySelectorAll('.tlswb-timeline__lane-name')].map((e) => e.textContent)).toEqual(['Client', 'Server']);
    expect(v.container.querySelector('.tlswb-timeline__head')!.contains(v.body)).toBe(false);
    // The body is as tall as every row together.
    const rows = buildTimelineRows(session).rows;
    const height = rows.reduce((sum, r) => sum + rowHeight(r), 0);
    expect(v.container.querySelector<HTMLElement>('.tlswb-timeline__canvas')!.style.height).toBe(`${height + 8}px`);
  });

  it('shows later rows when scrolled, with their times and the waits between flights', () => {
    const v = renderTimeline(null);
    const rows = buildTimelineRows(session).rows;
    // Scroll to the middle: the arrows there are drawn, the first ones are gone.
    let offset = 0;
    let middle = 0;
    while (middle < rows.length / 2) offset += rowHeight(rows[middle++]!);
    scrollTo(v.body, offset);
    const drawn = v.indexes();
    expect(drawn).not.toContain(0);
    expect(drawn.length).toBeLessThan(60);
    const shown = rows.slice(middle, middle + 10).filter((r): r is ArrowRow => r.kind === 'arrow');
    for (const a of shown) expect(drawn).toContain(a.first);
    // Each arrow keeps its time since the first packet, and each turn its flight gap.
    const first = v.options().find((o) => Number(o.dataset.messageIndex) === shown[0]!.first)!;
    const message = session.messages[shown[0]!.first]!;
    expect(first.querySelector('.tlswb-timeline__time')!.textContent).toBe(`+${formatMs((message.time - session.startTime) * 1000)}`);
    expect(v.container.textContent).toMatch(/server answered after [\d.]+ ms/);
    expect(v.container.textContent).toMatch(/client answered after [\d.]+ ms/);

    // The end: the last arrow (tshark frame 3011, the server's last line) and the close.
    scrollTo(v.body, offset * 2 + 1000);
    const last = v.options().at(-1)!;
    expect(last.dataset.messageIndex).toBe('3010');
    expect(last.title).toContain('3011');
    expect(last.dataset.from).toBe('server');
    expect(v.container.querySelector('[data-type="close"]')?.textContent).toContain('Connection closed (FIN)');
    expect(v.indexes().length).toBeLessThan(60);
  });

  it('keeps the keyboard: End selects the last arrow and brings it into view, ↑ and Enter work there', () => {
    const onSelect = vi.fn();
    const onActivate = vi.fn();
    const v = renderTimeline(0, onSelect, onActivate);
    fireEvent.keyDown(v.body, { key: 'End' });
    expect(onSelect).toHaveBeenLastCalledWith(3010);
    v.rerender(
      <I18nProvider choice="en">
        <Timeline session={session} selectedIndex={3010} onSelect={onSelect} onActivate={onActivate} />
      </I18nProvider>,
    );
    settleScroll(v.body);
    // Scrolled to the selection: it is drawn, selected, and the listbox's active descendant.
    const selected = screen.getByRole('option', { selected: true });
    expect(selected.dataset.messageIndex).toBe('3010');
    expect(v.body.getAttribute('aria-activedescendant')).toBe(selected.id);
    expect(v.indexes()).not.toContain(0);
    fireEvent.keyDown(v.body, { key: 'ArrowUp' });
    expect(onSelect).toHaveBeenLastCalledWith(3009);
    fireEvent.keyDown(v.body, { key: 'Enter' });
    expect(onActivate).toHaveBeenLastCalledWith(3010);
    fireEvent.keyDown(v.body, { key: 'PageUp' });
    const pagedTo = onSelect.mock.lastCall![0] as number;
    expect(pagedTo).toBeLessThan(3000);
    expect(pagedTo).toBeGreaterThan(2950);
    fireEvent.keyDown(v.body, { key: 'Home' });
    expect(onSelect).toHaveBeenLastCalledWith(0);
    // A click on a drawn arrow selects its message.
    fireEvent.click(v.options()[0]!);
    expect(onSelect).toHaveBeenLastCalledWith(Number(v.options()[0]!.dataset.messageIndex));
  });

  it('scrolls back to a selection made elsewhere (playback, the message pane) after the person scrolled away', () => {
    const v = renderTimeline(1500);
    settleScroll(v.body);
    expect(v.indexes()).toContain(1500);
    scrollTo(v.body, 0);
    expect(v.indexes()).not.toContain(1500);
    expect(v.body.getAttribute('aria-activedescendant')).toBeNull();
    v.rerender(
      <I18nProvider choice="en">
        <Timeline session={session} selectedIndex={2500} onSelect={vi.fn()} />
      </I18nProvider>,
    );
    settleScroll(v.body);
    expect(screen.getByRole('option', { selected: true }).dataset.messageIndex).toBe('2500');
  });

  it('starts another session at its top, wherever the last one was scrolled', () => {
    const v = renderTimeline(null);
    scrollTo(v.body, 50_000);
    expect(v.indexes()).not.toContain(0);
    v.rerender(
      <I18nProvider choice="en">
        <Timeline session={loadSession('https-connect')} selectedIndex={null} onSelect={vi.fn()} />
      </I18nProvider>,
    );
    settleScroll(v.body);
    expect(v.body.scrollTop).toBe(0);
    // tshark: https-connect.pcap's 13 messages, CONNECT first; all of them fit in the view.
    expect(v.options().map((o) => o.dataset.type)[0]).toBe('connect_request');
    expect(v.options()).toHaveLength(13);
  });
});
