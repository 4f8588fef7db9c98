/* Helpers of kv_libnats_test.c: failure reporting, bucket bookkeeping and
 * the expectations the checks share (entries, watch deliveries, stream info). */
#ifndef NATRIUM_KV_LIBNATS_CHECK_H
#define NATRIUM_KV_LIBNATS_CHECK_H

#define _POSIX_C_SOURCE 200809L /* clock_gettime, nanosleep */

#include <nats/nats.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WATCH_WAIT_MS 5000 /* how long any one expected watch entry may take */
#define QUIET_MS 300       /* how long a watcher must stay silent */
#define MAX_BUCKETS 8

extern natsConnection *g_nc;
extern jsCtx *g_js;
extern char g_buckets[MAX_BUCKETS][64];
extern int g_bucket_count;
extern const char *g_check;

#define CHECK(cond, ...)                        \
    do {                                        \
        if (!(cond))                            \
            failf(__LINE__, __VA_ARGS__);       \
    } while (0)
/* `expr` must return `want`; `what` names the call in the messages. */
#define EXPECT_STATUS(expr, want, what)                                                          \
    do {                                                                                         \
        natsStatus got_ = (expr);                                                                \
        if (got_ != (want))                                                                      \
            failf(__LINE__, "%s returned %s (%d), want %s (%d)", (what), natsStatus_GetText(got_), \
                  (int) got_, natsStatus_GetText(want), (int) (want));                          \
    } while (0)

#define EXPECT_OK(expr, what) EXPECT_STATUS((expr), NATS_OK, (what))

void cleanup(void);
void failf(int line, const char *fmt, ...);
void ok(const char *fmt, ...);
int64_t now_ms(void);
int64_t wall_ns(void);
void sleep_ms(int ms);
const char *op_name(kvOperation op);
bool last_error_contains(const char *needle);
void remember_bucket(const char *name);
void forget_bucket(const char *name);
void check_entry(kvEntry *e, const char *key, kvOperation op, uint64_t rev, const char *value,
                 const char *where);
void expect_watch(kvWatcher *w, const char *key, kvOperation op, uint64_t rev, const char *value,
                  const char *where);
void expect_get(kvStore *kv, const char *key, uint64_t rev, const char *value);
void expect_not_found(kvStore *kv, const char *key);
kvEntry *next_entry(kvWatcher *w, const char *where);
void expect_marker(kvWatcher *w, const char *where);
void expect_quiet(kvWatcher *w, const char *where);
jsStreamInfo *stream_info(const char *bucket);
void expect_values(kvStore *kv, uint64_t want);
void keys_string(kvStore *kv, char *out, size_t n);
kvStore *create_bucket(kvConfig *cfg);

#endif
