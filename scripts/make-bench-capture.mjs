#!/usr/bin/env node
// Makes (once, then reuses) the benchmark capture: many real TLS handshakes on
// loopback between Node's own tls client and server, recorded by dumpcap.
//
//   node scripts/make-bench-capture.mjs [--handshakes 20000] [--force]
//   TLSWB_BENCH_CACHE=/some/dir   (default: <repo>/.bench-cache, git-ignored)
//
// Mix: TLS 1.2 and 1.3 (half each), RSA 2048 and EC P-256 servers, a small
// request and a response of a few records each, so 20,000 handshakes make
// ~64 MB and ~300,000 packets. Each server listens on its own 127.x.y.z:443
// (tshark decodes 443 as TLS without -d). dumpcap runs with a 256 MiB buffer;
// a capture that dropped packets is refused and retried at a lower rate.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect as connectTcp, createServer as createNetServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { connect, createServer } from 'node:tls';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Bump when the traffic changes, so a stale cached capture is not reused. */
const RECIPE_VERSION = 3;
const SERVER_NAME = 'bench.tlswb.test';

export function benchCacheDir() {
  return resolve(process.env.TLSWB_BENCH_CACHE || join(repoRoot, '.bench-cache'));
}

function parseArgs(argv) {
  const options = { handshakes: 20000, force: false, concurrency: 12, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--handshakes') options.handshakes = Number(argv[++i]);
    else if (arg === '--concurrency') options.concurrency = Number(argv[++i]);
    else if (arg === '--force') options.force = true;
    else if (arg === '--quiet') options.quiet = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!Number.isInteger(options.handshakes) || options.handshakes < 1) throw new Error('--handshakes must be a positive integer');
  return options;
}

function makeIdentity(dir, name, keyArgs) {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  if (!existsSync(cert)) {
    execFileSync('openssl', ['req', '-x509', '-newkey', ...keyArgs, '-nodes', '-keyout', key, '-out', cert,
      '-days', '3650', '-subj', `/CN=${SERVER_NAME}/O=tlswb bench`, '-addext', `subjectAltName=DNS:${SERVER_NAME}`],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

function canListen(host, port) {
  return new Promise((resolveListen) => {
    const server = createNetServer();
    server.once('error', () => resolveListen(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolveListen(true)));
  });
}

async function freeLoopbackHost() {
  for (let i = 0; i < 50; i++) {
    const host = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 256)}.${2 + Math.floor(Math.random() * 250)}`;
    if (await canListen(host, 443)) return host;
  }
  throw new Error('no free loopback address');
}

/**
 * Starts dumpcap; `ready` resolves once the capture is live. "Capturing on"
 * comes too early (traffic started then loses its first packets), so it
 * knocks on `probe` (a SYN, answered by RST: nothing listens there yet) until
 * dumpcap's running count ("Packets: N") shows the knock arrived.
 */
function startDumpcap(file, filter, probe) {
  const child = spawn('dumpcap', ['-i', 'lo', '-f', filter, '-w', file, '-B', '256'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  child.stderr.setEncoding('utf8');
  const exited = new Promise((resolveExit) => child.on('close', (code) => resolveExit(code)));
  const knock = () => {
    const socket = connectTcp({ host: probe.host, port: probe.port });
    socket.on('error', () => undefined);
    socket.on('connect', () => socket.destroy());
  };
  let knocking = null;
  const ready = new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => { clearInterval(knocking); reject(new Error(`dumpcap did not start: ${text}`)); }, 15000);
    child.stderr.on('data', (chunk) => {
      text += chunk;
      if (knocking === null && /Capturing on/.test(text)) {
        knock();
        knocking = setInterval(knock, 200);
      }
      if (/Packets: [1-9]/.test(text)) { clearTimeout(timer); clearInterval(knocking); resolveReady(); }
    });
    child.on('close', () => { clearTimeout(timer); clearInterval(knocking); reject(new Error(`dumpcap exited: ${text}`)); });
  });
  return {
    ready,
    async stop() {
      await new Promise((r) => setTimeout(r, 500));
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(timer);
      const m = /received\/dropped on interface .*?: (\d+)\/(\d+) \(pcap:(\d+)\/dumpcap:(\d+)/.exec(text);
      const captured = /Packets captured: (\d+)/.exec(text);
      return {
        packets: captured ? Number(captured[1]) : null,
        dropped: m ? Number(m[2]) + Number(m[3]) + Number(m[4]) : null,
        text,
      };
    },
    kill() { child.kill('SIGKILL'); },
  };
}

/**
 * A server that answers each request line "GET <n> <padding>\n" with n bytes,
 * and closes when the client does. Requests and answers go one at a time
 * (ping-pong), so each is its own segment, as in a chatty HTTP/1.1 exchange.
 */
function startServer(host, port, identity) {
  const server = createServer({ ...identity, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' }, (socket) => {
    socket.on('error', () => undefined);
    let pending = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => {
      pending += chunk;
      let newline;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const m = /^GET (\d+)/.exec(pending);
        pending = pending.slice(newline + 1);
        if (m) socket.write(Buffer.alloc(Math.min(Number(m[1]), 1 << 16), 0x61));
      }
    });
    socket.on('end', () => socket.end());
  });
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => resolveListen(server));
  });
}

/** One client connection: handshake, 1 or 2 request/answer rounds, close. */
function oneHandshake(host, port, index) {
  return new Promise((resolveDone, reject) => {
    const tls13 = index % 2 === 0;
    const rounds = index % 3 === 0 ? 1 : 2;
    const answerBytes = 30 + ((index * 7919) % 100);
    let round = 0;
    let received = 0;
    const ask = () => socket.write(`GET ${answerBytes} ${'x'.repeat(10 + ((index + round) % 50))}\n`);
    const socket = connect({
      host, port, servername: SERVER_NAME, rejectUnauthorized: false,
      minVersion: tls13 ? 'TLSv1.3' : 'TLSv1.2', maxVersion: tls13 ? 'TLSv1.3' : 'TLSv1.2',
      ALPNProtocols: index % 3 === 0 ? ['h2', 'http/1.1'] : ['http/1.1'],
    }, ask);
    socket.on('data', (chunk) => {
      received += chunk.length;
      if (received < answerBytes) return;
      received -= answerBytes;
      round++;
      if (round < rounds) ask();
      else socket.end();
    });
    socket.on('close', () => (round === rounds ? resolveDone() : reject(new Error(`only ${round}/${rounds} rounds`))));
    socket.on('error', reject);
    socket.setTimeout(20000, () => socket.destroy(new Error('timeout')));
  });
}

async function runTraffic(hosts, handshakes, concurrency, log) {
  let next = 0;
  let failed = 0;
  const started = Date.now();
  async function worker() {
    while (next < handshakes) {
      const index = next++;
      // Half the connections go to the EC server (index / 2 so both versions meet both servers).
      const host = hosts[Math.floor(index / 2) % 2];
      try {
        await oneHandshake(host, 443, index);
      } catch {
        failed++;
      }
      if (index % 2000 === 1999) log(`  ${index + 1}/${handshakes} handshakes, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return failed;
}

/** Returns the capture's path, making it first when it is not cached yet. */
export async function ensureBenchCapture({ handshakes = 20000, force = false, concurrency = 12, quiet = false } = {}) {
  const log = quiet ? () => undefined : (line) => process.stderr.write(`${line}\n`);
  const dir = benchCacheDir();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-v${RECIPE_VERSION}-${handshakes}.pcapng`);
  if (existsSync(file) && !force) return file;

  const rsa = makeIdentity(dir, 'bench-rsa', ['rsa:2048']);
  const ec = makeIdentity(dir, 'bench-ec', ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  for (let attempt = 0; attempt < 3; attempt++) {
    // Two servers, each on its own address and port 443: RSA on the first, EC on the second.
    const hosts = [await freeLoopbackHost(), await freeLoopbackHost()];
    const partial = `${file}.partial`;
    rmSync(partial, { force: true });
    log(`making ${file}: ${handshakes} handshakes to ${hosts.join(', ')} port 443, concurrency ${concurrency}`);
    const dumpcap = startDumpcap(partial, `(host ${hosts[0]} or host ${hosts[1]}) and tcp port 443`, { host: hosts[0], port: 443 });
    await dumpcap.ready;
    const servers = [await startServer(hosts[0], 443, rsa), await startServer(hosts[1], 443, ec)];
    let failed;
    try {
      failed = await runTraffic(hosts, handshakes, concurrency, log);
    } finally {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    }
    const stats = await dumpcap.stop();
    const size = existsSync(partial) ? statSync(partial).size : 0;
    log(`  dumpcap: ${stats.packets} packets, ${stats.dropped} dropped, ${(size / 1e6).toFixed(1)} MB, ${failed} failed connections`);
    if (stats.dropped === 0 && failed === 0) {
      renameSync(partial, file);
      writeFileSync(`${file}.json`, JSON.stringify({ handshakes, packets: stats.packets, bytes: size, hosts }, null, 1) + '\n');
      return file;
    }
    concurrency = Math.max(1, Math.floor(concurrency / 2));
    log(`  dropped packets or failed connections: retrying with concurrency ${concurrency}`);
  }
  throw new Error('could not make a bench capture without drops');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const options = parseArgs(process.argv.slice(2));
  ensureBenchCapture(options).then((file) => {
    process.stdout.write(`${file}\n`);
  }, (error) => {
    process.stderr.write(`make-bench-capture: ${error.message}\n`);
    process.exit(1);
  });
}
