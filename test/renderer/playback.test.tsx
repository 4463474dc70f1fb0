// @vitest-environment happy-dom
// Playback of a real session (https-connect.pcap through the real API: 13
// messages, tshark frames 4-18): the steps and their pace, then the detail
// area driven by the keyboard (→/← step, Space plays), each arrow arriving in
// turn with the selection and the message pane following.
import { act, cleanup, fireEvent, render, waitFor } from '@testing-library/react';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SessionDetail } from '../../electron/api/contract';
import { DetailArea } from '../../renderer/src/frame/detail-area';
import { I18nProvider } from '../../renderer/src/i18n/i18n-context';
import { translator } from '../../renderer/src/i18n/strings';
import { delayToNext, playbackSteps, stepOfMessage } from '../../renderer/src/playback/playback-steps';
import { createRealApi, type RealApi } from './compare-real-api';

let real: RealApi;
let detail: SessionDetail;

beforeAll(async () => {
  real = createRealApi();
  await real.api.openFile(join(import.meta.dirname, '../fixtures/compare/https-connect.pcap'));
  detail = await real.api.getSession(0);
});

afterAll(() => real.dispose());
afterEach(cleanup);

const timelineSession = () => ({ ...detail.session, state: detail.state, endTime: detail.endTime });

describe('playback steps', () => {
  it('walks the timeline\'s arrows in wire order at their recorded times', () => {
    const steps = playbackSteps(timelineSession());
    expect(steps.map((s) => detail.session.messages[s.first]!.type)).toEqual(detail.session.messages.map((m) => m.type));
    // tshark: CONNECT in frame 4, 27.2 ms after the SYN (frame 1).
    expect(steps[0]!.atMs).toBeCloseTo((detail.session.messages[0]!.time - detail.session.startTime) * 1000, 6);
    expect(steps[0]!.atMs).toBeCloseTo(27.2, 1);
    expect(stepOfMessage(steps, 3)).toBe(3);
  });

  it('waits the recorded gap divided by the speed, and nothing inside one packet', () => {
    const steps = playbackSteps(timelineSession());
    // Client Hello (frame 8) -> Server Hello (frame 10): 77.2 ms recorded.
    const gap = steps[3]!.atMs - steps[2]!.atMs;
    expect(gap).toBeCloseTo(77.2, 1);
    expect(delayToNext(steps, 2, 1)).toBeCloseTo(gap, 6);
    expect(delayToNext(steps, 2, 0.1)).toBeCloseTo(gap * 10, 6);
    expect(delayToNext(steps, 2, 10)).toBeCloseTo(gap / 10, 6);
    // tshark: frame 13 completes Certificate, Server Key Exchange and Server Hello Done (steps 4-6).
    expect(steps.slice(4, 7).map((s) => detail.session.messages[s.first]!.frame)).toEqual([13, 13, 13]);
    expect(delayToNext(steps, 4, 1)).toBe(0);
    expect(delayToNext(steps, 5, 0.1)).toBe(0);
    expect(delayToNext(steps, steps.length - 1, 1)).toBe(0);
  });
});

describe('playback in the detail area', () => {
  function renderDetails() {
    const errors: string[] = [];
    const view = render(
      <I18nProvider choice="en">
        <DetailArea api={real.api} detail={detail} t={translator('en')} onError={(m) => errors.push(m)} />
      </I18nProvider>,
    );
    const arrows = () => [...view.container.querySelectorAll('.tlswb-timeline [role="option"]')];
    const classOf = (cls: string) => arrows().filter((a) => a.classList.contains(cls)).map((a) => a.getAttribute('data-type'));
    const bar = () => view.container.querySelector('[data-testid="playback-bar"]')!;
    const body = () => view.container.querySelector('.tlswb-timeline__body') as HTMLElement;
    return { ...view, arrows, classOf, bar, body, errors };
  }

  it('shows every arrow until playback starts', () => {
    const v = renderDetails();
    expect(v.arrows()).toHaveLength(13);
    expect(v.classOf('tlswb-timeline__row--pending')).toEqual([]);
    expect(v.bar().getAttribute('data-position')).toBe('');
  });

  it('steps with → and ←: one arrow arrives at a time, selected, its fields shown', async () => {
    const v = renderDetails();
    fireEvent.keyDown(v.body(), { key: 'ArrowRight' });
    expect(v.classOf('tlswb-timeline__row--arriving')).toEqual(['connect_request']);
    expect(v.classOf('tlswb-timeline__row--pending')).toHaveLength(12);
    for (let i = 0; i < 3; i++) fireEvent.keyDown(v.body(), { key: 'ArrowRight' });
    expect(v.bar().getAttribute('data-position')).toBe('3');
    expect(v.classOf('tlswb-timeline__row--arriving')).toEqual(['server_hello']);
    expect(v.container.querySelector('.tlswb-timeline__row--arriving')!.getAttribute('aria-selected')).toBe('true');
    expect(v.classOf('tlswb-timeline__row--pending')).toHaveLength(9);
    await waitFor(() => expect(v.container.querySelector('.tlswb-fields')?.textContent).toContain('server_hello (2)'));
    fireEvent.keyDown(v.body(), { key: 'ArrowLeft' });
    expect(v.classOf('tlswb-timeline__row--arriving')).toEqual(['client_hello']);
    expect(v.errors).toEqual([]);
  });

  it('plays to the end with Space, every message arriving in wire order', async () => {
    const v = renderDetails();
    fireEvent.change(v.container.querySelector('[data-testid="playback-speed"]')!, { target: { value: '10' } });
    const seen: string[] = [];
    const observer = new MutationObserver(() => {
      const now = v.container.querySelector('.tlswb-timeline__row--arriving')?.getAttribute('data-message-index');
      if (now && seen.at(-1) !== now) seen.push(now);
    });
    observer.observe(v.container, { subtree: true, attributes: true, attributeFilter: ['class'] });
    await act(async () => {
      fireEvent.keyDown(v.body(), { key: ' ' });
    });
    await waitFor(() => expect(v.bar().getAttribute('data-playing')).toBe('false'), { timeout: 5000 });
    observer.disconnect();
    expect(v.bar().getAttribute('data-position')).toBe('12');
    expect(v.classOf('tlswb-timeline__row--pending')).toEqual([]);
    expect(seen.map(Number)).toEqual([...Array(13).keys()]);
    // "Show all" leaves playback.
    fireEvent.click(v.container.querySelector('[data-testid="playback-stop"]')!);
    expect(v.classOf('tlswb-timeline__row--arriving')).toEqual([]);
  });
});
