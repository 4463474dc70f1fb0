#!/usr/bin/env node
// Live capture benchmark: tcpreplay pushes the engine benchmark's capture
// (.bench-cache, see make-bench-capture.mjs) through a veth pair this script
// creates (the peer end sits in its own network namespace, so no stack answers
// and nothing else is on the wire), at rising rates. At each rate `tlswb
// capture` (helper + spool + engine) and dumpcap record the same replay at the
// same time. Reported per rate: packets each got, drops each knows of, and the
// TLS handshakes decoded (ours: as printed live; dumpcap's: by analyzing its
// file). The answer: the highest rate with every packet and every handshake.
//
//   node scripts/bench-capture.mjs [--rates 100,200,400,800,topspeed] [--limit PACKETS] [--json]
//
// Needs root (veth, netns, tcpreplay) and a built tree (npm run build).
// "No drops" means: every packet tcpreplay sent is in the file (packets ==
// sent), libpcap counted no drops (pcap_stats, through native/pcap-ring; not
// known through the cap fallback), and the helper dropped none.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBenchCapture } from './make-bench-capture.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tlswb = join(root, 'bin', 'tlswb.mjs');
const VETH = 'tlswbbench0';
const PEER = 'tlswbbench1';
const NETNS = 'tlswb-bench';

function parseArgs(argv) {
  const o = { rates: ['100', '200', '400', '800', 'topspeed'], limit: null, json: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--rates') o.rates = argv[++i].split(',');
    else if (argv[i] === '--limit') o.limit = Number(argv[++i]);
    else if (argv[i] === '--json') o.json = true;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return o;
}

function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

function setUpVeth() {
  tearDownVeth();
  sh('ip', ['netns', 'add', NETNS]);
  sh('ip', ['link', 'add', VETH, 'type', 'veth', 'peer', 'name', PEER]);
  sh('ip', ['link', 'set', PEER, 'netns', NETNS]);
  sh('ip', ['netns', 'exec', NETNS, 'ip', 'link', 'set', PEER, 'up']);
  sh('ip', ['link', 'set', VETH, 'up']);
  // No IPv6 chatter (router solicitations) on the test link.
  try { sh('sysctl', ['-q', '-w', `net.ipv6.conf.${VETH}.disable_ipv6=1`]); } catch { /* no IPv6: fine */ }
}

function tearDownVeth() {
  try { sh('ip', ['link', 'del', VETH]); } catch { /* absent */ }
  try { sh('ip', ['netns', 'del', NETNS]); } catch { /* absent */ }
}

/** Starts a process; resolves once `ready` matches its stderr. */
function startProcess(cmd, args, ready) {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (t) => { out.stdout += t; });
  const exited = new Promise((res) => child.on('close', (code, signal) => res(code ?? signal)));
  const started = new Promise((res, rej) => {
    child.stderr.on('data', (t) => { out.stderr += t; if (ready.test(out.stderr)) res(); });
    exited.then(() => rej(new Error(`${cmd} exited before it was ready:\n${out.stderr}`)));
  });
  return { child, out, exited, started };
}

function countHandshakes(sessions) {
  return sessions.filter((s) => s.messages.some((m) => m.type === 'server_hello')).length;
}

async function runRate(rate, file, sent, expectedHandshakes, limit, dir) {
  const ours = join(dir, `ours-${rate}.pcapng`);
  const theirs = join(dir, `dumpcap-${rate}.pcapng`);
  const filter = 'tcp port 443';
  const tl = startProcess(process.execPath, [tlswb, 'capture', '-i', VETH, '-f', filter, '-w', ours, '--json'], /Capturing on/);
  const dc = startProcess('dumpcap', ['-i', VETH, '-f', filter, '-w', theirs, '-B', '32'], /Capturing on/);
  await Promise.all([tl.started, dc.started]);
  // dumpcap says "Capturing on" a moment before it really is (see test/support/loopback-capture.ts).
  await new Promise((r) => setTimeout(r, 1000));
  const replayArgs = ['-q', '-i', VETH, rate === 'topspeed' ? '--topspeed' : `--mbps=${rate}`];
  if (limit) replayArgs.push(`--limit=${limit}`);
  const t0 = process.hrtime.bigint();
  const replay = sh('tcpreplay', [...replayArgs, file]);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await new Promise((r) => setTimeout(r, 1500));
  dc.child.kill('SIGINT');
  tl.child.kill('SIGINT');
  await Promise.all([dc.exited, tl.exited]);

  const oursPackets = Number(/(\d+) packets captured/.exec(tl.out.stderr)?.[1] ?? NaN);
  const helperDrops = Number(/by the helper (\d+)/.exec(tl.out.stderr)?.[1] ?? NaN);
  const helperReceived = Number(/\((\d+) received by the helper\)/.exec(tl.out.stderr)?.[1] ?? NaN);
  const interfaceDrops = /by the interface (\w+)/.exec(tl.out.stderr)?.[1] ?? null;
  const kernelDrops = /by the kernel (\w+)/.exec(tl.out.stderr)?.[1] ?? null;
  const known = (n) => (n === null || n === 'unknown' ? null : Number(n));
  const oursSessions = tl.out.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const dcCaptured = /Packets captured: (\d+)/.exec(dc.out.stderr);
  const dcDrops = /received\/dropped on interface .*?: (\d+)\/(\d+) \(pcap:(\d+)\/dumpcap:(\d+)/.exec(dc.out.stderr);
  const theirDoc = JSON.parse(sh(process.execPath, [tlswb, 'analyze', theirs, '--json'], { maxBuffer: 1 << 30 }));
  const achieved = /Rated: ([\d.]+) Bps, ([\d.]+) Mbps, ([\d.]+) pps/.exec(replay);
  rmSync(ours, { force: true });
  rmSync(theirs, { force: true });
  const row = {
    rate: rate === 'topspeed' ? 'topspeed' : `${rate} Mbps`,
    replayedMbps: achieved ? Number(achieved[2]) : null,
    replayedPps: achieved ? Number(achieved[3]) : null,
    seconds: Number(seconds.toFixed(2)),
    sent,
    tlswb: {
      packets: oursPackets, received: helperReceived, droppedByHelper: helperDrops,
      // libpcap's counters (null: not available, e.g. through the cap fallback).
      droppedByKernel: known(kernelDrops), droppedByInterface: known(interfaceDrops),
      handshakes: countHandshakes(oursSessions),
    },
    dumpcap: {
      packets: dcCaptured ? Number(dcCaptured[1]) : null,
      dropped: dcDrops ? Number(dcDrops[2]) + Number(dcDrops[3]) + Number(dcDrops[4]) : null,
      handshakes: countHandshakes(theirDoc.sessions),
    },
  };
  row.tlswb.ok = row.tlswb.packets === sent && helperDrops === 0 && !row.tlswb.droppedByKernel && !row.tlswb.droppedByInterface
    && row.tlswb.handshakes === expectedHandshakes;
  row.dumpcap.ok = row.dumpcap.packets === sent && row.dumpcap.dropped === 0 && row.dumpcap.handshakes === expectedHandshakes;
  return row;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) throw new Error('bench-capture needs root (veth pair, network namespace, tcpreplay)');
  const file = await ensureBenchCapture({ quiet: true });
  const meta = JSON.parse(readFileSync(`${file}.json`, 'utf8'));
  const sent = options.limit ? Math.min(options.limit, meta.packets) : meta.packets;
  // The handshakes in the packets replayed, as the engine sees the file itself.
  const limited = options.limit ? sh('editcap', ['-r', file, '-', `1-${sent}`], { encoding: 'buffer', maxBuffer: 1 << 30 }) : null;
  const reference = JSON.parse(sh(process.execPath, [tlswb, 'analyze', limited ? '-' : file, '--json'],
    { maxBuffer: 1 << 30, ...(limited ? { input: limited, stdio: ['pipe', 'pipe', 'pipe'] } : {}) }));
  const expectedHandshakes = countHandshakes(reference.sessions);
  const dir = mkdtempSync(join(tmpdir(), 'tlswb-bench-capture-'));
  const rows = [];
  setUpVeth();
  try {
    for (const rate of options.rates) {
      const row = await runRate(rate, file, sent, expectedHandshakes, options.limit, dir);
      rows.push(row);
      if (!options.json) {
        console.log(`${row.rate.padEnd(10)} replayed ${row.replayedMbps} Mbps / ${row.replayedPps} pps in ${row.seconds}s | `
          + `tlswb ${row.tlswb.packets}/${sent} pkts, dropped ${row.tlswb.droppedByKernel ?? '?'}, ${row.tlswb.handshakes}/${expectedHandshakes} handshakes ${row.tlswb.ok ? 'OK' : 'LOSS'} | `
          + `dumpcap ${row.dumpcap.packets}/${sent} pkts, dropped ${row.dumpcap.dropped}, ${row.dumpcap.handshakes} handshakes ${row.dumpcap.ok ? 'OK' : 'LOSS'}`);
      }
    }
  } finally {
    tearDownVeth();
    rmSync(dir, { recursive: true, force: true });
  }
  const best = (who) => rows.filter((r) => r[who].ok).map((r) => r.rate).pop() ?? 'none';
  const summary = { file, packets: sent, handshakes: expectedHandshakes, rows, highestLossless: { tlswb: best('tlswb'), dumpcap: best('dumpcap') } };
  if (options.json) console.log(JSON.stringify(summary, null, 2));
  else console.log(`highest rate with every packet and handshake: tlswb ${summary.highestLossless.tlswb}, dumpcap ${summary.highestLossless.dumpcap}`);
}

main().catch((e) => {
  tearDownVeth();
  console.error(`bench-capture: ${e.message}`);
  process.exit(1);
});
