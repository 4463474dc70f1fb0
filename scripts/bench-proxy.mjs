#!/usr/bin/env node
// node scripts/bench-proxy.mjs [--n 300] [--concurrency 8] [--tunnels 1000] [--big-mb 32] [--check] [--json]
//
// Proxies compared in the same run, with the same Node client making N
// CONNECT + TLS + GET round trips (new TCP and TLS each time) through each:
//   passthrough: tlswb proxy (recording both legs to a pcapng) vs tinyproxy
//   intercept:   tlswb proxy --intercept (recording, with secrets) vs mitmdump
// Then throughput (one GET of --big-mb MB through each), and 1,000 concurrent
// tunnels held open through tlswb passthrough with its RSS before and after.
// The origin is a Node https server in its own process (keep-alive off).
// Targets: passthrough >= tinyproxy; intercept >= 2x mitmdump. --check exits 1 if missed.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, createServer } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tlswbBin = join(repoRoot, 'bin', 'tlswb.mjs');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const N = opt('n', 300);
const CONCURRENCY = opt('concurrency', 8);
const TUNNELS = opt('tunnels', 1000);
const BIG_MB = opt('big-mb', 32);
const host = '127.0.0.1';
const dir = mkdtempSync(join(tmpdir(), 'tlswb-bench-proxy-'));
const children = [];

function freePort() {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, host, () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });
}

function start(name, cmd, argv, ready, env) {
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  children.push(child);
  let out = '';
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${name} did not start: ${out.slice(-500)}`)), 20_000);
    const on = (d) => {
      out += d;
      if (ready.test(out)) {
        clearTimeout(timer);
        res(child);
      }
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.on('exit', (c) => rej(new Error(`${name} exited ${c}: ${out.slice(-500)}`)));
  });
}

async function stop(child) {
  if (child.exitCode !== null) return;
  child.kill('SIGINT');
  await new Promise((res) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      res();
    }, 5000);
    child.once('exit', () => {
      clearTimeout(t);
      res();
    });
  });
}

async function waitForPort(port) {
  for (let i = 0; i < 300; i++) {
    const ok = await new Promise((res) => {
      const s = netConnect({ host, port }, () => {
        s.destroy();
        res(true);
      });
      s.on('error', () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${port}`);
}

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CONNECT through the proxy, TLS to the origin (trusting `ca`), GET `path`; resolves with the bytes of the body+head. */
function roundTrip(proxyPort, originPort, ca, path) {
  return new Promise((res, rej) => {
    const raw = netConnect({ host, port: proxyPort }, () => raw.write(`CONNECT ${host}:${originPort} HTTP/1.1\r\nHost: ${host}:${originPort}\r\n\r\n`));
    raw.setNoDelay(true);
    let head = '';
    const onHead = (d) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      raw.removeListener('data', onHead);
      if (!/^HTTP\/1\.\d 200/.test(head)) return rej(new Error(`CONNECT: ${head.split('\r\n')[0]}`));
      const tls = tlsConnect({ socket: raw, ca, servername: 'localhost', ALPNProtocols: ['http/1.1'] }, () => {
        tls.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
      });
      let bytes = 0;
      tls.on('data', (d) => (bytes += d.length));
      tls.on('end', () => res(bytes));
      tls.on('error', rej);
    };
    raw.on('data', onHead);
    raw.on('error', rej);
  });
}

async function handshakes(proxyPort, originPort, ca) {
  let next = 0;
  let failures = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < N) {
      next++;
      try {
        await roundTrip(proxyPort, originPort, ca, '/');
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const s = (performance.now() - t0) / 1000;
  return { perSecond: (N - failures) / s, failures };
}

async function throughput(proxyPort, originPort, ca) {
  const t0 = performance.now();
  const bytes = await roundTrip(proxyPort, originPort, ca, '/big');
  return bytes / 1e6 / ((performance.now() - t0) / 1000);
}

async function holdTunnels(proxyPort, targetPort, count) {
  const sockets = [];
  for (let i = 0; i < count; i += 100) {
    const batch = await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => new Promise((res, rej) => {
      const s = netConnect({ host, port: proxyPort }, () => s.write(`CONNECT ${host}:${targetPort} HTTP/1.1\r\n\r\n`));
      s.once('data', (d) => (/ 200 /.test(d.toString()) ? res(s) : rej(new Error(d.toString()))));
      s.on('error', rej);
    })));
    sockets.push(...batch);
  }
  return sockets;
}

async function main() {
  // Origin: a Node https server in its own process.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'o.key'), '-out', join(dir, 'o.pem'),
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '2'], { stdio: 'ignore' });
  const ca = readFileSync(join(dir, 'o.pem'));
  const originPort = await freePort();
  const originJs = join(dir, 'origin.mjs');
  writeFileSync(originJs, `import https from 'node:https'; import net from 'node:net'; import fs from 'node:fs';
const big = Buffer.alloc(${BIG_MB} * 1e6, 7);
https.createServer({ key: fs.readFileSync('${join(dir, 'o.key')}'), cert: fs.readFileSync('${join(dir, 'o.pem')}') }, (req, res) => {
  res.setHeader('Connection', 'close'); res.end(req.url === '/big' ? big : 'ok\\n');
}).listen(${originPort}, '${host}', () => console.log('ready'));
net.createServer((s) => s.on('data', () => {})).listen(${originPort + 1 > 65535 ? originPort - 1 : originPort + 1}, '${host}');`);
  await start('origin', process.execPath, [originJs], /ready/);
  const holdPort = originPort + 1 > 65535 ? originPort - 1 : originPort + 1;

  const results = {};
  const run = async (name, launch, caFor) => {
    const port = await freePort();
    const child = await launch(port);
    const trust = caFor ? caFor() : ca; // after launch: mitmdump makes its CA when it starts
    // Warm up (CA/leaf made, caches filled, JIT of proxy, origin and client) before measuring.
    for (let i = 0; i < 30; i++) await roundTrip(port, originPort, trust, '/');
    const hs = await handshakes(port, originPort, trust);
    const mbps = await throughput(port, originPort, trust);
    results[name] = { handshakesPerSecond: Math.round(hs.perSecond), failures: hs.failures, throughputMBps: Math.round(mbps), rssMb: Math.round(rssMb(child.pid)) };
    if (name === 'tlswb passthrough') {
      const before = rssMb(child.pid);
      const held = await holdTunnels(port, holdPort, TUNNELS);
      const after = rssMb(child.pid);
      results[name].tunnelsHeld = held.length;
      results[name].rssBeforeTunnelsMb = Math.round(before);
      results[name].rssWithTunnelsMb = Math.round(after);
      for (const s of held) s.destroy();
    }
    await stop(child);
  };

  await run('tlswb passthrough', (port) =>
    start('tlswb', process.execPath, [tlswbBin, 'proxy', '--port', String(port), '-w', join(dir, 'pass.pcapng')], /listening on/));
  await run('tinyproxy', async (port) => {
    const conf = join(dir, 'tinyproxy.conf');
    writeFileSync(conf, `Port ${port}\nListen ${host}\nTimeout 60\nMaxClients 2000\nLogLevel Error\nConnectPort ${originPort}\nConnectPort ${holdPort}\n`);
    const child = spawn('tinyproxy', ['-d', '-c', conf], { stdio: 'ignore' });
    children.push(child);
    await waitForPort(port);
    return child;
  });
  const caDir = join(dir, 'tlswb-ca');
  execFileSync(process.execPath, [tlswbBin, 'ca', '--export', join(dir, 'tlswb-ca.pem'), '--ca-dir', caDir], { stdio: 'ignore' });
  await run('tlswb intercept', (port) =>
    start('tlswb', process.execPath, [tlswbBin, 'proxy', '--port', String(port), '--intercept', '--ca-dir', caDir,
      '--upstream-ca', join(dir, 'o.pem'), '-w', join(dir, 'int.pcapng')], /listening on/), () => readFileSync(join(dir, 'tlswb-ca.pem')));
  const mitmConf = join(dir, 'mitm');
  await run('mitmdump', (port) =>
    (async () => {
      const child = spawn('mitmdump', ['--listen-host', host, '-p', String(port), '--set', `confdir=${mitmConf}`, '-q',
        '--set', `ssl_verify_upstream_trusted_ca=${join(dir, 'o.pem')}`], { stdio: 'ignore' });
      children.push(child);
      await waitForPort(port);
      return child;
    })(), () => readFileSync(join(mitmConf, 'mitmproxy-ca-cert.pem'))).catch(async (e) => {
    results.mitmdump = { error: String(e.message ?? e) };
  });
  return results;
}

let exit = 0;
try {
  const r = await main();
  const p = r['tlswb passthrough'];
  const t = r.tinyproxy;
  const i = r['tlswb intercept'];
  const m = r.mitmdump;
  if (args.includes('--json')) console.log(JSON.stringify(r, null, 2));
  else {
    console.log(`N=${N} round trips each, concurrency ${CONCURRENCY}, ${BIG_MB} MB for throughput`);
    for (const [name, v] of Object.entries(r)) console.log(`${name.padEnd(18)} ${JSON.stringify(v)}`);
  }
  const passRatio = p && t ? p.handshakesPerSecond / t.handshakesPerSecond : NaN;
  const intRatio = i && m && m.handshakesPerSecond ? i.handshakesPerSecond / m.handshakesPerSecond : NaN;
  console.log(`passthrough / tinyproxy: ${passRatio.toFixed(2)}x (target >= 1); intercept / mitmdump: ${intRatio.toFixed(2)}x (target >= 2)`);
  if (args.includes('--check') && !(passRatio >= 1 && intRatio >= 2)) exit = 1;
} catch (e) {
  console.error(`bench-proxy: ${e.stack ?? e}`);
  exit = 1;
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exit);
