// End to end: live capture from the capture toolbar of `tlswb serve` in
// Chromium (playwright-core; needs root, as CI runs). Pick `lo` and a filter,
// Start, make an openssl handshake, see its session appear in the list while
// the capture runs, select it and see its timeline; Stop and read the status
// bar's counters. Every wait is for a selector or a value, never a sleep.
// Screenshots go to test-results/desktop/live-capture-*.png to be looked at.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium-pages';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackAddress, makeTestPki, runOpenSslClient, startOpenSslServer, stopAllSpawned, type OpenSslServer, type TestPki } from '../support/real-peers';
import { tsharkPacketCount } from '../integration/live-capture-support';
import { openLightPage, startServe } from '../support/serve-process';

const root = join(import.meta.dirname, '../..');
const shots = join(root, 'test-results/desktop');
mkdirSync(shots, { recursive: true });

let browser: Browser;
let serveProcess: ChildProcess | null = null;
let dir: string;
let host: string;
let pki: TestPki;
let server: OpenSslServer;

/** `tlswb serve` with no file; its spool and settings in the test's folder. Resolves to the URL it prints. */
function serve(): Promise<string> {
  const { child, url } = startServe(null, {
    TLSWB_CONFIG_DIR: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data'), TLSWB_SPOOL_DIR: join(dir, 'spool'),
  });
  serveProcess = child;
  return url;
}

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'native', 'capture-helper.mjs'))) throw new Error('dist/ is missing: run "npm run build" first');
  dir = mkdtempSync(join(tmpdir(), 'tlswb-e2e-capture-'));
  pki = makeTestPki(dir);
  host = await freeLoopbackAddress([443]);
  server = await startOpenSslServer({ host, port: 443, identity: pki.ecServer, chain: pki.chain });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  serveProcess?.kill('SIGTERM');
  await server?.stop();
  await stopAllSpawned();
  rmSync(dir, { recursive: true, force: true });
});

function openPage(url: string): Promise<Page> {
  return openLightPage(browser, url);
}

describe('capture toolbar', () => {
  it('captures on lo from the UI: the handshake\'s session appears while capturing, with its timeline; Stop keeps the file', async () => {
    // What a crashed run left in the spool folder: its unsaved recording goes when the next run starts; a capture
    // the CLI wrote there (the user's file) stays.
    const spoolDir = join(dir, 'spool');
    mkdirSync(spoolDir, { recursive: true });
    const deadPid = spawnSync('true').pid!;
    const stale = join(spoolDir, `unsaved-lo-20260101-000000-${deadPid}.pcapng`);
    const kept = join(spoolDir, `capture-lo-20260101-000000-${deadPid}.pcapng`);
    writeFileSync(stale, 'x');
    writeFileSync(kept, 'x');
    const page = await openPage(await serve());
    await expect.poll(() => existsSync(stale)).toBe(false);
    expect(existsSync(kept)).toBe(true);
    const toolbar = page.getByTestId('capture-toolbar');
    const picker = toolbar.getByTestId('capture-interface');
    // Interfaces come with their addresses; the filter starts as `tcp`.
    await picker.locator('option[value="lo"]').waitFor({ state: 'attached' });
    expect(await picker.locator('option[value="lo"]').textContent()).toMatch(/^lo \(loopback\)\s+127\.0\.0\.1/);
    expect(await toolbar.getByTestId('capture-filter').inputValue()).toBe('tcp');

    await picker.selectOption('lo');
    await toolbar.getByTestId('capture-filter').fill(`host ${host} and tcp port 443`);
    await toolbar.getByTestId('capture-start').click();
    await toolbar.getByTestId('capture-stop').waitFor();
    const status = page.getByTestId('capture-status');
    await page.waitForFunction(() => document.querySelector('[data-testid="capture-status"]')?.textContent?.startsWith('Capturing on lo'));

    const client = await runOpenSslClient({ host, port: 443, serverName: pki.serverName });
    expect(client.exit).toBe(0);

    // Live: the session shows up before Stop, through the same sessionsChanged events as a file's.
    const row = page.locator('.session-scroll [role="row"]').filter({ hasText: pki.serverName });
    await row.waitFor();
    await page.waitForFunction(() => /\b1 sessions\b/.test(document.querySelector('[data-testid="capture-sessions"]')?.textContent ?? ''));
    await row.click();
    const timeline = page.locator('.tlswb-timeline [role="option"]');
    await page.waitForFunction(() => {
      const types = [...document.querySelectorAll('.tlswb-timeline [role="option"]')].map((e) => e.getAttribute('data-type'));
      return types.includes('client_hello') && types.includes('server_hello');
    });
    const types = await timeline.evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
    expect(types.slice(0, 2)).toEqual(['client_hello', 'server_hello']);
    await page.screenshot({ path: join(shots, 'live-capture-running.png') });
    // While capturing, the footer shows the capture's own counts, not the spool file's "0 packets".
    expect(await page.getByTestId('statusbar').innerText()).not.toMatch(/\b0 packets\b/);
    await toolbar.screenshot({ path: join(shots, 'live-capture-toolbar.png') });

    await toolbar.getByTestId('capture-stop').click();
    await toolbar.getByTestId('capture-start').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="capture-status"]')?.textContent?.startsWith('Capture on lo stopped'));
    const packets = Number(/(\d+) packets/.exec((await status.getByTestId('capture-packets').textContent()) ?? '')?.[1]);
    expect(packets).toBeGreaterThan(5);
    // libpcap's counters, shown as known (0) or n/a where the capture library cannot say.
    expect(await status.getByTestId('capture-drops').textContent()).toMatch(/^dropped: kernel (0|n\/a) · interface 0 · helper 0$/);
    await page.screenshot({ path: join(shots, 'live-capture-stopped.png') });

    // The spool the UI captured into is a complete capture of what the status bar counted.
    // Named as unsaved and owned by the serving process, so a later run removes it if this one dies first.
    const spool = readdirSync(join(dir, 'spool')).filter((f) => f.startsWith('unsaved-'));
    expect(spool).toEqual([expect.stringMatching(new RegExp(`^unsaved-lo-\\d{8}-\\d{6}-${serveProcess!.pid}\\.pcapng$`))]);
    expect(tsharkPacketCount(join(dir, 'spool', spool[0]!))).toBe(packets);

    // After Stop: Save As pcapng copies it.
    const saved = join(dir, 'saved.pcapng');
    await page.keyboard.press('Control+s');
    await page.getByTestId('path-input').fill(saved);
    await page.getByTestId('path-input').press('Enter');
    await page.getByText(/^Saved \d+ bytes to /).waitFor();
    expect(tsharkPacketCount(saved)).toBe(packets);
  });
});
