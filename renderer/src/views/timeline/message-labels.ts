/**
 * How each message type is named on an arrow: as Wireshark's Info column
 * names it, so the timeline reads like the capture in Wireshark.
 */
const LABELS: Record<string, string> = {
  hello_request: 'Hello Request',
  client_hello: 'Client Hello',
  server_hello: 'Server Hello',
  hello_retry_request: 'Hello Retry Request',
  hello_verify_request: 'Hello Verify Request',
  new_session_ticket: 'New Session Ticket',
  end_of_early_data: 'End of Early Data',
  encrypted_extensions: 'Encrypted Extensions',
  certificate: 'Certificate',
  server_key_exchange: 'Server Key Exchange',
  certificate_request: 'Certificate Request',
  server_hello_done: 'Server Hello Done',
  certificate_verify: 'Certificate Verify',
  client_key_exchange: 'Client Key Exchange',
  finished: 'Finished',
  certificate_url: 'Certificate URL',
  certificate_status: 'Certificate Status',
  supplemental_data: 'Supplemental Data',
  key_update: 'Key Update',
  compressed_certificate: 'Compressed Certificate',
  message_hash: 'Message Hash',
  encrypted_handshake: 'Encrypted Handshake Message',
  change_cipher_spec: 'Change Cipher Spec',
  alert: 'Alert',
  application_data: 'Application Data',
  heartbeat: 'Heartbeat',
  connect_request: 'CONNECT',
  connect_response: 'HTTP Response',
};

export function messageLabel(type: string): string {
  const known = LABELS[type];
  if (known) return known;
  const unknown = /^unknown_(\d+)$/.exec(type);
  return unknown ? `Unknown Handshake Message (${unknown[1]})` : type;
}

/** "1.2 KB" style sizes for the collapsed application-data arrows. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** Milliseconds with a precision that suits the size: 0.085 ms, 7.21 ms, 77.2 ms, 1 204 ms. */
export function formatMs(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1) return `${ms.toFixed(3)} ms`;
  if (abs < 10) return `${ms.toFixed(2)} ms`;
  if (abs < 1000) return `${ms.toFixed(1)} ms`;
  return `${groupThousands(Math.round(ms))} ms`;
}

/** 1204 -> "1,204". By hand: toLocaleString builds an Intl formatter, some 10 ms the first time a timeline is drawn. */
function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
