/* parse_connect_head (connect_head.c): a passthrough CONNECT the relay can connect and answer by itself. */
#ifndef TLSWB_CONNECT_HEAD_H
#define TLSWB_CONNECT_HEAD_H
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/*
 * 0 when head[0, len) starts with a complete "CONNECT <IP>:<port> HTTP/1.x"
 * head of the strict form connect_head.c describes: the target in *to /
 * *to_len, the head's length (through its empty line) in *head_len. -1 for
 * anything else (JavaScript then decides).
 */
int parse_connect_head(const uint8_t *head, size_t len, struct sockaddr_storage *to, socklen_t *to_len, size_t *head_len);

/* connectHead(bytes) -> [ip, port, headLength] | null, for tests. */
napi_value js_connect_head(napi_env env, napi_callback_info info);

#endif
