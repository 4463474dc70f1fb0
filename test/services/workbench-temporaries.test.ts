// The workbench's temporary recordings carry their owner's process id; a run
// removes what ended runs left (a crash, a kill) and nothing else: not a
// running process's, not the CLI's kept captures, not other programs' files.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  keptSpoolName, makeTemporaryDir, pruneStaleTemporaries, unsavedSpoolName,
} from '../../electron/services/workbench-temporaries';

let dir: string;
let temp: string;
let spool: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tlswb-test-temporaries-'));
  temp = join(dir, 'tmp');
  spool = join(dir, 'spool');
  mkdirSync(temp);
  mkdirSync(spool);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The id of a process that has ended (ran `true` and was reaped). */
function endedPid(): number {
  const pid = spawnSync('true').pid;
  if (!pid) throw new Error('could not run `true`');
  return pid;
}

function folder(name: string): string {
  const path = join(temp, name);
  mkdirSync(path);
  writeFileSync(join(path, 'recording.pcapng'), 'x');
  return path;
}

function file(name: string): string {
  const path = join(spool, name);
  writeFileSync(path, 'x');
  return path;
}

describe('workbench temporaries', () => {
  it('names its folders and unsaved spools after this process', async () => {
    const made = await makeTemporaryDir('proxy', temp);
    expect(basename(made)).toMatch(new RegExp(`^tlswb-proxy-${process.pid}-\\w{6}$`));
    expect(unsavedSpoolName('eth0:1', new Date('2026-11-27T17:05:09.123Z'))).toBe(`unsaved-eth0_1-20261127-170509-${process.pid}.pcapng`);
    expect(keptSpoolName('lo', new Date('2026-11-27T17:05:09.123Z'))).toBe(`capture-lo-20261127-170509-${process.pid}.pcapng`);
  });

  it('removes the folders and unsaved spools of ended runs, and keeps everything else', async () => {
    const dead = endedPid();
    const staleProxy = folder(`tlswb-proxy-${dead}-a1b2c3`);
    const staleUpload = folder(`tlswb-upload-${dead}-d4e5f6`);
    const staleSpool = file(`unsaved-lo-20260101-000000-${dead}.pcapng`);
    const kept = [
      folder(`tlswb-probe-${process.pid}-g7h8i9`), // this run's
      folder('tlswb-proxy-Ab12Cd'), // an older version's, without an owner: left alone
      folder(`tlswb-other-${dead}-x`), // not a kind we make
      folder(`tlswb-probe-1-j0k1l2`), // pid 1 runs
      file(`capture-lo-20260101-000000-${dead}.pcapng`), // the CLI's capture: the user's file
      file(`unsaved-lo-20260101-000000-${process.pid}.pcapng`), // this run's open recording
      file(`unsaved-lo-${dead}.pcapng.part`), // not a spool name
    ];
    const result = await pruneStaleTemporaries(spool, temp);
    expect(result.removed.sort()).toEqual([staleProxy, staleSpool, staleUpload].sort());
    for (const path of [staleProxy, staleUpload, staleSpool]) expect(existsSync(path)).toBe(false);
    for (const path of kept) expect(existsSync(path)).toBe(true);
  });

  it('treats a missing spool folder or temp folder as nothing to do', async () => {
    expect(await pruneStaleTemporaries(join(dir, 'no-spool'), join(dir, 'no-tmp'))).toEqual({ removed: [] });
    expect(await pruneStaleTemporaries(null, temp)).toEqual({ removed: [] });
  });
});
