/**
 * The workbench's temporary recordings: the folders of proxy, probe and
 * uploads (in the system temp folder) and the spool of a live capture not yet
 * saved (in the spool folder). Each name carries the process id of the run
 * that owns it, and each run removes them when it closes them. A run that
 * crashed or was killed cannot; the next run removes what such runs left, as
 * it starts (`pruneStaleTemporaries`): every owned name whose process is gone.
 * A capture the CLI writes (`tlswb capture`, default spool `capture-…`) is the
 * user's file and is never touched.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the workbench keeps in a temporary folder of its own. */
export type TemporaryKind = 'proxy' | 'probe' | 'upload';

const TEMP_DIR_NAME = /^tlswb-(?:proxy|probe|upload)-(\d+)-[^/]+$/;
const UNSAVED_SPOOL_NAME = /^unsaved-.*-(\d+)\.pcapng$/;

/** A private folder of this run: `tlswb-KIND-PID-XXXXXX` in the system temp folder. */
export function makeTemporaryDir(kind: TemporaryKind, parent: string = tmpdir()): Promise<string> {
  return mkdtemp(join(parent, `tlswb-${kind}-${process.pid}-`));
}

/** The name of a live capture's spool while it is unsaved: `unsaved-IFACE-STAMP-PID.pcapng`. */
export function unsavedSpoolName(interfaceName: string, now: Date = new Date()): string {
  return `unsaved-${spoolStem(interfaceName, now)}-${process.pid}.pcapng`;
}

/** The name of a capture the user keeps (the CLI's default): `capture-IFACE-STAMP-PID.pcapng`. */
export function keptSpoolName(interfaceName: string, now: Date = new Date()): string {
  return `capture-${spoolStem(interfaceName, now)}-${process.pid}.pcapng`;
}

function spoolStem(interfaceName: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${interfaceName.replace(/[^\w.-]/g, '_')}-${stamp}`;
}

export interface PruneResult {
  removed: string[];
}

/**
 * Removes the temporaries of runs that have ended: the `tlswb-KIND-PID-*`
 * folders in `tempDir` and the `unsaved-*-PID.pcapng` files in `spoolDir`
 * whose PID is no running process. A folder that cannot be read is skipped:
 * pruning is housekeeping, never a reason to fail a start.
 */
export async function pruneStaleTemporaries(spoolDir: string | null, tempDir: string = tmpdir()): Promise<PruneResult> {
  const removed: string[] = [];
  const sweep = async (dir: string, pattern: RegExp, recursive: boolean): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const pid = pattern.exec(name)?.[1];
      if (pid === undefined || processIsRunning(Number(pid))) continue;
      const path = join(dir, name);
      try {
        await rm(path, { recursive, force: true });
        removed.push(path);
      } catch {
        // Another user's, or gone meanwhile: not ours to worry about.
      }
    }
  };
  await sweep(tempDir, TEMP_DIR_NAME, true);
  if (spoolDir) await sweep(spoolDir, UNSAVED_SPOOL_NAME, false);
  return { removed };
}

/** Whether `pid` is a running process (of any user: EPERM means it exists). */
function processIsRunning(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: unknown) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
