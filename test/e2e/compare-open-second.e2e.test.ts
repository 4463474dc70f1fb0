// End to end: the compare screen's second file in the browser (tlswb serve,
// Chromium) opens the ways the main Open does — a file picked and uploaded, a
// recent file, a capture dropped on the screen — and the open capture stays
// open. The captures: arkime-openssl-tls1.pcap is served, the second is
// arkime-openssl-tls1_2.pcap, whose server chose 0xc02f where the first chose
// 0xc011 (tshark: frame 6 of each). Waits are for selectors or values, never
// sleeps. Screenshots (light and dark) go to test-results/compare/.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumSuite } from '../support/chromium-pages';
import { startServe } from '../support/serve-process';

const root = join(import.meta.dirname, '../..');
const fixtures = join(root, 'test/fixtures/compare');
const served = join(fixtures, 'arkime-openssl-tls1.pcap');
const second = join(fixtures, 'arkime-openssl-tls1_2.pcap');
const shots = join(root, 'test-results/compare');
mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'tlswb-compare-open-e2e-'));

const { pages, servers, browser } = chromiumSuite(shots, () => rmSync(work, { recursive: true, force: true }));

/** `tlswb serve` of the first capture, a page on it, and the compare screen with its only session as A. */
async function compareScreen(theme: 'light' | 'dark' = 'light', configDir = mkdtempSync(join(work, 'config-'))): Promise<Page> {
  const { child, url } = startServe(served, { TLSWB_CONFIG_DIR: configDir });
  servers.push(child);
  const page = await pages.open(browser(), await url, { theme });
  await page.locator('[data-session-id="0"]').click();
  await page.getByTestId('compare-session').click();
  await page.getByTestId('compare-screen').waitFor();
  return page;
}

/** The second file is in the pickers as B, and comparing shows the server's changed choice. */
async function expectSecondFileCompared(page: Page, name: string): Promise<void> {
  await page.locator(`[data-testid="compare-pick-b"] optgroup[label="Second file (${name})"]`).waitFor({ state: 'attached' });
  expect(await page.getByTestId('compare-pick-a').inputValue()).toBe('current:0');
  expect(await page.getByTestId('compare-pick-b').inputValue()).toBe('compare:0');
  await page.getByTestId('compare-run').click();
  await page.getByTestId('compare-view').waitFor();
  const suite = page.locator('.compare-facts tr[data-field="cipherSuite"]');
  expect(await suite.getAttribute('data-changed')).toBe('true');
  expect(await suite.locator('.compare-a').innerText()).toBe('TLS_ECDHE_RSA_WITH_RC4_128_SHA (0xc011)');
  expect(await suite.locator('.compare-b').innerText()).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f)');
  // The open capture is still the served one.
  expect(await page.getByTestId('file-name').innerText()).toContain('arkime-openssl-tls1.pcap');
}


describe('the second file to compare with, in the browser', () => {
  it('is picked and uploaded from the open dialog', async () => {
    const page = await compareScreen();
    await page.getByTestId('compare-open-second').click();
    const dialog = page.getByTestId('compare-open-dialog');
    await dialog.waitFor();
    await page.screenshot({ path: join(shots, 'compare-open-dialog-light.png') });
    await page.getByTestId('upload-input').setInputFiles(second);
    await dialog.waitFor({ state: 'detached' });
    await expectSecondFileCompared(page, 'arkime-openssl-tls1_2.pcap');
    await page.screenshot({ path: join(shots, 'compare-uploaded-second-light.png') });
  });

  it('is chosen from the recent files', async () => {
    // A first run opens the second capture as the main one: it becomes a recent file of this config.
    const config = mkdtempSync(join(work, 'config-'));
    const { child, url } = startServe(second, { TLSWB_CONFIG_DIR: config });
    servers.push(child);
    const first = await browser().newContext();
    const firstPage = await first.newPage();
    await firstPage.goto(await url);
    await firstPage.locator('[data-session-id="0"]').waitFor();
    await first.close();
    child.kill('SIGTERM');

    const page = await compareScreen('dark', config);
    await page.getByTestId('compare-open-second').click();
    const entry = page.locator(`[data-testid="compare-recent"] button[data-path="${second}"]`);
    await entry.waitFor();
    await page.screenshot({ path: join(shots, 'compare-open-dialog-dark.png') });
    await entry.click();
    await expectSecondFileCompared(page, 'arkime-openssl-tls1_2.pcap');
    await page.screenshot({ path: join(shots, 'compare-recent-second-dark.png') });
  });

  it('is a capture dropped on the compare screen (not opened as the capture)', async () => {
    const page = await compareScreen();
    const base64 = readFileSync(second).toString('base64');
    const dataTransfer = await page.evaluateHandle((b64) => {
      const dt = new DataTransfer();
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], 'dropped-tls1_2.pcap', { type: 'application/vnd.tcpdump.pcap' }));
      return dt;
    }, base64);
    const target = page.locator('.compare-scroll');
    await target.dispatchEvent('dragenter', { dataTransfer });
    await target.dispatchEvent('dragover', { dataTransfer });
    await page.locator('.compare-drop').waitFor();
    expect(await page.locator('.drop-overlay').count()).toBe(0);
    await page.screenshot({ path: join(shots, 'compare-drop-light.png') });
    await target.dispatchEvent('drop', { dataTransfer });
    await page.locator('.compare-drop').waitFor({ state: 'detached' });
    await expectSecondFileCompared(page, 'dropped-tls1_2.pcap');
    // The main list still holds the served capture's one session.
    await page.getByTestId('compare-close').click();
    expect(await page.locator('[role="row"][data-session-id]').count()).toBe(1);
    expect(await page.getByTestId('statusbar').innerText()).toContain('1 of 1 sessions');
  });
});
