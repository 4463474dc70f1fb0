import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackAddress, startOpenSslServer, startTinyproxy, stopAllSpawned, type OpenSslServer } from '../support/real-peers';
import { analyzeWithCli, tlswbBin } from '../support/oracle';
import { expectCleanCapture, expectFullAgreement, makeServerIdentity, tsharkRequestUris, type ServerIdentity } from './proxy-support';

/**
 * `tlswb probe` against an openssl s_server, directly and through tinyproxy:
 * the timeline's steps in order, the session in the analysis contract's
 * shape, the certificate verdict, and the recorded file that tshark decrypts.
 */

let dir: string;
let origin: string;
let identity: ServerIdentity;
let server: OpenSslServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tlswb-probe-'));
  origin = await freeLoopbackAddress([443, 8888]);
  identity = makeServerIdentity(dir, 'origin', origin);
  server = await startOpenSslServer({ host: origin, port: 443, identity });
});

afterAll(async () => {
  await server?.stop();
  await stopAllSpawned();
  rmSync(dir, { recursive: true, force: true });
});

interface ProbeJson {
  session: { proxy: { target: string; status: number | null } | null; version: number; cipherSuite: number; certificates: { sha256: string }[]; sni: string | null };
  timings: Record<'tcpConnect' | 'connectAnswered' | 'serverHello' | 'certificate' | 'finished' | 'firstResponseByte' | 'total', number | null>;
  status: number | null;
  certificateVerdict: { verdict: string; trusted: boolean } | null;
  error: string | null;
}

function probe(args: string[]): { status: number | null; json: ProbeJson; stderr: string } {
  const r = spawnSync(process.execPath, [tlswbBin, 'probe', ...args, '--json'], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, json: JSON.parse(r.stdout) as ProbeJson, stderr: r.stderr };
}

describe('tlswb probe', () => {
  it('TLS 1.2 directly: every step timed in order, the certificate seen on the wire and trusted with --cacert, the file decrypted', () => {
    const file = join(dir, 'probe-direct.pcapng');
    const r = probe([`https://${origin}/probe/path`, '--tls', '1.2', '--cacert', identity.caCert, '-w', file]);
    expect(r.status, r.stderr).toBe(0);
    const t = r.json.timings;
    expect(t.connectAnswered).toBeNull();
    const steps = [t.tcpConnect, t.serverHello, t.certificate, t.finished, t.firstResponseByte, t.total];
    for (const v of steps) expect(v).not.toBeNull();
    for (let i = 1; i < steps.length; i++) expect(steps[i]!).toBeGreaterThanOrEqual(steps[i - 1]!);
    expect(r.json.session.version).toBe(0x0303);
    expect(r.json.session.certificates).toHaveLength(1);
    expect(r.json.certificateVerdict).toMatchObject({ verdict: 'valid', trusted: true });
    expect(r.json.status).toBe(200);
    expectCleanCapture(file);
    expect(tsharkRequestUris(file)).toEqual(['/probe/path']);
    expectFullAgreement(file, { withoutSecrets: true });
    expect(analyzeWithCli(file).sessions[0].certificates).toEqual(r.json.session.certificates);
  });

  it('through tinyproxy: CONNECT answered before the handshake; without --cacert the chain is not trusted', async () => {
    const tiny = await startTinyproxy({ dir, host: origin, port: 8888, connectPorts: [443] });
    try {
      const r = probe([`https://${origin}/`, '--proxy', tiny.url, '--tls', '1.3']);
      expect(r.status, r.stderr).toBe(0);
      expect(r.json.session.proxy).toEqual({ target: `${origin}:443`, status: 200 });
      expect(r.json.session.version).toBe(0x0304);
      const t = r.json.timings;
      expect(t.connectAnswered!).toBeGreaterThanOrEqual(t.tcpConnect!);
      expect(t.serverHello!).toBeGreaterThanOrEqual(t.connectAnswered!);
      expect(t.firstResponseByte!).toBeGreaterThanOrEqual(t.finished!);
      expect(r.json.certificateVerdict?.trusted).toBe(false);
      expect(r.json.certificateVerdict?.verdict).toMatch(/unknown-issuer|missing-intermediate/);
    } finally {
      await tiny.stop();
    }
  });

  it('an unreachable target: exit 1 and the reason', async () => {
    const r = probe([`https://${origin}:1/`]);
    expect(r.status).toBe(1);
    expect(r.json.error).toMatch(/connection refused/);
  });
});
