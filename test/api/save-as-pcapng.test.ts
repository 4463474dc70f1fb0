// Save As pcapng through the API, judged by Wireshark's own tools: the saved
// file reads in capinfos and tshark without a warning, and `tlswb analyze`
// finds the same sessions in it as in the source. A pcap is converted; a
// damaged pcapng is converted up to its damage, carrying its Decryption
// Secrets Block (tshark still decrypts the HTTP inside).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApiRuntime, type ApiRuntime } from '../../electron/api/api-runtime';
import type { ApiResult, FileSummary, SaveResult } from '../../electron/api/contract';
import { analyzeFile } from '../../electron/services/analyze-file';

const fixtures = join(import.meta.dirname, '../fixtures/api');
const work = mkdtempSync(join(tmpdir(), 'tlswb-save-'));
const runtimes: ApiRuntime[] = [];

afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.workbench.dispose()));
  rmSync(work, { recursive: true, force: true });
});

function runtime(): ApiRuntime {
  const r = createApiRuntime({ configDir: join(work, `config-${runtimes.length}`), transport: 'ws' });
  runtimes.push(r);
  return r;
}

async function call<T>(r: ApiRuntime, command: string, args: unknown[]): Promise<T> {
  const result = (await r.dispatch(command, args)) as ApiResult<T>;
  if (!result.ok) throw new Error(`${command}: ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** stderr of tshark reading the whole file (empty when it has nothing to complain about). */
function tsharkComplaints(path: string, extra: string[] = []): { stdout: string; stderr: string } {
  const out = spawnSync('tshark', ['-n', '-r', path, ...extra], { encoding: 'utf8' });
  // tshark warns that it runs as root; that is about this machine, not the file.
  const stderr = out.stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.includes('Running as user'))
    .join('\n');
  return { stdout: out.stdout, stderr };
}

/** The analysis of a file without its name, for comparing a source and its saved copy. */
async function sessionsOf(path: string): Promise<unknown> {
  const { document } = await analyzeFile(path);
  return document.sessions;
}

describe('Save As pcapng', () => {
  it('converts a pcap to a pcapng that capinfos and tshark read cleanly, with the same sessions', async () => {
    const source = join(fixtures, 'https-connect.pcap');
    const target = join(work, 'https-connect.pcapng');
    const r = runtime();
    await call<FileSummary>(r, 'openFile', [source]);
    const saved = await call<SaveResult>(r, 'saveAs', [target]);
    expect(saved).toMatchObject({ path: target, format: 'pcapng' });
    expect(saved.bytes).toBe(readFileSync(target).length);

    const info = spawnSync('capinfos', ['-t', '-E', '-c', '-M', '-u', target], { encoding: 'utf8' });
    expect(info.stderr).toBe('');
    expect(info.stdout).toMatch(/File type:\s+pcapng\n/);
    expect(info.stdout).toMatch(/File encapsulation:\s+ether\n/);
    expect(info.stdout).toMatch(/Number of packets:\s+18\n/);
    // The source's microsecond timestamps, to the microsecond.
    expect(info.stdout).toMatch(/Capture duration:\s+0\.231\d* seconds/);
    const read = tsharkComplaints(target);
    expect(read.stderr).toBe('');
    // Frame for frame the same summary lines as tshark gives for the source.
    expect(read.stdout).toBe(tsharkComplaints(source).stdout);
    expect(await sessionsOf(target)).toEqual(await sessionsOf(source));
  });

  it('saves a damaged pcapng as what could be read, with its TLS key log still decrypting', async () => {
    const source = join(fixtures, 'tls12-decryption-dsb-cut.pcapng');
    const target = join(work, 'repaired.pcapng');
    const r = runtime();
    const opened = await call<FileSummary>(r, 'openFile', [source]);
    expect(opened.damaged?.afterPacket).toBe(15);
    await call<SaveResult>(r, 'saveAs', [target]);

    // The source makes tshark complain that it was cut short; the saved copy does not.
    expect(tsharkComplaints(source).stderr).toMatch(/cut short/);
    const read = tsharkComplaints(target, ['-Y', 'http', '-T', 'fields', '-e', 'frame.number', '-e', 'http.host']);
    expect(read.stderr).toBe('');
    // Only with the carried-over secrets can tshark see the HTTP request inside TLS.
    expect(read.stdout.trim().split('\n')[0]).toBe('10\theise.de');
    const { document } = await analyzeFile(target);
    expect(document.file.damaged).toBeNull();
    expect(document.file.packets).toBe(15);
    expect(document.sessions).toEqual(await sessionsOf(source));

    // An intact pcapng is saved byte for byte (comments, secrets and custom blocks all stay).
    const again = runtime();
    await call<FileSummary>(again, 'openFile', [target]);
    const copy = join(work, 'copy.pcapng');
    await call<SaveResult>(again, 'saveAs', [copy]);
    expect(readFileSync(copy).equals(readFileSync(target))).toBe(true);
  });

  it('refuses to overwrite the open file and leaves no partial file behind on failure', async () => {
    const source = join(fixtures, 'https-connect.pcap');
    const r = runtime();
    await call<FileSummary>(r, 'openFile', [source]);
    const same = (await r.dispatch('saveAs', [source])) as ApiResult<SaveResult>;
    expect(same).toMatchObject({ ok: false, error: { code: 'unsupported' } });
    const missingDir = join(work, 'no-such-dir', 'x.pcapng');
    const failed = (await r.dispatch('saveAs', [missingDir])) as ApiResult<SaveResult>;
    expect(failed).toMatchObject({ ok: false, error: { code: 'unreadable' } });
    expect(readdirSync(work).filter((f) => f.includes('partial'))).toEqual([]);
  });
});
