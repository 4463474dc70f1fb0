/** TLS client/server fingerprints over the decoded hellos. */
export { ja3, ja3s, type Fingerprint } from './ja3';
export { ja4, ja4Parts, ja4AlpnCode, type Ja4Options, type Ja4Parts } from './ja4';
export { clientHelloFingerprints, type ClientHelloFingerprints } from './client-hello-fingerprints';
