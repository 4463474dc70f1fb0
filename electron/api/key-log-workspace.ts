/**
 * Key logs for the workbench (decryption): "Load key log…" and key files
 * dropped on the window add their secrets to one KeyLog, which every later
 * decode of a capture uses; the open capture is decoded again at once, as
 * tshark re-dissects when keys are added. The UI gets the key file's name and
 * counts, never its contents; errors name the file only.
 */
import { basename } from 'node:path';
import { KeyLog, parseKeyLogBytes, type KeyLogParseResult } from '../core/tls/decrypt/keylog';
import { readKeyLogFile } from '../services/keylog-file';

/** For the shell: whether a file dropped on the window is a key log (load it) rather than a capture (open it). */
export { isKeyLogFile } from '../services/keylog-file';
import { ApiError, MAX_KEY_LOG_UPLOAD_BYTES, type FileSummary, type KeyLogSummary } from './contract';

export interface KeyLogWorkspacePorts {
  /** Decode the open capture again (with `keyLog`); null when no capture is open. */
  redecode(): Promise<FileSummary | null>;
  /** The open capture as it is. */
  current(): FileSummary | null;
}

export class KeyLogWorkspace {
  private log: KeyLog | null = null;
  private readonly names: string[] = [];

  constructor(private readonly ports: KeyLogWorkspacePorts) {}

  /** The secrets loaded so far, for every decode; null before the first key log. */
  get keyLog(): KeyLog | null {
    return this.log;
  }

  readonly handlers = {
    loadKeyLog: async (path: string): Promise<KeyLogSummary> => {
      const name = basename(path);
      const before = this.log?.generation ?? -1;
      const into = this.log ?? new KeyLog();
      const read = await readKeyLogFile(path, { into });
      if (!read.ok) throw new ApiError(read.error.kind === 'not-found' ? 'not-found' : read.error.kind === 'too-large' ? 'too-large' : 'unreadable', read.error.message);
      return this.added(name, into, read, before);
    },
    loadKeyLogBytes: async (name: string, base64: string): Promise<KeyLogSummary> => {
      const bytes = Buffer.from(base64, 'base64');
      if (bytes.length > MAX_KEY_LOG_UPLOAD_BYTES) throw new ApiError('too-large', `key log ${basename(name)} is larger than ${MAX_KEY_LOG_UPLOAD_BYTES} bytes`);
      const before = this.log?.generation ?? -1;
      const into = this.log ?? new KeyLog();
      return this.added(basename(name), into, parseKeyLogBytes(bytes, into), before);
    },
  };

  /** `before`: the log's generation before this file (-1: there was no log). */
  private async added(name: string, into: KeyLog, read: KeyLogParseResult, before: number): Promise<KeyLogSummary> {
    if (read.accepted === 0) throw new ApiError('unreadable', `key log ${name} holds no TLS secrets`);
    this.log = into;
    this.names.push(name);
    // Only new secrets can change what decodes: the same file again leaves the capture as it is.
    const file = into.generation !== before ? await this.ports.redecode() : this.ports.current();
    return { name, secrets: read.accepted, skippedLines: read.skipped, loaded: [...this.names], file };
  }
}
