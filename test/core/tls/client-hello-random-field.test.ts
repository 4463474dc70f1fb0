// The ClientHello's `random` field node carries its value (as the
// ServerHello's does), the same 32 bytes tshark shows as "Random" for
// https-connect.pcap frame 8 (PDML extract in test/fixtures/renderer/).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeMessage } from '../../../electron/core/tls/describe-message';

interface PdmlField {
  name: string;
  value?: string;
  offset: number;
  length: number;
}

const extract = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/renderer/https-connect.client-hello.fields.json'), 'utf8')) as { raw: string; fields: PdmlField[] };

describe('the ClientHello field tree', () => {
  it('gives the random field its 32 bytes as hex, at tshark\'s offset', () => {
    const raw = Uint8Array.from(Buffer.from(extract.raw, 'hex'));
    const tree = describeMessage({ type: 'client_hello', from: 'client', frame: 8, frames: [8], timeNs: 0n, length: raw.length - 4, raw });
    const random = tree.find((n) => n.name === 'random');
    const tshark = extract.fields.find((f) => f.name === 'Random')!;
    expect(random).toMatchObject({ value: tshark.value, offset: tshark.offset, length: 32 });
    expect(random!.value).toMatch(/^[0-9a-f]{64}$/);
  });
});
