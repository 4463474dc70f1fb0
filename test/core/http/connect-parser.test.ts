import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bodyFraming,
  headerValue,
  HttpBodySkipper,
  HttpHeadParser,
  looksLikeHttpConnect,
  looksLikeHttpResponse,
  parseConnectAuthority,
  type HttpHead,
} from '../../../electron/core/http/connect-parser';
import { readCapture } from '../net/support/read-capture';
import { runTcp, type DirectionResult } from '../net/support/run-tcp';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder('latin1').decode(b);

function parseAll(text: string, pieceSize = text.length) {
  const p = new HttpHeadParser();
  const bytes = enc(text);
  for (let i = 0; i < bytes.length; i += pieceSize) {
    const r = p.push(bytes.subarray(i, i + pieceSize));
    if (r.done) return r;
  }
  return { done: false as const };
}

describe('HttpHeadParser', () => {
  const request = 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nProxy-Authorization: Basic eA==\r\n\r\n';

  it('parses a CONNECT request head however the bytes are split', () => {
    for (const size of [1, 2, 3, 7, 1000]) {
      const r = parseAll(`${request}\x16\x03\x01`, size);
      expect(r.done).toBe(true);
      if (!('head' in r)) throw new Error('no head');
      expect(r.head).toMatchObject({
        kind: 'request', method: 'CONNECT', target: 'example.com:443', version: 'HTTP/1.1',
        headers: [['Host', 'example.com:443'], ['Proxy-Authorization', 'Basic eA==']],
        headLength: request.length,
      });
      // bytes after the head that came in the same push are handed back
      if (size === 1000) expect(Array.from(r.rest)).toEqual([0x16, 0x03, 0x01]);
    }
  });

  it('parses a response head with bare LF line ends and a folded field', () => {
    const r = parseAll('HTTP/1.0 407 Proxy Authentication Required\nProxy-Authenticate: Basic\n realm="x"\n\nbody');
    if (!('head' in r)) throw new Error('no head');
    expect(r.head.status).toBe(407);
    expect(r.head.reason).toBe('Proxy Authentication Required');
    expect(headerValue(r.head, 'proxy-authenticate')).toBe('Basic realm="x"');
    expect(dec(r.rest)).toBe('body');
  });

  it('waits for more bytes until the empty line', () => {
    const p = new HttpHeadParser();
    expect(p.push(enc('CONNECT a:1 HTTP/1.1\r\n'))).toEqual({ done: false });
    expect(p.push(enc('Host: a\r\n\r'))).toEqual({ done: false });
    expect(p.push(enc('\n')).done).toBe(true);
  });

  it('refuses a head larger than the limit without buffering more', () => {
    const p = new HttpHeadParser(1024);
    let r = p.push(enc('CONNECT a:1 HTTP/1.1\r\n'));
    for (let i = 0; i < 100 && !r.done; i++) r = p.push(enc(`X-Filler-${i}: ${'a'.repeat(100)}\r\n`));
    expect(r).toEqual({ done: true, error: 'HTTP head longer than 1024 bytes' });
  });

  it.each([
    ['an empty first line', '\r\n\r\n'],
    ['a start line without spaces', 'GARBAGE\r\n\r\n'],
    // (A bad or missing version is accepted, as tshark does: see test/core/session/lost-segment-and-proxy-header.test.ts.)
    ['a request line without a target', 'CONNECT \r\n\r\n'],
    ['a bad status code', 'HTTP/1.1 2xx OK\r\n\r\n'],
    ['a field line without a colon', 'CONNECT a:1 HTTP/1.1\r\nno colon here\r\n\r\n'],
    ['a bad field name', 'CONNECT a:1 HTTP/1.1\r\nBad Name: x\r\n\r\n'],
    ['a continuation before any field', 'CONNECT a:1 HTTP/1.1\r\n folded\r\n\r\n'],
    ['binary garbage', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n\n'],
  ])('reports %s as an error', (_what, text) => {
    const r = parseAll(text);
    expect(r.done).toBe(true);
    expect('error' in r && typeof r.error === 'string').toBe(true);
  });
});

describe('CONNECT helpers', () => {
  it('recognises a CONNECT request or an HTTP response from the first bytes', () => {
    expect(looksLikeHttpConnect(enc('CONNECT host:443 HTTP/1.1\r\n'))).toBe(true);
    expect(looksLikeHttpConnect(enc('GET / HTTP/1.1\r\n'))).toBe(false);
    expect(looksLikeHttpConnect(enc('CONN'))).toBe(false);
    expect(looksLikeHttpConnect(Uint8Array.of(0x16, 3, 1, 0, 0xc8, 1, 0, 0))).toBe(false);
    expect(looksLikeHttpResponse(enc('HTTP/1.1 200 Connection established'))).toBe(true);
  });

  it('splits the authority into host and port', () => {
    expect(parseConnectAuthority('example.com:443')).toEqual({ host: 'example.com', port: 443 });
    expect(parseConnectAuthority('[2001:db8::1]:8443')).toEqual({ host: '2001:db8::1', port: 8443 });
    expect(parseConnectAuthority('/')).toBeNull();
    expect(parseConnectAuthority('host:99999')).toBeNull();
    expect(parseConnectAuthority('host:')).toBeNull();
  });

  it('knows what follows a head', () => {
    const head = (text: string): HttpHead => {
      const r = parseAll(text);
      if (!('head' in r)) throw new Error('no head');
      return r.head;
    };
    expect(bodyFraming(head('HTTP/1.1 200 Connection established\r\n\r\n'), 'CONNECT')).toBe('tunnel');
    expect(bodyFraming(head('HTTP/1.1 407 Auth\r\nContent-Length: 12\r\n\r\n'), 'CONNECT')).toEqual({ length: 12 });
    expect(bodyFraming(head('HTTP/1.1 407 Auth\r\nTransfer-Encoding: chunked\r\n\r\n'), 'CONNECT')).toBe('chunked');
    expect(bodyFraming(head('HTTP/1.1 502 Bad\r\n\r\n'), 'CONNECT')).toBe('until-close');
    expect(bodyFraming(head('CONNECT a:1 HTTP/1.1\r\n\r\n'))).toEqual({ length: 0 });
  });

  it('skips a 407 body (length or chunked) to reach the next CONNECT', () => {
    const next = 'CONNECT a:1 HTTP/1.1\r\n\r\n';
    const byLength = new HttpBodySkipper({ length: 5 });
    expect(byLength.push(enc('ab'))).toEqual({ done: false });
    const r1 = byLength.push(enc(`cde${next}`));
    expect(r1.done && 'rest' in r1 && dec(r1.rest)).toBe(next);

    const chunked = new HttpBodySkipper('chunked');
    const body = '5\r\nhello\r\n1;ext=1\r\n!\r\n0\r\nTrailer: x\r\n\r\n';
    let r2: ReturnType<HttpBodySkipper['push']> = { done: false };
    for (const c of enc(body + next)) {
      if (r2.done) break;
      r2 = chunked.push(Uint8Array.of(c));
    }
    expect(r2).toEqual({ done: true, rest: new Uint8Array(0) });
    expect(new HttpBodySkipper('chunked').push(enc('zz\r\n'))).toMatchObject({ done: true });
  });
});

describe('CONNECT heads in real captures, against tshark', () => {
  const dir = join(__dirname, '../../fixtures/net');
  const captures = readdirSync(dir)
    .filter((f) => f.endsWith('.http.tsv'))
    .map((f) => f.slice(0, -'.http.tsv'.length));

  /** Feed a direction's chunks to a parser; the head and the frame whose data completed it. */
  function firstHead(d: DirectionResult): { head: HttpHead; frame: number } | null {
    const p = new HttpHeadParser();
    for (let i = 0; i < d.data.length; i++) {
      const r = p.push(d.data[i]!);
      if (r.done) return 'head' in r ? { head: r.head, frame: d.frames[i]! } : null;
    }
    return null;
  }

  it.each(captures)('%s: the CONNECT request and its answer, at the frames tshark shows them', (name) => {
    const run = runTcp(readCapture(join(dir, name)));
    const expected = readFileSync(join(dir, `${name}.http.tsv`), 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'));
    const connects = expected.filter((r) => r[2] === 'CONNECT');
    expect(connects.length).toBeGreaterThan(0);
    for (const [frame, stream, , uri] of connects) {
      const conn = run.connections.find((c) => c.conn.id === Number(stream))!;
      const clientDir = conn.dirs[0].data.length > 0 && looksLikeHttpConnect(conn.dirs[0].data[0]!) ? 0 : 1;
      const req = firstHead(conn.dirs[clientDir])!;
      expect(req.head.method).toBe('CONNECT');
      expect(req.head.target).toBe(uri);
      expect(req.frame).toBe(Number(frame));
      const answer = expected.find((r) => r[1] === stream && r[4] !== '' && Number(r[0]) > Number(frame));
      const res = firstHead(conn.dirs[1 - clientDir]);
      if (answer === undefined) {
        expect(res).toBeNull();
      } else {
        expect(res!.head.status).toBe(Number(answer[4]));
        expect(res!.frame).toBe(Number(answer[0]));
        expect(bodyFraming(res!.head, 'CONNECT')).toBe('tunnel');
      }
    }
  });
});
