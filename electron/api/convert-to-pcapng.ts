/**
 * Save As pcapng for a capture that is not (intact) pcapng: every packet is
 * copied by services/pcapng-copy (interfaces described like the source's,
 * Decryption Secrets Blocks of a pcapng source kept where they were, so the
 * saved file decrypts in Wireshark as the original did; written beside the
 * target and renamed into place). Here its failures become the API's errors.
 */
import { CaptureFileError } from '../services/capture-file';
import { copyCaptureToPcapng, PcapngCopyOpenError } from '../services/pcapng-copy';
import { ApiError } from './contract';

export async function convertToPcapng(sourcePath: string, targetPath: string): Promise<number> {
  try {
    return (await copyCaptureToPcapng(sourcePath, targetPath)).bytesWritten;
  } catch (err) {
    if (err instanceof PcapngCopyOpenError) throw new ApiError('unreadable', `${err.message}: ${reason(err.cause)}`);
    if (err instanceof CaptureFileError) throw new ApiError('unreadable', err.message);
    throw new ApiError('unreadable', `cannot save ${targetPath}: ${reason(err)}`);
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
