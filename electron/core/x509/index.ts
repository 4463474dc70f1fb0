/** X.509 certificate summaries for the session model. */
export { parseCertificate, parseCertificateUncached, clearCertificateCache } from './certificate';
export { DerReader, decodeOid, MAX_DER_DEPTH } from './der-reader';
export { escapeRfc4514, formatName } from './distinguished-name';
export { formatIpv6 } from '../net/ip-address-text';
