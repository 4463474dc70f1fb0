/**
 * `tlswb keylog FILE`: the TLS secrets a pcapng capture carries (its
 * Decryption Secrets Blocks), printed as an NSS key log: one secret a line,
 * each once, ready for `--keylog` or Wireshark. The output is key material:
 * it goes to standard output only, where the user sent it.
 */
import type { Command } from 'commander';
import { SecretsType } from '../../core/capture/pcapng-block-types';
import { KeyLog, parseKeyLogBytes } from '../../core/tls/decrypt/keylog';
import { CaptureFileError, readCaptureFile } from '../../services/capture-file';
import { CliError } from '../cli-error';
import { writeOut } from '../output';

export function register(program: Command): void {
  program
    .command('keylog')
    .description('print the TLS secrets a pcapng capture carries (Decryption Secrets Blocks) as a key log')
    .argument('<file>', 'capture file, or - for standard input')
    .action(async (file: string) => {
      const keyLog = new KeyLog();
      let blocks = 0;
      try {
        await readCaptureFile(file, {
          onPacket: () => undefined,
          onSecrets: (secretsType, data) => {
            if (secretsType !== SecretsType.TLS_KEY_LOG) return;
            blocks++;
            parseKeyLogBytes(data, keyLog);
          },
        });
      } catch (e: unknown) {
        if (e instanceof CaptureFileError) throw new CliError(e.message, 1);
        throw e;
      }
      const text = keyLog.toKeyLogText();
      if (text === '') {
        process.stderr.write(`tlswb: ${file === '-' ? 'standard input' : file} carries no TLS secrets${blocks ? ` (${blocks} secrets blocks without valid lines)` : ''}\n`);
        return;
      }
      await writeOut([text]);
    });
}
