/**
 * A raw client of the proxy for tests that send request heads byte by byte:
 * what it sent and what came back (latin1), for the native relay's tests.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** Sends `pieces` one by one (a pause between), then reads until the proxy closes, or until `until` matches what came. */
export function exchange(port: number, pieces: string[], until?: RegExp): Promise<{ text: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    let text = '';
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      resolve({ text, socket });
    };
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (until?.test(text)) finish();
    });
    socket.once('end', finish);
    socket.once('close', finish);
    socket.once('error', (e) => (done ? undefined : reject(e)));
    socket.once('connect', async () => {
      for (const p of pieces) {
        socket.write(p);
        await new Promise((r) => setTimeout(r, 30));
      }
    });
  });
}

/** An origin that says "hello\n" first, then answers each chunk with "echo " and the chunk, and ends when the client does. */
export async function startHelloEchoOrigin(): Promise<{ server: Server; port: number }> {
  const server = createServer({ allowHalfOpen: true }, (s) => {
    s.write('hello\n');
    s.on('data', (d: Buffer) => s.write(`echo ${d.toString('latin1')}`));
    s.on('end', () => s.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}
