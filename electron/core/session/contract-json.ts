/**
 * The `tlswb.analysis/1` document (../shared/contracts/analysis-json.md): the
 * machine-readable face of the engine, read by scripts, tests and outside
 * checks. Adding a key is fine; renaming, removing or changing the meaning of
 * one needs a new `format`.
 */
import { nsToSeconds } from '../capture/packet';
import type { CertificateInfo, Endpoint, MessageType, Session, Side, TlsMessage } from './model';

export const ANALYSIS_FORMAT = 'tlswb.analysis/1';

export interface ContractMessage {
  type: MessageType;
  from: Side;
  frame: number;
  time: number;
  length: number;
  level?: 'fatal' | 'warning' | null;
  description?: string | null;
  decrypted?: boolean;
}

export interface ContractCertificate {
  sha256: string;
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  san: string[];
  publicKey: string;
  signatureAlgorithm: string;
}

export interface ContractSession {
  id: number;
  client: Endpoint;
  server: Endpoint;
  startTime: number;
  proxy: { target: string; status: number | null } | null;
  sni: string | null;
  alpnOffered: string[];
  alpn: string | null;
  version: number | null;
  cipherSuite: number | null;
  cipherSuiteName: string | null;
  resumed: boolean;
  ja3: string | null;
  ja3Hash: string | null;
  ja3s: string | null;
  ja3sHash: string | null;
  ja4: string | null;
  messages: ContractMessage[];
  certificates: ContractCertificate[];
  clientCertificates: ContractCertificate[];
  warnings: string[];
  /** Only on the legs of a tlswb proxy tunnel: the tunnel's id and which leg (additive to tlswb.analysis/1). */
  tunnel?: { id: number; leg: 'client' | 'upstream' };
}

export interface FileDamage {
  afterPacket: number;
  reason: string;
}

export interface ContractDocument {
  format: typeof ANALYSIS_FORMAT;
  file: { name: string; packets: number; linkTypes: number[]; damaged: FileDamage | null };
  sessions: ContractSession[];
}

export function toContractMessage(m: TlsMessage): ContractMessage {
  const out: ContractMessage = { type: m.type, from: m.from, frame: m.frame, time: nsToSeconds(m.timeNs), length: m.length };
  if (m.type === 'alert') {
    out.level = m.level ?? null;
    out.description = m.description ?? null;
  }
  if (m.decrypted) out.decrypted = true;
  return out;
}

export function toContractCertificate(c: CertificateInfo): ContractCertificate {
  return {
    sha256: c.sha256,
    subject: c.subject,
    issuer: c.issuer,
    serial: c.serial,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    san: c.san,
    publicKey: c.publicKey,
    signatureAlgorithm: c.signatureAlgorithm,
  };
}

export function toContractSession(s: Session): ContractSession {
  return {
    id: s.id,
    client: s.client,
    server: s.server,
    startTime: nsToSeconds(s.startTimeNs),
    proxy: s.proxy ? { target: s.proxy.target, status: s.proxy.status } : null,
    sni: s.sni,
    alpnOffered: s.alpnOffered,
    alpn: s.alpn,
    version: s.version,
    cipherSuite: s.cipherSuite,
    cipherSuiteName: s.cipherSuiteName,
    resumed: s.resumed,
    ja3: s.ja3,
    ja3Hash: s.ja3Hash,
    ja3s: s.ja3s,
    ja3sHash: s.ja3sHash,
    ja4: s.ja4,
    messages: s.messages.map(toContractMessage),
    certificates: s.certificates.map(toContractCertificate),
    clientCertificates: s.clientCertificates.map(toContractCertificate),
    warnings: s.warnings,
    ...(s.tunnel ? { tunnel: { id: s.tunnel.id, leg: s.tunnel.leg } } : {}),
  };
}

export function toContractDocument(
  name: string,
  file: { packets: number; linkTypes: number[]; damaged: FileDamage | null },
  sessions: readonly Session[],
): ContractDocument {
  return {
    format: ANALYSIS_FORMAT,
    file: { name, packets: file.packets, linkTypes: [...file.linkTypes].sort((a, b) => a - b), damaged: file.damaged },
    // `id` is the index in this list, whatever id the session had while live.
    sessions: sessions.map((s, i) => ({ ...toContractSession(s), id: i })),
  };
}
