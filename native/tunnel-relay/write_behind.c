/*
 * writeBehind: keeps a growing recording's page cache small. Measured on this
 * project's (virtual) machine: appending to a file costs ~2 ms of system time
 * per MB when the page cache takes pages the kernel has not used for a while
 * (the hypervisor maps them in again, one fault per page), and ~0.2 ms when it
 * reuses pages freed moments before. A recorder writes every relayed byte
 * about twice, so the first case was most of the passthrough proxy's CPU per
 * MB. Starting the writeback of each written window at once and dropping the
 * window before it from the cache once written keeps a few MB of pages in
 * use, and they come back to the next writes hot. (It also bounds the memory
 * a long capture holds in the page cache.)
 *
 *   writeBehind(fd, startFrom, startTo, dropFrom, dropTo, done)
 *       on a thread of libuv's pool (waiting for the disk is not the event
 *       loop's business): waits until [dropFrom, dropTo) is on disk and drops
 *       it from the page cache, then starts writing [startFrom, startTo) out
 *       (sync_file_range: no waiting for it). Empty ranges are skipped.
 *       `done(errno)` follows (0: fine; the recording does not depend on it).
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>

#include "write_behind.h"

typedef struct {
  napi_async_work work;
  napi_ref done;
  int fd;
  int64_t start_from, start_to, drop_from, drop_to;
  int error;
} write_behind_t;

static void run(napi_env env, void *data) {
  (void)env;
  write_behind_t *w = data;
  if (w->drop_to > w->drop_from) {
    if (sync_file_range(w->fd, w->drop_from, w->drop_to - w->drop_from,
                        SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER) != 0) {
      w->error = errno;
    } else {
      int e = posix_fadvise(w->fd, w->drop_from, w->drop_to - w->drop_from, POSIX_FADV_DONTNEED);
      if (e) w->error = e;
    }
  }
  if (w->start_to > w->start_from && sync_file_range(w->fd, w->start_from, w->start_to - w->start_from, SYNC_FILE_RANGE_WRITE) != 0 && !w->error) {
    w->error = errno;
  }
}

static void complete(napi_env env, napi_status status, void *data) {
  write_behind_t *w = data;
  napi_value done, global, arg;
  if (napi_get_reference_value(env, w->done, &done) == napi_ok && done && napi_get_global(env, &global) == napi_ok &&
      napi_create_int32(env, status == napi_ok ? w->error : ECANCELED, &arg) == napi_ok) {
    napi_call_function(env, global, done, 1, &arg, NULL);
  }
  napi_delete_reference(env, w->done);
  napi_delete_async_work(env, w->work);
  free(w);
}

napi_value js_write_behind(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  int64_t range[4];
  napi_valuetype done_type = napi_undefined;
  int ok = argc == 6 && napi_get_value_int32(env, argv[0], &fd) == napi_ok && fd >= 0 &&
           napi_typeof(env, argv[5], &done_type) == napi_ok && done_type == napi_function;
  for (int i = 0; ok && i < 4; i++) ok = napi_get_value_int64(env, argv[1 + i], &range[i]) == napi_ok && range[i] >= 0;
  if (!ok) {
    napi_throw_type_error(env, NULL, "writeBehind(fd, startFrom, startTo, dropFrom, dropTo, done): bad arguments");
    return NULL;
  }
  write_behind_t *w = calloc(1, sizeof *w);
  if (!w) {
    napi_throw_error(env, NULL, "writeBehind: out of memory");
    return NULL;
  }
  w->fd = fd;
  w->start_from = range[0];
  w->start_to = range[1];
  w->drop_from = range[2];
  w->drop_to = range[3];
  napi_value name;
  napi_create_string_utf8(env, "tlswb.writeBehind", NAPI_AUTO_LENGTH, &name);
  if (napi_create_reference(env, argv[5], 1, &w->done) != napi_ok ||
      napi_create_async_work(env, NULL, name, run, complete, w, &w->work) != napi_ok ||
      napi_queue_async_work(env, w->work) != napi_ok) {
    free(w);
    napi_throw_error(env, NULL, "writeBehind: could not queue the work");
    return NULL;
  }
  return NULL;
}
