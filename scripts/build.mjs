#!/usr/bin/env node
// Build what runs: the CLI bundle (dist/cli/tlswb.mjs), and the other targets
// registered below. Run by `npm run build` and by npm's `prepare` on install.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename, dirname, join } from 'node:path';
import { buildDesktop, buildRenderer } from './build-desktop.mjs';
import { buildPcapRing } from './build-pcap-ring.mjs';
import { buildTunnelRelay } from './build-tunnel-relay.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The capture whose analysis makes the code caches. */
const CODE_CACHE_SAMPLE = join(root, 'test/fixtures/capture/ndpi-tls_heur__trojan-tcp-tls.pcapng');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

async function buildCli() {
  const define = { 'process.env.TLSWB_VERSION': JSON.stringify(pkg.version) };
  await buildNodeBundle('electron/cli/entry.ts', 'dist/cli/tlswb.mjs', define);
  // `tlswb analyze` alone (bin/tlswb.mjs runs it for that command): starts without the other commands' modules.
  await buildAnalyzeBundle(define);
  // One shard of `tlswb analyze --json` on a large file, in a worker thread (electron/cli/analyze-shards.ts).
  await buildNodeBundle('electron/cli/analyze-shard-worker.ts', 'dist/cli/tlswb-analyze-shard.mjs', define);
  // The TLS analysis of `tlswb analyze --json` on two threads (electron/cli/analyze-pipelined.ts), with its code cache.
  await buildTlsWorkerBundle(define);
  // The proxy's native relay for passthrough tunnels (dist/native/tunnel_relay.node), best effort: without it JavaScript relays.
  buildTunnelRelay(root, { quiet: true });
}

/** One ESM bundle for node 20; npm packages stay imports (installed beside it). */
async function buildNodeBundle(entry, out, define = {}) {
  await build({
    entryPoints: [join(root, entry)],
    outfile: join(root, out),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    packages: 'external',
    define,
    logLevel: 'warning',
  });
}

/**
 * `tlswb analyze`: dist/cli/tlswb-analyze.mjs is scripts/code-cache-loader.mjs,
 * which runs the bundle (tlswb-analyze.cjs) with V8's code cache
 * (tlswb-analyze.cjs.cache), made here by one analysis of a small capture:
 * a start then compiles almost nothing (~15 ms less per run). The bundle
 * includes its npm packages (commander): no module resolution at start, and
 * their code is in the cache too. CommonJS has no import.meta: its URL is the
 * bundle's own (analyze-shards.ts finds the shard worker beside it).
 */
async function buildAnalyzeBundle(define) {
  const out = 'dist/cli/tlswb-analyze.cjs';
  await buildCachedBundle('electron/cli/analyze-entry.ts', out, define);
  // The ES module bundle an earlier build made in its place (and its map) would be stale.
  rmSync(join(root, 'dist/cli/tlswb-analyze.mjs.map'), { force: true });
  copyFileSync(join(root, 'scripts/code-cache-loader.mjs'), join(root, 'dist/cli/tlswb-analyze.mjs'));
  if (!existsSync(CODE_CACHE_SAMPLE)) return; // (no fixtures: runs without a cache, compiling as before)
  makeCodeCache(out, {});
}

/**
 * The worker of `tlswb analyze --json` on two threads (analyze-pipelined.ts):
 * tlswb-analyze-tls.cjs, which the worker runs with its code cache through
 * code-cache-loader.cjs, as tlswb-analyze.mjs does for the main bundle. Without one, the worker parsed its ~0.3 MB
 * bundle and compiled each function at its first call, while the first
 * batches waited: ~25-30 ms of CPU on a machine whose two cores the pipeline
 * keeps busy. The cache is made by one pipelined analysis of a small capture
 * (TLSWB_ANALYZE_THREADS=2), the worker's own flags (its young generation's
 * size) set as they are at every run, else V8 would reject it.
 */
async function buildTlsWorkerBundle(define) {
  const out = 'dist/cli/tlswb-analyze-tls.cjs';
  await buildCachedBundle('electron/cli/analyze-tls-worker.ts', out, define);
  // Its ES module bundle of earlier builds (the worker starts from code-cache-loader.cjs now).
  for (const stale of ['tlswb-analyze-tls.mjs', 'tlswb-analyze-tls.mjs.map']) rmSync(join(root, 'dist/cli', stale), { force: true });
  if (!existsSync(CODE_CACHE_SAMPLE) || !existsSync(join(root, 'dist/cli/tlswb-analyze.mjs'))) return;
  makeCodeCache(out, { TLSWB_ANALYZE_THREADS: '2' });
}

/** A CommonJS bundle `out` (.cjs) of `entry` with everything in it, and code-cache-loader.cjs beside it. */
async function buildCachedBundle(entry, out, define) {
  await build({
    entryPoints: [join(root, entry)],
    outfile: join(root, out),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'linked',
    define: { ...define, 'import.meta.url': '__bundleUrl' },
    banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
  });
  // What runs it with its code cache (scripts/code-cache-loader.cjs).
  copyFileSync(join(root, 'scripts/code-cache-loader.cjs'), join(root, 'dist/cli/code-cache-loader.cjs'));
  rmSync(join(root, `${out}.cache`), { force: true });
}

/**
 * `out`'s code cache, written by a run of `tlswb analyze --json` on
 * CODE_CACHE_SAMPLE with `env`: TLSWB_WRITE_CODE_CACHE names the bundle whose
 * cache the run writes (only that one: the worker's run also runs the main bundle).
 */
function makeCodeCache(out, env) {
  const cache = join(root, `${out}.cache`);
  const run = spawnSync(process.execPath, [join(root, 'dist/cli/tlswb-analyze.mjs'), 'analyze', '--json', CODE_CACHE_SAMPLE], {
    env: { ...process.env, ...env, TLSWB_WRITE_CODE_CACHE: basename(out) },
    stdio: 'ignore',
  });
  if (run.status !== 0 || !existsSync(cache)) console.warn(`build: no code cache for ${out} (it runs without one)`);
}

// The capture helper (native/capture-helper.ts): its own process, run by the
// live capture service with the node binary that holds the capture permission.
async function buildCaptureHelper() {
  await buildNodeBundle('native/capture-helper.ts', 'dist/native/capture-helper.mjs');
  // Its own libpcap binding (dist/native/pcap_ring.node), best effort: without it the helper uses cap.
  buildPcapRing(root, { quiet: true });
}

// Desktop (renderer + Electron main/preload): see scripts/build-desktop.mjs.
const targets = { cli: buildCli, native: buildCaptureHelper, renderer: () => buildRenderer(root), desktop: () => buildDesktop(root) };

const wanted = process.argv.slice(2);
for (const [name, run] of Object.entries(targets)) {
  if (wanted.length && !wanted.includes(name)) continue;
  await run();
}
