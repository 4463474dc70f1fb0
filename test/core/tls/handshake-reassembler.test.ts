/**
 * The handshake reassembler read in place (`appendBytes`): a fragment that is
 * a range of a larger buffer (a framed record inside a capture chunk) gives
 * the same messages and frames as the same bytes appended as their own array,
 * also when a message spans fragments and the lender's bytes change after.
 */
import { describe, expect, it } from 'vitest';
import { HandshakeReassembler } from '../../../electron/core/tls/handshake-reassembler';
import { concat, handshake } from './support/tls-builder';

const hello = handshake(1, new Uint8Array(40).fill(3));
const cert = handshake(11, new Uint8Array(300).fill(4));
const done = handshake(14, new Uint8Array(0));

/** Each message as `type:length:frames:first bytes`, until `next` returns null. */
function drain(h: HandshakeReassembler, out: string[]): void {
  for (let m = h.next(); m !== null; m = h.next()) out.push(`${m.msgType}:${m.length}:${m.frames.join(',')}:${Array.from(m.raw.subarray(0, 6)).join(',')}:${m.raw.length}`);
}

describe('handshake reassembler, fragments read in place', () => {
  it('gives the same messages for a fragment inside a larger buffer as for a copy of it', () => {
    const stream = concat(hello, cert, done);
    // Two fragments: the hello and the start of the certificate, then its rest and the ServerHelloDone.
    const cut = hello.length + 100;
    const fragments = [stream.subarray(0, cut), stream.subarray(cut)];
    const expected: string[] = [];
    const plain = new HandshakeReassembler({ copyRaw: false });
    fragments.forEach((f, i) => {
      plain.append(f, [10 + i], [f.length], 1);
      drain(plain, expected);
    });
    expect(expected).toHaveLength(3);

    const got: string[] = [];
    const inPlace = new HandshakeReassembler({ copyRaw: false });
    const lender = new Uint8Array(1000);
    fragments.forEach((f, i) => {
      // The fragment at offset 7 of a reused buffer, garbage around it.
      lender.fill(0xee);
      lender.set(f, 7);
      inPlace.appendBytes(lender, 7, 7 + f.length, [10 + i], [f.length], 1);
      drain(inPlace, got);
    });
    expect(got).toEqual(expected);
    expect(got[1]).toBe(`11:300:10,11:11,0,1,44,4,4:304`);
    expect(inPlace.pending).toBe(0);
  });

  it('keeps a partial message when the lender reuses its buffer', () => {
    const h = new HandshakeReassembler();
    const lender = new Uint8Array(64).fill(0xee);
    lender.set(cert.subarray(0, 20), 30);
    h.appendBytes(lender, 30, 50, [1], [20], 1);
    expect(h.next()).toBeNull();
    expect(h.pending).toBe(20);
    lender.fill(0); // the lender's next chunk
    h.appendBytes(cert, 20, cert.length, [2], [cert.length - 20], 1);
    const m = h.next()!;
    expect(m.raw).toEqual(cert);
    expect(m.frames).toEqual([1, 2]);
  });
});
