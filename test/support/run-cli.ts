import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const projectRoot = join(__dirname, '..', '..');
export const tlswbBin = join(projectRoot, 'bin', 'tlswb.mjs');

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Run the built `tlswb` (npm test builds first) as a user would. */
export function runTlswb(args: string[], input?: Buffer): CliRun {
  const r = spawnSync(process.execPath, [tlswbBin, ...args], {
    cwd: projectRoot,
    input,
    maxBuffer: 512 * 1024 * 1024,
    encoding: 'buffer',
  });
  return { status: r.status ?? -1, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}
