/** `tlswb interfaces [--json]`: what live capture can listen on. */
import type { Command } from 'commander';
import { CaptureError } from '../../services/live-capture';
import { listCaptureInterfaces, type CaptureInterfaceInfo } from '../../services/capture-interfaces';
import { CliError } from '../cli-error';
import { writeOut } from '../output';

export function register(program: Command): void {
  program
    .command('interfaces')
    .description('list the interfaces live capture can listen on (libpcap)')
    .option('--json', 'print a JSON array')
    .action(async (flags: { json?: boolean }) => {
      let list: CaptureInterfaceInfo[];
      try {
        list = listCaptureInterfaces();
      } catch (e: unknown) {
        if (e instanceof CaptureError) throw new CliError(e.message, 1);
        throw e;
      }
      await writeOut([flags.json ? `${JSON.stringify(list, null, 2)}\n` : formatInterfaces(list)]);
    });
}

export function formatInterfaces(list: readonly CaptureInterfaceInfo[]): string {
  const lines = list.map((i, n) => {
    const flags = [i.loopback ? 'loopback' : null, i.up === null ? null : i.up ? 'up' : 'down'].filter(Boolean).join(',');
    const addresses = i.addresses.map((a) => a.address).join(' ');
    return `${n + 1}. ${i.name}${flags ? ` [${flags}]` : ''}${i.description ? ` (${i.description})` : ''}${addresses ? `  ${addresses}` : ''}`;
  });
  return `${lines.join('\n')}\n`;
}
