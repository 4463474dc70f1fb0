/**
 * The `tlswb.analysis/1` document as JSON text, written straight from the
 * sessions: the same text as `JSON.stringify` of `toContractDocument` (one
 * session a line), without building the document's objects first. A capture
 * of 20,000 handshakes has some 300,000 messages: building a contract object
 * for each, then stringifying it, cost more than decoding them.
 *
 * Keys and their order follow contract-json.ts; a test checks the two agree.
 */
import { nsToSeconds } from '../capture/packet';
import { toContractCertificate, toContractDocument, toContractSession, type FileDamage } from './contract-json';
import type { CertificateInfo, Session, TlsMessage } from './model';

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
  // The document as the contract builds it with no sessions, split where they go.
  const empty = JSON.stringify(toContractDocument(name, file, []));
  const at = empty.indexOf(SESSIONS_KEY) + SESSIONS_KEY.length;
  yield empty.slice(0, at);
  const w = new SessionJsonWriter();
  for (let i = 0; i < sessions.length; i++) yield (i ? ',\n' : '\n') + w.session(sessions[i]!, i);
  yield `\n${empty.slice(at)}\n`;
}

/** Message lengths below this have their text remembered. */
const LENGTH_TEXTS = 1 << 16;

/** Only the document's own keys precede it: the file name is a JSON string, its quotes escaped. */
const SESSIONS_KEY = '"sessions":[';
/**
 * Whether the fast, hand-written form of `s` is exactly the contract's (for
 * the test that keeps the two in step); sessions with a proxy or tunnel are
 * never written by hand.
 */
export function sessionWrittenByHandMatchesContract(s: Session, id = 0): boolean {
  const w = new SessionJsonWriter();
  return s.proxy === null && s.tunnel === undefined && w.sessionByHand(s, id, '', '[]', '[]') === genericHead(s, id);
}

const NO_MESSAGES: TlsMessage[] = [];
const NO_CERTIFICATES: CertificateInfo[] = [];

/** Writes sessions one at a time, remembering what repeats across them (certificates, timestamps, names). */
class SessionJsonWriter {
  /** A certificate chain is usually the same object in many sessions (x509's cache): written once. */
  private readonly certificateText = new WeakMap<CertificateInfo, string>();
  /** Message type, side and alert names: a handful of strings, quoted once each. */
  private readonly quoted = new Map<string, string>();
  private lastFrame = -1;
  private lastTimeNs = -1n;
  private lastFrameAndTime = '';
  private readonly lengthText = new Array<string | undefined>(LENGTH_TEXTS);

  /**
   * Whether `sessionByHand` writes what the contract says, checked on the first
   * session it could write: if contract-json.ts gains a key, every session goes
   * the generic way until this writer learns it (and the test says so).
   */
  private byHandAgrees: boolean | null = null;

  /** `id` is the index in the document's list, whatever id the session had while live. */
  session(s: Session, id: number): string {
    const messages = this.messages(s.messages);
    // Proxy and tunnel sessions are rare: the generic way writes them.
    if (s.proxy === null && s.tunnel === undefined) {
      this.byHandAgrees ??= this.sessionByHand(s, id, '', '[]', '[]') === genericHead(s, id);
      if (this.byHandAgrees) {
        return this.sessionByHand(s, id, messages, this.certificates(s.certificates), this.certificates(s.clientCertificates));
      }
    }
    // Inside JSON string values every quote is escaped, so the first `"messages":[]` is the key.
    return genericHead(s, id)
      .replace('"messages":[]', () => `"messages":[${messages}]`)
      .replace('"certificates":[]', () => `"certificates":${this.certificates(s.certificates)}`)
      .replace('"clientCertificates":[]', () => `"clientCertificates":${this.certificates(s.clientCertificates)}`);
  }

  /** The keys of `toContractSession` for a session without proxy or tunnel, in its order. */
  sessionByHand(s: Session, id: number, messages: string, certificates: string, clientCertificates: string): string {
    return (
      `{"id":${id},"client":{"ip":${JSON.stringify(s.client.ip)},"port":${num(s.client.port)}}` +
      `,"server":{"ip":${JSON.stringify(s.server.ip)},"port":${num(s.server.port)}}` +
      `,"startTime":${num(nsToSeconds(s.startTimeNs))},"proxy":null` +
      `,"sni":${strOrNull(s.sni)},"alpnOffered":${JSON.stringify(s.alpnOffered)},"alpn":${strOrNull(s.alpn)}` +
      `,"version":${numOrNull(s.version)},"cipherSuite":${numOrNull(s.cipherSuite)},"cipherSuiteName":${strOrNull(s.cipherSuiteName)}` +
      `,"resumed":${s.resumed ? 'true' : 'false'}` +
      `,"ja3":${strOrNull(s.ja3)},"ja3Hash":${strOrNull(s.ja3Hash)},"ja3s":${strOrNull(s.ja3s)},"ja3sHash":${strOrNull(s.ja3sHash)}` +
      `,"ja4":${strOrNull(s.ja4)},"messages":[${messages}],"certificates":${certificates},"clientCertificates":${clientCertificates}` +
      `,"warnings":${JSON.stringify(s.warnings)}}`
    );
  }

  private messages(list: readonly TlsMessage[]): string {
    let out = '';
    for (let i = 0; i < list.length; i++) {
      if (i) out += ',';
      out += this.message(list[i]!);
    }
    return out;
  }

  private message(m: TlsMessage): string {
    let out = `{"type":${this.quote(m.type)},"from":${this.quote(m.from)}${this.frameAndTime(m.frame, m.timeNs)},"length":${this.length(m.length)}`;
    if (m.type === 'alert') {
      out += `,"level":${m.level == null ? 'null' : this.quote(m.level)}`;
      out += `,"description":${m.description == null ? 'null' : this.quote(m.description)}`;
    }
    if (m.decrypted) out += ',"decrypted":true';
    return `${out}}`;
  }

  /** `,"frame":F,"time":T`: the messages of one packet share it (several records a segment): written once. */
  private frameAndTime(frame: number, ns: bigint): string {
    if (frame !== this.lastFrame || ns !== this.lastTimeNs) {
      this.lastFrame = frame;
      this.lastTimeNs = ns;
      this.lastFrameAndTime = `,"frame":${num(frame)},"time":${num(nsToSeconds(ns))}`;
    }
    return this.lastFrameAndTime;
  }

  /** Lengths repeat (the same records in every handshake): their text is kept for those below 2^16. */
  private length(n: number): string {
    if (n >= 0 && n < LENGTH_TEXTS && Number.isInteger(n)) {
      let text = this.lengthText[n];
      if (text === undefined) {
        text = String(n);
        this.lengthText[n] = text;
      }
      return text;
    }
    return num(n);
  }

  private quote(text: string): string {
    let q = this.quoted.get(text);
    if (q === undefined) {
      q = JSON.stringify(text);
      if (this.quoted.size < 4096) this.quoted.set(text, q);
    }
    return q;
  }

  private certificates(list: readonly CertificateInfo[]): string {
    let out = '[';
    for (let i = 0; i < list.length; i++) {
      if (i) out += ',';
      out += this.certificate(list[i]!);
    }
    return `${out}]`;
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

/** The session as `toContractSession` makes it, with empty lists, as JSON. */
function genericHead(s: Session, id: number): string {
  const bare = { ...s, messages: NO_MESSAGES, certificates: NO_CERTIFICATES, clientCertificates: NO_CERTIFICATES };
  return JSON.stringify({ ...toContractSession(bare), id });
}

function strOrNull(text: string | null): string {
  return text === null ? 'null' : JSON.stringify(text);
}

function numOrNull(n: number | null): string {
  return n === null ? 'null' : num(n);
}

/** A number as JSON.stringify writes it (non-finite: null). */
function num(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}
