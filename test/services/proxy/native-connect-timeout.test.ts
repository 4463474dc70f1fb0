import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { nativeTunnelRelay } from '../../../electron/services/proxy/native-tunnel-relay';

/**
 * The native relay's connects give up after their timeout (one timer for all
 * of them, see NativeTunnelRelay.connecting), and only the late ones: a
 * listener that never accepts and whose accept queue is full drops further
 * SYNs, so a connect to it stays pending.
 */
describe('native relay connect timeout', () => {
  const peers: ChildProcess[] = [];
  const fillers: Socket[] = [];
  afterAll(() => {
    for (const s of fillers) s.destroy();
    for (const p of peers) p.kill();
  });

  /** A port listened on with backlog 0 by a process that never accepts. */
  async function silentListener(): Promise<number> {
    const p = spawn('python3', ['-c', [
      'import socket, time',
      's = socket.socket()',
      "s.bind(('127.0.0.1', 0))",
      's.listen(0)',
      'print(s.getsockname()[1], flush=True)',
      'time.sleep(60)',
    ].join('\n')], { stdio: ['ignore', 'pipe', 'inherit'] });
    peers.push(p);
    const line = await new Promise<string>((resolve) => p.stdout!.once('data', (d: Buffer) => resolve(d.toString())));
    return Number(line.trim());
  }

  it('times out a connect that gets no answer, each at its own limit, while one that is answered succeeds', async () => {
    const relay = nativeTunnelRelay();
    expect(relay).not.toBeNull();
    const port = await silentListener();
    // Fill the accept queue (backlog 0 takes one connection; a few more to be sure): later SYNs are dropped.
    for (let i = 0; i < 4; i++) {
      const s = connect(port, '127.0.0.1');
      s.on('error', () => undefined);
      fillers.push(s);
    }
    await new Promise((r) => setTimeout(r, 200));
    const answering = await new Promise<Server>((resolve) => {
      const server = createServer((c: Socket) => c.destroy());
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
    const answeringPort = (answering.address() as AddressInfo).port;

    // What was settled when: the longer limit must still be pending when the shorter one gave up.
    const settled: string[] = [];
    const lateP = relay!.connect('127.0.0.1', port, 300).then((r) => {
      settled.push('late');
      return r;
    });
    const longP = relay!.connect('127.0.0.1', port, 3_000).then((r) => {
      settled.push('long');
      return r;
    });
    const ok = await relay!.connect('127.0.0.1', answeringPort, 300);
    const late = await lateP;
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toEqual(['late']);
    const long = await longP;
    answering.close();
    expect(late).toEqual({ ok: false, code: 'ETIMEDOUT', timedOut: true });
    expect(ok.ok).toBe(true);
    if (ok.ok) relay!.close(ok.id);
    // The longer limit is not cut short by the shorter one's timer, and is not forgotten either.
    expect(settled).toEqual(['late', 'long']);
    expect(long).toEqual({ ok: false, code: 'ETIMEDOUT', timedOut: true });
  }, 15_000);
});
