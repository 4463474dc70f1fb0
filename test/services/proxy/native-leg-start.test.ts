/**
 * The legs the relay starts itself for the fast path's tunnels (leg_start in
 * native/tunnel-relay/leg_recording.c) must be the legs the JavaScript
 * recording starts (LegRecorder.legStart: TcpPacketSynthesizer.initialState
 * of the addresses with IPv4-mapped ones unmapped): the same initial
 * sequence numbers from the ports, IPv4 identifications, segment size
 * (default and clamp), IP version and addresses, byte for byte. The
 * recordings' frames are compared with tshark elsewhere
 * (native-recording-real-peers.test.ts); tshark shows sequence numbers
 * relative to these, so they are checked here.
 */
import { describe, expect, it } from 'vitest';
import { TcpPacketSynthesizer } from '../../../electron/core/net/tcp-packet-synthesizer';
import { unmapIpv4 } from '../../../electron/services/proxy/leg-recorder';
import { nativeLegStartState } from '../../../electron/services/proxy/native-tunnel-relay';

const legStartState = nativeLegStartState();

/** What LegRecorder.legStart gives for the same ends (mss 0: unknown). */
function javascriptState(clientIp: string, clientPort: number, serverIp: string, serverPort: number, mss: number): Uint8Array {
  return TcpPacketSynthesizer.initialState({
    client: { ip: unmapIpv4(clientIp), port: clientPort }, server: { ip: unmapIpv4(serverIp), port: serverPort }, mss: mss || undefined,
  });
}

describe.skipIf(!legStartState)('the relay starts legs as the JavaScript recording does', () => {
  it('gives the same initial state for IPv4, IPv6 and IPv4-mapped ends, any ports, unknown, small, loopback and oversized segment sizes', () => {
    const ends: [string, string][] = [
      ['127.0.0.1', '127.0.0.1'], ['10.1.2.3', '192.168.255.254'], ['0.0.0.0', '255.255.255.255'],
      ['::1', '::1'], ['2001:db8::1', 'fe80::abcd:1'], ['::ffff:127.0.0.1', '::ffff:10.0.0.9'], ['::ffff:127.0.0.1', '10.0.0.9'],
    ];
    const ports = [1, 443, 8080, 40000, 65535];
    const sizes = [0, 1, 536, 1448, 1460, 32741, 65483, 65495, 70000];
    let compared = 0;
    for (const [a, b] of ends) {
      for (const pa of ports) {
        for (const pb of ports) {
          for (const mss of sizes) {
            const c = legStartState!(a, pa, b, pb, mss);
            expect(c, `${a}:${pa} ${b}:${pb} ${mss}`).not.toBeNull();
            expect(Buffer.from(c!).toString('hex'), `${a}:${pa} ${b}:${pb} mss ${mss}`).toBe(Buffer.from(javascriptState(a, pa, b, pb, mss)).toString('hex'));
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(ends.length * ports.length * ports.length * sizes.length);
  });

  it('starts no leg between two IP versions (the JavaScript recording cannot either)', () => {
    expect(legStartState!('127.0.0.1', 1, '::1', 2, 0)).toBeNull();
    expect(() => javascriptState('127.0.0.1', 1, '::1', 2, 0)).toThrow(RangeError);
  });
});
