import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTlswb } from '../support/run-cli';
import { loadDiffValidator } from '../core/diff/diff-schema';

/** `tlswb diff` run as a user would, on real captures (test/fixtures/diff, see SOURCES.md). */
const fixture = (name: string): string => join('test', 'fixtures', 'diff', name);
const validate = loadDiffValidator();

describe('tlswb diff A#ID B#ID', () => {
  it('--json prints a tlswb.diff/1 document that validates against docs/diff.schema.json', () => {
    const r = runTlswb(['diff', `${fixture('firefox.pcap')}#0`, `${fixture('firefox.pcap')}#1`, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { format: string; a: { session: number; file: string }; changes: { field: string; message: string | null }[] };
    expect(validate(doc)).toEqual([]);
    expect(doc.format).toBe('tlswb.diff/1');
    expect(doc.a).toMatchObject({ file: fixture('firefox.pcap'), session: 0 });
    expect(doc.changes.map((c) => c.field)).toEqual(expect.arrayContaining(['extensions', 'ja3Hash', 'ja4', 'resumed']));
  });

  it('the terminal report aligns the messages and names the code points that changed', () => {
    const r = runTlswb(['diff', `${fixture('arkime-openssl-tls1.pcap')}#0`, fixture('arkime-openssl-tls1_2.pcap')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^A {2}test\/fixtures\/diff\/arkime-openssl-tls1\.pcap#0 {2}10\.0\.0\.1:40111 -> 74\.125\.228\.39:443/m);
    expect(r.stdout).toMatch(/client {2}client_hello +\d+\.\d +\d+\.\d/);
    expect(r.stdout).toMatch(/server_hello +version: TLS 1\.0 {2}-> {2}TLS 1\.2/);
    expect(r.stdout).toMatch(/cipherSuite: 0xc011 TLS_ECDHE_RSA_WITH_RC4_128_SHA {2}-> {2}0xc02f TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256/);
  });
});

describe('tlswb diff A B (two files, no ids): sessions matched by server and SNI', () => {
  it('--json lists each matched pair with its changes and the unmatched sessions; it validates against the schema', () => {
    const r = runTlswb(['diff', fixture('firefox-early.pcap'), fixture('firefox-late.pcap'), '--json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { pairs: { matchedBy: string; changes: { field: string }[] }[]; onlyInA: unknown[]; onlyInB: unknown[] };
    expect(validate(doc)).toEqual([]);
    expect(doc.pairs).toHaveLength(3);
    expect(doc.pairs[0]!.changes.map((c) => c.field)).toContain('resumed');
    expect(doc.onlyInB).toHaveLength(2);
  });

  it('the terminal report says what changed in each pair', () => {
    const r = runTlswb(['diff', fixture('firefox-early.pcap'), fixture('firefox-late.pcap')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/3 matched pairs, 2 with differences; 0 only in A, 2 only in B/);
    expect(r.stdout).toMatch(/=== A#0 <-> B#0 {2}146\.48\.58\.18:443 {2}SNI www\.iit\.cnr\.it/);
    expect(r.stdout).toMatch(/session +resumed: false {2}-> {2}true/);
  });
});

describe('tlswb diff errors: one line, no stack trace', () => {
  it('a missing file exits 1', () => {
    const r = runTlswb(['diff', 'no-such-file.pcap#0', `${fixture('firefox.pcap')}#0`]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^tlswb: .*no-such-file\.pcap/);
  });

  it('a session id the file does not have exits 1', () => {
    const r = runTlswb(['diff', `${fixture('firefox.pcap')}#9`, `${fixture('firefox.pcap')}#0`]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`tlswb: ${fixture('firefox.pcap')} has no session 9 (it has 6)\n`);
  });

  it('one id against a file of many sessions is a usage error (exit 2)', () => {
    const r = runTlswb(['diff', `${fixture('firefox.pcap')}#0`, fixture('firefox-late.pcap')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/B: .*firefox-late\.pcap has 5 sessions: name one as/);
  });
});
