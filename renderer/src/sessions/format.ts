/** How session facts read in the UI. */
import type { Endpoint } from '../../../electron/api/contract';

const VERSION_NAMES: Record<number, string> = {
  0x0002: 'SSL 2.0',
  0x0300: 'SSL 3.0',
  0x0301: 'TLS 1.0',
  0x0302: 'TLS 1.1',
  0x0303: 'TLS 1.2',
  0x0304: 'TLS 1.3',
  0xfeff: 'DTLS 1.0',
  0xfefd: 'DTLS 1.2',
  0xfefc: 'DTLS 1.3',
};

export function versionName(version: number | null): string {
  if (version === null) return '';
  const known = VERSION_NAMES[version];
  if (known) return known;
  if (version >> 8 === 0x7f) return `TLS 1.3 draft ${version & 0xff}`;
  return `0x${version.toString(16).padStart(4, '0')}`;
}

export function endpointText(e: Endpoint): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** "850 µs", "12.3 ms", "1.52 s", "2 min 3 s". */
export function durationText(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 0.001) return `${Math.round(seconds * 1e6)} µs`;
  if (seconds < 1) return `${(seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1)} ms`;
  if (seconds < 60) return `${seconds.toFixed(2)} s`;
  const min = Math.floor(seconds / 60);
  return `${min} min ${Math.round(seconds - min * 60)} s`;
}

/** Compare addresses numerically where they are IPv4 (so 10.0.0.9 < 10.0.0.10). */
export function endpointSortKey(e: Endpoint): string {
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(e.ip);
  const ip = v4 ? v4.slice(1).map((o) => o.padStart(3, '0')).join('.') : `~${e.ip}`;
  return `${ip}:${String(e.port).padStart(5, '0')}`;
}
