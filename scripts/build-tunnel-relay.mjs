// native/tunnel-relay (the passthrough proxy's relay, see
// native/tunnel-relay/tunnel_relay.c) -> dist/native/tunnel_relay.node, next
// to the CLI bundle. Without a C compiler the proxy relays in JavaScript
// (electron/services/proxy/passthrough-bridge.ts).
import { buildNativeAddon } from './build-native-addon.mjs';

export function buildTunnelRelay(root, { quiet = false } = {}) {
  return buildNativeAddon(root, {
    folder: 'tunnel-relay',
    name: 'tunnel_relay',
    needs: 'a C compiler',
    fallback: 'the proxy will relay passthrough tunnels in JavaScript',
    quiet,
  });
}
