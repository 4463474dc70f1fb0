/**
 * TLS registries: names for the numbers on the wire, from tables generated
 * from the IANA lists (scripts/generate-registries.mjs, `npm run registries`).
 */
export {
  alertDescriptionName,
  cipherSuiteName,
  contentTypeName,
  ecPointFormatName,
  extensionName,
  groupName,
  handshakeTypeName,
  signatureSchemeName,
} from './registry-names';
export { isGrease, isGreasePskKeyExchangeMode } from './grease';
export { versionName } from './version-name';
export { cipherSuiteInfo, type CipherSuiteInfo } from './cipher-suite-info';
