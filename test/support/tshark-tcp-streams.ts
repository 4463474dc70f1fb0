/**
 * The bytes of each TCP connection in a capture, by direction, as tshark
 * reassembles them (`-z follow,tcp,raw`); the client is the side that sent
 * the SYN. For the proxy's recordings: what Wireshark users will see.
 */
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';

export interface TsharkTcpStream {
  clientPort: number;
  serverPort: number;
  fromClient: Buffer;
  fromServer: Buffer;
  /** Packets with RST set. */
  resets: number;
}

export function tsharkTcpStreams(file: string): TsharkTcpStream[] {
  const syns = spawnSync('tshark', ['-r', file, '-Y', 'tcp.flags.syn == 1 && tcp.flags.ack == 0', '-T', 'fields', '-e', 'tcp.stream', '-e', 'tcp.srcport', '-e', 'tcp.dstport'],
    { encoding: 'utf8', timeout: 60_000 });
  expect(syns.status, syns.stderr).toBe(0);
  const out: TsharkTcpStream[] = [];
  for (const line of syns.stdout.trim().split('\n').filter(Boolean)) {
    const [stream, clientPort, serverPort] = line.split('\t').map(Number) as [number, number, number];
    const follow = spawnSync('tshark', ['-r', file, '-q', '-z', `follow,tcp,raw,${stream}`], { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
    expect(follow.status, follow.stderr).toBe(0);
    const body = follow.stdout.split(/^Node 1: .*$/m)[1]!.split(/^=+$/m)[0]!;
    let fromClient = '';
    let fromServer = '';
    for (const l of body.split('\n')) {
      if (!l.trim()) continue;
      if (l.startsWith('\t')) fromServer += l.trim();
      else fromClient += l.trim();
    }
    const rst = spawnSync('tshark', ['-r', file, '-Y', `tcp.stream == ${stream} && tcp.flags.reset == 1`, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', timeout: 60_000 });
    out.push({
      clientPort, serverPort,
      fromClient: Buffer.from(fromClient, 'hex'), fromServer: Buffer.from(fromServer, 'hex'),
      resets: rst.stdout.trim().split('\n').filter(Boolean).length,
    });
  }
  return out;
}
