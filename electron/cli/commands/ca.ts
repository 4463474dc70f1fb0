/**
 * `tlswb ca --export FILE [--ca-dir DIR]`: writes the interception CA's
 * certificate (never its key) and prints how to trust it on Linux (system
 * store and NSS), macOS and Windows. Makes the CA when there is none yet.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { defaultCaDir, loadOrCreateCa } from '../../services/ca/certificate-authority';
import { trustInstructions } from '../../services/ca/trust-instructions';
import { CliError, describeError } from '../cli-error';

interface CaFlags {
  export?: string;
  caDir?: string;
}

export function register(program: Command): void {
  program
    .command('ca')
    .description('export the interception CA certificate (made on first use) and show how to trust it')
    .requiredOption('--export <file>', 'write the CA certificate (PEM) to this file')
    .option('--ca-dir <dir>', 'folder of the interception CA (default: the user data folder)')
    .action((flags: CaFlags) => {
      const dir = flags.caDir ?? defaultCaDir();
      let ca;
      try {
        ca = loadOrCreateCa(dir);
      } catch (e: unknown) {
        throw new CliError(`cannot use the CA in ${dir}: ${describeError(e)}`, 1);
      }
      const file = flags.export ?? '';
      try {
        writeFileSync(file, ca.certPem, { mode: 0o644 });
      } catch (e: unknown) {
        throw new CliError(`cannot write ${file}: ${describeError(e)}`, 1);
      }
      if (ca.created) process.stderr.write(`tlswb: made a new interception CA in ${dir}\n`);
      process.stdout.write(`wrote the CA certificate to ${file}\n\n${trustInstructions(file)}`);
    });
}
