// native/pcap-ring (the capture helper's own libpcap binding, see
// native/pcap-ring/pcap_ring.c) -> dist/native/pcap_ring.node, next to the
// bundled helper. Without a C compiler or libpcap headers the helper captures
// through `cap` instead.
import { buildNativeAddon } from './build-native-addon.mjs';

export function buildPcapRing(root, { quiet = false } = {}) {
  return buildNativeAddon(root, {
    folder: 'pcap-ring',
    name: 'pcap_ring',
    needs: 'C compiler and libpcap headers',
    fallback: 'the capture helper will use cap (see native/README.md)',
    quiet,
  });
}
