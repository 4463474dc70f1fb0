/* encodeSegments (segment_encoder.c): a recorded chunk's TCP segments as pcapng blocks, for tcp-packet-synthesizer.ts. */
#ifndef TLSWB_SEGMENT_ENCODER_H
#define TLSWB_SEGMENT_ENCODER_H
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

napi_value js_encode_segments(napi_env env, napi_callback_info info);

/* A Uint8Array argument's bytes and length: 0, or -1 for anything else (shared by both files' argument checks). */
int uint8_array_arg(napi_env env, napi_value v, uint8_t **data, size_t *len);

/* argv[0], argv[1] as an IP address (text) and port 1-65535, as a socket address: 0, or -1 for anything else (tunnel_relay.c). */
int address_arg(napi_env env, napi_value *argv, struct sockaddr_storage *to, socklen_t *to_len);

/* Ones' complement sum (RFC 1071) of n bytes as big-endian 16-bit words (odd tail padded with zero), folded to 16 bits. */
uint32_t sum_fast(const uint8_t *p, size_t n);

#endif
