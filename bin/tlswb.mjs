#!/usr/bin/env node
// The `tlswb` command: runs the bundled CLI built by `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/cli/tlswb.mjs', import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  process.stderr.write('tlswb: not built yet: run `npm run build` in the project folder\n');
  process.exit(1);
}
await import(bundle.href);
