// End to end (issue 7): `tlswb serve` driven by Chromium (playwright-core).
// Compare: two captures whose servers chose different cipher suites (tshark:
// 0xc011 in openssl-tls1.pcap frame 6, 0xc02f in openssl-tls1_2.pcap frame 6)
// side by side, the changed suite highlighted, the ClientHello's suite list
// item by item; a full TLS 1.3 handshake against its PSK resumption. Replay:
// "Replay…" to a real openssl s_server, the answer in the compare view.
// Playback: stepping through a session's messages with the keyboard, then
// playing it to the end. Waits are for selectors or values, never sleeps.
// Screenshots (light and dark) go to test-results/compare/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { freePort, makeTestPki, startOpenSslServer, stopAllSpawned } from '../support/real-peers';
import { chromiumSuite } from '../support/chromium-pages';
import { startServe } from '../support/serve-process';

const root = join(import.meta.dirname, '../..');
const fixtures = join(root, 'test/fixtures/compare');
const shots = join(root, 'test-results/compare');
mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'tlswb-compare-e2e-'));

const { pages, servers, browser } = chromiumSuite(shots, async () => {
  await stopAllSpawned();
  rmSync(work, { recursive: true, force: true });
});

/** Starts `tlswb serve FILE` and resolves to the one URL line it prints. */
async function serve(file: string): Promise<string> {
  const { child, url } = startServe(join(fixtures, file), { TLSWB_CONFIG_DIR: mkdtempSync(join(work, 'config-')) });
  servers.push(child);
  return url;
}

async function openPage(url: string, theme: 'light' | 'dark' = 'light'): Promise<Page> {
  return pages.open(browser(), url, { theme });
}

async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await page.getByTestId('theme').selectOption(theme);
  await page.locator(`html[data-theme="${theme}"]`).waitFor();
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

async function backgroundOf(locator: Locator): Promise<string> {
  return locator.evaluate((e) => getComputedStyle(e).backgroundColor);
}

/** Opens the capture's only session and the compare screen with it as A. */
async function compareFromFirstSession(page: Page): Promise<void> {
  await page.locator('[data-session-id="0"]').click();
  await page.getByTestId('compare-session').click();
  await page.getByTestId('compare-screen').waitFor();
}

async function openSecondFile(page: Page, file: string): Promise<void> {
  await page.getByTestId('compare-open-second').click();
  await page.getByTestId('path-input').fill(join(fixtures, file));
  await page.getByTestId('path-input').press('Enter');
  await page.locator(`[data-testid="compare-pick-b"] optgroup[label*="${file}"]`).waitFor({ state: 'attached' });
}


describe('compare in the browser', () => {
  it('shows two captures side by side with the changed cipher suite highlighted', async () => {
    const page = await openPage(await serve('arkime-openssl-tls1.pcap'));
    await compareFromFirstSession(page);
    await openSecondFile(page, 'arkime-openssl-tls1_2.pcap');
    expect(await page.getByTestId('compare-pick-a').inputValue()).toBe('current:0');
    expect(await page.getByTestId('compare-pick-b').inputValue()).toBe('compare:0');
    await page.getByTestId('compare-run').click();
    await page.getByTestId('compare-view').waitFor();

    // The session facts: the server's choice changed, highlighted; ALPN (none on either side) is not.
    const suite = page.locator('.compare-facts tr[data-field="cipherSuite"]');
    expect(await suite.getAttribute('data-changed')).toBe('true');
    expect(await suite.locator('.compare-a').innerText()).toBe('TLS_ECDHE_RSA_WITH_RC4_128_SHA (0xc011)');
    expect(await suite.locator('.compare-b').innerText()).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f)');
    const alpn = page.locator('.compare-facts tr[data-field="alpn"]');
    expect(await alpn.getAttribute('data-changed')).toBe('false');
    expect(await backgroundOf(suite)).not.toBe(await backgroundOf(alpn));
    expect(await page.locator('.compare-facts tr[data-field="version"]').getAttribute('data-changed')).toBe('true');

    // Aligned message by message (tshark: the same 12 messages on both sides); ServerHello carries changes.
    const rows = page.locator('[data-testid="compare-messages"] tbody tr');
    expect(await rows.count()).toBe(12);
    const serverHello = page.locator('[data-testid="compare-messages"] tr[data-type="server_hello"]');
    expect(await serverHello.getAttribute('data-changed')).toBe('true');
    await serverHello.click();
    const changed = page.locator('[data-testid="compare-message-diff"] li[data-field="cipherSuite"]');
    expect(await changed.locator('.compare-old').innerText()).toBe('TLS_ECDHE_RSA_WITH_RC4_128_SHA (0xc011)');
    expect(await changed.locator('.compare-new').innerText()).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (0xc02f)');
    await shot(page, 'compare-server-hello-light');

    // The ClientHello's suites item by item: 46 offered in A (tshark frame 4), 28 added in B (as `tlswb diff`).
    await page.locator('[data-testid="compare-messages"] tr[data-type="client_hello"]').click();
    const suites = page.locator('[data-testid="compare-message-diff"] li[data-field="cipherSuites"]');
    expect(await suites.locator('.compare-list').first().locator('.compare-chip').count()).toBe(46);
    expect(await suites.locator('.compare-chip[data-status="added"]').count()).toBe(28);
    expect(await suites.locator('.compare-chip[data-status="added"]').first().innerText()).toBe('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (0xc030)');
    await shot(page, 'compare-client-hello-light');
    await setTheme(page, 'dark');
    await shot(page, 'compare-client-hello-dark');
    await serverHello.click();
    await shot(page, 'compare-server-hello-dark');
  });

  it('names what changed between a full TLS 1.3 handshake and its resumption', async () => {
    const page = await openPage(await serve('firefox-early.pcap'), 'dark');
    await compareFromFirstSession(page);
    await openSecondFile(page, 'firefox-late.pcap');
    // A is the first session of the open file; B, that of the file just opened to compare with.
    expect(await page.getByTestId('compare-pick-b').inputValue()).toBe('compare:0');
    await page.getByTestId('compare-run').click();
    await page.getByTestId('compare-view').waitFor();
    expect(await page.getByTestId('compare-side-b').innerText()).toContain('firefox-late.pcap #0');
    await page.getByTestId('compare-view').waitFor();
    expect(await page.locator('.compare-facts tr[data-field="resumed"]').getAttribute('data-changed')).toBe('true');
    expect(await page.locator('.compare-facts tr[data-field="cipherSuite"]').getAttribute('data-changed')).toBe('false');
    await page.locator('[data-testid="compare-messages"] tr[data-type="client_hello"]').click();
    const extensions = page.locator('[data-testid="compare-message-diff"] li[data-field="extensions"]');
    expect(await extensions.locator('.compare-chip[data-status="added"]').allInnerTexts()).toEqual(['pre_shared_key (0x0029)']);
    expect(await extensions.locator('.compare-chip[data-status="removed"]').allInnerTexts()).toEqual(['session_ticket (0x0023)', 'padding (0x0015)']);
    await shot(page, 'compare-resumption-dark');
  });
});

describe('replay in the browser', () => {
  it('replays a session to openssl s_server from the form and opens the answer in the compare view', async () => {
    const pki = makeTestPki(mkdtempSync(join(work, 'pki-')));
    const port = await freePort();
    const server = await startOpenSslServer({
      host: '127.0.0.1', port, identity: pki.rsaServer, chain: pki.chain,
      args: ['-tls1_2', '-serverpref', '-cipher', 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256'],
    });
    try {
      const page = await openPage(await serve('arkime-openssl-tls1_2.pcap'));
      await page.locator('[data-session-id="0"]').click();
      await page.getByTestId('replay-session').click();
      await page.getByTestId('replay-to').fill(`127.0.0.1:${port}`);
      await shot(page, 'replay-form-light');
      await page.getByTestId('replay-send').click();
      const summary = page.getByTestId('replay-summary');
      await summary.waitFor();
      expect(await summary.getAttribute('data-outcome')).toBe('flight-complete');
      const suite = page.locator('.compare-facts tr[data-field="cipherSuite"]');
      expect(await suite.getAttribute('data-changed')).toBe('true');
      expect(await suite.locator('.compare-b').innerText()).toBe('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (0xc030)');
      // The replay stays in the pickers, to compare again with anything.
      expect(await page.getByTestId('compare-pick-b').inputValue()).toMatch(/^replay:\d+$/);
      await shot(page, 'replay-result-light');
      await setTheme(page, 'dark');
      await shot(page, 'replay-result-dark');

      // A closed port: the dialog says so and stays open.
      await page.getByTestId('compare-close').click();
      await page.getByTestId('replay-session').click();
      await page.getByTestId('replay-to').fill(`127.0.0.1:${await freePort()}`);
      await page.getByTestId('replay-send').click();
      expect(await page.getByTestId('replay-error').innerText()).toMatch(/connect-failed: .*refused/);
    } finally {
      await server.stop();
    }
  });
});

describe('playback in the browser', () => {
  it('steps through the messages with the keyboard, the details following, then plays to the end', async () => {
    const page = await openPage(await serve('https-connect.pcap'));
    await page.locator('[data-session-id="0"]').click();
    const arrows = page.locator('.tlswb-timeline [role="option"]');
    await arrows.first().waitFor();
    const total = await arrows.count();
    expect(total).toBe(13);
    expect(await page.locator('.tlswb-timeline__row--pending').count()).toBe(0);

    await page.locator('.tlswb-timeline__body').focus();
    await page.keyboard.press('ArrowRight');
    await page.locator('[data-testid="playback-bar"][data-position="0"]').waitFor();
    expect(await page.locator('.tlswb-timeline__row--pending').count()).toBe(total - 1);
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await page.locator('[data-testid="playback-bar"][data-position="3"]').waitFor();
    // The fourth arrow (tshark frame 10: Server Hello) has just arrived, is selected, and its fields show.
    const arriving = page.locator('.tlswb-timeline__row--arriving');
    expect(await arriving.getAttribute('data-type')).toBe('server_hello');
    expect(await arriving.getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('.tlswb-timeline__row--pending').count()).toBe(total - 4);
    await page.locator('.tlswb-fields [role="treeitem"]').filter({ hasText: 'server_hello (2)' }).first().waitFor();
    await page.getByRole('tab', { name: 'Explanation' }).click();
    await shot(page, 'playback-step-light');
    // The keys belong to the timeline pane (the field tree and the tabs have arrow keys of their own).
    await page.locator('.tlswb-timeline__body').focus();
    await page.keyboard.press('ArrowLeft');
    await page.locator('[data-testid="playback-bar"][data-position="2"]').waitFor();
    expect(await page.locator('.tlswb-timeline__row--arriving').getAttribute('data-type')).toBe('client_hello');
    await setTheme(page, 'dark');
    await shot(page, 'playback-step-dark');

    // Space plays on from here at 10x the recorded pace, to the last message.
    await page.getByTestId('playback-speed').selectOption('10');
    await page.locator('.tlswb-timeline__body').focus();
    await page.keyboard.press(' ');
    await page.locator(`[data-testid="playback-bar"][data-playing="false"][data-position="${total - 1}"]`).waitFor();
    expect(await page.locator('.tlswb-timeline__row--pending').count()).toBe(0);
    expect(await page.locator('.tlswb-timeline__row--arriving').getAttribute('data-type')).toBe('encrypted_handshake');
    await page.getByTestId('playback-stop').click();
    expect(await page.locator('.tlswb-timeline__row--arriving').count()).toBe(0);
  });
});
