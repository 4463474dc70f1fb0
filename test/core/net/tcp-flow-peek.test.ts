/**
 * TcpFlowPeek reads a packet's TCP connection hash straight from its headers
 * (a sharded analyzer passes over other shards' packets with it). It may say
 * "don't know" (-1), but any hash it names must be the one the full decoder
 * gives, on every packet of real captures: Ethernet, raw IP, IPv6, VLAN,
 * tunnels, fragments, several link types.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../../electron/core/capture/capture-reader';
import { PacketDecoder } from '../../../electron/core/net/packet-decoder';
import { flowHash } from '../../../electron/core/net/tcp-connection-table';
import { TcpFlowPeek } from '../../../electron/core/net/tcp-flow-peek';

const corpusDir = join(import.meta.dirname, '../../fixtures/corpus');

describe('TCP flow hash read at a glance', () => {
  it('names only hashes the decoder agrees with, and knows most TCP packets', () => {
    const peek = new TcpFlowPeek();
    let known = 0;
    let segments = 0;
    const linkTypes = new Set<number>();
    for (const name of readdirSync(corpusDir).filter((f) => /\.pcap(ng)?$/.test(f))) {
      const decoder = new PacketDecoder();
      const reader = createCaptureReader({
        onPacket: (p) => {
          linkTypes.add(p.linkType);
          const glance = peek.flowHash(p.data, p.linkType);
          const seg = decoder.decode(p);
          if (seg === null) return;
          segments++;
          if (glance === -1) return;
          known++;
          expect(glance, `${name} frame ${p.frame}`).toBe(flowHash(seg));
        },
      });
      reader.feed(readFileSync(join(corpusDir, name)));
      reader.end();
    }
    expect(linkTypes.size).toBeGreaterThan(3);
    expect(known).toBeGreaterThan(segments / 2);
    expect(known).toBeLessThan(segments); // tunnels, VLANs, fragments: left to the decoder
  });

  it('says it does not know for bytes that are no IP/TCP packet, truncated ones included', () => {
    const peek = new TcpFlowPeek();
    expect(peek.flowHash(new Uint8Array(0), 1)).toBe(-1);
    expect(peek.flowHash(new Uint8Array(13), 1)).toBe(-1);
    const ethernetIpv4Head = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00, 0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6]);
    expect(peek.flowHash(ethernetIpv4Head, 1)).toBe(-1);
    expect(peek.flowHash(new Uint8Array(64), 101)).toBe(-1);
    expect(peek.flowHash(new Uint8Array(64), 113)).toBe(-1);
  });
});
