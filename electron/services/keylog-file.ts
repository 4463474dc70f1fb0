/**
 * Reads an NSS key log file (SSLKEYLOGFILE) from disk into a KeyLog.
 * Errors name the file and what went wrong, never anything it contains:
 * a key log is secret material.
 */
import { open } from 'node:fs/promises';
import { KeyLog, looksLikeKeyLog, parseKeyLogBytes, type KeyLogParseResult } from '../core/tls/decrypt/keylog';

/** Key logs are text of ~170 bytes a connection; 64 MiB is several hundred thousand connections. */
export const KEY_LOG_FILE_LIMIT = 64 * 1024 * 1024;

export type KeyLogFileErrorKind = 'not-found' | 'permission' | 'too-large' | 'not-a-file' | 'read-error';

export interface KeyLogFileError {
  kind: KeyLogFileErrorKind;
  /** One line for the user, naming the file. */
  message: string;
}

export type KeyLogFileResult =
  | ({ ok: true; file: string } & KeyLogParseResult)
  | { ok: false; error: KeyLogFileError };

export interface ReadKeyLogOptions {
  /** Merge into this log (e.g. the one an open capture already uses) instead of a new one. */
  into?: KeyLog;
  /** Size limit in bytes (default KEY_LOG_FILE_LIMIT). */
  maxBytes?: number;
}

export async function readKeyLogFile(path: string, options: ReadKeyLogOptions = {}): Promise<KeyLogFileResult> {
  const limit = options.maxBytes ?? KEY_LOG_FILE_LIMIT;
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    return { ok: false, error: describe(error, path) };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      return { ok: false, error: { kind: 'not-a-file', message: `key log ${path}: not a regular file` } };
    }
    if (info.size > limit) {
      return { ok: false, error: { kind: 'too-large', message: `key log ${path}: ${info.size} bytes exceeds the ${limit}-byte limit` } };
    }
    // Read at most limit + 1 bytes: a file that grows while we read is still bounded.
    const buffer = new Uint8Array(Math.min(info.size, limit) + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > limit) {
      return { ok: false, error: { kind: 'too-large', message: `key log ${path}: exceeds the ${limit}-byte limit` } };
    }
    return { ok: true, file: path, ...parseKeyLogBytes(buffer.subarray(0, filled), options.into) };
  } catch (error) {
    return { ok: false, error: describe(error, path) };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** Node's error codes as kinds; the message keeps only the path, never `error.message` contents beyond the code. */
function describe(error: unknown, path: string): KeyLogFileError {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  if (code === 'ENOENT') return { kind: 'not-found', message: `key log ${path}: no such file` };
  if (code === 'EACCES' || code === 'EPERM') return { kind: 'permission', message: `key log ${path}: permission denied` };
  if (code === 'EISDIR') return { kind: 'not-a-file', message: `key log ${path}: is a directory` };
  return { kind: 'read-error', message: `key log ${path}: cannot be read${code ? ` (${code})` : ''}` };
}

/** How much of a file `isKeyLogFile` reads. */
const SNIFF_BYTES = 4096;

/**
 * Whether `path` is a key log (text starting with key log lines) rather than
 * a capture: what a file dropped on the window should be used as. False when
 * it cannot be read (opening it as a capture then reports why).
 */
export async function isKeyLogFile(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
    const head = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
    return looksLikeKeyLog(head.subarray(0, bytesRead));
  } catch {
    return false;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
