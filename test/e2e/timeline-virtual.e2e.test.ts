// End to end: the timeline of a long-lived connection in Chromium against
// `tlswb serve`. test/fixtures/timeline/openssl-ping-pong.pcap is a real
// recording (openssl s_client against s_server -rev on loopback, dumpcap; see
// record-ping-pong.ts): tshark 4.0.17 lists 3,011 TLS records, the
// application data strictly alternating between the sides, so some three
// thousand arrows that do not fold. The page must keep only a window of them
// in the DOM, the lane names fixed above the scrolling body, and reach the
// rest by scrolling and by the keyboard. Waits are for selectors or values,
// never sleeps. Screenshots (light and dark) go to test-results/timeline/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumSuite } from '../support/chromium-pages';
import { startServe } from '../support/serve-process';

const root = join(import.meta.dirname, '../..');
const capture = join(root, 'test/fixtures/timeline/openssl-ping-pong.pcap');
const shots = join(root, 'test-results/timeline');
mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'tlswb-timeline-e2e-'));

const { pages, servers, browser } = chromiumSuite(shots, () => rmSync(work, { recursive: true, force: true }));

async function openPage(theme: 'light' | 'dark'): Promise<Page> {
  const { child, url } = startServe(capture, { TLSWB_CONFIG_DIR: mkdtempSync(join(work, 'config-')) });
  servers.push(child);
  return pages.open(browser(), await url, { theme, height: 820 });
}

/** What the body shows: its scroll geometry, the arrows in the DOM, and those inside its visible box. */
async function bodyState(page: Page) {
  return page.locator('.tlswb-timeline__body').evaluate((body) => {
    const box = body.getBoundingClientRect();
    const options = [...body.querySelectorAll<HTMLElement>('[role="option"]')];
    const visible = options.filter((o) => {
      const r = o.getBoundingClientRect();
      return r.bottom > box.top && r.top < box.bottom;
    });
    return {
      scrollTop: body.scrollTop,
      scrollHeight: body.scrollHeight,
      clientHeight: body.clientHeight,
      arrows: Number(body.getAttribute('data-arrows')),
      inDom: options.length,
      domIndexes: options.map((o) => Number(o.dataset.messageIndex)),
      visibleIndexes: visible.map((o) => Number(o.dataset.messageIndex)),
      nodes: body.querySelectorAll('*').length,
      headTop: document.querySelector('.tlswb-timeline__head')!.getBoundingClientRect().top,
    };
  });
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`) });
}


describe('the timeline of thousands of alternating records, in Chromium', () => {
  it('draws only the rows in view, scrolls to later ones under fixed lane names, and keeps the keyboard', async () => {
    const page = await openPage('light');
    await page.locator('[data-session-id="0"]').click();
    await page.locator('.tlswb-timeline [role="option"]').first().waitFor();

    const start = await bodyState(page);
    expect(start.arrows).toBeGreaterThan(3000);
    // The body is the scroll container: thousands of rows tall, a window of them drawn.
    expect(start.scrollHeight).toBeGreaterThan(start.clientHeight * 20);
    expect(start.clientHeight).toBeGreaterThan(100);
    expect(start.inDom).toBeLessThan(80);
    expect(start.domIndexes[0]).toBe(0);
    expect(start.visibleIndexes.length).toBeGreaterThan(5);
    await shot(page, 'timeline-ping-pong-top-light');

    // Half way down: the rows there are drawn and visible, the first ones gone, the lane names where they were.
    await page.locator('.tlswb-timeline__body').evaluate((b) => {
      b.scrollTop = b.scrollHeight / 2;
    });
    await page.waitForFunction(() => !document.querySelector('.tlswb-timeline [data-message-index="0"]'));
    const middle = await bodyState(page);
    expect(middle.inDom).toBeLessThan(80);
    expect(Math.min(...middle.visibleIndexes)).toBeGreaterThan(1000);
    expect(Math.max(...middle.visibleIndexes)).toBeLessThan(2000);
    expect(middle.headTop).toBe(start.headTop);
    const times = await page.locator('.tlswb-timeline [role="option"] .tlswb-timeline__time').allInnerTexts();
    expect(times.every((t) => /^\+\d+(\.\d+)? ms$/.test(t))).toBe(true);
    expect(await page.locator('.tlswb-timeline__flight .tlswb-timeline__wait').first().innerText()).toMatch(/(server|client) answered after [\d.]+ ms/);
    await shot(page, 'timeline-ping-pong-middle-light');

    // The keyboard: End selects the last arrow (tshark frame 3011, the server's last line) and brings it, and the close, into view.
    await page.locator('.tlswb-timeline__body').focus();
    await page.keyboard.press('End');
    const last = page.locator('.tlswb-timeline [role="option"][aria-selected="true"]');
    await page.locator('.tlswb-timeline [role="option"][aria-selected="true"][data-message-index="3010"]').waitFor();
    expect(await last.getAttribute('title')).toContain('3011');
    await page.waitForFunction(() => {
      const body = document.querySelector('.tlswb-timeline__body')!;
      const sel = body.querySelector('[aria-selected="true"]');
      if (!sel) return false;
      const a = sel.getBoundingClientRect();
      const b = body.getBoundingClientRect();
      return a.top >= b.top && a.bottom <= b.bottom;
    });
    await page.locator('.tlswb-timeline__close--fin').waitFor();
    const end = await bodyState(page);
    expect(end.inDom).toBeLessThan(80);
    expect(await page.locator('.tlswb-timeline__body').getAttribute('aria-activedescendant')).toBe(await last.getAttribute('id'));
    // ↑ moves to the client's line before it; Enter opens it in the message tab.
    await page.keyboard.press('ArrowUp');
    await page.locator('.tlswb-timeline [role="option"][aria-selected="true"][data-message-index="3009"][data-from="client"]').waitFor();
    await page.getByRole('tab', { name: 'Explanation' }).click();
    await page.locator('.tlswb-timeline__body').focus();
    await page.keyboard.press('Enter');
    await page.locator('[role="tab"][data-tab="message"][aria-selected="true"]').waitFor();
    await page.locator('.tlswb-fields [role="treeitem"]').filter({ hasText: 'encrypted_application_data' }).first().waitFor();
    await shot(page, 'timeline-ping-pong-end-light');
    // Home: back to the top, the Client Hello selected.
    await page.keyboard.press('Home');
    await page.locator('.tlswb-timeline [role="option"][aria-selected="true"][data-type="client_hello"]').waitFor();
    await page.waitForFunction(() => document.querySelector('.tlswb-timeline__body')!.scrollTop < 50);
  });

  it('reads in the dark theme too', async () => {
    const page = await openPage('dark');
    await page.getByTestId('theme').selectOption('dark');
    await page.locator('html[data-theme="dark"]').waitFor();
    await page.locator('[data-session-id="0"]').click();
    await page.locator('.tlswb-timeline [role="option"]').first().waitFor();
    await page.locator('.tlswb-timeline__body').evaluate((b) => {
      b.scrollTop = b.scrollHeight / 3;
    });
    await page.waitForFunction(() => !document.querySelector('.tlswb-timeline [data-message-index="0"]'));
    const state = await bodyState(page);
    expect(state.inDom).toBeLessThan(80);
    // The arrows' labels are light on dark: the page's theme reaches the rows.
    const colour = await page.locator('.tlswb-timeline [role="option"] .tlswb-timeline__name').first().evaluate((e) => getComputedStyle(e).color);
    const [r, g, b] = (/(\d+)[ ,]+(\d+)[ ,]+(\d+)/.exec(colour) ?? []).slice(1).map(Number);
    expect((r! + g! + b!) / 3).toBeGreaterThan(128);
    await shot(page, 'timeline-ping-pong-middle-dark');
  });
});
