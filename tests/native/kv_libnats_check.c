/* See kv_libnats_check.h. */
#include "kv_libnats_check.h"

natsConnection *g_nc;
jsCtx *g_js;
char g_buckets[MAX_BUCKETS][64];
int g_bucket_count;
const char *g_check = "startup";

void cleanup(void)
{
    for (int i = 0; i < g_bucket_count; i++) {
        if (g_js != NULL && g_buckets[i][0] != '\0')
            js_DeleteKeyValue(g_js, g_buckets[i]);
    }
    jsCtx_Destroy(g_js);
    natsConnection_Destroy(g_nc);
    g_js = NULL;
    g_nc = NULL;
}

void failf(int line, const char *fmt, ...)
{
    va_list ap;
    natsStatus last = NATS_OK;
    const char *text = nats_GetLastError(&last);

    fprintf(stdout, "FAIL [%s] (line %d): ", g_check, line);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fprintf(stdout, "\n     libnats last error: %s (%s)\n", text != NULL ? text : "none",
            natsStatus_GetText(last));
    fflush(stdout);
    cleanup();
    exit(1);
}

void ok(const char *fmt, ...)
{
    va_list ap;
    fprintf(stdout, "ok   [%s] ", g_check);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}




int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long) (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

const char *op_name(kvOperation op)
{
    switch (op) {
    case kvOp_Put: return "PUT";
    case kvOp_Delete: return "DEL";
    case kvOp_Purge: return "PURGE";
    default: return "UNKNOWN";
    }
}

bool last_error_contains(const char *needle)
{
    const char *text = nats_GetLastError(NULL);
    return text != NULL && strstr(text, needle) != NULL;
}

void remember_bucket(const char *name)
{
    if (g_bucket_count < MAX_BUCKETS)
        snprintf(g_buckets[g_bucket_count++], sizeof g_buckets[0], "%s", name);
}

void forget_bucket(const char *name)
{
    for (int i = 0; i < g_bucket_count; i++) {
        if (strcmp(g_buckets[i], name) == 0)
            g_buckets[i][0] = '\0';
    }
}

/* The entry's key, operation, revision and (unless value is NULL) value. */
void check_entry(kvEntry *e, const char *key, kvOperation op, uint64_t rev, const char *value,
                 const char *where)
{
    CHECK(e != NULL, "%s: no entry, want %s %s rev %llu", where, op_name(op), key, (unsigned long long) rev);
    CHECK(strcmp(kvEntry_Key(e), key) == 0 && kvEntry_Operation(e) == op && kvEntry_Revision(e) == rev,
          "%s: got %s %s rev %llu, want %s %s rev %llu", where, op_name(kvEntry_Operation(e)), kvEntry_Key(e),
          (unsigned long long) kvEntry_Revision(e), op_name(op), key, (unsigned long long) rev);
    if (value != NULL) {
        int len = kvEntry_ValueLen(e);
        CHECK(len == (int) strlen(value) && memcmp(kvEntry_Value(e), value, (size_t) len) == 0,
              "%s: %s rev %llu has value '%.*s' (%d bytes), want '%s'", where, key,
              (unsigned long long) rev, len, (const char *) kvEntry_Value(e), len, value);
    }
}

/* kvStore_Get must find `key` at `rev` with `value`. */
void expect_get(kvStore *kv, const char *key, uint64_t rev, const char *value)
{
    kvEntry *e = NULL;
    char what[128];
    snprintf(what, sizeof what, "kvStore_Get(%s)", key);
    EXPECT_OK(kvStore_Get(&e, kv, key), what);
    check_entry(e, key, kvOp_Put, rev, value, what);
    CHECK(strcmp(kvEntry_Bucket(e), kvStore_Bucket(kv)) == 0, "%s: bucket '%s', want '%s'", what,
          kvEntry_Bucket(e), kvStore_Bucket(kv));
    kvEntry_Destroy(e);
}

void expect_not_found(kvStore *kv, const char *key)
{
    kvEntry *e = NULL;
    char what[128];
    snprintf(what, sizeof what, "kvStore_Get(%s)", key);
    EXPECT_STATUS(kvStore_Get(&e, kv, key), NATS_NOT_FOUND, what);
    CHECK(e == NULL, "%s: entry set although not found", what);
}

kvEntry *next_entry(kvWatcher *w, const char *where)
{
    kvEntry *e = NULL;
    natsStatus s = kvWatcher_Next(&e, w, WATCH_WAIT_MS);
    CHECK(s == NATS_OK, "%s: kvWatcher_Next returned %s (%d) within %d ms", where, natsStatus_GetText(s), (int) s,
          WATCH_WAIT_MS);
    return e;
}

void expect_watch(kvWatcher *w, const char *key, kvOperation op, uint64_t rev, const char *value,
                  const char *where)
{
    kvEntry *e = next_entry(w, where);
    check_entry(e, key, op, rev, value, where);
    kvEntry_Destroy(e);
}

/* The NULL entry that ends the initial values. */
void expect_marker(kvWatcher *w, const char *where)
{
    kvEntry *e = next_entry(w, where);
    CHECK(e == NULL, "%s: got %s %s rev %llu, want the end-of-initial-values NULL entry", where,
          op_name(kvEntry_Operation(e)), kvEntry_Key(e), (unsigned long long) kvEntry_Revision(e));
}

void expect_quiet(kvWatcher *w, const char *where)
{
    kvEntry *e = NULL;
    natsStatus s = kvWatcher_Next(&e, w, QUIET_MS);
    CHECK(s == NATS_TIMEOUT, "%s: kvWatcher_Next returned %s (%s %s rev %llu), want NATS_TIMEOUT", where,
          natsStatus_GetText(s), e != NULL ? op_name(kvEntry_Operation(e)) : "-",
          e != NULL ? kvEntry_Key(e) : "NULL entry", e != NULL ? (unsigned long long) kvEntry_Revision(e) : 0ULL);
}

jsStreamInfo *stream_info(const char *bucket)
{
    char stream[80];
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    snprintf(stream, sizeof stream, "KV_%s", bucket);
    natsStatus s = js_GetStreamInfo(&si, g_js, stream, NULL, &jerr);
    CHECK(s == NATS_OK && si != NULL, "js_GetStreamInfo(%s) returned %s, jerr %d", stream, natsStatus_GetText(s),
          (int) jerr);
    return si;
}

void expect_values(kvStore *kv, uint64_t want)
{
    kvStatus *st = NULL;
    EXPECT_OK(kvStore_Status(&st, kv), "kvStore_Status");
    CHECK(kvStatus_Values(st) == want, "kvStatus_Values = %llu, want %llu", (unsigned long long) kvStatus_Values(st),
          (unsigned long long) want);
    kvStatus_Destroy(st);
}

/* The key list, sorted, joined with ','. */
void keys_string(kvStore *kv, char *out, size_t n)
{
    kvKeysList list = {0};
    EXPECT_OK(kvStore_Keys(&list, kv, NULL), "kvStore_Keys");
    /* insertion sort: the lists are tiny */
    for (int i = 1; i < list.Count; i++) {
        for (int j = i; j > 0 && strcmp(list.Keys[j - 1], list.Keys[j]) > 0; j--) {
            char *t = list.Keys[j];
            list.Keys[j] = list.Keys[j - 1];
            list.Keys[j - 1] = t;
        }
    }
    out[0] = '\0';
    for (int i = 0; i < list.Count; i++) {
        if (i > 0)
            strncat(out, ",", n - strlen(out) - 1);
        strncat(out, list.Keys[i], n - strlen(out) - 1);
    }
    kvKeysList_Destroy(&list);
}

kvStore *create_bucket(kvConfig *cfg)
{
    kvStore *kv = NULL;
    char what[128];
    snprintf(what, sizeof what, "js_CreateKeyValue(%s)", cfg->Bucket);
    remember_bucket(cfg->Bucket);
    EXPECT_OK(js_CreateKeyValue(&kv, g_js, cfg), what);
    CHECK(kv != NULL, "%s: no kvStore", what);
    return kv;
}

/* ------------------------------------------------------------------------- */
