#!/usr/bin/env node
// The desktop UI's benchmark (issue 3, "Fast"): `tlswb serve` with the
// benchmark capture opened from the page, in headless Chromium.
//
//   node scripts/bench-ui.mjs [--file F] [--handshakes 20000] [--runs N]
//   (also run by `npm run bench` after the engine's table, once)
//
// Prints, timed in the page (performance.now(), checked every frame):
//   first rows      from pressing Open in the path dialog to the first session row drawn   (target < 1 s)
//   whole list      ... to the file read and every row in the list                         (target < 3 s)
//   timeline        from clicking a session row to its timeline's arrows drawn             (target < 100 ms; median of 5)
//   rows in the DOM after scrolling to the middle of the list (virtualized: a few dozen, not thousands)
//   engine alone    `tlswb analyze` on the same file: "whole list" minus this is the UI's share
//   CPU             user + system ms of the server and of Chromium's processes while the list loaded
//                   (Linux /proc), the bytes the WebSocket carried, and the load average: other work
//                   on the machine stretches every wall time, the CPU times much less.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBenchCapture } from './make-bench-capture.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tlswbBin = join(repoRoot, 'bin', 'tlswb.mjs');
const CHROMIUM = process.env.TLSWB_CHROMIUM || '/usr/bin/chromium';

export const UI_TARGETS = { firstRowsMs: 1000, wholeListMs: 3000, timelineMs: 100 };

/** Starts `tlswb serve` (no file) and resolves to the child and its URL. */
function startServe(configDir) {
  const child = spawn(process.execPath, [tlswbBin, 'serve', '--port', '0'], {
    env: { ...process.env, TLSWB_CONFIG_DIR: configDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolveStart, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolveStart({ child, url: out.split('\n')[0] });
    });
    child.on('exit', (code) => reject(new Error(`tlswb serve exited ${code}: ${stderr}`)));
  });
}

/** User + system CPU ms of a process so far (Linux /proc; 0 where there is none). */
function cpuMsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** Every process below `root` (Chromium's browser, renderer, GPU and utility processes), `except` left out. */
function descendantsOf(root, except) {
  let parents;
  try {
    parents = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map((d) => {
        try {
          return [Number(d), Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1].split(' ')[1])];
        } catch {
          return [Number(d), -1];
        }
      });
  } catch {
    return [];
  }
  const found = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parents) {
      if (!found.has(pid) && found.has(ppid) && pid !== except) {
        found.add(pid);
        grew = true;
      }
    }
  }
  found.delete(root);
  return [...found];
}

/** In the page: submit the open dialog, then watch every frame for the first row and the end of loading. */
function timeOpenInPage() {
  return new Promise((done) => {
    const submit = document.querySelector('form.dialog button[type="submit"]');
    const t0 = performance.now();
    let first = null;
    const check = () => {
      const now = performance.now() - t0;
      if (first === null && document.querySelector('[data-session-id]')) first = now;
      const status = document.querySelector('[data-testid="statusbar"]')?.textContent ?? '';
      // The status bar says "Reading…" until the file is read; rows are applied before the file turns ready.
      const m = /(\d+) of (\d+) sessions/.exec(status);
      if (first !== null && !status.includes('Reading') && m && m[1] === m[2] && Number(m[2]) > 0) {
        done({ firstRowsMs: first, wholeListMs: now, sessions: Number(m[2]) });
        return;
      }
      if (now > 120_000) {
        done({ firstRowsMs: first, wholeListMs: null, sessions: null, status });
        return;
      }
      requestAnimationFrame(check);
    };
    submit.click();
    requestAnimationFrame(check);
  });
}

/** In the page: click the session row with `id` and time until its timeline's arrows are drawn. */
function timeTimelineInPage(id) {
  return new Promise((done) => {
    const row = document.querySelector(`[data-session-id="${id}"]`);
    const t0 = performance.now();
    const check = () => {
      if (document.querySelector(`.details[data-session-id="${id}"] .tlswb-timeline [role="option"]`)) {
        // One more frame: the arrows are in the DOM; count the time until they are painted.
        requestAnimationFrame(() => done(performance.now() - t0));
        return;
      }
      if (performance.now() - t0 > 30_000) return done(null);
      requestAnimationFrame(check);
    };
    row.click();
    requestAnimationFrame(check);
  });
}

/** Wall time of `tlswb analyze FILE` (the table, not JSON), ms. */
function timeAnalyze(file) {
  return new Promise((done) => {
    const started = performance.now();
    const child = spawn(process.execPath, [tlswbBin, 'analyze', file], { stdio: 'ignore' });
    child.on('close', (code) => done(code === 0 ? performance.now() - started : null));
  });
}

export async function runUiBench({ file, log = () => undefined }) {
  const { chromium } = await import('playwright-core');
  const configDir = mkdtempSync(join(tmpdir(), 'tlswb-bench-ui-'));
  const { child, url } = await startServe(configDir);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 820 }, locale: 'en-US' });
    let wireBytes = 0;
    page.on('websocket', (socket) => socket.on('framereceived', (frame) => (wireBytes += frame.payload.length)));
    await page.goto(url);
    await page.getByTestId('sessions-empty').waitFor();
    await page.keyboard.press('Control+o');
    await page.getByTestId('path-input').fill(file);
    log('  ui: opening the capture in the page');
    const chromium = descendantsOf(process.pid, child.pid);
    const cpuBefore = { server: cpuMsOf(child.pid), chromium: chromium.reduce((sum, pid) => sum + cpuMsOf(pid), 0) };
    const bytesBefore = wireBytes;
    const loadBefore = loadavg()[0];
    const open = await page.evaluate(timeOpenInPage);
    const cpu = {
      serverMs: cpuMsOf(child.pid) - cpuBefore.server,
      chromiumMs: chromium.reduce((sum, pid) => sum + cpuMsOf(pid), 0) - cpuBefore.chromium,
      wireBytes: wireBytes - bytesBefore,
      load: Math.max(loadBefore, loadavg()[0]),
    };
    if (open.wholeListMs === null) throw new Error(`the list did not finish loading: ${open.status}`);
    // Rows in view only: scroll to the middle and count what is drawn.
    await page.getByTestId('session-scroll').evaluate((el) => {
      el.scrollTop = el.scrollHeight / 2;
    });
    await page.waitForFunction(() => Number(document.querySelector('[data-session-id]')?.getAttribute('data-session-id')) > 100);
    const rowsInDom = await page.locator('[data-session-id]').count();
    const visibleIds = await page.locator('[data-session-id]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-session-id'))));
    const timelines = [];
    for (const id of visibleIds.slice(2, 7)) timelines.push(await page.evaluate(timeTimelineInPage, id));
    const sorted = timelines.filter((t) => t !== null).sort((a, b) => a - b);
    const timelineMs = sorted.length ? sorted[Math.floor(sorted.length / 2)] : null;
    await page.screenshot({ path: join(repoRoot, 'test-results', 'bench-ui.png') }).catch(() => undefined);
    // The engine alone on the same file, now: what of "whole list" is reading, and what is the UI.
    const engineMs = await timeAnalyze(file);
    return { file, ...open, rowsInDom, timelineMs, timelineRunsMs: timelines, engineMs, cpu, targets: UI_TARGETS };
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    rmSync(configDir, { recursive: true, force: true });
  }
}

export function formatUiBench(r) {
  const verdict = (value, target) => (value === null ? 'FAILED' : value <= target ? 'met' : 'NOT met');
  const ms = (v) => (v === null ? '?' : `${Math.round(v)} ms`);
  return [
    `UI (tlswb serve + Chromium), ${r.sessions ?? '?'} sessions:`,
    `  first rows        ${ms(r.firstRowsMs).padStart(8)}   (target < ${r.targets.firstRowsMs} ms: ${verdict(r.firstRowsMs, r.targets.firstRowsMs)})`,
    `  whole list        ${ms(r.wholeListMs).padStart(8)}   (target < ${r.targets.wholeListMs} ms: ${verdict(r.wholeListMs, r.targets.wholeListMs)})`,
    `  timeline drawn    ${ms(r.timelineMs).padStart(8)}   (target < ${r.targets.timelineMs} ms: ${verdict(r.timelineMs, r.targets.timelineMs)}; runs ${r.timelineRunsMs.map((v) => ms(v)).join(', ')})`,
    `  rows in the DOM   ${String(r.rowsInDom).padStart(8)}   (of ${r.sessions ?? '?'}: only the rows in view are rendered)`,
    `  engine alone      ${ms(r.engineMs).padStart(8)}   (tlswb analyze on the same file, for comparison with "whole list")`,
    `  CPU while loading   server ${ms(r.cpu.serverMs)}, Chromium ${ms(r.cpu.chromiumMs)}; ${(r.cpu.wireBytes / 1e6).toFixed(1)} MB over the WebSocket; load average ${r.cpu.load.toFixed(2)}`,
  ].join('\n');
}

export function uiBenchAvailable() {
  return existsSync(CHROMIUM) && existsSync(join(repoRoot, 'dist', 'renderer', 'index.html'));
}

async function main() {
  const args = process.argv.slice(2);
  let file = null;
  let handshakes = 20000;
  let runs = 1;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--file') file = resolve(args[++i]);
    else if (args[i] === '--handshakes') handshakes = Number(args[++i]);
    else if (args[i] === '--runs') runs = Number(args[++i]);
    else throw new Error(`unknown argument ${args[i]} (see the head of scripts/bench-ui.mjs)`);
  }
  if (!uiBenchAvailable()) throw new Error(`needs ${CHROMIUM} and the built UI (npm run build)`);
  if (!(runs >= 1)) throw new Error('--runs must be at least 1');
  file ??= await ensureBenchCapture({ handshakes });
  const results = [];
  for (let run = 0; run < runs; run++) {
    const result = await runUiBench({ file, log: (l) => process.stderr.write(`${l}\n`) });
    results.push(result);
    process.stdout.write(`${formatUiBench(result)}\n`);
  }
  if (runs > 1) {
    const median = (values) => {
      const sorted = values.filter((v) => v !== null).sort((a, b) => a - b);
      return sorted.length ? `${Math.round(sorted[Math.floor(sorted.length / 2)])} ms` : '?';
    };
    process.stdout.write(
      `median of ${runs}: first rows ${median(results.map((r) => r.firstRowsMs))}, whole list ${median(results.map((r) => r.wholeListMs))}, ` +
        `timeline ${median(results.map((r) => r.timelineMs))}, server CPU ${median(results.map((r) => r.cpu.serverMs))}, Chromium CPU ${median(results.map((r) => r.cpu.chromiumMs))}\n`,
    );
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    process.stderr.write(`bench-ui: ${error.message}\n`);
    process.exit(1);
  });
}
