import { ByteReader, ParseError } from '../bytes/byte-reader';
import type { FieldNode } from '../session/field-tree';
import type { TlsMessage } from '../session/model';
import { alertDescriptionName } from './registries';
import { FieldTreeBuilder } from './field-tree-builder';
import { parseHandshakeMessage } from './handshake-message';
import { newParseContext } from './parse-context';
import { parseSslv2ClientHello } from './sslv2-client-hello';

/** Connection facts some message forms depend on; without them the form is inferred from the bytes. */
export interface DescribeContext {
  /** Negotiated version (ServerHello, supported_versions first). */
  version?: number | null;
  /** Negotiated cipher suite (decides the ServerKeyExchange form). */
  cipherSuite?: number | null;
}

const RECORD_KINDS = new Set(['encrypted_handshake', 'change_cipher_spec', 'alert', 'application_data', 'heartbeat', 'connect_request', 'connect_response']);

/**
 * The full field tree of one message, for the UI, built on demand from
 * `m.raw` (offsets relative to `raw`) by the same parse functions the hot
 * path uses. Never throws: where the bytes stop making sense a `malformed`
 * node says why, and the fields read until then are kept.
 */
export function describeMessage(m: TlsMessage, context: DescribeContext = {}): FieldNode[] {
  const t = new FieldTreeBuilder();
  try {
    if (m.sslv2) {
      parseSslv2ClientHello(new ByteReader(m.raw), newParseContext(t));
    } else if (RECORD_KINDS.has(m.type)) {
      describeRecordContent(m, t);
    } else {
      const ctx = newParseContext(t, context.version ?? null, context.cipherSuite ?? null);
      parseHandshakeMessage(m.raw, ctx);
      for (const p of ctx.problems) t.add('problem', p, 0, 0);
    }
  } catch (e) {
    t.unwindTo(0);
    const at = e instanceof ParseError ? e.offset : 0;
    t.add('malformed', e instanceof Error ? e.message : String(e), at, Math.max(0, m.raw.length - at));
  }
  return t.tree;
}

function describeRecordContent(m: TlsMessage, t: FieldTreeBuilder): void {
  const raw = m.raw;
  switch (m.type) {
    case 'change_cipher_spec': {
      // RFC 5246 7.1: struct { enum { change_cipher_spec(1), (255) } type; } ChangeCipherSpec;
      const r = new ByteReader(raw);
      const v = r.u8('type');
      t.add('type', v === 1 ? 'change_cipher_spec (1)' : `unknown (${v})`, 0, 1);
      if (!r.atEnd) t.add('trailing', `${r.remaining} bytes`, 1, r.remaining);
      return;
    }
    case 'alert': {
      // RFC 8446 6: struct { AlertLevel level; AlertDescription description; } Alert;
      if (m.level === null || m.description === null || raw.length !== 2) {
        t.add('encrypted_alert', `${m.length} bytes`, 0, raw.length);
        return;
      }
      const level = raw[0]!;
      const desc = raw[1]!;
      t.add('level', `${level === 1 ? 'warning' : level === 2 ? 'fatal' : 'unknown'} (${level})`, 0, 1);
      t.add('description', `${alertDescriptionName(desc) ?? 'unknown'} (${desc})`, 1, 1);
      return;
    }
    case 'heartbeat':
      // RFC 6520 4: struct { HeartbeatMessageType type; uint16 payload_length; opaque payload[..]; opaque padding[..]; }
      if (raw.length >= 3 && (raw[0] === 1 || raw[0] === 2) && ((raw[1]! << 8) | raw[2]!) + 3 + 16 <= raw.length) {
        const len = (raw[1]! << 8) | raw[2]!;
        t.add('type', raw[0] === 1 ? 'heartbeat_request (1)' : 'heartbeat_response (2)', 0, 1);
        t.add('payload_length', `${len}`, 1, 2);
        t.add('payload', `${len} bytes`, 3, len);
        t.add('padding', `${raw.length - 3 - len} bytes`, 3 + len, raw.length - 3 - len);
      } else {
        t.add('encrypted_heartbeat', `${m.length} bytes`, 0, raw.length);
      }
      return;
    case 'application_data':
      t.add('encrypted_application_data', raw.length < m.length ? `${m.length} bytes (first ${raw.length} kept)` : `${m.length} bytes`, 0, raw.length);
      return;
    case 'encrypted_handshake':
      t.add('encrypted_handshake_message', `${m.length} bytes`, 0, raw.length);
      return;
    default:
      t.add(m.type, `${raw.length} bytes`, 0, raw.length);
  }
}
