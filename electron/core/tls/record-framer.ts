import {
  APPLICATION_DATA_HEAD,
  ContentType,
  isRecordHeader,
  isSslv2ClientHelloHeader,
  MAX_RECORD_LENGTH,
  RECORD_HEADER_LENGTH,
} from './record-layer';

/** Shared by every framer until it needs bytes of its own (never written: length 0). */
const NO_BYTES = new Uint8Array(0);

/** Pseudo content type of an SSLv2-format ClientHello record. */
export const SSLV2_CLIENT_HELLO = 0x80;

/**
 * One complete record, handed to the consumer during `push` (refilled for the
 * next: read it during the call only). Its fragment is
 * `source[fragmentStart, fragmentEnd)`; the `fragment` view of it is made
 * only when asked for, so a consumer that only counts a record (application
 * data, ChangeCipherSpec, encrypted records when no raw bytes are kept)
 * costs no view per record.
 */
export class FramedRecord {
  type = 0;
  version = 0;
  /** The record length field (SSLv2: msg_length). */
  length = 0;
  /**
   * Holds the fragment at [fragmentStart, fragmentEnd); for application data
   * only its first 64 bytes (unless `keepWholeApplicationData`); for an SSLv2
   * ClientHello the whole record with its 2-byte header.
   */
  source: Uint8Array = NO_BYTES;
  fragmentStart = 0;
  fragmentEnd = 0;
  private view: Uint8Array | null = null;
  /** Frames that carried the record's bytes (header included), in order: the first `frameCount` entries. */
  frames: number[] = [];
  /** Per entry of `frames`: the fragment offset its bytes end at. */
  fragmentEnds: number[] = [];
  frameCount = 0;
  frame = 0;
  timeNs = 0n;
  /** Bytes of the fragment were lost in a gap (not for application data, whose bytes are not kept). */
  damaged = false;

  /** The fragment as a view (see `source`), made on first need. */
  get fragment(): Uint8Array {
    return (this.view ??= this.source.subarray(this.fragmentStart, this.fragmentEnd));
  }

  /** The fragment's length, without a view. */
  get fragmentLength(): number {
    return this.fragmentEnd - this.fragmentStart;
  }

  /** @internal For the framer: the fragment is `source[start, end)`. */
  setFragment(source: Uint8Array, start: number, end: number): void {
    this.source = source;
    this.fragmentStart = start;
    this.fragmentEnd = end;
    this.view = null;
  }
}

export interface RecordFramerEvents {
  record(r: FramedRecord): void;
  warning(text: string): void;
  /** Record boundaries were lost (gap or non-TLS bytes); anything partial above is void. */
  lostSync(): void;
}

/**
 * The record handed to `record`, refilled for each (every framer's: a record
 * is read during the call, and no framer is pushed to from inside another's
 * call), instead of one per framer that lives as long as its connection.
 */
const current = new FramedRecord();

const enum State {
  Header,
  Body,
  Lost,
}

/**
 * Splits one direction's in-order byte stream into records: records spanning
 * segments, several records per segment, SSLv2 ClientHello as the first
 * record of a stream. Application data is skipped (only its first bytes kept);
 * other fragments are at most 2^14+2048 bytes, so memory is bounded.
 *
 * After non-TLS bytes or a gap the record boundaries are unknown: like tshark,
 * decoding resumes at the next segment that starts with a plausible record header.
 */
export class RecordFramer {
  private state = State.Header;
  private first = true;
  /** A header split across segments (allocated on first need: most connections never split one). */
  private header: Uint8Array | null = null;
  private headerLength = 0;
  private type = 0;
  private version = 0;
  private length = 0;
  private got = 0;
  /** Bodies that span segments are gathered here (grown on first need). */
  private body: Uint8Array = NO_BYTES;
  private damaged = false;
  // Reused between records (no truncation, no reallocation): the first `frameCount` entries count.
  // Room for two to begin with (most records come in one or two frames): an empty list's
  // first write makes room for 17, and a framer lives as long as its connection.
  private readonly frames: number[] = [0, 0];
  private readonly fragmentEnds: number[] = [0, 0];
  private frameCount = 0;
  private skipped = 0;
  /** This record's bytes are all kept (false only for application data that is not kept whole). */
  private keepAll = true;
  /**
   * Keep application data records whole instead of their first 64 bytes: set
   * by a decoder that decrypts them (decryption); read at each record start.
   */
  keepWholeApplicationData = false;

  constructor(
    private readonly events: RecordFramerEvents,
    /** Whether an SSLv2-format ClientHello may open this direction (the client's). */
    private readonly allowSslv2: boolean,
  ) {}

  /**
   * As new, for another connection of the same side (a pooled decoder's
   * renewal): the header and body buffers are kept for its records, so a
   * renewal allocates nothing (a new framer was five objects, 20,000 of them
   * per 20,000 handshakes for the young generation to collect).
   */
  reset(): void {
    this.state = State.Header;
    this.first = true;
    this.type = 0;
    this.version = 0;
    this.length = 0;
    this.skipped = 0;
    this.keepAll = true;
    this.keepWholeApplicationData = false;
    this.resetRecord();
  }

  push(data: Uint8Array, frame: number, timeNs: bigint): void {
    this.pushBytes(data, 0, data.length, frame, timeNs);
  }

  /** The next bytes of the stream, `data[start, end)` (read during the call only: no view is kept or made of them). */
  pushBytes(data: Uint8Array, start: number, end: number, frame: number, timeNs: bigint): void {
    // Offsets below are into `data`: the segment is [start, n).
    const n = end;
    let i = start;
    if (this.state === State.Lost) {
      if (end - start < RECORD_HEADER_LENGTH || !isRecordHeader(data, start)) {
        this.skipped += end - start;
        return;
      }
      this.events.warning(`resynchronised on a record header after skipping ${this.skipped} bytes`);
      this.skipped = 0;
      this.state = State.Header;
    }
    while (i < n) {
      if (this.state === State.Header) {
        // Fast path: a whole header inside this segment.
        let h: Uint8Array;
        let at: number;
        if (this.headerLength === 0 && i + RECORD_HEADER_LENGTH <= n) {
          h = data;
          at = i;
        } else {
          const take = Math.min(RECORD_HEADER_LENGTH - this.headerLength, n - i);
          this.header ??= new Uint8Array(RECORD_HEADER_LENGTH);
          this.header.set(data.subarray(i, i + take), this.headerLength);
          this.headerLength += take;
          if (this.headerLength < RECORD_HEADER_LENGTH) {
            this.noteFrame(frame, 0, true);
            return;
          }
          h = this.header;
          at = 0;
          i -= RECORD_HEADER_LENGTH - take; // `i` now points where the 5 header bytes "started" in this segment's terms
        }
        if (!this.startRecord(h, at, frame)) {
          this.lose(`not a TLS record: header ${hexOf(h, at)}`, n - Math.max(i, start));
          return;
        }
        i += RECORD_HEADER_LENGTH;
        if (this.state === State.Header) {
          // A zero-length record is complete with its header.
          this.complete(frame, timeNs, this.body, 0, 0);
          continue;
        }
        if (this.got === 0 && this.type !== SSLV2_CLIENT_HELLO && n - i >= this.length) {
          // The hot path: the whole body is in this segment. The consumer gets a
          // view of it (copying what it keeps); nothing is buffered.
          const end = i + this.length;
          this.got = this.length;
          this.noteFrame(frame, this.length, false);
          this.state = State.Header;
          const kept = !this.keepAll && this.length > APPLICATION_DATA_HEAD ? i + APPLICATION_DATA_HEAD : end;
          this.complete(frame, timeNs, data, i, kept);
          i = end;
          continue;
        }
        // The body continues in later segments: buffer it (application data: its head only).
        this.ensureBody(this.keepAll ? this.length : APPLICATION_DATA_HEAD);
      }
      // State.Body
      const want = this.length - this.got;
      const take = want < n - i ? want : n - i;
      if (!this.keepAll) {
        if (this.got < APPLICATION_DATA_HEAD) {
          // A short loop, no subarray: this runs once per record on the hot path.
          const keep = Math.min(take, APPLICATION_DATA_HEAD - this.got);
          const body = this.body;
          for (let k = 0, o = this.got; k < keep; k++) body[o + k] = data[i + k]!;
        }
      } else {
        this.body.set(data.subarray(i, i + take), this.got);
      }
      this.got += take;
      i += take;
      this.noteFrame(frame, this.got, false);
      if (this.got === this.length) {
        this.state = State.Header;
        const kept = this.keepAll ? this.length : Math.min(this.length, APPLICATION_DATA_HEAD);
        this.complete(frame, timeNs, this.body, 0, kept);
      }
    }
  }

  /** `missing` bytes of this direction were never seen. */
  gap(missing: number): void {
    if (missing <= 0) return;
    if (this.state === State.Body && missing <= this.length - this.got) {
      // The gap lies inside the current record: its boundary is still known.
      if (this.type !== ContentType.APPLICATION_DATA) {
        this.damaged = true;
        this.body.fill(0, this.got, this.got + missing);
      }
      this.got += missing;
      if (this.type !== ContentType.APPLICATION_DATA) this.events.lostSync();
      if (this.got === this.length) this.finishDamaged();
      return;
    }
    if (this.state === State.Lost) {
      this.skipped += missing;
      return;
    }
    this.lose(`${missing} bytes missing`, missing);
  }

  private finishDamaged(): void {
    // Completed by a gap: nothing to emit but a warning.
    this.events.warning(`record (content type ${this.type}) incomplete: bytes missing in a gap`);
    this.state = State.Header;
    this.resetRecord();
  }

  private lose(why: string, skipped: number): void {
    this.events.warning(`${why}; skipping to the next segment that starts with a record header`);
    this.events.lostSync();
    this.state = State.Lost;
    this.skipped = skipped;
    this.resetRecord();
  }

  private resetRecord(): void {
    this.headerLength = 0;
    this.got = 0;
    this.damaged = false;
    this.frameCount = 0;
  }

  /** Validates a header (TLS, or SSLv2 ClientHello on a fresh client stream) and sets up the record. */
  private startRecord(h: Uint8Array, at: number, frame: number): boolean {
    const first = this.first;
    this.first = false;
    this.noteFrame(frame, 0, true);
    if (isRecordHeader(h, at)) {
      this.type = h[at]!;
      this.keepAll = this.type !== ContentType.APPLICATION_DATA || this.keepWholeApplicationData;
      this.version = (h[at + 1]! << 8) | h[at + 2]!;
      this.length = (h[at + 3]! << 8) | h[at + 4]!;
      this.got = 0;
      this.headerLength = 0;
      // The body buffer is only set up (by `push`) when the body spans segments.
      this.state = this.length === 0 ? State.Header : State.Body;
      return true;
    }
    if (first && this.allowSslv2 && isSslv2ClientHelloHeader(h, at)) {
      // The fragment is the whole SSLv2 record: its 5 bytes read so far included.
      const msgLength = ((h[at]! & 0x7f) << 8) | h[at + 1]!;
      this.type = SSLV2_CLIENT_HELLO;
      this.keepAll = true;
      this.version = (h[at + 3]! << 8) | h[at + 4]!;
      this.length = 2 + msgLength;
      this.ensureBody(this.length);
      this.body.set(h.subarray(at, at + RECORD_HEADER_LENGTH), 0);
      this.got = RECORD_HEADER_LENGTH;
      this.headerLength = 0;
      this.state = State.Body;
      return true;
    }
    return false;
  }

  private ensureBody(n: number): void {
    if (this.body.length < n) this.body = new Uint8Array(Math.max(n, Math.min(this.body.length * 2, MAX_RECORD_LENGTH + 2)));
  }

  private noteFrame(frame: number, end: number, header: boolean): void {
    const k = this.frameCount;
    if (k > 0 && this.frames[k - 1] === frame) {
      if (!header) this.fragmentEnds[k - 1] = end;
      return;
    }
    this.frames[k] = frame;
    this.fragmentEnds[k] = end;
    this.frameCount = k + 1;
  }

  /** The record's bytes (application data: its head) are `source[start, end)`, read during the `record` call only. */
  private complete(frame: number, timeNs: bigint, source: Uint8Array, start: number, end: number): void {
    const r = current;
    r.type = this.type;
    r.version = this.version;
    r.length = this.type === SSLV2_CLIENT_HELLO ? this.length - 2 : this.length;
    r.setFragment(source, start, end);
    r.frames = this.frames;
    r.fragmentEnds = this.fragmentEnds;
    r.frameCount = this.frameCount;
    r.frame = frame;
    r.timeNs = timeNs;
    r.damaged = this.damaged;
    const damaged = this.damaged;
    if (damaged) this.events.warning(`record (content type ${this.type}) damaged by a gap: dropped`);
    else this.events.record(r);
    this.resetRecord();
  }
}

function hexOf(b: Uint8Array, at: number): string {
  let s = '';
  for (let k = 0; k < RECORD_HEADER_LENGTH && at + k < b.length; k++) s += b[at + k]!.toString(16).padStart(2, '0');
  return s;
}
