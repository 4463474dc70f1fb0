/**
 * Plain-data views of one session for the detail panes: hellos with their
 * byte fields as hex, one message with its field tree and raw bytes, the
 * server's certificates as sent.
 */
import { nsToSeconds } from '../core/capture/packet';
import { toHex } from '../core/bytes/hex';
import { toContractMessage, toContractSession } from '../core/session/contract-json';
import type { FieldNode } from '../core/session/field-tree';
import type { CertificateInfo, ClientHelloInfo, ServerHelloInfo, Session, TlsMessage } from '../core/session/model';
import type { CertificateDto, ClientHelloDto, MessageDetail, ServerHelloDto, SessionDetail } from './contract';
import { summarizeSession } from './session-summary';

export function toClientHelloDto(h: ClientHelloInfo): ClientHelloDto {
  return {
    version: h.version,
    randomHex: toHex(h.random),
    sessionIdHex: toHex(h.sessionId),
    cipherSuites: [...h.cipherSuites],
    compressionMethods: [...h.compressionMethods],
    extensions: h.extensions.map((e) => ({ type: e.type, name: e.name, length: e.length })),
    sni: h.sni,
    alpn: [...h.alpn],
    supportedVersions: [...h.supportedVersions],
    supportedGroups: [...h.supportedGroups],
    signatureAlgorithms: [...h.signatureAlgorithms],
    keyShares: h.keyShares.map((k) => ({ group: k.group, groupName: k.groupName, keyExchangeLength: k.keyExchangeLength })),
    sslv2: h.sslv2,
  };
}

export function toServerHelloDto(h: ServerHelloInfo): ServerHelloDto {
  return {
    version: h.version,
    randomHex: toHex(h.random),
    sessionIdHex: toHex(h.sessionId),
    cipherSuite: h.cipherSuite,
    compressionMethod: h.compressionMethod,
    extensions: h.extensions.map((e) => ({ type: e.type, name: e.name, length: e.length })),
    selectedVersion: h.selectedVersion,
    alpn: h.alpn,
    keyShareGroup: h.keyShareGroup,
    helloRetryRequest: h.helloRetryRequest,
  };
}

export function toSessionDetail(session: Session): SessionDetail {
  return {
    summary: summarizeSession(session),
    session: toContractSession(session),
    clientHello: session.clientHello ? toClientHelloDto(session.clientHello) : null,
    serverHello: session.serverHello ? toServerHelloDto(session.serverHello) : null,
    proxy: session.proxy ? { target: session.proxy.target, status: session.proxy.status, reason: session.proxy.reason } : null,
    state: session.state,
    endTime: nsToSeconds(session.lastTimeNs),
  };
}

/** Application data records keep only their first bytes (counted, not stored). */
function isTruncated(m: TlsMessage): boolean {
  return m.type === 'application_data' && m.raw.length < m.length;
}

export function toMessageDetail(session: Session, index: number, fields: FieldNode[]): MessageDetail {
  const m = session.messages[index]!;
  return {
    sessionId: session.id,
    index,
    message: toContractMessage(m),
    relativeTime: nsToSeconds(m.timeNs - session.startTimeNs),
    frames: [...m.frames],
    fields,
    rawBase64: Buffer.from(m.raw.buffer, m.raw.byteOffset, m.raw.byteLength).toString('base64'),
    rawHex: toHex(m.raw),
    truncated: isTruncated(m),
  };
}

export function toPem(der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

export function certificateValidity(c: CertificateInfo, atMs: number): CertificateDto['validity'] {
  const notBefore = Date.parse(c.notBefore);
  const notAfter = Date.parse(c.notAfter);
  if (Number.isFinite(notBefore) && atMs < notBefore) return 'not-yet-valid';
  if (Number.isFinite(notAfter) && atMs > notAfter) return 'expired';
  return 'valid';
}

export function toCertificateDto(c: CertificateInfo, atMs: number): CertificateDto {
  const dto: CertificateDto = {
    sha256: c.sha256,
    sha1: c.sha1,
    subject: c.subject,
    issuer: c.issuer,
    serial: c.serial,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    san: [...c.san],
    publicKey: c.publicKey,
    signatureAlgorithm: c.signatureAlgorithm,
    isCa: c.isCa,
    selfIssued: c.selfIssued,
    pem: toPem(c.der),
    validity: certificateValidity(c, atMs),
  };
  if (c.error) dto.error = c.error;
  return dto;
}
