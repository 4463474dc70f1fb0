// End to end: `tlswb serve FILE` driven by Chromium (playwright-core). Opens
// real captures (through a CONNECT proxy, TLS 1.3, one ending in an alert, a
// damaged one), selects the session and checks what a person sees against
// tshark's reading of the same files: the rows, the timeline's messages in
// order on their lanes, the field tree and its bytes, the certificate
// verdict; and the token refusal. Every wait is for a selector or a value,
// never a sleep. Screenshots (light and dark, English and 中文) go to
// test-results/desktop/ to be looked at.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumSuite, type PageOptions } from '../support/chromium-pages';
import { startServe } from '../support/serve-process';

const root = join(import.meta.dirname, '../..');
const fixtures = join(root, 'test/fixtures/e2e');
const shots = join(root, 'test-results/desktop');
mkdirSync(shots, { recursive: true });


/** Starts `tlswb serve FILE` and resolves to the one URL line it prints. */
async function serve(file: string): Promise<string> {
  const { child, url } = startServe(join(fixtures, file), { TLSWB_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'tlswb-e2e-')) });
  servers.push(child);
  return url;
}

/** Open pages and what their consoles said, for the report of a failing test. */
const { pages, servers, browser } = chromiumSuite(shots);

function openPage(url: string, options: Omit<PageOptions, 'height'> = {}): Promise<Page> {
  return pages.open(browser(), url, { ...options, height: 820 });
}

function closePage(page: Page): Promise<void> {
  return pages.close(page);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

/** The timeline's arrows (contract message types, and lanes), in order. */
async function timelineArrows(page: Page): Promise<{ type: string; from: string; to: string }[]> {
  const rows = page.locator('.tlswb-timeline [role="option"]');
  await rows.first().waitFor();
  return rows.evaluateAll((els) =>
    els.map((e) => ({ type: e.getAttribute('data-type') ?? '', from: e.getAttribute('data-from') ?? '', to: e.getAttribute('data-to') ?? '' })),
  );
}

function fieldRow(page: Page, name: string): Locator {
  return page.locator('.tlswb-fields [role="treeitem"]').filter({ has: page.locator('.tlswb-fields__name', { hasText: new RegExp(`^${name}$`) }) });
}

/** Offsets of the highlighted bytes in the hex column. */
async function highlightedOffsets(page: Page): Promise<number[]> {
  return page.locator('.tlswb-hex__bytes .tlswb-hex__byte--on').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-offset'))));
}

/** RGB of an element's text colour. */
async function textColour(locator: Locator): Promise<[number, number, number]> {
  const css = await locator.evaluate((e) => getComputedStyle(e).color);
  const m = /(\d+(?:\.\d+)?)[ ,]+(\d+(?:\.\d+)?)[ ,]+(\d+(?:\.\d+)?)/.exec(css);
  if (!m) throw new Error(`unexpected colour ${css}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}


describe('the workbench in a browser (tlswb serve)', () => {
  it('prints exactly one URL line carrying the token', async () => {
    const url = await serve('https-connect.pcap');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  });

  it('shows the token screen and no capture data when opened without the token', async () => {
    const url = await serve('https-connect.pcap');
    for (const bad of [url.replace(/\?token=.*/, ''), url.replace(/token=.*/, 'token=wrong')]) {
      const page = await openPage(bad);
      await page.getByTestId('refused-screen').waitFor();
      expect(await page.locator('[data-session-id]').count()).toBe(0);
      expect(await page.content()).not.toContain('cloudsink');
      await shot(page, `token-refused-${bad.includes('wrong') ? 'wrong' : 'missing'}`);
      await closePage(page);
    }
  });

  it('opens a session through a CONNECT proxy: the row, the timeline in wire order with the Proxy lane', async () => {
    const page = await openPage(await serve('https-connect.pcap'));
    const rows = page.locator('[data-session-id]');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().locator('.col-sni').innerText()).toContain('ts01-b.cloudsink.net:443');
    expect(await rows.first().locator('.col-client').innerText()).toBe('10.11.12.13:54723');
    await rows.first().click();
    await page.locator('.tlswb-timeline__lane-name--proxy').waitFor();
    // As tshark reads frames 4-18: CONNECT, 200, Client Hello, Server Hello, Certificate, Server Key Exchange,
    // Server Hello Done, Client Key Exchange, Change Cipher Spec, Encrypted Handshake Message, New Session Ticket, CCS, EHM.
    const arrows = await timelineArrows(page);
    expect(arrows.map((a) => a.type)).toEqual([
      'connect_request', 'connect_response', 'client_hello', 'server_hello', 'certificate', 'server_key_exchange',
      'server_hello_done', 'client_key_exchange', 'change_cipher_spec', 'encrypted_handshake',
      'new_session_ticket', 'change_cipher_spec', 'encrypted_handshake',
    ]);
    // The CONNECT exchange runs between the client and the proxy; TLS between the client and the server.
    expect(arrows[0]).toMatchObject({ from: 'client', to: 'proxy' });
    expect(arrows[1]).toMatchObject({ from: 'proxy', to: 'client' });
    expect(arrows[2]).toMatchObject({ from: 'client', to: 'server' });
    expect(arrows[3]).toMatchObject({ from: 'server', to: 'client' });
    // The CONNECT request as tshark's HTTP dissector reads frame 4.
    await page.locator('.tlswb-timeline [data-type="connect_request"]').click();
    await fieldRow(page, 'request_line').waitFor();
    expect(await fieldRow(page, 'request_line').innerText()).toContain('CONNECT ts01-b.cloudsink.net:443 HTTP/1.0');
    expect(await fieldRow(page, 'User-Agent').innerText()).toContain('CrowdStrike Falcon Sensor');
    await shot(page, 'connect-proxy-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'connect-proxy-dark');
    await closePage(page);
  });

  it('shows a message as a field tree over its bytes: a field highlights its bytes, a byte selects its field', async () => {
    const page = await openPage(await serve('https-connect.pcap'));
    await page.locator('[data-session-id]').first().click();
    await page.locator('.tlswb-timeline [data-type="client_hello"]').click();
    // The ClientHello of frame 8, as tshark decodes it: 280 bytes of body, 86 cipher suites.
    await fieldRow(page, 'msg_type').waitFor();
    expect(await fieldRow(page, 'msg_type').innerText()).toContain('client_hello (1)');
    expect(await fieldRow(page, 'length').innerText()).toContain('280');
    await fieldRow(page, 'cipher_suites').click();
    // cipher_suites: 2 length bytes + 86 suites x 2, right after the 39 bytes before it.
    await expect.poll(() => highlightedOffsets(page)).toHaveLength(174);
    const on = await highlightedOffsets(page);
    expect(on[0]).toBe(39);
    expect(on.at(-1)).toBe(39 + 173);
    // Clicking the first suite's second byte selects that suite, its branch opened.
    await page.locator('.tlswb-hex__bytes [data-offset="42"]').click();
    const selected = page.locator('.tlswb-fields [role="treeitem"][aria-selected="true"]');
    await expect.poll(() => selected.innerText()).toContain('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (0xc030)');
    expect(await highlightedOffsets(page)).toEqual([41, 42]);
    expect(await page.locator('.tlswb-fields [aria-expanded="true"]').first().innerText()).toContain('cipher_suites');
    await shot(page, 'message-fields-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'message-fields-dark');
    await closePage(page);
  });

  it('shows the certificate chain and its verdict, judged at the time of the capture', async () => {
    const page = await openPage(await serve('https-connect.pcap'));
    await page.locator('[data-session-id]').first().click();
    await page.locator('[data-tab="certificates"]').click();
    const verdict = page.locator('.tlswb-certs__verdict');
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-verdict')).toBe('valid');
    expect(await verdict.innerText()).toContain('DigiCert High Assurance EV Root CA');
    expect(await page.locator('.tlswb-certs__card').count()).toBe(2);
    expect(await page.locator('.tlswb-certs__card').first().innerText()).toContain('ts01-b.cloudsink.net');
    await shot(page, 'certificates-light');
    await closePage(page);
  });

  it('speaks 简体中文 when the OS does', async () => {
    const page = await openPage(await serve('https-connect.pcap'), { locale: 'zh-CN', theme: 'dark' });
    await page.locator('[data-session-id]').first().click();
    await page.locator('.tlswb-timeline [data-type="server_hello"]').click();
    expect(await page.locator('[data-tab="message"]').innerText()).toBe('消息');
    await page.locator('[data-tab="explanation"]').click();
    await page.locator('[data-tab="explanation"][aria-selected="true"]').waitFor();
    expect(await page.locator('.tab-body').innerText()).toMatch(/[\u4e00-\u9fff]{8,}/);
    await shot(page, 'explanation-zh-dark');
    await page.locator('[data-tab="certificates"]').click();
    await page.locator('.tlswb-certs__verdict').waitFor();
    expect(await page.locator('.tlswb-certs__verdict').innerText()).toContain('证书链到达受信任的根证书');
    await shot(page, 'certificates-zh-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.locator('[data-tab="message"]').click();
    await fieldRow(page, 'msg_type').waitFor();
    await shot(page, 'message-zh-light');
    await closePage(page);
  });

  it('opens a TLS 1.3 capture and shows the version, the SNI and the close', async () => {
    const page = await openPage(await serve('curl-enabled-tls13.pcap'));
    const row = page.locator('[data-session-id]').first();
    await row.waitFor();
    expect(await row.locator('.col-version').innerText()).toBe('TLS 1.3');
    expect(await row.locator('.col-sni').innerText()).toBe('enabled.tls13.com');
    await row.click();
    const types = (await timelineArrows(page)).map((a) => a.type);
    expect(types.slice(0, 4)).toEqual(['client_hello', 'server_hello', 'change_cipher_spec', 'application_data']);
    // tshark: the connection ends with FIN from both sides.
    await page.locator('.tlswb-timeline__close--fin').waitFor();
    // Keyboard: in the session list Enter moves on to the session's timeline; there ↓ walks the messages.
    await page.getByTestId('session-scroll').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('listbox');
    await page.keyboard.press('ArrowDown');
    await page.locator('.tlswb-timeline [role="option"][aria-selected="true"][data-type="server_hello"]').waitFor();
    await expect.poll(() => fieldRow(page, 'msg_type').innerText()).toContain('server_hello (2)');
    await shot(page, 'tls13-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'tls13-dark');
    await closePage(page);
  });

  it('marks the session that ended in an alert, draws the alert in red and keeps it under the has-alert filter', async () => {
    const page = await openPage(await serve('badcurveball.pcap'), { theme: 'dark' });
    const rows = page.locator('[data-session-id]');
    const row = rows.first();
    await row.waitFor();
    expect(await row.locator('.col-status').innerText()).toBe('alert');
    await page.keyboard.press('Control+f');
    await page.keyboard.type('has:alert');
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByTestId('filter').fill('sni:nothing-like-this');
    await expect.poll(() => rows.count()).toBe(0);
    await page.getByTestId('filter').fill('');
    await row.click();
    const types = (await timelineArrows(page)).map((a) => a.type);
    // tshark: Client Hello; Server Hello, Certificate, Server Key Exchange, Server Hello Done; Alert (Fatal, Certificate Unknown).
    expect(types).toEqual(['client_hello', 'server_hello', 'certificate', 'server_key_exchange', 'server_hello_done', 'alert']);
    const alert = page.locator('.tlswb-timeline [data-type="alert"]');
    expect(await alert.innerText()).toContain('certificate_unknown');
    const [r, g, b] = await textColour(alert.locator('.tlswb-timeline__name'));
    expect(r).toBeGreaterThan(g + 60);
    expect(r).toBeGreaterThan(b + 60);
    await page.locator('[data-tab="certificates"]').click();
    expect(await page.locator('.tlswb-certs__verdict').getAttribute('data-verdict')).toBe('unknown-issuer');
    await page.locator('[data-tab="message"]').click();
    await alert.click();
    await fieldRow(page, 'description').waitFor();
    await shot(page, 'alert-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await shot(page, 'alert-light');
    await closePage(page);
  });

  it('opens a damaged file with what could be read and a banner saying where it broke', async () => {
    const page = await openPage(await serve('tls_DER-incomplete-header.pcap'));
    const banner = page.getByTestId('damage-banner');
    await banner.waitFor();
    expect(await banner.innerText()).toContain('after packet 6');
    expect(await banner.innerText()).toContain('record length 4325376');
    const row = page.locator('[data-session-id]').first();
    await row.waitFor();
    expect(await row.locator('.col-server').innerText()).toBe('127.0.0.1:10443');
    await row.click();
    const types = (await timelineArrows(page)).map((a) => a.type);
    expect(types).toEqual(['client_hello', 'server_hello', 'certificate']);
    await shot(page, 'damaged-light');
    await closePage(page);
  });
});
