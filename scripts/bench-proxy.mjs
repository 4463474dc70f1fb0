#!/usr/bin/env node
// node scripts/bench-proxy.mjs [--n 1200] [--concurrency 8] [--rounds 6] [--tunnels 1000] [--big-mb 32]
//                              [--only passthrough|intercept] [--baseline OTHER_BUILD/dist/cli/tlswb.mjs]
//                              [--tlswb BUILD/dist/cli/tlswb.mjs] [--warmup 600] [--check] [--json] [--no-record]
// --big-mb 0 skips the throughput rounds; --tunnels 0 the held tunnels.
// --resume: the client resumes its TLS session with each proxy (as browsers do) instead of a full handshake every time.
//
// Proxies compared in the same run, with the same Node client making N
// CONNECT + TLS + GET round trips (new TCP and TLS each time) through each:
//   passthrough: tlswb proxy (recording both legs to a pcapng) vs tinyproxy
//   intercept:   tlswb proxy --intercept (recording, with secrets) vs mitmdump
// All proxies run side by side; the N round trips of each are split into
// --rounds blocks run alternately (A B, then B A, ...), then as many rounds
// of one GET of --big-mb MB through each, so that the noise of a shared
// machine falls on both sides alike. Reported: each proxy's rate over all its
// blocks, every round's rate and the ratio per round, the CPU time each proxy
// used per round trip (user + system of the process and its children, from /proc); the median throughput and
// the CPU each proxy used per MB downloaded.
// Then 1,000 concurrent tunnels held open through tlswb passthrough with its
// RSS before and after. The origin is a Node https server in its own process
// (keep-alive off).
// Targets: passthrough >= tinyproxy; intercept >= 2x mitmdump. --check exits 1 if missed.
// The recordings go to os.tmpdir() (TMPDIR). Session 4 blamed their disk writes for passthrough's CPU per MB
// (system time 2,400-4,600 us/MB). Session 5 found the two real causes: on this VM, page-cache pages the guest
// had not used lately cost ~2 ms of system time per MB written (the hypervisor maps them in again; the same
// writes into recycled pages ~0.2), and batches handed to libuv's pool were reallocated whenever the pool lagged
// (~400 per 128 MB relayed: external memory that kept V8 in full collections). Now the recorder writes each batch
// at once from one reused buffer and drops the written pages behind it (writeBehind): ~1,600-1,800 us/MB
// (tinyproxy ~1,450-1,550), at tinyproxy's MB/s or above.
// Round-trip rate (session 5): the machine is CPU-bound at concurrency 8 (client and origin TLS take ~2 ms of CPU
// per round trip), so each proxy's rate follows its CPU per round trip: tlswb ~260-350 us (user ~110-180, sys ~130-175)
// vs tinyproxy ~170-210 (user ~20-40), i.e. ~0.91-0.99x. Two identical tlswb builds in one run differ by up to
// ~40 us per round trip and ~10% per round: a change below that needs many runs. --no-record: ~50-60 us of it is
// the recording. To see where it goes: BENCH_PROXY_NODE_ARGS=--perf-basic-prof and `perf record -g -p PID`.
// The CPU figures here come from /proc's utime+stime in 10 ms ticks per block, and the "tlswb" slot reads high:
// session 5 (under chrt -r 50, builds swapped between the slots) found it 0-45 us per round trip above "baseline"
// whichever build was in it. For a change of ~20 us, compare each proxy's total CPU from start to exit instead
// (the sum of /proc/PID/task/*/schedstat's first field, sampled until it exits: the same startup and round trips
// for both builds), with the builds swapped between the slots, over several runs (noise: ~+-10 us per round trip).
// Reported now: schedUsPerRoundTrip (schedstat over the rounds, ns precision; live threads only, so it misses
// tinyproxy's exited per-connection threads: use cpuUsPerRoundTrip for it) and totalCpuMs (start to exit).
// Session 6 (relayed tunnels recorded in C, leg_recording.c; 2 cores, load ~1.5-7 from the other engineer, chrt -r 50,
// slots swapped every run): the default N=1200 still includes JIT warm-up, N=6000 is the steady state.
//   First step (the relay records after the hand-over, JavaScript still synthesizing each tunnel's opening):
//     N=6000 ~221 vs the start's ~229 us per round trip (schedstat, slot-balanced ~-8 to -11); --no-record ~186.
//   With the opening in C too (TunnelLegs holds it, attach's prelude; no JavaScript synthesizer per tunnel):
//     N=6000 (4 runs): ~234 vs the start's ~256 (slot-balanced ~-22 us, ~9 %; total CPU -5.5 %); --no-record ~205 vs
//     recording ~210: the recording costs ~5 us per round trip (was ~30). N=1200 (4 runs): ~255 vs ~287 (-11 %,
//     total CPU -10 %). Rate 0.93-0.97x tinyproxy's (the start 0.92-0.95x); tinyproxy ~145-175 us (stat).
//   Adopted tunnels too, the bytes before the hand-over as prelude events (final build): N=1200 (4 runs) ~262 vs ~302
//     (-13 %, total CPU -11 %); N=6000 (2 runs) 234/216 vs 226/239 (slot-balanced ~-8, total CPU ~-12 us per round trip).
//   --big-mb 32: 323-411 MB/s, like the start (321-416) and tinyproxy (292-372); user CPU per MB ~260-420 us (start
//     ~420-520: large recorded chunks are written from where the relay delivered them, not copied into the batch).
// Then (lead, quiet machine, no chrt): the fast path (connect_head.c: the relay connects and answers a plain CONNECT
//   to an IP address itself) and its tunnels recorded in C from their first frame (leg_start, takeNumber): default
//   runs 1.04x, 1.07x, 1.05x tinyproxy's rate, 258-275 us per round trip (user ~100) vs tinyproxy's 233-242; the full
//   bench: passthrough 1.07x, 380 vs 357 MB/s, intercept 2.41x mitmdump, 1,000 tunnels held at 72 -> 72 MB. Its
//   rounds still rise (the last ones ~1.1-1.2x): the per-tunnel JavaScript left is optimized after ~1,500 tunnels.
//   `tlswb proxy` now sets V8's --interrupt-budget to 16384 (a quarter): that code is optimized ~4x sooner. Same run
//   against the build before: first round ~700 -> ~810-880 rt/s, 1.08x and 1.12x tinyproxy's; the full bench: 1.14x,
//   346 vs 336 MB/s, intercept 2.74x mitmdump, 1,000 tunnels 67 -> 70 MB.
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, createServer } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const N = opt('n', 1200);
const ROUNDS = Math.max(1, opt('rounds', 6));
const onlyAt = args.indexOf('--only');
const ONLY = onlyAt >= 0 ? args[onlyAt + 1] : null;
// --baseline OTHER/dist/cli/tlswb.mjs: also run that build (passthrough and intercept) in the same rounds (to measure a change).
// --tlswb OTHER/dist/cli/tlswb.mjs: the build measured as "tlswb" (default: this checkout's bin/tlswb.mjs).
const baselineAt = args.indexOf('--baseline');
const BASELINE = baselineAt >= 0 ? resolve(args[baselineAt + 1]) : null;
const tlswbAt = args.indexOf('--tlswb');
const tlswbBin = tlswbAt >= 0 ? resolve(args[tlswbAt + 1]) : join(repoRoot, 'bin', 'tlswb.mjs');
const CONCURRENCY = opt('concurrency', 8);
// BENCH_PROXY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof": Node options for the measured tlswb proxies only (to profile them).
const proxyNodeArgs = (process.env.BENCH_PROXY_NODE_ARGS ?? '').split(' ').filter(Boolean);
// --no-record: the measured tlswb passthrough without -w (what the recording costs, against a --baseline that records).
const NO_RECORD = args.includes('--no-record');
const RESUME = args.includes('--resume');
/** With --resume: the last TLS session each proxy's leaf gave the client, by the CA the client trusts (one per proxy). */
const clientSessions = new Map();
/** With --resume: round trips whose TLS session was resumed, by the CA the client trusts. */
const resumedCount = new Map();
// Round trips through each proxy before measuring (the JIT of Node's proxies, origin and client settle; caches fill).
// A proxy is a long-running process: its steady state is what a user gets. With 30, the first rounds of
// the Node proxies still ran partly unoptimized code (their rate rose round after round; the peers' did not).
const WARMUP = opt('warmup', 600);
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

/**
 * Starts a proxy whose stdout says when it listens. Its stderr (one line per
 * tunnel) goes to a file, as the peers' output goes nowhere: reading it
 * through a pipe would wake this process, the benchmark's client, for every
 * tunnel of one proxy only.
 */
function start(name, cmd, argv, ready, env) {
  const logFile = join(dir, `${name}-${children.length}.log`);
  const log = openSync(logFile, 'w');
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', log], env: { ...process.env, ...env } });
  closeSync(log);
  children.push(child);
  let out = '';
  const said = () => `${out}${readFileSync(logFile, 'utf8')}`.slice(-500);
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${name} did not start: ${said()}`)), 20_000);
    const on = (d) => {
      out += d;
      if (ready.test(out)) {
        clearTimeout(timer);
        child.stdout.removeListener('data', on);
        child.stdout.resume();
        res(child);
      }
    };
    child.stdout.on('data', on);
    child.on('exit', (c) => rej(new Error(`${name} exited ${c}: ${said()}`)));
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

/** CPU time (user + system, every thread, in ms) the process and its direct children have used so far; Linux only, NaN elsewhere. */
function cpuMs(pid) {
  let kids = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // no children file: count the process alone
  }
  return kids.reduce((a, k) => a + cpuMs1(k), cpuMs1(pid));
}
/** CPU time of one process (all its threads). */
function cpuMs1(pid, kind = 'both') {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    // utime and stime: fields 14 and 15 of stat, counted from the state (field 3) here.
    const ticks = kind === 'sys' ? Number(fields[12]) : Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100;
  } catch {
    return NaN;
  }
}
/** The system (kernel) part of cpuMs: what a proxy's syscalls cost, as opposed to its own code. */
function sysMs(pid) {
  let kids = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // no children file: count the process alone
  }
  return kids.reduce((a, k) => a + cpuMs1(k, 'sys'), cpuMs1(pid, 'sys'));
}

/**
 * CPU time (ms, ns precision) the process's live threads and its direct children's have run: the sum of
 * /proc/PID/task/TID/schedstat's first field. Steadier than stat's 10 ms ticks for small differences.
 */
function schedCpuMs(pid) {
  let kids = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // no children file: count the process alone
  }
  const one = (id) => {
    try {
      return readdirSync(`/proc/${id}/task`).reduce((a, tid) => a + Number(readFileSync(`/proc/${id}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6, 0);
    } catch {
      return NaN;
    }
  };
  return kids.reduce((a, k) => a + one(k), one(pid));
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
      const tls = tlsConnect({ socket: raw, ca, servername: 'localhost', ALPNProtocols: ['http/1.1'], session: RESUME ? clientSessions.get(ca) : undefined }, () => {
        tls.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
      });
      if (RESUME) tls.on('session', (session) => clientSessions.set(ca, session));
      let bytes = 0;
      tls.on('data', (d) => (bytes += d.length));
      tls.on('end', () => {
        if (RESUME && tls.isSessionReused()) resumedCount.set(ca, (resumedCount.get(ca) ?? 0) + 1);
        res(bytes);
      });
      tls.on('error', rej);
    };
    raw.on('data', onHead);
    raw.on('error', rej);
  });
}

/** `count` round trips, CONCURRENCY at a time; the rate of the successful ones. */
async function handshakes(proxyPort, originPort, ca, count) {
  let next = 0;
  let failures = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < count) {
      next++;
      try {
        await roundTrip(proxyPort, originPort, ca, '/');
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - t0) / 1000;
  return { done: count - failures, failures, seconds };
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
  // The held tunnels' target: a port of its own (originPort + 1 was at times another process's, and the origin died of EADDRINUSE).
  let holdPort = await freePort();
  while (holdPort === originPort) holdPort = await freePort();
  const originJs = join(dir, 'origin.mjs');
  writeFileSync(originJs, `import https from 'node:https'; import net from 'node:net'; import fs from 'node:fs';
const big = Buffer.alloc(${BIG_MB} * 1e6, 7);
https.createServer({ key: fs.readFileSync('${join(dir, 'o.key')}'), cert: fs.readFileSync('${join(dir, 'o.pem')}') }, (req, res) => {
  res.setHeader('Connection', 'close'); res.end(req.url === '/big' ? big : 'ok\\n');
}).listen(${originPort}, '${host}', () => console.log('ready'));
net.createServer((s) => s.on('data', () => {})).listen(${holdPort}, '${host}');`);
  await start('origin', process.execPath, [originJs], /ready/);

  const caDir = join(dir, 'tlswb-ca');
  const mitmConf = join(dir, 'mitm');
  /** Each proxy: how to start it, and the CA its clients trust. */
  const proxies = [];
  if (ONLY !== 'intercept') {
    proxies.push({
      name: 'tlswb passthrough', suite: 'passthrough',
      launch: (port) => start('tlswb', process.execPath, [...proxyNodeArgs, tlswbBin, 'proxy', '--port', String(port), ...(NO_RECORD ? [] : ['-w', join(dir, 'pass.pcapng')])], /listening on/),
    });
    if (BASELINE) {
      proxies.push({
        name: 'baseline passthrough', suite: 'passthrough',
        launch: (port) => start('baseline', process.execPath, [BASELINE, 'proxy', '--port', String(port), '-w', join(dir, 'base.pcapng')], /listening on/),
      });
    }
    proxies.push({
      name: 'tinyproxy', suite: 'passthrough',
      launch: async (port) => {
        const conf = join(dir, 'tinyproxy.conf');
        writeFileSync(conf, `Port ${port}\nListen ${host}\nTimeout 60\nMaxClients 2000\nLogLevel Error\nConnectPort ${originPort}\nConnectPort ${holdPort}\n`);
        const child = spawn('tinyproxy', ['-d', '-c', conf], { stdio: 'ignore' });
        children.push(child);
        await waitForPort(port);
        return child;
      },
    });
  }
  if (ONLY !== 'passthrough') {
    execFileSync(process.execPath, [tlswbBin, 'ca', '--export', join(dir, 'tlswb-ca.pem'), '--ca-dir', caDir], { stdio: 'ignore' });
    proxies.push({
      name: 'tlswb intercept', suite: 'intercept',
      launch: (port) => start('tlswb', process.execPath, [tlswbBin, 'proxy', '--port', String(port), '--intercept', '--ca-dir', caDir,
        '--upstream-ca', join(dir, 'o.pem'), '-w', join(dir, 'int.pcapng')], /listening on/),
      trust: () => readFileSync(join(dir, 'tlswb-ca.pem')),
    });
    if (BASELINE) {
      proxies.push({
        name: 'baseline intercept', suite: 'intercept',
        launch: (port) => start('baseline', process.execPath, [BASELINE, 'proxy', '--port', String(port), '--intercept', '--ca-dir', caDir,
          '--upstream-ca', join(dir, 'o.pem'), '-w', join(dir, 'base-int.pcapng')], /listening on/),
        trust: () => readFileSync(join(dir, 'tlswb-ca.pem')),
      });
    }
    proxies.push({
      name: 'mitmdump', suite: 'intercept',
      launch: async (port) => {
        const child = spawn('mitmdump', ['--listen-host', host, '-p', String(port), '--set', `confdir=${mitmConf}`, '-q',
          '--set', `ssl_verify_upstream_trusted_ca=${join(dir, 'o.pem')}`], { stdio: 'ignore' });
        children.push(child);
        await waitForPort(port);
        return child;
      },
      // mitmdump makes its CA when it starts.
      trust: () => readFileSync(join(mitmConf, 'mitmproxy-ca-cert.pem')),
    });
  }

  const results = {};
  const live = [];
  for (const p of proxies) {
    try {
      const port = await freePort();
      const child = await p.launch(port);
      const trust = p.trust ? p.trust() : ca;
      // Warm up (CA/leaf made, caches filled, JIT of proxy, origin and client) before measuring.
      for (let i = 0; i < WARMUP; i++) await roundTrip(port, originPort, trust, '/');
      live.push({ ...p, port, child, trust, done: 0, failures: 0, seconds: 0, cpuMs: 0, sysMs: 0, schedMs: 0, rounds: [], mbps: [], bigCpuMs: 0, bigSysMs: 0, bigMb: 0 });
    } catch (e) {
      results[p.name] = { error: String(e.message ?? e) };
    }
  }

  // Rounds: within each suite the order flips every round (A B, B A, ...).
  const perRound = Math.max(1, Math.round(N / ROUNDS));
  for (let round = 0; round < ROUNDS; round++) {
    for (const suite of ['passthrough', 'intercept']) {
      const pair = live.filter((p) => p.suite === suite);
      if (round % 2) pair.reverse();
      for (const p of pair) {
        const cpuBefore = cpuMs(p.child.pid);
        const sysBefore = sysMs(p.child.pid);
        const schedBefore = schedCpuMs(p.child.pid);
        const hs = await handshakes(p.port, originPort, p.trust, perRound);
        p.schedMs += schedCpuMs(p.child.pid) - schedBefore;
        p.cpuMs += cpuMs(p.child.pid) - cpuBefore;
        p.sysMs += sysMs(p.child.pid) - sysBefore;
        p.done += hs.done;
        p.failures += hs.failures;
        p.seconds += hs.seconds;
        p.rounds.push(Math.round(hs.done / hs.seconds));
      }
    }
  }
  // Throughput after all handshake rounds: writing a big download's recording would spill into the next block's CPU time.
  // --big-mb 0: none (round trips only, e.g. to profile a proxy).
  for (let round = 0; round < (BIG_MB > 0 ? ROUNDS : 0); round++) {
    for (const suite of ['passthrough', 'intercept']) {
      const pair = live.filter((p) => p.suite === suite);
      if (round % 2) pair.reverse();
      for (const p of pair) {
        const cpuBefore = cpuMs(p.child.pid);
        const sysBefore = sysMs(p.child.pid);
        const mbps = await throughput(p.port, originPort, p.trust).catch(() => NaN);
        p.mbps.push(mbps);
        // The recording of the download's tail is written within the file's flush delay (50 ms): counted too.
        await new Promise((r) => setTimeout(r, 120));
        if (Number.isFinite(mbps)) {
          p.bigCpuMs += cpuMs(p.child.pid) - cpuBefore;
          p.bigSysMs += sysMs(p.child.pid) - sysBefore;
          p.bigMb += BIG_MB;
        }
      }
    }
  }
  const median = (xs) => {
    const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
    return v.length ? v[Math.floor(v.length / 2)] : NaN;
  };
  for (const p of live) {
    results[p.name] = {
      handshakesPerSecond: Math.round(p.done / p.seconds), failures: p.failures, perRound: p.rounds,
      // The proxy's own CPU per round trip (the steadier figure on a busy machine: it is what the proxy takes from client and origin).
      cpuUsPerRoundTrip: Math.round((p.cpuMs * 1000) / p.done),
      // Of which in the kernel (system time).
      sysUsPerRoundTrip: Math.round((p.sysMs * 1000) / p.done),
      // The same CPU from schedstat (ns precision, live threads): the figure to compare builds by.
      schedUsPerRoundTrip: Math.round((p.schedMs * 1000) / p.done),
      ...(RESUME ? { resumed: resumedCount.get(p.trust) ?? 0 } : {}),
      throughputMBps: Math.round(median(p.mbps)), throughputPerRound: p.mbps.map(Math.round),
      // The proxy's CPU per MB of the downloads (and the kernel's part): the load-proof side of throughput.
      cpuUsPerMB: p.bigMb ? Math.round((p.bigCpuMs * 1000) / p.bigMb) : null,
      sysUsPerMB: p.bigMb ? Math.round((p.bigSysMs * 1000) / p.bigMb) : null,
      rssMb: Math.round(rssMb(p.child.pid)),
    };
  }

  const pass = live.find((p) => p.name === 'tlswb passthrough');
  if (pass && TUNNELS > 0) {
    const r = results[pass.name];
    const before = rssMb(pass.child.pid);
    const held = await holdTunnels(pass.port, holdPort, TUNNELS);
    r.tunnelsHeld = held.length;
    r.rssBeforeTunnelsMb = Math.round(before);
    r.rssWithTunnelsMb = Math.round(rssMb(pass.child.pid));
    for (const s of held) s.destroy();
  }
  for (const p of live) {
    // Everything from start to here (startup, warm-up, rounds, throughput, held tunnels): the same work for two builds.
    results[p.name].totalCpuMs = Math.round(schedCpuMs(p.child.pid));
    await stop(p.child);
  }
  return results;
}

/** Per-round ratios a/b of two proxies' rates. */
function roundRatios(a, b) {
  if (!a?.perRound || !b?.perRound) return [];
  return a.perRound.map((x, i) => Number((x / b.perRound[i]).toFixed(2)));
}

let exit = 0;
try {
  const r = await main();
  const p = r['tlswb passthrough'];
  const t = r.tinyproxy;
  const i = r['tlswb intercept'];
  const m = r.mitmdump;
  const passRatio = p?.handshakesPerSecond && t?.handshakesPerSecond ? p.handshakesPerSecond / t.handshakesPerSecond : NaN;
  const intRatio = i?.handshakesPerSecond && m?.handshakesPerSecond ? i.handshakesPerSecond / m.handshakesPerSecond : NaN;
  if (args.includes('--json')) console.log(JSON.stringify({ ...r, passthroughRatio: passRatio, interceptRatio: intRatio }, null, 2));
  else {
    console.log(`N=${N} round trips each in ${ROUNDS} alternating rounds after ${WARMUP} to warm up, concurrency ${CONCURRENCY}, ${BIG_MB} MB for throughput${RESUME ? ', the client resuming its TLS sessions' : ''}`);
    for (const [name, v] of Object.entries(r)) console.log(`${name.padEnd(18)} ${JSON.stringify(v)}`);
    console.log(`per round: passthrough / tinyproxy ${JSON.stringify(roundRatios(p, t))}; intercept / mitmdump ${JSON.stringify(roundRatios(i, m))}`);
    const bp = r['baseline passthrough'];
    const bi = r['baseline intercept'];
    if (bp || bi) {
      console.log(`per round: baseline passthrough / tinyproxy ${JSON.stringify(roundRatios(bp, t))}; baseline intercept / mitmdump ${JSON.stringify(roundRatios(bi, m))}`);
      console.log(`per round: tlswb / baseline: passthrough ${JSON.stringify(roundRatios(p, bp))}; intercept ${JSON.stringify(roundRatios(i, bi))}`);
    }
  }
  console.log(`passthrough / tinyproxy: ${passRatio.toFixed(2)}x (target >= 1); intercept / mitmdump: ${intRatio.toFixed(2)}x (target >= 2)`);
  const wanted = [ONLY === 'intercept' || passRatio >= 1, ONLY === 'passthrough' || intRatio >= 2];
  if (args.includes('--check') && !wanted.every(Boolean)) exit = 1;
} catch (e) {
  console.error(`bench-proxy: ${e.stack ?? e}`);
  exit = 1;
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exit);
