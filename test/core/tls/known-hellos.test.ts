/**
 * Hellos recognised by their shape (known-client-hellos.ts,
 * known-server-hellos.ts) stand for their full parse: whenever a hello is
 * recognised, parsing it whole gives no problem, and the same slim hello and
 * fingerprints. Checked on every hello of the corpus captures and on seeded
 * mutations of each (bytes set anywhere, lengths included), after the
 * original's shape was remembered: mutants in the parts that vary per
 * connection are recognised, the others must not be unless they parse alike.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../../electron/core/capture/capture-reader';
import { SessionAnalyzer } from '../../../electron/core/session/analyzer';
import { parseHandshakeMessage } from '../../../electron/core/tls/handshake-message';
import { newParseContext } from '../../../electron/core/tls/parse-context';
import { clientHelloFingerprints, ja3s } from '../../../electron/core/tls/fingerprints';
import { knownClientHello, rememberClientHello } from '../../../electron/core/tls/known-client-hellos';
import { knownServerHello, rememberServerHello } from '../../../electron/core/tls/known-server-hellos';
import { slimClientHello, slimServerHello } from '../../../electron/core/session/slim-hellos';
import { seededRandom } from '../../support/fuzz-mutations';

const corpusDir = join(import.meta.dirname, '../../fixtures/corpus');

/** Every ClientHello and ServerHello (not HelloRetryRequest) of the corpus, as on the wire. */
function corpusHellos(): { client: Uint8Array[]; server: Uint8Array[] } {
  const client: Uint8Array[] = [];
  const server: Uint8Array[] = [];
  for (const name of readdirSync(corpusDir)) {
    if (!/\.pcap(ng)?$/.test(name)) continue;
    const analyzer = new SessionAnalyzer();
    const reader = createCaptureReader({ onPacket: (p) => analyzer.push(p) });
    reader.feed(readFileSync(join(corpusDir, name)));
    reader.end();
    analyzer.finish();
    for (const s of analyzer.sessions) {
      for (const m of s.messages) {
        if (m.sslv2) continue;
        if (m.type === 'client_hello') client.push(m.raw);
        else if (m.type === 'server_hello') server.push(m.raw);
      }
    }
  }
  return { client, server };
}

/** Sets 1-3 random bytes of a copy of `raw` (the 4-byte handshake header left alone half the time). */
function mutant(raw: Uint8Array, rnd: () => number): Uint8Array {
  const m = raw.slice();
  const from = rnd() < 0.5 ? 4 : 0;
  const n = 1 + Math.floor(rnd() * 3);
  for (let i = 0; i < n; i++) m[from + Math.floor(rnd() * (m.length - from))] = Math.floor(rnd() * 256);
  return m;
}

/** 60 seeded mutants of each hello, each checked once the original's shape was (`check`: whether recognised). */
function mutantsRecognised(hellos: readonly Uint8Array[], check: (raw: Uint8Array) => boolean, seed: number): { recognised: number; total: number } {
  const rnd = seededRandom(seed);
  let recognised = 0;
  let total = 0;
  for (const raw of hellos) {
    check(raw);
    for (let i = 0; i < 60; i++, total++) if (check(mutant(raw, rnd))) recognised++;
  }
  return { recognised, total };
}

/**
 * `raw` with 1-4 random bytes inserted into the data of its extension `i`
 * (of `extensions`, the full parse's), the extension's, the block's and the
 * message's lengths grown to match: a hello as sound in its framing, whose
 * extension data may no longer be.
 */
function grown(raw: Uint8Array, extensions: readonly { offset: number; length: number }[], i: number, rnd: () => number): Uint8Array {
  const ext = extensions[i]!;
  const k = 1 + Math.floor(rnd() * 4);
  const at = ext.offset + 4 + Math.floor(rnd() * (ext.length + 1));
  const out = new Uint8Array(raw.length + k);
  out.set(raw.subarray(0, at));
  for (let j = 0; j < k; j++) out[at + j] = Math.floor(rnd() * 256);
  out.set(raw.subarray(at), at + k);
  const add16 = (o: number) => {
    const v = ((out[o]! << 8) | out[o + 1]!) + k;
    out[o] = v >> 8;
    out[o + 1] = v & 0xff;
  };
  add16(ext.offset + 2);
  add16(extensions[0]!.offset - 2);
  const body = ((out[1]! << 16) | (out[2]! << 8) | out[3]!) + k;
  out[1] = body >> 16;
  out[2] = (body >> 8) & 0xff;
  out[3] = body & 0xff;
  return out;
}

/** The full parse: the hello, or null when it throws, reports a problem or is truncated. */
function parsed(raw: Uint8Array): { ch?: ReturnType<typeof parseHandshakeMessage>['clientHello']; sh?: ReturnType<typeof parseHandshakeMessage>['serverHello'] } | null {
  const ctx = newParseContext(null);
  try {
    const f = parseHandshakeMessage(raw, ctx);
    if (ctx.problems.length > 0 || f.clientHello?.extensionsTruncated || f.serverHello?.extensionsTruncated) return null;
    return { ch: f.clientHello, sh: f.serverHello };
  } catch {
    return null;
  }
}

/** Recognises `raw` (remembering it when sound and new); whether it was recognised. Expects what the full parse gives. */
function checkClient(raw: Uint8Array): boolean {
  const full = parsed(raw);
  const k = knownClientHello(raw);
  if (k !== null) {
    expect(full?.ch).toBeDefined();
    expect(k.hello).toEqual(slimClientHello(full!.ch!));
    expect(k.fingerprints).toEqual(clientHelloFingerprints(full!.ch!, raw));
    return true;
  }
  if (full?.ch) rememberClientHello(full.ch, clientHelloFingerprints(full.ch, raw));
  return false;
}

/** `clientSessionId`: the connection's ClientHello's, which an echo shares (none: a copy always). */
function checkServer(raw: Uint8Array, clientSessionId: Uint8Array | null = null): boolean {
  const full = parsed(raw);
  const k = knownServerHello(raw, clientSessionId);
  if (k !== null) {
    expect(full?.sh).toBeDefined();
    expect(full!.sh!.helloRetryRequest).toBe(false);
    expect(k.hello).toEqual(slimServerHello(full!.sh!));
    expect(k.ja3s).toEqual(ja3s(full!.sh!));
    const echo = clientSessionId !== null && clientSessionId.length > 0 && Buffer.from(clientSessionId).equals(full!.sh!.sessionId);
    if (echo) expect(k.hello.sessionId).toBe(clientSessionId);
    else expect(k.hello.sessionId).not.toBe(clientSessionId);
    return true;
  }
  if (full?.sh && !full.sh.helloRetryRequest) rememberServerHello(full.sh, ja3s(full.sh));
  return false;
}

describe('hellos recognised by their shape', () => {
  const { client, server } = corpusHellos();

  it('the corpus has hellos of many kinds', () => {
    expect(client.length).toBeGreaterThan(40);
    expect(server.length).toBeGreaterThan(40);
  });

  it('a ClientHello met again is recognised, as its full parse', () => {
    let again = 0;
    for (const raw of client) {
      checkClient(raw);
      if (checkClient(raw)) again++;
    }
    // Nearly every sound hello is recognised the second time (a repeated server_name, say, is not).
    expect(again).toBeGreaterThan(client.length * 0.9);
  });

  it('a ServerHello met again is recognised, as its full parse', () => {
    let again = 0;
    for (const raw of server) {
      checkServer(raw);
      if (checkServer(raw)) again++;
    }
    expect(again).toBeGreaterThan(server.length * 0.9);
  });

  it("a recognised ServerHello echoing the client's session ID shares it; any other gets a copy", () => {
    let echoes = 0;
    for (const raw of server) {
      const sid = parsed(raw)?.sh?.sessionId;
      if (sid === undefined || sid.length === 0) continue;
      checkServer(raw);
      expect(checkServer(raw, sid.slice())).toBe(true);
      const other = sid.slice();
      other[0] ^= 1;
      expect(checkServer(raw, other)).toBe(true);
      echoes++;
    }
    expect(echoes).toBeGreaterThan(10);
  });

  it('a mutated ClientHello is recognised only when it parses as the hello it stands for', () => {
    const { recognised, total } = mutantsRecognised(client, checkClient, 0x5ca1ab1e);
    // Bytes in the random, session ID, key shares, server name... vary per connection: those mutants are recognised.
    expect(recognised).toBeGreaterThan(total * 0.2);
    expect(recognised).toBeLessThan(total);
  });

  it('a mutated ServerHello is recognised only when it parses as the hello it stands for', () => {
    const { recognised, total } = mutantsRecognised(server, checkServer, 0xfeed5);
    expect(recognised).toBeGreaterThan(total * 0.2);
    expect(recognised).toBeLessThan(total);
  });

  it('a hello with bytes added to one of its extensions is recognised only when it parses as the hello it stands for', () => {
    const rnd = seededRandom(0x9e0);
    let recognised = 0;
    let total = 0;
    for (const raw of [...client, ...server]) {
      const full = parsed(raw);
      const extensions = full?.ch?.extensions ?? full?.sh?.extensions ?? [];
      const check = full?.ch ? checkClient : checkServer;
      check(raw);
      for (let i = 0; i < extensions.length; i++) {
        for (let j = 0; j < 4; j++, total++) {
          const m = grown(raw, extensions, i, rnd);
          if (m.length < 0x10000 && check(m)) recognised++;
        }
      }
    }
    // Padding, key shares, server names and the like take any bytes; lists and fixed fields do not.
    expect(recognised).toBeGreaterThan(total * 0.1);
    expect(recognised).toBeLessThan(total * 0.9);
  });

  it('GREASE values do not make a new shape, and the fingerprints leave them out alike', () => {
    // A hello of tls_grease.pcap with every GREASE value (cipher suites, extension types, groups, versions) changed.
    const grease = client.filter((raw) => parsed(raw)?.ch?.cipherSuites.some((v) => (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff)));
    expect(grease.length).toBeGreaterThan(0);
    for (const raw of grease) {
      checkClient(raw);
      const other = raw.slice();
      for (let i = 4; i + 1 < other.length; i++) {
        if ((other[i]! & 0x0f) === 0x0a && other[i] === other[i + 1]) {
          other[i] = other[i + 1] = ((other[i]! + 0x10) & 0xf0) | 0x0a;
          i++;
        }
      }
      expect(checkClient(other)).toBe(true);
    }
  });
});
