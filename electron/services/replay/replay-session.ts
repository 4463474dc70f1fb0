/**
 * `tlswb replay`: send a recorded ClientHello again, byte for byte (or
 * re-encoded with edits), to the recorded server or another, directly or
 * through an HTTP proxy's CONNECT; record the server's answer until its flight
 * ends, an alert, a close, a quiet period (TLS 1.3) or the time limit; analyze
 * the recorded leg with the engine as a new session, and diff it against the
 * recording's first flights.
 *
 * The leg is recorded as synthesized TCP packets (core/net/tcp-packet-synthesizer
 * through the proxy's LegRecorder), so the new session is exactly what
 * `tlswb analyze` gives of the saved `-w` file.
 */
import type { Socket } from 'node:net';
import { ParseError } from '../../core/bytes/byte-reader';
import { SessionAnalyzer } from '../../core/session/analyzer';
import type { Session, TlsMessage } from '../../core/session/model';
import type { SessionDiff } from '../../core/session/diff-model';
import { diffSessions } from '../../core/session/session-diff';
import { encodeClientHello, handshakeRecords, type ClientHelloEdits } from '../../core/tls/client-hello-encoder';
import { LegRecorder, type RecordedLeg } from '../proxy/leg-recorder';
import { connectUpstream, type ConnectTarget, type UpstreamProxy } from '../proxy/upstream-connector';
import { FlightWatcher } from './flight-watcher';

export interface ReplayOptions {
  recorded: Session;
  /** The recording's file name, for the diff's `a.file`. */
  recordedFile?: string | null;
  /** Default: the recorded server (the CONNECT target when the recording was proxied). */
  to?: ConnectTarget | null;
  /** Default: the recorded proxy when the recording went through one; null: direct. */
  proxy?: UpstreamProxy | null;
  edits?: ClientHelloEdits;
  /** pcapng file for the replay leg. */
  file?: string | null;
  /** TCP connect (and CONNECT answer) limit. Default 5 s. */
  connectTimeoutMs?: number;
  /** Limit for the whole replay. Default 10 s. */
  timeoutMs?: number;
  /** After a TLS 1.3 ServerHello, silence this long ends the flight. Default 500 ms. */
  quietMs?: number;
}

/**
 * How the answer ended: `flight-complete` (ServerHelloDone, HelloRetryRequest,
 * abbreviated handshake's Finished), `alert`, `quiet` (TLS 1.3: no more bytes),
 * `closed` (the server closed or reset), `timeout`, or `connect-failed`.
 */
export type ReplayOutcome = 'flight-complete' | 'alert' | 'quiet' | 'closed' | 'timeout' | 'connect-failed';

export interface ReplayResult {
  target: ConnectTarget;
  proxy: UpstreamProxy | null;
  outcome: ReplayOutcome;
  /** Why the replay got no answer (connect-failed, timeout with nothing received); null otherwise. */
  error: string | null;
  /** The bytes sent: the ClientHello record(s). */
  sentBytes: number;
  /** True when the hello was sent exactly as recorded. */
  asRecorded: boolean;
  receivedBytes: number;
  notes: string[];
  /** The replay leg as the engine sees it (id 0); null when no connection was made. */
  session: Session | null;
  /** The recording (first flights) against the replay; null without a session. */
  diff: SessionDiff | null;
}

export class ReplayError extends Error {
  override readonly name = 'ReplayError';
}

/** The recorded ClientHello to send, or a ReplayError saying why there is none. */
export function recordedClientHello(s: Session): TlsMessage {
  const m = s.messages.find((x) => x.type === 'client_hello' && x.from === 'client');
  if (!m) throw new ReplayError(`session ${s.id} has no ClientHello to replay`);
  if (m.sslv2) throw new ReplayError(`session ${s.id} has an SSL 2.0-format ClientHello, which replay does not send`);
  if (m.raw.length !== m.length + 4) throw new ReplayError(`session ${s.id}: the ClientHello's bytes were not kept`);
  return m;
}

/** Where the replay goes by default: the CONNECT target of a proxied recording, else its server. */
export function defaultTarget(s: Session): ConnectTarget {
  const target = s.proxy?.target ? parseAuthority(s.proxy.target) : null;
  return target ?? { host: s.server.ip, port: s.server.port };
}

/** "host:port" or "[v6]:port". */
export function parseAuthority(text: string): ConnectTarget | null {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]+):(\d{1,5})$/.exec(text);
  if (!m) return null;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? { host: m[1]!, port } : null;
}

export async function runReplay(options: ReplayOptions): Promise<ReplayResult> {
  const recorded = options.recorded;
  const hello = recordedClientHello(recorded);
  let encoded: ReturnType<typeof encodeClientHello>;
  try {
    encoded = encodeClientHello(hello.raw, options.edits ?? {});
  } catch (e: unknown) {
    // A recorded hello whose outer structure is malformed cannot be re-encoded (edit errors pass through).
    if (e instanceof ParseError) throw new ReplayError(`session ${recorded.id}: the recorded ClientHello is malformed: ${e.message}`);
    throw e;
  }
  const asRecorded = encoded.message.length === hello.raw.length && encoded.message.every((b, i) => b === hello.raw[i]);
  const records = handshakeRecords(encoded.message, hello.recordVersion ?? 0x0301);
  const target = options.to ?? defaultTarget(recorded);
  // A proxied recording's server is the proxy: go through it again unless told otherwise.
  const recordedProxy: UpstreamProxy | null = recorded.proxy ? { host: recorded.server.ip, port: recorded.server.port, authorization: null } : null;
  const proxy = options.proxy !== undefined ? options.proxy : recordedProxy;
  const notes = [...encoded.notes];
  if (recorded.messages.filter((m) => m.type === 'client_hello' && m.from === 'client').length > 1) {
    notes.push('only the first ClientHello is replayed (the recording has more, e.g. after a HelloRetryRequest)');
  }

  const watcher = new FlightWatcher();
  let onEnd: ((why: ReplayOutcome) => void) | null = null;
  const analyzer = new SessionAnalyzer({
    events: {
      messageDecoded: (s, m) => {
        const end = watcher.message(s, m);
        if (end) onEnd?.(end);
      },
    },
  });
  const recorder = await LegRecorder.create({ file: options.file ?? undefined, onPacket: (p) => analyzer.push(p), application: 'tlswb replay' });
  let leg: RecordedLeg | null = null;
  let receivedBytes = 0;
  const legOf = (): RecordedLeg | null => leg;

  const connected = await connectUpstream(target, {
    via: proxy,
    timeoutMs: options.connectTimeoutMs ?? 5000,
    recording: {
      connected: (socket: Socket) => {
        leg = recorder.leg(
          { ip: socket.localAddress ?? '0.0.0.0', port: socket.localPort ?? 0 },
          { ip: socket.remoteAddress ?? '0.0.0.0', port: socket.remotePort ?? 0 },
        );
        leg.open();
      },
      sent: (d) => legOf()?.sent('client', d),
      received: (d) => legOf()?.sent('server', d),
    },
  });

  let outcome: ReplayOutcome;
  let error: string | null = null;
  if (!connected.ok) {
    outcome = connected.timedOut ? 'timeout' : 'connect-failed';
    error = connected.reason;
    legOf()?.reset('server');
  } else {
    outcome = await exchange(connected.socket, connected.rest);
  }

  async function exchange(socket: Socket, rest: Uint8Array): Promise<ReplayOutcome> {
    return new Promise<ReplayOutcome>((resolve) => {
      let quietTimer: NodeJS.Timeout | null = null;
      let settled = false;
      const finish = (why: ReplayOutcome): void => {
        if (settled) return;
        settled = true;
        onEnd = null;
        clearTimeout(overall);
        if (quietTimer) clearTimeout(quietTimer);
        socket.removeAllListeners('data');
        resolve(why);
      };
      onEnd = finish;
      const overall = setTimeout(() => finish('timeout'), options.timeoutMs ?? 10_000);
      // Armed on every arrival: the recorder hands packets to the engine at the end of the
      // event-loop turn, so whether the answer is TLS 1.3 is known only when the timer fires.
      const quiet = (): void => {
        if (quietTimer) clearTimeout(quietTimer);
        quietTimer = setTimeout(() => {
          if (watcher.tls13) finish('quiet');
        }, options.quietMs ?? 500);
      };
      const received = (d: Uint8Array): void => {
        if (settled) return;
        receivedBytes += d.length;
        legOf()?.sent('server', d);
        quiet();
      };
      socket.on('data', received);
      socket.once('end', () => {
        legOf()?.close('server');
        finish('closed');
      });
      socket.once('close', () => finish('closed'));
      socket.on('error', () => {
        legOf()?.reset('server');
        finish('closed');
      });
      socket.resume();
      legOf()?.sent('client', records);
      socket.write(records);
      if (rest.length) received(rest);
    });
  }

  if (connected.ok) {
    // The replay is over: close politely (the leg records the client's FIN), then let go.
    legOf()?.close('client');
    connected.socket.end();
    connected.socket.destroy();
  }
  if (outcome === 'timeout' && error === null && receivedBytes === 0) {
    error = `no answer from ${target.host}:${target.port} within ${(options.timeoutMs ?? 10_000) / 1000} s`;
  }
  await recorder.close();
  analyzer.finish();
  const session = analyzer.sessions.find((s) => s.clientHello !== null) ?? analyzer.sessions[0] ?? null;
  if (session) session.id = 0;
  const diff = session ? diffSessions(recorded, session, { aFile: options.recordedFile ?? null, bFile: null, scope: 'first-flights' }) : null;
  return {
    target,
    proxy,
    outcome,
    error,
    sentBytes: records.length,
    asRecorded,
    receivedBytes,
    notes,
    session,
    diff,
  };
}
