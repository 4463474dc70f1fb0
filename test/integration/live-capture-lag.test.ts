import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveCapture } from '../../electron/services/live-capture';
import { freeLoopbackAddress, makeTestPki, stopAllSpawned, type TestPki } from '../support/real-peers';
import { makeTlsTraffic, tsharkPacketCount } from './live-capture-support';

/**
 * The helper writes the spool itself and never waits on its parent: a parent
 * whose analysis stalls falls behind in the file and catches up, and nothing
 * is lost meanwhile (needs root and a built dist/, as live-capture.test.ts).
 */

let dir: string;
let pki: TestPki;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tlswb-live-lag-'));
  pki = makeTestPki(dir);
});

afterAll(async () => {
  await stopAllSpawned();
  rmSync(dir, { recursive: true, force: true });
});

describe('a parent that stalls', () => {
  it('falls behind in the spool while the helper goes on capturing, then catches up with every packet', async () => {
    const host = await freeLoopbackAddress([443]);
    let spoolPath = '';
    let capture: LiveCapture | null = null;
    const during: { fileBytes: number; analyzedBytes: number }[] = [];
    let stallClient: ChildProcess | null = null;
    capture = await LiveCapture.start({
      interfaceName: 'lo',
      filter: `host ${host} and tcp port 443`,
      spoolDir: join(dir, 'spool'),
      events: {
        sessionOpened: () => {
          if (during.length > 0) return;
          // The analysis stalls for a second on the first session (the event loop with it), while a
          // handshake started now goes on in its own process.
          stallClient = spawn('openssl', ['s_client', '-connect', `${host}:443`, '-servername', 'stall.tlswb.test'],
            { stdio: ['ignore', 'ignore', 'ignore'] });
          const until = Date.now() + 1000;
          while (Date.now() < until) { /* stalled */ }
          during.push({ fileBytes: statSync(spoolPath).size, analyzedBytes: capture!.currentStats.analyzedBytes });
        },
      },
    });
    spoolPath = capture.spoolPath;
    await makeTlsTraffic(pki, host);
    if (stallClient) await new Promise((r) => (stallClient!.exitCode !== null ? r(null) : stallClient!.once('exit', r)));
    const result = await capture.stop();

    // The helper wrote what arrived during the stall: the file was ahead of the analysis.
    expect(during.length).toBe(1);
    expect(during[0]!.fileBytes).toBeGreaterThan(during[0]!.analyzedBytes);
    // Caught up: every packet the helper took is in the file and was analyzed.
    expect(result.stats.droppedByHelper).toBe(0);
    expect(result.stats.received).toBe(result.packets);
    expect(result.stats.analyzedBytes).toBe(statSync(result.spoolPath).size);
    expect(tsharkPacketCount(result.spoolPath)).toBe(result.packets);
    expect(result.sessions.map((s) => s.sni).sort()).toEqual([null, 'other.tlswb.test', pki.serverName, 'stall.tlswb.test'].sort());
  });
});
