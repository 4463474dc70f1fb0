import { execFileSync } from 'node:child_process';

/** One TLS message as tshark shows it. */
export interface TsharkMessage {
  stream: number;
  /** "ip:port" of the sender. */
  src: string;
  frame: number;
  type: string;
  level?: string;
  description?: string;
}

/** Hello fields of a frame that holds exactly one ClientHello or ServerHello. */
export interface TsharkHello {
  frame: number;
  type: 1 | 2;
  version: number;
  cipherSuites: number[];
  /** SSLv2-format ClientHello: its 3-byte cipher specs. */
  cipherSpecs: number[];
  extensionTypes: number[];
  sni: string | null;
  alpn: string[];
  supportedVersions: number[];
  random: string;
}

const HS: Record<number, string> = {
  0: 'hello_request', 1: 'client_hello', 2: 'server_hello', 3: 'hello_verify_request', 4: 'new_session_ticket',
  5: 'end_of_early_data', 8: 'encrypted_extensions', 11: 'certificate', 12: 'server_key_exchange',
  13: 'certificate_request', 14: 'server_hello_done', 15: 'certificate_verify', 16: 'client_key_exchange',
  20: 'finished', 22: 'certificate_status', 24: 'key_update', 25: 'compressed_certificate', 254: 'message_hash',
};
const HRR_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';
const ALERT_LEVEL: Record<string, string> = { '1': 'warning', '2': 'fatal' };

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

function list(v: Json | undefined): Json[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

function obj(v: Json): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Every TLS message tshark decodes (handshake messages by name, change_cipher_spec,
 * alert, encrypted_handshake, application_data, heartbeat), in frame order,
 * with the preferences of the project's agreement check.
 */
export function tsharkMessages(file: string): TsharkMessage[] {
  const out = execFileSync('tshark', ['-n', '-o', 'tcp.reassemble_out_of_order:TRUE', '-r', file, '-Y', 'tls', '-T', 'json', '--no-duplicate-keys'],
    { maxBuffer: 1 << 30 }).toString();
  const frames = JSON.parse(out) as { _source: { layers: Obj } }[];
  const messages: TsharkMessage[] = [];
  for (const f of frames) {
    const L = f._source.layers;
    const frame = Number((L['frame'] as Obj)['frame.number']);
    const tcp = list(L['tcp']).at(-1) as Obj | undefined;
    if (tcp === undefined) continue; // DTLS, QUIC: not TLS over TCP
    const ip = (list(L['ip']).at(-1) ?? list(L['ipv6']).at(-1)) as Obj;
    const src = `${(ip['ip.src'] ?? ip['ipv6.src']) as string}:${tcp['tcp.srcport'] as string}`;
    const stream = Number(tcp['tcp.stream']);
    for (const tls of list(L['tls'])) {
      if (!obj(tls)) continue;
      for (const rec of list(tls['tls.record'])) {
        if (!obj(rec)) continue;
        const base = { stream, src, frame };
        if (rec['tls.record.content_type'] === undefined && rec['tls.handshake.type'] !== undefined) {
          // SSLv2-format record: no content type, the message type sits in the record.
          messages.push({ ...base, type: HS[Number(rec['tls.handshake.type'])] ?? 'unknown' });
          continue;
        }
        const ct = Number(rec['tls.record.content_type'] ?? rec['tls.record.opaque_type'] ?? 0);
        if (ct === 20) messages.push({ ...base, type: 'change_cipher_spec' });
        else if (ct === 23) messages.push({ ...base, type: 'application_data' });
        else if (ct === 24) messages.push({ ...base, type: 'heartbeat' });
        else if (ct === 21) {
          const a = rec['tls.alert_message'];
          if (obj(a) && a['tls.alert_message.level'] !== undefined) {
            messages.push({ ...base, type: 'alert', level: ALERT_LEVEL[a['tls.alert_message.level'] as string] ?? '?', description: a['tls.alert_message.desc'] as string });
          } else messages.push({ ...base, type: 'alert' });
        } else if (ct === 22) {
          const typed = list(rec['tls.handshake']).filter((h): h is Obj => obj(h) && h['tls.handshake.type'] !== undefined);
          if (typed.length === 0) messages.push({ ...base, type: 'encrypted_handshake' });
          for (const h of typed) {
            const t = Number(h['tls.handshake.type']);
            let name = HS[t] ?? `unknown_${t}`;
            if (t === 2 && String(h['tls.handshake.random'] ?? '').replace(/:/g, '') === HRR_RANDOM) name = 'hello_retry_request';
            messages.push({ ...base, type: name });
          }
        }
      }
    }
  }
  return messages;
}

/**
 * The hello fields of frames with exactly one ClientHello or ServerHello
 * (`-T fields` keeps the wire order of repeated fields).
 */
export function tsharkHellos(file: string): TsharkHello[] {
  const fields = ['frame.number', 'tls.handshake.type', 'tls.handshake.version', 'tls.handshake.ciphersuite',
    'tls.handshake.extension.type', 'tls.handshake.extensions_server_name', 'tls.handshake.extensions_alpn_str',
    'tls.handshake.extensions.supported_version', 'tls.handshake.random', 'tls.handshake.cipherspec'];
  const out = execFileSync('tshark', ['-n', '-o', 'tcp.reassemble_out_of_order:TRUE', '-r', file, '-Y', 'tls.handshake.type == 1 or tls.handshake.type == 2',
    '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=|', ...fields.flatMap((f) => ['-e', f])],
  { maxBuffer: 1 << 30 }).toString();
  const hellos: TsharkHello[] = [];
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [frame, types, version, suites, exts, sni, alpn, sv, random, specs] = line.split('\t');
    const typeList = (types ?? '').split('|').filter((t) => t === '1' || t === '2');
    if (typeList.length !== 1) continue;
    const nums = (s: string | undefined): number[] => (s ? s.split('|').map((x) => Number(x)) : []);
    hellos.push({
      frame: Number(frame),
      type: Number(typeList[0]) as 1 | 2,
      version: Number(version?.split('|')[0]),
      cipherSuites: nums(suites),
      cipherSpecs: nums(specs),
      extensionTypes: nums(exts),
      sni: sni ? sni : null,
      alpn: alpn ? alpn.split('|') : [],
      supportedVersions: nums(sv),
      random: (random ?? '').split('|')[0]!.replace(/:/g, ''),
    });
  }
  return hellos;
}
