/*
 * pcap_ring: the small libpcap binding the capture helper prefers to `cap`.
 *
 * Why: cap 0.2.1 forces immediate mode, which makes libpcap on Linux use
 * TPACKET_V2 with one fixed-size ring frame per packet, as large as the snap
 * length (65535) on any interface with segmentation offload (lo, veth, most
 * NICs): a 64 MiB buffer then holds about 1000 packets, 30 ms of a 30k pps
 * flood. It also drops pcap_pkthdr.ts and .len and has no pcap_stats. Here,
 * as dumpcap: TPACKET_V3 (packets packed into blocks, a block handed over when
 * full or after `timeout_ms`), kernel timestamps in nanoseconds, the original
 * length, pcap_stats, and packets copied straight into pcapng Enhanced Packet
 * Blocks in C, so JavaScript touches a batch, never a packet.
 *
 *   open(device, filter, snaplen, bufferBytes, timeoutMs) -> [handle, dlt, snaplen, dltName]
 *   dispatch(handle, out: Buffer) -> [bytesWritten, packets, capturedBytes]   (non-blocking)
 *   stats(handle) -> [ps_recv, ps_drop, ps_ifdrop]
 *   close(handle)
 *
 * EPB layout (draft-ietf-opsawg-pcapng 4.3), little-endian, interface 0,
 * timestamps in nanoseconds (the helper's IDB says if_tsresol 9):
 *   0 type=6 | 4 total length | 8 interface id | 12 ts high | 16 ts low |
 *  20 captured length | 24 original length | 28 data, padded to 4 | total length
 */
#include <node_api.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  pcap_t *pcap;
  int snaplen;
} ring_t;

typedef struct {
  uint8_t *out;
  size_t capacity;
  size_t used;
  uint32_t packets;
  double captured_bytes;
} batch_t;

#define EPB_OVERHEAD 32u

static napi_value throw_error(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

static void to_epb(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes) {
  batch_t *b = (batch_t *)user;
  uint32_t caplen = h->caplen;
  uint32_t padded = (caplen + 3u) & ~3u;
  uint32_t total = EPB_OVERHEAD + padded;
  /* dispatch() asks for one packet at a time only while a whole snaplen fits. */
  if (b->used + total > b->capacity) return;
  uint8_t *p = b->out + b->used;
  /* tv_usec holds nanoseconds: the handle was opened with PCAP_TSTAMP_PRECISION_NANO. */
  uint64_t ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
  put32(p, 6);
  put32(p + 4, total);
  put32(p + 8, 0);
  put32(p + 12, (uint32_t)(ns >> 32));
  put32(p + 16, (uint32_t)ns);
  put32(p + 20, caplen);
  put32(p + 24, h->len);
  memcpy(p + 28, bytes, caplen);
  memset(p + 28 + caplen, 0, padded - caplen);
  put32(p + 28 + padded, total);
  b->used += total;
  b->packets++;
  b->captured_bytes += caplen;
}

static ring_t *ring_of(napi_env env, napi_value value) {
  ring_t *ring = NULL;
  if (napi_get_value_external(env, value, (void **)&ring) != napi_ok || ring == NULL || ring->pcap == NULL) {
    throw_error(env, "pcap_ring: not an open handle");
    return NULL;
  }
  return ring;
}

static void finalize_ring(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  ring_t *ring = (ring_t *)data;
  if (ring->pcap) pcap_close(ring->pcap);
  free(ring);
}

static napi_value make_array(napi_env env, const double *values, size_t n) {
  napi_value array;
  napi_create_array_with_length(env, n, &array);
  for (size_t i = 0; i < n; i++) {
    napi_value v;
    napi_create_double(env, values[i], &v);
    napi_set_element(env, array, (uint32_t)i, v);
  }
  return array;
}

static napi_value ring_open(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 5) return throw_error(env, "pcap_ring.open(device, filter, snaplen, bufferBytes, timeoutMs)");
  char device[256];
  size_t device_len = 0;
  if (napi_get_value_string_utf8(env, argv[0], device, sizeof device, &device_len) != napi_ok || device_len == 0
      || device_len >= sizeof device - 1) {
    return throw_error(env, "pcap_ring.open: bad device name");
  }
  size_t filter_len = 0;
  if (napi_get_value_string_utf8(env, argv[1], NULL, 0, &filter_len) != napi_ok) return throw_error(env, "pcap_ring.open: bad filter");
  char *filter = malloc(filter_len + 1);
  if (!filter) return throw_error(env, "pcap_ring.open: out of memory");
  napi_get_value_string_utf8(env, argv[1], filter, filter_len + 1, &filter_len);
  int32_t snaplen = 0, buffer_bytes = 0, timeout_ms = 0;
  napi_get_value_int32(env, argv[2], &snaplen);
  napi_get_value_int32(env, argv[3], &buffer_bytes);
  napi_get_value_int32(env, argv[4], &timeout_ms);

  char errbuf[PCAP_ERRBUF_SIZE];
  char message[PCAP_ERRBUF_SIZE + 64];
  errbuf[0] = 0;
  pcap_t *pcap = pcap_create(device, errbuf);
  if (!pcap) {
    free(filter);
    return throw_error(env, errbuf);
  }
  pcap_set_snaplen(pcap, snaplen);
  pcap_set_promisc(pcap, 0);
  pcap_set_buffer_size(pcap, buffer_bytes);
  pcap_set_timeout(pcap, timeout_ms);
  pcap_set_tstamp_precision(pcap, PCAP_TSTAMP_PRECISION_NANO);
  int status = pcap_activate(pcap);
  if (status < 0) {
    /* libpcap's own message, as cap reports it, so the same one-line explanations apply. */
    const char *why = pcap_geterr(pcap);
    snprintf(message, sizeof message, "%s", why && why[0] ? why : pcap_statustostr(status));
    pcap_close(pcap);
    free(filter);
    return throw_error(env, message);
  }
  if (pcap_setnonblock(pcap, 1, errbuf) == -1) {
    pcap_close(pcap);
    free(filter);
    return throw_error(env, errbuf);
  }
  if (filter_len > 0) {
    struct bpf_program program;
    if (pcap_compile(pcap, &program, filter, 1, PCAP_NETMASK_UNKNOWN) == -1) {
      snprintf(message, sizeof message, "%s", pcap_geterr(pcap));
      pcap_close(pcap);
      free(filter);
      return throw_error(env, message);
    }
    int set = pcap_setfilter(pcap, &program);
    pcap_freecode(&program);
    if (set == -1) {
      snprintf(message, sizeof message, "%s", pcap_geterr(pcap));
      pcap_close(pcap);
      free(filter);
      return throw_error(env, message);
    }
  }
  free(filter);

  ring_t *ring = calloc(1, sizeof *ring);
  if (!ring) {
    pcap_close(pcap);
    return throw_error(env, "pcap_ring.open: out of memory");
  }
  ring->pcap = pcap;
  ring->snaplen = pcap_snapshot(pcap);
  napi_value handle, link_type, snap, name, result;
  const char *dlt_name = pcap_datalink_val_to_name(pcap_datalink(pcap));
  napi_create_external(env, ring, finalize_ring, NULL, &handle);
  napi_create_int32(env, pcap_datalink(pcap), &link_type);
  napi_create_int32(env, ring->snaplen, &snap);
  napi_create_string_utf8(env, dlt_name ? dlt_name : "unknown", NAPI_AUTO_LENGTH, &name);
  napi_create_array_with_length(env, 4, &result);
  napi_set_element(env, result, 0, handle);
  napi_set_element(env, result, 1, link_type);
  napi_set_element(env, result, 2, snap);
  napi_set_element(env, result, 3, name);
  return result;
}

static napi_value ring_dispatch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) return throw_error(env, "pcap_ring.dispatch(handle, buffer)");
  ring_t *ring = ring_of(env, argv[0]);
  if (!ring) return NULL;
  batch_t batch = { NULL, 0, 0, 0, 0 };
  if (napi_get_buffer_info(env, argv[1], (void **)&batch.out, &batch.capacity) != napi_ok) {
    return throw_error(env, "pcap_ring.dispatch: buffer expected");
  }
  size_t largest = EPB_OVERHEAD + (((size_t)ring->snaplen + 3u) & ~(size_t)3u);
  /* One packet at a time while any packet still fits: a packet libpcap hands over cannot be put back. */
  while (batch.capacity - batch.used >= largest) {
    int n = pcap_dispatch(ring->pcap, 1, to_epb, (u_char *)&batch);
    if (n == PCAP_ERROR) return throw_error(env, pcap_geterr(ring->pcap));
    if (n <= 0) break;
  }
  double values[3] = { (double)batch.used, (double)batch.packets, batch.captured_bytes };
  return make_array(env, values, 3);
}

static napi_value ring_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1) return throw_error(env, "pcap_ring.stats(handle)");
  ring_t *ring = ring_of(env, argv[0]);
  if (!ring) return NULL;
  struct pcap_stat s;
  if (pcap_stats(ring->pcap, &s) != 0) return throw_error(env, pcap_geterr(ring->pcap));
  double values[3] = { (double)s.ps_recv, (double)s.ps_drop, (double)s.ps_ifdrop };
  return make_array(env, values, 3);
}

static napi_value ring_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  ring_t *ring = NULL;
  if (argc >= 1 && napi_get_value_external(env, argv[0], (void **)&ring) == napi_ok && ring && ring->pcap) {
    pcap_close(ring->pcap);
    ring->pcap = NULL;
  }
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "open", NULL, ring_open, NULL, NULL, NULL, napi_default, NULL },
    { "dispatch", NULL, ring_dispatch, NULL, NULL, NULL, napi_default, NULL },
    { "stats", NULL, ring_stats, NULL, NULL, NULL, napi_default, NULL },
    { "close", NULL, ring_close, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
