import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareWithTshark } from '../support/oracle';
import { projectRoot, runTlswb } from '../support/run-cli';

/**
 * `tlswb keylog FILE` and `tlswb inject-secrets FILE KEYS -w OUT`, checked
 * against editcap (`--inject-secrets tls,KEYS`) and tshark.
 */
const fixtures = join(projectRoot, 'test', 'fixtures', 'decrypt');
const tls12 = join(fixtures, 'tls12-decryption.pcap');
const tls12Keys = join(fixtures, 'tls12-decryption.nss-keylog.txt');
const chrome = join(fixtures, 'chrome-cloudflare-quic-with-secrets.pcapng');

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tlswb-keylog-cli-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** The secret lines of a key log file, normalized (label, lowercase hex), sorted. */
function secretLines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(/\s+/).map((f, i) => (i === 0 ? f : f.toLowerCase())).join(' ')).sort();
}

/** pcapng blocks (little-endian files): type and body, in order. */
function blocks(file: string): { type: number; body: Buffer }[] {
  const b = readFileSync(file);
  const out: { type: number; body: Buffer }[] = [];
  for (let at = 0; at + 12 <= b.length;) {
    const type = b.readUInt32LE(at);
    const length = b.readUInt32LE(at + 4);
    out.push({ type, body: b.subarray(at + 8, at + length - 4) });
    at += length;
  }
  return out;
}

/** Each packet as tshark reads it: time, lengths and bytes. */
function packets(file: string): string[] {
  const run = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.interface_id'], { encoding: 'utf8' });
  const hex = spawnSync('tshark', ['-r', file, '-x'], { encoding: 'utf8' });
  return [...run.stdout.split('\n'), hex.stdout];
}

function editcapInject(input: string, keys: string, out: string): void {
  const run = spawnSync('editcap', ['--inject-secrets', `tls,${keys}`, input, out], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
}

describe('tlswb keylog', () => {
  it('prints the secrets of a DSB that editcap injected, as the key log they came from', () => {
    const injected = join(work, 'editcap.pcapng');
    editcapInject(tls12, tls12Keys, injected);
    const run = runTlswb(['keylog', injected]);
    expect(run.status).toBe(0);
    expect(secretLines(run.stdout)).toEqual(secretLines(readFileSync(tls12Keys, 'utf8')));
  });

  it('prints every secret of a browser capture with a DSB once, a usable key log', () => {
    const run = runTlswb(['keylog', chrome]);
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.length).toBe(new Set(lines).size);
    expect(lines.every((l) => /^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]{64,128}$/.test(l))).toBe(true);
    // Given back to the analysis as a key log, the capture agrees with tshark (which reads the DSB).
    const keys = join(work, 'chrome.keys');
    writeFileSync(keys, run.stdout);
    const result = compareWithTshark(chrome, [], keys);
    expect(result.percent, result.output).toBe(100);
  });

  it('says so on standard error when a capture carries no secrets', () => {
    const run = runTlswb(['keylog', tls12]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`tlswb: ${tls12} carries no TLS secrets\n`);
  });

  it('fails with one line for a file that is no capture', () => {
    const run = runTlswb(['keylog', tls12Keys]);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('tlswb inject-secrets', () => {
  it('writes what editcap --inject-secrets writes: the key file in a DSB before the interfaces, the same packets', () => {
    const ours = join(work, 'ours.pcapng');
    const theirs = join(work, 'theirs.pcapng');
    const run = runTlswb(['inject-secrets', tls12, tls12Keys, '-w', ours]);
    expect(run.status, run.stderr).toBe(0);
    editcapInject(tls12, tls12Keys, theirs);
    const mine = blocks(ours);
    const editcap = blocks(theirs);
    expect(mine.map((b) => b.type)).toEqual(editcap.map((b) => b.type));
    expect(mine[1]!.type).toBe(0x0000000a);
    expect(mine[1]!.body.equals(editcap[1]!.body)).toBe(true);
    expect(packets(ours)).toEqual(packets(theirs));
    // And it decrypts without a key log, as tshark shows it.
    const result = compareWithTshark(ours);
    expect(result.percent, result.output).toBe(100);
    const doc = JSON.parse(runTlswb(['analyze', ours, '--json']).stdout) as { sessions: { messages: { type: string; decrypted?: boolean }[] }[] };
    expect(doc.sessions[0]!.messages.filter((m) => m.decrypted).map((m) => m.type)).toContain('finished');
  });

  it('keeps the DSBs a pcapng already carries, and adds the new one', () => {
    const out = join(work, 'chrome-plus.pcapng');
    const run = runTlswb(['inject-secrets', chrome, tls12Keys, '-w', out]);
    expect(run.status, run.stderr).toBe(0);
    expect(blocks(out).filter((b) => b.type === 0x0000000a)).toHaveLength(2);
    const result = compareWithTshark(out);
    expect(result.percent, result.output).toBe(100);
  });

  it('refuses a key file without secrets or that cannot be read, in one line naming it, writing nothing', () => {
    const empty = join(work, 'empty.keys');
    writeFileSync(empty, '# nothing here\nnot a secret\n');
    const out = join(work, 'never.pcapng');
    const none = runTlswb(['inject-secrets', tls12, empty, '-w', out]);
    expect(none.status).toBe(1);
    expect(none.stderr).toBe(`tlswb: key log ${empty}: holds no TLS secrets\n`);
    const missing = runTlswb(['inject-secrets', tls12, join(work, 'missing.keys'), '-w', out]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`tlswb: key log ${join(work, 'missing.keys')}: no such file\n`);
    expect(spawnSync('test', ['-e', out]).status).toBe(1);
    const usage = runTlswb(['inject-secrets', tls12, tls12Keys]);
    expect(usage.status).toBe(2);
  });
});
