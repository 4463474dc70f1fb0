// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { Timeline } from '../../../renderer/src/views/timeline/timeline';
import { buildTimelineRows } from '../../../renderer/src/views/timeline/timeline-rows';
import type { ArrowRow, FlightRow } from '../../../renderer/src/views/timeline/timeline-rows';
import { I18nProvider } from '../../../renderer/src/i18n/i18n-context';
import { loadSession } from './session-fixtures';

afterEach(cleanup);

function arrowsOf(container: HTMLElement) {
  return [...container.querySelectorAll<HTMLElement>('[role="option"]')].map((el) => ({
    name: el.querySelector('.tlswb-timeline__name')?.textContent ?? '',
    from: el.dataset.from,
    to: el.dataset.to,
    time: el.querySelector('.tlswb-timeline__time')?.textContent ?? '',
    el,
  }));
}

describe('Timeline', () => {
  it('draws a CONNECT session as tshark lists it: Client, Proxy and Server lanes, one arrow per message in wire order', () => {
    const session = loadSession('https-connect');
    const { container } = render(<Timeline session={session} selectedIndex={null} onSelect={() => undefined} />);
    expect([...container.querySelectorAll('.tlswb-timeline__lane-name')].map((e) => e.textContent)).toEqual(['Client', 'Proxy', 'Server']);
    const arrows = arrowsOf(container);
    // tshark 4.0.17, arkime/tests/pcap/https-connect.pcap, Info column of frames 4, 6, 8, 10, 13, 16, 18.
    expect(arrows.map((a) => a.name)).toEqual([
      'CONNECT', 'HTTP 200 Connection Established', 'Client Hello', 'Server Hello', 'Certificate', 'Server Key Exchange',
      'Server Hello Done', 'Client Key Exchange', 'Change Cipher Spec', 'Encrypted Handshake Message',
      'New Session Ticket', 'Change Cipher Spec', 'Encrypted Handshake Message',
    ]);
    expect(arrows.slice(0, 4).map((a) => `${a.from}->${a.to}`)).toEqual(['client->proxy', 'proxy->client', 'client->server', 'server->client']);
    // Times relative to the SYN (frame 1 at .383165 s): the CONNECT went out 27.2 ms later, the ServerHello at 167.8 ms.
    expect(arrows[0].time).toBe('+27.2 ms');
    expect(arrows[3].time).toBe('+167.8 ms');
    expect(screen.getByText(/through proxy ts01-b\.cloudsink\.net:443/)).toBeTruthy();
  });

  it('shows the wait before each flight: the server answered the ClientHello after 77.2 ms', () => {
    const model = buildTimelineRows(loadSession('https-connect'));
    const flights = model.rows.filter((r): r is FlightRow => r.kind === 'flight');
    expect(flights.map((f) => f.lane)).toEqual(['client', 'proxy', 'client', 'server', 'client', 'server']);
    expect(flights[3].waitMs).toBeCloseTo(77.214, 3);
    // CONNECT round trip + two TLS 1.2 round trips.
    expect(model.handshakeRoundTrips).toBe(3);
    const { container } = render(<Timeline session={loadSession('https-connect')} selectedIndex={null} onSelect={() => undefined} />);
    expect(container.textContent).toContain('server answered after 77.2 ms');
    expect(container.textContent).toContain('proxy answered after 63.3 ms');
  });

  it('folds runs of application data from one side into one arrow with count and bytes, and shows the FIN', () => {
    const session = loadSession('curl-enabled-tls13');
    const { container } = render(<Timeline session={session} selectedIndex={null} onSelect={() => undefined} />);
    const arrows = arrowsOf(container);
    expect(arrows.map((a) => a.name)).toEqual([
      'Client Hello', 'Server Hello', 'Change Cipher Spec', 'Application Data', 'Change Cipher Spec',
      'Application Data ×5 (242 B)', 'Application Data ×2 (559 B)', 'Application Data', 'Application Data ×2 (669 B)', 'Application Data',
    ]);
    // frames 16, 17, 19, 20, 21: 69 + 41 + 44 + 30 + 58 bytes from the client.
    const run = arrows[5].el;
    expect(run.className).toContain('tlswb-timeline__row--collapsed');
    expect(run.dataset.from).toBe('client');
    expect(container.querySelector('[data-type="close"]')?.textContent).toContain('Connection closed (FIN)');
    // TLS 1.3: one round trip; proxy lane absent.
    expect(container.querySelectorAll('.tlswb-timeline__lane-name')).toHaveLength(2);
    expect(buildTimelineRows(session).handshakeRoundTrips).toBe(1);
  });

  it('draws a fatal alert in red with its level and description', () => {
    const { container } = render(<Timeline session={loadSession('badcurveball')} selectedIndex={null} onSelect={() => undefined} />);
    const alert = arrowsOf(container).find((a) => a.el.dataset.type === 'alert');
    expect(alert?.name).toBe('Alert (fatal, certificate_unknown)');
    expect(alert?.el.className).toContain('tlswb-timeline__row--alert');
    expect(alert?.from).toBe('client');
    const others = arrowsOf(container).filter((a) => a.el.dataset.type !== 'alert');
    expect(others.every((a) => !a.el.className.includes('--alert'))).toBe(true);
  });

  it('moves the selection with the arrow keys (a collapsed run counts as one step) and activates it with Enter', () => {
    const session = loadSession('curl-enabled-tls13');
    const onSelect = vi.fn();
    const onActivate = vi.fn();
    const { rerender } = render(<Timeline session={session} selectedIndex={4} onSelect={onSelect} onActivate={onActivate} />);
    const list = screen.getByRole('listbox');
    expect(screen.getByRole('option', { selected: true }).textContent).toContain('Change Cipher Spec');
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    expect(onSelect).toHaveBeenLastCalledWith(5);
    rerender(<Timeline session={session} selectedIndex={7} onSelect={onSelect} onActivate={onActivate} />);
    // message 7 is inside the run 5..9: the run is selected, and ↓ goes to the next arrow (message 10)
    expect(screen.getByRole('option', { selected: true }).textContent).toContain('×5');
    fireEvent.keyDown(list, { key: 'ArrowDown' });
    expect(onSelect).toHaveBeenLastCalledWith(10);
    fireEvent.keyDown(list, { key: 'ArrowUp' });
    expect(onSelect).toHaveBeenLastCalledWith(4);
    fireEvent.keyDown(list, { key: 'Enter' });
    expect(onActivate).toHaveBeenCalledWith(5);
    fireEvent.click(screen.getAllByRole('option')[0]);
    expect(onSelect).toHaveBeenLastCalledWith(0);
  });

  it('speaks 简体中文 when the language is zh-CN', () => {
    const { container } = render(
      <I18nProvider choice="zh-CN">
        <Timeline session={loadSession('https-connect')} selectedIndex={null} onSelect={() => undefined} />
      </I18nProvider>,
    );
    expect([...container.querySelectorAll('.tlswb-timeline__lane-name')].map((e) => e.textContent)).toEqual(['客户端', '代理', '服务端']);
    expect(container.textContent).toContain('服务端在 77.2 ms 后应答');
  });

  it('keeps an empty session readable', () => {
    const session = { ...loadSession('https-connect'), messages: [], proxy: null, state: 'open' as const };
    render(<Timeline session={session} selectedIndex={null} onSelect={() => undefined} />);
    expect(screen.getByText('No messages in this session.')).toBeTruthy();
  });
});

describe('timeline rows', () => {
  it('keeps every message reachable: the arrows cover each message index exactly once, in order', () => {
    for (const name of ['https-connect', 'curl-enabled-tls13', 'badcurveball'] as const) {
      const session = loadSession(name);
      const arrows = buildTimelineRows(session).rows.filter((r): r is ArrowRow => r.kind === 'arrow');
      const covered = arrows.flatMap((a) => Array.from({ length: a.last - a.first + 1 }, (_, k) => a.first + k));
      expect(covered).toEqual(session.messages.map((_, i) => i));
    }
  });
});
