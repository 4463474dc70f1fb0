/**
 * A file dropped on the window may be a TLS key log rather than a capture
 * (decryption): text whose first line that is no comment starts with a key
 * log label. The renderer may import only the contract's types, so the NSS
 * labels (electron/core/tls/decrypt/keylog.ts KEY_LOG_LABELS) are listed here.
 */
const KEY_LOG_LABELS = new Set([
  'CLIENT_RANDOM',
  'CLIENT_EARLY_TRAFFIC_SECRET',
  'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
  'SERVER_HANDSHAKE_TRAFFIC_SECRET',
  'CLIENT_TRAFFIC_SECRET_0',
  'SERVER_TRAFFIC_SECRET_0',
  'EXPORTER_SECRET',
  'EARLY_EXPORTER_SECRET',
]);

export async function isKeyLogFile(file: File): Promise<boolean> {
  const head = await file.slice(0, 4096).text();
  for (const raw of head.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    return KEY_LOG_LABELS.has(line.split(/\s/, 1)[0]!);
  }
  return false;
}
