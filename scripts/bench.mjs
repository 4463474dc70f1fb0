#!/usr/bin/env node
// npm run bench [-- --file F] [--runs 3] [--case NAME ...] [--check] [--json] [--no-ui]
//
// Times the engine against tshark on the same capture in the same run: best
// wall time of N runs each, the two taking turns (stdout to /dev/null), best
// CPU time (user + system) and peak RSS (from /usr/bin/time, else VmHWM
// polled from /proc), and the TLS sessions each saw (one more, untimed run).
// On a machine busy with other work the wall ratio mostly measures who waited
// longer for a CPU; the CPU-time ratio is printed beside it. Without --file
// it makes or reuses the 20,000-handshake loopback capture of
// make-bench-capture.mjs.
// --check exits 1 when tlswb is not at least 10x faster than tshark.
// Then the desktop UI's numbers (scripts/bench-ui.mjs; --no-ui skips them).
//
// Later work adds rows by pushing onto `benchCases` (or importing
// `runBench` with its own list): a name, the command, and optionally how to
// count the sessions from the command's output.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBenchCapture } from './make-bench-capture.mjs';
import { formatUiBench, runUiBench, uiBenchAvailable } from './bench-ui.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tlswbBin = join(repoRoot, 'bin', 'tlswb.mjs');
const TARGET_RATIO = 10;

/**
 * @typedef {object} BenchCase
 * @property {string} name           row label
 * @property {(file: string) => string[]} command   argv (argv[0] is the program)
 * @property {(file: string) => number | null} [countSessions]   untimed; null when unknown
 * @property {'tlswb' | 'tshark'} [role]   the pair the ratio compares
 */

/** @type {BenchCase[]} */
export const benchCases = [
  {
    name: 'tlswb analyze --json',
    role: 'tlswb',
    command: (file) => [process.execPath, tlswbBin, 'analyze', file, '--json'],
    countSessions: (file) => {
      const run = spawnSync(process.execPath, [tlswbBin, 'analyze', file, '--json'], { maxBuffer: 1 << 30, encoding: 'utf8' });
      if (run.status !== 0) return null;
      const doc = JSON.parse(run.stdout);
      return doc.sessions.filter((s) => s.messages.some((m) => m.type === 'client_hello')).length;
    },
  },
  {
    name: 'tshark -Y tls.handshake',
    role: 'tshark',
    command: (file) => ['tshark', '-n', '-r', file, '-Y', 'tls.handshake', '-T', 'fields', '-e', 'frame.number', '-e', 'tls.handshake.type'],
    countSessions: (file) => {
      const run = spawnSync('tshark', ['-n', '-r', file, '-Y', 'tls.handshake.type == 1', '-T', 'fields', '-e', 'tcp.stream'],
        { maxBuffer: 1 << 30, encoding: 'utf8' });
      if (run.status !== 0) return null;
      return new Set(run.stdout.split('\n').filter(Boolean)).size;
    },
  },
];

const haveGnuTime = existsSync('/usr/bin/time');

/** Runs argv once with stdout to /dev/null: wall seconds, peak RSS in bytes (null if unknown), exit code. */
function timeOnce(argv) {
  return new Promise((resolveRun, reject) => {
    const scratch = mkdtempSync(join(tmpdir(), 'tlswb-bench-'));
    const timeFile = join(scratch, 'time.txt');
    // GNU time: peak RSS in KiB, then user and system CPU seconds.
    const full = haveGnuTime ? ['/usr/bin/time', '-f', '%M %U %S', '-o', timeFile, ...argv] : argv;
    const started = process.hrtime.bigint();
    const child = spawn(full[0], full.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    let hwmKiB = null;
    // Without GNU time: the child's VmHWM, read until it exits.
    const poll = haveGnuTime ? null : setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) hwmKiB = Math.max(hwmKiB ?? 0, Number(m[1]));
      } catch { /* exited */ }
    }, 10);
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      if (poll) clearInterval(poll);
      let rss = hwmKiB;
      let cpu = null;
      if (haveGnuTime) {
        try {
          const [m, u, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
          rss = m;
          cpu = u + sys;
        } catch { rss = null; }
      }
      rmSync(scratch, { recursive: true, force: true });
      resolveRun({ wall, cpu, rssBytes: rss === null ? null : rss * 1024, code, stderr: stderr.slice(-500) });
    });
  });
}

/**
 * Runs every case `runs` times, the cases taking turns (tlswb, tshark, tlswb,
 * ...) so that a busy machine slows both alike; returns one row per case.
 */
export async function runBench({ file, cases = benchCases, runs = 3, log = () => undefined }) {
  const state = cases.map(() => ({ walls: [], cpus: [], peak: null, failed: null }));
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[k];
      const st = state[k];
      if (st.failed) continue;
      const r = await timeOnce(c.command(file));
      log(`  ${c.name}: run ${i + 1}/${runs} ${r.wall.toFixed(2)} s${r.cpu === null ? '' : ` (${r.cpu.toFixed(2)} s CPU)`}${r.code ? ` (exit ${r.code}: ${r.stderr.trim()})` : ''}`);
      if (r.code !== 0) { st.failed = `exit ${r.code}: ${r.stderr.trim().split('\n').pop()}`; continue; }
      st.walls.push(r.wall);
      if (r.cpu !== null) st.cpus.push(r.cpu);
      if (r.rssBytes !== null) st.peak = Math.max(st.peak ?? 0, r.rssBytes);
    }
  }
  const rows = cases.map((c, k) => {
    const { walls, cpus, peak, failed } = state[k];
    const sessions = failed || !c.countSessions ? null : c.countSessions(file);
    return {
      name: c.name, role: c.role ?? null, best: walls.length ? Math.min(...walls) : null, walls,
      bestCpu: cpus.length ? Math.min(...cpus) : null, peakRssBytes: peak, sessions, failed,
    };
  });
  const tlswb = rows.find((r) => r.role === 'tlswb');
  const tshark = rows.find((r) => r.role === 'tshark');
  const ratio = tlswb?.best && tshark?.best ? tshark.best / tlswb.best : null;
  // On a machine busy with other work, wall time mostly measures the wait for a CPU; CPU time does not.
  const cpuRatio = tlswb?.bestCpu && tshark?.bestCpu ? tshark.bestCpu / tlswb.bestCpu : null;
  return { file, rows, ratio, cpuRatio, target: TARGET_RATIO };
}

function formatTable(result) {
  const size = statSync(result.file).size;
  const lines = [`capture: ${result.file} (${(size / 1e6).toFixed(1)} MB)`, ''];
  const header = ['case', 'best wall', 'all runs (s)', 'best CPU', 'peak RSS', 'sessions'];
  const body = result.rows.map((r) => [
    r.name,
    r.best === null ? `FAILED ${r.failed ?? ''}` : `${r.best.toFixed(2)} s`,
    r.walls.map((w) => w.toFixed(2)).join(' '),
    r.bestCpu === null ? '?' : `${r.bestCpu.toFixed(2)} s`,
    r.peakRssBytes === null ? '?' : `${(r.peakRssBytes / 1048576).toFixed(0)} MiB`,
    r.sessions === null ? '?' : String(r.sessions),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const fmt = (row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  lines.push(fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...body.map(fmt), '');
  lines.push(result.ratio === null
    ? 'ratio: unknown (a run failed)'
    : `ratio tshark / tlswb: ${result.ratio.toFixed(1)}x (target >= ${result.target}x: ${result.ratio >= result.target ? 'met' : 'NOT met'})`);
  if (result.cpuRatio !== null) lines.push(`CPU time ratio tshark / tlswb: ${result.cpuRatio.toFixed(1)}x (user + system, best run each)`);
  return lines.join('\n');
}

function parseArgs(argv) {
  const options = { file: null, runs: 3, only: [], check: false, json: false, handshakes: 20000, ui: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--file') options.file = resolve(argv[++i]);
    else if (arg === '--runs') options.runs = Number(argv[++i]);
    else if (arg === '--case') options.only.push(argv[++i]);
    else if (arg === '--handshakes') options.handshakes = Number(argv[++i]);
    else if (arg === '--check') options.check = true;
    else if (arg === '--json') options.json = true;
    else if (arg === '--no-ui') options.ui = false;
    else throw new Error(`unknown argument ${arg} (see the head of scripts/bench.mjs)`);
  }
  if (!(options.runs >= 1)) throw new Error('--runs must be at least 1');
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const log = (line) => process.stderr.write(`${line}\n`);
  if (!existsSync(tlswbBin)) throw new Error(`${tlswbBin} is missing: run "npm run build" first`);
  const file = options.file ?? await ensureBenchCapture({ handshakes: options.handshakes });
  const cases = options.only.length ? benchCases.filter((c) => options.only.some((o) => c.name.includes(o))) : benchCases;
  const result = await runBench({ file, cases, runs: options.runs, log });
  // The desktop UI on the same capture (scripts/bench-ui.mjs), where Chromium and the built UI exist.
  if (options.ui && options.only.length === 0) {
    if (uiBenchAvailable()) result.ui = await runUiBench({ file, log });
    else log('  ui: skipped (needs /usr/bin/chromium and npm run build)');
  }
  process.stdout.write(options.json ? `${JSON.stringify(result, null, 1)}\n` : `${formatTable(result)}\n${result.ui ? `\n${formatUiBench(result.ui)}\n` : ''}`);
  if (options.check && !(result.ratio !== null && result.ratio >= TARGET_RATIO)) process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    process.stderr.write(`bench: ${error.message}\n`);
    process.exit(1);
  });
}
