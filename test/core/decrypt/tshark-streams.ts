import { execFileSync } from 'node:child_process';

/**
 * tshark's view of a capture, for the decryption tests: the TCP payload of
 * each connection in wire order (`-z follow,tcp,raw`), and, given a key log,
 * what tshark decrypts (`-z follow,tls,raw`, record and handshake types).
 */
export interface StreamChunk {
  from: 'client' | 'server';
  bytes: Uint8Array;
}

function tshark(args: string[]): string {
  return execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 60_000 });
}

export function tcpStreamIds(file: string): number[] {
  const out = tshark(['-r', file, '-T', 'fields', '-e', 'tcp.stream', '-Y', 'tcp.len > 0']);
  return [...new Set(out.split('\n').filter(Boolean).map(Number))].sort((a, b) => a - b);
}

/**
 * `-z follow,<proto>,raw,N` prints each chunk as one hex line, node 1's
 * indented with a tab. For tcp node 0 sent the first packet (the client);
 * for tls it is whoever sent the first decrypted data, so `Node 0: addr:port`
 * is compared with the server's port.
 */
function follow(file: string, proto: 'tcp' | 'tls', streams: number[], serverPort: number, extra: string[] = []): StreamChunk[][] {
  const args = ['-r', file, '-q', ...extra];
  for (const s of streams) args.push('-z', `follow,${proto},raw,${s}`);
  const out = tshark(args);
  // tshark prints the follow taps in no promised order: put them back in stream order.
  const blocks = out.split(/^=+$/m).filter((b) => /Filter: /.test(b))
    .sort((a, b) => streamOf(a) - streamOf(b));
  return blocks.map((block) => {
    const chunks: StreamChunk[] = [];
    const node0 = /^Node 0: .*:(\d+)$/m.exec(block);
    const node0IsServer = node0 !== null && Number(node0[1]) === serverPort;
    for (const line of block.split('\n')) {
      const m = /^(\t?)([0-9a-f]+)$/.exec(line);
      if (m) chunks.push({ from: !!m[1] !== node0IsServer ? 'server' : 'client', bytes: Buffer.from(m[2]!, 'hex') });
    }
    return chunks;
  });
}

function streamOf(block: string): number {
  return Number(/Filter: tcp\.stream eq (\d+)/.exec(block)?.[1] ?? -1);
}

export function tcpChunks(file: string, streams: number[], serverPort: number): StreamChunk[][] {
  return follow(file, 'tcp', streams, serverPort);
}

/** Application data as tshark decrypts it with `keylog`, per stream and direction. */
export function tlsDecryptedAppData(file: string, streams: number[], serverPort: number, keylog: string): { client: Buffer; server: Buffer }[] {
  return follow(file, 'tls', streams, serverPort, ['-o', `tls.keylog_file:${keylog}`]).map((chunks) => ({
    client: Buffer.concat(chunks.filter((c) => c.from === 'client').map((c) => c.bytes)),
    server: Buffer.concat(chunks.filter((c) => c.from === 'server').map((c) => c.bytes)),
  }));
}

export interface TsharkTlsView {
  /** Per stream, per direction: every record's real content type, in order. */
  contentTypes: Map<number, { client: number[]; server: number[] }>;
  /** Per stream, per direction: every handshake message type tshark decoded, in order. */
  handshakeTypes: Map<number, { client: number[]; server: number[] }>;
}

/** Record and handshake types as tshark shows them with the key log (TLS 1.3: the inner content type). */
export function tsharkTlsView(file: string, keylog: string, serverPort: number): TsharkTlsView {
  const out = tshark(['-r', file, '-o', `tls.keylog_file:${keylog}`, '-Y', 'tls', '-T', 'fields', '-E', 'occurrence=a',
    '-e', 'tcp.stream', '-e', 'tcp.srcport', '-e', 'tls.record.content_type', '-e', 'tls.handshake.type']);
  const contentTypes: TsharkTlsView['contentTypes'] = new Map();
  const handshakeTypes: TsharkTlsView['handshakeTypes'] = new Map();
  for (const line of out.split('\n').filter(Boolean)) {
    const [stream, port, types, handshakes] = line.split('\t') as [string, string, string, string];
    const side = Number(port) === serverPort ? 'server' : 'client';
    const id = Number(stream);
    if (!contentTypes.has(id)) contentTypes.set(id, { client: [], server: [] });
    if (!handshakeTypes.has(id)) handshakeTypes.set(id, { client: [], server: [] });
    if (types) contentTypes.get(id)![side].push(...types.split(',').map(Number));
    if (handshakes) handshakeTypes.get(id)![side].push(...handshakes.split(',').map(Number));
  }
  return { contentTypes, handshakeTypes };
}
