// Builds one of the project's N-API addons (native/<folder>/binding.gyp) with
// npm's bundled node-gyp against the installed Node headers and copies it to
// dist/native/<name>.node. Best effort: each addon has a JavaScript fallback,
// so a failure is a warning (saying what the fallback is), not a build error.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

function nodeGypScript() {
  const candidates = [];
  try {
    const npmRoot = execFileSync('npm', ['root', '-g'], { encoding: 'utf8' }).trim();
    candidates.push(join(npmRoot, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  } catch { /* no npm on PATH */ }
  candidates.push(join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((c) => existsSync(c)) ?? null;
}

/**
 * `folder`: under native/; `name`: the target in its binding.gyp; `needs`: what
 * a failed build lacks; `fallback`: what runs instead (both for the warning).
 */
export function buildNativeAddon(root, { folder, name, needs, fallback, quiet = false }) {
  const dir = join(root, 'native', folder);
  const gyp = nodeGypScript();
  if (!gyp) {
    console.warn(`build: node-gyp not found; ${fallback}`);
    return false;
  }
  // Installed headers (Debian's nodejs-dev, or a node install's include/) avoid a download.
  const nodedir = [join(dirname(process.execPath), '..'), '/usr'].find((d) => existsSync(join(d, 'include', 'node', 'node_api.h')));
  try {
    execFileSync(process.execPath, [gyp, 'rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])],
      { cwd: dir, stdio: quiet ? 'ignore' : ['ignore', 'ignore', 'inherit'] });
  } catch {
    console.warn(`build: native/${folder} did not build (${needs} needed); ${fallback}`);
    return false;
  }
  mkdirSync(join(root, 'dist', 'native'), { recursive: true });
  copyFileSync(join(dir, 'build', 'Release', `${name}.node`), join(root, 'dist', 'native', `${name}.node`));
  return true;
}
