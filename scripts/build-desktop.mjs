// Desktop build targets, called from scripts/build.mjs:
//   renderer: vite build -> dist/renderer/ (served as app:// by Electron and over HTTP by `tlswb serve`)
//   desktop:  the Electron main process (ESM, dist/main/index.js) and the sandboxed preload (CJS, dist/preload/index.cjs)
import { build as esbuild } from 'esbuild';
import { join } from 'node:path';

export async function buildRenderer(root) {
  const { build } = await import('vite');
  await build({ configFile: join(root, 'renderer/vite.config.ts'), root: join(root, 'renderer'), logLevel: 'warn' });
}

export async function buildDesktop(root) {
  const common = { bundle: true, platform: 'node', target: 'node20', external: ['electron', 'cap'], sourcemap: 'linked', logLevel: 'warning' };
  // Sandboxed preloads cannot be ES modules; bundle everything in (only `electron` stays external).
  await esbuild({ ...common, entryPoints: [join(root, 'electron/preload/index.ts')], outfile: join(root, 'dist/preload/index.cjs'), format: 'cjs' });
  await esbuild({ ...common, entryPoints: [join(root, 'electron/main/index.ts')], outfile: join(root, 'dist/main/index.js'), format: 'esm', packages: 'external' });
}
