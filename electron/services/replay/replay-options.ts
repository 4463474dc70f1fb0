/**
 * What the user asked of a replay (the `tlswb replay` flags, the "Replay…"
 * form's fields) turned into `runReplay` options: one parser, so a form field
 * accepts exactly what the CLI flag accepts. A value neither can use is a
 * ReplayOptionError naming the field; each front end words the field its way.
 */
import type { ClientHelloEdits } from '../../core/tls/client-hello-encoder';
import { cipherSuiteName } from '../../core/tls/registries';
import { parseProxyUrl, type ConnectTarget, type UpstreamProxy } from '../proxy/upstream-connector';
import { parseAuthority } from './replay-session';

export interface ReplayOptionsInput {
  /** host:port or [v6]:port; default: the recorded server (or CONNECT target). */
  to?: string;
  /** http://[user:pass@]host:port; '' goes direct even when the recording was proxied. */
  proxy?: string;
  /** server_name to send; '' removes it. */
  sni?: string;
  /** 0xc02f, 49199 or an IANA name, one per entry. */
  dropCiphers?: readonly string[];
  onlyVersion?: string;
  /** ALPN protocols to offer; [] removes ALPN. */
  alpn?: readonly string[];
  /** Limit for the whole replay (default 10), checked by the caller. */
  timeoutSeconds?: number;
}

export interface ParsedReplayOptions {
  to: ConnectTarget | null;
  /** undefined: as recorded (through the recorded proxy, if any); null: direct. */
  proxy: UpstreamProxy | null | undefined;
  edits: ClientHelloEdits;
  timeoutMs: number;
  connectTimeoutMs: number;
}

export type ReplayOptionField = 'to' | 'proxy' | 'dropCiphers' | 'onlyVersion';

/** `message` says what is wrong without naming the field (`must be host:port, not "x"`). */
export class ReplayOptionError extends Error {
  override readonly name = 'ReplayOptionError';
  constructor(readonly field: ReplayOptionField, message: string) {
    super(message);
  }
}

/** Values quoted in an error are cut: the message is one readable line. */
const QUOTED_CHARS = 80;

let suitesByName: Map<string, number> | null = null;

/** 0xc02f, 49199 or an IANA name (the table is built once, on first use). */
export function parseCipherSuite(text: string): number | null {
  const t = text.trim();
  if (/^0x[0-9a-f]{1,4}$/i.test(t)) return parseInt(t.slice(2), 16);
  if (/^\d{1,5}$/.test(t)) return Number(t) <= 0xffff ? Number(t) : null;
  if (!suitesByName) {
    suitesByName = new Map();
    for (let id = 0; id <= 0xffff; id++) {
      const name = cipherSuiteName(id);
      if (name) suitesByName.set(name, id);
    }
  }
  return suitesByName.get(t) ?? null;
}

/** Throws ReplayOptionError for a value that cannot be used. */
export function parseReplayOptions(input: ReplayOptionsInput): ParsedReplayOptions {
  let to: ConnectTarget | null = null;
  if (input.to !== undefined) {
    to = parseAuthority(input.to);
    if (!to) throw new ReplayOptionError('to', `must be host:port, not "${input.to.slice(0, QUOTED_CHARS)}"`);
  }
  let proxy: UpstreamProxy | null | undefined;
  if (input.proxy !== undefined) {
    proxy = input.proxy === '' ? null : parseProxyUrl(input.proxy);
    if (proxy === null && input.proxy !== '') {
      throw new ReplayOptionError('proxy', `must be http://host:port, not "${input.proxy.slice(0, QUOTED_CHARS)}"`);
    }
  }
  const edits: ClientHelloEdits = {};
  if (input.sni !== undefined) edits.sni = input.sni;
  if (input.dropCiphers?.length) {
    edits.dropCiphers = input.dropCiphers.map((x) => {
      const id = parseCipherSuite(x);
      if (id === null) throw new ReplayOptionError('dropCiphers', `not a cipher suite: ${x.slice(0, QUOTED_CHARS)}`);
      return id;
    });
  }
  if (input.onlyVersion !== undefined) {
    if (input.onlyVersion !== '1.2' && input.onlyVersion !== '1.3') throw new ReplayOptionError('onlyVersion', 'must be 1.2 or 1.3');
    edits.onlyVersion = input.onlyVersion;
  }
  if (input.alpn !== undefined) edits.alpn = [...input.alpn];
  const timeoutMs = (input.timeoutSeconds ?? 10) * 1000;
  return { to, proxy, edits, timeoutMs, connectTimeoutMs: Math.min(timeoutMs, 5000) };
}
