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
import { open, rename, rm, stat } from 'node:fs/promises';
import type { CaptureInterface } from '../core/capture/capture-handlers';
import { SecretsType } from '../core/capture/pcapng-block-types';
import { parseKeyLogBytes } from '../core/tls/decrypt/keylog';
import { readCaptureFile } from './capture-file';
import { KEY_LOG_FILE_LIMIT, readKeyLogFile } from './keylog-file';
import { PcapngFileWriter } from './pcapng-file-writer';

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

/** shb_userappl of the files we write. */
const USER_APPL = 'TLS Workbench';

/**
 * Rejects with InjectSecretsError (key file, output) or CaptureFileError
 * (capture-file.ts: the input is no capture).
 */
export async function injectSecrets(capturePath: string, keyLogPath: string, targetPath: string): Promise<InjectSecretsResult> {
  const keyBytes = await readKeyLogBytes(keyLogPath);
  const secrets = parseKeyLogBytes(keyBytes).accepted;
  if (secrets === 0) throw new InjectSecretsError('keylog', `key log ${keyLogPath}: holds no TLS secrets`);
  const partial = `${targetPath}.${process.pid}.partial`;
  let writer: PcapngFileWriter;
  try {
    writer = await PcapngFileWriter.open(partial, { userAppl: USER_APPL });
  } catch (err) {
    throw new InjectSecretsError('output', `cannot write ${targetPath}: ${ioReason(err)}`);
  }
  try {
    writer.writeSecrets(keyBytes, SecretsType.TLS_KEY_LOG);
    const written = new Map<number, number>();
    const read = await readCaptureFile(capturePath, {
      onInterface: (info: CaptureInterface) => {
        written.set(info.id, writer.addInterface({
          linkType: info.linkType,
          snaplen: info.snaplen,
          tsresol: info.tsresol,
          fcsBytes: info.fcsBytes ?? undefined,
          name: info.name ?? undefined,
          description: info.description ?? undefined,
        }));
      },
      onSecrets: (secretsType, data) => writer.writeSecrets(data, secretsType),
      onPacket: (p) => {
        const interfaceId = written.get(p.interfaceId);
        if (interfaceId === undefined) throw new Error(`packet ${p.frame} uses interface ${p.interfaceId}, which was never described`);
        writer.writePacket({ interfaceId, timestampNs: p.timestampNs, data: p.data, originalLength: p.originalLength });
      },
    });
    await writer.close();
    await rename(partial, targetPath);
    return { packets: read.packets, secrets, bytesWritten: (await stat(targetPath)).size };
  } catch (err) {
    await writer.close().catch(() => undefined);
    await rm(partial, { force: true });
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
