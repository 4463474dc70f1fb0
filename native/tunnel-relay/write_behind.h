/* writeBehind (write_behind.c): a growing file's written pages out of the page cache, off the event loop. */
#ifndef TLSWB_WRITE_BEHIND_H
#define TLSWB_WRITE_BEHIND_H
#include <node_api.h>

napi_value js_write_behind(napi_env env, napi_callback_info info);

#endif
