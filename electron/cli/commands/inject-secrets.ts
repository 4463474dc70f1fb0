/**
 * `tlswb inject-secrets FILE KEYS -w OUT`: a pcapng copy of FILE carrying the
 * key log KEYS in a Decryption Secrets Block, as `editcap --inject-secrets
 * tls,KEYS FILE OUT` writes it (see services/inject-secrets.ts).
 */
import type { Command } from 'commander';
import { CaptureFileError } from '../../services/capture-file';
import { InjectSecretsError, injectSecrets } from '../../services/inject-secrets';
import { CliError } from '../cli-error';

export function register(program: Command): void {
  program
    .command('inject-secrets')
    .description('write a pcapng copy of a capture with a TLS key log inside (a Decryption Secrets Block)')
    .argument('<file>', 'capture file (pcap or pcapng, optionally gzip-compressed)')
    .argument('<keys>', 'TLS key log file (SSLKEYLOGFILE format)')
    .requiredOption('-w, --write <out>', 'pcapng file to write')
    .action(async (file: string, keys: string, flags: { write: string }) => {
      if (file === '-') throw new CliError('inject-secrets reads a file, not standard input', 2);
      try {
        const result = await injectSecrets(file, keys, flags.write);
        process.stderr.write(`tlswb: wrote ${flags.write}: ${result.packets} packets, ${result.secrets} secrets\n`);
      } catch (e: unknown) {
        if (e instanceof CaptureFileError || e instanceof InjectSecretsError) throw new CliError(e.message, 1);
        throw e;
      }
    });
}
