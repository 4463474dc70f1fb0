/**
 * A streaming analysis takes a session as final at the second FIN (when
 * every byte before both FINs has arrived), not after the TCP table's linger:
 * its objects then die young. A peer that sends data past its FIN breaks
 * that bet; the analyzer says so, and analyzeFile reads the file again the
 * lingering way, so the document is always the one a whole analysis gives.
 *
 * The capture is built here: a ClientHello, both FINs, then a server alert
 * at the sequence number of its FIN (data past the FIN, which the
 * reassembly still delivers, as tshark does).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCaptureReader } from '../../../electron/core/capture/capture-reader';
import { SessionAnalyzer } from '../../../electron/core/session/analyzer';
import { StreamedContractJson, contractDocumentJsonChunks } from '../../../electron/core/session/contract-json-writer';
import type { Session } from '../../../electron/core/session/model';
import { analyzeFile } from '../../../electron/services/analyze-file';

const SYN = 0x02;
const FIN = 0x01;
const PSH_ACK = 0x18;
const ACK = 0x10;

/** Ethernet II + IPv4 + TCP (checksums left 0: the engine does not check them). */
function tcpPacket(fromClient: boolean, seq: number, ack: number, flags: number, payload: Uint8Array): Uint8Array {
  const p = new Uint8Array(14 + 20 + 20 + payload.length);
  const v = new DataView(p.buffer);
  v.setUint16(12, 0x0800);
  v.setUint8(14, 0x45);
  v.setUint16(16, 40 + payload.length);
  v.setUint8(22, 64);
  v.setUint8(23, 6);
  const [src, dst] = fromClient ? [0x0a000001, 0x0a000002] : [0x0a000002, 0x0a000001];
  v.setUint32(26, src);
  v.setUint32(30, dst);
  v.setUint16(34, fromClient ? 50000 : 443);
  v.setUint16(36, fromClient ? 443 : 50000);
  v.setUint32(38, seq >>> 0);
  v.setUint32(42, ack >>> 0);
  v.setUint8(46, 5 << 4);
  v.setUint8(47, flags);
  v.setUint16(48, 65535);
  p.set(payload, 54);
  return p;
}

/** A TLS 1.2 ClientHello record: legacy_version, random, no session id, one suite, null compression, no extensions. */
function clientHelloRecord(): Uint8Array {
  const body = [0x03, 0x03, ...new Array<number>(32).fill(7), 0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00];
  const hs = [0x01, 0x00, 0x00, body.length, ...body];
  return new Uint8Array([0x16, 0x03, 0x01, 0x00, hs.length, ...hs]);
}

function captureWithDataPastFin(): Uint8Array {
  const hello = clientHelloRecord();
  const alert = new Uint8Array([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]);
  const none = new Uint8Array(0);
  const packets = [
    tcpPacket(true, 1000, 0, SYN, none),
    tcpPacket(false, 5000, 1001, SYN | ACK, none),
    tcpPacket(true, 1001, 5001, PSH_ACK, hello),
    tcpPacket(false, 5001, 1001 + hello.length, FIN | ACK, none),
    tcpPacket(true, 1001 + hello.length, 5002, FIN | ACK, none),
    tcpPacket(false, 5001, 1002 + hello.length, PSH_ACK, alert),
    tcpPacket(true, 1002 + hello.length, 5002, ACK, none),
  ];
  const parts: Uint8Array[] = [];
  const head = new DataView(new ArrayBuffer(24));
  head.setUint32(0, 0xa1b2c3d4, true);
  head.setUint16(4, 2, true);
  head.setUint16(6, 4, true);
  head.setUint32(16, 65535, true);
  head.setUint32(20, 1, true);
  parts.push(new Uint8Array(head.buffer));
  packets.forEach((p, i) => {
    const rec = new DataView(new ArrayBuffer(16));
    rec.setUint32(0, 1764235363, true);
    rec.setUint32(4, 1000 * i, true);
    rec.setUint32(8, p.length, true);
    rec.setUint32(12, p.length, true);
    parts.push(new Uint8Array(rec.buffer), p);
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function textOf(pieces: Iterable<string | Uint8Array>): string {
  const decoder = new TextDecoder();
  let out = '';
  for (const p of pieces) out += typeof p === 'string' ? p : decoder.decode(p);
  return out;
}

describe('hand-over at the second FIN', () => {
  it('notices data past both FINs, which a session handed over at them missed', () => {
    const run = (handOverAtFin: boolean) => {
      const handed: Session[] = [];
      const analyzer = new SessionAnalyzer({ keepRawBytes: false, handOverAtFin, onSessionFinal: (s) => handed.push(s) });
      const reader = createCaptureReader({ onPacket: (p) => analyzer.push(p) });
      reader.feed(captureWithDataPastFin());
      reader.end();
      analyzer.finish();
      return { analyzer, handed };
    };
    const lingering = run(false);
    const atFin = run(true);
    // The lingering analysis sees the alert past the FIN; the early one handed the session over without it.
    expect(lingering.handed[0]!.messages.map((m) => m.type)).toEqual(['client_hello', 'alert']);
    expect(atFin.handed[0]!.messages.map((m) => m.type)).toEqual(['client_hello']);
    expect(atFin.analyzer.handedOverTooEarly).toBe(true);
    expect(lingering.analyzer.handedOverTooEarly).toBe(false);
  });

  it('gives the whole analysis\'s document all the same (analyzeFile reads the file again)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tlswb-fin-')), 'past-fin.pcap');
    writeFileSync(file, captureWithDataPastFin());
    const whole = await analyzeFile(file, { keepRawBytes: false });
    expect(whole.sessions[0]!.messages.map((m) => m.type)).toEqual(['client_hello', 'alert']);
    const json = new StreamedContractJson();
    let starts = 0;
    const streamed = await analyzeFile(file, {
      keepRawBytes: false,
      stream: { start: () => { starts++; json.reset(); }, session: (s) => json.add(s) },
    });
    expect(starts).toBe(2);
    expect(textOf(json.documentChunks(streamed.displayName, streamed))).toBe(
      [...contractDocumentJsonChunks(whole.displayName, whole, whole.sessions)].join(''),
    );
  });

  it('hands a cleanly closed session over at its FINs, long before the linger ends', () => {
    const at = (handOverAtFin: boolean) => {
      const packets: number[] = [];
      const analyzer = new SessionAnalyzer({ keepRawBytes: false, handOverAtFin, onSessionFinal: () => packets.push(analyzer.packets) });
      const reader = createCaptureReader({ onPacket: (p) => analyzer.push(p) });
      reader.feed(readFileSync(join(import.meta.dirname, '../../fixtures/corpus/tls_alert.pcap')));
      reader.end();
      analyzer.finish();
      expect(analyzer.handedOverTooEarly).toBe(false);
      return packets;
    };
    const early = at(true);
    const late = at(false);
    expect(early).toHaveLength(late.length);
    expect(early[0]!).toBeLessThan(late[0]!);
  });
});
