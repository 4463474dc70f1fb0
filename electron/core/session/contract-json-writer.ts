/**
 * The `tlswb.analysis/1` document as JSON text, written straight from the
 * sessions: the same text as `JSON.stringify` of `toContractDocument` (one
 * session a line), without building the document's objects first. A capture
 * of 20,000 handshakes has some 300,000 messages: building a contract object
 * for each, then stringifying it, cost more than decoding them. The text goes
 * straight into UTF-8 bytes (json-text-bytes.ts): no string per value.
 *
 * Keys and their order follow contract-json.ts; a test checks the two agree.
 */
import { nsToSeconds } from '../capture/packet';
import {
  NEXT_SECOND,
  gridIndexOfNanoseconds,
  isGridSecond,
  lowWordOf,
  writeGridFraction,
  writeSecondsInteger,
  writeSecondsText,
} from './seconds-text';
import { JsonTextBytes, asciiBytes } from '../bytes/json-text-bytes';
import { concatBytes } from '../bytes/concat-bytes';
import { toContractCertificate, toContractDocument, toContractSession, type FileDamage } from './contract-json';
import type { CertificateInfo, Session, SessionMessageJson, TlsMessage } from './model';
import type { MessageJsonSink } from './analyzer';
import { TicketSign } from './session-facts';
import { HeldMessageRecords, MessageRecords, RECORD_INTS } from './message-records';

export interface ContractFileFacts {
  packets: number;
  linkTypes: number[];
  damaged: FileDamage | null;
}

/**
 * The document in pieces: the head, then one piece per session, then the
 * tail, so that a large capture never becomes one huge string.
 */
export function* contractDocumentJsonChunks(
  name: string,
  file: ContractFileFacts,
  sessions: readonly Session[],
): Generator<string> {
  const [head, tail] = documentHeadAndTail(name, file);
  yield head;
  const w = new SessionJsonWriter();
  const out = new JsonTextBytes(1 << 16);
  for (let i = 0; i < sessions.length; i++) {
    out.clear();
    w.session(out, sessions[i]!, i);
    yield (i ? ',\n' : '\n') + out.toString();
  }
  yield tail;
}

/** The document's text before its first session and after its last. */
function documentHeadAndTail(name: string, file: ContractFileFacts): [string, string] {
  // The document as the contract builds it with no sessions, split where they go.
  const empty = JSON.stringify(toContractDocument(name, file, []));
  const at = empty.indexOf(SESSIONS_KEY) + SESSIONS_KEY.length;
  return [empty.slice(0, at), `\n${empty.slice(at)}\n`];
}

/**
 * The same document, written while the analysis runs: each session as soon
 * as the analyzer hands it over (`AnalyzerOptions.onSessionFinal`, in
 * document order), so the session objects die young instead of all living
 * until the end. The file's facts, which the document puts first, are known
 * only at the end, so the sessions are held until then, compactly: their
 * messages as numbers (message-records.ts), the texts they share with other
 * sessions (hello facts, certificates) by reference, the rest as UTF-8. The
 * text is made at the end (`documentPieces`), into one buffer used again and
 * again.
 */
export class StreamedContractJson implements MessageJsonSink {
  private readonly writer = new SessionJsonWriter();
  private readonly held = new HeldSessions();
  private count = 0;
  private readonly free: SessionMessageJson[] = [];
  /** Without `compactMessages`: each session's messages as text, copied into the held text. */
  private readonly texts: PooledMessageTexts | null;

  /**
   * `compactMessages`: hold the sessions as described above (for
   * `documentPieces`). Without it, the held text is the document's, made as
   * the sessions come (for `documentChunks`, whose pieces are each a buffer
   * of its own anyway: the text is then not made once more at the end).
   */
  constructor(options: { compactMessages?: boolean } = {}) {
    this.texts = options.compactMessages ? null : new PooledMessageTexts(this.writer);
  }

  /** Sessions added so far. */
  get sessions(): number {
    return this.count;
  }

  /** Forget every session added (the file is being read again). */
  reset(): void {
    this.held.clear();
    this.count = 0;
  }

  /** The next session of the document. */
  add(s: Session): void {
    const out = this.held.text;
    out.ascii(this.count ? ',\n' : '\n');
    if (this.texts !== null) {
      this.writer.session(out, s, this.count);
      this.count++;
      this.texts.release(s);
      return;
    }
    this.writer.deferred = this.held;
    this.writer.session(out, s, this.count);
    this.writer.deferred = null;
    this.count++;
    this.release(s);
  }

  /** `MessageJsonSink`: a session's messages recorded as they come, held with it. */
  open(): SessionMessageJson {
    if (this.texts !== null) return this.texts.open();
    return (
      this.free.pop() ?? {
        text: UNUSED_TEXT,
        count: 0,
        ticketSign: TicketSign.NoServerHello,
        closed: false,
        records: new MessageRecords(),
      }
    );
  }

  message(j: SessionMessageJson, m: TlsMessage): void {
    if (this.texts !== null) {
      this.texts.message(j, m);
      return;
    }
    j.count++;
    this.writer.record(j.records!, m);
  }

  /** `s` was held (its records copied): its records are free for another session. */
  private release(s: Session): void {
    const j = s.messageJson;
    if (j === undefined) return;
    s.messageJson = undefined;
    const r = j.records!;
    if (r.ints.length > POOLED_RECORD_INTS_LIMIT || this.free.length >= POOLED_MESSAGE_TEXTS) return;
    r.clear();
    j.count = 0;
    j.ticketSign = TicketSign.NoServerHello;
    j.closed = false;
    this.free.push(j);
  }

  /** The whole document: its head (with the file's facts), the sessions added, its tail; each piece a buffer of its own. */
  *documentChunks(name: string, file: ContractFileFacts): Generator<string | Uint8Array> {
    const [head, tail] = documentHeadAndTail(name, file);
    yield head;
    if (this.texts !== null) yield* this.held.text.chunks();
    // Never given out before the end: every piece in a buffer of its own.
    else yield* this.held.write(new JsonTextBytes(), this.writer, Infinity);
    yield tail;
  }

  /**
   * The whole document, as `documentChunks`, but its sessions' text written
   * into one buffer of about `bytes`, again and again: each piece is valid only
   * until the next is asked for (the caller writes it out first).
   */
  *documentPieces(name: string, file: ContractFileFacts, bytes = REUSED_OUTPUT_BYTES): Generator<string | Uint8Array> {
    const [head, tail] = documentHeadAndTail(name, file);
    yield head;
    // Twice the room: a buffer is given out once it holds `bytes`, so a session rarely needs a new one.
    const out = new JsonTextBytes(bytes * 2);
    yield* this.held.write(out, this.writer, bytes);
    yield tail;
  }
}

/**
 * What `StreamedContractJson` holds of the final sessions: their text with
 * holes, and what goes into each hole (a piece of text shared with other
 * sessions, or a session's message records).
 */
class HeldSessions {
  readonly text = new JsonTextBytes();
  private readonly records = new HeldMessageRecords();
  /** Per hole: its place in `text`, then its records' block (-1: a shared piece), their offset, their count. */
  private holes: number[] = [];
  private pieces: (Uint8Array | null)[] = [];
  private readonly at = { block: 0, start: 0 };

  clear(): void {
    this.text.clear();
    this.records.clear();
    this.holes = [];
    this.pieces = [];
  }

  /** `bytes` (text other sessions share, which lives on anyway) goes here. */
  piece(bytes: Uint8Array): void {
    this.holes.push(this.text.length, -1, 0, 0);
    this.pieces.push(bytes);
  }

  /** `r`'s messages go here. */
  messages(r: MessageRecords): void {
    this.records.add(r, this.at);
    this.holes.push(this.text.length, this.at.block, this.at.start, r.count);
    this.pieces.push(null);
  }

  /** The held sessions' text into `out`, given out (then rewound) whenever it holds `flushAt` bytes. */
  *write(out: JsonTextBytes, writer: SessionJsonWriter, flushAt: number): Generator<Uint8Array> {
    const reader = new ChunkRangeReader(this.text.chunks());
    const holes = this.holes;
    const blocks = this.records.blocks;
    const texts = this.records.texts;
    let pos = 0;
    for (let h = 0, k = 0; h < holes.length; h += 4, k++) {
      const at = holes[h]!;
      reader.copy(out, pos, at);
      pos = at;
      const block = holes[h + 1]!;
      if (block < 0) out.bytes(this.pieces[k]!);
      else writer.renderRecords(out, blocks[block]!, holes[h + 2]!, holes[h + 3]!, texts);
      if (out.length >= flushAt) {
        yield* out.chunks();
        out.rewind();
      }
    }
    reader.copy(out, pos, this.text.length);
    yield* out.chunks();
    out.rewind();
  }
}

/**
 * One shard's sessions (see `AnalyzerOptions.shard`), to be merged with the
 * other shards' into one document by `mergeShardedSessions`: each session's
 * text without its opening `{"id":N` (the id is its index in the merged
 * list), where it is in the text, and its connection's first frame (the
 * document's order).
 */
export class ShardSessionsJson implements MessageJsonSink {
  private readonly writer = new SessionJsonWriter();
  private readonly out = new JsonTextBytes();
  private readonly texts = new PooledMessageTexts(this.writer);
  firstFrames: number[] = [];
  /** Byte offsets of each session's text in `chunks()`. */
  starts: number[] = [];
  ends: number[] = [];

  reset(): void {
    this.out.clear();
    this.firstFrames = [];
    this.starts = [];
    this.ends = [];
  }

  add(s: Session): void {
    const start = this.out.length;
    this.writer.session(this.out, s, 0);
    this.firstFrames.push(s.firstFrame);
    this.starts.push(start + ID_ZERO.length);
    this.ends.push(this.out.length);
    this.texts.release(s);
  }

  /** `MessageJsonSink`, as `StreamedContractJson`'s. */
  open(): SessionMessageJson {
    return this.texts.open();
  }

  message(j: SessionMessageJson, m: TlsMessage): void {
    this.texts.message(j, m);
  }

  chunks(): Uint8Array[] {
    return this.out.chunks();
  }
}

/**
 * The message texts of a streaming writer (`MessageJsonSink`): each open
 * session's, written as its messages come, and given back once the session
 * is written, for the next sessions (as many as were ever open at once).
 */
class PooledMessageTexts {
  private readonly free: SessionMessageJson[] = [];

  constructor(private readonly writer: SessionJsonWriter) {}

  open(): SessionMessageJson {
    return (
      this.free.pop() ?? {
        text: new JsonTextBytes(MESSAGE_TEXT_BYTES),
        count: 0,
        ticketSign: TicketSign.NoServerHello,
        closed: false,
        records: null,
      }
    );
  }

  message(j: SessionMessageJson, m: TlsMessage): void {
    if (j.count++ !== 0) j.text.byte(COMMA);
    this.writer.message(j.text, m);
  }

  /** `s` was written (its message text with it): the text is free for another session. */
  release(s: Session): void {
    const j = s.messageJson;
    if (j === undefined) return;
    s.messageJson = undefined;
    if (j.text.length > POOLED_MESSAGE_TEXT_LIMIT || this.free.length >= POOLED_MESSAGE_TEXTS) return;
    j.text.rewind();
    j.count = 0;
    j.ticketSign = TicketSign.NoServerHello;
    j.closed = false;
    this.free.push(j);
  }
}

/** How every session's text begins when written with id 0 (both ways of writing it). */
const ID_ZERO = '{"id":0';

/** What `ShardSessionsJson` gives, possibly after a trip to another thread. */
export interface ShardSessions {
  firstFrames: readonly number[];
  starts: readonly number[];
  ends: readonly number[];
  chunks: readonly Uint8Array[];
}

/**
 * The document from the sessions of every shard, merged in document order
 * (connection's first frame): the same text as one analyzer's.
 */
export function* mergeShardedSessions(
  name: string,
  file: ContractFileFacts,
  shards: readonly ShardSessions[],
): Generator<string | Uint8Array> {
  const [head, tail] = documentHeadAndTail(name, file);
  yield head;
  const out = new JsonTextBytes();
  const next = shards.map(() => 0);
  const readers = shards.map((sh) => new ChunkRangeReader(sh.chunks));
  for (let id = 0; ; id++) {
    let pick = -1;
    let best = Infinity;
    for (let k = 0; k < shards.length; k++) {
      const f = shards[k]!.firstFrames[next[k]!];
      if (f !== undefined && f < best) {
        best = f;
        pick = k;
      }
    }
    if (pick < 0) break;
    const i = next[pick]!++;
    out.ascii(id ? ',\n{"id":' : '\n{"id":');
    out.number(id);
    readers[pick]!.copy(out, shards[pick]!.starts[i]!, shards[pick]!.ends[i]!);
  }
  yield* out.chunks();
  yield tail;
}

/** Copies byte ranges, in increasing order, out of a list of chunks. */
class ChunkRangeReader {
  private chunk = 0;
  /** Offset of `chunks[chunk]` in the whole. */
  private chunkStart = 0;

  constructor(private readonly chunks: readonly Uint8Array[]) {}

  copy(out: JsonTextBytes, start: number, end: number): void {
    let at = start;
    while (at < end) {
      let c = this.chunks[this.chunk]!;
      while (at >= this.chunkStart + c.length) {
        this.chunkStart += c.length;
        c = this.chunks[++this.chunk]!;
      }
      const from = at - this.chunkStart;
      const to = Math.min(end - this.chunkStart, c.length);
      out.bytes(c.subarray(from, to));
      at = this.chunkStart + to;
    }
  }
}

/** Only the document's own keys precede it: the file name is a JSON string, its quotes escaped. */
const SESSIONS_KEY = '"sessions":[';

/**
 * Whether the fast, hand-written form of `s` is exactly the contract's (for
 * the test that keeps the two in step); sessions with a proxy or tunnel are
 * never written by hand.
 */
export function sessionWrittenByHandMatchesContract(s: Session, id = 0): boolean {
  return s.proxy === null && s.tunnel === undefined && handWrittenHead(s, id) === genericHead(s, id);
}

const NO_MESSAGES: TlsMessage[] = [];
/** A session's message text starts with this much room (the bench capture's sessions: ~1.5 KB of messages). */
const MESSAGE_TEXT_BYTES = 4096;
/** Message texts pooled: at most this many, each no longer than this (an unusually long session's text is let go). */
const POOLED_MESSAGE_TEXTS = 1024;
const POOLED_MESSAGE_TEXT_LIMIT = 64 * 1024;
/** Records pooled only when no larger than this (a session of some 800 messages). */
const POOLED_RECORD_INTS_LIMIT = 4096;
/** The text a session with message records has instead (never written). */
const UNUSED_TEXT = new JsonTextBytes(0);
/** The buffer `documentPieces` writes sessions into gives its text out at this length. */
const REUSED_OUTPUT_BYTES = 1 << 20;
/** Shared texts at least this long are held by reference (`HeldSessions.piece`); shorter ones copied. */
const HELD_PIECE_MIN_BYTES = 64;
const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const TIME_KEY = asciiBytes(',"time":');
const LENGTH_KEY = asciiBytes(',"length":');
/** The digits of a second that `isGridSecond`. */
const SECONDS_DIGITS = 10;
const NO_CERTIFICATES: CertificateInfo[] = [];
/** Hello facts' texts a writer keeps (`helloFacts`), and how long one may be (ja3 of a long hello: ~1 KB). */
const HELLO_FACTS_KEPT = 8;
const HELLO_FACTS_TEXT_LIMIT = 8192;
/** Distinct strings whose bytes a writer keeps (a few hundred bytes each at most, mostly far fewer). */
const STRING_CACHE_LIMIT = 4096;

/** Writes sessions one at a time, remembering what repeats across them (certificates, timestamps, names). */
class SessionJsonWriter {
  /** While a session goes into `deferred.text`: what it shares with others, and its message records, go in as holes. */
  deferred: HeldSessions | null = null;
  /** Each message head's index (`record`): `heads[i]` its text. */
  private readonly heads: Uint8Array[] = [];
  private readonly clientHeadIds = new Map<string, number>();
  private readonly serverHeadIds = new Map<string, number>();
  /** What follows a message's length (`tailId`); index 0 is nothing. */
  private readonly tails: Uint8Array[] = [new Uint8Array(0)];
  private readonly tailIds = new Map<string, number>([['', 0]]);
  /** The last tail `tailId` gave, and what it was for. */
  private lastTailLevel: string | null | undefined = undefined;
  private lastTailDescription: string | null | undefined = undefined;
  private lastTailDecrypted = false;
  private lastTailId = 0;
  /** The seconds of recorded times: a record names one by its index. */
  private readonly seconds: number[] = [];
  /** The index in `seconds` of `secondNumber` (-1: not yet in it). */
  private secondId = -1;
  /** What `renderRecords` last wrote into `renderTimeText`, as second index and nanoseconds (-1: nothing). */
  private renderSecondId = -1;
  private renderNanoseconds = -1;
  private renderPrefixSecond = -1;
  private readonly renderTimeText = new Uint8Array(TIME_KEY.length + 32 + LENGTH_KEY.length);
  private renderTimeTextLength = 0;
  /** A message written as text for `record` (alerts and the like). */
  private readonly recordScratch = new JsonTextBytes(HELLO_FACTS_TEXT_LIMIT);
  /** A certificate chain is usually the same object in many sessions (x509's cache): written once. */
  private readonly certificateText = new WeakMap<CertificateInfo, string>();
  private readonly certificateUtf8 = new WeakMap<CertificateInfo, Uint8Array>();
  /** `{"type":T,"from":F,"frame":` of each message type and side, as UTF-8: a handful of texts. */
  private readonly clientHeads = new Map<string, Uint8Array>();
  private readonly serverHeads = new Map<string, Uint8Array>();
  private readonly encoder = new TextEncoder();
  private secondStartNs = 1n;
  private secondEndNs = 0n;
  private secondNumber = 0;
  /** The low 32 bits of `secondStartNs`. */
  private secondStartLow = 0;
  private lastTimeNs = -1n;
  /** Whether times in this second are written from their grid index (seconds-text.ts `isGridSecond`). */
  private secondIsGrid = false;
  /** The second whose digits follow `,"time":` in `timeText` (-1: none). */
  private prefixSecond = -1;
  /** `,"time":T,"length":` of `lastTimeNs`, as ASCII: the first `timeTextLength` bytes. */
  private readonly timeText = new Uint8Array(TIME_KEY.length + 32 + LENGTH_KEY.length);
  private timeTextLength = 0;

  /**
   * Whether `sessionByHand` writes what the contract says, checked on the first
   * session it could write: if contract-json.ts gains a key, every session goes
   * the generic way until this writer learns it (and the test says so).
   */
  private byHandAgrees: boolean | null = null;

  /**
   * Session-level strings as JSON text in UTF-8 (fingerprints, their hashes,
   * cipher suite names, SNI, ALPN ids): the same few strings, mostly the same
   * string objects, in thousands of sessions. Bounded: cleared when full.
   */
  private readonly stringUtf8 = new Map<string, Uint8Array>();
  /** Texts of `helloFacts` lately written, at most HELLO_FACTS_KEPT, replaced in turn. */
  private readonly helloFactsKept: HelloFactsText[] = [];
  private helloFactsNext = 0;
  private readonly helloFactsScratch = new JsonTextBytes(HELLO_FACTS_TEXT_LIMIT);

  /** A session's start time as text (a number's text is at most 25 characters). */
  private readonly secondsText = new Uint8Array(32);

  /** `out.number(nsToSeconds(ns))`'s text, without making a string or (mostly) a double (seconds-text.ts). */
  timeSeconds(out: JsonTextBytes, ns: bigint): void {
    const b = this.secondsText;
    const m = this.gridIndex(ns);
    const p = m >= 0 ? writeGridFraction(b, writeSecondsInteger(b, 0, this.secondNumber), m) : writeSecondsText(b, 0, this.secondsOf(ns));
    out.shortBytes(b, p);
  }

  /**
   * `helloFacts` of `s`: most sessions of a capture repeat one of a few (one
   * client's hello, one server's answer; the bench capture: 6 in 20,000), so
   * the text of a recent session with the same values is copied whole.
   */
  helloFacts(out: JsonTextBytes, s: Session): void {
    const kept = this.helloFactsKept;
    for (let i = 0; i < kept.length; i++) {
      const k = kept[i]!;
      if (k.matches(s)) {
        this.shared(out, k.bytes);
        return;
      }
    }
    const scratch = this.helloFactsScratch;
    scratch.rewind();
    helloFacts(scratch, s, this);
    const chunks = scratch.chunks();
    if (chunks.length !== 1) {
      // Longer than any cached text may be (long lists of ALPN ids or a long SNI): written as it is.
      scratch.copyTo(out);
      return;
    }
    const text = new HelloFactsText(s, chunks[0]!.slice());
    if (kept.length < HELLO_FACTS_KEPT) kept.push(text);
    else {
      kept[this.helloFactsNext] = text;
      this.helloFactsNext = (this.helloFactsNext + 1) % HELLO_FACTS_KEPT;
    }
    this.shared(out, text.bytes);
  }

  /** Text that lives on unchanged (a cache's): held by reference when the session is being held. */
  private shared(out: JsonTextBytes, bytes: Uint8Array): void {
    const d = this.deferred;
    if (d !== null && out === d.text && bytes.length >= HELD_PIECE_MIN_BYTES) d.piece(bytes);
    else out.bytes(bytes);
  }

  /** `text` as `out.stringOrNull` writes it, copied from its cached bytes. */
  stringOrNull(out: JsonTextBytes, text: string | null): void {
    if (text === null) {
      out.ascii('null');
      return;
    }
    let bytes = this.stringUtf8.get(text);
    if (bytes === undefined) {
      bytes = this.encoder.encode(JSON.stringify(text));
      if (this.stringUtf8.size >= STRING_CACHE_LIMIT) this.stringUtf8.clear();
      this.stringUtf8.set(text, bytes);
    }
    out.bytes(bytes);
  }

  /** A list of strings, as `out.strings` writes it. */
  strings(out: JsonTextBytes, list: readonly string[]): void {
    out.byte(OPEN_BRACKET);
    for (let i = 0; i < list.length; i++) {
      if (i) out.byte(COMMA);
      this.stringOrNull(out, list[i]!);
    }
    out.byte(CLOSE_BRACKET);
  }

  /** `id` is the index in the document's list, whatever id the session had while live. */
  session(out: JsonTextBytes, s: Session, id: number): void {
    // Proxy and tunnel sessions are rare: the generic way writes them.
    if (s.proxy === null && s.tunnel === undefined) {
      this.byHandAgrees ??= handWrittenHead(s, id) === genericHead(s, id);
      if (this.byHandAgrees) {
        sessionByHand(out, s, id, this);
        return;
      }
    }
    const lists = new JsonTextBytes(1 << 12);
    this.sessionMessages(lists, s);
    const messages = lists.toString();
    // Inside JSON string values every quote is escaped, so the first `"messages":[]` is the key.
    out.text(
      genericHead(s, id)
        .replace('"messages":[]', () => `"messages":[${messages}]`)
        .replace('"certificates":[]', () => `"certificates":${this.certificatesText(s.certificates)}`)
        .replace('"clientCertificates":[]', () => `"clientCertificates":${this.certificatesText(s.clientCertificates)}`),
    );
  }

  /** The session's messages: the text written as they came (`messageJson`), then those kept as objects. */
  sessionMessages(out: JsonTextBytes, s: Session): void {
    const j = s.messageJson;
    let first = true;
    const r = j?.records;
    if (r != null) {
      if (r.count !== 0) {
        const d = this.deferred;
        if (d !== null && out === d.text) d.messages(r);
        else this.renderRecords(out, r.ints, 0, r.count, r.texts);
        first = false;
      }
    } else if (j !== undefined && j.count !== 0) {
      j.text.copyTo(out);
      first = false;
    }
    const list = s.messages;
    for (let i = 0; i < list.length; i++) {
      if (!first) out.byte(COMMA);
      first = false;
      this.message(out, list[i]!);
    }
  }

  /** One message's contract JSON. */
  message(out: JsonTextBytes, m: TlsMessage): void {
    out.bytes(this.messageHead(m));
    if (m.timeNs !== this.lastTimeNs) this.setTimeText(m.timeNs);
    out.number(m.frame);
    out.bytesPrefix(this.timeText, this.timeTextLength);
    out.number(m.length);
    writeMessageTail(out, m);
    out.byte(CLOSE_BRACE);
  }

  /**
   * `m` as numbers (message-records.ts), for `renderRecords` to write later as
   * `message` would now. Alerts, decrypted messages and times before 1970
   * (rare) are kept as their text.
   */
  record(r: MessageRecords, m: TlsMessage): void {
    const ns = m.timeNs;
    const frame = m.frame;
    const length = m.length;
    const head = this.headId(m);
    const tail = m.type === 'alert' || m.decrypted ? this.tailId(m) : 0;
    if (ns < 0n || head >= MAX_HEADS || tail >= MAX_TAILS || !isInt32(frame) || !isInt32(length)) {
      const t = this.recordScratch;
      t.rewind();
      this.message(t, m);
      r.pushText(t.chunks()[0]!.slice());
      return;
    }
    if (!(ns >= this.secondStartNs && ns < this.secondEndNs)) this.enterSecond(ns);
    if (this.secondId < 0) {
      this.secondId = this.seconds.length;
      this.seconds.push(this.secondNumber);
    }
    r.push(head | (tail << HEAD_BITS), frame, length, this.secondId, (lowWordOf(ns) - this.secondStartLow) >>> 0);
  }

  /** `count` records of `ints` from `start` (`texts`: those kept as text), as `message` writes each, comma-separated. */
  renderRecords(out: JsonTextBytes, ints: Int32Array, start: number, count: number, texts: readonly Uint8Array[]): void {
    const heads = this.heads;
    for (let i = 0, at = start; i < count; i++, at += RECORD_INTS) {
      if (i !== 0) out.byte(COMMA);
      const code = ints[at]!;
      if (code < 0) {
        out.bytes(texts[-1 - code]!);
        continue;
      }
      out.bytes(heads[code & HEAD_MASK]!);
      out.number(ints[at + 1]!);
      const second = ints[at + 3]!;
      const ns = ints[at + 4]!;
      if (second !== this.renderSecondId || ns !== this.renderNanoseconds) this.setRenderTimeText(second, ns);
      out.bytesPrefix(this.renderTimeText, this.renderTimeTextLength);
      out.number(ints[at + 2]!);
      if (code > HEAD_MASK) out.bytes(this.tails[code >>> HEAD_BITS]!);
      out.byte(CLOSE_BRACE);
    }
  }

  /**
   * The index in `tails` of what `message` writes of `m` after its length
   * (an alert's level and description, `decrypted`): a handful of texts.
   */
  private tailId(m: TlsMessage): number {
    const level = m.type === 'alert' ? (m.level ?? null) : undefined;
    const description = m.type === 'alert' ? (m.description ?? null) : undefined;
    const decrypted = m.decrypted === true;
    // Mostly the same alert again (close_notify, or an encrypted one): no key made.
    if (level === this.lastTailLevel && description === this.lastTailDescription && decrypted === this.lastTailDecrypted) return this.lastTailId;
    const id = this.newTailId(m);
    this.lastTailLevel = level;
    this.lastTailDescription = description;
    this.lastTailDecrypted = decrypted;
    this.lastTailId = id;
    return id;
  }

  private newTailId(m: TlsMessage): number {
    const key = `${m.type === 'alert' ? JSON.stringify([m.level ?? null, m.description ?? null]) : ''}${m.decrypted ? '+' : ''}`;
    let id = this.tailIds.get(key);
    if (id === undefined) {
      if (this.tails.length >= MAX_TAILS) return MAX_TAILS;
      const t = new JsonTextBytes(256);
      writeMessageTail(t, m);
      id = this.tails.length;
      this.tails.push(concatBytes(...t.chunks()));
      this.tailIds.set(key, id);
    }
    return id;
  }

  /** `setTimeText` for second `seconds[secondId]` and `ns` nanoseconds into it: the same text, from the same arithmetic. */
  private setRenderTimeText(secondId: number, ns: number): void {
    this.renderSecondId = secondId;
    this.renderNanoseconds = ns;
    const second = this.seconds[secondId]!;
    const m = isGridSecond(second) ? gridIndexOfNanoseconds(ns) : NEXT_SECOND;
    if (m !== NEXT_SECOND) {
      this.renderTimeTextLength = writeGridTimeText(this.renderTimeText, this.renderPrefixSecond, second, m);
      this.renderPrefixSecond = second;
    } else {
      this.renderPrefixSecond = -1;
      this.renderTimeTextLength = writeAnyTimeText(this.renderTimeText, second + ns / 1e9);
    }
  }

  /** The index of `m`'s head in `heads`. */
  private headId(m: TlsMessage): number {
    const ids = m.from === 'client' ? this.clientHeadIds : this.serverHeadIds;
    let id = ids.get(m.type);
    if (id === undefined) {
      id = this.heads.length;
      this.heads.push(this.messageHead(m));
      ids.set(m.type, id);
    }
    return id;
  }

  /**
   * The messages of one packet (several records a segment) share their time:
   * its text, with the keys around it, is made once: its second's digits,
   * kept from the last time, then its fraction's from the nanoseconds, with
   * no double made (seconds-text.ts says why it is the same text).
   */
  private setTimeText(ns: bigint): void {
    this.lastTimeNs = ns;
    const m = this.gridIndex(ns);
    if (m >= 0) {
      this.timeTextLength = writeGridTimeText(this.timeText, this.prefixSecond, this.secondNumber, m);
      this.prefixSecond = this.secondNumber;
    } else {
      this.prefixSecond = -1;
      this.timeTextLength = writeAnyTimeText(this.timeText, this.secondsOf(ns));
    }
  }

  /**
   * `ns` as the second `secondNumber` (entered if need be) and m (see
   * seconds-text.ts), or -1 when the time is outside the seconds those
   * cover (`secondsOf` then) or rounds up to the next second.
   */
  private gridIndex(ns: bigint): number {
    if (!(ns >= this.secondStartNs && ns < this.secondEndNs)) {
      if (ns < 0n) return -1;
      this.enterSecond(ns);
    }
    if (!this.secondIsGrid) return -1;
    // ns - secondStartNs is below 1e9 < 2^32: the difference of the low words, without a bigint.
    const m = gridIndexOfNanoseconds((lowWordOf(ns) - this.secondStartLow) >>> 0);
    return m === NEXT_SECOND ? -1 : m;
  }

  /** `nsToSeconds(ns)`, the same arithmetic, with the whole second remembered (`gridIndex` entered it when ns >= 0). */
  private secondsOf(ns: bigint): number {
    if (!(ns >= this.secondStartNs && ns < this.secondEndNs)) return nsToSeconds(ns);
    return this.secondNumber + ((lowWordOf(ns) - this.secondStartLow) >>> 0) / 1e9;
  }

  private messageHead(m: TlsMessage): Uint8Array {
    const heads = m.from === 'client' ? this.clientHeads : this.serverHeads;
    let head = heads.get(m.type);
    if (head === undefined) {
      head = this.encoder.encode(`{"type":${JSON.stringify(m.type)},"from":${JSON.stringify(m.from)},"frame":`);
      if (heads.size < 4096) heads.set(m.type, head);
    }
    return head;
  }

  /**
   * The second `ns` (>= 0) falls in, remembered: consecutive messages mostly
   * fall in the same second, which then costs no bigint division. A time is
   * then `nsToSeconds(ns)`'s arithmetic: secondNumber + fraction / 1e9.
   */
  private enterSecond(ns: bigint): void {
    const s = ns / 1_000_000_000n;
    this.secondStartNs = s * 1_000_000_000n;
    this.secondEndNs = this.secondStartNs + 1_000_000_000n;
    this.secondNumber = Number(s);
    this.secondStartLow = lowWordOf(this.secondStartNs);
    this.secondIsGrid = isGridSecond(this.secondNumber);
    const last = this.seconds.length - 1;
    this.secondId = last >= 0 && this.seconds[last] === this.secondNumber ? last : -1;
  }

  certificates(out: JsonTextBytes, list: readonly CertificateInfo[]): void {
    if (list.length === 0) {
      out.ascii('[]');
      return;
    }
    out.byte(OPEN_BRACKET);
    for (let i = 0; i < list.length; i++) {
      if (i) out.byte(COMMA);
      this.shared(out, this.certificateBytes(list[i]!));
    }
    out.byte(CLOSE_BRACKET);
  }

  /** A certificate's JSON as UTF-8, made once per certificate object (a chain repeats across sessions). */
  private certificateBytes(c: CertificateInfo): Uint8Array {
    let bytes = this.certificateUtf8.get(c);
    if (bytes === undefined) {
      bytes = this.encoder.encode(this.certificate(c));
      this.certificateUtf8.set(c, bytes);
    }
    return bytes;
  }

  private certificatesText(list: readonly CertificateInfo[]): string {
    let text = '[';
    for (let i = 0; i < list.length; i++) {
      if (i) text += ',';
      text += this.certificate(list[i]!);
    }
    return `${text}]`;
  }

  private certificate(c: CertificateInfo): string {
    let text = this.certificateText.get(c);
    if (text === undefined) {
      text = JSON.stringify(toContractCertificate(c));
      this.certificateText.set(c, text);
    }
    return text;
  }
}

/** The values `helloFacts` writes, and the text it wrote for them. */
class HelloFactsText {
  private readonly sni: string | null;
  private readonly alpnOffered: readonly string[];
  private readonly alpn: string | null;
  private readonly version: number | null;
  private readonly cipherSuite: number | null;
  private readonly cipherSuiteName: string | null;
  private readonly resumed: boolean;
  private readonly ja3: string | null;
  private readonly ja3Hash: string | null;
  private readonly ja3s: string | null;
  private readonly ja3sHash: string | null;
  private readonly ja4: string | null;

  constructor(
    s: Session,
    readonly bytes: Uint8Array,
  ) {
    this.sni = s.sni;
    this.alpnOffered = s.alpnOffered.slice();
    this.alpn = s.alpn;
    this.version = s.version;
    this.cipherSuite = s.cipherSuite;
    this.cipherSuiteName = s.cipherSuiteName;
    this.resumed = s.resumed;
    this.ja3 = s.ja3;
    this.ja3Hash = s.ja3Hash;
    this.ja3s = s.ja3s;
    this.ja3sHash = s.ja3sHash;
    this.ja4 = s.ja4;
  }

  /** Whether `s` has the same values (equal strings that are not the same object compare by content). */
  matches(s: Session): boolean {
    if (
      s.ja3 !== this.ja3 ||
      s.ja3s !== this.ja3s ||
      s.ja4 !== this.ja4 ||
      s.sni !== this.sni ||
      s.alpn !== this.alpn ||
      s.version !== this.version ||
      s.cipherSuite !== this.cipherSuite ||
      s.resumed !== this.resumed ||
      s.cipherSuiteName !== this.cipherSuiteName ||
      s.ja3Hash !== this.ja3Hash ||
      s.ja3sHash !== this.ja3sHash
    ) {
      return false;
    }
    const a = s.alpnOffered;
    const b = this.alpnOffered;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
}

/**
 * The keys of `toContractSession` for a session without proxy or tunnel, in
 * its order; `lists` writes messages and certificates (null: empty lists).
 */
function sessionByHand(out: JsonTextBytes, s: Session, id: number, lists: SessionJsonWriter | null): void {
  out.ascii('{"id":');
  out.number(id);
  out.ascii(',"client":{"ip":');
  out.string(s.client.ip);
  out.ascii(',"port":');
  out.number(s.client.port);
  out.ascii('},"server":{"ip":');
  out.string(s.server.ip);
  out.ascii(',"port":');
  out.number(s.server.port);
  out.ascii('},"startTime":');
  if (lists) lists.timeSeconds(out, s.startTimeNs);
  else secondsAsText(out, nsToSeconds(s.startTimeNs));
  if (lists) lists.helloFacts(out, s);
  else helloFacts(out, s, null);
  out.ascii(',"messages":[');
  if (lists) lists.sessionMessages(out, s);
  out.ascii('],"certificates":');
  if (lists) lists.certificates(out, s.certificates);
  else out.ascii('[]');
  out.ascii(',"clientCertificates":');
  if (lists) lists.certificates(out, s.clientCertificates);
  else out.ascii('[]');
  out.ascii(',"warnings":');
  out.strings(s.warnings);
  out.ascii('}');
}

/**
 * The session's keys from `proxy` (null: sessions written by hand have none)
 * to `ja4`: what its hellos say.
 */
function helloFacts(out: JsonTextBytes, s: Session, lists: SessionJsonWriter | null): void {
  out.ascii(',"proxy":null,"sni":');
  str(out, lists, s.sni);
  out.ascii(',"alpnOffered":');
  if (lists) lists.strings(out, s.alpnOffered);
  else out.strings(s.alpnOffered);
  out.ascii(',"alpn":');
  str(out, lists, s.alpn);
  out.ascii(',"version":');
  numOrNull(out, s.version);
  out.ascii(',"cipherSuite":');
  numOrNull(out, s.cipherSuite);
  out.ascii(',"cipherSuiteName":');
  str(out, lists, s.cipherSuiteName);
  out.ascii(s.resumed ? ',"resumed":true,"ja3":' : ',"resumed":false,"ja3":');
  str(out, lists, s.ja3);
  out.ascii(',"ja3Hash":');
  str(out, lists, s.ja3Hash);
  out.ascii(',"ja3s":');
  str(out, lists, s.ja3s);
  out.ascii(',"ja3sHash":');
  str(out, lists, s.ja3sHash);
  out.ascii(',"ja4":');
  str(out, lists, s.ja4);
}

/** The hand-written form of `s` with empty lists, as text. */
function handWrittenHead(s: Session, id: number): string {
  const out = new JsonTextBytes(1 << 12);
  sessionByHand(out, s, id, null);
  return out.toString();
}

/** The session as `toContractSession` makes it, with empty lists, as JSON. */
function genericHead(s: Session, id: number): string {
  const bare = { ...s, messages: NO_MESSAGES, certificates: NO_CERTIFICATES, clientCertificates: NO_CERTIFICATES };
  return JSON.stringify({ ...toContractSession(bare), id });
}

/** A string of the session: from the writer's cache when there is a writer. */
function str(out: JsonTextBytes, lists: SessionJsonWriter | null, text: string | null): void {
  if (lists) lists.stringOrNull(out, text);
  else out.stringOrNull(text);
}

/**
 * A time in seconds as `out.number` writes it (`String(v)`; seconds-text.ts),
 * not through `out.number`: that is hot with integers only, and one double
 * (the first session's check) would throw its optimized code away.
 */
function secondsAsText(out: JsonTextBytes, v: number): void {
  const text = new Uint8Array(32);
  out.shortBytes(text, writeSecondsText(text, 0, v));
}

function numOrNull(out: JsonTextBytes, n: number | null): void {
  if (n === null) out.ascii('null');
  else out.number(n);
}

/** `bytes` into `b` from `at`; returns the end (a few bytes: a loop costs less than `set`). */
function copyInto(b: Uint8Array, at: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) b[at + i] = bytes[i]!;
  return at + bytes.length;
}

/** A record's first int: its head's index in the low HEAD_BITS, its tail's above (message-records.ts). */
const HEAD_BITS = 12;
const HEAD_MASK = (1 << HEAD_BITS) - 1;
const MAX_HEADS = 1 << HEAD_BITS;
/** Tails a writer names (the rest: messages kept as text); the first int stays positive. */
const MAX_TAILS = 1 << 16;

/** Whether `n` is an integer a record's Int32Array keeps as it is. */
function isInt32(n: number): boolean {
  return (n | 0) === n;
}

/** A message's keys after its length: an alert's level and description, `decrypted` when it was. */
function writeMessageTail(out: JsonTextBytes, m: TlsMessage): void {
  if (m.type === 'alert') {
    out.ascii(',"level":');
    out.stringOrNull(m.level ?? null);
    out.ascii(',"description":');
    out.stringOrNull(m.description ?? null);
  }
  if (m.decrypted) out.ascii(',"decrypted":true');
}

/**
 * `"time":SECONDS.FRACTION,"length":` into `b` for whole second `second` and
 * grid index `m` (seconds-text.ts); the second's digits are already in `b`
 * when `kept` is `second`. Returns the text's length.
 */
function writeGridTimeText(b: Uint8Array, kept: number, second: number, m: number): number {
  if (kept !== second) {
    copyInto(b, 0, TIME_KEY);
    writeSecondsInteger(b, TIME_KEY.length, second);
  }
  return copyInto(b, writeGridFraction(b, TIME_KEY.length + SECONDS_DIGITS, m), LENGTH_KEY);
}

/** The same text for any time in seconds (as `JSON.stringify` writes the double). */
function writeAnyTimeText(b: Uint8Array, seconds: number): number {
  return copyInto(b, writeSecondsText(b, copyInto(b, 0, TIME_KEY), seconds), LENGTH_KEY);
}
