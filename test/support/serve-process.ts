import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { projectRoot } from './run-cli';

export interface ServeProcess {
  child: ChildProcess;
  /** The one line `tlswb serve` prints: the URL with its token. */
  url: Promise<string>;
}

/**
 * Starts the built `tlswb serve [FILE] --port 0` with extra environment (a
 * config folder of the test's own, data and spool folders) and resolves to the
 * URL it prints; rejects, with its stderr, if it exits first.
 */
export function startServe(file: string | null, env: Record<string, string>): ServeProcess {
  const args = [join(projectRoot, 'bin/tlswb.mjs'), 'serve', ...(file ? [file] : []), '--port', '0'];
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.on('exit', (code) => reject(new Error(`tlswb serve exited ${code}: ${stderr}`)));
  });
  return { child, url };
}

/** A page of `browser` at `url`, light theme, English, the window size the screenshots use. */
export async function openLightPage(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ colorScheme: 'light', locale: 'en-US', viewport: { width: 1360, height: 820 } });
  const page = await context.newPage();
  await page.goto(url);
  return page;
}
