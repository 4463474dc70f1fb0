/**
 * The "Replay…" form's options (already shape-checked by zod) turned into
 * `runReplay` options: the same parsing as `tlswb replay`'s flags, so a form
 * field accepts what the CLI accepts, and a value neither can use fails the
 * command with `invalid-arguments` and a sentence saying which field.
 */
import type { ClientHelloEdits } from '../core/tls/client-hello-encoder';
import { cipherSuiteName } from '../core/tls/registries';
import { parseProxyUrl, type ConnectTarget, type UpstreamProxy } from '../services/proxy/upstream-connector';
import { parseAuthority } from '../services/replay/replay-session';
import type { ReplayRequest } from './compare-contract';
import { ApiError } from './contract';

export interface ReplayRequestOptions {
  to: ConnectTarget | null;
  /** undefined: as recorded (through the recorded proxy, if any); null: direct. */
  proxy: UpstreamProxy | null | undefined;
  edits: ClientHelloEdits;
  timeoutMs: number;
  connectTimeoutMs: number;
}

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

function invalid(message: string): ApiError {
  return new ApiError('invalid-arguments', `replaySession: ${message}`);
}

export function toReplayOptions(request: ReplayRequest): ReplayRequestOptions {
  let to: ConnectTarget | null = null;
  if (request.to !== undefined) {
    to = parseAuthority(request.to);
    if (!to) throw invalid(`"to" must be host:port, not "${request.to.slice(0, 80)}"`);
  }
  let proxy: UpstreamProxy | null | undefined;
  if (request.proxy !== undefined) {
    proxy = request.proxy === '' ? null : parseProxyUrl(request.proxy);
    if (proxy === null && request.proxy !== '') throw invalid(`"proxy" must be http://host:port, not "${request.proxy.slice(0, 80)}"`);
  }
  const edits: ClientHelloEdits = {};
  if (request.sni !== undefined) edits.sni = request.sni;
  if (request.dropCiphers?.length) {
    edits.dropCiphers = request.dropCiphers.map((x) => {
      const id = parseCipherSuite(x);
      if (id === null) throw invalid(`not a cipher suite: ${x.slice(0, 80)}`);
      return id;
    });
  }
  if (request.onlyVersion !== undefined) edits.onlyVersion = request.onlyVersion;
  if (request.alpn !== undefined) edits.alpn = [...request.alpn];
  const timeoutMs = (request.timeoutSeconds ?? 10) * 1000;
  return { to, proxy, edits, timeoutMs, connectTimeoutMs: Math.min(timeoutMs, 5000) };
}
