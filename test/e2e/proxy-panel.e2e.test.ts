// End to end: the Proxy and Probe panels of `tlswb serve` in Chromium (playwright-core).
// Start the proxy from the panel, send curl through it to an openssl s_server,
// and see the tunnel in the panel's list and both legs' sessions in the main
// session list (streamed while the proxy runs); select one and see its
// timeline; stop; export the CA with its trust instructions. Then a probe from
// the Probe panel: its timings, verdict and session. Every wait is
// for a selector or a value, never a sleep. Screenshots go to
// test-results/desktop/proxy-*.png to be looked at.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium-pages';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackAddress, runCurl, startOpenSslServer, stopAllSpawned, type OpenSslServer } from '../support/real-peers';
import { makeServerIdentity, type ServerIdentity } from '../integration/proxy-support';
import { openLightPage, startServe } from '../support/serve-process';

const root = join(import.meta.dirname, '../..');
const shots = join(root, 'test-results/desktop');
mkdirSync(shots, { recursive: true });

let browser: Browser;
const serveProcesses: ChildProcess[] = [];
let dir: string;
let origin: string;
let identity: ServerIdentity;
let server: OpenSslServer;

/** `tlswb serve` with no file; its CA and settings in the test's folder. Resolves to the URL it prints. */
function serve(): Promise<string> {
  const { child, url } = startServe(null, { TLSWB_CONFIG_DIR: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data') });
  serveProcesses.push(child);
  return url;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tlswb-e2e-proxy-'));
  origin = await freeLoopbackAddress([443]);
  identity = makeServerIdentity(dir, 'origin', origin);
  server = await startOpenSslServer({ host: origin, port: 443, identity, args: ['-alpn', 'http/1.1'] });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const child of serveProcesses) child.kill('SIGTERM');
  await server?.stop();
  await stopAllSpawned();
  rmSync(dir, { recursive: true, force: true });
});

function openPage(url: string): Promise<Page> {
  return openLightPage(browser, url);
}

describe('Proxy panel', () => {
  it('starts the proxy, lists the tunnel, streams both legs into the session list, stops, exports the CA', async () => {
    const page = await openPage(await serve());
    await page.getByTestId('proxy-button').click();
    const panel = page.getByTestId('proxy-panel');
    expect(await panel.getByTestId('proxy-status').textContent()).toBe('Not running.');
    await panel.getByTestId('proxy-port').fill('0');
    await panel.getByTestId('proxy-start').click();
    const status = panel.locator('[data-testid="proxy-status"][data-url]');
    await status.waitFor();
    const proxyUrl = (await status.getAttribute('data-url'))!;
    expect(proxyUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const curl = await runCurl(`https://${origin}/from-the-panel`, { proxy: proxyUrl, args: ['--cacert', identity.caCert] });
    expect(curl.httpCode).toBe(200);

    // The tunnel in the panel, closed once curl is done; both legs in the main list.
    const tunnel = panel.locator('[data-testid="proxy-tunnels"] tbody tr[data-state="closed"]');
    await tunnel.waitFor();
    expect(await tunnel.locator('td').nth(2).textContent()).toBe(`${origin}:443`);
    const rows = page.locator('.session-scroll [role="row"]');
    await page.waitForFunction(() => document.querySelectorAll('.session-scroll [role="row"]').length === 2);
    expect(await rows.count()).toBe(2);
    await page.screenshot({ path: join(shots, 'proxy-panel-running.png') });

    await panel.getByTestId('proxy-stop').click();
    await panel.locator('[data-testid="proxy-status"]:not([data-url])').waitFor();
    expect(await panel.getByTestId('proxy-status').textContent()).toMatch(/^Stopped\. \d+ packets recorded/);

    await panel.getByTestId('proxy-export-ca').click();
    const ca = panel.getByTestId('proxy-ca');
    await ca.waitFor();
    expect(await ca.locator('pre').textContent()).toMatch(/update-ca-certificates/);
    await page.screenshot({ path: join(shots, 'proxy-panel-stopped.png') });

    // The upstream leg's session, selected: its timeline shows the handshake.
    await panel.getByTestId('proxy-close').click();
    await rows.filter({ hasText: ':443' }).first().click();
    const timeline = page.locator('.tlswb-timeline [role="option"]');
    await timeline.first().waitFor();
    const types = await timeline.evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
    expect(types).toContain('client_hello');
    expect(types).toContain('server_hello');
    await page.screenshot({ path: join(shots, 'proxy-session-selected.png') });

    // The recording was not saved: replacing it (here by a probe) asks first. Cancel keeps it; OK replaces it.
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await page.getByTestId('probe-button').click();
    const probe = page.getByTestId('probe-panel');
    await probe.getByTestId('probe-url').fill(`https://${origin}/after-the-proxy`);
    await probe.getByTestId('probe-run').click();
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toMatch(/has not been saved/);
    expect(await rows.count()).toBe(2);
    page.once('dialog', (d) => void d.accept());
    await probe.getByTestId('probe-run').click();
    await probe.getByTestId('probe-result').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('.session-scroll [role="row"]').length === 1);
  });
});

describe('Probe panel', () => {
  it('runs a TLS 1.2 probe: every step timed, the verdict shown, its session opened in the list', async () => {
    const page = await openPage(await serve());
    await page.getByTestId('probe-button').click();
    const panel = page.getByTestId('probe-panel');
    await panel.getByTestId('probe-url').fill(`https://${origin}/probed`);
    await panel.getByTestId('probe-version').selectOption('1.2');
    await panel.getByTestId('probe-alpn').fill('http/1.1');
    await panel.getByTestId('probe-run').click();
    await panel.getByTestId('probe-result').waitFor();
    expect(await panel.getByTestId('probe-summary').textContent()).toBe('TLSv1.2 · ALPN http/1.1 · HTTP 200');
    // The test CA is not a system root: the verdict says so.
    expect(await panel.getByTestId('probe-verdict').getAttribute('data-verdict')).not.toBe('valid');
    const ms = await panel.locator('[data-testid="probe-timings"] tbody tr').evaluateAll((rows) =>
      Object.fromEntries(rows.map((r) => [r.getAttribute('data-step'), r.lastElementChild!.textContent])));
    // No proxy: no CONNECT step; every other step has a time, in order.
    expect(ms.connectAnswered).toBe('–');
    const steps = ['tcpConnect', 'serverHello', 'certificate', 'finished', 'firstResponseByte', 'total'].map((k) => Number(ms[k]));
    for (const v of steps) expect(Number.isFinite(v)).toBe(true);
    for (let i = 1; i < steps.length; i++) expect(steps[i]!).toBeGreaterThanOrEqual(steps[i - 1]!);
    // The probe's recording is the open capture: one TLS 1.2 session.
    await page.waitForFunction(() => document.querySelectorAll('.session-scroll [role="row"]').length === 1);
    expect(await page.locator('.session-scroll [role="row"] .col-version').textContent()).toBe('TLS 1.2');
    await page.screenshot({ path: join(shots, 'probe-panel.png') });
  });
});
