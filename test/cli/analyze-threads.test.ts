/**
 * `tlswb analyze --json` splits a large file's TCP connections between
 * threads (electron/cli/analyze-shards.ts). TLSWB_ANALYZE_THREADS forces the
 * number of threads, so small captures take that path too: the document,
 * the warnings and the exit code must be exactly one thread's.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot, tlswbBin } from '../support/run-cli';

const fixture = (name: string) => join(projectRoot, 'test', 'fixtures', 'corpus', name);

function analyze(file: string, threads: number) {
  const r = spawnSync(process.execPath, [tlswbBin, 'analyze', file, '--json'], {
    cwd: projectRoot,
    env: { ...process.env, TLSWB_ANALYZE_THREADS: String(threads) },
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tlswb analyze on several threads', () => {
  // Many connections (firefox, trojan, vxlan), CONNECT, STARTTLS, tunnels, damage, gzip, several interfaces.
  const captures = [
    'firefox.pcap',
    'tls_heur__trojan-tcp-tls.pcapng',
    'vxlan.pcap',
    '6in4tunnel.pcap',
    'https-connect.pcap',
    'ftp-auth-tls.pcap',
    'many_interfaces-1.pcapng',
    'tls_DER-incomplete-header.pcap',
    'dhe.pcap.gz',
  ];
  for (const name of captures) {
    it(`prints exactly what one thread prints: ${name}`, () => {
      const one = analyze(fixture(name), 1);
      expect(one.status).toBe(0);
      expect(JSON.parse(one.stdout).sessions.length).toBeGreaterThan(0);
      for (const threads of [2, 3]) {
        const many = analyze(fixture(name), threads);
        expect(many.status).toBe(0);
        expect(many.stderr).toBe(one.stderr);
        expect(many.stdout).toBe(one.stdout);
      }
    });
  }

  it('says what is wrong with a file that is not a capture in one line, as one thread does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tlswb-'));
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'this is not a capture file\n'.repeat(20));
    const one = analyze(text, 1);
    const many = analyze(text, 2);
    expect(one.status).toBe(1);
    expect(many.status).toBe(1);
    expect(many.stderr).toBe(one.stderr);
    expect(many.stderr.trim().split('\n')).toHaveLength(1);
  });
});
