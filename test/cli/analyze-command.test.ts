import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { projectRoot, runTlswb } from '../support/run-cli';

const fixture = (name: string) => join(projectRoot, 'test', 'fixtures', 'corpus', name);
const schema = JSON.parse(readFileSync(join(projectRoot, 'docs', 'analysis.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true }).compile(schema);

describe('tlswb analyze', () => {
  it('prints a tlswb.analysis/1 document that validates against docs/analysis.schema.json', () => {
    const r = runTlswb(['analyze', fixture('https-connect.pcap'), '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.format).toBe('tlswb.analysis/1');
    expect(doc.sessions.length).toBeGreaterThan(0);
    expect(doc.sessions[0].proxy).toMatchObject({ status: 200 });
  });

  it('reads a gzip-compressed capture and standard input the same as the file', () => {
    const plain = runTlswb(['analyze', fixture('https-connect.pcap'), '--json']);
    const dir = mkdtempSync(join(tmpdir(), 'tlswb-'));
    const gz = join(dir, 'c.pcap.gz');
    writeFileSync(gz, gzipSync(readFileSync(fixture('https-connect.pcap'))));
    const zipped = runTlswb(['analyze', gz, '--json']);
    const stdin = runTlswb(['analyze', '-', '--json'], readFileSync(fixture('https-connect.pcap')));
    const sessions = (out: string) => JSON.parse(out).sessions;
    expect(zipped.status).toBe(0);
    expect(stdin.status).toBe(0);
    expect(sessions(zipped.stdout)).toEqual(sessions(plain.stdout));
    expect(sessions(stdin.stdout)).toEqual(sessions(plain.stdout));
  });

  it('prints one line a session without --json', () => {
    const r = runTlswb(['analyze', fixture('https-connect.pcap')]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const doc = JSON.parse(runTlswb(['analyze', fixture('https-connect.pcap'), '--json']).stdout);
    // header + one line a session + summary
    expect(lines.length).toBe(doc.sessions.length + 2);
    expect(r.stdout).toContain('CONNECT');
  });

  it('exits 1 with one clear line for a missing file, and for a file that is not a capture', () => {
    const missing = runTlswb(['analyze', '/nonexistent/x.pcap']);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/no such file/i);
    expect(missing.stderr).not.toMatch(/\bat \w+ \(/); // no stack trace
    const dir = mkdtempSync(join(tmpdir(), 'tlswb-'));
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'this is not a capture file\n'.repeat(20));
    const notCapture = runTlswb(['analyze', text]);
    expect(notCapture.status).toBe(1);
    expect(notCapture.stderr.trim().split('\n')).toHaveLength(1);
    expect(notCapture.stderr).toMatch(/not a capture file/i);
  });

  it('exits 2 on a usage error and 0 for --help of every command', () => {
    expect(runTlswb(['analyze']).status).toBe(2);
    expect(runTlswb(['no-such-command']).status).toBe(2);
    expect(runTlswb(['analyze', 'x', '--no-such-flag']).status).toBe(2);
    const help = runTlswb(['--help']);
    expect(help.status).toBe(0);
    const commands = [...help.stdout.matchAll(/^ {2}([a-z][a-z-]+)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    expect(commands).toContain('analyze');
    for (const c of commands) {
      const r = runTlswb([c, '--help']);
      expect(r.status, c).toBe(0);
      expect(r.stdout, c).toMatch(/Usage: tlswb/);
    }
  });

  it('reads a damaged file up to the damage: exit 0, file.damaged set, one warning line', () => {
    const r = runTlswb(['analyze', fixture('tls_DER-incomplete-header.pcap'), '--json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.file.damaged).toMatchObject({ afterPacket: 6 });
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/damaged/);
  });
});
