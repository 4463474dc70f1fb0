/**
 * The CLI writes the analysis JSON straight from the sessions
 * (contract-json-writer.ts) and analyzes without keeping raw bytes. Both are
 * speed-ups only: the text must be exactly what stringifying the contract
 * document gives, and the document the same as with raw bytes kept.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../../electron/services/analyze-file';
import {
  ShardSessionsJson,
  StreamedContractJson,
  contractDocumentJsonChunks,
  mergeShardedSessions,
  sessionWrittenByHandMatchesContract,
} from '../../../electron/core/session/contract-json-writer';
import { toContractDocument, type ContractDocument } from '../../../electron/core/session/contract-json';
import type { Session } from '../../../electron/core/session/model';

const corpus = (name: string) => join(import.meta.dirname, '../../fixtures/corpus', name);

// Records split across segments (dump_mtu300), several records a segment, client
// certificates, alerts, STARTTLS, CONNECT, DHE, malformed input, several interfaces.
const CAPTURES = [
  'dump_mtu300.pcap',
  'SSL-MultipleRecords1.pcap',
  'client-certificate.pcap',
  'tls-1.2-handshake-failure.pcap',
  'ldap-starttls.pcap',
  'https-connect.pcap',
  'http-connect-fragmented-input.pcap',
  'dhe.pcap.gz',
  'ssl-malformed1.pcap',
  'many_interfaces-1.pcapng',
  'firefox.pcap',
  'ja3_lots_of_cipher_suites.pcap',
];

/** Text and UTF-8 pieces of a document, as one string. */
function textOf(pieces: Iterable<string | Uint8Array>): string {
  const decoder = new TextDecoder();
  let out = '';
  for (const p of pieces) out += typeof p === 'string' ? p : decoder.decode(p);
  return out;
}

/** The document as one JSON text, one session a line: how the CLI printed it before the writer. */
function stringifyDocument(doc: ContractDocument): string {
  const { sessions, ...head } = doc;
  const headText = JSON.stringify(head);
  let out = `${headText.slice(0, -1)},"sessions":[`;
  for (let i = 0; i < sessions.length; i++) out += (i ? ',\n' : '\n') + JSON.stringify(sessions[i]);
  return `${out}\n]}\n`;
}

/**
 * The CLI's way to the text: the sessions' text made into one small buffer
 * again and again, each piece read before the next is asked for; checks that
 * the buffer is indeed reused once there is more than one piece.
 */
function reusedBufferText(json: StreamedContractJson, streamed: { displayName: string } & Parameters<StreamedContractJson['documentPieces']>[1]): string {
  const buffers = new Set<ArrayBufferLike>();
  let pieces = 0;
  const text = textOf(
    (function* () {
      for (const p of json.documentPieces(streamed.displayName, streamed, 4096)) {
        if (typeof p !== 'string') {
          buffers.add(p.buffer);
          pieces++;
        }
        yield p;
      }
    })(),
  );
  if (pieces > 1) expect(buffers.size).toBeLessThan(pieces);
  return text;
}

describe('analysis JSON written straight from the sessions', () => {
  for (const name of CAPTURES) {
    it(`is the contract document's JSON, whether raw bytes are kept or not: ${name}`, async () => {
      const kept = await analyzeFile(corpus(name));
      const lean = await analyzeFile(corpus(name), { keepRawBytes: false });
      expect(kept.sessions.length).toBeGreaterThan(0);
      const expected = stringifyDocument(kept.document);
      const written = [...contractDocumentJsonChunks(lean.displayName, lean, lean.sessions)].join('');
      expect(written).toBe(expected);
      expect(JSON.parse(written)).toEqual(lean.document);
    });
  }

  for (const name of [...CAPTURES, 'tls_heur__trojan-tcp-tls.pcapng', 'pgsql2.pcapng', 'vxlan.pcap']) {
    it(`is the same text when each session is written as soon as it is final: ${name}`, async () => {
      const whole = await analyzeFile(corpus(name), { keepRawBytes: false });
      const expected = [...contractDocumentJsonChunks(whole.displayName, whole, whole.sessions)].join('');
      const json = new StreamedContractJson();
      const streamed = await analyzeFile(corpus(name), {
        keepRawBytes: false,
        stream: { start: () => json.reset(), session: (s) => json.add(s) },
      });
      // Streaming hands every session over and keeps none.
      expect(streamed.sessions).toHaveLength(0);
      expect(json.sessions).toBe(whole.sessions.length);
      expect(textOf(json.documentChunks(streamed.displayName, streamed))).toBe(expected);
      expect(reusedBufferText(json, streamed)).toBe(expected);
      expect(reusedBufferText(json, streamed)).toBe(expected);
    });

    for (const compactMessages of [false, true]) {
      it(`is the same text when each message is written as it comes, no message kept${compactMessages ? ', held as numbers' : ''}: ${name}`, async () => {
        const whole = await analyzeFile(corpus(name), { keepRawBytes: false });
        const expected = [...contractDocumentJsonChunks(whole.displayName, whole, whole.sessions)].join('');
        const json = new StreamedContractJson({ compactMessages });
        let messagesKept = 0;
        let written = 0;
        const streamed = await analyzeFile(corpus(name), {
          keepRawBytes: false,
          keepHelloDetails: false,
          messageJson: json,
          stream: {
            start: () => json.reset(),
            session: (s) => {
              messagesKept += s.messages.length;
              written += s.messageJson?.count ?? 0;
              json.add(s);
            },
          },
        });
        expect(messagesKept).toBe(0);
        expect(written).toBe(whole.sessions.reduce((n, s) => n + s.messages.length, 0));
        expect(textOf(json.documentChunks(streamed.displayName, streamed))).toBe(expected);
        expect(reusedBufferText(json, streamed)).toBe(expected);
        expect(reusedBufferText(json, streamed)).toBe(expected);
      });
    }

    it(`is the same text when shards of the connections are analyzed apart and merged: ${name}`, async () => {
      const whole = await analyzeFile(corpus(name), { keepRawBytes: false });
      const expected = [...contractDocumentJsonChunks(whole.displayName, whole, whole.sessions)].join('');
      for (const count of [2, 3]) {
        const shards: ShardSessionsJson[] = [];
        let file = whole;
        for (let index = 0; index < count; index++) {
          const json = new ShardSessionsJson();
          file = await analyzeFile(corpus(name), {
            keepRawBytes: false,
            shard: { index, count },
            stream: { start: () => json.reset(), session: (s) => json.add(s) },
            // Messages written as they come in one of the two shard counts (the CLI's way), kept in the other.
            ...(count === 3 ? { messageJson: json } : {}),
          });
          shards.push(json);
        }
        const merged = mergeShardedSessions(whole.displayName, file, shards.map((j) => ({ ...j, chunks: j.chunks() })));
        expect(textOf(merged)).toBe(expected);
      }
    });
  }

  it('splits the connections of a capture between shards (each shard gets some)', async () => {
    const counts = [];
    for (let index = 0; index < 2; index++) {
      const json = new ShardSessionsJson();
      await analyzeFile(corpus('firefox.pcap'), {
        keepRawBytes: false,
        shard: { index, count: 2 },
        stream: { start: () => json.reset(), session: (s) => json.add(s) },
      });
      counts.push(json.firstFrames.length);
    }
    const whole = await analyzeFile(corpus('firefox.pcap'));
    expect(counts[0]! + counts[1]!).toBe(whole.sessions.length);
    expect(Math.min(...counts)).toBeGreaterThan(0);
  });

  it('writes sessions by hand exactly as the contract would (the fast path is in use)', async () => {
    const { sessions } = await analyzeFile(corpus('firefox.pcap'), { keepRawBytes: false });
    expect(sessions.length).toBeGreaterThan(5);
    sessions.forEach((s, i) => expect(sessionWrittenByHandMatchesContract(s, i)).toBe(true));
  });

  it("copies a session's hello facts from an earlier session's text only when every value is the same", async () => {
    const file = await analyzeFile(corpus('firefox.pcap'), { keepRawBytes: false });
    const base = file.sessions.find((s) => s.ja3 !== null && s.ja3s !== null && s.alpnOffered.length > 1)!;
    expect(base).toBeDefined();
    // The same text in a new string object: equal values need not be the same objects.
    const copy = (t: string): string => [...t].join('');
    const variants: Partial<Session>[] = [
      { sni: 'other.example' },
      { sni: null },
      { sni: 'caf\u00e9 "quoted" \\ name' },
      { sni: copy(base.sni!) },
      { alpnOffered: [] },
      { alpnOffered: [...base.alpnOffered].reverse() },
      { alpnOffered: [...base.alpnOffered, 'h3'] },
      { alpnOffered: base.alpnOffered.map(copy) },
      { alpn: 'h2' },
      { version: 771 },
      { version: null },
      { cipherSuite: 49199 },
      { cipherSuite: null },
      { cipherSuiteName: 'TLS_OTHER' },
      { resumed: !base.resumed },
      { ja3: `${base.ja3!}-1` },
      { ja3: copy(base.ja3!) },
      { ja3Hash: null },
      { ja3s: `${base.ja3s!},0` },
      { ja3sHash: 'ffffffffffffffffffffffffffffffff' },
      { ja4: null },
      { ja4: copy(base.ja4!) },
    ];
    // Each variant between copies of the base, more of them than the writer keeps texts for.
    const sessions: Session[] = [base];
    for (const v of variants) sessions.push({ ...base, ...v }, { ...base }, { ...base, ...v });
    const expected = stringifyDocument(toContractDocument(file.displayName, file, sessions));
    expect(textOf(contractDocumentJsonChunks(file.displayName, file, sessions))).toBe(expected);
  });

  it('keeps every handshake message whole by default, and no raw bytes when asked not to', async () => {
    const kept = await analyzeFile(corpus('dump_mtu300.pcap'));
    const lean = await analyzeFile(corpus('dump_mtu300.pcap'), { keepRawBytes: false });
    const handshakes = kept.sessions.flatMap((s) => s.messages).filter((m) => m.type === 'certificate' || m.type === 'client_hello');
    expect(handshakes.length).toBeGreaterThan(0);
    for (const m of handshakes) {
      expect(m.raw.length).toBe(4 + m.length);
      // The header is the message's own: type byte, then the uint24 length.
      expect((m.raw[1]! << 16) | (m.raw[2]! << 8) | m.raw[3]!).toBe(m.length);
    }
    // A certificate spanning several 300-byte segments names each of their frames.
    expect(handshakes.some((m) => m.frames.length > 1)).toBe(true);
    for (const m of lean.sessions.flatMap((s) => s.messages)) expect(m.raw.length).toBe(0);
  });

  it('keeps copies, not views of the file chunks it read', async () => {
    const kept = await analyzeFile(corpus('client-certificate.pcap'));
    const raws = kept.sessions.flatMap((s) => s.messages).map((m) => m.raw);
    expect(raws.length).toBeGreaterThan(0);
    for (const raw of raws) expect(raw.buffer.byteLength).toBe(raw.byteLength);
  });
});
