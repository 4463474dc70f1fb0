// The CONNECT exchange's field tree, against tshark's HTTP dissector on the
// same frames (4: the request, 6: the proxy's answer), each field at the
// bytes it came from; hostile input ends in a field, never an exception.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeHttpConnect } from '../../electron/api/describe-http-connect';
import type { FieldNode } from '../../electron/core/session/field-tree';
import { analyzeFile } from '../../electron/services/analyze-file';

const latin1 = new TextDecoder('latin1');

async function connectMessages(): Promise<{ request: Uint8Array; response: Uint8Array }> {
  const { sessions } = await analyzeFile(join(import.meta.dirname, '../fixtures/api/https-connect.pcap'));
  const messages = sessions[0]!.messages;
  const request = messages.find((m) => m.type === 'connect_request')!;
  const response = messages.find((m) => m.type === 'connect_response')!;
  expect([request.frames.at(-1), response.frames.at(-1)]).toEqual([4, 6]);
  return { request: request.raw, response: response.raw };
}

/** The bytes a field claims, as text: every field must point at its own value. */
function bytesOf(raw: Uint8Array, f: FieldNode): string {
  return latin1.decode(raw.subarray(f.offset, f.offset + f.length));
}

describe('describeHttpConnect', () => {
  it('splits the request as tshark does: CONNECT ts01-b.cloudsink.net:443 HTTP/1.0, User-Agent', async () => {
    const { request } = await connectMessages();
    const fields = describeHttpConnect(request, 'connect_request');
    const line = fields[0]!;
    expect(line.name).toBe('request_line');
    // tshark: http.request.method, http.request.uri, http.request.version of frame 4.
    expect(line.children!.map((c) => [c.name, c.value, bytesOf(request, c)])).toEqual([
      ['method', 'CONNECT', 'CONNECT'],
      ['request_target', 'ts01-b.cloudsink.net:443', 'ts01-b.cloudsink.net:443'],
      ['http_version', 'HTTP/1.0', 'HTTP/1.0'],
    ]);
    expect(fields.slice(1).map((f) => [f.name, f.value ?? null])).toEqual([
      ['User-Agent', 'CrowdStrike Falcon Sensor'],
      ['end_of_headers', null],
    ]);
    expect(bytesOf(request, fields[1]!)).toBe('User-Agent: CrowdStrike Falcon Sensor\r\n');
    // Together the fields cover the message, byte for byte.
    expect(fields.reduce((n, f) => n + f.length, 0)).toBe(request.length);
  });

  it('splits the answer: HTTP/1.0 200 OK and its headers', async () => {
    const { response } = await connectMessages();
    const fields = describeHttpConnect(response, 'connect_response');
    // tshark: http.response.version, http.response.code, http.response.phrase, http.server of frame 6.
    expect(fields[0]!.children!.map((c) => c.value)).toEqual(['HTTP/1.0', '200', 'OK']);
    expect(fields.find((f) => f.name === 'Server')?.value).toBe('XXX');
    expect(fields.at(-1)!.name).toBe('end_of_headers');
    expect(fields.reduce((n, f) => n + f.length, 0)).toBe(response.length);
  });

  it('turns cut or hostile bytes into fields', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(describeHttpConnect(enc('CONNECT x:443'), 'connect_request')).toEqual([
      { name: 'connect_request', value: '13 bytes (no complete line)', offset: 0, length: 13 },
    ]);
    const cut = describeHttpConnect(enc('HTTP/1.1 200\r\nVia: a\r\nbroken line\r\nrest'), 'connect_response');
    expect(cut.map((f) => f.name)).toEqual(['status_line', 'Via', 'malformed_field_line', 'remaining']);
    expect(cut[0]!.children!.map((c) => c.value)).toEqual(['HTTP/1.1', '200']);
    // 100,000 header lines: bounded work, the rest as one field.
    const many = describeHttpConnect(enc(`CONNECT a:1 HTTP/1.1\r\n${'X: y\r\n'.repeat(100_000)}\r\n`), 'connect_request');
    expect(many.length).toBeLessThan(205);
    expect(many.at(-1)!.name).toBe('remaining');
  });
});
