/*
 * connect_head: recognises the request head of a plain passthrough tunnel,
 * "CONNECT <IP literal>:<port> HTTP/1.x", so the relay can connect and
 * answer it without a trip through JavaScript (see tunnel_relay.c, listen()).
 *
 * It accepts a strict subset of what the proxy's JavaScript parser
 * (electron/core/http/http-head-parser.ts, then forward-proxy.ts's
 * nativeTunnelTarget) accepts and relays natively: anything else, however
 * valid, returns -1 and takes the JavaScript path, which answers it as
 * before. So a head is never answered differently here than there.
 *
 * RFC 9112 §2.1, §3, §3.2.3, §5:
 *   request-line   = method SP request-target SP HTTP-version CRLF
 *   authority-form = uri-host ":" port          (uri-host: IPv4address or "[" IPv6address "]" here)
 *   field-line     = field-name ":" OWS field-value OWS CRLF
 *   the head ends with an empty line (CRLF CRLF)
 * Accepted here: method exactly "CONNECT"; HTTP-version "HTTP/1.0" or
 * "HTTP/1.1"; an IPv4 dotted quad without leading zeros (as Node's isIP) or
 * a bracketed IPv6 address inet_pton reads; port 1-65535 in 1-5 digits;
 * field names of token characters (RFC 9110 §5.6.2) and values without CR,
 * LF or NUL; every line ending in CRLF; no obs-fold continuation lines.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <node_api.h>
#include <string.h>

#include "connect_head.h"
#include "segment_encoder.h"

static int is_tchar(uint8_t c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return 1;
  return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* An IPv4 dotted quad as Node's isIPv4 accepts it (0-255, no leading zeros), into a. */
static int parse_ipv4(const uint8_t *s, size_t n, struct in_addr *a) {
  uint32_t value = 0;
  size_t i = 0;
  for (int part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= n || s[i] != '.') return -1;
      i++;
    }
    size_t start = i;
    unsigned v = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 3) v = v * 10 + (unsigned)(s[i++] - '0');
    size_t digits = i - start;
    if (digits == 0 || v > 255 || (digits > 1 && s[start] == '0')) return -1;
    value = (value << 8) | v;
  }
  if (i != n) return -1;
  a->s_addr = htonl(value);
  return 0;
}

/* uri-host ":" port of an authority-form target, as a socket address. */
static int parse_authority(const uint8_t *s, size_t n, struct sockaddr_storage *to, socklen_t *to_len) {
  size_t colon = n;
  while (colon > 0 && s[colon - 1] != ':') colon--;
  if (colon == 0) return -1;
  colon--; /* s[colon] == ':' */
  size_t digits = n - colon - 1;
  if (digits == 0 || digits > 5) return -1;
  unsigned port = 0;
  for (size_t i = colon + 1; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    port = port * 10 + (unsigned)(s[i] - '0');
  }
  if (port == 0 || port > 65535) return -1;
  memset(to, 0, sizeof *to);
  if (colon >= 2 && s[0] == '[' && s[colon - 1] == ']') {
    char text[INET6_ADDRSTRLEN + 1];
    size_t len = colon - 2;
    if (len == 0 || len >= sizeof text) return -1;
    memcpy(text, s + 1, len);
    text[len] = 0;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)to;
    if (inet_pton(AF_INET6, text, &v6->sin6_addr) != 1) return -1;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    *to_len = sizeof *v6;
    return 0;
  }
  struct sockaddr_in *v4 = (struct sockaddr_in *)to;
  if (parse_ipv4(s, colon, &v4->sin_addr) < 0) return -1;
  v4->sin_family = AF_INET;
  v4->sin_port = htons((uint16_t)port);
  *to_len = sizeof *v4;
  return 0;
}

/* The length of the line at s (up to, not including, its CRLF); -1 without a CRLF or with a bare CR, LF or NUL in it. */
static long line_length(const uint8_t *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\r') return i + 1 < n && s[i + 1] == '\n' ? (long)i : -1;
    if (s[i] == '\n' || s[i] == 0) return -1;
  }
  return -1;
}

int parse_connect_head(const uint8_t *head, size_t len, struct sockaddr_storage *to, socklen_t *to_len, size_t *head_len) {
  long line = line_length(head, len);
  static const char method[] = "CONNECT ";
  static const size_t method_len = sizeof method - 1;
  static const size_t version_len = 8; /* "HTTP/1.x" */
  if (line < 0 || (size_t)line < method_len + 1 + 1 + version_len || memcmp(head, method, method_len) != 0) return -1;
  const uint8_t *version = head + line - version_len;
  if (memcmp(version, "HTTP/1.", 7) != 0 || (version[7] != '0' && version[7] != '1') || version[-1] != ' ') return -1;
  const uint8_t *target = head + method_len;
  size_t target_len = (size_t)(version - 1 - target);
  for (size_t i = 0; i < target_len; i++) {
    if (target[i] == ' ') return -1;
  }
  if (parse_authority(target, target_len, to, to_len) < 0) return -1;
  size_t at = (size_t)line + 2;
  for (;;) {
    long field = line_length(head + at, len - at);
    if (field < 0) return -1;
    if (field == 0) {
      *head_len = at + 2;
      return 0;
    }
    const uint8_t *f = head + at;
    long colon = 0;
    while (colon < field && f[colon] != ':') {
      if (!is_tchar(f[colon])) return -1;
      colon++;
    }
    if (colon == 0 || colon == field) return -1;
    at += (size_t)field + 2;
  }
}

/* connectHead(bytes: Uint8Array) -> [ip, port, headLength] | null: parse_connect_head for tests (the relay calls it directly). */
napi_value js_connect_head(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out = NULL;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint8_t *bytes;
  size_t len;
  if (argc < 1 || uint8_array_arg(env, argv[0], &bytes, &len) < 0) {
    napi_throw_type_error(env, NULL, "connectHead(bytes: Uint8Array): bad arguments");
    return NULL;
  }
  struct sockaddr_storage to;
  socklen_t to_len;
  size_t head_len;
  if (parse_connect_head(bytes, len, &to, &to_len, &head_len) < 0) {
    napi_get_null(env, &out);
    return out;
  }
  char ip[INET6_ADDRSTRLEN] = "";
  unsigned port;
  if (to.ss_family == AF_INET6) {
    const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&to;
    inet_ntop(AF_INET6, &v6->sin6_addr, ip, sizeof ip);
    port = ntohs(v6->sin6_port);
  } else {
    const struct sockaddr_in *v4 = (const struct sockaddr_in *)&to;
    inet_ntop(AF_INET, &v4->sin_addr, ip, sizeof ip);
    port = ntohs(v4->sin_port);
  }
  napi_value v;
  napi_create_array_with_length(env, 3, &out);
  napi_create_string_utf8(env, ip, NAPI_AUTO_LENGTH, &v);
  napi_set_element(env, out, 0, v);
  napi_create_uint32(env, port, &v);
  napi_set_element(env, out, 1, v);
  napi_create_uint32(env, (uint32_t)head_len, &v);
  napi_set_element(env, out, 2, v);
  return out;
}
