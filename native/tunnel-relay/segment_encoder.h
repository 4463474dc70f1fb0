/* encodeSegments (segment_encoder.c): a recorded chunk's TCP segments as pcapng blocks, for tcp-packet-synthesizer.ts. */
#ifndef TLSWB_SEGMENT_ENCODER_H
#define TLSWB_SEGMENT_ENCODER_H
#include <node_api.h>

napi_value js_encode_segments(napi_env env, napi_callback_info info);

#endif
