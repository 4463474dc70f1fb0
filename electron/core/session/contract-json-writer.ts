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

/** Only the document's own keys precede it: the file name is a JSON string, its quotes escaped. */
const SESSIONS_KEY = '"sessions":[';
const NO_MESSAGES: TlsMessage[] = [];
const NO_CERTIFICATES: CertificateInfo[] = [];

/** Writes sessions one at a time, remembering what repeats across them (certificates, timestamps, names). */
class SessionJsonWriter {
  /** A certificate chain is usually the same object in many sessions (x509's cache): written once. */
  private readonly certificateText = new WeakMap<CertificateInfo, string>();
  /** Message type, side and alert names: a handful of strings, quoted once each. */
  private readonly quoted = new Map<string, string>();
  private lastTimeNs = -1n;
  private lastTimeText = '';

  /**
   * `id` is the index in the document's list, whatever id the session had while
   * live. The session's own keys come from `toContractSession` (so they follow
   * the contract as it grows); only its lists are written here.
   */
  session(s: Session, id: number): string {
    const bare = { ...s, messages: NO_MESSAGES, certificates: NO_CERTIFICATES, clientCertificates: NO_CERTIFICATES };
    const head = JSON.stringify({ ...toContractSession(bare), id });
    let messages = '';
    const list = s.messages;
    for (let i = 0; i < list.length; i++) {
      if (i) messages += ',';
      messages += this.message(list[i]!);
    }
    // Inside JSON string values every quote is escaped, so the first `"messages":[]` is the key.
    return head
      .replace('"messages":[]', () => `"messages":[${messages}]`)
      .replace('"certificates":[]', () => `"certificates":${this.certificates(s.certificates)}`)
      .replace('"clientCertificates":[]', () => `"clientCertificates":${this.certificates(s.clientCertificates)}`);
  }

  private message(m: TlsMessage): string {
    let out = `{"type":${this.quote(m.type)},"from":${this.quote(m.from)},"frame":${num(m.frame)},"time":${this.time(m.timeNs)},"length":${num(m.length)}`;
    if (m.type === 'alert') {
      out += `,"level":${m.level == null ? 'null' : this.quote(m.level)}`;
      out += `,"description":${m.description == null ? 'null' : this.quote(m.description)}`;
    }
    if (m.decrypted) out += ',"decrypted":true';
    return `${out}}`;
  }

  /** Messages of one packet share its timestamp: convert it once. */
  private time(ns: bigint): string {
    if (ns !== this.lastTimeNs) {
      this.lastTimeNs = ns;
      this.lastTimeText = num(nsToSeconds(ns));
    }
    return this.lastTimeText;
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

/** A number as JSON.stringify writes it (non-finite: null). */
function num(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}
