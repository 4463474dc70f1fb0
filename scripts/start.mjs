#!/usr/bin/env node
// `npm start`: the desktop app where Electron can run (its binary is installed
// and there is a display); otherwise `tlswb serve` and the URL to open in a browser.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

function electronBinary() {
  try {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('electron/package.json'));
    const pathFile = join(dir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const bin = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

function hasDisplay() {
  if (process.platform === 'darwin' || process.platform === 'win32') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

function run(cmd, cmdArgs) {
  const child = spawn(cmd, cmdArgs, { stdio: 'inherit', cwd: root });
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
}

const built = existsSync(join(root, 'dist/cli/tlswb.mjs')) && existsSync(join(root, 'dist/renderer/index.html'));
if (!built) {
  process.stderr.write('npm start: building first (npm run build)\n');
  const b = spawn(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
  await new Promise((resolve) => b.on('exit', resolve));
}

const electron = electronBinary();
if (electron && hasDisplay() && existsSync(join(root, 'dist/main/index.js'))) {
  run(electron, [root, ...args]);
} else {
  const why = !electron ? 'no Electron binary' : !hasDisplay() ? 'no display' : 'the desktop shell is not built';
  process.stderr.write(`npm start: ${why}; serving the UI to a browser instead (open the URL below)\n`);
  run(process.execPath, [join(root, 'bin/tlswb.mjs'), 'serve', ...args]);
}
