import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyLog } from '../../../electron/core/tls/decrypt/keylog';
import { readKeyLogFile } from '../../../electron/services/keylog-file';

const CR = '4d98940fb40a244b48e42eac287144b1b7393057caa131f961a78e38b0e77c1e';
const MASTER = 'bd01e589d105199e9ab5fc9bd758b5f288db28fd80aa02261e4765ac1357d007fd08c7bdab45450e015a01d08e5e7ca6';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tlswb-keylog-file-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readKeyLogFile', () => {
  it('reads a key log file, counting what it skipped', async () => {
    const file = join(dir, 'keys.txt');
    writeFileSync(file, `# comment\nCLIENT_RANDOM ${CR} ${MASTER}\nnot a line\n`);
    const result = await readKeyLogFile(file);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.accepted).toBe(1);
    expect(result.skipped).toBe(1);
    expect(result.keyLog.get(CR)?.CLIENT_RANDOM).toBeDefined();
  });

  it('merges into the log it is given', async () => {
    const file = join(dir, 'merge.txt');
    writeFileSync(file, `CLIENT_RANDOM ${CR} ${MASTER}\n`);
    const into = new KeyLog();
    const result = await readKeyLogFile(file, { into });
    expect(result.ok && result.keyLog).toBe(into);
    expect(into.size).toBe(1);
  });

  it('says not-found, naming the file', async () => {
    const file = join(dir, 'missing.txt');
    const result = await readKeyLogFile(file);
    expect(result).toEqual({ ok: false, error: { kind: 'not-found', message: `key log ${file}: no such file` } });
  });

  it('refuses a file over the size limit without reading it, and never quotes its contents', async () => {
    const file = join(dir, 'big.txt');
    writeFileSync(file, `CLIENT_RANDOM ${CR} ${MASTER}\n`.repeat(10));
    const result = await readKeyLogFile(file, { maxBytes: 100 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe('too-large');
    expect(result.error.message).toContain(file);
    expect(result.error.message).not.toContain(MASTER.slice(0, 16));
  });

  it('says not-a-file for a directory', async () => {
    const sub = join(dir, 'a-directory');
    mkdirSync(sub);
    const result = await readKeyLogFile(sub);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.kind).toBe('not-a-file');
  });
});
