/**
 * TLS decryption: secrets from an NSS key log, record decryption for
 * TLS 1.0-1.3, and Finished checks. Pure (node:crypto only).
 *
 * How the TLS connection decoder drives it, per connection:
 * 1. Feed every cleartext handshake message (4-byte header + body, both
 *    directions, in wire order) to a `HandshakeTranscript` from ClientHello on.
 *    (After a HelloRetryRequest, RFC 8446 4.4.1 replaces ClientHello1 with a
 *    message_hash: the decoder builds that transcript; not done here.)
 * 2. At the (real, not HRR) ServerHello: `new SessionKeys({clientRandom,
 *    serverRandom, version (supported_versions for 1.3), cipherSuite,
 *    encryptThenMac: ServerHello has extension 22, keyLog, masterSecret?})`.
 *    Client application_data records seen before the ServerHello (0-RTT)
 *    are queued and handed over right after, in order.
 * 3. Every later record of each direction, in order:
 *    `decryptClient/decryptServer({type, version, fragment})` ->
 *    'cleartext' (dissect as is) | 'decrypted' (dissect `plaintext` as
 *    `contentType`; mark the message decrypted) | 'undecryptable' (reason).
 * 4. On each decrypted Finished: `checkFinished(side, verify_data,
 *    transcript.hash(keys.transcriptHash!))` with the transcript *before*
 *    adding that Finished; false -> one warning on the session. Then add it
 *    (and every decrypted handshake message) to the transcript.
 * 5. When the key log changes (`keyLog.generation`), re-decode the capture.
 *    A live key log (`KeyLog.live`: a live proxy's, whose secrets come during
 *    each handshake, before the records they unlock) needs no second pass:
 *    `SessionKeys` re-reads it when it changed, before each record.
 *
 * `ConnectionDecryption` (connection-decryption.ts) does steps 1-4 for the
 * decoder (../tls-connection-decoder.ts, option `keyLog`), with the 0-RTT
 * queue, the HRR message_hash, one warning per connection at most, and TLS
 * <= 1.2 resumption through `ResumptionSecrets` (master secrets by session
 * ID / ticket, shared by the connections of one analysis). Step 5 and the
 * secrets of pcapng DSBs: electron/services/analyze-with-secrets.ts.
 */
export { ConnectionDecryption, type DecryptedRecord, type HandshakeFactsForDecryption } from './connection-decryption';
export { ResumptionSecrets } from './resumption-secrets';
export { KeyLog, parseKeyLog, parseKeyLogBytes, looksLikeKeyLog, KEY_LOG_LABELS, type KeyLogLabel, type ConnectionSecrets, type KeyLogParseResult } from './keylog';
export { SessionKeys, type SessionKeysInit, type SessionKeysStatus, type SessionRecordResult, type Side } from './session-keys';
export { HandshakeTranscript, transcriptHashName, type TranscriptHashName } from './handshake-transcript';
export { RecordDecryptor, type RecordDecryptResult, type DecryptFailureReason, type TlsRecordIn, type RecordProtection } from './record-decryptor';
export { cipherSuiteParams, supportedCipherSuites, type CipherSuiteParams } from './cipher-suite-params';
