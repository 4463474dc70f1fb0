// Builds native/tunnel-relay (the proxy's relay thread for passthrough
// tunnels, see native/tunnel-relay/tunnel_relay.c) with npm's bundled node-gyp
// and puts it next to the CLI bundle as dist/native/tunnel_relay.node. Best
// effort: without a C compiler the proxy relays in JavaScript
// (electron/services/proxy/passthrough-bridge.ts), so a failure here is a
// warning, not a build error.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { nodeGypScript } from './build-pcap-ring.mjs';

export function buildTunnelRelay(root, { quiet = false } = {}) {
  const dir = join(root, 'native', 'tunnel-relay');
  const gyp = nodeGypScript();
  if (!gyp) {
    console.warn('build: node-gyp not found; the proxy will relay passthrough tunnels in JavaScript');
    return false;
  }
  // Installed headers (Debian's nodejs-dev, or a node install's include/) avoid a download.
  const nodedir = [join(dirname(process.execPath), '..'), '/usr'].find((d) => existsSync(join(d, 'include', 'node', 'node_api.h')));
  try {
    execFileSync(process.execPath, [gyp, 'rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])],
      { cwd: dir, stdio: quiet ? 'ignore' : ['ignore', 'ignore', 'inherit'] });
  } catch {
    console.warn('build: native/tunnel-relay did not build (a C compiler is needed); the proxy will relay passthrough tunnels in JavaScript');
    return false;
  }
  mkdirSync(join(root, 'dist', 'native'), { recursive: true });
  copyFileSync(join(dir, 'build', 'Release', 'tunnel_relay.node'), join(root, 'dist', 'native', 'tunnel_relay.node'));
  return true;
}
