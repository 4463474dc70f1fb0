#!/usr/bin/env node
// npm run fuzz -- [--cases 100000] [--seed N] [--workers N] [--deadline-ms 10000]
//                 [--corpus DIR] [--out DIR] [--max-seed-bytes 1000000]
//
// The fuzz test (test/fuzz/analyze-fuzz.test.ts) at scale: case seeds
// N .. N+cases-1, each mutating one seed capture (test/fixtures/fuzz by
// default) and pushing it through the engine in process, in worker threads.
// A case fails when an exception escapes (anything but "not a capture file"),
// when the document is invalid, or when it runs past the deadline (the worker
// is then terminated and replaced). Each failing case is saved to
// OUT/case-<seed>.{pcap,txt}; rerun one with `--seed <seed> --cases 1`.
// Exit 1 when any case failed.
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const options = {
    cases: 10000,
    seed: null,
    workers: Math.max(1, availableParallelism()),
    deadlineMs: 10000,
    corpus: join(repoRoot, 'test', 'fixtures', 'fuzz'),
    out: process.env.TLSWB_FUZZ_OUT || join(tmpdir(), 'tlswb-fuzz'),
    maxSeedBytes: 1_000_000,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => argv[++i];
    if (arg === '--cases') options.cases = Number(next());
    else if (arg === '--seed') options.seed = Number(next());
    else if (arg === '--workers') options.workers = Number(next());
    else if (arg === '--deadline-ms') options.deadlineMs = Number(next());
    else if (arg === '--corpus') options.corpus = resolve(next());
    else if (arg === '--out') options.out = resolve(next());
    else if (arg === '--max-seed-bytes') options.maxSeedBytes = Number(next());
    else throw new Error(`unknown argument ${arg} (see the head of scripts/fuzz.mjs)`);
  }
  if (!(options.cases >= 1 && Number.isInteger(options.cases))) throw new Error('--cases must be a positive integer');
  if (!(options.workers >= 1)) throw new Error('--workers must be at least 1');
  options.seed = options.seed === null ? Math.floor(Math.random() * 0xffffffff) : options.seed >>> 0;
  return options;
}

/** Every .pcap/.pcapng (optionally .gz) under dir, up to maxBytes each. */
function findSeedFiles(dir, maxBytes) {
  const found = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.pcap(ng)?$/i.test(entry.name) && statSync(full).size <= maxBytes) found.push(full);
    }
  };
  walk(dir);
  return found.sort();
}

/** Bundles the TypeScript harness (engine included) into one ESM file the workers import. */
async function bundleHarness() {
  const dir = mkdtempSync(join(tmpdir(), 'tlswb-fuzz-bundle-'));
  const outfile = join(dir, 'harness.mjs');
  await build({
    stdin: {
      contents: [
        "export { makeFuzzSeed, runFuzzCase } from './test/support/fuzz-case';",
        "export { mutateCapture, seededRandom } from './test/support/fuzz-mutations';",
        "export { loadAnalysisValidator } from './test/support/analysis-schema';",
      ].join('\n'),
      resolveDir: repoRoot,
      loader: 'ts',
      sourcefile: 'fuzz-harness.ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    sourcemap: 'inline',
    logLevel: 'error',
    // ajv is CommonJS: give the bundle a require().
    banner: { js: "import { createRequire as __tlswbRequire } from 'node:module'; const require = __tlswbRequire(import.meta.url);" },
  });
  return { dir, url: pathToFileURL(outfile).href };
}

// ---------------------------------------------------------------- worker side

async function workerMain() {
  const { harnessUrl, seedFiles } = workerData;
  const harness = await import(harnessUrl);
  const seeds = seedFiles.map((f) => harness.makeFuzzSeed(f.name, new Uint8Array(f.bytes)));
  const validate = harness.loadAnalysisValidator(repoRoot);
  parentPort.on('message', (batch) => {
    for (const caseSeed of batch) {
      parentPort.postMessage({ type: 'start', caseSeed });
      try {
        const r = harness.runFuzzCase(seeds, caseSeed, validate);
        if (r.problems.length) {
          parentPort.postMessage({ type: 'fail', caseSeed, seedName: r.seedName, mutations: r.mutations, why: r.problems.join('\n'), bytes: r.bytes });
        } else {
          parentPort.postMessage({ type: 'ok', caseSeed, millis: r.millis, refused: r.document === null, damaged: Boolean(r.document?.file.damaged) });
        }
      } catch (error) {
        parentPort.postMessage({ type: 'fail', caseSeed, why: error instanceof Error ? error.stack ?? error.message : String(error) });
      }
    }
    parentPort.postMessage({ type: 'batch-done' });
  });
  parentPort.postMessage({ type: 'ready' });
}

// ------------------------------------------------------------------ main side

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const files = findSeedFiles(options.corpus, options.maxSeedBytes);
  if (files.length === 0) throw new Error(`no .pcap/.pcapng seed files under ${options.corpus}`);
  const seedFiles = files.map((f) => ({ name: relative(options.corpus, f), bytes: readFileSync(f) }));
  const bundle = await bundleHarness();
  const harness = await import(bundle.url);
  const seedsForReplay = seedFiles.map((f) => harness.makeFuzzSeed(f.name, new Uint8Array(f.bytes)));
  mkdirSync(options.out, { recursive: true });
  process.stderr.write(`fuzz: ${options.cases} cases from seed ${options.seed}, ${files.length} seed captures, ${options.workers} workers\n`);

  let nextCase = 0;
  const BATCH = 25;
  const stats = { ok: 0, refused: 0, damaged: 0, failed: 0, slowestMs: 0 };
  const failures = [];
  const started = Date.now();

  const saveFailure = (caseSeed, why, bytes, seedName, mutations) => {
    // A hang or a crash without bytes: regenerate the case's input from its seed.
    if (!bytes || !mutations) {
      const rng = harness.seededRandom(caseSeed);
      const seed = seedsForReplay[Math.floor(rng() * seedsForReplay.length)];
      const m = harness.mutateCapture(seed.bytes, seed.targets, rng);
      bytes = m.bytes; mutations = m.mutations; seedName = seed.name;
    }
    const base = join(options.out, `case-${caseSeed}`);
    const isPcapng = bytes.length >= 4 && bytes[0] === 0x0a && bytes[1] === 0x0d && bytes[2] === 0x0d && bytes[3] === 0x0a;
    writeFileSync(`${base}.${isPcapng ? 'pcapng' : 'pcap'}`, bytes);
    writeFileSync(`${base}.txt`, `case seed ${caseSeed}\nseed file ${seedName}\nmutations:\n  ${mutations.join('\n  ')}\n\n${why}\n`);
    failures.push({ caseSeed, file: `${base}.txt`, why: why.split('\n')[0] });
    stats.failed++;
    process.stderr.write(`FAIL case ${caseSeed}: ${why.split('\n')[0]} (saved ${base}.txt)\n`);
  };

  /** Cases a terminated worker had been given but not run. */
  const requeued = [];
  const takeBatch = () => {
    const batch = requeued.splice(0, BATCH);
    while (batch.length < BATCH && nextCase < options.cases) batch.push((options.seed + nextCase++) >>> 0);
    return batch;
  };

  await new Promise((resolveAll) => {
    let live = 0;
    const startWorker = () => {
      const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { harnessUrl: bundle.url, seedFiles } });
      live++;
      let current = null;
      let currentSince = 0;
      let pending = [];
      /** Set once the watchdog gave up on it: its late messages are ignored. */
      let retired = false;
      let finished = false;
      const done = () => {
        if (finished) return;
        finished = true;
        clearInterval(watchdog);
        live--;
        if (live === 0) resolveAll();
      };
      const feed = () => {
        const batch = takeBatch();
        if (batch.length === 0) { worker.terminate().then(done, done); return; }
        pending = batch.slice();
        worker.postMessage(batch);
      };
      const watchdog = setInterval(() => {
        if (current !== null && Date.now() - currentSince > options.deadlineMs) {
          const hung = current;
          current = null;
          retired = true;
          saveFailure(hung, `no answer after ${options.deadlineMs} ms: the case hangs (or is pathologically slow)`);
          // Replace the worker; the rest of its batch goes to the others.
          requeued.push(...pending.filter((c) => c !== hung));
          pending = [];
          worker.terminate().then(() => {
            // Start the replacement first, so the count of live workers never touches 0 in between.
            if (nextCase < options.cases || requeued.length) startWorker();
            done();
          });
        }
      }, 250);
      worker.on('message', (m) => {
        if (retired) return;
        if (m.type === 'ready') feed();
        else if (m.type === 'start') {
          current = m.caseSeed;
          currentSince = Date.now();
          pending = pending.filter((c) => c !== m.caseSeed);
        }
        else if (m.type === 'ok') {
          current = null;
          stats.ok++;
          if (m.refused) stats.refused++;
          if (m.damaged) stats.damaged++;
          stats.slowestMs = Math.max(stats.slowestMs, m.millis);
          const total = stats.ok + stats.failed;
          if (total % 10000 === 0) process.stderr.write(`  ${total}/${options.cases} cases, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
        } else if (m.type === 'fail') {
          current = null;
          saveFailure(m.caseSeed, m.why, m.bytes ? new Uint8Array(m.bytes) : null, m.seedName, m.mutations);
        } else if (m.type === 'batch-done') feed();
      });
      worker.on('error', (error) => {
        if (current !== null) saveFailure(current, `worker died: ${error.stack ?? error.message}`);
        current = null;
        requeued.push(...pending);
        pending = [];
        if (nextCase < options.cases || requeued.length) startWorker();
        done();
      });
    };
    for (let i = 0; i < Math.min(options.workers, Math.ceil(options.cases / BATCH)); i++) startWorker();
  });

  rmSync(bundle.dir, { recursive: true, force: true });
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(`fuzz: ${stats.ok + stats.failed} cases in ${seconds.toFixed(1)} s from seed ${options.seed}: `
    + `${stats.failed} failed, ${stats.refused} refused as not a capture, ${stats.damaged} read up to damage, slowest ${stats.slowestMs.toFixed(0)} ms\n`);
  for (const f of failures.slice(0, 20)) process.stdout.write(`  case ${f.caseSeed}: ${f.why}\n    ${f.file}\n`);
  if (failures.length) process.exitCode = 1;
}

if (isMainThread) {
  main().catch((error) => {
    process.stderr.write(`fuzz: ${error.stack ?? error.message}\n`);
    process.exit(1);
  });
} else {
  workerMain();
}
