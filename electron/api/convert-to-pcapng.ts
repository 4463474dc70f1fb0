/**
 * Save As pcapng for a capture that is not (intact) pcapng: every packet is
 * read back through the capture reader and written as an Enhanced Packet Block
 * of an interface described like the source's (link type, snaplen,
 * timestamp resolution, FCS length, name). Decryption Secrets Blocks of a
 * pcapng source are carried over where they were, so the saved file decrypts
 * in Wireshark as the original did.
 *
 * The file is written beside the target and renamed into place at the end,
 * so a failure never leaves half a capture under the chosen name.
 */
import { rename, rm, stat } from 'node:fs/promises';
import type { CaptureInterface } from '../core/capture/capture-handlers';
import { CaptureFileError, readCaptureFile } from '../services/capture-file';
import { PcapngFileWriter } from '../services/pcapng-file-writer';
import { ApiError } from './contract';

/** shb_userappl of the files we write, as dumpcap writes its own name. */
const USER_APPL = 'TLS Workbench';

export async function convertToPcapng(sourcePath: string, targetPath: string): Promise<number> {
  const partial = `${targetPath}.${process.pid}.partial`;
  let writer: PcapngFileWriter;
  try {
    writer = await PcapngFileWriter.open(partial, { userAppl: USER_APPL });
  } catch (err) {
    throw new ApiError('unreadable', `cannot write ${targetPath}: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Source interface id (unique across the file) -> id in the one section written.
  const written = new Map<number, number>();
  const describe = (info: CaptureInterface): void => {
    written.set(
      info.id,
      writer.addInterface({
        linkType: info.linkType,
        snaplen: info.snaplen,
        tsresol: info.tsresol,
        fcsBytes: info.fcsBytes ?? undefined,
        name: info.name ?? undefined,
        description: info.description ?? undefined,
      }),
    );
  };
  try {
    await readCaptureFile(sourcePath, {
      onInterface: describe,
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
  } catch (err) {
    await writer.close().catch(() => undefined);
    await rm(partial, { force: true });
    if (err instanceof CaptureFileError) throw new ApiError('unreadable', err.message);
    throw new ApiError('unreadable', `cannot save ${targetPath}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return (await stat(targetPath)).size;
}
