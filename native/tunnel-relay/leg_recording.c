/*
 * leg_recording: one recorded TCP leg of a relayed tunnel, synthesized in C.
 * The twin of electron/core/net/tcp-packet-synthesizer.ts (open, send,
 * close, reset: the three-way handshake, MSS-sized segments with PSH on the
 * last, the other side's ACK after data and after a FIN, "ended" after both
 * FINs or a RST, IPv4 identification +1 per segment per direction, IPv4
 * header and TCP checksums, a TCP checksum of zero written as 0x0000) writing
 * each frame as the pcapng Enhanced Packet Block BatchedPcapngFile.packet
 * makes of it (interface 0, nanosecond timestamps, no options), byte for
 * byte. Why: the passthrough relay records its tunnels here instead of
 * handing every chunk to JavaScript, whose synthesis was most of the proxy's
 * CPU per round trip beyond what tinyproxy spends.
 *
 * A leg starts from a state: exported by the JavaScript synthesizer (a tunnel
 * it recorded on before the relay took it), made by it as a new leg
 * (initialState, handed over with the events before as a prelude), or made
 * here (leg_start, for the relay's fast path); leg_recording.h has its layout.
 *
 * Frame layout (as TcpPacketSynthesizer.headers quotes it):
 * Ethernet II: dst MAC (6) | src MAC (6) | EtherType (2)
 * IPv4 (RFC 791 3.1): Version/IHL | TOS | Total Length | Identification | Flags/Fragment Offset |
 *   TTL | Protocol | Header Checksum | Source Address | Destination Address
 * IPv6 (RFC 8200 3): Version/Traffic Class/Flow Label (4) | Payload Length | Next Header | Hop Limit |
 *   Source Address (16) | Destination Address (16)
 * TCP (RFC 9293 3.1): Source Port | Destination Port | Sequence Number | Acknowledgment Number |
 *   Data Offset/Reserved/Flags | Window | Checksum | Urgent Pointer | Options (SYN: MSS, kind 2 length 4)
 * Enhanced Packet Block (pcapng 4.3):
 *  0 | Block Type = 6 | 4 | Block Total Length | 8 | Interface ID | 12 | Timestamp (High) |
 * 16 | Timestamp (Low) | 20 | Captured Packet Length | 24 | Original Packet Length |
 * 28 / Packet Data (padded to 4) / | Block Total Length
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "leg_recording.h"
#include "segment_encoder.h"
#include "wire_bytes.h"

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10
#define TCP_HEADER 20
#define MSS_OPTION 4
#define ETHERNET_HEADER 14
#define EPB 6u

uint8_t *block_buffer_reserve(block_buffer_t *b, size_t n) {
  if (n > b->cap - b->len || !b->bytes) {
    /* Frames are at most 64 KiB each: anything near this is a bug, not a reason to try. */
    if (n > ((size_t)1 << 30) || b->len > ((size_t)1 << 40)) return NULL;
    size_t need = b->len + n;
    size_t cap = b->cap ? b->cap : 64 * 1024;
    while (cap < need) cap *= 2;
    uint8_t *grown = realloc(b->bytes, cap);
    if (!grown) return NULL;
    b->bytes = grown;
    b->cap = cap;
  }
  return b->bytes + b->len;
}

int leg_import(leg_t *leg, const uint8_t *s, size_t len) {
  if (len < LEG_STATE_BYTES || s[0] != LEG_STATE_VERSION || (s[1] != 0 && s[1] != ETHERNET_HEADER) || (s[2] != 4 && s[2] != 6) || s[3] > LEG_ENDED) return -1;
  memset(leg, 0, sizeof *leg);
  leg->link = s[1];
  leg->ipv6 = s[2] == 6;
  leg->state = s[3];
  leg->mss = get_le16(s + 4);
  /* The synthesizer's bound: a segment with the SYN's option fits IP's 16-bit length. */
  uint32_t max_mss = 65535 - (leg->ipv6 ? 40 : 20) - TCP_HEADER - MSS_OPTION;
  if (leg->mss < 1 || leg->mss > max_mss) return -1;
  size_t address = leg->ipv6 ? 16 : 4;
  for (int side = 0; side < 2; side++) {
    leg->fin[side] = s[6 + side] != 0;
    leg->seq[side] = get_le32(s + 8 + 4 * side);
    leg->ip_id[side] = (uint16_t)get_le16(s + 16 + 2 * side);
    leg->port[side] = (uint16_t)get_le16(s + 20 + 2 * side);
    memcpy(leg->addr[side], s + 24 + 16 * side, address);
    leg->addr_sum += sum_be16(leg->addr[side], address);
  }
  return 0;
}

/* TcpPacketSynthesizer's isnFrom: Math.imul((a << 16) ^ b ^ 0x5bd1e995, 0x9e3779b1) >>> 0. */
static uint32_t isn_from(uint32_t a, uint32_t b) {
  return ((a << 16) ^ b ^ 0x5bd1e995u) * 0x9e3779b1u;
}

/* An address's bytes, an IPv4-mapped IPv6 one as IPv4 (unmapIpv4 and parseIpAddress do the same); its length, 0 if none. */
static size_t address_bytes(const struct sockaddr_storage *a, uint8_t out[16], uint16_t *port) {
  *port = 0;
  if (a->ss_family == AF_INET) {
    const struct sockaddr_in *v4 = (const struct sockaddr_in *)a;
    memcpy(out, &v4->sin_addr, 4);
    *port = ntohs(v4->sin_port);
    return 4;
  }
  if (a->ss_family != AF_INET6) return 0;
  const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)a;
  const uint8_t *b = v6->sin6_addr.s6_addr;
  static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
  *port = ntohs(v6->sin6_port);
  if (memcmp(b, mapped, 12) == 0) {
    memcpy(out, b + 12, 4);
    return 4;
  }
  memcpy(out, b, 16);
  return 16;
}

int leg_start(leg_t *leg, const struct sockaddr_storage *client, const struct sockaddr_storage *server, unsigned mss) {
  uint8_t addr[2][16];
  uint16_t port[2] = { 0, 0 };
  size_t len[2] = { address_bytes(client, addr[0], &port[0]), address_bytes(server, addr[1], &port[1]) };
  if (len[0] == 0 || len[0] != len[1]) return -1;
  int ipv6 = len[0] == 16;
  unsigned max_mss = 65535 - (ipv6 ? 40 : 20) - TCP_HEADER - MSS_OPTION;
  if (mss == 0) mss = ipv6 ? 1440 : 1460;
  if (mss > max_mss) mss = max_mss;
  uint8_t s[LEG_STATE_BYTES];
  memset(s, 0, sizeof s);
  s[0] = LEG_STATE_VERSION;
  s[1] = ETHERNET_HEADER;
  s[2] = ipv6 ? 6 : 4;
  s[3] = LEG_NEW;
  le16(s + 4, mss);
  for (int side = 0; side < 2; side++) {
    le32(s + 8 + 4 * side, isn_from(port[side], port[1 - side]));
    le16(s + 16 + 2 * side, 1);
    le16(s + 20 + 2 * side, port[side]);
    memcpy(s + 24 + 16 * side, addr[side], len[side]);
  }
  return leg_import(leg, s, sizeof s);
}

int leg_set_comment(leg_t *leg, const uint8_t *text, size_t len) {
  if (len > LEG_COMMENT_MAX) return -1;
  memcpy(leg->comment, text, len);
  leg->comment_len = (uint8_t)len;
  return 0;
}

void leg_export(const leg_t *leg, uint8_t *s) {
  memset(s, 0, LEG_STATE_BYTES);
  s[0] = LEG_STATE_VERSION;
  s[1] = leg->link;
  s[2] = leg->ipv6 ? 6 : 4;
  s[3] = leg->state;
  le16(s + 4, leg->mss);
  for (int side = 0; side < 2; side++) {
    s[6 + side] = leg->fin[side];
    le32(s + 8 + 4 * side, leg->seq[side]);
    le16(s + 16 + 2 * side, leg->ip_id[side]);
    le16(s + 20 + 2 * side, leg->port[side]);
    memcpy(s + 24 + 16 * side, leg->addr[side], leg->ipv6 ? 16 : 4);
  }
}

/* One frame from side `src` as an Enhanced Packet Block at the end of `out` (TcpPacketSynthesizer.segment). */
static void segment(leg_t *leg, block_buffer_t *out, int src, uint8_t flags, const uint8_t *payload, size_t len, uint64_t ts) {
  int dst = 1 - src;
  size_t option = flags & SYN ? MSS_OPTION : 0;
  size_t ip_header = leg->ipv6 ? 40 : 20;
  uint32_t tcp_len = (uint32_t)(TCP_HEADER + option + len);
  size_t frame_len = leg->link + ip_header + tcp_len;
  size_t padded = (frame_len + 3) & ~(size_t)3;
  /* Options, with a comment (BatchedPcapngFile.packet): opt_comment (1) | length | UTF-8 (padded) | opt_endofopt (0) | 0 */
  size_t comment = leg->comment_len;
  size_t option_bytes = comment ? 4 + ((comment + 3) & ~(size_t)3) + 4 : 0;
  uint32_t total = (uint32_t)(32 + padded + option_bytes);
  leg->comment_len = 0;
  uint16_t ip_id = leg->ip_id[src];
  /* Counted whether or not the frame finds memory: the next ones are numbered as if it had. */
  if (!leg->ipv6) leg->ip_id[src] = (uint16_t)(ip_id + 1);
  uint8_t *block = block_buffer_reserve(out, total);
  if (!block) {
    out->dropped++;
    return;
  }
  out->len += total;
  le32(block, EPB);
  le32(block + 4, total);
  le32(block + 8, 0);
  le32(block + 12, (uint32_t)(ts >> 32));
  le32(block + 16, (uint32_t)ts);
  le32(block + 20, (uint32_t)frame_len);
  le32(block + 24, (uint32_t)frame_len);
  uint8_t *f = block + 28;
  if (leg->link) {
    /* Locally administered MACs: 02:00:00:00:00:01 the client, :02 the server. */
    static const uint8_t mac_high[4] = { 0x02, 0, 0, 0 };
    memcpy(f, mac_high, 4);
    be16(f + 4, dst == LEG_CLIENT ? 1 : 2);
    memcpy(f + 6, mac_high, 4);
    be16(f + 10, src == LEG_CLIENT ? 1 : 2);
    be16(f + 12, leg->ipv6 ? 0x86dd : 0x0800);
  }
  uint8_t *ip = f + leg->link;
  if (leg->ipv6) {
    be32(ip, 0x60000000u);
    be16(ip + 4, tcp_len);
    ip[6] = 6;
    ip[7] = 64;
    memcpy(ip + 8, leg->addr[src], 16);
    memcpy(ip + 24, leg->addr[dst], 16);
  } else {
    ip[0] = 0x45;
    ip[1] = 0;
    be16(ip + 2, 20 + tcp_len);
    be16(ip + 4, ip_id);
    be16(ip + 6, 0x4000); /* Don't Fragment */
    ip[8] = 64;
    ip[9] = 6;
    be16(ip + 10, 0);
    memcpy(ip + 12, leg->addr[src], 4);
    memcpy(ip + 16, leg->addr[dst], 4);
    be16(ip + 10, ~fold16(sum_be16(ip, 20)) & 0xffff);
  }
  uint8_t *tcp = ip + ip_header;
  be16(tcp, leg->port[src]);
  be16(tcp + 2, leg->port[dst]);
  be32(tcp + 4, leg->seq[src]);
  be32(tcp + 8, flags & ACK ? leg->seq[dst] : 0);
  tcp[12] = (uint8_t)(((TCP_HEADER + option) / 4) << 4);
  tcp[13] = flags;
  be16(tcp + 14, 65535);
  be16(tcp + 16, 0);
  be16(tcp + 18, 0);
  if (option) {
    tcp[20] = 2;
    tcp[21] = 4;
    be16(tcp + 22, leg->mss);
  }
  if (len) memcpy(tcp + TCP_HEADER + option, payload, len);
  /* Pseudo-header (addresses, protocol, TCP length) and segment; a result of zero stays 0x0000 (RFC 1624, as tshark wants it). */
  uint32_t sum = fold16(leg->addr_sum + 6 + tcp_len + sum_fast(tcp, tcp_len));
  be16(tcp + 16, ~sum & 0xffff);
  memset(f + frame_len, 0, padded - frame_len);
  if (option_bytes) {
    uint8_t *o = f + padded;
    le16(o, 1);
    le16(o + 2, (uint32_t)comment);
    memcpy(o + 4, leg->comment, comment);
    memset(o + 4 + comment, 0, option_bytes - 4 - comment);
  }
  le32(f + padded + option_bytes, total);
}

void leg_open(leg_t *leg, block_buffer_t *out, uint64_t ts) {
  if (leg->state != LEG_NEW) return;
  leg->state = LEG_OPEN;
  segment(leg, out, LEG_CLIENT, SYN, NULL, 0, ts);
  leg->seq[LEG_CLIENT]++;
  segment(leg, out, LEG_SERVER, SYN | ACK, NULL, 0, ts);
  leg->seq[LEG_SERVER]++;
  segment(leg, out, LEG_CLIENT, ACK, NULL, 0, ts);
}

void leg_send(leg_t *leg, block_buffer_t *out, int side, const uint8_t *data, size_t len, uint64_t ts) {
  if (len == 0) return;
  if (leg->state == LEG_NEW) leg_open(leg, out, ts);
  if (leg->state != LEG_OPEN || leg->fin[side]) return;
  for (size_t at = 0; at < len; at += leg->mss) {
    size_t end = at + leg->mss < len ? at + leg->mss : len;
    segment(leg, out, side, end == len ? PSH | ACK : ACK, data + at, end - at, ts);
    leg->seq[side] += (uint32_t)(end - at);
  }
  segment(leg, out, 1 - side, ACK, NULL, 0, ts);
}

void leg_close(leg_t *leg, block_buffer_t *out, int side, uint64_t ts) {
  if (leg->state == LEG_NEW) leg_open(leg, out, ts);
  if (leg->state != LEG_OPEN || leg->fin[side]) return;
  segment(leg, out, side, FIN | ACK, NULL, 0, ts);
  leg->seq[side]++;
  leg->fin[side] = 1;
  segment(leg, out, 1 - side, ACK, NULL, 0, ts);
  if (leg->fin[1 - side]) leg->state = LEG_ENDED;
}

void leg_reset(leg_t *leg, block_buffer_t *out, int side, uint64_t ts) {
  if (leg->state == LEG_OPEN) segment(leg, out, side, RST | ACK, NULL, 0, ts);
  leg->state = LEG_ENDED;
}

napi_value js_record_leg_event(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint8_t *state, *data, *comment = NULL;
  size_t state_len, data_len, comment_len = 0;
  uint32_t op, side;
  uint64_t ts;
  bool lossless;
  leg_t leg;
  if (argc < 5 || uint8_array_arg(env, argv[0], &state, &state_len) < 0 || napi_get_value_uint32(env, argv[1], &op) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &side) != napi_ok || uint8_array_arg(env, argv[3], &data, &data_len) < 0 ||
      napi_get_value_bigint_uint64(env, argv[4], &ts, &lossless) != napi_ok || op > 3 || side > 1) {
    napi_throw_type_error(env, NULL, "recordLegEvent(state, op 0-3, side 0-1, data, timeNs): bad arguments");
    return NULL;
  }
  if (leg_import(&leg, state, state_len) < 0) {
    napi_throw_range_error(env, NULL, "recordLegEvent: not a leg state");
    return NULL;
  }
  if (argc >= 6 && (uint8_array_arg(env, argv[5], &comment, &comment_len) < 0 || leg_set_comment(&leg, comment, comment_len) < 0)) {
    napi_throw_range_error(env, NULL, "recordLegEvent: bad comment");
    return NULL;
  }
  block_buffer_t out = { NULL, 0, 0, 0 };
  if (op == 0) leg_open(&leg, &out, ts);
  else if (op == 1) leg_send(&leg, &out, (int)side, data, data_len, ts);
  else if (op == 2) leg_close(&leg, &out, (int)side, ts);
  else leg_reset(&leg, &out, (int)side, ts);
  leg_export(&leg, state);
  napi_value result;
  void *copy;
  napi_status made = napi_create_buffer_copy(env, out.len, out.len ? out.bytes : (const void *)"", &copy, &result);
  free(out.bytes);
  if (made != napi_ok || out.dropped) {
    napi_throw_error(env, NULL, "recordLegEvent: out of memory");
    return NULL;
  }
  return result;
}

/* legStartState(clientIp, clientPort, serverIp, serverPort, mss) -> Uint8Array | null: leg_start's state (exported), for tests. */
napi_value js_leg_start_state(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], out;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  struct sockaddr_storage a[2];
  socklen_t a_len;
  uint32_t mss;
  if (argc < 5 || address_arg(env, argv, &a[0], &a_len) < 0 || address_arg(env, argv + 2, &a[1], &a_len) < 0) {
    napi_throw_type_error(env, NULL, "legStartState(clientIp, clientPort, serverIp, serverPort, mss): bad arguments");
    return NULL;
  }
  if (napi_get_value_uint32(env, argv[4], &mss) != napi_ok) {
    napi_throw_type_error(env, NULL, "legStartState: bad mss");
    return NULL;
  }
  leg_t leg;
  if (leg_start(&leg, &a[0], &a[1], mss) < 0) {
    napi_get_null(env, &out);
    return out;
  }
  void *bytes;
  napi_value buffer;
  napi_create_arraybuffer(env, LEG_STATE_BYTES, &bytes, &buffer);
  leg_export(&leg, bytes);
  napi_create_typedarray(env, napi_uint8_array, LEG_STATE_BYTES, buffer, 0, &out);
  return out;
}
