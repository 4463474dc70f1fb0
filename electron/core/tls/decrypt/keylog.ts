/**
 * TLS secrets from an NSS key log (the SSLKEYLOGFILE format written by
 * browsers, curl and `openssl s_client -keylogfile`, and carried in pcapng
 * Decryption Secrets Blocks of type TLS_KEY_LOG):
 *
 *   # comment
 *   CLIENT_RANDOM <64 hex: ClientHello.random> <96 hex: TLS 1.2 master secret>
 *   CLIENT_HANDSHAKE_TRAFFIC_SECRET <client random> <hex secret>   (TLS 1.3, and the other labels below)
 *
 * Everything is keyed by the client random, the one value both the capture
 * and the key log know. Secrets are key material: they never appear in a
 * warning, an error or `toString()`; warnings name the line number only.
 */
import { toHex } from '../../bytes/hex';

export const KEY_LOG_LABELS = [
  'CLIENT_RANDOM',
  'CLIENT_EARLY_TRAFFIC_SECRET',
  'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
  'SERVER_HANDSHAKE_TRAFFIC_SECRET',
  'CLIENT_TRAFFIC_SECRET_0',
  'SERVER_TRAFFIC_SECRET_0',
  'EXPORTER_SECRET',
  'EARLY_EXPORTER_SECRET',
] as const;

export type KeyLogLabel = (typeof KEY_LOG_LABELS)[number];

/** The secrets known for one connection (one client random); CLIENT_RANDOM is the TLS 1.2 master secret. */
export type ConnectionSecrets = Readonly<Partial<Record<KeyLogLabel, Uint8Array>>>;

const LABELS = new Set<string>(KEY_LOG_LABELS);
/** Warnings kept per parse: a garbage file must not become a megabyte of warnings. */
const MAX_WARNINGS = 20;
const HEX_PATTERN = /^[0-9a-fA-F]*$/;

export class KeyLog {
  private readonly byClientRandom = new Map<string, Partial<Record<KeyLogLabel, Uint8Array>>>();
  private changes = 0;
  /**
   * Secrets keep arriving for connections the analysis has already seen: a
   * live proxy's TLS stacks log them during their handshakes, after the
   * ClientHello (TLS 1.3: with the ServerHello; TLS 1.2: with the key
   * exchange) but before the records they unlock. A connection then looks its
   * secrets up when it needs them (each key change) rather than once at its
   * ClientHello. A file's key log is not live: DSBs met mid-file are handled
   * by decoding again (see index.ts, step 5).
   */
  readonly live: boolean;

  constructor(options: { live?: boolean } = {}) {
    this.live = options.live ?? false;
  }

  /** Number of connections (client randoms) with at least one secret. */
  get size(): number {
    return this.byClientRandom.size;
  }

  /** Grows whenever a secret is added or replaced: a consumer that decoded with an older generation re-decodes. */
  get generation(): number {
    return this.changes;
  }

  /** Secrets for the connection whose ClientHello.random is `clientRandom` (bytes or hex). */
  get(clientRandom: Uint8Array | string): ConnectionSecrets | undefined {
    const key = typeof clientRandom === 'string' ? clientRandom.toLowerCase() : toHex(clientRandom);
    return this.byClientRandom.get(key);
  }

  /** Adds (or replaces) one secret; returns true when that changed the log. */
  add(label: KeyLogLabel, clientRandom: Uint8Array | string, secret: Uint8Array): boolean {
    const key = typeof clientRandom === 'string' ? clientRandom.toLowerCase() : toHex(clientRandom);
    let entry = this.byClientRandom.get(key);
    if (!entry) {
      entry = {};
      this.byClientRandom.set(key, entry);
    }
    const old = entry[label];
    if (old && equalBytes(old, secret)) return false;
    entry[label] = secret.slice();
    this.changes++;
    return true;
  }

  /** Adds every secret of `other`; returns how many were new or changed. */
  merge(other: KeyLog): number {
    let added = 0;
    for (const [clientRandom, secrets] of other.byClientRandom) {
      for (const label of KEY_LOG_LABELS) {
        const secret = secrets[label];
        if (secret && this.add(label, clientRandom, secret)) added++;
      }
    }
    return added;
  }

  /** The log as NSS key log text (one line a secret, LF line ends), e.g. to save or to inject as a DSB. */
  toKeyLogText(): string {
    const lines: string[] = [];
    for (const [clientRandom, secrets] of this.byClientRandom) {
      for (const label of KEY_LOG_LABELS) {
        const secret = secrets[label];
        if (secret) lines.push(`${label} ${clientRandom} ${toHex(secret)}`);
      }
    }
    return lines.length ? lines.join('\n') + '\n' : '';
  }

  /** Never the secrets: a KeyLog that reaches a log line shows only its size. */
  toString(): string {
    return `KeyLog(${this.byClientRandom.size} connections)`;
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

export interface KeyLogParseResult {
  keyLog: KeyLog;
  /** Lines that gave a secret. */
  accepted: number;
  /** Non-blank, non-comment lines that did not (malformed, unknown label, unsupported). */
  skipped: number;
  /** "line 12: malformed" style notes, at most MAX_WARNINGS (plus one "... more" line); never line contents. */
  warnings: string[];
}

/**
 * Parses key log text; every line is independent, so garbage lines are
 * counted and skipped rather than failing the file. `into` lets a caller
 * merge a file into the log it already has.
 */
export function parseKeyLog(text: string, into: KeyLog = new KeyLog()): KeyLogParseResult {
  let accepted = 0;
  let skipped = 0;
  const warnings: string[] = [];
  const warn = (line: number, what: string): void => {
    skipped++;
    if (warnings.length < MAX_WARNINGS) warnings.push(`line ${line}: ${what}`);
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const label = fields[0]!;
    if (!LABELS.has(label)) {
      warn(i + 1, label === 'RSA' ? 'RSA pre-master secret lines are not supported' : 'unknown label');
      continue;
    }
    if (fields.length !== 3) {
      warn(i + 1, 'malformed (expected: LABEL CLIENT_RANDOM SECRET)');
      continue;
    }
    const clientRandom = fields[1]!;
    const secretHex = fields[2]!;
    if (clientRandom.length !== 64 || !HEX_PATTERN.test(clientRandom)) {
      warn(i + 1, 'malformed client random (expected 64 hex digits)');
      continue;
    }
    if (!validSecretLength(label as KeyLogLabel, secretHex.length) || !HEX_PATTERN.test(secretHex)) {
      warn(i + 1, 'malformed secret');
      continue;
    }
    into.add(label as KeyLogLabel, clientRandom, hexToBytes(secretHex));
    accepted++;
  }
  if (skipped > warnings.length) warnings.push(`... ${skipped - warnings.length} more lines skipped`);
  return { keyLog: into, accepted, skipped, warnings };
}

/** Key log bytes (a file, a pcapng DSB) as UTF-8 text; invalid UTF-8 only spoils its own lines. */
export function parseKeyLogBytes(data: Uint8Array, into?: KeyLog): KeyLogParseResult {
  return parseKeyLog(new TextDecoder('utf-8', { fatal: false }).decode(data), into);
}

/**
 * Whether the start of a file (a few KiB) reads as a key log rather than a
 * capture: text whose first line that is no comment or blank begins with a
 * key log label. Lets a dropped file be routed to "open" or "load key log".
 */
export function looksLikeKeyLog(head: Uint8Array): boolean {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const label = line.split(/\s/, 1)[0]!;
    return LABELS.has(label);
  }
  return false;
}

/** TLS 1.2 master secrets are 48 bytes; TLS 1.3 secrets are Hash.length (32 or 48; 64 allows SHA-512 suites). */
function validSecretLength(label: KeyLogLabel, hexLength: number): boolean {
  if (label === 'CLIENT_RANDOM') return hexLength === 96;
  return hexLength === 64 || hexLength === 96 || hexLength === 128;
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
