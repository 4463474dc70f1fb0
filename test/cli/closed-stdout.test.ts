import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot, tlswbBin } from '../support/run-cli';

const fixture = (name: string) => join(projectRoot, 'test', 'fixtures', 'corpus', name);

/**
 * firefox.pcap (little-endian pcap, Ethernet, IPv4, TCP) `copies` times, each
 * copy a minute later with its client ports moved by 100 per copy: as many
 * more connections, so a JSON document larger than a pipe's buffer (64 KiB).
 */
function repeatedCapture(copies: number): string {
  const src = readFileSync(fixture('firefox.pcap'));
  const packets: Buffer[] = [];
  for (let at = 24; at + 16 <= src.length; ) {
    const caplen = src.readUInt32LE(at + 8);
    packets.push(src.subarray(at, at + 16 + caplen));
    at += 16 + caplen;
  }
  const out: Buffer[] = [src.subarray(0, 24)];
  for (let k = 0; k < copies; k++) {
    for (const p of packets) {
      const c = Buffer.from(p);
      c.writeUInt32LE(c.readUInt32LE(0) + 60 * k, 0);
      const tcp = 16 + 14 + (c[16 + 14]! & 0x0f) * 4;
      for (const off of [tcp, tcp + 2]) {
        const port = c.readUInt16BE(off);
        if (port !== 443) c.writeUInt16BE(port + 100 * k, off);
      }
      out.push(c);
    }
  }
  const file = join(mkdtempSync(join(tmpdir(), 'tlswb-')), 'repeated.pcap');
  writeFileSync(file, Buffer.concat(out));
  return file;
}

/** Runs `tlswb args` with its stdout's reader gone before it writes (as `| head -c 0` would). */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tlswbBin, ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    // Our end of the pipe closes now: every write the command makes meets EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

/** Runs `tlswb args`, reads the first `n` bytes of its stdout and closes it (`| head -c n`). */
function runReadingFirst(args: string[], n: number): Promise<{ code: number | null; stderr: string; head: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tlswbBin, ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let head = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      head += d;
      if (head.length >= n) child.stdout.destroy();
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, head: head.slice(0, n) }));
  });
}

describe('tlswb analyze with a closed stdout', () => {
  it('ends quietly with exit 0 when the reader is gone before the JSON is written', async () => {
    const r = await runWithClosedStdout(['analyze', fixture('tls-1.2-stream-keylog.pcap'), '--json']);
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
  });

  it('ends quietly with exit 0 for the session table too', async () => {
    const r = await runWithClosedStdout(['analyze', fixture('firefox.pcap')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('ends quietly when the reader takes the first bytes and leaves (| head -c 100)', async () => {
    const file = repeatedCapture(30);
    const whole = await runReadingFirst(['analyze', file, '--json'], Infinity);
    expect(whole.code).toBe(0);
    // Larger than the pipe's buffer: the command is still writing when the reader leaves.
    expect(whole.head.length).toBeGreaterThan(256 * 1024);
    const r = await runReadingFirst(['analyze', file, '--json'], 100);
    expect(r.head.startsWith('{"format":"tlswb.analysis/1"')).toBe(true);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('exits 1 with one line when the output cannot be written (a full disk: /dev/full)', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [tlswbBin, 'analyze', fixture('firefox.pcap'), '--json'], {
        cwd: projectRoot,
        stdio: ['ignore', full, 'pipe'],
        encoding: 'utf8',
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe('tlswb: cannot write the output: ENOSPC\n');
    } finally {
      closeSync(full);
    }
  });
});
