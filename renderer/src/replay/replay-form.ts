/**
 * The "Replay…" form's fields as typed, and the `replaySession` options they
 * mean. Empty fields mean "as recorded"; the SNI and ALPN fields apply only
 * when their box is ticked, so an empty one can remove the extension. The
 * main side parses and checks the values (host:port, proxy URL, cipher
 * names) exactly as `tlswb replay` does.
 */
import type { ReplayRequest } from '../../../electron/api/contract';

export interface ReplayFormFields {
  to: string;
  proxy: string;
  changeSni: boolean;
  sni: string;
  dropCiphers: string;
  onlyVersion: '' | '1.2' | '1.3';
  changeAlpn: boolean;
  alpn: string;
  timeoutSeconds: string;
}

export function emptyReplayForm(sni: string | null, alpn: readonly string[]): ReplayFormFields {
  return { to: '', proxy: '', changeSni: false, sni: sni ?? '', dropCiphers: '', onlyVersion: '', changeAlpn: false, alpn: alpn.join(', '), timeoutSeconds: '10' };
}

const splitList = (text: string): string[] => text.split(',').map((x) => x.trim()).filter(Boolean);

export function toReplayRequest(f: ReplayFormFields): ReplayRequest {
  const request: ReplayRequest = {};
  if (f.to.trim()) request.to = f.to.trim();
  if (f.proxy.trim()) request.proxy = f.proxy.trim();
  if (f.changeSni) request.sni = f.sni.trim();
  const drop = splitList(f.dropCiphers);
  if (drop.length) request.dropCiphers = drop;
  if (f.onlyVersion) request.onlyVersion = f.onlyVersion;
  if (f.changeAlpn) request.alpn = splitList(f.alpn);
  const timeout = Number(f.timeoutSeconds);
  if (f.timeoutSeconds.trim() && Number.isFinite(timeout) && timeout >= 1) request.timeoutSeconds = Math.min(120, timeout);
  return request;
}
