import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CaptureError, LiveCapture } from '../../electron/services/live-capture';
import type { Session } from '../../electron/core/session/model';
import { loadPcapRing } from '../../native/pcap-ring-device';
import { analyzeWithCli, compareWithTshark, repoRoot, tlswbBin, type AnalysisDocument } from '../support/oracle';
import { freeLoopbackAddress, makeTestPki, spawnTracked, stopAllSpawned, type TestPki } from '../support/real-peers';
import {
  knock, makeTlsTraffic, packetDigests, sessionFacts, startDumpcap, stopDumpcap, tsharkPacketCount,
} from './live-capture-support';

/**
 * Live capture on `lo` with real peers (needs root, as CI runs): the CLI and
 * the capture helper record openssl and curl traffic while dumpcap records the
 * same traffic; the files must agree with tshark and with each other.
 */

const helperScript = join(repoRoot, 'dist', 'native', 'capture-helper.mjs');
const asNobody = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'];
/**
 * The permission tests run our helper as `nobody`, who must be able to read the
 * checkout: a clone inside a private (0700) folder, such as one `mktemp -d`
 * made, is out of its reach, and those tests then say so instead of failing.
 */
const nobodyReadsCheckout = spawnSync(asNobody[0]!, [...asNobody.slice(1), 'test', '-r', helperScript]).status === 0;
let dir: string;
let pki: TestPki;

beforeAll(() => {
  if (!existsSync(helperScript) || !existsSync(join(repoRoot, 'dist', 'cli', 'tlswb.mjs'))) {
    throw new Error('dist/ is missing: run "npm run build" first');
  }
  dir = mkdtempSync(join(tmpdir(), 'tlswb-live-'));
  pki = makeTestPki(dir);
});

afterAll(async () => {
  await stopAllSpawned();
  if (process.env.TLSWB_KEEP_CAPTURES) console.log(`live captures kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
});

function expectAgreesWithTshark(file: string): void {
  const comparison = compareWithTshark(file);
  expect(comparison.output, comparison.output).toMatch(/SCORE \d+\/\d+ \(100\.0%\)/);
  expect(comparison.exitCode, comparison.output).toBe(0);
}

/** Ours holds every packet dumpcap holds, in the same order and at about the same time; ours may start earlier. */
async function expectSamePacketsAsDumpcap(ours: string, theirs: string): Promise<void> {
  const a = await packetDigests(ours);
  const b = await packetDigests(theirs);
  expect(b.length).toBeGreaterThan(20);
  const tail = a.slice(a.length - b.length);
  expect(tail.map((p) => p.hash)).toEqual(b.map((p) => p.hash));
  // Our stamps come from a monotonic clock anchored to the wall clock at start: same second as the kernel's.
  for (let i = 0; i < b.length; i++) {
    const skew = Number(tail[i]!.timeNs - b[i]!.timeNs) / 1e9;
    expect(Math.abs(skew)).toBeLessThan(1);
  }
  for (let i = 1; i < a.length; i++) expect(a[i]!.timeNs >= a[i - 1]!.timeNs).toBe(true);
}

function expectSameSessions(ours: AnalysisDocument, theirs: AnalysisDocument): void {
  expect(ours.sessions.length).toBe(3);
  expect(sessionFacts(ours)).toEqual(sessionFacts(theirs));
}

describe('tlswb capture (the CLI)', () => {
  it('records openssl and curl traffic as tshark and a simultaneous dumpcap see it, printing one JSON line per session', async () => {
    const host = await freeLoopbackAddress([443]);
    const filter = `host ${host} and tcp port 443`;
    const ours = join(dir, 'cli.pcapng');
    const theirs = join(dir, 'cli-dumpcap.pcapng');
    const cli = spawnTracked('tlswb capture', process.execPath, [tlswbBin, 'capture', '-i', 'lo', '-f', filter, '-w', ours, '--json'],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    await cli.waitForOutput(/Capturing on 'lo'/, 15_000);
    const dumpcap = await startDumpcap('lo', filter, theirs, { host, port: 443 });
    await makeTlsTraffic(pki, host);
    await stopDumpcap(dumpcap);
    // Ctrl+C: the CLI stops its helper, completes the file and exits 0.
    expect(await cli.stop('SIGINT', 10_000)).toBe(0);

    expectAgreesWithTshark(ours);
    await expectSamePacketsAsDumpcap(ours, theirs);
    const doc = analyzeWithCli(ours);
    expectSameSessions(doc, analyzeWithCli(theirs));
    const lines = cli.output().split('\n').filter((l) => l.startsWith('{'));
    const printed = lines.map((l) => JSON.parse(l) as AnalysisDocument['sessions'][number]);
    expect(printed.map((s) => [s.client.port, s.sni, s.version, s.cipherSuite, s.messages.map((m) => m.type)]).sort())
      .toEqual(doc.sessions.map((s) => [s.client.port, s.sni, s.version, s.cipherSuite, s.messages.map((m) => m.type)]).sort());
    expect(cli.output()).toMatch(/packets captured .* 3 TLS sessions; dropped: by the kernel (0|unknown), by the interface 0, by the helper 0;/);
  });

  it('stops after --count packets with exactly that many in the file', async () => {
    const host = await freeLoopbackAddress([443]);
    const file = join(dir, 'count.pcapng');
    const cli = spawnTracked('tlswb capture --count', process.execPath,
      [tlswbBin, 'capture', '-i', 'lo', '-f', `host ${host}`, '-w', file, '--count', '5'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    await cli.waitForOutput(/Capturing on/, 15_000);
    const timer = setInterval(() => knock(host, 443), 50);
    try {
      expect(await cli.waitForExit(15_000)).toBe(0);
    } finally {
      clearInterval(timer);
    }
    expect(tsharkPacketCount(file)).toBe(5);
  });

  it.each([
    ['a bad filter', ['-i', 'lo', '-f', 'tcp port'], /^tlswb: bad capture filter 'tcp port': can't parse filter expression: syntax error\n$/],
    ['a missing interface', ['-i', 'nosuch0'], /^tlswb: no such interface: 'nosuch0' \(.*\); run `tlswb interfaces` to list them\n$/],
  ])('explains %s in one line and exits 1', (_what, args, message) => {
    const run = spawnSync(process.execPath, [tlswbBin, 'capture', ...args, '-w', join(dir, 'never.pcapng')],
      { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toMatch(message);
    expect(run.status).toBe(1);
  });

  it.skipIf(!nobodyReadsCheckout)('tells an unprivileged user exactly what to run, then captures once setup-capture was run', async () => {
    const base = join(dir, 'unprivileged');
    mkdirSync(base, { recursive: true });
    chmodSync(dir, 0o755);
    chmodSync(base, 0o777);
    const env = { ...process.env, TLSWB_DATA_DIR: join(base, 'data'), TLSWB_SPOOL_DIR: join(base, 'spool') };
    const capture = (): { status: number | null; stderr: string } => spawnSync(asNobody[0]!,
      [...asNobody.slice(1), process.execPath, tlswbBin, 'capture', '-i', 'lo', '-f', 'host 127.0.0.1 and tcp port 9', '--duration', '1'],
      { cwd: repoRoot, encoding: 'utf8', env, timeout: 30_000 });
    const denied = capture();
    expect(denied.stderr).toContain("tlswb: no permission to capture on 'lo' (socket: Operation not permitted); run `sudo ");
    expect(denied.stderr).toContain(' setup-capture` once to allow it');
    expect(denied.status).toBe(1);

    const setup = spawnSync(process.execPath, [tlswbBin, 'setup-capture', '--user', 'nobody'], { cwd: repoRoot, encoding: 'utf8', env });
    expect(setup.stdout).toContain(`setcap cap_net_raw,cap_net_admin+eip ${join(base, 'data', 'capture-node')}`);
    expect(setup.status, setup.stderr).toBe(0);
    const allowed = capture();
    expect(allowed.stderr).toMatch(/Capturing on 'lo'/);
    expect(allowed.status, allowed.stderr).toBe(0);
  });
});

describe('the capture helper (LiveCapture service)', () => {
  it('streams what tshark and a simultaneous dumpcap see, sessions decoded as they happen', async () => {
    const host = await freeLoopbackAddress([443]);
    const filter = `host ${host} and tcp port 443`;
    const theirs = join(dir, 'helper-dumpcap.pcapng');
    const opened: Session[] = [];
    const capture = await LiveCapture.start({
      interfaceName: 'lo', filter, spoolDir: join(dir, 'spool'), events: { sessionOpened: (s) => opened.push(s) },
    });
    expect(capture.linkType).toBe(1);
    const dumpcap = await startDumpcap('lo', filter, theirs, { host, port: 443 });
    await makeTlsTraffic(pki, host);
    // Decoded live, before the capture stops: within the 250 ms of the last handshake.
    await vi.waitFor(() => expect(opened.length).toBe(3), { timeout: 250, interval: 5 });
    await stopDumpcap(dumpcap);
    const result = await capture.stop();
    expect(result.stopReason).toBe('stopped');
    expect(result.helperExit).toEqual({ code: 0, signal: null });
    expect(result.spoolPath.startsWith(join(dir, 'spool'))).toBe(true);
    expect(result.stats.droppedByHelper).toBe(0);
    expect(result.stats.received).toBe(result.packets);
    expect(result.stats.written).toBe(result.packets);
    // libpcap's own counters: pcap_stats through pcap_ring; through cap the kernel's is unknown.
    expect(result.stats.droppedByKernel).toBe(loadPcapRing() ? 0 : null);
    expect(result.stats.droppedByInterface).toBe(0);
    expect(result.stats.analyzedBytes).toBe(statSync(result.spoolPath).size);

    expectAgreesWithTshark(result.spoolPath);
    await expectSamePacketsAsDumpcap(result.spoolPath, theirs);
    expectSameSessions(analyzeWithCli(result.spoolPath), analyzeWithCli(theirs));
    expect(result.sessions.map((s) => s.sni).sort()).toEqual([null, 'other.tlswb.test', pki.serverName].sort());
  });

  it('leaves a spool that reads to its end when the helper is killed mid-capture', async () => {
    const host = await freeLoopbackAddress([443]);
    const filter = `host ${host} and tcp port 443`;
    const theirs = join(dir, 'kill-dumpcap.pcapng');
    const capture = await LiveCapture.start({ interfaceName: 'lo', filter, spoolDir: join(dir, 'spool') });
    const dumpcap = await startDumpcap('lo', filter, theirs, { host, port: 443 });
    await makeTlsTraffic(pki, host);
    const knocking = setInterval(() => knock(host, 443), 20);
    await new Promise((r) => setTimeout(r, 1500));
    const killedAtNs = BigInt(Date.now()) * 1_000_000n;
    process.kill(capture.helperPid!, 'SIGKILL');
    const result = await capture.done;
    clearInterval(knocking);
    await stopDumpcap(dumpcap);

    expect(result.stopReason).toBe('helper-exited');
    expect(result.helperExit.signal).toBe('SIGKILL');
    expect(tsharkPacketCount(result.spoolPath)).toBe(result.packets);
    const doc = analyzeWithCli(result.spoolPath);
    expect(doc.file.damaged).toBeNull();
    expect(doc.file.packets).toBe(result.packets);
    expect(doc.sessions.length).toBe(3);
    // Everything dumpcap saw more than a second before the kill is in the spool.
    const ours = new Set((await packetDigests(result.spoolPath)).map((p) => p.hash));
    const before = (await packetDigests(theirs)).filter((p) => p.timeNs < killedAtNs - 1_000_000_000n);
    expect(before.length).toBeGreaterThan(20);
    expect(before.filter((p) => !ours.has(p.hash))).toEqual([]);
  });

  it.each([
    ['a bad filter', { interfaceName: 'lo', filter: 'host' }, 'bad-filter', /^bad capture filter 'host': /],
    ['a missing interface', { interfaceName: 'nosuch0' }, 'no-such-interface', /^no such interface: 'nosuch0'/],
    ...(nobodyReadsCheckout
      ? [['a missing permission', { interfaceName: 'lo', helperPrefix: asNobody }, 'permission',
        /^no permission to capture on 'lo' \(socket: Operation not permitted\); run `sudo .*setup-capture` once/] as const]
      : []),
  ] as const)('refuses to start on %s with a clear error', async (_what, options, kind, message) => {
    chmodSync(dir, 0o755);
    const start = LiveCapture.start({ ...options, spoolDir: join(dir, 'spool') });
    const error = await start.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(CaptureError);
    expect((error as CaptureError).kind).toBe(kind);
    expect((error as CaptureError).message).toMatch(message);
  });
});

describe('Linux cooked captures on "any"', () => {
  it('decode as tshark decodes them: LINUX_SLL2 from dumpcap, LINUX_SLL from the helper', async () => {
    const host = await freeLoopbackAddress([443]);
    const filter = `host ${host} and tcp port 443`;
    const sll2 = join(dir, 'any-sll2.pcapng');
    const capture = await LiveCapture.start({ interfaceName: 'any', filter, spoolDir: join(dir, 'spool') });
    expect(capture.linkType).toBe(113);
    const dumpcap = await startDumpcap('any', filter, sll2, { host, port: 443 }, 'LINUX_SLL2');
    await makeTlsTraffic(pki, host);
    await stopDumpcap(dumpcap);
    const result = await capture.stop();

    expect(analyzeWithCli(sll2).file.linkTypes).toEqual([276]);
    expectAgreesWithTshark(sll2);
    expect(analyzeWithCli(result.spoolPath).file.linkTypes).toEqual([113]);
    expectAgreesWithTshark(result.spoolPath);
    expectSameSessions(analyzeWithCli(result.spoolPath), analyzeWithCli(sll2));
  });
});
