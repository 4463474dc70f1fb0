/**
 * Engine rules found with the corpus agreement runs (docs/agreement-exceptions.md):
 * a hole the peer acknowledged is lost for good; a PROXY protocol header is no TLS;
 * a CONNECT line with a broken version is still a request (zeek http/methods.pcap, answered 400).
 */
import { describe, expect, it } from 'vitest';
import { TcpConnectionTable } from '../../../electron/core/net/tcp-connection-table';
import { TcpFlag, type TcpSegment } from '../../../electron/core/net/tcp-segment';
import { proxyProtocolHeaderLength } from '../../../electron/core/net/proxy-protocol';
import { HttpHeadParser } from '../../../electron/core/http/connect-parser';

const A = { ip: '10.0.0.1', port: 40000 };
const B = { ip: '10.0.0.2', port: 443 };

function seg(from: typeof A, to: typeof A, seq: number, ack: number, flags: number, text = ''): TcpSegment {
  const payload = Uint8Array.from(text, (c) => c.charCodeAt(0));
  const hash = (ip: string): number => ip.split('.').reduce((h, x) => ((h << 8) | Number(x)) >>> 0, 0);
  return {
    ipVersion: 4, srcIp: from.ip, dstIp: to.ip, srcAddrHash: hash(from.ip), dstAddrHash: hash(to.ip),
    srcPort: from.port, dstPort: to.port, seq, ack, flags, window: 1000, payload, payloadLength: payload.length,
  };
}

function table() {
  const events: string[] = [];
  const t = new TcpConnectionTable({
    onOpen() {},
    onData(_c, dir, data, frame) {
      events.push(`data ${dir} ${String.fromCharCode(...data)} @${frame}`);
    },
    onGap(_c, dir, n, frame) {
      events.push(`gap ${dir} ${n} @${frame}`);
    },
    onClose() {},
  });
  let frame = 0;
  return { events, push: (s: TcpSegment) => t.push(s, ++frame, 0n), finish: () => t.finish() };
}

describe('a hole the peer acknowledged (tshark: "ACKed unseen segment")', () => {
  it('is given up at once, and the bytes after it keep the frame that carried them', () => {
    const r = table();
    r.push(seg(A, B, 100, 0, TcpFlag.SYN));
    r.push(seg(B, A, 500, 101, TcpFlag.SYN | TcpFlag.ACK));
    r.push(seg(B, A, 511, 101, TcpFlag.ACK, 'world')); // frame 3: bytes 501..510 never captured
    expect(r.events).toEqual([]); // held: the hole might still be filled
    r.push(seg(A, B, 101, 516, TcpFlag.ACK)); // frame 4: the client has all 15 bytes
    expect(r.events).toEqual(['gap 1 10 @3', 'data 1 world @3']);
  });

  it('is kept while unacknowledged: a late segment still fills it', () => {
    const r = table();
    r.push(seg(A, B, 100, 0, TcpFlag.SYN));
    r.push(seg(B, A, 500, 101, TcpFlag.SYN | TcpFlag.ACK));
    r.push(seg(B, A, 506, 101, TcpFlag.ACK, 'world'));
    r.push(seg(A, B, 101, 501, TcpFlag.ACK)); // acknowledges nothing new
    r.push(seg(B, A, 501, 101, TcpFlag.ACK, 'hello'));
    expect(r.events).toEqual(['data 1 hello @5', 'data 1 world @5']);
  });
});

describe('PROXY protocol header', () => {
  const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
  it('v1: the text line up to CRLF', () => {
    const line = 'PROXY TCP4 111.111.111.111 222.222.222.22 52176 443\r\n';
    expect(proxyProtocolHeaderLength(new Uint8Array([...ascii(line), 0x16, 3, 1]))).toBe(line.length);
  });
  it('v2: signature, version 2, and the length field', () => {
    const sig = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];
    const h = new Uint8Array([...sig, 0x21, 0x11, 0, 12, ...new Array<number>(12).fill(1), 0x16]);
    expect(proxyProtocolHeaderLength(h)).toBe(28);
  });
  it('none: TLS, a v1 line with no CRLF in 107 bytes, a v2 header longer than the segment', () => {
    expect(proxyProtocolHeaderLength(new Uint8Array([0x16, 3, 1, 0, 5]))).toBe(0);
    expect(proxyProtocolHeaderLength(ascii(`PROXY ${'x'.repeat(200)}\r\n`))).toBe(0);
    const sig = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];
    expect(proxyProtocolHeaderLength(new Uint8Array([...sig, 0x21, 0x11, 0, 200]))).toBe(0);
  });
});

describe('a CONNECT request line with a broken HTTP-version', () => {
  it.each([
    ['CONNECT / HTTP/1.\r\n\r\n', '/', 'HTTP/1.'],
    ['CONNECT /HTTP/1.1\r\n\r\n', '/HTTP/1.1', ''],
  ])('%j is a request for the second word, as tshark reads it', (text, target, version) => {
    const r = new HttpHeadParser().push(Uint8Array.from(text, (c) => c.charCodeAt(0)));
    expect(r.done && 'head' in r && r.head).toMatchObject({ kind: 'request', method: 'CONNECT', target, version });
  });
});
