#!/usr/bin/env node
// Build what runs: the CLI bundle (dist/cli/tlswb.mjs), and the other targets
// registered below. Run by `npm run build` and by npm's `prepare` on install.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { buildDesktop, buildRenderer } from './build-desktop.mjs';
import { buildPcapRing } from './build-pcap-ring.mjs';
import { buildTunnelRelay } from './build-tunnel-relay.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

async function buildCli() {
  const define = { 'process.env.TLSWB_VERSION': JSON.stringify(pkg.version) };
  await buildNodeBundle('electron/cli/entry.ts', 'dist/cli/tlswb.mjs', define);
  // `tlswb analyze` alone (bin/tlswb.mjs runs it for that command): starts without the other commands' modules.
  await buildNodeBundle('electron/cli/analyze-entry.ts', 'dist/cli/tlswb-analyze.mjs', define);
  // One shard of `tlswb analyze --json` on a large file, in a worker thread (electron/cli/analyze-shards.ts).
  await buildNodeBundle('electron/cli/analyze-shard-worker.ts', 'dist/cli/tlswb-analyze-shard.mjs', define);
  // The TLS analysis of `tlswb analyze --json` on two threads (electron/cli/analyze-pipelined.ts).
  await buildNodeBundle('electron/cli/analyze-tls-worker.ts', 'dist/cli/tlswb-analyze-tls.mjs', define);
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
