/*
 * encodeSegments: the per-segment work of recording a relayed chunk
 * (electron/core/net/tcp-packet-synthesizer.ts cuts it into MSS-sized TCP
 * segments, each a pcapng Enhanced Packet Block), in C. Recording a tunnel
 * used to cost more CPU than relaying it: per 1,460 bytes a header, two
 * checksums and two copies in JavaScript, plus a typed array per segment.
 * Here the synthesizer hands over the first segment's headers (as it would
 * write them) and the payload; every segment's block is written straight
 * into the pcapng batch, byte for byte what the synthesizer and
 * BatchedPcapngFile.packet would have made.
 *
 *   encodeSegments(out: Uint8Array, outOffset, headers: Uint8Array, linkHeaderLength,
 *                  payload: Uint8Array, mss, timestampHigh, timestampLow) -> bytes written
 *
 * headers: link header (Ethernet or none) | IPv4 (20) or IPv6 (40) | TCP (20, no options),
 * every field as for the run's first segment (sequence number, IPv4
 * identification, ACK flag) except lengths and checksums, which are written
 * here. Per segment i: sequence number + i * mss, IPv4 identification + i,
 * PSH on the last, payload bytes [i * mss, min((i + 1) * mss, length)).
 *
 * Enhanced Packet Block (pcapng 4.3), interface 0, no options:
 *  0 | Block Type = 6 | 4 | Block Total Length | 8 | Interface ID | 12 | Timestamp (High) |
 * 16 | Timestamp (Low) | 20 | Captured Packet Length | 24 | Original Packet Length |
 * 28 / Packet Data (padded to 4) / | Block Total Length
 * The caller makes room: `out` must hold every block (it throws otherwise).
 */
#include <node_api.h>
#include <stdint.h>
#include <string.h>

#include "segment_encoder.h"
#include "wire_bytes.h"

#define ENHANCED_PACKET_BLOCK 6u
#define TCP_HEADER 20
#define IPPROTO_TCP_NUMBER 6
#define FLAG_PSH 0x08

/*
 * The same sum, fast: 32-bit words in the machine's order (RFC 1071 2(B), 2(C):
 * byte order and word size only change the result by one swap at the end),
 * folded to 16 bits, as a big-endian value. leg_recording.c sums with it too.
 */
uint32_t sum_fast(const uint8_t *p, size_t n) {
  uint64_t s = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    uint32_t w;
    memcpy(&w, p + i, 4);
    s += w;
  }
  uint8_t tail[4] = { 0, 0, 0, 0 };
  if (i < n) {
    memcpy(tail, p + i, n - i);
    uint32_t w;
    memcpy(&w, tail, 4);
    s += w;
  }
  uint32_t folded = fold16(s);
  const uint16_t probe = 1;
  int little = *(const uint8_t *)&probe == 1;
  return little ? (((folded & 0xff) << 8) | (folded >> 8)) : folded;
}

int uint8_array_arg(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return -1;
  napi_typedarray_type type;
  size_t length, offset;
  void *bytes;
  napi_value ab;
  if (napi_get_typedarray_info(env, v, &type, &length, &bytes, &ab, &offset) != napi_ok || type != napi_uint8_array) return -1;
  *data = bytes;
  *len = length;
  return 0;
}

napi_value js_encode_segments(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint8_t *out, *headers, *payload;
  size_t out_len, headers_len, payload_len;
  uint32_t out_offset, link, mss, ts_high, ts_low;
  if (argc < 8 || uint8_array_arg(env, argv[0], &out, &out_len) < 0 || napi_get_value_uint32(env, argv[1], &out_offset) != napi_ok ||
      uint8_array_arg(env, argv[2], &headers, &headers_len) < 0 || napi_get_value_uint32(env, argv[3], &link) != napi_ok ||
      uint8_array_arg(env, argv[4], &payload, &payload_len) < 0 || napi_get_value_uint32(env, argv[5], &mss) != napi_ok ||
      napi_get_value_uint32(env, argv[6], &ts_high) != napi_ok || napi_get_value_uint32(env, argv[7], &ts_low) != napi_ok) {
    napi_throw_type_error(env, NULL, "encodeSegments(out, outOffset, headers, linkHeaderLength, payload, mss, tsHigh, tsLow): bad arguments");
    return NULL;
  }
  if (link >= headers_len || mss == 0 || mss > 65535) {
    napi_throw_range_error(env, NULL, "encodeSegments: bad headers or mss");
    return NULL;
  }
  int ipv6 = (headers[link] >> 4) == 6;
  size_t ip_header = ipv6 ? 40 : 20;
  size_t header_len = link + ip_header + TCP_HEADER;
  if (headers_len < header_len || (!ipv6 && (headers[link] >> 4) != 4)) {
    napi_throw_range_error(env, NULL, "encodeSegments: headers are not link | IPv4 or IPv6 | TCP");
    return NULL;
  }
  /* Room for every block first: nothing is written unless all fit. */
  size_t full = payload_len / mss, rest = payload_len % mss;
  size_t segments = full + (rest ? 1 : 0);
  size_t need = full * (32 + ((header_len + mss + 3) & ~(size_t)3)) + (rest ? 32 + ((header_len + rest + 3) & ~(size_t)3) : 0);
  if (out_offset > out_len || out_len - out_offset < need) {
    napi_throw_range_error(env, NULL, "encodeSegments: out has no room for the blocks");
    return NULL;
  }
  /* The pseudo-header's addresses (RFC 9293 3.1): the same for every segment. */
  const uint8_t *addresses = headers + link + (ipv6 ? 8 : 12);
  uint64_t address_sum = sum_be16(addresses, ipv6 ? 32 : 8);
  size_t tcp_at = link + ip_header;
  uint32_t seq = get_be32(headers + tcp_at + 4);
  uint32_t ip_id = ipv6 ? 0 : get_be16(headers + link + 4);
  uint8_t flags = headers[tcp_at + 13];

  uint8_t *block = out + out_offset;
  for (size_t i = 0; i < segments; i++) {
    size_t at = i * mss;
    size_t len = i + 1 < segments || rest == 0 ? mss : rest;
    size_t frame_len = header_len + len;
    size_t padded = (frame_len + 3) & ~(size_t)3;
    uint32_t total = (uint32_t)(32 + padded);
    le32(block, ENHANCED_PACKET_BLOCK);
    le32(block + 4, total);
    le32(block + 8, 0);
    le32(block + 12, ts_high);
    le32(block + 16, ts_low);
    le32(block + 20, (uint32_t)frame_len);
    le32(block + 24, (uint32_t)frame_len);
    uint8_t *f = block + 28;
    memcpy(f, headers, header_len);
    uint32_t tcp_len = (uint32_t)(TCP_HEADER + len);
    uint8_t *ip = f + link;
    if (ipv6) {
      be16(ip + 4, tcp_len);
    } else {
      be16(ip + 2, 20 + tcp_len);
      be16(ip + 4, (ip_id + (uint32_t)i) & 0xffff);
      be16(ip + 10, 0);
      be16(ip + 10, ~fold16(sum_be16(ip, 20)) & 0xffff);
    }
    uint8_t *tcp = f + tcp_at;
    be32(tcp + 4, seq + (uint32_t)at);
    tcp[13] = i + 1 == segments ? (uint8_t)(flags | FLAG_PSH) : flags;
    be16(tcp + 16, 0);
    memcpy(tcp + TCP_HEADER, payload + at, len);
    /* A result of zero stays 0x0000, as the synthesizer writes it. */
    uint32_t sum = fold16(address_sum + IPPROTO_TCP_NUMBER + tcp_len + sum_fast(tcp, tcp_len));
    be16(tcp + 16, ~sum & 0xffff);
    memset(f + frame_len, 0, padded - frame_len);
    le32(f + padded, total);
    block += total;
  }
  napi_value result;
  napi_create_uint32(env, (uint32_t)(block - (out + out_offset)), &result);
  return result;
}
