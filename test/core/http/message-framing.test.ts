import { describe, expect, it } from 'vitest';
import { HttpHeadParser, type HttpHead } from '../../../electron/core/http/http-head-parser';
import { BodyFramer, requestFraming, responseFraming, wantsClose, type BodyFraming } from '../../../electron/core/http/message-framing';

function head(text: string): HttpHead {
  const r = new HttpHeadParser().push(Buffer.from(text.replace(/\n/g, '\r\n'), 'latin1'));
  if (!r.done || 'error' in r) throw new Error('bad test head');
  return r.head;
}

const chunked: BodyFraming = { kind: 'chunked' };

/** Feeds `wire` to a framer in pieces of `piece` bytes; the body's length, or the error. */
function frame(framing: BodyFraming, wire: string, piece = wire.length): { bodyLength: number; done: boolean; error: string | null } {
  const framer = new BodyFramer(framing);
  const bytes = Buffer.from(wire, 'latin1');
  let consumed = 0;
  for (let at = 0; at < bytes.length && !framer.done && !framer.error; at += piece) {
    const part = bytes.subarray(at, Math.min(bytes.length, at + piece));
    consumed += framer.push(part) ;
  }
  return { bodyLength: consumed, done: framer.done, error: framer.error };
}

describe('message body length (RFC 9112 6.3)', () => {
  it('requests: Content-Length, chunked, or none', () => {
    expect(requestFraming(head('POST / HTTP/1.1\nContent-Length: 5\n\n'))).toEqual({ kind: 'length', length: 5 });
    expect(requestFraming(head('POST / HTTP/1.1\nTransfer-Encoding: gzip, chunked\n\n'))).toEqual({ kind: 'chunked' });
    expect(requestFraming(head('GET / HTTP/1.1\n\n'))).toEqual({ kind: 'none' });
  });

  it('rejects the smuggling shape, repeated, negative and oversized lengths, and a request coding not ending in chunked', () => {
    const reason = (text: string): string => {
      const f = requestFraming(head(text));
      return f.kind === 'error' ? f.reason : 'accepted';
    };
    expect(reason('POST / HTTP/1.1\nContent-Length: 3\nTransfer-Encoding: chunked\n\n')).toMatch(/smuggling/);
    expect(reason('POST / HTTP/1.1\nContent-Length: 3\nContent-Length: 3\n\n')).toMatch(/more than one/);
    expect(reason('POST / HTTP/1.1\nContent-Length: 3, 4\n\n')).toMatch(/invalid/);
    expect(reason('POST / HTTP/1.1\nContent-Length: -1\n\n')).toMatch(/invalid/);
    expect(reason(`POST / HTTP/1.1\nContent-Length: ${'9'.repeat(40)}\n\n`)).toMatch(/invalid/);
    expect(reason('POST / HTTP/1.1\nTransfer-Encoding: chunked, gzip\n\n')).toMatch(/does not end in chunked/);
    expect(reason('POST / HTTP/1.1\nTransfer-Encoding: chunked, chunked\n\n')).toMatch(/does not end in chunked/);
    expect(responseFraming(head('HTTP/1.1 200 OK\nContent-Length: 1\nTransfer-Encoding: chunked\n\n'), 'GET').kind).toBe('error');
  });

  it('responses: none for HEAD, 1xx, 204 and 304; until close without a length', () => {
    const withLength = head('HTTP/1.1 200 OK\nContent-Length: 10\n\n');
    expect(responseFraming(withLength, 'HEAD')).toEqual({ kind: 'none' });
    expect(responseFraming(withLength, 'GET')).toEqual({ kind: 'length', length: 10 });
    for (const status of ['100 Continue', '204 No Content', '304 Not Modified']) {
      expect(responseFraming(head(`HTTP/1.1 ${status}\nContent-Length: 10\n\n`), 'GET')).toEqual({ kind: 'none' });
    }
    expect(responseFraming(head('HTTP/1.1 200 OK\n\n'), 'GET')).toEqual({ kind: 'close' });
    expect(responseFraming(head('HTTP/1.1 200 OK\nTransfer-Encoding: gzip\n\n'), 'GET')).toEqual({ kind: 'close' });
    expect(responseFraming(head('HTTP/1.0 200 OK\nTransfer-Encoding: chunked\n\n'), 'GET')).toEqual({ kind: 'close' });
  });

  it('persistence: close asked for, or HTTP/1.0 without keep-alive', () => {
    expect(wantsClose(head('GET / HTTP/1.1\n\n'))).toBe(false);
    expect(wantsClose(head('GET / HTTP/1.1\nConnection: TE, Close\n\n'))).toBe(true);
    expect(wantsClose(head('GET / HTTP/1.0\n\n'))).toBe(true);
    expect(wantsClose(head('GET / HTTP/1.0\nConnection: keep-alive\n\n'))).toBe(false);
  });
});

describe('BodyFramer', () => {
  const wire = '4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nExpires: never\r\n\r\n';

  it('finds the end of a chunked body with extensions and trailers, whatever the pieces, and no further', () => {
    for (const piece of [1, 2, 3, 7, wire.length]) {
      expect(frame(chunked, `${wire}GET /next`, piece)).toMatchObject({ bodyLength: wire.length, done: true, error: null });
    }
    expect(frame(chunked, '0\n\nX')).toMatchObject({ bodyLength: 3, done: true });
  });

  it('counts a Content-Length body, and never ends a body delimited by close', () => {
    expect(frame({ kind: 'length', length: 5 }, 'helloGET')).toMatchObject({ bodyLength: 5, done: true });
    expect(frame({ kind: 'close' }, 'x'.repeat(10_000), 999)).toMatchObject({ bodyLength: 10_000, done: false });
  });

  it('rejects hostile chunked bodies without growing or hanging', () => {
    expect(frame(chunked, 'fffffffffffffffffffff\r\n').error).toMatch(/too large/);
    expect(frame(chunked, '-5\r\n').error).toMatch(/without a size/);
    expect(frame(chunked, '5x\r\n').error).toMatch(/bad character/);
    expect(frame(chunked, '3\r\nabcXY').error).toMatch(/no CRLF/);
    expect(frame(chunked, `5;${'a'.repeat(100_000)}`, 1000).error).toMatch(/line too long/);
    expect(frame(chunked, `0\r\n${'X-A: b\r\n'.repeat(10_000)}`, 4096).error).toMatch(/trailer section too large/);
    // A chunk of 2^48 - 1 bytes is a number, not a crash: the framer simply waits for it.
    expect(frame(chunked, 'ffffffffffff\r\nabc')).toMatchObject({ done: false, error: null });
  });
});
