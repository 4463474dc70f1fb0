/**
 * The renderer fixtures (test/fixtures/renderer/SOURCES.md): sessions of real
 * captures in the analysis contract's shape, and tshark's field trees.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CertificateDto, ContractSession, FieldNode } from '../../../electron/api/contract';
import type { TimelineSession } from '../../../renderer/src/views/timeline/timeline-rows';

const DIR = join(__dirname, '../../fixtures/renderer');

export type FixtureCertificate = ContractSession['certificates'][number] & { sha1: string; der: string };
export type FixtureSession = Omit<ContractSession, 'certificates'> & TimelineSession & { certificates: FixtureCertificate[] };

export function loadSession(name: 'https-connect' | 'curl-enabled-tls13' | 'badcurveball'): FixtureSession {
  return JSON.parse(readFileSync(join(DIR, `${name}.session.json`), 'utf8')) as FixtureSession;
}

export interface FieldsFixture {
  raw: Uint8Array;
  fields: FieldNode[];
}

export function loadFields(name: 'client-hello' | 'certificate'): FieldsFixture {
  const doc = JSON.parse(readFileSync(join(DIR, `https-connect.${name}.fields.json`), 'utf8')) as { raw: string; fields: FieldNode[] };
  return { raw: new Uint8Array(Buffer.from(doc.raw, 'hex')), fields: doc.fields };
}

export function derOf(cert: FixtureCertificate): Uint8Array {
  return new Uint8Array(Buffer.from(cert.der, 'hex'));
}

/** The certificate as the API's getCertificateChain delivers it. */
export function toCertificateDto(cert: FixtureCertificate, pem: string, isCa: boolean): CertificateDto {
  const { der: _der, ...rest } = cert;
  return { ...rest, isCa, selfIssued: cert.subject === cert.issuer, pem, validity: 'valid' };
}
