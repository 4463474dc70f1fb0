/**
 * Reading a capture through the engine with TLS secrets: the user's key log
 * (if any) and the pcapng Decryption Secrets Blocks the file carries.
 *
 * tshark applies a DSB's secrets to the whole file, wherever the block sits,
 * because it reads the file twice. We read once and merge each DSB into the
 * key log as it comes: connections whose ClientHello follows it decrypt at
 * once (the usual layout: Wireshark and `editcap --inject-secrets` write DSBs
 * before the packets). Only when a DSB brought new secrets after packets had
 * already been read (so an earlier connection may have missed them) is the
 * file read a second time with the complete log, as tshark would show it.
 * Standard input cannot be read twice: there, connections before a late DSB
 * stay encrypted. Without secrets the engine runs exactly as without this
 * layer: no key log is made and no decoder decrypts.
 */
import type { CaptureHandlers } from '../core/capture/capture-handlers';
import { SecretsType } from '../core/capture/pcapng-block-types';
import type { SessionAnalyzer } from '../core/session/analyzer';
import { KeyLog, parseKeyLogBytes } from '../core/tls/decrypt/keylog';
import { readCaptureFile, type ReadResult } from './capture-file';

export interface SecretsReadResult {
  analyzer: SessionAnalyzer;
  read: ReadResult;
  /** The key log used in the end (the user's merged with the file's), or null when neither had any. */
  keyLog: KeyLog | null;
  /** Secrets the file's DSBs carried (lines accepted). */
  secretsInFile: number;
  /** 2 when a late DSB made a second read necessary. */
  passes: 1 | 2;
}

/**
 * `makeAnalyzer(keyLog)` builds a fresh analyzer for each pass; `handlers`
 * are any other capture handlers (comments) for each pass.
 */
export async function analyzeWithSecrets(
  path: string,
  makeAnalyzer: (keyLog: KeyLog | undefined) => SessionAnalyzer,
  options: { keyLog?: KeyLog; handlers?: () => Omit<CaptureHandlers, 'onPacket' | 'onSecrets'> } = {},
): Promise<SecretsReadResult> {
  let keyLog: KeyLog | undefined = options.keyLog;
  let analyzer = makeAnalyzer(keyLog);
  let secretsInFile = 0;
  let late = false;
  /** The file's secrets go into a log of our own: the caller's stays as it gave it. */
  let own = false;
  const read = await readCaptureFile(path, {
    ...options.handlers?.(),
    onPacket: (p) => analyzer.push(p),
    onSecrets: (secretsType, data) => {
      if (secretsType !== SecretsType.TLS_KEY_LOG) return;
      if (!own) {
        const mine = new KeyLog();
        if (keyLog) mine.merge(keyLog);
        keyLog = mine;
        own = true;
        analyzer.useKeyLog(mine);
      }
      const log = keyLog!;
      const before = log.generation;
      // Lines that are no secrets are skipped silently: the file is data, not the user's input.
      secretsInFile += parseKeyLogBytes(data, log).accepted;
      if (log.generation !== before && analyzer.packets > 0) late = true;
    },
  });
  if (!late || path === '-') {
    analyzer.finish();
    return { analyzer, read, keyLog: keyLog ?? null, secretsInFile, passes: 1 };
  }
  analyzer = makeAnalyzer(keyLog);
  const again = await readCaptureFile(path, { ...options.handlers?.(), onPacket: (p) => analyzer.push(p) });
  analyzer.finish();
  return { analyzer, read: again, keyLog: keyLog ?? null, secretsInFile, passes: 2 };
}
