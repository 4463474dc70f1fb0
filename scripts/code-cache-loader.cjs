// Copied by scripts/build.mjs to dist/cli/code-cache-loader.cjs:
// runWithCodeCache(bundle) runs a CommonJS bundle with V8's code cache
// (bundle + '.cache'). dist/cli/tlswb-analyze.mjs (scripts/code-cache-loader.mjs)
// runs tlswb-analyze.cjs with it; the worker of two threads
// (analyze-pipelined.ts) tlswb-analyze-tls.cjs. This file is CommonJS so that
// a worker can start from it without Node's ES module loader (~15-20 ms of
// the worker's start, measured as its first batch taken that much sooner).
//
// Why: `tlswb analyze` is a short process, and compiling its bundle is a fair
// part of it: the top level of ~0.5 MB of JavaScript parsed at every start,
// then each function compiled when first called. A code cache made after one
// analysis (scripts/build.mjs runs one, TLSWB_WRITE_CODE_CACHE naming the
// bundle) holds the bytecode of everything that analysis ran, so a start skips both. ES
// modules cannot take a code cache in Node 20 (vm.SourceTextModule is
// experimental); a script can, hence the CommonJS bundle.
//
// The cache is used only for the very bundle it was made from (its first 32
// bytes are the SHA-256 of the bundle's text: V8 itself only checks the
// length); a missing, stale or rejected cache just means compiling as usual.
'use strict';
const { createHash } = require('node:crypto');
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { basename, dirname } = require('node:path');
const { setFlagsFromString } = require('node:v8');
const vm = require('node:vm');

// The young generation starts at 1 MiB and doubles when much survives; an
// analysis keeps every open connection's and session's objects alive across
// collections, so at 2x it spends a dozen scavenges growing, copying and
// promoting those objects (the size limits can only be set on the command
// line; the growth factor is read at each growth). At 16x it is at its full
// size (16 MiB, V8's default maximum) after the first growth: on the bench
// capture 18 scavenges instead of 28, ~25 MB fewer bytes surviving them, and
// fewer objects promoted to die in the old generation.
setFlagsFromString('--semi-space-growth-factor=16');

/** Runs the CommonJS bundle at `bundle` (a path), with its code cache when there is a valid one. */
function runWithCodeCache(bundle) {
  const cacheFile = `${bundle}.cache`;
  const source = readFileSync(bundle, 'utf8');
  const digest = createHash('sha256').update(source).digest();

  let cachedData;
  try {
    const cache = readFileSync(cacheFile);
    if (cache.length > digest.length && cache.subarray(0, digest.length).equals(digest)) cachedData = cache.subarray(digest.length);
  } catch {
    // No cache (not built with one, or removed): compile as usual.
  }

  // The CommonJS wrapper on a line of its own, so that the bundle's lines and
  // columns (stack traces, its source map) are where they are in the file.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, {
    filename: bundle,
    lineOffset: -1,
    cachedData,
  });

  // TLSWB_WRITE_CODE_CACHE names the bundle (its file name) whose cache to write
  // ('1': any), so that a run of two threads writes the worker's and not the main one's.
  const writeCache = process.env.TLSWB_WRITE_CODE_CACHE;
  if (writeCache === '1' || writeCache === basename(bundle)) {
    // After the run, when the cache holds every function it compiled (a worker's process emits 'exit' as its thread ends).
    process.once('exit', () => {
      const temporary = `${cacheFile}.${process.pid}`;
      writeFileSync(temporary, Buffer.concat([digest, script.createCachedData()]));
      renameSync(temporary, cacheFile);
    });
  }

  const bundleModule = { exports: {} };
  script.runInThisContext()(bundleModule.exports, createRequire(bundle), bundleModule, bundle, dirname(bundle));
}

module.exports = { runWithCodeCache };
