/**
 * The header fields a proxy forwards (RFC 9110 §7.6.1): the Connection field
 * and every field it names concern only the connection they arrived on, as do
 * the proxy's own fields; everything else goes on unchanged and in order.
 *
 * Transfer-Encoding and Trailer are kept: the proxy relays bodies with their
 * framing unchanged (message-framing.ts), so the next hop needs them.
 */
import { connectionTokens } from './message-framing';
import type { HttpHead } from './http-head-parser';

/** Always connection-specific (RFC 9110 §7.6.1, RFC 9112 §9.6 keep-alive, the non-standard Proxy-Connection). */
const ALWAYS_HOP_BY_HOP = new Set(['connection', 'proxy-connection', 'keep-alive', 'te', 'upgrade']);

/**
 * The head's fields minus the hop-by-hop ones and `alsoDrop` (lower-case
 * names: e.g. the client's Proxy-Authorization, meant for this proxy).
 */
export function endToEndFields(head: HttpHead, alsoDrop: readonly string[] = []): [string, string][] {
  const drop = connectionTokens(head);
  for (const name of ALWAYS_HOP_BY_HOP) drop.add(name);
  for (const name of alsoDrop) drop.add(name);
  // Framing fields are never dropped, even when a Connection field names them.
  drop.delete('transfer-encoding');
  drop.delete('content-length');
  drop.delete('host');
  return head.headers.filter(([name]) => !drop.has(name.toLowerCase()));
}

/** A head as bytes: its start line, then the fields, then the empty line. */
export function serializeHead(startLine: string, fields: readonly (readonly [string, string])[]): Uint8Array {
  let text = `${startLine}\r\n`;
  for (const [name, value] of fields) text += `${name}: ${value}\r\n`;
  text += '\r\n';
  // Latin-1, as the head parser read it: every character is one byte.
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  return bytes;
}
