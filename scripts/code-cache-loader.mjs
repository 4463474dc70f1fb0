#!/usr/bin/env node
// Copied by scripts/build.mjs to dist/cli/tlswb-analyze.mjs: runs the CommonJS
// bundle beside it (the same name, .cjs) with V8's code cache (.cjs.cache),
// through code-cache-loader.cjs (copied beside it; see why there).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

createRequire(import.meta.url)('./code-cache-loader.cjs').runWithCodeCache(fileURLToPath(import.meta.url).replace(/\.mjs$/, '.cjs'));
