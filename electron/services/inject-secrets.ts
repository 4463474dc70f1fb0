/**
 * A copy of a capture with TLS secrets inside, as `editcap --inject-secrets
 * tls,KEYS IN OUT` makes it: a pcapng file whose first block after the
 * Section Header is a Decryption Secrets Block holding the key log file's
 * bytes as they are, then the interfaces and packets of the input (pcap is
 * converted; the DSBs a pcapng input already carries stay where they were).
 * Wireshark, tshark and `tlswb analyze` then decrypt it without a key log.
 *
 * Written beside the target and renamed into place, so a failure never leaves
 * half a file under the chosen name. Errors name files, never key material.
 */
import { open } from 'node:fs/promises';
import { SecretsType } from '../core/capture/pcapng-block-types';
import { parseKeyLogBytes } from '../core/tls/decrypt/keylog';
import { KEY_LOG_FILE_LIMIT, readKeyLogFile } from './keylog-file';
import { copyCaptureToPcapng, PcapngCopyOpenError } from './pcapng-copy';

/** One line for the user; `kind` says whose fault. */
export class InjectSecretsError extends Error {
  override readonly name = 'InjectSecretsError';
  constructor(readonly kind: 'keylog' | 'output', message: string) {
    super(message);
  }
}

export interface InjectSecretsResult {
  packets: number;
  /** Secrets (key log lines) the injected block carries. */
  secrets: number;
  bytesWritten: number;
}

/**
 * Rejects with InjectSecretsError (key file, output) or CaptureFileError
 * (capture-file.ts: the input is no capture).
 */
export async function injectSecrets(capturePath: string, keyLogPath: string, targetPath: string): Promise<InjectSecretsResult> {
  const keyBytes = await readKeyLogBytes(keyLogPath);
  const secrets = parseKeyLogBytes(keyBytes).accepted;
  if (secrets === 0) throw new InjectSecretsError('keylog', `key log ${keyLogPath}: holds no TLS secrets`);
  try {
    const copied = await copyCaptureToPcapng(capturePath, targetPath, { secretsType: SecretsType.TLS_KEY_LOG, data: keyBytes });
    return { packets: copied.packets, secrets, bytesWritten: copied.bytesWritten };
  } catch (err) {
    if (err instanceof PcapngCopyOpenError) throw new InjectSecretsError('output', `${err.message}: ${ioReason(err.cause)}`);
    throw err;
  }
}

/** The key log file's bytes as they are (bounded); its problems are named by path only. */
async function readKeyLogBytes(path: string): Promise<Uint8Array> {
  // readKeyLogFile gives the one-line errors (no such file, not a file, too large, ...).
  const checked = await readKeyLogFile(path);
  if (!checked.ok) throw new InjectSecretsError('keylog', checked.error.message);
  let handle;
  try {
    handle = await open(path, 'r');
    const info = await handle.stat();
    if (info.size > KEY_LOG_FILE_LIMIT) throw new InjectSecretsError('keylog', `key log ${path}: exceeds the ${KEY_LOG_FILE_LIMIT}-byte limit`);
    const buffer = new Uint8Array(info.size);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } catch (err) {
    if (err instanceof InjectSecretsError) throw err;
    throw new InjectSecretsError('keylog', `key log ${path}: cannot be read`);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function ioReason(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  if (code === 'ENOENT') return 'no such folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return code || 'write error';
}
