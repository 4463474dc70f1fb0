/**
 * Passthrough tunnels recorded by the relay in C (leg_recording.c) against
 * the same traffic recorded in JavaScript (LegRecorder nativeRecording off,
 * as TLSWB_NATIVE_RECORDING=off): tshark must read both without a warning
 * and see the same frames. Lock-step traffic (each side waits for the
 * other's whole message) reaches the relay in the same chunks every run, so
 * frame by frame the facts must be equal; curl and openssl through the
 * proxy (real TLS) must give clean files with the same handshakes.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ForwardProxy } from '../../../electron/services/proxy/forward-proxy';
import { LegRecorder } from '../../../electron/services/proxy/leg-recorder';
import { nativeTunnelRelay } from '../../../electron/services/proxy/native-tunnel-relay';
import type { ProxyEvent } from '../../../electron/services/proxy/proxy-types';
import { expectCleanCapture, makeServerIdentity } from '../../integration/proxy-support';
import { freeLoopbackAddress, runCurl, runOpenSslClient, startOpenSslServer, stopAllSpawned, type OpenSslServer } from '../../support/real-peers';

const relay = nativeTunnelRelay();

/** Reads exactly `n` bytes (or what came before the end). */
function readExactly(s: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const got: Buffer[] = [];
    let have = 0;
    const done = (): void => {
      s.removeListener('data', on);
      s.removeListener('end', done);
      resolve(Buffer.concat(got));
    };
    const on = (d: Buffer): void => {
      got.push(d);
      have += d.length;
      if (have >= n) done();
    };
    s.on('data', on);
    s.once('end', done);
  });
}

function ended(s: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (s.readableEnded) resolve();
    else s.once('end', () => resolve()).resume();
  });
}

/** Each exchange: the client sends `up` bytes, the origin answers `down` bytes once it has them all. */
const EXCHANGES = [[1, 100], [1000, 16_000], [7, 1], [3000, 0], [16_000, 5]] as const;

async function recordOnce(file: string, native: boolean, originPort: number): Promise<{ events: ProxyEvent[]; appended: number; openedInC: number; adoptedWithLegs: number }> {
  const recorder = await LegRecorder.create({ file, nativeRecording: native });
  const adopt = vi.spyOn(relay!, 'adopt');
  const appended = vi.spyOn(recorder, 'appendBlocks');
  const openedInC = vi.spyOn(recorder, 'legStart');
  const events: ProxyEvent[] = [];
  const proxy = await ForwardProxy.start({ host: '127.0.0.1', port: 0, recorder, onEvent: (e) => events.push(e) });
  const port = proxy.address.port;
  const tunnel = async (host: string): Promise<Socket> => {
    const s = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    s.setNoDelay(true);
    s.write(`CONNECT ${host}:${originPort} HTTP/1.1\r\n\r\n`);
    const head = await readExactly(s, 39);
    expect(head.toString('latin1')).toBe('HTTP/1.1 200 Connection established\r\n\r\n');
    return s;
  };
  // One tunnel per way to end: the client's FIN first, the origin's first, a reset by the client; and a host name
  // target (Node connects, then the relay adopts both sockets: their legs' states are handed over, not opened in C).
  for (const [ending, host] of [['client-fin', '127.0.0.1'], ['origin-fin', '127.0.0.1'], ['client-rst', '127.0.0.1'], ['client-fin', 'localhost']] as const) {
    const s = await tunnel(host);
    for (const [up, down] of EXCHANGES) {
      s.write(randomBytes(up));
      if (down) await readExactly(s, down);
      else await new Promise((r) => setTimeout(r, 30));
    }
    if (ending === 'client-fin') {
      s.end();
      await ended(s);
    } else if (ending === 'origin-fin') {
      s.write(Buffer.from('bye'));
      await ended(s);
      s.end();
    } else {
      s.resetAndDestroy();
    }
    const closed = events.filter((e) => e.type === 'tunnel-closed').length;
    for (let i = 0; i < 200 && events.filter((e) => e.type === 'tunnel-closed').length === closed; i++) await new Promise((r) => setTimeout(r, 10));
  }
  await proxy.close();
  await recorder.close();
  const adoptedWithLegs = adopt.mock.calls.filter((call) => call[6] !== undefined).length;
  adopt.mockRestore();
  return { events, appended: appended.mock.calls.length, openedInC: openedInC.mock.calls.length, adoptedWithLegs };
}

/** expectCleanCapture, except that a RST (the reset this test makes) is what tshark warns about rightly; checksums checked. */
function expectCleanButResets(file: string): void {
  const r = spawnSync('tshark', ['-r', file, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-Y',
    '(_ws.expert.severity >= 6291456 && !(tcp.flags.reset == 1)) || _ws.malformed || tcp.checksum.status != 1 || (ip && ip.checksum.status != 1)'],
  { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout.trim(), 'frames with warnings or errors').toBe('');
}

/** Per frame: stream, flags, relative seq/ack, length, window, checksum statuses. */
function frameFacts(file: string): string[] {
  const r = spawnSync('tshark', ['-r', file, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-T', 'fields',
    '-e', 'tcp.stream', '-e', 'tcp.flags', '-e', 'tcp.seq', '-e', 'tcp.ack', '-e', 'tcp.len', '-e', 'tcp.window_size_value',
    '-e', 'tcp.checksum.status', '-e', 'ip.checksum.status', '-e', 'ipv6.plen', '-e', 'tls.handshake.type', '-e', 'frame.comment'], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim().split('\n');
}

describe.skipIf(!relay?.recordsLegs)('passthrough recorded by the relay in C, against the JavaScript recording', () => {
  let dir: string;
  let origin: Server;
  let originPort = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tlswb-crecord-'));
    origin = createServer({ allowHalfOpen: true }, (s) => {
      s.setNoDelay(true);
      void (async () => {
        for (const [up, down] of EXCHANGES) {
          await readExactly(s, up);
          if (down) s.write(randomBytes(down));
        }
        // 'bye' (the origin ends first) or the client's end / reset.
        const last = await readExactly(s, 3);
        if (last.length === 3) s.end();
        else if (!s.destroyed) s.end();
      })();
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
    originPort = (origin.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise<void>((r) => origin.close(() => r()));
    await stopAllSpawned();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives frame for frame what JavaScript records (data, FINs either way, a reset, an adopted tunnel), clean for tshark, with the same byte counts', async () => {
    const c = await recordOnce(join(dir, 'c.pcapng'), true, originPort);
    const js = await recordOnce(join(dir, 'js.pcapng'), false, originPort);
    // The C recording did come from the relay; the other did not.
    expect(c.appended).toBeGreaterThan(0);
    expect(js.appended).toBe(0);
    // The three tunnels to an IP address were connected, answered and recorded by the relay from their first frame
    // (listen's fast path numbering them: their legs' comments below are the same as JavaScript's): no leg started here.
    expect(c.openedInC).toBe(0);
    expect(js.openedInC).toBe(0);
    // The host name target's tunnel: adopted with its legs' states (recorded in C from there on).
    expect(c.adoptedWithLegs).toBe(1);
    expect(js.adoptedWithLegs).toBe(0);
    expectCleanButResets(join(dir, 'c.pcapng'));
    expectCleanButResets(join(dir, 'js.pcapng'));
    const cFacts = frameFacts(join(dir, 'c.pcapng'));
    const jsFacts = frameFacts(join(dir, 'js.pcapng'));
    expect(cFacts.length).toBeGreaterThan(100);
    expect(cFacts).toEqual(jsFacts);
    const closed = (events: ProxyEvent[]): unknown[] => events.filter((e) => e.type === 'tunnel-closed').map((e) => ({ ...e, tunnel: 0, target: '' }));
    expect(closed(c.events)).toHaveLength(4);
    expect(closed(c.events)).toEqual(closed(js.events));
    // Three resets: the client leg's, the upstream leg's (the proxy's); no checksum is 0xffff-for-zero or otherwise bad.
    expect(cFacts.filter((f) => (parseInt(f.split('\t')[1]!, 16) & 0x04) !== 0)).toHaveLength(2);
  });

  describe('with real TLS clients', () => {
    let server: OpenSslServer;
    let host: string;
    let identity: ReturnType<typeof makeServerIdentity>;

    beforeAll(async () => {
      host = await freeLoopbackAddress([443]);
      identity = makeServerIdentity(dir, 'origin', host);
      server = await startOpenSslServer({ host, port: 443, identity });
    });

    afterAll(async () => {
      await server?.stop();
    });

    /** curl -x and openssl s_client -proxy through a proxy recording into `file`; each tunnel's handshake types per leg. */
    async function clients(file: string, native: boolean): Promise<string[]> {
      const recorder = await LegRecorder.create({ file, nativeRecording: native });
      const proxy = await ForwardProxy.start({ host: '127.0.0.1', port: 0, recorder });
      const proxyPort = proxy.address.port;
      const curl = await runCurl(`https://${host}/via-curl`, { proxy: `http://127.0.0.1:${proxyPort}` });
      expect(curl.exit).toBe(0);
      expect(curl.httpCode).toBe(200);
      const sClient = await runOpenSslClient({ host, port: 443, args: ['-proxy', `127.0.0.1:${proxyPort}`, '-CAfile', identity.caCert] });
      expect(sClient.output).toMatch(/HTTP\/1\.0 200 ok/);
      await proxy.close();
      await recorder.close();
      expectCleanCapture(file);
      const r = spawnSync('tshark', ['-r', file, '-Y', 'tls.handshake.type', '-T', 'fields', '-e', 'tcp.stream', '-e', 'tls.handshake.type'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const byStream = new Map<string, string[]>();
      for (const line of r.stdout.trim().split('\n')) {
        const [stream, types] = line.split('\t');
        byStream.set(stream!, [...(byStream.get(stream!) ?? []), types!]);
      }
      const fins = spawnSync('tshark', ['-r', file, '-Y', 'tcp.flags.fin == 1 || tcp.flags.reset == 1', '-T', 'fields', '-e', 'tcp.stream', '-e', 'tcp.flags.str'], { encoding: 'utf8' });
      return [...[...byStream].map(([s, t]) => `${s}: ${t.join(' ')}`), ...fins.stdout.trim().split('\n').sort()];
    }

    it('curl and openssl s_client: clean files, the same handshakes and ends on every leg', async () => {
      const c = await clients(join(dir, 'tls-c.pcapng'), true);
      const js = await clients(join(dir, 'tls-js.pcapng'), false);
      // ClientHello (1) and ServerHello (2) on all four legs.
      expect(c.filter((l) => /^\d+: .*\b1\b.*/.test(l))).toHaveLength(4);
      expect(c).toEqual(js);
    });
  });
});
