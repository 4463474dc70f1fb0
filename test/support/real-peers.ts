import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyPair } from './test-pki';
import { startLoopbackCapture, type CaptureStats } from './loopback-capture';
import { spawnTracked, type SpawnedProcess } from './spawned-process';

/**
 * Real TLS peers on loopback for integration tests: `openssl s_server` /
 * `s_client`, `tinyproxy` and `curl`, recorded by dumpcap. Every process is
 * started through `spawnTracked`, so `stopAllSpawned()` in `afterAll` ends
 * whatever a failed test left behind; every wait is bounded.
 */
import { freeLoopbackAddress } from './loopback-address';
export { freeLoopbackAddress, freePort, canListen } from './loopback-address';
export { startLoopbackCapture, parseDumpcapStats, type CaptureStats, type LoopbackCapture } from './loopback-capture';
export { makeTestPki, type TestPki, type KeyPair } from './test-pki';
export { spawnTracked, stopAllSpawned, type SpawnedProcess } from './spawned-process';

export interface OpenSslServerOptions {
  host: string;
  port: number;
  /** Leaf certificate and key. */
  identity: KeyPair;
  /** Extra certificates sent after the leaf (the intermediate). */
  chain?: string;
  /** Answer each connection with an HTTP status page and close (s_server -www). Default true. */
  www?: boolean;
  /** TLS secrets in NSS key log format. */
  keylogFile?: string;
  /** Anything else: -tls1_2, -cipher X, -no_ticket, -Verify 1 -CAfile F, -max_send_frag 512, ... */
  args?: string[];
}

export interface OpenSslServer {
  host: string;
  port: number;
  process: SpawnedProcess;
  stop(): Promise<void>;
}

export async function startOpenSslServer(options: OpenSslServerOptions): Promise<OpenSslServer> {
  const args = ['s_server', '-accept', `${options.host}:${options.port}`,
    '-cert', options.identity.cert, '-key', options.identity.key];
  if (options.chain) args.push('-cert_chain', options.chain);
  if (options.www ?? true) args.push('-www');
  if (options.keylogFile) args.push('-keylogfile', options.keylogFile);
  args.push(...(options.args ?? []));
  const process = spawnTracked(`s_server ${options.host}:${options.port}`, 'openssl', args);
  await process.waitForOutput(/^ACCEPT$/m, 10_000);
  return {
    host: options.host,
    port: options.port,
    process,
    async stop() {
      await process.stop('SIGTERM', 2000);
    },
  };
}

export interface OpenSslClientOptions {
  host: string;
  port: number;
  /** -servername (SNI). */
  serverName?: string;
  /** Sent after connecting; the default asks an `-www` server for its page. */
  input?: string;
  keylogFile?: string;
  sessionOut?: string;
  sessionIn?: string;
  /** Client certificate (sent when the server asks). */
  identity?: KeyPair;
  /** Anything else: -tls1_2, -cipher X, -groups, ... */
  args?: string[];
  /** After this long, stdin is closed (s_client then says goodbye). Default 1500 ms. */
  holdMs?: number;
  /** Hard limit before the client is killed. Default 10 s. */
  timeoutMs?: number;
}

export interface ClientRun {
  /** Exit code (non-zero when the handshake failed), or the signal that ended it. */
  exit: number | string;
  output: string;
}

export async function runOpenSslClient(options: OpenSslClientOptions): Promise<ClientRun> {
  const args = ['s_client', '-connect', `${options.host}:${options.port}`];
  if (options.serverName) args.push('-servername', options.serverName);
  if (options.keylogFile) args.push('-keylogfile', options.keylogFile);
  if (options.sessionOut) args.push('-sess_out', options.sessionOut);
  if (options.sessionIn) args.push('-sess_in', options.sessionIn);
  if (options.identity) args.push('-cert', options.identity.cert, '-key', options.identity.key);
  args.push(...(options.args ?? []));
  const client = spawnTracked(`s_client ${options.host}:${options.port}`, 'openssl', args);
  client.write(options.input ?? 'GET / HTTP/1.0\r\n\r\n');
  return finishClient(client, options.holdMs ?? 1500, options.timeoutMs ?? 10_000);
}

/** Waits for the client to exit by itself; else closes its stdin; else kills it. */
async function finishClient(client: SpawnedProcess, holdMs: number, timeoutMs: number): Promise<ClientRun> {
  let exit: number | string;
  try {
    exit = await client.waitForExit(holdMs);
  } catch {
    client.endInput();
    try {
      exit = await client.waitForExit(Math.max(timeoutMs - holdMs, 1000));
    } catch {
      exit = await client.stop('SIGKILL', 2000);
    }
  }
  return { exit, output: client.output() };
}

export interface TinyproxyOptions {
  /** Folder for its config file. */
  dir: string;
  host: string;
  port: number;
  /** Ports CONNECT may reach. */
  connectPorts?: number[];
}

export interface Tinyproxy {
  url: string;
  process: SpawnedProcess;
  stop(): Promise<void>;
}

/** tinyproxy in the foreground (-d) with a minimal config, listening on `host:port` only. */
export async function startTinyproxy(options: TinyproxyOptions): Promise<Tinyproxy> {
  const config = join(options.dir, `tinyproxy-${options.host}-${options.port}.conf`);
  const lines = [
    `Port ${options.port}`,
    `Listen ${options.host}`,
    'Timeout 30',
    'MaxClients 20',
    'LogLevel Info',
    ...(options.connectPorts ?? [443]).map((p) => `ConnectPort ${p}`),
  ];
  writeFileSync(config, lines.join('\n') + '\n');
  const process = spawnTracked(`tinyproxy ${options.host}:${options.port}`, 'tinyproxy', ['-d', '-c', config]);
  await process.waitForOutput(/Accepting connections/, 10_000);
  return {
    url: `http://${options.host}:${options.port}`,
    process,
    async stop() {
      await process.stop('SIGTERM', 2000);
    },
  };
}

export interface CurlRun {
  exit: number | string;
  /** The final HTTP status (curl -w %{http_code}). */
  httpCode: number;
  /** The proxy's answer to CONNECT (curl -w %{http_connect}). */
  connectCode: number;
  output: string;
}

/** `curl -k [-x PROXY] URL`, body discarded; bounded by `--max-time`. `keylogFile`: curl's SSLKEYLOGFILE. */
export async function runCurl(
  url: string,
  options: { proxy?: string; args?: string[]; timeoutSeconds?: number; keylogFile?: string } = {},
): Promise<CurlRun> {
  const args = ['-sS', '-k', '-o', '/dev/null', '-w', 'CODES %{http_code} %{http_connect}\n',
    '--max-time', String(options.timeoutSeconds ?? 10)];
  if (options.proxy) args.push('-x', options.proxy);
  args.push(...(options.args ?? []), url);
  const env = options.keylogFile ? { ...process.env, SSLKEYLOGFILE: options.keylogFile } : process.env;
  const curl = spawnTracked(`curl ${url}`, 'curl', args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const exit = await curl.waitForExit((options.timeoutSeconds ?? 10) * 1000 + 5000);
  const codes = /CODES (\d+) (\d+)/.exec(curl.output());
  return {
    exit,
    httpCode: codes ? Number(codes[1]) : 0,
    connectCode: codes ? Number(codes[2]) : 0,
    output: curl.output(),
  };
}

/**
 * Records `traffic` with dumpcap into `file` (filter e.g. `host H and tcp port 443`)
 * and returns what the traffic returned with the capture's statistics. `probe`:
 * an address in the filter where nothing listens yet, to make sure the capture
 * is live before the traffic starts (see loopback-capture.ts).
 */
export async function recordTraffic<T>(
  file: string,
  filter: string,
  traffic: () => Promise<T>,
  probe?: { host: string; port: number },
): Promise<{ result: T; stats: CaptureStats }> {
  const capture = await startLoopbackCapture({ file, filter, probe });
  let result: T;
  try {
    result = await traffic();
  } catch (error) {
    // Stop the capture whatever happened, so no dumpcap outlives the test.
    await capture.stop().catch(() => undefined);
    throw error;
  }
  return { result, stats: await capture.stop() };
}

export interface OpenSslExchange {
  file: string;
  host: string;
  port: number;
  keylogFile: string;
  clients: ClientRun[];
  stats: CaptureStats;
}

/**
 * One capture of one `openssl s_server` on its own loopback address (port 443
 * by default, which tshark decodes as TLS) and the given `s_client` runs, one
 * after the other (so resumption can pass sessions along). Both peers log
 * their TLS secrets to `<file>.keys`.
 */
export async function recordOpenSslExchange(file: string, setup: {
  server: Omit<OpenSslServerOptions, 'host' | 'port' | 'keylogFile'>;
  clients: Omit<OpenSslClientOptions, 'host' | 'port' | 'keylogFile'>[];
  port?: number;
}): Promise<OpenSslExchange> {
  const port = setup.port ?? 443;
  const host = await freeLoopbackAddress([port]);
  const keylogFile = `${file}.keys`;
  const { result, stats } = await recordTraffic(file, `host ${host} and tcp port ${port}`, async () => {
    const server = await startOpenSslServer({ ...setup.server, host, port, keylogFile });
    const clients: ClientRun[] = [];
    try {
      for (const client of setup.clients) clients.push(await runOpenSslClient({ ...client, host, port, keylogFile }));
    } finally {
      await server.stop();
    }
    return clients;
  }, { host, port });
  return { file, host, port, keylogFile, clients: result, stats };
}
