/* encodeSegments (segment_encoder.c): a recorded chunk's TCP segments as pcapng blocks, for tcp-packet-synthesizer.ts. */
#ifndef TLSWB_SEGMENT_ENCODER_H
#define TLSWB_SEGMENT_ENCODER_H
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

napi_value js_encode_segments(napi_env env, napi_callback_info info);

/* A Uint8Array argument's bytes and length: 0, or -1 for anything else (shared by both files' argument checks). */
int uint8_array_arg(napi_env env, napi_value v, uint8_t **data, size_t *len);

#endif
