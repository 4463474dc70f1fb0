/*
 * tunnel_relay: relays the bytes of passthrough CONNECT tunnels on its own
 * thread, so the proxy's JavaScript sees a tunnel's traffic only as batches
 * to record.
 *
 * Why: a tunnel relayed in JavaScript costs, per chunk, a 'data' event, a
 * write request and the stream machinery around both, on the thread that
 * also accepts and parses; measured, that was most of the proxy's CPU per
 * CONNECT + TLS + GET round trip. Here a chunk costs a read, a send and a
 * memcpy into the recording log.
 *
 *   adopt(clientFd, upstreamFd, toClient: Buffer, toUpstream: Buffer, idleMs) -> id
 *       dup()s both descriptors (the caller then closes its own), writes the
 *       given bytes first, and relays until both sides ended, an error, or
 *       `idleMs` without traffic.
 *   close(id)        closes a tunnel now (its 'closed' event still comes).
 *   take() -> Buffer | null   the events so far (also delivered to `onEvents`).
 *   start(onEvents)  `onEvents(Buffer)` receives events, batched per epoll round.
 *   ref() / unref()  whether pending events keep the process alive.
 *
 * Events, packed back to back, little-endian:
 *   0 tunnel id u32 | 4 kind u32 | 8 length u32 | 12 CLOCK_MONOTONIC ns u64 | 20 bytes[length]
 * Kinds: 1 bytes from the client, 2 bytes from upstream, 3 client sent FIN,
 * 4 upstream sent FIN, 5 client failed (RST or error), 6 upstream failed,
 * 7 closed (both descriptors closed; the last event of a tunnel).
 *
 * Per direction at most RELAY_BUFFER bytes wait for a slow reader: a side is
 * not read while the bytes it sent before are still pending towards the
 * other (back-pressure reaches the sender through TCP). A FIN travels as
 * shutdown(SHUT_WR) once the bytes before it are written. When JavaScript
 * falls behind taking events (LOG_LIMIT bytes waiting), the thread waits:
 * recording stays complete, and TCP slows the peers down.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#define RELAY_BUFFER (64 * 1024)
#define LOG_LIMIT (8 * 1024 * 1024)
#define EVENT_HEADER 20

enum { EV_FROM_CLIENT = 1, EV_FROM_UPSTREAM = 2, EV_FIN_CLIENT = 3, EV_FIN_UPSTREAM = 4,
       EV_FAIL_CLIENT = 5, EV_FAIL_UPSTREAM = 6, EV_CLOSED = 7 };

/* Side 0 is the client, side 1 upstream; pending[s] holds bytes to write to side s. */
typedef struct {
  uint8_t *bytes;
  size_t start, end, cap;
} pending_t;

typedef struct tunnel {
  uint32_t id;
  int fd[2];
  pending_t pending[2];
  int eof[2];       /* side s sent FIN (read returned 0) */
  int shut[2];      /* shutdown(SHUT_WR) done on side s */
  uint32_t watching[2];
  int64_t idle_ms;
  int64_t last_ms;
  int removed[2];   /* side s is done both ways and out of the epoll set */
  int dead;
  struct tunnel *prev, *next;
} tunnel_t;

typedef struct {
  uint8_t *bytes;
  size_t len, cap;
} log_t;

typedef struct close_req {
  uint32_t id;
  struct close_req *next;
} close_req_t;

typedef struct {
  pthread_t thread;
  int started;
  int epoll_fd;
  int wake_fd;
  pthread_mutex_t lock;
  pthread_cond_t taken;
  /* Guarded by lock: */
  log_t log;
  int notified;
  int stopping;
  tunnel_t *incoming;
  close_req_t *closing;
  uint32_t next_id;
  /* The relay thread's own: */
  tunnel_t *tunnels;
  /* Closed this epoll round: freed after it, as the round's later events may still name them. */
  tunnel_t *graveyard;
  uint8_t *scratch;
  napi_threadsafe_function tsfn;
  int refs;
} relay_t;

static int64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

/* Asks JavaScript to take the log (once until it did). Called with lock held. */
static void notify_locked(relay_t *r) {
  if (r->notified || r->log.len == 0 || !r->tsfn) return;
  r->notified = 1;
  napi_call_threadsafe_function(r->tsfn, NULL, napi_tsfn_nonblocking);
}

/* Appends one event; waits while JavaScript has LOG_LIMIT bytes still to take. */
static void record(relay_t *r, uint32_t id, uint32_t kind, const uint8_t *data, size_t len) {
  int64_t now = mono_ns();
  pthread_mutex_lock(&r->lock);
  while (r->log.len > LOG_LIMIT && !r->stopping) {
    notify_locked(r);
    pthread_cond_wait(&r->taken, &r->lock);
  }
  size_t need = r->log.len + EVENT_HEADER + len;
  if (need > r->log.cap) {
    size_t cap = r->log.cap ? r->log.cap : 64 * 1024;
    while (cap < need) cap *= 2;
    uint8_t *grown = realloc(r->log.bytes, cap);
    if (!grown) {
      /* Out of memory: the event is lost rather than the process. */
      pthread_mutex_unlock(&r->lock);
      return;
    }
    r->log.bytes = grown;
    r->log.cap = cap;
  }
  uint8_t *p = r->log.bytes + r->log.len;
  put32(p, id);
  put32(p + 4, kind);
  put32(p + 8, (uint32_t)len);
  put32(p + 12, (uint32_t)((uint64_t)now & 0xffffffffu));
  put32(p + 16, (uint32_t)((uint64_t)now >> 32));
  if (len) memcpy(p + EVENT_HEADER, data, len);
  r->log.len = need;
  pthread_mutex_unlock(&r->lock);
}

static void pending_free(pending_t *q) {
  free(q->bytes);
  q->bytes = NULL;
  q->start = q->end = q->cap = 0;
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

static size_t pending_len(const pending_t *q) {
  return q->end - q->start;
}

static void tunnel_close(relay_t *r, tunnel_t *t) {
  if (t->dead) return;
  t->dead = 1;
  for (int s = 0; s < 2; s++) {
    if (!t->removed[s]) epoll_ctl(r->epoll_fd, EPOLL_CTL_DEL, t->fd[s], NULL);
    close(t->fd[s]);
    pending_free(&t->pending[s]);
  }
  record(r, t->id, EV_CLOSED, NULL, 0);
  if (t->prev) t->prev->next = t->next;
  else r->tunnels = t->next;
  if (t->next) t->next->prev = t->prev;
  t->prev = NULL;
  t->next = r->graveyard;
  r->graveyard = t;
}

static void bury(relay_t *r) {
  while (r->graveyard) {
    tunnel_t *t = r->graveyard;
    r->graveyard = t->next;
    free(t);
  }
}

static void tunnel_fail(relay_t *r, tunnel_t *t, int side) {
  record(r, t->id, side == 0 ? EV_FAIL_CLIENT : EV_FAIL_UPSTREAM, NULL, 0);
  tunnel_close(r, t);
}

/* What each descriptor should be watched for now; done when both FINs went through. Returns 0 when closed. */
static int tunnel_update(relay_t *r, tunnel_t *t) {
  for (int s = 0; s < 2; s++) {
    int o = 1 - s;
    /* Side o sent FIN and everything before it reached side s: pass the FIN on. */
    if (t->eof[o] && !t->shut[s] && pending_len(&t->pending[s]) == 0) {
      shutdown(t->fd[s], SHUT_WR);
      t->shut[s] = 1;
    }
  }
  if (t->shut[0] && t->shut[1]) {
    tunnel_close(r, t);
    return 0;
  }
  for (int s = 0; s < 2; s++) {
    /* Done both ways: out of the set, or a hung-up socket would be reported again and again. */
    if (t->eof[s] && t->shut[s] && !t->removed[s]) {
      epoll_ctl(r->epoll_fd, EPOLL_CTL_DEL, t->fd[s], NULL);
      t->removed[s] = 1;
    }
    if (t->removed[s]) continue;
    int o = 1 - s;
    uint32_t want = 0;
    if (!t->eof[s] && pending_len(&t->pending[o]) == 0) want |= EPOLLIN | EPOLLRDHUP;
    if (pending_len(&t->pending[s]) > 0) want |= EPOLLOUT;
    if (want != t->watching[s]) {
      struct epoll_event ev = { .events = want, .data = { .u64 = (uint64_t)(uintptr_t)t | (uint64_t)s } };
      epoll_ctl(r->epoll_fd, EPOLL_CTL_MOD, t->fd[s], &ev);
      t->watching[s] = want;
    }
  }
  return 1;
}

/* Writes what is pending towards side s. Returns -1 on a failed side. */
static int flush_side(tunnel_t *t, int s) {
  pending_t *q = &t->pending[s];
  while (pending_len(q) > 0) {
    ssize_t n = send(t->fd[s], q->bytes + q->start, pending_len(q), MSG_NOSIGNAL);
    if (n > 0) {
      q->start += (size_t)n;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    if (n < 0 && errno == EINTR) continue;
    return -1;
  }
  pending_free(q);
  return 0;
}

/* Reads side s once and relays it to the other side. Returns -1 when side s or the other failed. */
static int relay_from(relay_t *r, tunnel_t *t, int s) {
  int o = 1 - s;
  ssize_t n = recv(t->fd[s], r->scratch, RELAY_BUFFER, 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
    tunnel_fail(r, t, s);
    return -1;
  }
  if (n == 0) {
    t->eof[s] = 1;
    record(r, t->id, s == 0 ? EV_FIN_CLIENT : EV_FIN_UPSTREAM, NULL, 0);
    return 0;
  }
  /* Recorded before it is relayed: the pcapng shows the request before the answer it causes. */
  record(r, t->id, s == 0 ? EV_FROM_CLIENT : EV_FROM_UPSTREAM, r->scratch, (size_t)n);
  size_t done = 0;
  if (t->shut[o]) {
    /* Cannot happen (the side that sent FIN is not read); a peer that writes after all is cut. */
    tunnel_fail(r, t, o);
    return -1;
  }
  while (done < (size_t)n) {
    ssize_t w = send(t->fd[o], r->scratch + done, (size_t)n - done, MSG_NOSIGNAL);
    if (w > 0) {
      done += (size_t)w;
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    tunnel_fail(r, t, o);
    return -1;
  }
  if (pending_put(&t->pending[o], r->scratch + done, (size_t)n - done) < 0) {
    tunnel_fail(r, t, o);
    return -1;
  }
  return 0;
}

static void on_ready(relay_t *r, tunnel_t *t, int s, uint32_t events) {
  t->last_ms = mono_ns() / 1000000;
  if (events & EPOLLOUT) {
    if (flush_side(t, s) < 0) {
      tunnel_fail(r, t, s);
      return;
    }
  }
  if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) && !t->eof[s] && pending_len(&t->pending[1 - s]) == 0) {
    if (relay_from(r, t, s) < 0) return;
  } else if (events & (EPOLLHUP | EPOLLERR)) {
    if (t->eof[s] && pending_len(&t->pending[s]) == 0) {
      /*
       * Side s sent its FIN before and is owed nothing: a reset now is a peer
       * that closed without reading what came after its FIN (a TLS
       * close_notify, say). Node would not notice (it stops watching an
       * ended socket with nothing to write); that side is simply done.
       */
      t->shut[s] = 1;
    } else {
      tunnel_fail(r, t, s);
      return;
    }
  }
  tunnel_update(r, t);
}

static void take_commands(relay_t *r) {
  uint64_t count;
  ssize_t ignored = read(r->wake_fd, &count, sizeof count);
  (void)ignored;
  pthread_mutex_lock(&r->lock);
  tunnel_t *in = r->incoming;
  close_req_t *closing = r->closing;
  r->incoming = NULL;
  r->closing = NULL;
  pthread_mutex_unlock(&r->lock);
  while (in) {
    tunnel_t *t = in;
    in = in->next;
    t->prev = NULL;
    t->next = r->tunnels;
    if (r->tunnels) r->tunnels->prev = t;
    r->tunnels = t;
    t->last_ms = mono_ns() / 1000000;
    int ok = 1;
    for (int s = 0; s < 2; s++) {
      struct epoll_event ev = { .events = 0, .data = { .u64 = (uint64_t)(uintptr_t)t | (uint64_t)s } };
      if (epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, t->fd[s], &ev) < 0) ok = 0;
    }
    if (!ok) {
      tunnel_fail(r, t, 0);
      continue;
    }
    /* The bytes given with adopt() go first. */
    for (int s = 0; s < 2 && ok; s++) {
      if (flush_side(t, s) < 0) {
        tunnel_fail(r, t, s);
        ok = 0;
      }
    }
    if (ok) tunnel_update(r, t);
  }
  while (closing) {
    close_req_t *c = closing;
    closing = closing->next;
    for (tunnel_t *t = r->tunnels; t; t = t->next) {
      if (t->id == c->id) {
        tunnel_close(r, t);
        break;
      }
    }
    free(c);
  }
}

static void expire_idle(relay_t *r) {
  int64_t now = mono_ns() / 1000000;
  tunnel_t *t = r->tunnels;
  while (t) {
    tunnel_t *next = t->next;
    if (t->idle_ms > 0 && now - t->last_ms >= t->idle_ms) tunnel_close(r, t);
    t = next;
  }
}

static void *relay_main(void *arg) {
  relay_t *r = arg;
  struct epoll_event events[256];
  int64_t last_scan = mono_ns() / 1000000;
  for (;;) {
    int n = epoll_wait(r->epoll_fd, events, 256, 1000);
    pthread_mutex_lock(&r->lock);
    int stopping = r->stopping;
    pthread_mutex_unlock(&r->lock);
    if (stopping) break;
    for (int i = 0; i < n; i++) {
      if (events[i].data.u64 == 0) {
        take_commands(r);
        continue;
      }
      /* A tunnel closed earlier in this round may still have an event here (it is freed after the round). */
      tunnel_t *t = (tunnel_t *)(uintptr_t)(events[i].data.u64 & ~(uint64_t)1);
      int s = (int)(events[i].data.u64 & 1);
      if (!t->dead) on_ready(r, t, s, events[i].events);
    }
    bury(r);
    int64_t now = mono_ns() / 1000000;
    if (now - last_scan >= 1000) {
      last_scan = now;
      expire_idle(r);
      bury(r);
    }
    pthread_mutex_lock(&r->lock);
    notify_locked(r);
    pthread_mutex_unlock(&r->lock);
  }
  bury(r);
  while (r->tunnels) {
    tunnel_t *t = r->tunnels;
    r->tunnels = t->next;
    for (int s = 0; s < 2; s++) {
      close(t->fd[s]);
      pending_free(&t->pending[s]);
    }
    free(t);
  }
  return NULL;
}

/* ---- JavaScript side ---- */

static napi_value throw_error(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

static napi_value take_log(napi_env env, relay_t *r) {
  pthread_mutex_lock(&r->lock);
  r->notified = 0;
  if (r->log.len == 0) {
    pthread_mutex_unlock(&r->lock);
    napi_value nul;
    napi_get_null(env, &nul);
    return nul;
  }
  void *data;
  napi_value out;
  napi_status st = napi_create_buffer_copy(env, r->log.len, r->log.bytes, &data, &out);
  r->log.len = 0;
  /* Give back memory a burst grew, keep a working size. */
  if (r->log.cap > 4 * 1024 * 1024) {
    free(r->log.bytes);
    r->log.bytes = NULL;
    r->log.cap = 0;
  }
  pthread_cond_broadcast(&r->taken);
  pthread_mutex_unlock(&r->lock);
  if (st != napi_ok) return throw_error(env, "tunnel_relay: out of memory for events");
  return out;
}

static void call_js(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)data;
  if (!env || !js_cb) return;
  relay_t *r = context;
  napi_value batch = take_log(env, r);
  if (!batch) return;
  napi_valuetype type;
  napi_typeof(env, batch, &type);
  if (type == napi_null) return;
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  napi_call_function(env, undefined, js_cb, 1, &batch, NULL);
}

static void relay_cleanup(void *arg) {
  relay_t *r = arg;
  if (r->started) {
    pthread_mutex_lock(&r->lock);
    r->stopping = 1;
    pthread_cond_broadcast(&r->taken);
    pthread_mutex_unlock(&r->lock);
    uint64_t one = 1;
    ssize_t ignored = write(r->wake_fd, &one, sizeof one);
    (void)ignored;
    pthread_join(r->thread, NULL);
  }
  tunnel_t *in = r->incoming;
  while (in) {
    tunnel_t *next = in->next;
    for (int s = 0; s < 2; s++) {
      close(in->fd[s]);
      pending_free(&in->pending[s]);
    }
    free(in);
    in = next;
  }
  if (r->epoll_fd >= 0) close(r->epoll_fd);
  if (r->wake_fd >= 0) close(r->wake_fd);
  free(r->log.bytes);
  free(r->scratch);
}

static void relay_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

static relay_t *relay_of(napi_env env) {
  relay_t *r = NULL;
  napi_get_instance_data(env, (void **)&r);
  return r;
}

static napi_value js_start(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  relay_t *r = relay_of(env);
  if (r->started) return throw_error(env, "tunnel_relay: already started");
  napi_valuetype type;
  if (argc < 1 || napi_typeof(env, argv[0], &type) != napi_ok || type != napi_function) {
    return throw_error(env, "tunnel_relay: start(onEvents) needs a function");
  }
  r->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  r->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  r->scratch = malloc(RELAY_BUFFER);
  if (r->epoll_fd < 0 || r->wake_fd < 0 || !r->scratch) return throw_error(env, "tunnel_relay: cannot create epoll/eventfd");
  struct epoll_event ev = { .events = EPOLLIN, .data = { .u64 = 0 } };
  epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, r->wake_fd, &ev);
  napi_value name;
  napi_create_string_utf8(env, "tunnel_relay", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[0], NULL, name, 0, 1, NULL, NULL, r, call_js, &r->tsfn) != napi_ok) {
    return throw_error(env, "tunnel_relay: cannot create the event callback");
  }
  /* Idle until a tunnel is adopted: pending events alone must not keep the process alive. */
  napi_unref_threadsafe_function(env, r->tsfn);
  if (pthread_create(&r->thread, NULL, relay_main, r) != 0) return throw_error(env, "tunnel_relay: cannot start its thread");
  r->started = 1;
  return NULL;
}

static int buffer_arg(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  bool is;
  if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t length;
    void *bytes;
    napi_value ab;
    size_t offset;
    if (napi_get_typedarray_info(env, v, &type, &length, &bytes, &ab, &offset) != napi_ok || type != napi_uint8_array) return -1;
    *data = bytes;
    *len = length;
    return 0;
  }
  return -1;
}

static napi_value js_adopt(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  relay_t *r = relay_of(env);
  if (!r->started) return throw_error(env, "tunnel_relay: not started");
  if (argc < 5) return throw_error(env, "tunnel_relay: adopt(clientFd, upstreamFd, toClient, toUpstream, idleMs)");
  int32_t fds[2];
  int64_t idle_ms;
  uint8_t *to[2];
  size_t to_len[2];
  if (napi_get_value_int32(env, argv[0], &fds[0]) != napi_ok || napi_get_value_int32(env, argv[1], &fds[1]) != napi_ok ||
      buffer_arg(env, argv[2], &to[0], &to_len[0]) < 0 || buffer_arg(env, argv[3], &to[1], &to_len[1]) < 0 ||
      napi_get_value_int64(env, argv[4], &idle_ms) != napi_ok || fds[0] < 0 || fds[1] < 0) {
    return throw_error(env, "tunnel_relay: adopt: bad arguments");
  }
  tunnel_t *t = calloc(1, sizeof *t);
  if (!t) return throw_error(env, "tunnel_relay: out of memory");
  t->fd[0] = fcntl(fds[0], F_DUPFD_CLOEXEC, 0);
  t->fd[1] = fcntl(fds[1], F_DUPFD_CLOEXEC, 0);
  if (t->fd[0] < 0 || t->fd[1] < 0) {
    if (t->fd[0] >= 0) close(t->fd[0]);
    if (t->fd[1] >= 0) close(t->fd[1]);
    free(t);
    return throw_error(env, "tunnel_relay: dup failed");
  }
  for (int s = 0; s < 2; s++) {
    int flags = fcntl(t->fd[s], F_GETFL);
    fcntl(t->fd[s], F_SETFL, flags | O_NONBLOCK);
    if (pending_put(&t->pending[s], to[s], to_len[s]) < 0) {
      close(t->fd[0]);
      close(t->fd[1]);
      pending_free(&t->pending[0]);
      pending_free(&t->pending[1]);
      free(t);
      return throw_error(env, "tunnel_relay: out of memory");
    }
  }
  t->idle_ms = idle_ms;
  pthread_mutex_lock(&r->lock);
  t->id = ++r->next_id;
  if (t->id == 0) t->id = ++r->next_id;
  t->next = r->incoming;
  r->incoming = t;
  pthread_mutex_unlock(&r->lock);
  uint64_t one = 1;
  ssize_t ignored = write(r->wake_fd, &one, sizeof one);
  (void)ignored;
  napi_value out;
  napi_create_uint32(env, t->id, &out);
  return out;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  relay_t *r = relay_of(env);
  uint32_t id;
  if (!r->started || argc < 1 || napi_get_value_uint32(env, argv[0], &id) != napi_ok) return NULL;
  close_req_t *c = malloc(sizeof *c);
  if (!c) return throw_error(env, "tunnel_relay: out of memory");
  c->id = id;
  pthread_mutex_lock(&r->lock);
  c->next = r->closing;
  r->closing = c;
  pthread_mutex_unlock(&r->lock);
  uint64_t one = 1;
  ssize_t ignored = write(r->wake_fd, &one, sizeof one);
  (void)ignored;
  return NULL;
}

static napi_value js_take(napi_env env, napi_callback_info info) {
  (void)info;
  relay_t *r = relay_of(env);
  if (!r->started) {
    napi_value nul;
    napi_get_null(env, &nul);
    return nul;
  }
  return take_log(env, r);
}

static napi_value js_ref(napi_env env, napi_callback_info info) {
  (void)info;
  relay_t *r = relay_of(env);
  if (r->started && r->refs++ == 0) napi_ref_threadsafe_function(env, r->tsfn);
  return NULL;
}

static napi_value js_unref(napi_env env, napi_callback_info info) {
  (void)info;
  relay_t *r = relay_of(env);
  if (r->started && r->refs > 0 && --r->refs == 0) napi_unref_threadsafe_function(env, r->tsfn);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  relay_t *r = calloc(1, sizeof *r);
  if (!r) return throw_error(env, "tunnel_relay: out of memory");
  r->epoll_fd = -1;
  r->wake_fd = -1;
  pthread_mutex_init(&r->lock, NULL);
  pthread_cond_init(&r->taken, NULL);
  napi_set_instance_data(env, r, relay_finalize, NULL);
  napi_add_env_cleanup_hook(env, relay_cleanup, r);
  napi_property_descriptor props[] = {
    { "start", NULL, js_start, NULL, NULL, NULL, napi_default, NULL },
    { "adopt", NULL, js_adopt, NULL, NULL, NULL, napi_default, NULL },
    { "close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL },
    { "take", NULL, js_take, NULL, NULL, NULL, napi_default, NULL },
    { "ref", NULL, js_ref, NULL, NULL, NULL, napi_default, NULL },
    { "unref", NULL, js_unref, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
