// Builds native/pcap-ring (the capture helper's own libpcap binding, see
// native/pcap-ring/pcap_ring.c) with npm's bundled node-gyp and puts it next to
// the bundled helper as dist/native/pcap_ring.node. Best effort: without a C
// compiler or libpcap headers the helper captures through `cap` instead, so a
// failure here is a warning, not a build error.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function nodeGypScript() {
  const candidates = [];
  try {
    const npmRoot = execFileSync('npm', ['root', '-g'], { encoding: 'utf8' }).trim();
    candidates.push(join(npmRoot, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  } catch { /* no npm on PATH */ }
  candidates.push(join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((c) => existsSync(c)) ?? null;
}

export function buildPcapRing(root, { quiet = false } = {}) {
  const dir = join(root, 'native', 'pcap-ring');
  const gyp = nodeGypScript();
  if (!gyp) {
    console.warn('build: node-gyp not found; the capture helper will use cap (see native/README.md)');
    return false;
  }
  // Installed headers (Debian's nodejs-dev, or a node install's include/) avoid a download.
  const nodedir = [join(dirname(process.execPath), '..'), '/usr'].find((d) => existsSync(join(d, 'include', 'node', 'node_api.h')));
  try {
    execFileSync(process.execPath, [gyp, 'rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])],
      { cwd: dir, stdio: quiet ? 'ignore' : ['ignore', 'ignore', 'inherit'] });
  } catch {
    console.warn('build: native/pcap-ring did not build (C compiler and libpcap headers needed); the capture helper will use cap');
    return false;
  }
  mkdirSync(join(root, 'dist', 'native'), { recursive: true });
  copyFileSync(join(dir, 'build', 'Release', 'pcap_ring.node'), join(root, 'dist', 'native', 'pcap_ring.node'));
  return true;
}
