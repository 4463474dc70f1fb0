/**
 * Where live capture keeps its things: the spool folder (captures as they
 * arrive), the capture-permitted node binary made by `tlswb setup-capture`,
 * and the helper script. Each can be overridden by an environment variable
 * (tests, packaging).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Env = Readonly<Record<string, string | undefined>>;

/** $XDG_DATA_HOME/tlswb, else ~/.local/share/tlswb (TLSWB_DATA_DIR overrides). */
export function tlswbDataDir(env: Env = process.env, home: string = homedir()): string {
  if (env.TLSWB_DATA_DIR) return env.TLSWB_DATA_DIR;
  const xdg = env.XDG_DATA_HOME;
  // The XDG spec: a relative $XDG_DATA_HOME is invalid and must be ignored.
  const base = xdg && xdg.startsWith('/') ? xdg : join(home, '.local', 'share');
  return join(base, 'tlswb');
}

/** The spool folder (TLSWB_SPOOL_DIR overrides). */
export function captureSpoolDir(env: Env = process.env, home?: string): string {
  return env.TLSWB_SPOOL_DIR || join(tlswbDataDir(env, home), 'spool');
}

/** The per-user capture binary `tlswb setup-capture` makes. */
export function userCaptureNodePath(dataDir: string): string {
  return join(dataDir, 'capture-node');
}

/** The system-wide one (the deb's postinst, `setup-capture --system`). */
export const SYSTEM_CAPTURE_NODE = '/usr/lib/tlswb/capture-node';

/**
 * The binary to run the helper with: TLSWB_CAPTURE_NODE; as root, this very
 * node; else the per-user or system capture binary if made; else this node
 * (the helper then reports the missing permission).
 */
export function captureNodeBinary(env: Env = process.env): string {
  if (env.TLSWB_CAPTURE_NODE) return env.TLSWB_CAPTURE_NODE;
  if (process.getuid?.() === 0) return process.execPath;
  for (const candidate of [userCaptureNodePath(tlswbDataDir(env)), SYSTEM_CAPTURE_NODE]) {
    if (existsSync(candidate)) return candidate;
  }
  return process.execPath;
}

/**
 * dist/native/capture-helper.mjs (TLSWB_CAPTURE_HELPER overrides): next to the
 * bundle this code runs in (dist/cli, dist/main), or from the sources' folder.
 */
export function captureHelperScript(env: Env = process.env): string {
  if (env.TLSWB_CAPTURE_HELPER) return env.TLSWB_CAPTURE_HELPER;
  const candidates = [
    new URL('../native/capture-helper.mjs', import.meta.url),
    new URL('../../dist/native/capture-helper.mjs', import.meta.url),
  ].map((u) => fileURLToPath(u));
  return candidates.find((c) => existsSync(c)) ?? candidates[candidates.length - 1]!;
}

/** How the user runs this CLI, for messages that say what to type ("tlswb", or "node /path/bin/tlswb.mjs"). */
export function tlswbCommand(argv: readonly string[] = process.argv): string {
  const script = argv[1] ?? '';
  if (/(^|\/)tlswb$/.test(script) || script === '') return 'tlswb';
  return `${process.execPath} ${script}`;
}
