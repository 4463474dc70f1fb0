import { describe, expect, it } from 'vitest';
import { nativeTunnelRelay } from '../../../electron/services/proxy/native-tunnel-relay';
import { passthroughRelayCases } from './passthrough-relay-cases';

/**
 * The JavaScript fallback (passthrough-bridge.ts), as without a C compiler:
 * TLSWB_TUNNEL_RELAY=off. Each test file runs in its own process (pool
 * "forks"), so this setting stays here.
 */
process.env.TLSWB_TUNNEL_RELAY = 'off';

describe('passthrough through the JavaScript relay (TLSWB_TUNNEL_RELAY=off)', () => {
  it('does not load the native relay', () => {
    expect(nativeTunnelRelay()).toBeNull();
  });
  passthroughRelayCases();
});
