/**
 * A capture copied into a new pcapng file: every packet read back through the
 * capture reader and written as an Enhanced Packet Block of an interface
 * described like the source's (link type, snaplen, timestamp resolution, FCS
 * length, name). Decryption Secrets Blocks of a pcapng source stay where they
 * were; optional secrets go first, right after the Section Header (as
 * `editcap --inject-secrets` puts them).
 *
 * The file is written beside the target and renamed into place at the end,
 * so a failure never leaves half a capture under the chosen name.
 */
import { rename, rm, stat } from 'node:fs/promises';
import type { CaptureInterface } from '../core/capture/capture-handlers';
import { readCaptureFile } from './capture-file';
import { PcapngFileWriter } from './pcapng-file-writer';

/** shb_userappl of the files we write, as dumpcap writes its own name. */
const USER_APPL = 'TLS Workbench';

/** The target could not even be created (its `cause` is the file system's error). */
export class PcapngCopyOpenError extends Error {
  override readonly name = 'PcapngCopyOpenError';
}

export interface PcapngCopyResult {
  packets: number;
  bytesWritten: number;
}

/**
 * Rejects with PcapngCopyOpenError (target not writable), CaptureFileError
 * (capture-file.ts: the source is no capture) or the write's own error.
 */
export async function copyCaptureToPcapng(
  sourcePath: string,
  targetPath: string,
  leadingSecrets?: { secretsType: number; data: Uint8Array },
): Promise<PcapngCopyResult> {
  const partial = `${targetPath}.${process.pid}.partial`;
  let writer: PcapngFileWriter;
  try {
    writer = await PcapngFileWriter.open(partial, { userAppl: USER_APPL });
  } catch (err) {
    throw new PcapngCopyOpenError(`cannot write ${targetPath}`, { cause: err });
  }
  try {
    if (leadingSecrets) writer.writeSecrets(leadingSecrets.data, leadingSecrets.secretsType);
    // Source interface id (unique across the file) -> id in the one section written.
    const written = new Map<number, number>();
    const read = await readCaptureFile(sourcePath, {
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
        // The reader describes every interface before its first packet; a
        // packet of an undescribed one would be a reader bug, not a file fault.
        const interfaceId = written.get(p.interfaceId);
        if (interfaceId === undefined) throw new Error(`packet ${p.frame} uses interface ${p.interfaceId}, which was never described`);
        writer.writePacket({ interfaceId, timestampNs: p.timestampNs, data: p.data, originalLength: p.originalLength });
      },
    });
    await writer.close();
    await rename(partial, targetPath);
    return { packets: read.packets, bytesWritten: (await stat(targetPath)).size };
  } catch (err) {
    await writer.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw err;
  }
}
