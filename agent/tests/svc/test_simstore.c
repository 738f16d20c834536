/*
 * test_simstore.c — the persistent similarity index over the bilingual corpus, against a
 * private redis-server:
 *   - the resume copied with edits is found similar (with overlapping passages) while
 *     unrelated resumes stay below the threshold;
 *   - the index survives close/open (snapshot), deletion removes a document from memory, the
 *     snapshot and the stored texts before returning, and stays deleted after a reopen;
 *   - crash recovery: a tombstone left by an interrupted delete is completed at open, an add
 *     not yet covered by a snapshot is re-added, an unreadable snapshot is rebuilt from texts;
 *   - ids and parameters are validated.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "simstore.h"
#include "testutil.h"

static struct kc_test_redis srv;
static struct kc_redis *r;

static void start(void)
{
    kc_log_init("test", KC_LOG_ERROR, stderr);
    cr_assert_eq(kc_test_redis_start(&srv), 0, "redis-server did not start");
    struct kc_err err = {0};
    r = kc_redis_new(srv.url, 4, 5000, &err);
    cr_assert_not_null(r, "%s", err.message);
}

static void stop(void)
{
    kc_redis_free(r);
    kc_test_redis_stop(&srv);
}

TestSuite(simstore, .init = start, .fini = stop, .timeout = 120);

static char *corpus(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.txt", KC_AGENT_TEST_CORPUS, name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "missing corpus file %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static const char *const DOCS[] = {"r01_ko_backend_senior", "r02_ko_backend_junior",
                                   "r03_en_backend",        "r07_ko_designer",
                                   "r10_en_marketer",       "r13_ko_hr"};
#define N_DOCS (sizeof DOCS / sizeof *DOCS)

static struct kc_simstore *open_store(void)
{
    struct kc_err err = {0};
    struct kc_simstore *s = kc_simstore_open(r, &err);
    cr_assert_not_null(s, "%s", err.message);
    return s;
}

static void add_all(struct kc_simstore *s)
{
    struct kc_err err = {0};
    for (size_t i = 0; i < N_DOCS; i++) {
        size_t len;
        char *t = corpus(DOCS[i], &len);
        bool replaced = true;
        cr_assert_eq(kc_simstore_add(s, 100 + i, t, len, &replaced, &err), 0, "%s: %s", DOCS[i],
                     err.message);
        cr_assert(!replaced);
        free(t);
    }
}

static const json_t *hit_for(const json_t *res, json_int_t id)
{
    size_t i;
    const json_t *h;
    json_array_foreach(json_object_get(res, "hits"), i, h)
    {
        if (json_integer_value(json_object_get(h, "doc_id")) == id) return h;
    }
    return NULL;
}

static json_t *query_copied(struct kc_simstore *s)
{
    size_t len;
    char *t = corpus("r01_ko_backend_copied", &len);
    struct kc_err err = {0};
    json_t *res = kc_simstore_query(s, t, len, UINT64_MAX, 10, -1, &err);
    free(t);
    cr_assert_not_null(res, "%s", err.message);
    return res;
}

static long long redis_int(const char *fmt, const char *arg)
{
    struct kc_err err = {0};
    redisReply *rep = kc_redis_cmd(r, &err, fmt, arg);
    cr_assert_not_null(rep, "%s", err.message);
    long long v = rep->type == REDIS_REPLY_INTEGER ? rep->integer : -1;
    freeReplyObject(rep);
    return v;
}

Test(simstore, copied_resume_is_similar_unrelated_ones_are_not)
{
    struct kc_simstore *s = open_store();
    add_all(s);
    cr_assert_eq(kc_simstore_size(s), N_DOCS);
    json_t *res = query_copied(s);
    const json_t *orig = hit_for(res, 100);
    cr_assert_not_null(orig, "the original is not among the hits");
    cr_assert(json_is_true(json_object_get(orig, "similar")));
    double cos = json_real_value(json_object_get(json_object_get(orig, "cosine"), "value"));
    double thr = json_real_value(json_object_get(res, "threshold"));
    cr_assert_geq(cos, thr);
    cr_assert_gt(json_array_size(json_object_get(orig, "passages")), 0);
    size_t i;
    const json_t *h;
    json_array_foreach(json_object_get(res, "hits"), i, h)
    {
        if (json_integer_value(json_object_get(h, "doc_id")) != 100)
            cr_assert(json_is_false(json_object_get(h, "similar")), "doc %lld similar",
                      (long long)json_integer_value(json_object_get(h, "doc_id")));
    }
    json_decref(res);
    /* a stricter caller threshold above the cosine makes it not similar */
    size_t len;
    char *t = corpus("r01_ko_backend_copied", &len);
    struct kc_err err = {0};
    res = kc_simstore_query(s, t, len, UINT64_MAX, 10, cos + 0.001 > 1 ? 1 : cos + 0.001, &err);
    free(t);
    cr_assert(json_is_false(json_object_get(hit_for(res, 100), "similar")));
    json_decref(res);
    kc_simstore_close(s);
}

Test(simstore, persists_across_reopen_and_delete_is_everywhere)
{
    struct kc_simstore *s = open_store();
    add_all(s);
    kc_simstore_close(s); /* writes the snapshot */
    cr_assert_eq(redis_int("EXISTS %s", "kc:agent:simindex"), 1);
    cr_assert_eq(redis_int("SCARD %s", "kc:agent:simpending"), 0);

    s = open_store();
    cr_assert_eq(kc_simstore_size(s), N_DOCS);
    json_t *res = query_copied(s);
    cr_assert(json_is_true(json_object_get(hit_for(res, 100), "similar")));
    json_decref(res);

    struct kc_err err = {0};
    cr_assert_eq(kc_simstore_remove(s, 100, &err), 0, "%s", err.message);
    cr_assert_eq(kc_simstore_size(s), N_DOCS - 1);
    cr_assert_eq(redis_int("HEXISTS kc:agent:simtext %s", "100"), 0);
    cr_assert_eq(redis_int("SCARD %s", "kc:agent:simdeleted"), 0);
    res = query_copied(s);
    cr_assert_null(hit_for(res, 100));
    json_decref(res);
    cr_assert_eq(kc_simstore_remove(s, 100, &err), -1);
    cr_assert_eq(err.code, KC_E_NOT_FOUND);
    kc_simstore_close(s);

    s = open_store(); /* the deletion reached the snapshot */
    cr_assert_eq(kc_simstore_size(s), N_DOCS - 1);
    res = query_copied(s);
    cr_assert_null(hit_for(res, 100));
    json_decref(res);
    kc_simstore_close(s);
}

Test(simstore, replace_and_query_by_id)
{
    struct kc_simstore *s = open_store();
    add_all(s);
    size_t len;
    char *t = corpus("r01_ko_backend_copied", &len);
    struct kc_err err = {0};
    bool replaced = false;
    cr_assert_eq(kc_simstore_add(s, 105, t, len, &replaced, &err), 0, "%s", err.message);
    free(t);
    cr_assert(replaced);
    cr_assert_eq(kc_simstore_size(s), N_DOCS);
    json_t *res = kc_simstore_query_id(s, 105, 5, -1, &err);
    cr_assert_not_null(res, "%s", err.message);
    cr_assert_null(hit_for(res, 105), "a document is not similar to itself");
    cr_assert(json_is_true(json_object_get(hit_for(res, 100), "similar")));
    json_decref(res);
    cr_assert_null(kc_simstore_query_id(s, 999, 5, -1, &err));
    cr_assert_eq(err.code, KC_E_NOT_FOUND);
    kc_simstore_close(s);
}

Test(simstore, interrupted_operations_converge_at_open)
{
    struct kc_simstore *s = open_store();
    add_all(s);
    kc_simstore_close(s);
    struct kc_err err = {0};
    /* a delete interrupted after its tombstone, and an add that never reached a snapshot */
    redisReply *rep = kc_redis_cmd(r, &err, "SADD kc:agent:simdeleted 101");
    freeReplyObject(rep);
    size_t len;
    char *t = corpus("r14_en_backend_node", &len);
    rep = kc_redis_cmd(r, &err, "HSET kc:agent:simtext 200 %b", t, len);
    freeReplyObject(rep);
    free(t);
    rep = kc_redis_cmd(r, &err, "SADD kc:agent:simpending 200");
    freeReplyObject(rep);

    s = open_store();
    cr_assert_eq(kc_simstore_size(s), N_DOCS); /* -101 +200 */
    cr_assert_eq(redis_int("HEXISTS kc:agent:simtext %s", "101"), 0);
    cr_assert_eq(redis_int("SCARD %s", "kc:agent:simdeleted"), 0);
    json_t *res = kc_simstore_query_id(s, 200, 10, -1, &err);
    cr_assert_not_null(res, "%s", err.message);
    cr_assert_null(hit_for(res, 101));
    json_decref(res);
    kc_simstore_close(s);

    /* a corrupt snapshot is rebuilt from the texts */
    rep = kc_redis_cmd(r, &err, "SET kc:agent:simindex garbage");
    freeReplyObject(rep);
    s = open_store();
    cr_assert_eq(kc_simstore_size(s), N_DOCS);
    res = query_copied(s);
    cr_assert(json_is_true(json_object_get(hit_for(res, 100), "similar")));
    json_decref(res);
    kc_simstore_close(s);
}

Test(simstore, ids_and_parameters_are_validated)
{
    uint64_t id;
    struct kc_err err = {0};
    json_t *v = json_integer(42);
    cr_assert_eq(kc_simstore_parse_id(v, "doc_id", &id, &err), 0);
    cr_assert_eq(id, 42);
    json_decref(v);
    v = json_string("0012");
    cr_assert_eq(kc_simstore_parse_id(v, "doc_id", &id, &err), 0);
    cr_assert_eq(id, 12);
    json_decref(v);
    const char *bad[] = {"", "-1", "1e3", "12a", "12345678901234567890"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_assert_eq(kc_simstore_parse_id_str(bad[i], "doc_id", &id, &err), -1, "%s", bad[i]);
        cr_assert_str_eq(err.field, "doc_id");
    }
    v = json_real(1.5);
    cr_assert_eq(kc_simstore_parse_id(v, "doc_id", &id, &err), -1);
    json_decref(v);

    struct kc_simstore *s = open_store();
    cr_assert_null(kc_simstore_query(s, "hello world", 11, UINT64_MAX, 0, -1, &err));
    cr_assert_str_eq(err.field, "k");
    cr_assert_eq(kc_simstore_add(s, 1, "", 0, NULL, &err), -1);
    cr_assert_eq(err.code, KC_E_INVALID);
    cr_assert_eq(kc_simstore_add(s, 1, "\xff\xfe bad", 6, NULL, &err), -1);
    cr_assert_eq(err.code, KC_E_INVALID);
    kc_simstore_close(s);
}

Test(simstore, deferred_store_waits_for_redis)
{
    kc_test_redis_kill(&srv);
    struct kc_err err = {0};
    struct kc_simstore *s = kc_simstore_new(r, &err);
    cr_assert_not_null(s, "%s", err.message);
    cr_assert(!kc_simstore_loaded(s));
    cr_assert_eq(kc_simstore_tick(s, false, &err), -1);
    cr_assert_eq(err.code, KC_E_UNAVAILABLE, "%s", err.message);
    cr_assert_null(kc_simstore_query(s, "Java Spring", 11, UINT64_MAX, 5, -1, &err));
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);
    cr_assert(strstr(err.message, "similarity index not loaded"), "%s", err.message);
    cr_assert_eq(kc_simstore_size(s), 0);

    cr_assert_eq(kc_test_redis_restart(&srv), 0);
    int rc = -1;
    for (int i = 0; i < 50 && rc != 0; i++) { /* the pool backs off up to 2 s after failures */
        rc = kc_simstore_tick(s, false, &err);
        if (rc != 0) usleep(100 * 1000);
    }
    cr_assert_eq(rc, 0, "%s", err.message);
    cr_assert(kc_simstore_loaded(s));
    size_t len;
    char *t = corpus("r03_en_backend", &len);
    cr_assert_eq(kc_simstore_add(s, 9, t, len, NULL, &err), 0, "%s", err.message);
    free(t);
    cr_assert_eq(kc_simstore_size(s), 1);
    kc_simstore_close(s);
}
