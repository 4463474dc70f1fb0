#!/usr/bin/env node
// node scripts/compare-analyze-baseline.mjs BASELINE_BUNDLE [--threads N] [FILE ...]
//
// Speed work on `tlswb analyze --json` must not change a byte: this runs a
// frozen build (e.g. .bench-cache/baseline/dist/cli/tlswb-analyze.mjs) and
// the current dist/cli/tlswb-analyze.mjs on every capture given (default:
// test/fixtures/**, ../shared/corpus/** and the bench capture, plus the
// decryption fixtures with their key logs) and compares stdout, stderr and
// exit code. --threads sets TLSWB_ANALYZE_THREADS for the current build (2:
// every file through the sharded path). Exits 1 on any difference.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const baseline = args.shift();
if (!baseline || !existsSync(baseline)) {
  process.stderr.write('usage: compare-analyze-baseline.mjs BASELINE_BUNDLE [--threads N] [FILE ...]\n');
  process.exit(2);
}
let threads = null;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--threads') threads = args[++i];
  else files.push(args[i]);
}
const current = join(root, 'dist', 'cli', 'tlswb-analyze.mjs');

const CAPTURE = /\.(pcap|pcapng|cap|gz)$/;
function walk(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name.startsWith('_')) continue; // ../shared/corpus/_tshark_ref: extracts, not captures
    if (statSync(path).isDirectory()) walk(path, out);
    else if (CAPTURE.test(name)) out.push([path]);
  }
  return out;
}

/** Each case: the capture and any extra arguments. */
const cases = files.length ? files.map((f) => [f]) : [
  ...walk(join(root, 'test', 'fixtures'), []),
  ...walk(resolve(root, '..', 'shared', 'corpus'), []),
  ...[join(root, '.bench-cache', 'bench-v3-20000.pcapng')].filter(existsSync).map((f) => [f]),
  ...['tls12-decryption', 'tls-1.2-stream-keylog'].map((n) => [
    join(root, 'test', 'fixtures', 'decrypt', `${n}.pcap`), '--keylog', join(root, 'test', 'fixtures', 'decrypt', `${n}.nss-keylog.txt`),
  ]),
];

function run(bundle, argv, env) {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [bundle, 'analyze', argv[0], '--json', ...argv.slice(1)], { env, cwd: root });
    const out = [];
    const err = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    child.on('close', (code) => resolveRun({ code, out: Buffer.concat(out), err: Buffer.concat(err) }));
  });
}

const env = threads === null ? process.env : { ...process.env, TLSWB_ANALYZE_THREADS: threads };
let differing = 0;
let next = 0;
async function worker() {
  while (next < cases.length) {
    const c = cases[next++];
    const [a, b] = [await run(baseline, c, process.env), await run(current, c, env)];
    if (a.code !== b.code || !a.out.equals(b.out) || !a.err.equals(b.err)) {
      differing++;
      process.stdout.write(`DIFF ${c.join(' ')} (exit ${a.code}/${b.code}, stdout ${a.out.length}/${b.out.length} bytes)\n`);
    }
  }
}
await Promise.all(Array.from({ length: Math.max(1, Math.min(2, availableParallelism())) }, worker));
process.stdout.write(`${cases.length - differing}/${cases.length} identical\n`);
process.exit(differing ? 1 : 0);
