// End to end: `tlswb serve FILE` driven by Chromium (playwright-core). Opens
// real captures (through a CONNECT proxy, TLS 1.3, one ending in an alert),
// selects the session, checks the rows and the timeline's messages in order
// against tshark's reading of the same files; the token refusal. Screenshots
// go to test-results/desktop/ to be looked at.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const fixtures = join(root, 'test/fixtures/e2e');
const shots = join(root, 'test-results/desktop');
mkdirSync(shots, { recursive: true });

let browser: Browser;
const servers: ChildProcess[] = [];

async function serve(file: string): Promise<string> {
  const child = spawn(process.execPath, [join(root, 'bin/tlswb.mjs'), 'serve', join(fixtures, file), '--port', '0'], {
    env: { ...process.env, TLSWB_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'tlswb-e2e-')) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  servers.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve(line!);
    });
    child.on('exit', (code) => reject(new Error(`tlswb serve exited ${code}: ${stderr}`)));
  });
}

async function openPage(url: string, theme: 'light' | 'dark' = 'light'): Promise<Page> {
  const page = await browser.newPage({ colorScheme: theme, viewport: { width: 1360, height: 820 } });
  await page.goto(url);
  return page;
}

/** The timeline's arrows, as contract message types, in order. */
async function timelineTypes(page: Page): Promise<string[]> {
  const rows = page.locator('.tlswb-timeline [role="option"]');
  await rows.first().waitFor();
  return rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-type') ?? ''));
}

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  for (const s of servers) s.kill('SIGTERM');
});

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
      await page.screenshot({ path: join(shots, `token-refused-${bad.includes('wrong') ? 'wrong' : 'missing'}.png`) });
      await page.close();
    }
  });

  it('opens a session through a CONNECT proxy: one row, the proxy target, CONNECT first in the timeline', async () => {
    const page = await openPage(await serve('https-connect.pcap'));
    const rows = page.locator('[data-session-id]');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().locator('.col-sni').innerText()).toContain('ts01-b.cloudsink.net:443');
    expect(await rows.first().locator('.col-client').innerText()).toBe('10.11.12.13:54723');
    await rows.first().click();
    // As tshark reads frames 4-18: CONNECT, 200, Client Hello, Server Hello, Certificate, Server Key Exchange,
    // Server Hello Done, Client Key Exchange, Change Cipher Spec, Encrypted Handshake Message, New Session Ticket, CCS, EHM.
    const types = await timelineTypes(page);
    expect(types.slice(0, 13)).toEqual([
      'connect_request', 'connect_response', 'client_hello', 'server_hello', 'certificate', 'server_key_exchange',
      'server_hello_done', 'client_key_exchange', 'change_cipher_spec', 'encrypted_handshake',
      'new_session_ticket', 'change_cipher_spec', 'encrypted_handshake',
    ]);
    await page.screenshot({ path: join(shots, 'connect-proxy-light.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(shots, 'connect-proxy-dark.png') });
    await page.close();
  });

  it('opens a TLS 1.3 capture and shows the version and SNI', async () => {
    const page = await openPage(await serve('curl-enabled-tls13.pcap'));
    const row = page.locator('[data-session-id]').first();
    await row.waitFor();
    expect(await row.locator('.col-version').innerText()).toBe('TLS 1.3');
    expect(await row.locator('.col-sni').innerText()).toBe('enabled.tls13.com');
    await row.click();
    const types = await timelineTypes(page);
    expect(types.slice(0, 2)).toEqual(['client_hello', 'server_hello']);
    await page.screenshot({ path: join(shots, 'tls13-dark.png') });
    await page.close();
  });

  it('marks the session that ended in an alert and keeps it under the has-alert filter', async () => {
    const page = await openPage(await serve('badcurveball.pcap'), 'dark');
    const row = page.locator('[data-session-id]').first();
    await row.waitFor();
    expect(await row.locator('.col-status').innerText()).toBe('alert');
    await page.keyboard.press('Control+f');
    await page.keyboard.type('has:alert');
    expect(await page.locator('[data-session-id]').count()).toBe(1);
    await page.getByTestId('filter').fill('sni:nothing-like-this');
    expect(await page.locator('[data-session-id]').count()).toBe(0);
    await page.getByTestId('filter').fill('');
    await row.click();
    const types = await timelineTypes(page);
    expect(types[0]).toBe('client_hello');
    expect(types).toContain('alert');
    await page.screenshot({ path: join(shots, 'alert-dark.png') });
    await page.close();
  });
});
