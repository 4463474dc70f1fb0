import { describe, expect, it } from 'vitest';
import { nativeTunnelRelay } from '../../../electron/services/proxy/native-tunnel-relay';
import { passthroughRelayCases } from './passthrough-relay-cases';

/**
 * Passthrough through the native relay (native/tunnel-relay, built by
 * `npm run build`): the cases of passthrough-relay-cases.ts.
 */
describe('passthrough through the native relay', () => {
  it('is built and loads (else the cases below would test the JavaScript fallback)', () => {
    expect(nativeTunnelRelay()).not.toBeNull();
  });
  passthroughRelayCases();
});
