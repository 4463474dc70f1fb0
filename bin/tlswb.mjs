#!/usr/bin/env node
// The `tlswb` command: runs the bundled CLI built by `npm run build`.
// `tlswb analyze` runs its own bundle (the same command, alone): the full CLI
// loads every command's modules, which costs more than analyzing a small file.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/cli/tlswb.mjs', import.meta.url);
const analyzeBundle = new URL('../dist/cli/tlswb-analyze.mjs', import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  process.stderr.write('tlswb: not built yet: run `npm run build` in the project folder\n');
  process.exit(1);
}
const analyzeOnly = process.argv[2] === 'analyze' && existsSync(fileURLToPath(analyzeBundle));
await import(analyzeOnly ? analyzeBundle.href : bundle.href);
