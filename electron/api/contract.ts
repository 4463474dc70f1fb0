/**
 * The one API contract of the workbench: every command's input (a zod schema
 * of its positional arguments, validated on the main side whatever the
 * transport), every command's result, every event. Electron IPC (preload) and
 * WebSocket (`tlswb serve`) carry exactly these; outputs are plain data
 * (JSON-safe: no bigint, no Uint8Array).
 */
import { z } from 'zod';
import type { CommandName, EventName } from './command-names';
import type { ContractCertificate, ContractMessage, ContractSession, FileDamage } from '../core/session/contract-json';
import type { Endpoint } from '../core/session/model';
import type { FieldNode } from '../core/session/field-tree';
import type { ChainVerification } from '../core/x509/chain-verdict';
import type { TunnelRow as ProxyTunnel } from '../services/proxy/live-proxy';
import type { ProbeResult } from '../services/probe/tls-probe';
import { CaptureStartRequestSchema, type CaptureInterfaceDto, type CaptureStatus } from './capture-contract';
import { ReplayRequestSchema, SessionRefSchema, type CompareFileSummary, type CompareResult, type ReplaySessionResult } from './compare-contract';

export type { CommandName, EventName } from './command-names';
export type { ContractCertificate, ContractMessage, ContractSession, FileDamage } from '../core/session/contract-json';
export type { Endpoint } from '../core/session/model';
export type { FieldNode } from '../core/session/field-tree';
/** One tunnel of the proxy, as the service reports it. */
export type { TunnelRow as ProxyTunnel } from '../services/proxy/live-proxy';
export type { ProbeTimings } from '../services/probe/tls-probe';
export type { ChainLink, ChainProblem, ChainVerdictKind, ChainVerification } from '../core/x509/chain-verdict';
export type * from './compare-contract';
export type * from './capture-contract';

/** Uploads over the API (browser "Open"): the base64 text of at most 256 MiB of capture. */
export const MAX_UPLOAD_BYTES = 256 * 1024 * 1024;
const MAX_BASE64_CHARS = Math.ceil(MAX_UPLOAD_BYTES / 3) * 4;
/** Key log uploads (a dropped key file): at most 16 MiB, some 100,000 connections' secrets. */
export const MAX_KEY_LOG_UPLOAD_BYTES = 16 * 1024 * 1024;
const MAX_KEY_LOG_BASE64_CHARS = Math.ceil(MAX_KEY_LOG_UPLOAD_BYTES / 3) * 4;

/** POSIX "/…", Windows "C:\…" or "C:/…", UNC "\\server\share…". */
const ABSOLUTE_PATH = /^(?:\/|[A-Za-z]:[\\/]|\\\\[^\\])/;

/**
 * A path on the machine that runs the engine. Absolute only: a relative path
 * would resolve against whatever folder the app or `tlswb serve` was started
 * in, which the person choosing it cannot see. NUL is refused (the OS would
 * cut the path there). Same rule for IPC and WebSocket.
 */
const filePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0'), 'path contains NUL')
  .refine((p) => ABSOLUTE_PATH.test(p), 'path must be absolute');
const sessionId = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const messageIndex = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const ThemeSetting = z.enum(['system', 'light', 'dark']);
export const LanguageSetting = z.enum(['system', 'en', 'zh-CN']);
export const SettingsPatch = z.object({ theme: ThemeSetting.optional(), language: LanguageSetting.optional() }).strict();

/** Start the recording proxy: where it listens, and whether it intercepts TLS. */
export const ProxyStartRequestSchema = z.object({
  /** An IP address to listen on; default 127.0.0.1 (anything else lets other machines use it). */
  host: z.string().min(1).max(64).regex(/^[0-9A-Fa-f:.]+$/, 'an IP address').optional(),
  /** 0 picks a free port. */
  port: z.number().int().min(0).max(65535),
  intercept: z.boolean(),
}).strict();
export type ProxyStartRequest = z.output<typeof ProxyStartRequestSchema>;

export interface ProxyStatus {
  running: boolean;
  mode: 'passthrough' | 'intercept' | null;
  host: string | null;
  port: number | null;
  /** Packets recorded (both legs of every tunnel). */
  packets: number;
  /** The pcapng the legs go to (what Save As copies). */
  spoolFile: string | null;
  /** Latest first, at most 200. */
  tunnels: ProxyTunnel[];
  /** Why the last start failed. */
  error: string | null;
}

export interface ProxyCaExport {
  /** Where the certificate was written. */
  path: string;
  certPem: string;
  /** How to trust it on Linux (system store and NSS), macOS and Windows. */
  instructions: string;
  created: boolean;
}

/** A live probe: the URL, and optionally a proxy, one TLS version, the ALPN list. */
export const ProbeRequestSchema = z.object({
  url: z.string().max(2048).regex(/^https:\/\/[^\s]+$/, 'an https:// URL'),
  proxy: z.string().max(2048).regex(/^http:\/\/[^\s]+$/, 'an http:// proxy URL').nullable().optional(),
  tlsVersion: z.enum(['1.2', '1.3']).nullable().optional(),
  alpn: z.array(z.string().min(1).max(255).regex(/^[\x21-\x7e]+$/)).max(16).optional(),
}).strict();
export type ProbeRequest = z.output<typeof ProbeRequestSchema>;

/** What a probe gives the panel (its session opens as the capture: `file`). */
export interface ProbeRunResult extends Omit<ProbeResult, 'session'> {
  /** The recording, now the open capture; null when nothing was recorded. */
  file: FileSummary | null;
}

/** Positional arguments of every command. */
export const commandInputs = {
  openFile: z.tuple([filePath]),
  openBytes: z.tuple([z.string().min(1).max(255), z.string().max(MAX_BASE64_CHARS).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64')]),
  getCurrentFile: z.tuple([]),
  listSessions: z.tuple([]),
  getSession: z.tuple([sessionId]),
  getMessage: z.tuple([sessionId, messageIndex]),
  getCertificateChain: z.tuple([sessionId]),
  saveAs: z.tuple([filePath]),
  recentFiles: z.tuple([]),
  getSettings: z.tuple([]),
  setSettings: z.tuple([SettingsPatch]),
  getCapabilities: z.tuple([]),
  choosePath: z.tuple([z.enum(['open', 'save'])]),
  openCompareFile: z.tuple([filePath]),
  openCompareBytes: z.tuple([z.string().min(1).max(255), z.string().max(MAX_BASE64_CHARS).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64')]),
  compareSessions: z.tuple([SessionRefSchema, SessionRefSchema]),
  replaySession: z.tuple([sessionId, ReplayRequestSchema]),
  loadKeyLog: z.tuple([filePath]),
  // A key file dropped on the window (the browser has no path): its name and base64 bytes.
  loadKeyLogBytes: z.tuple([z.string().min(1).max(255), z.string().max(MAX_KEY_LOG_BASE64_CHARS).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64')]),
  startProxy: z.tuple([ProxyStartRequestSchema]),
  stopProxy: z.tuple([]),
  getProxyStatus: z.tuple([]),
  // null: no file (a browser client downloads the PEM from the result).
  exportProxyCa: z.tuple([filePath.nullable()]),
  runProbe: z.tuple([ProbeRequestSchema]),
  listInterfaces: z.tuple([]),
  startCapture: z.tuple([CaptureStartRequestSchema]),
  stopCapture: z.tuple([]),
} as const satisfies Record<CommandName, z.ZodTuple>;

export type Theme = z.infer<typeof ThemeSetting>;
export type Language = z.infer<typeof LanguageSetting>;

export interface Settings {
  theme: Theme;
  language: Language;
}

/** The capture that is open. */
export interface FileSummary {
  /** Base name as given (or as uploaded). */
  name: string;
  /** Absolute path on the machine that runs the engine; null for an upload. */
  path: string | null;
  packets: number;
  linkTypes: number[];
  /** Where the file broke, when it did: what comes before was read. */
  damaged: FileDamage | null;
  sessionCount: number;
  /** 'loading' while packets are still being read (sessions stream in), then 'ready'. */
  state: 'loading' | 'ready';
  /**
   * A live recording (capture or proxy) whose packets are only in its
   * temporary spool file, removed when another capture opens or the app
   * closes (as Wireshark's temporary capture files): Save As keeps it.
   */
  unsaved: boolean;
}

export type SessionStatus = 'complete' | 'alert' | 'incomplete' | 'resumed';

/** One row of the session table. */
export interface SessionSummary {
  id: number;
  client: Endpoint;
  server: Endpoint;
  sni: string | null;
  /** Negotiated version number (0x0303, 0x0304), null if none. */
  version: number | null;
  cipherSuiteName: string | null;
  alpn: string | null;
  ja4: string | null;
  ja3Hash: string | null;
  messageCount: number;
  /** Epoch seconds of the connection's first packet. */
  startTime: number;
  /** Seconds from the first to the last packet of the connection. */
  duration: number;
  status: SessionStatus;
  hasAlert: boolean;
  /** HTTP CONNECT request-target ("host:443"), when the session went through a proxy. */
  proxyTarget: string | null;
}

export interface ExtensionDto {
  type: number;
  name: string;
  length: number;
}

export interface ClientHelloDto {
  version: number;
  randomHex: string;
  sessionIdHex: string;
  cipherSuites: number[];
  compressionMethods: number[];
  extensions: ExtensionDto[];
  sni: string | null;
  alpn: string[];
  supportedVersions: number[];
  supportedGroups: number[];
  signatureAlgorithms: number[];
  keyShares: { group: number; groupName: string; keyExchangeLength: number }[];
  sslv2: boolean;
}

export interface ServerHelloDto {
  version: number;
  randomHex: string;
  sessionIdHex: string;
  cipherSuite: number;
  compressionMethod: number;
  extensions: ExtensionDto[];
  selectedVersion: number | null;
  alpn: string | null;
  keyShareGroup: number | null;
  helloRetryRequest: boolean;
}

/** A session as the contract JSON has it, with its summary and the decoded hellos. */
export interface SessionDetail {
  summary: SessionSummary;
  session: ContractSession;
  clientHello: ClientHelloDto | null;
  serverHello: ServerHelloDto | null;
  /** Proxy details beyond the contract's {target, status}. */
  proxy: { target: string; status: number | null; reason: string | null } | null;
  /** How the TCP connection ended, as far as the capture shows. */
  state: 'open' | 'closed-fin' | 'closed-rst';
  /** Epoch seconds of the connection's last packet. */
  endTime: number;
}

/** One message with everything the detail views need. */
export interface MessageDetail {
  sessionId: number;
  index: number;
  message: ContractMessage;
  /** Relative to the first packet of the session, seconds. */
  relativeTime: number;
  frames: number[];
  fields: FieldNode[];
  /** The bytes as on the wire (see TlsMessage.raw), base64 and lowercase hex. */
  rawBase64: string;
  rawHex: string;
  /** Application data records keep only their first bytes. */
  truncated: boolean;
}

export interface CertificateDto extends ContractCertificate {
  sha1: string;
  isCa: boolean;
  selfIssued: boolean;
  /** PEM of the DER as sent, for export. */
  pem: string;
  /** Not yet valid / expired at the time of the analysis. */
  validity: 'valid' | 'expired' | 'not-yet-valid';
  error?: string;
}

export interface CertificateChainResult {
  sessionId: number;
  sni: string | null;
  /** As sent by the server, in order. */
  certificates: CertificateDto[];
  /** The verifier's verdict on the chain as sent (null when it could not run: see `unavailable`). */
  verification: ChainVerification | null;
  unavailable?: string;
}

export interface SaveResult {
  path: string;
  bytes: number;
  format: 'pcapng';
}

/** A key log loaded for decryption: the file is named, its contents never leave the engine. */
export interface KeyLogSummary {
  /** Base name of the key file. */
  name: string;
  /** Secrets (lines) the file gave, and lines that were not secrets. */
  secrets: number;
  skippedLines: number;
  /** Base names of every key log loaded so far, in order. */
  loaded: string[];
  /** The open capture, decoded again with the keys; null when none is open. */
  file: FileSummary | null;
}

export interface RecentFile {
  path: string;
  name: string;
  /** Epoch milliseconds when it was last opened. */
  openedAt: number;
}

/** What each command resolves to. */
export interface CommandResults {
  openFile: FileSummary;
  openBytes: FileSummary;
  getCurrentFile: FileSummary | null;
  listSessions: SessionSummary[];
  getSession: SessionDetail;
  getMessage: MessageDetail;
  getCertificateChain: CertificateChainResult;
  saveAs: SaveResult;
  recentFiles: RecentFile[];
  getSettings: Settings;
  setSettings: Settings;
  getCapabilities: Capabilities;
  /** A path chosen in a native dialog; null when cancelled. Fails with 'unsupported' where there is none (browser). */
  choosePath: string | null;
  /** A second capture, for comparison: its sessions (the open capture stays open). */
  openCompareFile: CompareFileSummary;
  /** The same for a capture's bytes (uploaded from the browser): its path is null. */
  openCompareBytes: CompareFileSummary;
  /** Two sessions side by side: the tlswb.diff/1 document and both sessions' details. */
  compareSessions: CompareResult;
  /** Send the session's ClientHello again (`tlswb replay`) and compare the answer with the recording. */
  replaySession: ReplaySessionResult;
  /** Add a key log (SSLKEYLOGFILE) for decryption; the open capture is decoded again with it. */
  loadKeyLog: KeyLogSummary;
  /** The same for a key file's bytes (dropped on the window). */
  loadKeyLogBytes: KeyLogSummary;
  /** Start the recording proxy; its sessions become the open capture's, streaming in. */
  startProxy: ProxyStatus;
  /** Stop it (every tunnel ends; the recording is complete and can be saved). */
  stopProxy: ProxyStatus;
  getProxyStatus: ProxyStatus;
  /** Write the interception CA's certificate (made on first use) and say how to trust it. */
  exportProxyCa: ProxyCaExport;
  /** Run one live probe (CONNECT when proxied, TLS, one GET); its recording opens as the capture. */
  runProbe: ProbeRunResult;
  /** The interfaces live capture can listen on (libpcap), with their addresses. */
  listInterfaces: CaptureInterfaceDto[];
  /** Start a live capture (the helper process); its sessions become the open capture's, streaming in. */
  startCapture: CaptureStatus;
  /** Stop it: the spool is complete and can be saved. */
  stopCapture: CaptureStatus;
}

/** What the engine side can do beyond the common commands. */
export interface Capabilities {
  transport: 'ipc' | 'ws';
  /** Native open/save dialogs (choosePath); the browser uploads instead. */
  nativeDialogs: boolean;
  maxUploadBytes: number;
}

export type CommandArgs<K extends CommandName> = z.input<(typeof commandInputs)[K]>;

/** Events the engine side pushes; sessionsChanged is batched (at most ~20 flushes a second). */
export interface EventPayloads {
  sessionsChanged: {
    /** True when a new file replaced the list: drop every row before applying these. */
    reset: boolean;
    /** New or changed rows, by id. (Over WebSocket they travel positional, see session-rows-wire.ts; listeners get this shape.) */
    sessions: SessionSummary[];
    total: number;
  };
  fileOpened: FileSummary;
  /** Settings changed (from the window's menu or another client). */
  settingsChanged: Settings;
  error: { message: string; command?: CommandName };
  /** The proxy started, stopped, or its tunnels changed (at most ~10 a second). */
  proxyChanged: ProxyStatus;
  /** The live capture started, stopped, or its counters changed (at most ~4 a second). */
  captureStats: CaptureStatus;
}

/** Machine-readable reasons a command fails. */
export type ApiErrorCode =
  | 'invalid-arguments'
  | 'unknown-command'
  | 'no-file'
  | 'not-found'
  | 'unreadable'
  | 'too-large'
  | 'unsupported'
  | 'internal';

export interface ApiErrorData {
  code: ApiErrorCode;
  message: string;
}

/** Every transport carries results in this envelope, so a typed error survives IPC and WebSocket alike. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiErrorData };

/**
 * What each transport exposes, exactly: `window.tlswb` (preload) and the
 * renderer's WebSocket bridge both implement it.
 */
export type TlswbBridge = {
  [K in CommandName]: (...args: CommandArgs<K>) => Promise<ApiResult<CommandResults[K]>>;
} & {
  /** Subscribe to an event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
};

/** The handlers the engine side implements, after validation. */
export type CommandHandlers = {
  [K in CommandName]: (...args: z.output<(typeof commandInputs)[K]>) => Promise<CommandResults[K]>;
};

/** An error a handler throws to fail a command with a code people and code can read. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  constructor(code: ApiErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}
