/* The Key-Value store of a running server, driven through the official C
 * client libnats 3.4.1 the way a C user would drive it.
 *
 * Usage: kv_libnats_test nats://127.0.0.1:PORT
 *
 * Each check prints one line ("ok ..." or "FAIL ..."); the first failure
 * deletes the buckets made so far and exits 1. Every check passes against the
 * reference nats-server 2.9.10, so a failure elsewhere is the server's.
 *
 * libnats 3.4.1 has no object store API, no kvStore_KeysWithFilters and no
 * kvStatus_Bytes: stream bytes are read from js_GetStreamInfo instead. Its KV
 * calls report a server's JetStream error as NATS_ERR plus the description
 * in nats_GetLastError; the numeric code is checked through js_Publish on the
 * bucket's subject, which is what the KV calls publish to.
 */
#include "kv_libnats_check.h"

static void test_create_and_status(kvStore *kv, kvConfig *cfg)
{
    g_check = "create/status";
    kvStatus *st = NULL;
    EXPECT_OK(kvStore_Status(&st, kv), "kvStore_Status");
    CHECK(strcmp(kvStatus_Bucket(st), cfg->Bucket) == 0, "kvStatus_Bucket = %s", kvStatus_Bucket(st));
    CHECK(kvStatus_Values(st) == 0, "kvStatus_Values = %llu on an empty bucket",
          (unsigned long long) kvStatus_Values(st));
    CHECK(kvStatus_History(st) == 5, "kvStatus_History = %lld, want 5", (long long) kvStatus_History(st));
    CHECK(kvStatus_TTL(st) == 0, "kvStatus_TTL = %lld, want 0", (long long) kvStatus_TTL(st));
    CHECK(kvStatus_Replicas(st) == 1, "kvStatus_Replicas = %lld, want 1", (long long) kvStatus_Replicas(st));
    kvStatus_Destroy(st);
    ok("kvStore_Status: bucket %s, values 0, history 5, ttl 0, replicas 1", cfg->Bucket);

    /* The stream libnats asked for, as the server reports it back. */
    jsStreamInfo *si = stream_info(cfg->Bucket);
    jsStreamConfig *sc = si->Config;
    char subj[80];
    snprintf(subj, sizeof subj, "$KV.%s.>", cfg->Bucket);
    CHECK(sc->SubjectsLen == 1 && strcmp(sc->Subjects[0], subj) == 0, "stream subjects: %d, first %s",
          sc->SubjectsLen, sc->SubjectsLen > 0 ? sc->Subjects[0] : "-");
    CHECK(sc->Description != NULL && strcmp(sc->Description, cfg->Description) == 0, "stream description: %s",
          sc->Description != NULL ? sc->Description : "(none)");
    CHECK(sc->MaxMsgsPerSubject == 5, "max_msgs_per_subject = %lld", (long long) sc->MaxMsgsPerSubject);
    CHECK(sc->MaxMsgSize == cfg->MaxValueSize, "max_msg_size = %d", (int) sc->MaxMsgSize);
    CHECK(sc->MaxBytes == cfg->MaxBytes, "max_bytes = %lld", (long long) sc->MaxBytes);
    CHECK(sc->MaxAge == 0, "max_age = %lld", (long long) sc->MaxAge);
    CHECK(sc->Storage == js_FileStorage, "storage = %d, want file", (int) sc->Storage);
    CHECK(sc->Replicas == 1, "num_replicas = %lld", (long long) sc->Replicas);
    CHECK(sc->Discard == js_DiscardNew, "discard = %d, want new", (int) sc->Discard);
    CHECK(sc->AllowRollup && sc->DenyDelete && sc->AllowDirect,
          "allow_rollup_hdrs %d, deny_delete %d, allow_direct %d", sc->AllowRollup, sc->DenyDelete, sc->AllowDirect);
    CHECK(si->State.Msgs == 0 && si->State.Bytes == 0, "state msgs %llu bytes %llu",
          (unsigned long long) si->State.Msgs, (unsigned long long) si->State.Bytes);
    jsStreamInfo_Destroy(si);
    ok("stream KV_%s: subjects, description, per-subject history, limits, discard new, rollup, deny delete, direct",
       cfg->Bucket);

    /* The same config again is no change; a different one is refused. */
    kvStore *again = NULL;
    EXPECT_OK(js_CreateKeyValue(&again, g_js, cfg), "js_CreateKeyValue with the same config");
    kvStore_Destroy(again);
    kvConfig other = *cfg;
    other.History = 2;
    again = NULL;
    natsStatus s = js_CreateKeyValue(&again, g_js, &other);
    CHECK(s != NATS_OK && again == NULL, "js_CreateKeyValue with another history returned %s",
          natsStatus_GetText(s));
    ok("create again: same config OK, other config refused (%s: %s)", natsStatus_GetText(s), nats_GetLastError(NULL));

    /* Bind to the existing bucket; a missing one is not found. */
    kvStore *bound = NULL;
    EXPECT_OK(js_KeyValue(&bound, g_js, cfg->Bucket), "js_KeyValue(existing)");
    CHECK(strcmp(kvStore_Bucket(bound), cfg->Bucket) == 0, "kvStore_Bucket = %s", kvStore_Bucket(bound));
    kvStore_Destroy(bound);
    bound = NULL;
    char missing[80];
    snprintf(missing, sizeof missing, "%s_missing", cfg->Bucket);
    EXPECT_STATUS(js_KeyValue(&bound, g_js, missing), NATS_NOT_FOUND, "js_KeyValue(missing bucket)");
    ok("js_KeyValue binds to %s; a missing bucket is NATS_NOT_FOUND", cfg->Bucket);

    /* A stream named like a bucket but without per-subject history is no bucket. */
    char plain[80], stream[96], subject[96];
    snprintf(plain, sizeof plain, "%s_plain", cfg->Bucket);
    snprintf(stream, sizeof stream, "KV_%s", plain);
    snprintf(subject, sizeof subject, "%s.plain", cfg->Bucket);
    const char *subjects[] = {subject};
    jsStreamConfig psc;
    jsStreamInfo *psi = NULL;
    jsErrCode jerr = 0;
    jsStreamConfig_Init(&psc);
    psc.Name = stream;
    psc.Subjects = subjects;
    psc.SubjectsLen = 1;
    remember_bucket(plain);
    s = js_AddStream(&psi, g_js, &psc, NULL, &jerr);
    CHECK(s == NATS_OK, "js_AddStream(%s) returned %s, jerr %d", stream, natsStatus_GetText(s), (int) jerr);
    CHECK(psi->Config->MaxMsgsPerSubject == -1, "max_msgs_per_subject of a plain stream = %lld, want -1",
          (long long) psi->Config->MaxMsgsPerSubject);
    jsStreamInfo_Destroy(psi);
    bound = NULL;
    EXPECT_STATUS(js_KeyValue(&bound, g_js, plain), NATS_INVALID_ARG, "js_KeyValue(stream without history)");
    EXPECT_OK(js_DeleteKeyValue(g_js, plain), "js_DeleteKeyValue(plain stream)");
    forget_bucket(plain);
    ok("js_KeyValue on a plain stream %s is NATS_INVALID_ARG (%s)", stream, nats_GetLastError(NULL));
}

/* Revisions 1..8 of an empty bucket; `live` (a WatchAll started on it while
 * empty) must then report all eight operations in order. */
static void test_put_get_create_update_delete_purge(kvStore *kv, const char *bucket)
{
    g_check = "watch empty";
    kvWatcher *live = NULL;
    EXPECT_OK(kvStore_WatchAll(&live, kv, NULL), "kvStore_WatchAll(empty bucket)");
    expect_marker(live, "WatchAll on an empty bucket");
    ok("WatchAll on an empty bucket gives the NULL end-of-initial-values entry first");

    g_check = "put/get";
    uint64_t rev = 0;
    EXPECT_OK(kvStore_Put(&rev, kv, "k1", "v1", 2), "kvStore_Put(k1)");
    CHECK(rev == 1, "kvStore_Put(k1) revision %llu, want 1", (unsigned long long) rev);
    EXPECT_OK(kvStore_PutString(&rev, kv, "k1", "v2"), "kvStore_PutString(k1)");
    CHECK(rev == 2, "kvStore_PutString(k1) revision %llu, want 2", (unsigned long long) rev);
    expect_get(kv, "k1", 2, "v2");
    kvEntry *e = NULL;
    EXPECT_OK(kvStore_Get(&e, kv, "k1"), "kvStore_Get(k1)");
    int64_t created = kvEntry_Created(e), now = wall_ns();
    CHECK(created > now - 60LL * 1000000000 && created < now + 60LL * 1000000000,
          "kvEntry_Created = %lld ns, now %lld ns", (long long) created, (long long) now);
    CHECK(kvEntry_Delta(e) == 0, "kvEntry_Delta = %llu from kvStore_Get", (unsigned long long) kvEntry_Delta(e));
    kvEntry_Destroy(e);
    ok("Put/PutString revisions 1, 2; Get: value, revision 2, PUT, bucket, created time");

    e = NULL;
    EXPECT_OK(kvStore_GetRevision(&e, kv, "k1", 1), "kvStore_GetRevision(k1, 1)");
    check_entry(e, "k1", kvOp_Put, 1, "v1", "kvStore_GetRevision(k1, 1)");
    kvEntry_Destroy(e);
    e = NULL;
    EXPECT_STATUS(kvStore_GetRevision(&e, kv, "k1", 50), NATS_NOT_FOUND, "kvStore_GetRevision(k1, 50)");
    EXPECT_STATUS(kvStore_GetRevision(&e, kv, "k1", 0), NATS_INVALID_ARG, "kvStore_GetRevision(k1, 0)");
    expect_not_found(kv, "nokey");
    ok("GetRevision(k1, 1) = v1; revision 50 not found; missing key not found");

    g_check = "create/update";
    natsStatus s = kvStore_CreateString(&rev, kv, "k1", "c0");
    CHECK(s == NATS_ERR && last_error_contains("wrong last sequence"),
          "kvStore_Create on an existing key returned %s, want NATS_ERR with 'wrong last sequence: 2'",
          natsStatus_GetText(s));
    ok("Create(k1) on an existing key: %s '%s'", natsStatus_GetText(s), nats_GetLastError(NULL));
    EXPECT_OK(kvStore_CreateString(&rev, kv, "k2", "c1"), "kvStore_Create(k2)");
    CHECK(rev == 3, "kvStore_Create(k2) revision %llu, want 3", (unsigned long long) rev);
    EXPECT_OK(kvStore_UpdateString(&rev, kv, "k1", "v3", 2), "kvStore_Update(k1, last 2)");
    CHECK(rev == 4, "kvStore_Update(k1) revision %llu, want 4", (unsigned long long) rev);
    s = kvStore_UpdateString(&rev, kv, "k1", "v4", 2);
    CHECK(s == NATS_ERR && last_error_contains("wrong last sequence"),
          "kvStore_Update(k1, stale last 2) returned %s, want NATS_ERR with 'wrong last sequence: 4'",
          natsStatus_GetText(s));
    ok("Update(k1, stale revision 2): %s '%s'", natsStatus_GetText(s), nats_GetLastError(NULL));
    expect_get(kv, "k1", 4, "v3");

    /* The code behind it: publish to the key's subject as the KV calls do. */
    char subj[96];
    jsPubOptions po;
    jsPubAck *pa = NULL;
    jsErrCode jerr = 0;
    snprintf(subj, sizeof subj, "$KV.%s.k1", bucket);
    jsPubOptions_Init(&po);
    po.ExpectLastSubjectSeq = 2;
    s = js_Publish(&pa, g_js, subj, "v4", 2, &po, &jerr);
    CHECK(s == NATS_ERR && jerr == JSStreamWrongLastSequenceErr && pa == NULL,
          "js_Publish(%s, expected last subject seq 2) returned %s, jerr %d, want NATS_ERR, jerr 10071", subj,
          natsStatus_GetText(s), (int) jerr);
    jsPubOptions_Init(&po);
    po.ExpectNoMessage = true;
    jerr = 0;
    s = js_Publish(&pa, g_js, subj, "v4", 2, &po, &jerr);
    CHECK(s == NATS_ERR && jerr == JSStreamWrongLastSequenceErr,
          "js_Publish(%s, expect no message) returned %s, jerr %d, want NATS_ERR, jerr 10071", subj,
          natsStatus_GetText(s), (int) jerr);
    ok("js_Publish with a stale expected subject sequence: jerr %d", (int) jerr);

    EXPECT_OK(kvStore_UpdateString(&rev, kv, "k2", "c2", 3), "kvStore_Update(k2, last 3)");
    CHECK(rev == 5, "kvStore_Update(k2) revision %llu, want 5", (unsigned long long) rev);

    g_check = "delete";
    EXPECT_OK(kvStore_Delete(kv, "k2"), "kvStore_Delete(k2)");
    expect_not_found(kv, "k2");
    e = NULL;
    EXPECT_STATUS(kvStore_GetRevision(&e, kv, "k2", 6), NATS_NOT_FOUND, "kvStore_GetRevision(k2, 6 = delete)");
    EXPECT_OK(kvStore_GetRevision(&e, kv, "k2", 5), "kvStore_GetRevision(k2, 5)");
    check_entry(e, "k2", kvOp_Put, 5, "c2", "kvStore_GetRevision(k2, 5)");
    kvEntry_Destroy(e);
    kvEntryList hist = {0};
    EXPECT_OK(kvStore_History(&hist, kv, "k2", NULL), "kvStore_History(k2)");
    CHECK(hist.Count == 3, "kvStore_History(k2) has %d entries, want 3", hist.Count);
    check_entry(hist.Entries[0], "k2", kvOp_Put, 3, "c1", "History(k2)[0]");
    check_entry(hist.Entries[1], "k2", kvOp_Put, 5, "c2", "History(k2)[1]");
    check_entry(hist.Entries[2], "k2", kvOp_Delete, 6, "", "History(k2)[2]");
    kvEntryList_Destroy(&hist);
    ok("Delete(k2): Get is NATS_NOT_FOUND, revision 5 still readable, history PUT 3, PUT 5, DEL 6");
    EXPECT_OK(kvStore_CreateString(&rev, kv, "k2", "c3"), "kvStore_Create(k2) after delete");
    CHECK(rev == 7, "kvStore_Create(k2) after delete revision %llu, want 7", (unsigned long long) rev);
    expect_get(kv, "k2", 7, "c3");
    ok("Create(k2) after its delete succeeds at revision 7");

    g_check = "purge";
    EXPECT_OK(kvStore_Purge(kv, "k1", NULL), "kvStore_Purge(k1)");
    expect_not_found(kv, "k1");
    e = NULL;
    EXPECT_STATUS(kvStore_GetRevision(&e, kv, "k1", 4), NATS_NOT_FOUND, "kvStore_GetRevision(k1, 4) after purge");
    hist = (kvEntryList){0};
    EXPECT_OK(kvStore_History(&hist, kv, "k1", NULL), "kvStore_History(k1)");
    CHECK(hist.Count == 1, "kvStore_History(k1) after purge has %d entries, want 1", hist.Count);
    check_entry(hist.Entries[0], "k1", kvOp_Purge, 8, "", "History(k1)[0]");
    kvEntryList_Destroy(&hist);
    expect_values(kv, 5); /* k2: 3, 5, 6, 7; k1: 8 */
    ok("Purge(k1): older revisions gone, history is one PURGE at 8, 5 values left");

    g_check = "watch live";
    expect_watch(live, "k1", kvOp_Put, 1, "v1", "live watcher");
    expect_watch(live, "k1", kvOp_Put, 2, "v2", "live watcher");
    expect_watch(live, "k2", kvOp_Put, 3, "c1", "live watcher");
    expect_watch(live, "k1", kvOp_Put, 4, "v3", "live watcher");
    expect_watch(live, "k2", kvOp_Put, 5, "c2", "live watcher");
    expect_watch(live, "k2", kvOp_Delete, 6, "", "live watcher");
    expect_watch(live, "k2", kvOp_Put, 7, "c3", "live watcher");
    expect_watch(live, "k1", kvOp_Purge, 8, "", "live watcher");
    expect_quiet(live, "live watcher");
    EXPECT_OK(kvWatcher_Stop(live), "kvWatcher_Stop");
    e = NULL;
    EXPECT_STATUS(kvWatcher_Next(&e, live, 100), NATS_ILLEGAL_STATE, "kvWatcher_Next after Stop");
    kvWatcher_Destroy(live);
    ok("the watcher started on the empty bucket saw revisions 1..8 in order with their operations");
}

/* Revisions 9..19: keys and history. */
static void test_keys_and_history(kvStore *kv)
{
    g_check = "keys";
    uint64_t rev = 0;
    char keys[256];
    EXPECT_OK(kvStore_PutString(&rev, kv, "a.x", "x1"), "kvStore_PutString(a.x)");
    EXPECT_OK(kvStore_PutString(&rev, kv, "a.y", "y1"), "kvStore_PutString(a.y)");
    EXPECT_OK(kvStore_PutString(&rev, kv, "b.z", "z1"), "kvStore_PutString(b.z)");
    CHECK(rev == 11, "revision after three puts %llu, want 11", (unsigned long long) rev);
    keys_string(kv, keys, sizeof keys);
    CHECK(strcmp(keys, "a.x,a.y,b.z,k2") == 0, "kvStore_Keys = [%s], want [a.x,a.y,b.z,k2]", keys);
    EXPECT_OK(kvStore_Delete(kv, "b.z"), "kvStore_Delete(b.z)"); /* 12 */
    keys_string(kv, keys, sizeof keys);
    CHECK(strcmp(keys, "a.x,a.y,k2") == 0, "kvStore_Keys after Delete(b.z) = [%s], want [a.x,a.y,k2]", keys);
    ok("Keys leaves out purged k1 and deleted b.z: [%s]", keys);

    g_check = "history";
    for (int i = 1; i <= 7; i++) {
        char v[8];
        snprintf(v, sizeof v, "h%d", i);
        EXPECT_OK(kvStore_PutString(&rev, kv, "h", v), "kvStore_PutString(h)");
    }
    CHECK(rev == 19, "revision after seven puts of h %llu, want 19", (unsigned long long) rev);
    kvEntryList hist = {0};
    EXPECT_OK(kvStore_History(&hist, kv, "h", NULL), "kvStore_History(h)");
    CHECK(hist.Count == 5, "kvStore_History(h) has %d entries, want 5 (history 5)", hist.Count);
    for (int i = 0; i < 5; i++) {
        char v[8];
        snprintf(v, sizeof v, "h%d", i + 3);
        check_entry(hist.Entries[i], "h", kvOp_Put, (uint64_t) (15 + i), v, "History(h)");
    }
    kvEntryList_Destroy(&hist);
    hist = (kvEntryList){0};
    EXPECT_STATUS(kvStore_History(&hist, kv, "nokey", NULL), NATS_NOT_FOUND, "kvStore_History(nokey)");
    kvEntry *e = NULL;
    EXPECT_STATUS(kvStore_GetRevision(&e, kv, "h", 14), NATS_NOT_FOUND, "kvStore_GetRevision(h, 14) past history");
    expect_values(kv, 14);
    jsStreamInfo *si = stream_info(kvStore_Bucket(kv));
    CHECK(si->State.Msgs == 14 && si->State.FirstSeq == 3 && si->State.LastSeq == 19 && si->State.Bytes > 0,
          "stream state msgs %llu first %llu last %llu bytes %llu, want 14, 3, 19, > 0",
          (unsigned long long) si->State.Msgs, (unsigned long long) si->State.FirstSeq,
          (unsigned long long) si->State.LastSeq, (unsigned long long) si->State.Bytes);
    jsStreamInfo_Destroy(si);
    ok("seven puts of h keep the last five (revisions 15..19); 14 values in the bucket");
}

/* Revisions 20..25: watchers with and without options. */
static void test_watch(kvStore *kv)
{
    uint64_t rev = 0;
    kvWatcher *w = NULL;

    g_check = "watch all";
    EXPECT_OK(kvStore_WatchAll(&w, kv, NULL), "kvStore_WatchAll");
    /* The last entry of each key, in stream order, deletes and purges included. */
    const char *keys[] = {"k2", "k1", "a.x", "a.y", "b.z", "h"};
    const kvOperation ops[] = {kvOp_Put, kvOp_Purge, kvOp_Put, kvOp_Put, kvOp_Delete, kvOp_Put};
    const uint64_t revs[] = {7, 8, 9, 10, 12, 19};
    const char *vals[] = {"c3", "", "x1", "y1", "", "h7"};
    for (int i = 0; i < 6; i++) {
        kvEntry *e = next_entry(w, "WatchAll initial values");
        check_entry(e, keys[i], ops[i], revs[i], vals[i], "WatchAll initial values");
        CHECK(kvEntry_Delta(e) == (uint64_t) (5 - i), "WatchAll initial %s: delta %llu, want %d", keys[i],
              (unsigned long long) kvEntry_Delta(e), 5 - i);
        kvEntry_Destroy(e);
    }
    expect_marker(w, "WatchAll after the initial values");
    EXPECT_OK(kvStore_PutString(&rev, kv, "a.x", "x2"), "kvStore_PutString(a.x)"); /* 20 */
    EXPECT_OK(kvStore_Delete(kv, "a.y"), "kvStore_Delete(a.y)");                    /* 21 */
    expect_watch(w, "a.x", kvOp_Put, 20, "x2", "WatchAll live");
    expect_watch(w, "a.y", kvOp_Delete, 21, "", "WatchAll live");
    expect_quiet(w, "WatchAll live");
    kvWatcher_Destroy(w);
    ok("WatchAll: 6 initial entries (deltas 5..0) in stream order, NULL, then PUT a.x 20, DEL a.y 21");

    g_check = "watch wildcard";
    kvWatchOptions o;
    kvWatchOptions_Init(&o);
    o.IgnoreDeletes = true;
    w = NULL;
    EXPECT_OK(kvStore_Watch(&w, kv, "a.*", &o), "kvStore_Watch(a.*, IgnoreDeletes)");
    expect_watch(w, "a.x", kvOp_Put, 20, "x2", "Watch(a.*) initial");
    expect_marker(w, "Watch(a.*) after the initial values");
    EXPECT_OK(kvStore_PutString(&rev, kv, "b.q", "q1"), "kvStore_PutString(b.q)"); /* 22 */
    EXPECT_OK(kvStore_Delete(kv, "a.x"), "kvStore_Delete(a.x)");                  /* 23 */
    EXPECT_OK(kvStore_PutString(&rev, kv, "a.w", "w1"), "kvStore_PutString(a.w)"); /* 24 */
    expect_watch(w, "a.w", kvOp_Put, 24, "w1", "Watch(a.*) live");
    expect_quiet(w, "Watch(a.*) live");
    kvWatcher_Destroy(w);
    ok("Watch(a.*, IgnoreDeletes): a.x, NULL, then only PUT a.w 24 (not b.q, not the delete of a.x)");

    w = NULL;
    EXPECT_OK(kvStore_Watch(&w, kv, "a.>", NULL), "kvStore_Watch(a.>)");
    expect_watch(w, "a.y", kvOp_Delete, 21, "", "Watch(a.>) initial");
    expect_watch(w, "a.x", kvOp_Delete, 23, "", "Watch(a.>) initial");
    expect_watch(w, "a.w", kvOp_Put, 24, "w1", "Watch(a.>) initial");
    expect_marker(w, "Watch(a.>) after the initial values");
    kvWatcher_Destroy(w);
    ok("Watch(a.>): DEL a.y 21, DEL a.x 23, PUT a.w 24, NULL");

    g_check = "watch history";
    kvWatchOptions_Init(&o);
    o.IncludeHistory = true;
    w = NULL;
    EXPECT_OK(kvStore_Watch(&w, kv, "h", &o), "kvStore_Watch(h, IncludeHistory)");
    for (int i = 3; i <= 7; i++) {
        char v[8];
        snprintf(v, sizeof v, "h%d", i);
        expect_watch(w, "h", kvOp_Put, (uint64_t) (12 + i), v, "Watch(h, IncludeHistory) initial");
    }
    expect_marker(w, "Watch(h, IncludeHistory) after the initial values");
    EXPECT_OK(kvStore_PutString(&rev, kv, "h", "h8"), "kvStore_PutString(h)"); /* 25 */
    expect_watch(w, "h", kvOp_Put, 25, "h8", "Watch(h, IncludeHistory) live");
    expect_quiet(w, "Watch(h, IncludeHistory) live");
    kvWatcher_Destroy(w);
    ok("Watch(h, IncludeHistory): revisions 15..19, NULL, then 25");

    g_check = "watch meta only";
    kvWatchOptions_Init(&o);
    o.MetaOnly = true;
    w = NULL;
    EXPECT_OK(kvStore_WatchAll(&w, kv, &o), "kvStore_WatchAll(MetaOnly)");
    const char *mkeys[] = {"k2", "k1", "b.z", "a.y", "b.q", "a.x", "a.w", "h"};
    const kvOperation mops[] = {kvOp_Put, kvOp_Purge, kvOp_Delete, kvOp_Delete,
                                kvOp_Put, kvOp_Delete, kvOp_Put, kvOp_Put};
    const uint64_t mrevs[] = {7, 8, 12, 21, 22, 23, 24, 25};
    for (int i = 0; i < 8; i++)
        expect_watch(w, mkeys[i], mops[i], mrevs[i], "", "WatchAll(MetaOnly) initial");
    expect_marker(w, "WatchAll(MetaOnly) after the initial values");
    EXPECT_OK(kvStore_PutString(&rev, kv, "b.q", "q2"), "kvStore_PutString(b.q)"); /* 26 */
    expect_watch(w, "b.q", kvOp_Put, 26, "", "WatchAll(MetaOnly) live");
    kvWatcher_Destroy(w);
    ok("WatchAll(MetaOnly): 8 entries without values, NULL, then PUT b.q 26 without its value");
}

static void test_bad_input(kvStore *kv, kvConfig *cfg)
{
    g_check = "bad input";
    kvStore *bad = NULL;
    kvConfig c;
    const char *bad_buckets[] = {"bad.name", "bad name", "bad*", "bad>", ""};
    for (size_t i = 0; i < sizeof bad_buckets / sizeof bad_buckets[0]; i++) {
        kvConfig_Init(&c);
        c.Bucket = bad_buckets[i];
        EXPECT_STATUS(js_CreateKeyValue(&bad, g_js, &c), NATS_INVALID_ARG, "js_CreateKeyValue(invalid bucket)");
        EXPECT_STATUS(js_KeyValue(&bad, g_js, bad_buckets[i]), NATS_INVALID_ARG, "js_KeyValue(invalid bucket)");
    }
    kvConfig_Init(&c);
    c.Bucket = "toolonghistory";
    c.History = 65;
    EXPECT_STATUS(js_CreateKeyValue(&bad, g_js, &c), NATS_INVALID_ARG, "js_CreateKeyValue(history 65)");
    ok("invalid bucket names and history 65 are NATS_INVALID_ARG");

    const char *bad_keys[] = {"", "bad key", ".a", "a.", "a..b", "a*", ">", "a.>", "k\t"};
    uint64_t rev = 0;
    kvEntry *e = NULL;
    for (size_t i = 0; i < sizeof bad_keys / sizeof bad_keys[0]; i++) {
        EXPECT_STATUS(kvStore_PutString(&rev, kv, bad_keys[i], "v"), NATS_INVALID_ARG, "kvStore_PutString(invalid key)");
        EXPECT_STATUS(kvStore_Get(&e, kv, bad_keys[i]), NATS_INVALID_ARG, "kvStore_Get(invalid key)");
        EXPECT_STATUS(kvStore_Delete(kv, bad_keys[i]), NATS_INVALID_ARG, "kvStore_Delete(invalid key)");
    }
    ok("invalid keys are NATS_INVALID_ARG for Put, Get and Delete");

    /* One byte over max_value_size is refused and k2 keeps revision 7. */
    char big[512];
    int len = cfg->MaxValueSize + 1;
    memset(big, 'x', sizeof big);
    natsStatus s = kvStore_Put(&rev, kv, "k2", big, len);
    CHECK(s == NATS_ERR && last_error_contains("message size exceeds maximum allowed"),
          "kvStore_Put of %d bytes (max %d) returned %s, want NATS_ERR 'message size exceeds maximum allowed'", len,
          (int) cfg->MaxValueSize, natsStatus_GetText(s));
    ok("Put of %d bytes over max_value_size %d: %s '%s'", len, (int) cfg->MaxValueSize, natsStatus_GetText(s),
       nats_GetLastError(NULL));
    expect_get(kv, "k2", 7, "c3");
    EXPECT_OK(kvStore_Put(&rev, kv, "big", big, cfg->MaxValueSize), "kvStore_Put of exactly max_value_size");
    CHECK(rev == 27, "revision of the max-size put %llu, want 27", (unsigned long long) rev);

    char subj[96];
    jsPubAck *pa = NULL;
    jsErrCode jerr = 0;
    snprintf(subj, sizeof subj, "$KV.%s.k2", cfg->Bucket);
    s = js_Publish(&pa, g_js, subj, big, len, NULL, &jerr);
    CHECK(s == NATS_ERR && jerr == JSStreamMessageExceedsMaximumErr,
          "js_Publish(%s, %d bytes) returned %s, jerr %d, want NATS_ERR, jerr 10054", subj, len,
          natsStatus_GetText(s), (int) jerr);
    expect_get(kv, "k2", 7, "c3");
    ok("k2 unchanged at revision 7; exactly max_value_size accepted; the code is %d", (int) jerr);
}

static void test_ttl(const char *bucket)
{
    g_check = "ttl";
    kvConfig c;
    kvConfig_Init(&c);
    c.Bucket = bucket;
    c.TTL = 1500LL * 1000000; /* nanoseconds, like the stream's max_age */
    c.StorageType = js_MemoryStorage;
    kvStore *kv = create_bucket(&c);
    kvStatus *st = NULL;
    EXPECT_OK(kvStore_Status(&st, kv), "kvStore_Status");
    CHECK(kvStatus_TTL(st) == c.TTL, "kvStatus_TTL = %lld, want %lld", (long long) kvStatus_TTL(st),
          (long long) c.TTL);
    CHECK(kvStatus_History(st) == 1, "kvStatus_History = %lld, want 1", (long long) kvStatus_History(st));
    kvStatus_Destroy(st);
    kvKeysList list = {0};
    EXPECT_OK(kvStore_Keys(&list, kv, NULL), "kvStore_Keys on an empty bucket");
    CHECK(list.Count == 0, "kvStore_Keys on an empty bucket gave %d keys", list.Count);
    kvKeysList_Destroy(&list);
    ok("TTL bucket %s: kvStatus_TTL 1.5 s, history 1; Keys on it is an empty list", bucket);

    uint64_t rev = 0;
    EXPECT_OK(kvStore_PutString(&rev, kv, "e", "val"), "kvStore_PutString(e)");
    int64_t put_ms = now_ms();
    expect_get(kv, "e", 1, "val");
    /* A memory stream counts subject + headers + data + 16 bytes a message. */
    jsStreamInfo *si = stream_info(bucket);
    uint64_t want_bytes = strlen("$KV..e") + strlen(bucket) + 3 + 16;
    CHECK(si->Config->Storage == js_MemoryStorage && si->Config->MaxAge == c.TTL,
          "stream storage %d max_age %lld", (int) si->Config->Storage, (long long) si->Config->MaxAge);
    CHECK(si->State.Msgs == 1 && si->State.Bytes == want_bytes, "stream msgs %llu bytes %llu, want 1, %llu",
          (unsigned long long) si->State.Msgs, (unsigned long long) si->State.Bytes,
          (unsigned long long) want_bytes);
    jsStreamInfo_Destroy(si);
    ok("put e; stream bytes %llu", (unsigned long long) want_bytes);

    int64_t gone_ms = -1;
    while (now_ms() - put_ms < 8000) {
        kvEntry *e = NULL;
        natsStatus s = kvStore_Get(&e, kv, "e");
        if (s == NATS_NOT_FOUND) {
            gone_ms = now_ms() - put_ms;
            break;
        }
        CHECK(s == NATS_OK, "kvStore_Get(e) while waiting for expiry returned %s", natsStatus_GetText(s));
        kvEntry_Destroy(e);
        sleep_ms(100);
    }
    CHECK(gone_ms >= 0, "e still there 8 s after its put (ttl 1.5 s)");
    CHECK(gone_ms >= 1000, "e gone after %lld ms, before its ttl of 1.5 s", (long long) gone_ms);
    expect_values(kv, 0);
    list = (kvKeysList){0};
    EXPECT_OK(kvStore_Keys(&list, kv, NULL), "kvStore_Keys after expiry");
    CHECK(list.Count == 0, "kvStore_Keys after expiry gave %d keys, first %s", list.Count,
          list.Count > 0 ? list.Keys[0] : "-");
    kvKeysList_Destroy(&list);
    ok("e expired %lld ms after its put; no values, no keys", (long long) gone_ms);

    EXPECT_OK(kvStore_PutString(&rev, kv, "e", "again"), "kvStore_PutString(e) after expiry");
    CHECK(rev == 2, "revision after expiry %llu, want 2", (unsigned long long) rev);
    expect_get(kv, "e", 2, "again");
    kvStore_Destroy(kv);
    ok("a new put after expiry continues at revision 2");
}

static void test_max_bytes(const char *bucket)
{
    g_check = "max bytes";
    kvConfig c;
    kvConfig_Init(&c);
    c.Bucket = bucket;
    c.MaxBytes = 1024;
    c.History = 1;
    kvStore *kv = create_bucket(&c);
    char value[100];
    memset(value, 'm', sizeof value);
    int stored = 0;
    natsStatus s = NATS_OK;
    for (int i = 0; i < 30 && s == NATS_OK; i++) {
        char key[16];
        uint64_t rev = 0;
        snprintf(key, sizeof key, "m%d", i);
        s = kvStore_Put(&rev, kv, key, value, (int) sizeof value);
        if (s == NATS_OK)
            stored++;
    }
    CHECK(s == NATS_ERR && last_error_contains("maximum bytes exceeded") && stored >= 3 && stored < 30,
          "100-byte puts into a 1024-byte bucket: %d stored, then %s, want NATS_ERR 'maximum bytes exceeded'",
          stored, natsStatus_GetText(s));
    ok("%d puts of 100 bytes fit in 1024 bytes, then %s '%s'", stored, natsStatus_GetText(s), nats_GetLastError(NULL));
    kvEntry *e = NULL;
    EXPECT_OK(kvStore_Get(&e, kv, "m0"), "kvStore_Get(m0)");
    kvEntry_Destroy(e);
    jsStreamInfo *si = stream_info(bucket);
    /* A file stream counts 22 + subject + data + 8 bytes a message without headers. */
    uint64_t want_bytes = (uint64_t) stored * (22 + strlen("$KV..m0") + strlen(bucket) + sizeof value + 8);
    CHECK(si->State.Msgs == (uint64_t) stored && si->State.Bytes == want_bytes && want_bytes <= 1024,
          "stream msgs %llu bytes %llu, want %d, %llu", (unsigned long long) si->State.Msgs,
          (unsigned long long) si->State.Bytes, stored, (unsigned long long) want_bytes);
    jsStreamInfo_Destroy(si);
    kvStore_Destroy(kv);
    ok("discard new kept the first values (m0 readable), stream bytes within max_bytes");
}

/* Markers left by Delete and Purge: k1 (PURGE 8), b.z (PUT 11, DEL 12),
 * a.y (PUT 10, DEL 21), a.x (PUT 9, PUT 20, DEL 23). */
static void test_purge_deletes(kvStore *kv)
{
    g_check = "purge deletes";
    kvStatus *st = NULL;
    EXPECT_OK(kvStore_Status(&st, kv), "kvStore_Status");
    uint64_t before = kvStatus_Values(st);
    kvStatus_Destroy(st);

    /* By default markers younger than 30 minutes stay; what is under them goes. */
    EXPECT_OK(kvStore_PurgeDeletes(kv, NULL), "kvStore_PurgeDeletes(default)");
    expect_values(kv, before - 4);
    kvEntryList hist = {0};
    EXPECT_OK(kvStore_History(&hist, kv, "a.x", NULL), "kvStore_History(a.x)");
    CHECK(hist.Count == 1, "kvStore_History(a.x) has %d entries, want the DEL marker only", hist.Count);
    check_entry(hist.Entries[0], "a.x", kvOp_Delete, 23, "", "History(a.x)[0]");
    kvEntryList_Destroy(&hist);
    ok("PurgeDeletes(default): 4 values under recent markers removed, the markers kept");

    kvPurgeOptions po;
    kvPurgeOptions_Init(&po);
    po.DeleteMarkersOlderThan = -1;
    EXPECT_OK(kvStore_PurgeDeletes(kv, &po), "kvStore_PurgeDeletes(all markers)");
    expect_values(kv, before - 8);
    hist = (kvEntryList){0};
    EXPECT_STATUS(kvStore_History(&hist, kv, "a.x", NULL), NATS_NOT_FOUND, "kvStore_History(a.x) after PurgeDeletes");
    kvWatcher *w = NULL;
    EXPECT_OK(kvStore_Watch(&w, kv, "*.*", NULL), "kvStore_Watch(*.*)");
    expect_watch(w, "a.w", kvOp_Put, 24, "w1", "Watch(*.*) after PurgeDeletes");
    expect_watch(w, "b.q", kvOp_Put, 26, "q2", "Watch(*.*) after PurgeDeletes");
    expect_marker(w, "Watch(*.*) after PurgeDeletes");
    kvWatcher_Destroy(w);
    char keys[256];
    keys_string(kv, keys, sizeof keys);
    CHECK(strcmp(keys, "a.w,b.q,big,h,k2") == 0, "kvStore_Keys = [%s], want [a.w,b.q,big,h,k2]", keys);
    ok("PurgeDeletes(older than -1): all 4 markers gone; Watch(*.*) sees a.w 24, b.q 26; keys [%s]", keys);
}

#define MANY_KEYS 1000
#define MANY_VALUE_BYTES 1000

/* Enough initial values (about 1 MB) for the ordered consumer behind a
 * watcher to need flow control; an empty value is a value, not a delete. */
static void test_many_keys(const char *bucket)
{
    g_check = "many keys";
    kvConfig c;
    kvConfig_Init(&c);
    c.Bucket = bucket;
    kvStore *kv = create_bucket(&c);
    char value[MANY_VALUE_BYTES + 1];
    uint64_t rev = 0;
    for (int i = 0; i < MANY_KEYS; i++) {
        char key[16];
        snprintf(key, sizeof key, "m%04d", i);
        memset(value, 'a' + i % 26, MANY_VALUE_BYTES);
        value[MANY_VALUE_BYTES] = '\0';
        EXPECT_OK(kvStore_PutString(&rev, kv, key, value), "kvStore_PutString(mNNNN)");
    }
    EXPECT_OK(kvStore_PutString(&rev, kv, "empty", ""), "kvStore_PutString(empty, \"\")");
    CHECK(rev == MANY_KEYS + 1, "revision of the last put %llu, want %d", (unsigned long long) rev, MANY_KEYS + 1);
    expect_get(kv, "empty", MANY_KEYS + 1, "");
    ok("%d puts of %d bytes, then an empty value at revision %d that Get returns as a PUT", MANY_KEYS,
       MANY_VALUE_BYTES, MANY_KEYS + 1);

    kvKeysList list = {0};
    EXPECT_OK(kvStore_Keys(&list, kv, NULL), "kvStore_Keys");
    CHECK(list.Count == MANY_KEYS + 1, "kvStore_Keys gave %d keys, want %d", list.Count, MANY_KEYS + 1);
    kvKeysList_Destroy(&list);

    kvWatcher *w = NULL;
    EXPECT_OK(kvStore_WatchAll(&w, kv, NULL), "kvStore_WatchAll");
    for (int i = 0; i < MANY_KEYS; i++) {
        char key[16];
        snprintf(key, sizeof key, "m%04d", i);
        memset(value, 'a' + i % 26, MANY_VALUE_BYTES);
        value[MANY_VALUE_BYTES] = '\0';
        kvEntry *e = next_entry(w, "WatchAll over many keys");
        check_entry(e, key, kvOp_Put, (uint64_t) i + 1, value, "WatchAll over many keys");
        CHECK(kvEntry_Delta(e) == (uint64_t) (MANY_KEYS - i), "WatchAll %s: delta %llu, want %d", key,
              (unsigned long long) kvEntry_Delta(e), MANY_KEYS - i);
        kvEntry_Destroy(e);
    }
    expect_watch(w, "empty", kvOp_Put, MANY_KEYS + 1, "", "WatchAll over many keys");
    expect_marker(w, "WatchAll over many keys");
    EXPECT_OK(kvStore_PutString(&rev, kv, "m0000", "last"), "kvStore_PutString(m0000)");
    expect_watch(w, "m0000", kvOp_Put, MANY_KEYS + 2, "last", "WatchAll over many keys, live");
    kvWatcher_Destroy(w);
    kvStore_Destroy(kv);
    ok("Keys has %d keys; WatchAll delivers all %d in order (deltas 1000..1, then empty), NULL, then a live put", MANY_KEYS + 1,
       MANY_KEYS + 1);
}

static void test_delete_buckets(kvStore *kv, const char *names[], int n)
{
    g_check = "delete bucket";
    for (int i = 0; i < n; i++) {
        EXPECT_OK(js_DeleteKeyValue(g_js, names[i]), "js_DeleteKeyValue");
        forget_bucket(names[i]);
        kvStore *gone = NULL;
        EXPECT_STATUS(js_KeyValue(&gone, g_js, names[i]), NATS_NOT_FOUND, "js_KeyValue after js_DeleteKeyValue");
    }
    EXPECT_STATUS(js_DeleteKeyValue(g_js, names[0]), NATS_NOT_FOUND, "js_DeleteKeyValue of a deleted bucket");
    uint64_t rev = 0;
    natsStatus s = kvStore_PutString(&rev, kv, "k2", "orphan");
    CHECK(s == NATS_NO_RESPONDERS, "kvStore_PutString into a deleted bucket returned %s, want NATS_NO_RESPONDERS",
          natsStatus_GetText(s));
    kvEntry *e = NULL;
    s = kvStore_Get(&e, kv, "k2");
    CHECK(s != NATS_OK, "kvStore_Get from a deleted bucket returned NATS_OK");
    ok("deleted %d buckets; binding again is NATS_NOT_FOUND, deleting again NATS_NOT_FOUND, put NO_RESPONDERS", n);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s nats://HOST:PORT\n", argv[0]);
        return 2;
    }
    natsOptions *opts = NULL;
    EXPECT_OK(natsOptions_Create(&opts), "natsOptions_Create");
    EXPECT_OK(natsOptions_SetURL(opts, argv[1]), "natsOptions_SetURL");
    EXPECT_OK(natsOptions_SetTimeout(opts, 5000), "natsOptions_SetTimeout");
    EXPECT_OK(natsOptions_SetMaxReconnect(opts, 0), "natsOptions_SetMaxReconnect");
    EXPECT_OK(natsConnection_Connect(&g_nc, opts), "natsConnection_Connect");
    natsOptions_Destroy(opts);
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = 5000;
    EXPECT_OK(natsConnection_JetStream(&g_js, g_nc, &jo), "natsConnection_JetStream");
    printf("libnats %s against %s\n", nats_GetVersion(), argv[1]);

    char main_bucket[64], ttl_bucket[64], bytes_bucket[64], many_bucket[64];
    unsigned long tag = ((unsigned long) time(NULL) << 8) ^ (unsigned long) getpid();
    snprintf(main_bucket, sizeof main_bucket, "LIBNATS_KV_%lx", tag);
    snprintf(ttl_bucket, sizeof ttl_bucket, "LIBNATS_TTL_%lx", tag);
    snprintf(bytes_bucket, sizeof bytes_bucket, "LIBNATS_BYTES_%lx", tag);
    snprintf(many_bucket, sizeof many_bucket, "LIBNATS_MANY_%lx", tag);

    kvConfig cfg;
    kvConfig_Init(&cfg);
    cfg.Bucket = main_bucket;
    cfg.Description = "libnats kv test bucket";
    cfg.History = 5;
    cfg.MaxValueSize = 128;
    cfg.MaxBytes = 1024 * 1024;
    cfg.StorageType = js_FileStorage;
    cfg.Replicas = 1;
    g_check = "create/status";
    kvStore *kv = create_bucket(&cfg);

    test_create_and_status(kv, &cfg);
    test_put_get_create_update_delete_purge(kv, main_bucket);
    test_keys_and_history(kv);
    test_watch(kv);
    test_bad_input(kv, &cfg);
    test_ttl(ttl_bucket);
    test_max_bytes(bytes_bucket);
    test_purge_deletes(kv);
    test_many_keys(many_bucket);
    const char *names[] = {main_bucket, ttl_bucket, bytes_bucket, many_bucket};
    test_delete_buckets(kv, names, 4);

    kvStore_Destroy(kv);
    cleanup();
    nats_Close();
    printf("PASS: all KV checks\n");
    return 0;
}
