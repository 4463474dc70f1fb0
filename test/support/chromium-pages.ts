/**
 * What the Chromium end-to-end suites share: launching Debian's Chromium
 * headless, opening pages whose console and errors are kept, and, after a
 * failing test, a screenshot of every open page with what its console said.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface PageOptions {
  theme?: 'light' | 'dark';
  locale?: 'en-US' | 'zh-CN';
  height?: number;
}

/** The pages a suite opened, each with its console, until the test is over. */
export class TrackedPages {
  private readonly pages = new Map<Page, string[]>();

  constructor(private readonly shotsDir: string) {}

  /** A page in its own context (theme, locale, 1360 px wide), at `url` when given. */
  async open(browser: Browser, url: string | null, { theme = 'light', locale = 'en-US', height = 860 }: PageOptions = {}): Promise<Page> {
    const context = await browser.newContext({ colorScheme: theme, locale, viewport: { width: 1360, height } });
    const page = await context.newPage();
    const log: string[] = [];
    this.pages.set(page, log);
    page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => log.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => log.push(`request failed: ${redactToken(r.url())} ${r.failure()?.errorText ?? ''}`));
    if (url !== null) await page.goto(url);
    return page;
  }

  async close(page: Page): Promise<void> {
    this.pages.delete(page);
    await page.context().close();
  }

  /** For afterEach: a failing test leaves its pages as they were; screenshot them and print their consoles. Then close them. */
  async afterTest(task: { name: string; result?: { state?: string } }): Promise<void> {
    if (task.result?.state === 'fail') {
      let n = 0;
      for (const [page, log] of this.pages) {
        const name = `FAILED-${task.name.replace(/\W+/g, '-').slice(0, 60)}-${n++}`;
        await page.screenshot({ path: join(this.shotsDir, `${name}.png`) }).catch(() => undefined);
        process.stderr.write(`${name}: ${redactToken(page.url())}\n${log.join('\n')}\n`);
      }
    }
    for (const page of [...this.pages.keys()]) await this.close(page).catch(() => undefined);
  }
}

export interface ChromiumSuite {
  readonly pages: TrackedPages;
  /** `tlswb serve` processes the suite started: killed when it ends. */
  readonly servers: ChildProcess[];
  /** The suite's Chromium, launched before its first test. */
  browser(): Browser;
}

/**
 * The hooks every browser suite needs, registered once (call it at the top of
 * the test file): Chromium launched before the tests; after each test, its
 * pages screenshotted if it failed, then closed; at the end the browser closed,
 * the servers killed, then `cleanup` (the suite's own folders, peers).
 */
export function chromiumSuite(shotsDir: string, cleanup?: () => unknown): ChromiumSuite {
  const pages = new TrackedPages(shotsDir);
  const servers: ChildProcess[] = [];
  let browser: Browser | null = null;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterEach(async ({ task }) => {
    await pages.afterTest(task);
  });
  afterAll(async () => {
    await browser?.close();
    for (const s of servers) s.kill('SIGTERM');
    await cleanup?.();
  });
  return {
    pages,
    servers,
    browser: () => {
      if (!browser) throw new Error('Chromium is not launched yet (chromiumSuite launches it in beforeAll)');
      return browser;
    },
  };
}

function redactToken(url: string): string {
  return url.replace(/token=[^&]+/, 'token=…');
}
