/*
 * tunnel_relay: relays the bytes of passthrough CONNECT tunnels in C, on the
 * proxy's own event loop (libuv's uv_poll on the two descriptors), so the
 * proxy's JavaScript sees a tunnel's traffic only as one batch of events per
 * loop turn to record.
 *
 * Why: a tunnel relayed in JavaScript costs, per chunk, a 'data' event, a
 * write request and the stream machinery around both. Here a chunk costs a
 * recv, a send and a memcpy into the event log. Why not a thread of its own:
 * measured, its wake-ups (epoll on one thread, an eventfd to hand events to
 * the other) cost more CPU on two cores than the JavaScript it saved.
 *
 *   start(onEvents, reusable?)  `onEvents(batch: Buffer, length)` receives the
 *       events of each loop turn: batch[0, length). With `reusable` (a Buffer
 *       whose memory is outside the JavaScript heap), a turn's events that
 *       fit are copied into it, so it is the batch every turn: JavaScript
 *       must be done with a batch when onEvents returns. Larger ones come
 *       in a fresh Buffer (as all do without it).
 *   adopt(clientFd, upstreamFd, toClient: Uint8Array, toUpstream: Uint8Array, idleMs, recording...?) -> id
 *       dup()s both descriptors (the caller then closes its own sockets),
 *       writes the given bytes first, and relays until both sides ended, an
 *       error, or `idleMs` without traffic.
 *   connect(ip, port) -> id   a non-blocking TCP connection of the relay's own
 *       (passthrough straight to an address: no Node socket towards the
 *       server at all); CONNECTED or CONNECT_FAILED follows.
 *   attach(id, clientFd, toClient, toUpstream, idleMs, clientLeg?, upstreamLeg?, clockOffsetNs?,
 *          prelude?, clientComment?, upstreamComment?)   (adopt() takes the same recording arguments)
 *       relays between the client and that connection, as adopt() does.
 *       With both legs' states (TcpPacketSynthesizer.exportState, see
 *       leg_recording.h) and the recording clock minus CLOCK_MONOTONIC (a
 *       bigint), the relay records the tunnel itself from then on
 *       (leg_recording.c): every chunk, FIN, failure and the close on both
 *       legs, as native-passthrough-bridge.ts records the events, as pcapng
 *       blocks in RECORDED events; JavaScript then gets only those and CLOSED
 *       (with the byte counts), also when it closes the tunnel (close()).
 *       The prelude (leg events with their times: what happened before, see
 *       prelude_check) is recorded first, and the comments go on the legs'
 *       first frames (legs given in their initial state, opened by the prelude).
 *   listen(fd, maxHeadBytes, headTimeoutMs) -> listener id   accepts clients
 *       on a dup() of a listening socket (accept4, in C) and reads each one's
 *       request head (bounded; the head timeout on the relay's timer); HEAD
 *       hands it to JavaScript, which decides: connectFor() then attach(id,
 *       -1, ...) to relay it (no Node socket at all), release() to take the
 *       descriptor (a Node socket then), or close(). unlisten(listener id).
 *   listen(fd, maxHeadBytes, headTimeoutMs, answer, connectTimeoutMs, idleMs, maxTunnels)
 *       the same, with the fast path: a head connect_head.c recognises (a
 *       plain "CONNECT <IP>:<port> HTTP/1.x") is connected here, answered
 *       with `answer` once the connection is up, and relayed at once; TUNNEL
 *       tells JavaScript then (one event per tunnel instead of a HEAD, a
 *       connectFor, a CONNECTED and an attach). A failed or timed-out connect
 *       hands the head over as HEAD with reason connect-failed or
 *       connect-timeout (and the errno), which JavaScript answers (502, 504).
 *       Only while fewer than maxTunnels tunnels are open. With an 8th
 *       argument, the recording clock minus CLOCK_MONOTONIC (a bigint), the
 *       relay also records these tunnels from their first frame (leg_start,
 *       fast_record), numbered in the listener's numbering.
 *   takeNumber(listener) -> the next number of that numbering (the proxy's
 *       other tunnels take theirs from it too).
 *   connectFor(id, ip, port)   connect() for an accepted client (same id);
 *       on CONNECT_FAILED the client stays (release() it to answer).
 *   release(id) -> fd   the accepted client's descriptor becomes the caller's.
 *   close(id)        closes a tunnel (or abandons a connection) now (no more events for it).
 *   take() -> Buffer | null   the events not delivered yet, now.
 *   encodeSegments(...)   recording's per-segment work (segment_encoder.c);
 *       needs no start().
 *   recordLegEvent(state, op, side, data, timeNs) -> Buffer   one event on an
 *       exported leg state, as the relay records it (leg_recording.c; tests
 *       compare it with the synthesizer); needs no start(). Also for tests:
 *       legStartState(...) (leg_start's state), connectHead(bytes) (which
 *       heads the fast path takes, connect_head.c).
 *   writeBehind(fd, ...)   a recording's written pages out of the page cache,
 *       on libuv's pool (write_behind.c); needs no start().
 *   segmentSize(fd) -> the socket's TCP_MAXSEG (0: unknown), so a recorded
 *       leg has the segment size of its real socket (HEAD and CONNECTED
 *       carry it for the relay's own sockets).
 *
 * Events, packed back to back, little-endian:
 *   0 tunnel id u32 | 4 kind u32 | 8 length u32 | 12 CLOCK_MONOTONIC ns u64 | 20 bytes[length]
 * Kinds: 1 bytes from the client, 2 bytes from upstream, 3 client sent FIN,
 * 4 upstream sent FIN, 5 client failed (RST or error), 6 upstream failed,
 * 7 closed (both descriptors closed; the last event of a tunnel),
 * 8 connected (bytes: "localIp localPort"), 9 connect failed (bytes: errno u32),
 * 10 head (bytes: "reason listenerId remoteIp remotePort localIp localPort mss [errno]\n"
 * then the bytes read; reason: head, eof, error, timeout, connect-failed or connect-timeout),
 * 11 recorded (a recorded tunnel's pcapng blocks, consecutive ones of one
 * tunnel in one event). A recorded tunnel reports only 11 and 7, whose bytes
 * are then u64 bytes read from the client, u64 bytes read from upstream;
 * 12 tunnel (the fast path's: "listenerId remoteIp remotePort localIp localPort mss
 * upstreamLocalIp upstreamLocalPort upstreamMss targetIp targetPort headLength acceptedNs
 * headNs number\n" then the client's bytes; the tunnel's other events follow: only 11 and 7
 * when number is not 0, the relay recording it).
 *
 * Per direction at most RELAY_BUFFER bytes wait for a slow reader: a side is
 * not read while bytes it sent before are still pending towards the other
 * (back-pressure reaches the sender through TCP). A FIN travels as
 * shutdown(SHUT_WR) once the bytes before it are written.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <uv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "connect_head.h"
#include "leg_recording.h"
#include "segment_encoder.h"
#include "write_behind.h"

#define RELAY_BUFFER (64 * 1024)
#define EVENT_HEADER 20

enum { EV_FROM_CLIENT = 1, EV_FROM_UPSTREAM = 2, EV_FIN_CLIENT = 3, EV_FIN_UPSTREAM = 4,
       EV_FAIL_CLIENT = 5, EV_FAIL_UPSTREAM = 6, EV_CLOSED = 7, EV_CONNECTED = 8, EV_CONNECT_FAILED = 9,
       EV_HEAD = 10, EV_RECORDED = 11, EV_TUNNEL = 12 };

/* Bytes waiting to be written to one side. */
typedef struct {
  uint8_t *bytes;
  size_t start, end, cap;
} pending_t;

typedef struct relay relay_t;

/* Side 0 is the client, side 1 upstream; pending[s] holds bytes to write to side s. */
typedef struct tunnel {
  relay_t *relay;
  uint32_t id;
  int fd[2];
  uv_poll_t poll[2];
  pending_t pending[2];
  int eof[2];       /* side s sent FIN (recv returned 0) */
  int shut[2];      /* shutdown(SHUT_WR) done on side s, or side s can take nothing more */
  int watching[2];  /* uv_poll events asked for on side s (0: stopped) */
  int polled[2];    /* poll[s] was initialized (a tunnel from connect() has no client side until attach()) */
  int connecting;   /* connect() in progress on fd[1] */
  int held;         /* accepted here, head handed over: JavaScript decides (the client is not read meanwhile) */
  uint8_t *head;    /* accepted here: the request head read so far (until EV_HEAD) */
  size_t max_head;
  uint32_t listener;
  size_t head_len;
  uint64_t head_deadline_ms;
  /* A CONNECT the relay answers itself (listen()'s fast path): where the head ends, when the client came and its head did, the connect deadline. */
  int fast;             /* accepted on a listener with the fast path, and room for it */
  uint8_t *fast_bytes;  /* the client's bytes (head and any after it) while its CONNECT is being connected */
  size_t fast_len, fast_head_len;
  uint64_t accepted_ns, head_ns, connect_timeout_ms, connect_deadline_ms;
  struct sockaddr_storage target;
  int64_t idle_ms;
  uint64_t last_ms;
  int dead;
  int open_handles;
  int recording;        /* recorded here (attach() with leg states), else JavaScript records its events */
  leg_t legs[2];        /* when recording: [0] the client leg, [1] the upstream leg */
  int64_t clock_offset; /* the recording's clock minus CLOCK_MONOTONIC, ns */
  uint64_t relayed[2];  /* bytes read from side s (a recorded tunnel's CLOSED carries them) */
  struct tunnel *prev, *next;
} tunnel_t;

struct relay {
  napi_env env;
  uv_loop_t *loop;
  int started;
  uv_check_t deliver;
  uv_timer_t idle;
  napi_ref on_events;
  napi_ref reusable;      /* start()'s batch buffer (JavaScript's), refilled every turn */
  uint8_t *reusable_bytes;
  size_t reusable_len;
  napi_async_context async;
  block_buffer_t log;      /* this turn's events (and recorded tunnels' blocks, as RECORDED events) */
  size_t blocks_at;        /* where the RECORDED event being filled starts (blocks_open) */
  uint32_t blocks_id;
  int blocks_open;
  tunnel_t *tunnels;
  uint8_t *scratch;
  uint32_t next_id;
  struct listener *listeners;
  uint32_t next_listener;
  uint32_t tunnel_count;
  uint8_t *answer;        /* what the fast path answers a CONNECT with (listen()'s) */
  size_t answer_len;
};

/* listen(): a listening socket (a dup of Node's) and its head limits. */
typedef struct listener {
  relay_t *relay;
  uint32_t id;
  int fd;
  int paused;       /* out of descriptors: accepting again at the next timer tick */
  uv_poll_t poll;
  size_t max_head;
  uint64_t head_timeout_ms;
  /* The fast path (0: off): connect timeout, idle timeout and the most tunnels it takes (see listen()). */
  uint64_t connect_timeout_ms;
  int64_t idle_ms;
  uint32_t max_tunnels;
  /* The fast path records its tunnels here from their first frame (listen()'s clock offset), numbered from next_number. */
  int record;
  int64_t record_offset;
  uint32_t next_number;
  struct listener *next;
} listener_t;

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

/* Appends one event to the log JavaScript receives at the end of this loop turn. */
/*
 * The largest segment the socket sends, 0 when it cannot be read: its
 * TCP_MAXSEG (tcpi_snd_mss: 1,448 on Ethernet with timestamps), except on a
 * loopback-sized path MTU (64 KiB), where the kernel bounds it by half the
 * peer's first window (~32,741) until the window opens and segments are
 * the size both ends advertise (tcpi_advmss, the same kernel: 65,483 for
 * IPv4 with timestamps). The recording makes its segments this size, as a
 * capture on that interface shows them. One getsockopt per socket.
 */
static unsigned segment_size(int fd) {
  struct tcp_info info;
  socklen_t len = sizeof info;
  memset(&info, 0, sizeof info);
  if (fd < 0 || getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) < 0) return 0;
  unsigned mss = info.tcpi_snd_mss;
  if (info.tcpi_pmtu >= 65535 && info.tcpi_advmss > mss) mss = info.tcpi_advmss;
  return mss;
}

static void record(relay_t *r, uint32_t id, uint32_t kind, const uint8_t *data, size_t len) {
  uint8_t *p = block_buffer_reserve(&r->log, EVENT_HEADER + len);
  /* Out of memory: the event is lost rather than the process. */
  if (!p) return;
  uint64_t now = mono_ns();
  put32(p, id);
  put32(p + 4, kind);
  put32(p + 8, (uint32_t)len);
  put32(p + 12, (uint32_t)(now & 0xffffffffu));
  put32(p + 16, (uint32_t)(now >> 32));
  if (len) memcpy(p + EVENT_HEADER, data, len);
  r->log.len += EVENT_HEADER + len;
  r->blocks_open = 0;
}

/* The turn's events were handed over: the log starts empty (a RECORDED event is begun anew). */
static void log_taken(relay_t *r) {
  r->log.len = 0;
  r->blocks_open = 0;
}

/*
 * ---- Tunnels recorded here (attach() with both legs' states) ----
 * Each event is recorded on both legs, as native-passthrough-bridge.ts's
 * recordingSink records the relay's events in JavaScript, and the blocks go
 * to JavaScript in a RECORDED event (consecutive blocks of one tunnel in one
 * event), which it appends to the pcapng file as they are. No bytes, FIN or
 * failure events: only CLOSED, with the byte counts.
 */

/* Opens (or continues) the tunnel's RECORDED event at the log's end; -1 without memory. */
static int blocks_begin(tunnel_t *t) {
  relay_t *r = t->relay;
  if (r->blocks_open && r->blocks_id == t->id) return 0;
  uint8_t *p = block_buffer_reserve(&r->log, EVENT_HEADER);
  if (!p) return -1;
  uint64_t now = mono_ns();
  put32(p, t->id);
  put32(p + 4, EV_RECORDED);
  put32(p + 8, 0);
  put32(p + 12, (uint32_t)(now & 0xffffffffu));
  put32(p + 16, (uint32_t)(now >> 32));
  r->blocks_at = r->log.len;
  r->log.len += EVENT_HEADER;
  r->blocks_open = 1;
  r->blocks_id = t->id;
  return 0;
}

/* The RECORDED event's length after blocks were appended (the log may have moved: offsets only). */
static void blocks_end(relay_t *r) {
  put32(r->log.bytes + r->blocks_at + 8, (uint32_t)(r->log.len - r->blocks_at - EVENT_HEADER));
}

/* Records one relay event of tunnel t on its legs (t->legs: [0] the client leg, [1] the upstream leg). */
static void record_legs(tunnel_t *t, uint32_t kind, const uint8_t *data, size_t len) {
  relay_t *r = t->relay;
  if (blocks_begin(t) < 0) {
    r->log.dropped++;
    return;
  }
  block_buffer_t *out = &r->log;
  leg_t *client = &t->legs[0], *upstream = &t->legs[1];
  uint64_t ts = mono_ns() + (uint64_t)t->clock_offset;
  switch (kind) {
    case EV_FROM_CLIENT:
      leg_send(client, out, LEG_CLIENT, data, len, ts);
      leg_send(upstream, out, LEG_CLIENT, data, len, ts);
      break;
    case EV_FROM_UPSTREAM:
      leg_send(upstream, out, LEG_SERVER, data, len, ts);
      leg_send(client, out, LEG_SERVER, data, len, ts);
      break;
    case EV_FIN_CLIENT:
      leg_close(client, out, LEG_CLIENT, ts);
      leg_close(upstream, out, LEG_CLIENT, ts);
      break;
    case EV_FIN_UPSTREAM:
      leg_close(upstream, out, LEG_SERVER, ts);
      leg_close(client, out, LEG_SERVER, ts);
      break;
    case EV_FAIL_CLIENT:
      leg_reset(client, out, LEG_CLIENT, ts);
      leg_reset(upstream, out, LEG_SERVER, ts);
      break;
    case EV_FAIL_UPSTREAM:
      leg_reset(upstream, out, LEG_SERVER, ts);
      leg_reset(client, out, LEG_CLIENT, ts);
      break;
    case EV_CLOSED:
      /* TunnelLegs.finish: whatever was not closed closes now. */
      leg_close(client, out, LEG_SERVER, ts);
      leg_close(client, out, LEG_CLIENT, ts);
      leg_close(upstream, out, LEG_CLIENT, ts);
      leg_close(upstream, out, LEG_SERVER, ts);
      break;
  }
  blocks_end(r);
}

/*
 * attach()'s prelude: leg events recorded before the relay took the tunnel, back to back:
 *  0 u8 leg (0 client, 1 upstream) | 1 u8 op (0 open, 1 send, 2 close, 3 reset) | 2 u8 side (0 client, 1 server) |
 *  3 u8 0 | 4 u32 length | 8 u64 time (the recording's clock, ns) | 16 bytes[length]   (little-endian)
 * 0 when every event is whole and valid, else -1.
 */
static int prelude_check(const uint8_t *p, size_t len) {
  size_t at = 0;
  while (at < len) {
    if (len - at < 16 || p[at] > 1 || p[at + 1] > 3 || p[at + 2] > 1) return -1;
    uint32_t n = (uint32_t)p[at + 4] | ((uint32_t)p[at + 5] << 8) | ((uint32_t)p[at + 6] << 16) | ((uint32_t)p[at + 7] << 24);
    if (n > len - at - 16) return -1;
    at += 16 + (size_t)n;
  }
  return 0;
}

/* Records a checked prelude on t's legs, with each event's own time. */
static void record_prelude(tunnel_t *t, const uint8_t *p, size_t len) {
  relay_t *r = t->relay;
  if (blocks_begin(t) < 0) {
    r->log.dropped++;
    return;
  }
  for (size_t at = 0; at < len;) {
    leg_t *leg = &t->legs[p[at]];
    int op = p[at + 1], side = p[at + 2];
    size_t n = (size_t)p[at + 4] | ((size_t)p[at + 5] << 8) | ((size_t)p[at + 6] << 16) | ((size_t)p[at + 7] << 24);
    uint64_t ts = 0;
    for (int i = 7; i >= 0; i--) ts = (ts << 8) | p[at + 8 + i];
    if (op == 0) leg_open(leg, &r->log, ts);
    else if (op == 1) leg_send(leg, &r->log, side, p + at + 16, n, ts);
    else if (op == 2) leg_close(leg, &r->log, side, ts);
    else leg_reset(leg, &r->log, side, ts);
    at += 16 + n;
  }
  blocks_end(r);
}

/* One happening of tunnel t: recorded here, or an event for JavaScript to record. */
static void tunnel_event(tunnel_t *t, uint32_t kind, const uint8_t *data, size_t len) {
  if (t->recording) record_legs(t, kind, data, len);
  else record(t->relay, t->id, kind, data, len);
}

static void pending_free(pending_t *q) {
  free(q->bytes);
  q->bytes = NULL;
  q->start = q->end = q->cap = 0;
}

static size_t pending_len(const pending_t *q) {
  return q->end - q->start;
}

static int pending_put(pending_t *q, const uint8_t *data, size_t len) {
  if (!len) return 0;
  if (!q->bytes) {
    size_t cap = len > RELAY_BUFFER ? len : RELAY_BUFFER;
    q->bytes = malloc(cap);
    if (!q->bytes) return -1;
    q->cap = cap;
    q->start = q->end = 0;
  }
  if (q->end + len > q->cap) {
    memmove(q->bytes, q->bytes + q->start, q->end - q->start);
    q->end -= q->start;
    q->start = 0;
  }
  if (q->end + len > q->cap) return -1;
  memcpy(q->bytes + q->end, data, len);
  q->end += len;
  return 0;
}

static void on_poll_closed(uv_handle_t *h) {
  tunnel_t *t = h->data;
  if (--t->open_handles == 0 && t->dead) free(t);
}

/* Closes both descriptors; `report`: tell JavaScript (not when JavaScript asked). */
static void tunnel_close(tunnel_t *t, int report) {
  if (t->dead) return;
  relay_t *r = t->relay;
  t->dead = 1;
  for (int s = 0; s < 2; s++) {
    /* The handle stops watching at once (uv_close), before its descriptor is closed. */
    if (t->polled[s]) uv_close((uv_handle_t *)&t->poll[s], on_poll_closed);
    if (t->fd[s] >= 0) close(t->fd[s]);
    pending_free(&t->pending[s]);
  }
  free(t->head);
  t->head = NULL;
  free(t->fast_bytes);
  t->fast_bytes = NULL;
  if (t->recording) {
    /* Recorded here: the legs' end, and the byte counts (u64 from the client, u64 from upstream), whoever closed. */
    record_legs(t, EV_CLOSED, NULL, 0);
    uint8_t counts[16];
    put32(counts, (uint32_t)t->relayed[0]);
    put32(counts + 4, (uint32_t)(t->relayed[0] >> 32));
    put32(counts + 8, (uint32_t)t->relayed[1]);
    put32(counts + 12, (uint32_t)(t->relayed[1] >> 32));
    record(r, t->id, EV_CLOSED, counts, sizeof counts);
    t->recording = 0;
  } else if (report) {
    record(r, t->id, EV_CLOSED, NULL, 0);
  }
  r->tunnel_count--;
  if (t->prev) t->prev->next = t->next;
  else r->tunnels = t->next;
  if (t->next) t->next->prev = t->prev;
  if (t->open_handles == 0) free(t);
}

static void tunnel_fail(tunnel_t *t, int side) {
  tunnel_event(t, side == 0 ? EV_FAIL_CLIENT : EV_FAIL_UPSTREAM, NULL, 0);
  tunnel_close(t, 1);
}

static void on_poll(uv_poll_t *handle, int status, int events);
static void tunnel_link(relay_t *r, tunnel_t *t);

/* Passes FINs on, closes when both went through, else asks for what each side should be watched for. */
static void tunnel_update(tunnel_t *t) {
  for (int s = 0; s < 2; s++) {
    /* Side o sent FIN and everything before it reached side s: pass the FIN on. */
    if (t->eof[1 - s] && !t->shut[s] && pending_len(&t->pending[s]) == 0) {
      shutdown(t->fd[s], SHUT_WR);
      t->shut[s] = 1;
    }
  }
  if (t->shut[0] && t->shut[1]) {
    tunnel_close(t, 1);
    return;
  }
  for (int s = 0; s < 2; s++) {
    int want = 0;
    if (!t->eof[s] && pending_len(&t->pending[1 - s]) == 0) want |= UV_READABLE | UV_DISCONNECT;
    if (pending_len(&t->pending[s]) > 0) want |= UV_WRITABLE;
    if (want == t->watching[s]) continue;
    /* Not watched at all: out of the epoll set (an ended socket's hang-up is nobody's business, as in Node). */
    if (want == 0) uv_poll_stop(&t->poll[s]);
    else if (uv_poll_start(&t->poll[s], want, on_poll) != 0) {
      tunnel_fail(t, s);
      return;
    }
    t->watching[s] = want;
  }
}

/* Writes what is pending towards side s. Returns -1 when side s failed. */
static int flush_side(tunnel_t *t, int s) {
  pending_t *q = &t->pending[s];
  while (pending_len(q) > 0) {
    ssize_t n = send(t->fd[s], q->bytes + q->start, pending_len(q), MSG_NOSIGNAL);
    if (n > 0) {
      q->start += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    return -1;
  }
  pending_free(q);
  return 0;
}

/* Reads side s once and relays it to the other side. Returns -1 when the tunnel failed (and is closed). */
static int relay_from(tunnel_t *t, int s) {
  relay_t *r = t->relay;
  int o = 1 - s;
  ssize_t n = recv(t->fd[s], r->scratch, RELAY_BUFFER, 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
    tunnel_fail(t, s);
    return -1;
  }
  if (n == 0) {
    t->eof[s] = 1;
    tunnel_event(t, s == 0 ? EV_FIN_CLIENT : EV_FIN_UPSTREAM, NULL, 0);
    return 0;
  }
  t->relayed[s] += (uint64_t)n;
  /* Recorded before it is relayed: the recording shows a request before the answer it causes. */
  tunnel_event(t, s == 0 ? EV_FROM_CLIENT : EV_FROM_UPSTREAM, r->scratch, (size_t)n);
  if (t->shut[o]) {
    /* Side o can take nothing more (it reset after its FIN): these bytes cannot be delivered. */
    tunnel_fail(t, o);
    return -1;
  }
  size_t done = 0;
  while (done < (size_t)n) {
    ssize_t w = send(t->fd[o], r->scratch + done, (size_t)n - done, MSG_NOSIGNAL);
    if (w > 0) {
      done += (size_t)w;
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    tunnel_fail(t, o);
    return -1;
  }
  if (pending_put(&t->pending[o], r->scratch + done, (size_t)n - done) < 0) {
    tunnel_fail(t, o);
    return -1;
  }
  return 0;
}

static void on_head_poll(uv_poll_t *handle, int status, int events);

static void on_poll(uv_poll_t *handle, int status, int events) {
  tunnel_t *t = handle->data;
  if (t->dead) return;
  int s = handle == &t->poll[0] ? 0 : 1;
  if (s == 0 && t->head) {
    on_head_poll(handle, status, events);
    return;
  }
  if (s == 0 && t->held) {
    /* The head is JavaScript's: the client waits in the kernel until it decides (stopped only now: usually nothing comes). */
    uv_poll_stop(handle);
    t->watching[0] = 0;
    return;
  }
  t->last_ms = uv_now(t->relay->loop);
  if (status < 0) {
    /* libuv saw EPOLLERR (and stopped the handle): a reset or another failure of side s. */
    t->watching[s] = 0;
    tunnel_fail(t, s);
    return;
  }
  if (events & UV_WRITABLE) {
    if (flush_side(t, s) < 0) {
      tunnel_fail(t, s);
      return;
    }
  }
  if ((events & (UV_READABLE | UV_DISCONNECT)) && !t->eof[s] && pending_len(&t->pending[1 - s]) == 0) {
    if (relay_from(t, s) < 0) return;
  }
  tunnel_update(t);
}

/* Once per loop turn (uv_check): JavaScript gets the turn's events in one call. */
static void deliver(uv_check_t *check) {
  relay_t *r = check->data;
  if (r->log.len == 0) return;
  napi_env env = r->env;

  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value argv[2], cb, recv;
  napi_status made;
  if (r->reusable && r->log.len <= r->reusable_len) {
    /* JavaScript is done with the last batch (see start()): no allocation per turn. */
    memcpy(r->reusable_bytes, r->log.bytes, r->log.len);
    made = napi_get_reference_value(env, r->reusable, &argv[0]);
  } else {
    void *copy;
    made = napi_create_buffer_copy(env, r->log.len, r->log.bytes, &copy, &argv[0]);
  }
  if (made == napi_ok && napi_create_uint32(env, (uint32_t)r->log.len, &argv[1]) == napi_ok &&
      napi_get_reference_value(env, r->on_events, &cb) == napi_ok && napi_get_global(env, &recv) == napi_ok) {
    /* Reset first: what JavaScript causes meanwhile (attach() failing, say) goes into the next batch. */
    log_taken(r);
    if (napi_make_callback(env, r->async, recv, cb, 2, argv, NULL) == napi_pending_exception) {
      /* A throwing recorder is the proxy's bug: report it as any uncaught exception would be. */
      napi_value error;
      if (napi_get_and_clear_last_exception(env, &error) == napi_ok) napi_fatal_exception(env, error);
    }
  }
  /* Give back memory a burst grew; keep a working size. */
  if (r->log.cap > 4 * 1024 * 1024 && r->log.len == 0) {
    free(r->log.bytes);
    r->log.bytes = NULL;
    r->log.cap = 0;
  }
  napi_close_handle_scope(env, scope);
}

/* ---- Accepting clients and reading their request head (listen()) ---- */

static void on_listen(uv_poll_t *handle, int status, int events);

/* Writes "ip port" of an address into text; returns its length. */
static int address_text(const struct sockaddr_storage *a, char *text, size_t size) {
  char ip[INET6_ADDRSTRLEN] = "0.0.0.0";
  unsigned port = 0;
  if (a->ss_family == AF_INET6) {
    const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)a;
    inet_ntop(AF_INET6, &v6->sin6_addr, ip, sizeof ip);
    port = ntohs(v6->sin6_port);
  } else if (a->ss_family == AF_INET) {
    const struct sockaddr_in *v4 = (const struct sockaddr_in *)a;
    inet_ntop(AF_INET, &v4->sin_addr, ip, sizeof ip);
    port = ntohs(v4->sin_port);
  }
  int n = snprintf(text, size, "%s %u", ip, port);
  return n > 0 && (size_t)n < size ? n : 0;
}

/*
 * "ip port" of the client (remote) and of the proxy's end of its connection (local), each in `size` bytes; the
 * addresses themselves in peer and mine when given.
 */
static void client_addresses(tunnel_t *t, char *remote, char *local, size_t size, struct sockaddr_storage *peer_out, struct sockaddr_storage *mine_out) {
  struct sockaddr_storage peer, mine;
  socklen_t peer_len = sizeof peer, mine_len = sizeof mine;
  memset(&peer, 0, sizeof peer);
  memset(&mine, 0, sizeof mine);
  getpeername(t->fd[0], (struct sockaddr *)&peer, &peer_len);
  getsockname(t->fd[0], (struct sockaddr *)&mine, &mine_len);
  address_text(&peer, remote, size);
  address_text(&mine, local, size);
  if (peer_out) *peer_out = peer;
  if (mine_out) *mine_out = mine;
}

static void head_done_because(tunnel_t *t, const char *reason, int err);
/*
 * Hands JavaScript the head read so far: "reason listenerId remoteIp remotePort
 * localIp localPort mss\n" then the bytes. Reasons: head (an empty line came, or the size
 * limit was passed: JavaScript's parser decides), eof, error, timeout. The
 * client is not watched any more: JavaScript relays (attach()) or takes the
 * descriptor (release()).
 */
static void head_done(tunnel_t *t, const char *reason) {
  head_done_because(t, reason, 0);
}

/* head_done, with the errno of a failed fast-path connect after the mss ("connect-failed", "connect-timeout"). */
static void head_done_because(tunnel_t *t, const char *reason, int err) {
  relay_t *r = t->relay;
  char a[INET6_ADDRSTRLEN + 8], b[INET6_ADDRSTRLEN + 8];
  client_addresses(t, a, b, sizeof a, NULL, NULL);
  char prefix[2 * (INET6_ADDRSTRLEN + 8) + 48];
  int n = err ? snprintf(prefix, sizeof prefix, "%s %u %s %s %u %d\n", reason, (unsigned)t->listener, a, b, segment_size(t->fd[0]), err)
              : snprintf(prefix, sizeof prefix, "%s %u %s %s %u\n", reason, (unsigned)t->listener, a, b, segment_size(t->fd[0]));
  if (n <= 0 || (size_t)n >= sizeof prefix) n = 0;
  uint8_t *event = malloc((size_t)n + t->head_len);
  if (event) {
    memcpy(event, prefix, (size_t)n);
    if (t->head_len) memcpy(event + n, t->head, t->head_len);
    record(r, t->id, EV_HEAD, event, (size_t)n + t->head_len);
    free(event);
  }
  free(t->head);
  t->head = NULL;
  t->head_len = 0;
  t->head_deadline_ms = 0;
  /* Still watched (one epoll change less when the tunnel relays next); on_poll stops it if the client speaks meanwhile. */
  t->held = 1;
  /* Out of memory: the client is dropped (JavaScript never heard of it). */
  if (!event) tunnel_close(t, 0);
}

/* The end of the head as HttpHeadParser finds it (LF LF or LF CR LF), in the first len bytes. */
static int has_head_end(const uint8_t *b, size_t len) {
  for (size_t i = 0; i + 1 < len; i++) {
    if (b[i] != '\n') continue;
    if (b[i + 1] == '\n') return 1;
    if (i + 2 < len && b[i + 1] == '\r' && b[i + 2] == '\n') return 1;
  }
  return 0;
}

/* ---- The fast path: a plain CONNECT to an IP address, connected and answered here (listen()) ---- */

static void start_connect(tunnel_t *t, const struct sockaddr_storage *to, socklen_t to_len);
static void tunnel_update(tunnel_t *t);
static int flush_side(tunnel_t *t, int s);

/*
 * The head is complete. A CONNECT the relay may answer itself (connect_head.c)
 * is connected now: EV_TUNNEL follows when it is up, or the head goes to
 * JavaScript with the reason it failed. Anything else goes to JavaScript as is.
 */
static void head_complete(tunnel_t *t) {
  struct sockaddr_storage to;
  socklen_t to_len;
  size_t head_len;
  if (!t->fast || t->head_len > t->max_head || parse_connect_head(t->head, t->head_len, &to, &to_len, &head_len) < 0) {
    head_done(t, "head");
    return;
  }
  t->fast_bytes = t->head;
  t->fast_len = t->head_len;
  t->fast_head_len = head_len;
  t->head = NULL;
  t->head_len = 0;
  t->head_deadline_ms = 0;
  t->head_ns = mono_ns();
  /* The client waits in the kernel until the answer (on_poll stops watching it if it speaks meanwhile). */
  t->held = 1;
  t->connect_deadline_ms = uv_now(t->relay->loop) + t->connect_timeout_ms;
  t->target = to;
  start_connect(t, &to, to_len);
}

/* The fast path's connection failed (err) or timed out: the connection goes, the head goes to JavaScript, which answers 502 or 504. */
static void fast_failed(tunnel_t *t, int err, const char *reason) {
  if (t->polled[1]) uv_close((uv_handle_t *)&t->poll[1], on_poll_closed);
  if (t->fd[1] >= 0) close(t->fd[1]);
  t->polled[1] = 0;
  t->fd[1] = -1;
  t->connecting = 0;
  t->watching[1] = 0;
  t->head = t->fast_bytes;
  t->head_len = t->fast_len;
  t->fast_bytes = NULL;
  t->fast = 0;
  t->idle_ms = 0;
  head_done_because(t, reason, err ? err : EIO);
}

/*
 * The legs of a fast-path tunnel the listener records from the start, as the JavaScript proxy would make them
 * (TunnelLegs + LegRecorder.leg: client -> proxy, proxy -> target; the tunnel comments on their first frames):
 * 0, or -1 when they cannot be made here (addresses of two IP versions on one leg): JavaScript records it then.
 */
static int fast_legs(tunnel_t *t, leg_t legs[2], uint32_t number, const struct sockaddr_storage *peer, const struct sockaddr_storage *mine,
                     unsigned client_mss, const struct sockaddr_storage *upstream_local, unsigned upstream_mss) {
  if (leg_start(&legs[0], peer, mine, client_mss) < 0 || leg_start(&legs[1], upstream_local, &t->target, upstream_mss) < 0) return -1;
  char comment[64];
  int n = snprintf(comment, sizeof comment, "tlswb tunnel %u client leg", (unsigned)number);
  if (n <= 0 || (size_t)n >= sizeof comment || leg_set_comment(&legs[0], (const uint8_t *)comment, (size_t)n) < 0) return -1;
  n = snprintf(comment, sizeof comment, "tlswb tunnel %u upstream leg", (unsigned)number);
  if (n <= 0 || (size_t)n >= sizeof comment || leg_set_comment(&legs[1], (const uint8_t *)comment, (size_t)n) < 0) return -1;
  return 0;
}

/*
 * Records a fast-path tunnel here from its first frame, in the order and with the times forward-proxy.ts's
 * fastTunnel gives the JavaScript recording: the client leg opened when the client was accepted, the client's
 * bytes when its head was complete, the upstream leg opened, the 200 to the client and the bytes after the head
 * upstream when the connection was up. CLOSED then counts the client's bytes from its first.
 */
static void fast_record(tunnel_t *t, const leg_t legs[2], int64_t clock_offset, uint64_t connected_ns) {
  relay_t *r = t->relay;
  memcpy(t->legs, legs, 2 * sizeof *legs);
  t->clock_offset = clock_offset;
  t->recording = 1;
  t->relayed[0] = t->fast_len;
  t->relayed[1] = 0;
  if (blocks_begin(t) < 0) {
    r->log.dropped++;
    return;
  }
  uint64_t off = (uint64_t)t->clock_offset;
  leg_t *client = &t->legs[0], *upstream = &t->legs[1];
  leg_open(client, &r->log, t->accepted_ns + off);
  leg_send(client, &r->log, LEG_CLIENT, t->fast_bytes, t->fast_len, t->head_ns + off);
  leg_open(upstream, &r->log, connected_ns + off);
  leg_send(client, &r->log, LEG_SERVER, r->answer, r->answer_len, connected_ns + off);
  leg_send(upstream, &r->log, LEG_CLIENT, t->fast_bytes + t->fast_head_len, t->fast_len - t->fast_head_len, connected_ns + off);
  blocks_end(r);
}

/*
 * The fast path's connection is up: JavaScript hears of the tunnel (EV_TUNNEL:
 * "listenerId remoteIp remotePort localIp localPort mss upstreamLocalIp
 * upstreamLocalPort upstreamMss targetIp targetPort headLength acceptedNs headNs number\n" then the
 * client's bytes, the head first; number: not 0 when recorded here, see fast_record) and the relay answers
 * and relays at once, as attach() would.
 */
static void fast_connected(tunnel_t *t, const char *upstream, int upstream_len, const struct sockaddr_storage *upstream_local, unsigned upstream_mss) {
  relay_t *r = t->relay;
  t->connecting = 0;
  char a[INET6_ADDRSTRLEN + 8], b[INET6_ADDRSTRLEN + 8], c[INET6_ADDRSTRLEN + 8];
  struct sockaddr_storage peer, mine;
  client_addresses(t, a, b, sizeof a, &peer, &mine);
  address_text(&t->target, c, sizeof c);
  unsigned client_mss = segment_size(t->fd[0]);
  uint64_t connected_ns = mono_ns();
  /* Recorded here from the start when its listener records (numbered now: a failed connect takes no number). */
  listener_t *l = r->listeners;
  while (l && l->id != t->listener) l = l->next;
  leg_t legs[2];
  uint32_t number = 0;
  if (l && l->record && fast_legs(t, legs, l->next_number + 1, &peer, &mine, client_mss, upstream_local, upstream_mss) == 0) number = ++l->next_number;
  char prefix[4 * (INET6_ADDRSTRLEN + 8) + 112];
  int n = snprintf(prefix, sizeof prefix, "%u %s %s %u %.*s %s %zu %llu %llu %u\n", (unsigned)t->listener, a, b, client_mss,
                   upstream_len, upstream, c, t->fast_head_len, (unsigned long long)t->accepted_ns, (unsigned long long)t->head_ns, (unsigned)number);
  uint8_t *event = n > 0 && (size_t)n < sizeof prefix ? malloc((size_t)n + t->fast_len) : NULL;
  if (!event) {
    /* JavaScript never heard of it: the client is dropped. */
    tunnel_close(t, 0);
    return;
  }
  memcpy(event, prefix, (size_t)n);
  memcpy(event + n, t->fast_bytes, t->fast_len);
  /* First: JavaScript knows the tunnel when its RECORDED events come. */
  record(r, t->id, EV_TUNNEL, event, (size_t)n + t->fast_len);
  free(event);
  if (number) fast_record(t, legs, l->record_offset, connected_ns);
  t->held = 0;
  t->last_ms = uv_now(r->loop);
  int failed = pending_put(&t->pending[0], r->answer, r->answer_len) < 0 ? 0
             : pending_put(&t->pending[1], t->fast_bytes + t->fast_head_len, t->fast_len - t->fast_head_len) < 0 ? 1 : -1;
  free(t->fast_bytes);
  t->fast_bytes = NULL;
  if (failed >= 0) {
    tunnel_fail(t, failed);
    return;
  }
  for (int s = 0; s < 2 && !t->dead; s++) {
    if (flush_side(t, s) < 0) tunnel_fail(t, s);
  }
  if (!t->dead) tunnel_update(t);
}

static void on_head_poll(uv_poll_t *handle, int status, int events) {
  (void)events;
  tunnel_t *t = handle->data;
  if (t->dead || !t->head) return;
  if (status < 0) {
    t->watching[0] = 0;
    uv_poll_stop(handle);
    head_done(t, "error");
    return;
  }
  /* At most one byte past the limit: enough for the parser to know it was passed. */
  size_t room = t->max_head + 1 - t->head_len;
  ssize_t n = recv(t->fd[0], t->head + t->head_len, room, 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    head_done(t, "error");
    return;
  }
  if (n == 0) {
    head_done(t, "eof");
    return;
  }
  size_t from = t->head_len > 2 ? t->head_len - 2 : 0;
  t->head_len += (size_t)n;
  if (t->head_len > t->max_head || has_head_end(t->head + from, t->head_len - from)) head_complete(t);
}

static void on_listen(uv_poll_t *handle, int status, int events) {
  (void)events;
  listener_t *l = handle->data;
  relay_t *r = l->relay;
  if (status < 0) return;
  /* A bounded batch per wake-up: the loop's other work is not starved by a flood of connections. */
  for (int i = 0; i < 64; i++) {
    int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      /* Out of descriptors: stop accepting until the next timer tick rather than spin on a ready socket. */
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        uv_poll_stop(&l->poll);
        l->paused = 1;
      }
      return;
    }
    int one = 1;
    /* Relayed handshake messages are small: Nagle's algorithm would hold them for the peer's delayed ACK. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    tunnel_t *t = calloc(1, sizeof *t);
    uint8_t *head = malloc(l->max_head + 1);
    if (!t || !head || uv_poll_init(r->loop, &t->poll[0], fd) != 0) {
      free(t);
      free(head);
      close(fd);
      continue;
    }
    t->fd[0] = fd;
    t->fd[1] = -1;
    t->head = head;
    t->max_head = l->max_head;
    t->listener = l->id;
    t->poll[0].data = t;
    t->polled[0] = 1;
    t->open_handles = 1;
    t->last_ms = uv_now(r->loop);
    t->head_deadline_ms = t->last_ms + l->head_timeout_ms;
    if (l->connect_timeout_ms > 0 && r->tunnel_count < l->max_tunnels) {
      t->fast = 1;
      t->connect_timeout_ms = l->connect_timeout_ms;
      t->idle_ms = l->idle_ms;
      t->accepted_ns = mono_ns();
    }
    tunnel_link(r, t);
    /* The client usually sent its request with the handshake's last ACK: read it now, without a trip through epoll. */
    on_head_poll(&t->poll[0], 0, UV_READABLE);
    if (!t->dead && t->head) {
      uv_poll_start(&t->poll[0], UV_READABLE | UV_DISCONNECT, on_poll);
      t->watching[0] = UV_READABLE | UV_DISCONNECT;
    }
  }
}

static void expire_idle(uv_timer_t *timer) {
  relay_t *r = timer->data;
  uint64_t now = uv_now(r->loop);
  tunnel_t *t = r->tunnels;
  while (t) {
    tunnel_t *next = t->next;
    if (t->head) {
      if (now >= t->head_deadline_ms) head_done(t, "timeout");
    } else if (t->fast_bytes) {
      if (t->connecting && now >= t->connect_deadline_ms) fast_failed(t, ETIMEDOUT, "connect-timeout");
    } else if (t->idle_ms > 0 && now - t->last_ms >= (uint64_t)t->idle_ms) {
      tunnel_close(t, 1);
    }
    t = next;
  }
  for (listener_t *l = r->listeners; l; l = l->next) {
    if (!l->paused) continue;
    l->paused = 0;
    uv_poll_start(&l->poll, UV_READABLE, on_listen);
  }
}

/* ---- JavaScript side ---- */

static napi_value throw_error(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

static relay_t *relay_of(napi_env env) {
  relay_t *r = NULL;
  napi_get_instance_data(env, (void **)&r);
  return r;
}


/*
 * attach()'s and adopt()'s optional recording arguments, from argv[0]: clientLeg, upstreamLeg (exported
 * states, leg_recording.h), clockOffsetNs (bigint: the recording's clock minus CLOCK_MONOTONIC), and
 * optionally prelude (see prelude_check), clientComment, upstreamComment (the legs' first frames' comments,
 * UTF-8). 1 when given and valid, 0 when not given, -1 when bad. Nothing is changed before all are checked.
 */
static int recording_args(napi_env env, napi_value *argv, size_t argc, leg_t legs[2], int64_t *clock_offset, uint8_t **prelude, size_t *prelude_len) {
  if (argc < 3) return 0;
  uint8_t *state[2];
  size_t state_len[2];
  bool lossless;
  if (uint8_array_arg(env, argv[0], &state[0], &state_len[0]) < 0 || uint8_array_arg(env, argv[1], &state[1], &state_len[1]) < 0 ||
      napi_get_value_bigint_int64(env, argv[2], clock_offset, &lossless) != napi_ok || !lossless ||
      leg_import(&legs[0], state[0], state_len[0]) < 0 || leg_import(&legs[1], state[1], state_len[1]) < 0) {
    return -1;
  }
  if (argc < 6) return 1;
  uint8_t *comment[2];
  size_t comment_len[2];
  if (uint8_array_arg(env, argv[3], prelude, prelude_len) < 0 || prelude_check(*prelude, *prelude_len) < 0 ||
      uint8_array_arg(env, argv[4], &comment[0], &comment_len[0]) < 0 || uint8_array_arg(env, argv[5], &comment[1], &comment_len[1]) < 0 ||
      leg_set_comment(&legs[0], comment[0], comment_len[0]) < 0 || leg_set_comment(&legs[1], comment[1], comment_len[1]) < 0) {
    return -1;
  }
  return 1;
}

/* The tunnel is recorded here from now on; the prelude first (before anything is relayed). */
static void start_recording(tunnel_t *t, const leg_t legs[2], int64_t clock_offset, const uint8_t *prelude, size_t prelude_len) {
  memcpy(t->legs, legs, 2 * sizeof *legs);
  t->clock_offset = clock_offset;
  t->recording = 1;
  if (prelude_len) record_prelude(t, prelude, prelude_len);
}

static napi_value js_start(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  relay_t *r = relay_of(env);
  if (r->started) return throw_error(env, "tunnel_relay: already started");
  napi_valuetype type;
  if (argc < 1 || napi_typeof(env, argv[0], &type) != napi_ok || type != napi_function) {
    return throw_error(env, "tunnel_relay: start(onEvents) needs a function");
  }
  if (napi_get_uv_event_loop(env, &r->loop) != napi_ok) return throw_error(env, "tunnel_relay: no event loop");
  r->scratch = malloc(RELAY_BUFFER);
  if (!r->scratch) return throw_error(env, "tunnel_relay: out of memory");
  napi_value name;
  napi_create_string_utf8(env, "tunnel_relay", NAPI_AUTO_LENGTH, &name);
  if (napi_create_reference(env, argv[0], 1, &r->on_events) != napi_ok ||
      napi_async_init(env, NULL, name, &r->async) != napi_ok) {
    return throw_error(env, "tunnel_relay: cannot keep the event callback");
  }
  uint8_t *reusable;
  size_t reusable_len;
  if (argc >= 2 && uint8_array_arg(env, argv[1], &reusable, &reusable_len) == 0 && reusable_len > 0) {
    /* The reference keeps the buffer (and its memory, outside the JavaScript heap) where it is. */
    if (napi_create_reference(env, argv[1], 1, &r->reusable) != napi_ok) return throw_error(env, "tunnel_relay: cannot keep the batch buffer");
    r->reusable_bytes = reusable;
    r->reusable_len = reusable_len;
  }
  /* Neither keeps the process alive: the tunnels' own handles do. */
  uv_check_init(r->loop, &r->deliver);
  r->deliver.data = r;
  uv_check_start(&r->deliver, deliver);
  uv_unref((uv_handle_t *)&r->deliver);
  uv_timer_init(r->loop, &r->idle);
  r->idle.data = r;
  uv_timer_start(&r->idle, expire_idle, 1000, 1000);
  uv_unref((uv_handle_t *)&r->idle);
  r->started = 1;
  return NULL;
}

static napi_value js_adopt(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  relay_t *r = relay_of(env);
  if (!r->started) return throw_error(env, "tunnel_relay: not started");
  int32_t fds[2];
  int64_t idle_ms;
  uint8_t *to[2];
  size_t to_len[2];
  if (argc < 5 || napi_get_value_int32(env, argv[0], &fds[0]) != napi_ok || napi_get_value_int32(env, argv[1], &fds[1]) != napi_ok ||
      uint8_array_arg(env, argv[2], &to[0], &to_len[0]) < 0 || uint8_array_arg(env, argv[3], &to[1], &to_len[1]) < 0 ||
      napi_get_value_int64(env, argv[4], &idle_ms) != napi_ok || fds[0] < 0 || fds[1] < 0) {
    return throw_error(env, "tunnel_relay: adopt(clientFd, upstreamFd, toClient, toUpstream, idleMs): bad arguments");
  }
  leg_t legs[2];
  int64_t clock_offset = 0;
  uint8_t *prelude = NULL;
  size_t prelude_len = 0;
  int recorded = recording_args(env, argv + 5, argc - 5, legs, &clock_offset, &prelude, &prelude_len);
  if (recorded < 0) return throw_error(env, "tunnel_relay: adopt: bad leg states, clock offset, prelude or comments");
  tunnel_t *t = calloc(1, sizeof *t);
  if (!t) return throw_error(env, "tunnel_relay: out of memory");
  t->relay = r;
  t->fd[0] = fcntl(fds[0], F_DUPFD_CLOEXEC, 0);
  t->fd[1] = fcntl(fds[1], F_DUPFD_CLOEXEC, 0);
  int ok = t->fd[0] >= 0 && t->fd[1] >= 0;
  for (int s = 0; s < 2 && ok; s++) ok = pending_put(&t->pending[s], to[s], to_len[s]) == 0;
  for (int s = 0; s < 2 && ok; s++) {
    ok = uv_poll_init(r->loop, &t->poll[s], t->fd[s]) == 0;
    if (ok) {
      t->poll[s].data = t;
      t->polled[s] = 1;
      t->open_handles++;
    }
  }
  if (!ok) {
    for (int s = 0; s < 2; s++) {
      if (s < t->open_handles) uv_close((uv_handle_t *)&t->poll[s], NULL);
      if (t->fd[s] >= 0) close(t->fd[s]);
      pending_free(&t->pending[s]);
    }
    /* Handles being closed still point at t: it is leaked rather than freed under them (a failed dup() is the usual case: none). */
    if (t->open_handles == 0) free(t);
    return throw_error(env, "tunnel_relay: cannot take the descriptors");
  }
  t->idle_ms = idle_ms;
  t->last_ms = uv_now(r->loop);
  tunnel_link(r, t);
  if (recorded) start_recording(t, legs, clock_offset, prelude, prelude_len);
  napi_value out;
  napi_create_uint32(env, t->id, &out);
  /* The bytes given go first; what does not fit in the socket now waits for POLLOUT. */
  for (int s = 0; s < 2 && !t->dead; s++) {
    if (flush_side(t, s) < 0) tunnel_fail(t, s);
  }
  if (!t->dead) tunnel_update(t);
  return out;
}

/* Links a new tunnel into the relay's list with the next id. */
static void tunnel_link(relay_t *r, tunnel_t *t) {
  t->relay = r;
  t->id = ++r->next_id;
  if (t->id == 0) t->id = ++r->next_id;
  t->next = r->tunnels;
  if (r->tunnels) r->tunnels->prev = t;
  r->tunnels = t;
  r->tunnel_count++;
}

/* The connection towards upstream is up (or failed): tell JavaScript, which attaches the client or closes. */
static void connect_done(tunnel_t *t) {
  relay_t *r = t->relay;
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(t->fd[1], SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
  if (err == 0) {
    struct sockaddr_storage local;
    socklen_t local_len = sizeof local;
    memset(&local, 0, sizeof local);
    char text[INET6_ADDRSTRLEN + 20] = "";
    getsockname(t->fd[1], (struct sockaddr *)&local, &local_len);
    int at = address_text(&local, text, sizeof text);
    unsigned mss = segment_size(t->fd[1]);
    int n = at + snprintf(text + at, sizeof text - (size_t)at, " %u", mss);
    if (t->fast_bytes) {
      /* Still watched for writing: tunnel_update changes that to what relaying needs (one epoll change less than a stop and a start). */
      fast_connected(t, text, n > 0 && (size_t)n < sizeof text ? n : 0, &local, mss);
      return;
    }
    t->connecting = 0;
    if (t->watching[1]) uv_poll_stop(&t->poll[1]);
    t->watching[1] = 0;
    record(r, t->id, EV_CONNECTED, (const uint8_t *)text, n > 0 ? (size_t)n : 0);
    return;
  }
  if (t->fast_bytes) {
    fast_failed(t, err, "connect-failed");
    return;
  }
  uint8_t code[4];
  put32(code, (uint32_t)err);
  record(r, t->id, EV_CONNECT_FAILED, code, 4);
  if (t->fd[0] >= 0) {
    /* A client accepted here stays: JavaScript answers it (release()). */
    t->connecting = 0;
    if (t->watching[1]) uv_poll_stop(&t->poll[1]);
    t->watching[1] = 0;
    return;
  }
  tunnel_close(t, 0);
}

static void on_connect_poll(uv_poll_t *handle, int status, int events) {
  (void)status;
  (void)events;
  tunnel_t *t = handle->data;
  if (t->dead || !t->connecting) return;
  connect_done(t);
}

/* Starts a non-blocking connection to ip:port on fd[1] of t (linked already); CONNECTED or CONNECT_FAILED follows. */
static void start_connect(tunnel_t *t, const struct sockaddr_storage *to, socklen_t to_len) {
  relay_t *r = t->relay;
  t->fd[1] = socket(to->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  uint8_t code[4];
  if (t->fd[1] < 0 && t->fast_bytes) {
    fast_failed(t, errno, "connect-failed");
    return;
  }
  if (t->fd[1] < 0) {
    put32(code, (uint32_t)errno);
    record(r, t->id, EV_CONNECT_FAILED, code, 4);
    if (t->fd[0] < 0) tunnel_close(t, 0);
    return;
  }
  /* Relayed handshake messages are small: Nagle's algorithm would hold them for the peer's delayed ACK. */
  int one = 1;
  setsockopt(t->fd[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (uv_poll_init(r->loop, &t->poll[1], t->fd[1]) != 0) {
    if (t->fast_bytes) {
      fast_failed(t, EMFILE, "connect-failed");
      return;
    }
    put32(code, (uint32_t)EMFILE);
    record(r, t->id, EV_CONNECT_FAILED, code, 4);
    if (t->fd[0] < 0) tunnel_close(t, 0);
    return;
  }
  t->poll[1].data = t;
  t->polled[1] = 1;
  t->open_handles++;
  t->connecting = 1;
  if (connect(t->fd[1], (const struct sockaddr *)to, to_len) == 0) {
    connect_done(t);
  } else if (errno == EINPROGRESS) {
    uv_poll_start(&t->poll[1], UV_WRITABLE, on_connect_poll);
    t->watching[1] = UV_WRITABLE;
  } else if (t->fast_bytes) {
    fast_failed(t, errno, "connect-failed");
  } else {
    put32(code, (uint32_t)errno);
    record(r, t->id, EV_CONNECT_FAILED, code, 4);
    t->connecting = 0;
    if (t->fd[0] < 0) tunnel_close(t, 0);
  }
}

/* argv[at], argv[at + 1] as an IP address and port; -1 when they are not. */
int address_arg(napi_env env, napi_value *argv, struct sockaddr_storage *to, socklen_t *to_len) {
  char ip[INET6_ADDRSTRLEN + 1];
  size_t ip_len;
  uint32_t port;
  if (napi_get_value_string_utf8(env, argv[0], ip, sizeof ip, &ip_len) != napi_ok ||
      napi_get_value_uint32(env, argv[1], &port) != napi_ok || port == 0 || port > 65535) {
    return -1;
  }
  memset(to, 0, sizeof *to);
  struct sockaddr_in *v4 = (struct sockaddr_in *)to;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)to;
  if (inet_pton(AF_INET, ip, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    *to_len = sizeof *v4;
  } else if (inet_pton(AF_INET6, ip, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    *to_len = sizeof *v6;
  } else {
    return -1;
  }
  return 0;
}

static tunnel_t *tunnel_by_id(relay_t *r, uint32_t id) {
  tunnel_t *t = r->tunnels;
  while (t && t->id != id) t = t->next;
  return t;
}

/* connect(ip, port) -> id: a non-blocking TCP connection; CONNECTED ("localIp localPort") or CONNECT_FAILED (errno) follows. */
static napi_value js_connect(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  relay_t *r = relay_of(env);
  if (!r->started) return throw_error(env, "tunnel_relay: not started");
  struct sockaddr_storage to;
  socklen_t to_len;
  if (argc < 2 || address_arg(env, argv, &to, &to_len) < 0) return throw_error(env, "tunnel_relay: connect(ip, port): bad arguments");
  tunnel_t *t = calloc(1, sizeof *t);
  if (!t) return throw_error(env, "tunnel_relay: out of memory");
  t->fd[0] = -1;
  t->fd[1] = -1;
  tunnel_link(r, t);
  napi_value out;
  napi_create_uint32(env, t->id, &out);
  start_connect(t, &to, to_len);
  return out;
}

/* connectFor(id, ip, port): connects upstream for a client accepted here whose head was handed over. */
static napi_value js_connect_for(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  relay_t *r = relay_of(env);
  uint32_t id;
  struct sockaddr_storage to;
  socklen_t to_len;
  if (!r->started || argc < 3 || napi_get_value_uint32(env, argv[0], &id) != napi_ok || address_arg(env, argv + 1, &to, &to_len) < 0) {
    return throw_error(env, "tunnel_relay: connectFor(id, ip, port): bad arguments");
  }
  tunnel_t *t = tunnel_by_id(r, id);
  if (!t || t->head || t->fd[0] < 0 || t->fd[1] >= 0) return throw_error(env, "tunnel_relay: connectFor: no accepted client with that id");
  start_connect(t, &to, to_len);
  return NULL;
}

/*
 * attach(id, clientFd, toClient, toUpstream, idleMs, clientLeg?, upstreamLeg?, clockOffsetNs?): relays between the
 * client and a connection from connect(). With both legs' exported states (leg_recording.h) and the recording
 * clock's offset from CLOCK_MONOTONIC (a bigint), the tunnel is recorded here (RECORDED events) from now on.
 */
static napi_value js_attach(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  relay_t *r = relay_of(env);
  uint32_t id;
  int32_t client_fd;
  int64_t idle_ms;
  uint8_t *to[2];
  size_t to_len[2];
  if (!r->started || argc < 5 || napi_get_value_uint32(env, argv[0], &id) != napi_ok || napi_get_value_int32(env, argv[1], &client_fd) != napi_ok ||
      uint8_array_arg(env, argv[2], &to[0], &to_len[0]) < 0 || uint8_array_arg(env, argv[3], &to[1], &to_len[1]) < 0 ||
      napi_get_value_int64(env, argv[4], &idle_ms) != napi_ok) {
    return throw_error(env, "tunnel_relay: attach(id, clientFd, toClient, toUpstream, idleMs): bad arguments");
  }
  leg_t legs[2];
  int64_t clock_offset = 0;
  uint8_t *prelude = NULL;
  size_t prelude_len = 0;
  int recorded = recording_args(env, argv + 5, argc - 5, legs, &clock_offset, &prelude, &prelude_len);
  if (recorded < 0) return throw_error(env, "tunnel_relay: attach: bad leg states, clock offset, prelude or comments");
  tunnel_t *t = tunnel_by_id(r, id);
  if (!t || t->connecting || t->fd[1] < 0 || t->head) return throw_error(env, "tunnel_relay: attach: no connected tunnel with that id");
  if (client_fd < 0) {
    /* -1: the client accepted here (listen()); its descriptor and handle are the tunnel's already. */
    if (t->fd[0] < 0) return throw_error(env, "tunnel_relay: attach: no client");
    t->held = 0;
  } else {
    if (t->fd[0] >= 0) return throw_error(env, "tunnel_relay: attach: a client already");
    int fd = fcntl(client_fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return throw_error(env, "tunnel_relay: attach: dup failed");
    if (uv_poll_init(r->loop, &t->poll[0], fd) != 0) {
      close(fd);
      return throw_error(env, "tunnel_relay: attach: cannot watch the descriptor");
    }
    t->fd[0] = fd;
    t->poll[0].data = t;
    t->polled[0] = 1;
    t->open_handles++;
  }
  if (recorded) start_recording(t, legs, clock_offset, prelude, prelude_len);
  t->idle_ms = idle_ms;
  t->last_ms = uv_now(r->loop);
  for (int s = 0; s < 2; s++) {
    if (pending_put(&t->pending[s], to[s], to_len[s]) < 0) {
      tunnel_fail(t, s);
      return NULL;
    }
  }
  for (int s = 0; s < 2 && !t->dead; s++) {
    if (flush_side(t, s) < 0) tunnel_fail(t, s);
  }
  if (!t->dead) tunnel_update(t);
  return NULL;
}

/* takeNumber(listener) -> the next tunnel number of that listener (its proxy's other tunnels: one numbering with the fast path's). */
static napi_value js_take_number(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  relay_t *r = relay_of(env);
  uint32_t id;
  if (argc < 1 || napi_get_value_uint32(env, argv[0], &id) != napi_ok) return throw_error(env, "tunnel_relay: takeNumber(listener): bad arguments");
  listener_t *l = r->listeners;
  while (l && l->id != id) l = l->next;
  if (!l) return throw_error(env, "tunnel_relay: takeNumber: no such listener");
  napi_value out;
  napi_create_uint32(env, ++l->next_number, &out);
  return out;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  relay_t *r = relay_of(env);
  uint32_t id;
  if (!r->started || argc < 1 || napi_get_value_uint32(env, argv[0], &id) != napi_ok) return NULL;
  for (tunnel_t *t = r->tunnels; t; t = t->next) {
    if (t->id == id) {
      tunnel_close(t, 0);
      break;
    }
  }
  return NULL;
}

/* release(id) -> fd: the accepted client's descriptor is the caller's from now on (the tunnel is gone, no events). */
static napi_value js_release(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  relay_t *r = relay_of(env);
  uint32_t id;
  if (!r->started || argc < 1 || napi_get_value_uint32(env, argv[0], &id) != napi_ok) return throw_error(env, "tunnel_relay: release(id): bad arguments");
  tunnel_t *t = tunnel_by_id(r, id);
  if (!t || t->fd[0] < 0) return throw_error(env, "tunnel_relay: release: no client with that id");
  int fd = t->fd[0];
  /* uv_close stops watching at once (the descriptor leaves epoll before Node watches it). */
  if (t->polled[0]) uv_close((uv_handle_t *)&t->poll[0], on_poll_closed);
  t->polled[0] = 0;
  t->fd[0] = -1;
  tunnel_close(t, 0);
  napi_value out;
  napi_create_int32(env, fd, &out);
  return out;
}

/* listen(fd, maxHeadBytes, headTimeoutMs) -> listener id: accepts on (a dup of) a listening socket; each client's head comes as HEAD. */
static napi_value js_listen(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  relay_t *r = relay_of(env);
  int32_t fd;
  uint32_t max_head, timeout_ms;
  if (!r->started || argc < 3 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_value_uint32(env, argv[1], &max_head) != napi_ok || napi_get_value_uint32(env, argv[2], &timeout_ms) != napi_ok ||
      fd < 0 || max_head == 0 || max_head > 16 * 1024 * 1024) {
    return throw_error(env, "tunnel_relay: listen(fd, maxHeadBytes, headTimeoutMs): bad arguments");
  }
  /* The fast path: answer, connectTimeoutMs, idleMs, maxTunnels. */
  uint8_t *answer = NULL;
  size_t answer_len = 0;
  uint32_t connect_ms = 0, max_tunnels = 0;
  int64_t idle_ms = 0;
  if (argc >= 7 && (uint8_array_arg(env, argv[3], &answer, &answer_len) < 0 || answer_len == 0 || answer_len > 4096 ||
                    napi_get_value_uint32(env, argv[4], &connect_ms) != napi_ok || connect_ms == 0 ||
                    napi_get_value_int64(env, argv[5], &idle_ms) != napi_ok || napi_get_value_uint32(env, argv[6], &max_tunnels) != napi_ok)) {
    return throw_error(env, "tunnel_relay: listen(fd, maxHeadBytes, headTimeoutMs, answer, connectTimeoutMs, idleMs, maxTunnels): bad arguments");
  }
  /* The fast path records its tunnels here from their first frame: the recording clock's offset (bigint). */
  int64_t record_offset = 0;
  bool lossless = true;
  int record_here = argc >= 8 && answer != NULL;
  if (record_here && (napi_get_value_bigint_int64(env, argv[7], &record_offset, &lossless) != napi_ok || !lossless)) {
    return throw_error(env, "tunnel_relay: listen: the recording clock offset must be a bigint");
  }
  if (answer) {
    uint8_t *copy = malloc(answer_len);
    if (!copy) return throw_error(env, "tunnel_relay: out of memory");
    memcpy(copy, answer, answer_len);
    free(r->answer);
    r->answer = copy;
    r->answer_len = answer_len;
  }
  listener_t *l = calloc(1, sizeof *l);
  if (!l) return throw_error(env, "tunnel_relay: out of memory");
  l->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (l->fd < 0) {
    free(l);
    return throw_error(env, "tunnel_relay: listen: dup failed");
  }
  int flags = fcntl(l->fd, F_GETFL);
  fcntl(l->fd, F_SETFL, flags | O_NONBLOCK);
  if (uv_poll_init(r->loop, &l->poll, l->fd) != 0) {
    close(l->fd);
    free(l);
    return throw_error(env, "tunnel_relay: listen: cannot watch the descriptor");
  }
  l->relay = r;
  l->id = ++r->next_listener;
  l->poll.data = l;
  l->max_head = max_head;
  l->head_timeout_ms = timeout_ms;
  l->connect_timeout_ms = answer ? connect_ms : 0;
  l->idle_ms = idle_ms;
  l->max_tunnels = max_tunnels;
  l->record = record_here;
  l->record_offset = record_offset;
  l->next = r->listeners;
  r->listeners = l;
  uv_poll_start(&l->poll, UV_READABLE, on_listen);
  /* Head and fast-path connect timeouts are checked on the relay's timer: tick often enough for the smallest limit given. */
  uint64_t tick = (l->connect_timeout_ms && l->connect_timeout_ms < timeout_ms ? l->connect_timeout_ms : timeout_ms) / 4;
  if (tick < 10) tick = 10;
  if (tick < uv_timer_get_repeat(&r->idle)) uv_timer_start(&r->idle, expire_idle, tick, tick);
  napi_value out;
  napi_create_uint32(env, l->id, &out);
  return out;
}

static void on_listener_closed(uv_handle_t *h) {
  free(h->data);
}

static void listener_close(relay_t *r, listener_t *l) {
  /* Clients still sending their head are nobody's yet: they go with the listener. */
  tunnel_t *t = r->tunnels;
  while (t) {
    tunnel_t *next = t->next;
    if (t->head && t->listener == l->id) tunnel_close(t, 0);
    t = next;
  }
  listener_t **at = &r->listeners;
  while (*at && *at != l) at = &(*at)->next;
  if (*at) *at = l->next;
  uv_close((uv_handle_t *)&l->poll, on_listener_closed);
  close(l->fd);
}

/* unlisten(listener id): stops accepting and closes that listening socket (clients accepted stay). */
static napi_value js_unlisten(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  relay_t *r = relay_of(env);
  uint32_t id;
  if (argc < 1 || napi_get_value_uint32(env, argv[0], &id) != napi_ok) return NULL;
  for (listener_t *l = r->listeners; l; l = l->next) {
    if (l->id == id) {
      listener_close(r, l);
      break;
    }
  }
  return NULL;
}

static napi_value js_take(napi_env env, napi_callback_info info) {
  (void)info;
  relay_t *r = relay_of(env);
  napi_value out;
  if (!r->started || r->log.len == 0) {
    napi_get_null(env, &out);
    return out;
  }
  void *copy;
  if (napi_create_buffer_copy(env, r->log.len, r->log.bytes, &copy, &out) != napi_ok) return throw_error(env, "tunnel_relay: out of memory");
  log_taken(r);
  return out;
}

/* The environment goes away (process exit): close every descriptor. */
static void relay_cleanup(void *arg) {
  relay_t *r = arg;
  while (r->listeners) listener_close(r, r->listeners);
  while (r->tunnels) tunnel_close(r->tunnels, 0);
  if (r->started) {
    uv_close((uv_handle_t *)&r->deliver, NULL);
    uv_close((uv_handle_t *)&r->idle, NULL);
  }
}

static void relay_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  relay_t *r = data;
  /* Handles may still point at r while the loop closes them: only the buffers go. */
  free(r->log.bytes);
  r->log.bytes = NULL;
  free(r->scratch);
  r->scratch = NULL;
  free(r->answer);
  r->answer = NULL;
}

/* segmentSize(fd) -> the socket's TCP_MAXSEG, 0 when it cannot be read (for a Node socket's leg). */
static napi_value js_segment_size(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) fd = -1;
  napi_value out;
  napi_create_uint32(env, segment_size(fd), &out);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  relay_t *r = calloc(1, sizeof *r);
  if (!r) return throw_error(env, "tunnel_relay: out of memory");
  r->env = env;
  napi_set_instance_data(env, r, relay_finalize, NULL);
  napi_add_env_cleanup_hook(env, relay_cleanup, r);
  napi_property_descriptor props[] = {
    { "start", NULL, js_start, NULL, NULL, NULL, napi_default, NULL },
    { "adopt", NULL, js_adopt, NULL, NULL, NULL, napi_default, NULL },
    { "close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL },
    { "take", NULL, js_take, NULL, NULL, NULL, napi_default, NULL },
    { "connect", NULL, js_connect, NULL, NULL, NULL, napi_default, NULL },
    { "attach", NULL, js_attach, NULL, NULL, NULL, napi_default, NULL },
    { "connectFor", NULL, js_connect_for, NULL, NULL, NULL, napi_default, NULL },
    { "release", NULL, js_release, NULL, NULL, NULL, napi_default, NULL },
    { "listen", NULL, js_listen, NULL, NULL, NULL, napi_default, NULL },
    { "unlisten", NULL, js_unlisten, NULL, NULL, NULL, napi_default, NULL },
    { "encodeSegments", NULL, js_encode_segments, NULL, NULL, NULL, napi_default, NULL },
    { "recordLegEvent", NULL, js_record_leg_event, NULL, NULL, NULL, napi_default, NULL },
    { "segmentSize", NULL, js_segment_size, NULL, NULL, NULL, napi_default, NULL },
    { "writeBehind", NULL, js_write_behind, NULL, NULL, NULL, napi_default, NULL },
    { "connectHead", NULL, js_connect_head, NULL, NULL, NULL, napi_default, NULL },
    { "takeNumber", NULL, js_take_number, NULL, NULL, NULL, napi_default, NULL },
    { "legStartState", NULL, js_leg_start_state, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
