/*
 * simstore.c — the persistent similarity index (Redis layout and crash rules in simstore.h).
 *
 * Locks: `lock` (rwlock) guards the index: queries read, add/remove write. `save_mu`
 * serialises snapshot writes. Loading (snapshot, then interrupted deletes and adds) happens
 * once, under `load_mu`, before `loaded` is set: every public operation first makes sure it
 * happened (ensure_loaded), so a service that started while Redis was down loads the index
 * on the first use or tick after Redis is back, and answers KC_E_UNAVAILABLE until then. The list
 * of ids added since the last snapshot (`pending`) is changed only under the write lock and swapped
 * out under the read lock together with the serialisation, so a snapshot and the ids it covers
 * always agree.
 */
#include "simstore.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "text/sim.h"

#define KEY_TEXT    "kc:agent:simtext"
#define KEY_INDEX   "kc:agent:simindex"
#define KEY_PENDING "kc:agent:simpending"
#define KEY_DELETED "kc:agent:simdeleted"

struct kc_simstore {
    struct kc_redis *r;
    pthread_rwlock_t lock;
    pthread_mutex_t save_mu;
    pthread_mutex_t load_mu; /* held while loading; `loaded` is set once, after the load */
    atomic_int loaded;
    struct kc_sim_index *ix;
    uint64_t *pending; /* ids added since the last snapshot */
    size_t n_pending, cap_pending;
    long long dirty_since_ms; /* 0 = snapshot current */
};

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- ids ---------------------------------------------------------------------------------- */

int kc_simstore_parse_id_str(const char *s, const char *field, uint64_t *id, struct kc_err *err)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 19 || strspn(s, "0123456789") != n)
        return kc_err_field(err, KC_E_INVALID, field, "%s: a document id is 1 to 19 decimal digits",
                            field);
    *id = strtoull(s, NULL, 10);
    return 0;
}

int kc_simstore_parse_id(const json_t *v, const char *field, uint64_t *id, struct kc_err *err)
{
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *id = (uint64_t)json_integer_value(v);
        return 0;
    }
    if (json_is_string(v)) return kc_simstore_parse_id_str(json_string_value(v), field, id, err);
    return kc_err_field(err, KC_E_INVALID, field,
                        "%s: required, a non-negative integer or a string of digits", field);
}

/* ---- Redis helpers ------------------------------------------------------------------------ */

static int cmd_ok(struct kc_simstore *s, struct kc_err *err, const char *fmt, uint64_t id)
{
    redisReply *rep = kc_redis_cmd(s->r, err, fmt, (unsigned long long)id);
    if (!rep) return -1;
    freeReplyObject(rep);
    return 0;
}

/* The stored text of id: 1 found (*text malloc'd), 0 missing, -1 error. */
static int text_get(struct kc_redis *r, uint64_t id, char **text, size_t *len, struct kc_err *err)
{
    redisReply *rep = kc_redis_cmd(r, err, "HGET " KEY_TEXT " %llu", (unsigned long long)id);
    if (!rep) return -1;
    int rc = 0;
    if (rep->type == REDIS_REPLY_STRING) {
        *text = malloc(rep->len + 1);
        if (*text) {
            memcpy(*text, rep->str, rep->len);
            (*text)[rep->len] = '\0';
            *len = rep->len;
            rc = 1;
        } else {
            rc = kc_err_set(err, KC_E_NOMEM, "out of memory");
        }
    }
    freeReplyObject(rep);
    return rc;
}

/* Ids in a Redis set. */
static int set_members(struct kc_redis *r, const char *key, uint64_t **ids, size_t *n,
                       struct kc_err *err)
{
    *ids = NULL;
    *n = 0;
    redisReply *rep = kc_redis_cmd(r, err, "SMEMBERS %s", key);
    if (!rep) return -1;
    if (rep->type == REDIS_REPLY_ARRAY && rep->elements) {
        *ids = calloc(rep->elements, sizeof **ids);
        for (size_t i = 0; *ids && i < rep->elements; i++)
            if (rep->element[i]->type == REDIS_REPLY_STRING)
                (*ids)[(*n)++] = strtoull(rep->element[i]->str, NULL, 10);
    }
    freeReplyObject(rep);
    return 0;
}

static int ensure_loaded(struct kc_simstore *s, struct kc_err *err);

/* ---- snapshot ----------------------------------------------------------------------------- */

static int remember_pending(struct kc_simstore *s, uint64_t id)
{
    if (s->n_pending == s->cap_pending) {
        size_t cap = s->cap_pending ? s->cap_pending * 2 : 64;
        uint64_t *p = realloc(s->pending, cap * sizeof *p);
        if (!p) return -1;
        s->pending = p;
        s->cap_pending = cap;
    }
    s->pending[s->n_pending++] = id;
    if (!s->dirty_since_ms) s->dirty_since_ms = mono_ms();
    return 0;
}

static void forget_pending(struct kc_simstore *s, const uint64_t *ids, size_t n)
{
    struct kc_err err = {0};
    for (size_t i = 0; i < n; i++) cmd_ok(s, &err, "SREM " KEY_PENDING " %llu", ids[i]);
}

/* Serialise under the read lock and store. Always writes (callers decide when). */
static int save(struct kc_simstore *s, struct kc_err *err)
{
    pthread_mutex_lock(&s->save_mu);
    unsigned char *buf = NULL;
    size_t len = 0;
    pthread_rwlock_rdlock(&s->lock);
    int rc = kc_sim_serialize(s->ix, &buf, &len, err);
    uint64_t *taken = s->pending;
    size_t n_taken = s->n_pending;
    if (rc == 0) {
        s->pending = NULL;
        s->n_pending = s->cap_pending = 0;
        s->dirty_since_ms = 0;
    } else {
        taken = NULL;
    }
    pthread_rwlock_unlock(&s->lock);
    if (rc == 0) {
        const char *argv[] = {"SET", KEY_INDEX, (const char *)buf};
        size_t lens[] = {3, strlen(KEY_INDEX), len};
        redisReply *rep = kc_redis_cmdargv(s->r, 3, argv, lens, err);
        rc = rep ? 0 : -1;
        if (rep) freeReplyObject(rep);
    }
    free(buf);
    if (rc == 0) {
        forget_pending(s, taken, n_taken);
    } else if (taken) { /* not saved: the ids are still pending */
        pthread_rwlock_wrlock(&s->lock);
        for (size_t i = 0; i < n_taken; i++) remember_pending(s, taken[i]);
        pthread_rwlock_unlock(&s->lock);
    }
    free(taken);
    pthread_mutex_unlock(&s->save_mu);
    return rc;
}

int kc_simstore_tick(struct kc_simstore *s, bool force, struct kc_err *err)
{
    if (ensure_loaded(s, err) != 0) return -1;
    pthread_rwlock_rdlock(&s->lock);
    long long since = s->dirty_since_ms;
    pthread_rwlock_unlock(&s->lock);
    if (!since) return 0;
    if (!force && mono_ms() - since < KC_SIMSTORE_FLUSH_MS) return 0;
    return save(s, err);
}

/* ---- opening ------------------------------------------------------------------------------ */

/* Add every stored text (snapshot missing or unreadable). */
static int rebuild(struct kc_simstore *s, struct kc_err *err)
{
    char cursor[32] = "0";
    size_t added = 0;
    do {
        redisReply *rep = kc_redis_cmd(s->r, err, "HSCAN " KEY_TEXT " %s COUNT 200", cursor);
        if (!rep) return -1;
        if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2) {
            freeReplyObject(rep);
            return kc_err_set(err, KC_E_INTERNAL, "HSCAN: unexpected reply");
        }
        snprintf(cursor, sizeof cursor, "%s", rep->element[0]->str);
        const redisReply *kv = rep->element[1];
        for (size_t i = 0; i + 1 < kv->elements; i += 2) {
            uint64_t id = strtoull(kv->element[i]->str, NULL, 10);
            struct kc_err aerr = {0};
            if (kc_sim_add(s->ix, id, kv->element[i + 1]->str, kv->element[i + 1]->len, &aerr) == 0)
                added++;
            else
                kc_log(KC_LOG_WARN, NULL, "similarity rebuild: doc %llu skipped: %s",
                       (unsigned long long)id, aerr.message);
        }
        freeReplyObject(rep);
    } while (strcmp(cursor, "0") != 0);
    if (added) s->dirty_since_ms = mono_ms();
    kc_log(KC_LOG_INFO, NULL, "similarity index rebuilt from %zu stored texts", added);
    return 0;
}

static int load_snapshot(struct kc_simstore *s, struct kc_err *err)
{
    char *buf = NULL;
    size_t len = 0;
    int got = kc_redis_get(s->r, KEY_INDEX, &buf, &len, err);
    if (got < 0) return -1;
    if (got == 1) {
        struct kc_err derr = {0};
        s->ix = kc_sim_deserialize((const unsigned char *)buf, len, &derr);
        free(buf);
        if (s->ix) return 0;
        kc_log(KC_LOG_WARN, NULL, "similarity snapshot unreadable (%s): rebuilding from texts",
               derr.message);
    }
    s->ix = kc_sim_create(NULL, err);
    if (!s->ix) return -1;
    return rebuild(s, err);
}

/* Complete deletions that a crash interrupted. */
static int finish_deletes(struct kc_simstore *s, struct kc_err *err)
{
    uint64_t *ids;
    size_t n;
    if (set_members(s->r, KEY_DELETED, &ids, &n, err) != 0) return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *text = NULL;
        size_t len = 0;
        if (text_get(s->r, ids[i], &text, &len, err) < 0) {
            rc = -1;
            break;
        }
        struct kc_err rerr = {0};
        kc_sim_remove(s->ix, ids[i], text, len, &rerr); /* NOT_FOUND is fine */
        free(text);
        s->dirty_since_ms = mono_ms();
    }
    if (rc == 0 && n) rc = save(s, err);
    for (size_t i = 0; i < n && rc == 0; i++) {
        cmd_ok(s, err, "HDEL " KEY_TEXT " %llu", ids[i]);
        cmd_ok(s, err, "SREM " KEY_PENDING " %llu", ids[i]);
        cmd_ok(s, err, "SREM " KEY_DELETED " %llu", ids[i]);
    }
    free(ids);
    return rc;
}

/* Re-add documents whose add was not yet covered by a snapshot. */
static int finish_adds(struct kc_simstore *s, struct kc_err *err)
{
    uint64_t *ids;
    size_t n;
    if (set_members(s->r, KEY_PENDING, &ids, &n, err) != 0) return -1;
    for (size_t i = 0; i < n; i++) {
        char *text = NULL;
        size_t len = 0;
        int got = text_get(s->r, ids[i], &text, &len, err);
        if (got < 0) {
            free(ids);
            return -1;
        }
        struct kc_err aerr = {0};
        if (got == 1) kc_sim_add(s->ix, ids[i], text, len, &aerr); /* CONFLICT: in snapshot */
        free(text);
        remember_pending(s, ids[i]);
    }
    free(ids);
    return 0;
}

static int load_all(struct kc_simstore *s, struct kc_err *err)
{
    if (load_snapshot(s, err) != 0 || finish_deletes(s, err) != 0 || finish_adds(s, err) != 0)
        return -1;
    return s->dirty_since_ms ? save(s, err) : 0;
}

static void unload(struct kc_simstore *s)
{
    kc_sim_free(s->ix);
    s->ix = NULL;
    free(s->pending);
    s->pending = NULL;
    s->n_pending = s->cap_pending = 0;
    s->dirty_since_ms = 0;
}

static int ensure_loaded(struct kc_simstore *s, struct kc_err *err)
{
    if (atomic_load(&s->loaded)) return 0;
    pthread_mutex_lock(&s->load_mu);
    int rc = 0;
    if (!atomic_load(&s->loaded)) {
        rc = load_all(s, err);
        if (rc == 0) {
            atomic_store(&s->loaded, 1);
            kc_log(KC_LOG_INFO, NULL, "similarity index: %zu documents", kc_sim_size(s->ix));
        } else {
            unload(s);
            kc_err_prefix(err, "similarity index not loaded");
        }
    }
    pthread_mutex_unlock(&s->load_mu);
    return rc;
}

struct kc_simstore *kc_simstore_new(struct kc_redis *r, struct kc_err *err)
{
    struct kc_simstore *s = calloc(1, sizeof *s);
    if (!s) {
        kc_err_set(err, KC_E_NOMEM, "out of memory");
        return NULL;
    }
    s->r = r;
    pthread_rwlock_init(&s->lock, NULL);
    pthread_mutex_init(&s->save_mu, NULL);
    pthread_mutex_init(&s->load_mu, NULL);
    return s;
}

struct kc_simstore *kc_simstore_open(struct kc_redis *r, struct kc_err *err)
{
    struct kc_simstore *s = kc_simstore_new(r, err);
    if (s && ensure_loaded(s, err) != 0) {
        kc_simstore_free(s);
        return NULL;
    }
    return s;
}

bool kc_simstore_loaded(struct kc_simstore *s)
{
    return atomic_load(&s->loaded) != 0;
}

void kc_simstore_close(struct kc_simstore *s)
{
    if (!s) return;
    struct kc_err err = {0};
    if (kc_simstore_loaded(s) && kc_simstore_tick(s, true, &err) != 0)
        kc_log(KC_LOG_WARN, NULL, "similarity snapshot at close failed: %s", err.message);
    kc_simstore_free(s);
}

void kc_simstore_free(struct kc_simstore *s)
{
    if (!s) return;
    unload(s);
    pthread_rwlock_destroy(&s->lock);
    pthread_mutex_destroy(&s->save_mu);
    pthread_mutex_destroy(&s->load_mu);
    free(s);
}

size_t kc_simstore_size(struct kc_simstore *s)
{
    if (!kc_simstore_loaded(s)) return 0;
    pthread_rwlock_rdlock(&s->lock);
    size_t n = kc_sim_size(s->ix);
    pthread_rwlock_unlock(&s->lock);
    return n;
}

/* ---- add / remove ------------------------------------------------------------------------- */

static int store_text(struct kc_simstore *s, uint64_t id, const char *text, size_t len,
                      struct kc_err *err)
{
    char idbuf[24];
    snprintf(idbuf, sizeof idbuf, "%llu", (unsigned long long)id);
    if (cmd_ok(s, err, "SADD " KEY_PENDING " %llu", id) != 0) return -1;
    const char *argv[] = {"HSET", KEY_TEXT, idbuf, text};
    size_t lens[] = {4, strlen(KEY_TEXT), strlen(idbuf), len};
    redisReply *rep = kc_redis_cmdargv(s->r, 4, argv, lens, err);
    if (!rep) return -1;
    freeReplyObject(rep);
    return 0;
}

int kc_simstore_add(struct kc_simstore *s, uint64_t id, const char *text, size_t len,
                    bool *replaced, struct kc_err *err)
{
    struct kc_sim_doc doc;
    if (ensure_loaded(s, err) != 0 || kc_sim_prepare(text, len, &doc, err) != 0) return -1;
    char *old = NULL;
    size_t old_len = 0;
    int rc = text_get(s->r, id, &old, &old_len, err) < 0 ? -1 : 0;
    if (rc == 0) rc = store_text(s, id, text, len, err);
    if (rc == 0) {
        pthread_rwlock_wrlock(&s->lock);
        struct kc_err rerr = {0};
        bool had = kc_sim_remove(s->ix, id, old, old_len, &rerr) == 0;
        rc = kc_sim_add_prepared(s->ix, id, &doc, err);
        if (rc == 0) remember_pending(s, id);
        pthread_rwlock_unlock(&s->lock);
        if (replaced) *replaced = had;
    }
    free(old);
    kc_sim_doc_free(&doc);
    return rc;
}

int kc_simstore_remove(struct kc_simstore *s, uint64_t id, struct kc_err *err)
{
    if (ensure_loaded(s, err) != 0) return -1;
    if (cmd_ok(s, err, "SADD " KEY_DELETED " %llu", id) != 0) return -1;
    char *text = NULL;
    size_t len = 0;
    int got = text_get(s->r, id, &text, &len, err);
    if (got < 0) return -1;
    pthread_rwlock_wrlock(&s->lock);
    struct kc_err rerr = {0};
    bool was_indexed = kc_sim_remove(s->ix, id, text, len, &rerr) == 0;
    if (was_indexed && !s->dirty_since_ms) s->dirty_since_ms = mono_ms();
    pthread_rwlock_unlock(&s->lock);
    free(text);
    int rc = 0;
    if (!was_indexed && got == 0) {
        rc = kc_err_field(err, KC_E_NOT_FOUND, "doc_id", "document %llu is not indexed",
                          (unsigned long long)id);
    } else if (save(s, err) != 0) {
        return -1; /* the tombstone stays: the next open or delete completes it */
    }
    if (cmd_ok(s, err, "HDEL " KEY_TEXT " %llu", id) != 0 ||
        cmd_ok(s, err, "SREM " KEY_PENDING " %llu", id) != 0 ||
        cmd_ok(s, err, "SREM " KEY_DELETED " %llu", id) != 0)
        return -1;
    return rc;
}

/* ---- queries ------------------------------------------------------------------------------ */

struct fetch_ctx {
    struct kc_redis *r;
    char *text; /* last fetched, freed on the next fetch */
};

static const char *fetch_text(void *ud, uint64_t id, size_t *len)
{
    struct fetch_ctx *f = ud;
    free(f->text);
    f->text = NULL;
    struct kc_err err = {0};
    return text_get(f->r, id, &f->text, len, &err) == 1 ? f->text : NULL;
}

static json_t *hit_json(const struct kc_sim_hit *h, double thr, struct fetch_ctx *f,
                        const char *text, size_t len, double passage_min)
{
    bool confirmed = h->cosine >= 0;
    bool similar = confirmed && h->cosine >= thr;
    json_t *cos = confirmed ? json_pack("{s:f,s:s}", "value", h->cosine, "status", "ok")
                            : json_pack("{s:n,s:s,s:s}", "value", "status", "unavailable", "reason",
                                        "MinHash estimate below the confirmation bar");
    json_t *o =
        json_pack("{s:I,s:b,s:o,s:f,s:i}", "doc_id", (json_int_t)h->id, "similar", similar,
                  "cosine", cos, "jaccard_estimate", h->jaccard, "band_hits", (int)h->band_hits);
    json_t *passages = NULL;
    if (similar) {
        size_t dlen = 0;
        const char *doc = fetch_text(f, h->id, &dlen);
        if (doc) passages = kc_sim_passages(text, len, doc, dlen, passage_min);
    }
    json_object_set_new(o, "passages", passages ? passages : json_array());
    return o;
}

json_t *kc_simstore_query(struct kc_simstore *s, const char *text, size_t len, uint64_t exclude_id,
                          size_t k, double threshold, struct kc_err *err)
{
    if (k < 1 || k > KC_SIMSTORE_MAX_K) {
        kc_err_field(err, KC_E_INVALID, "k", "k: 1 to %d", KC_SIMSTORE_MAX_K);
        return NULL;
    }
    if (ensure_loaded(s, err) != 0) return NULL;
    struct kc_sim_hit *hits = calloc(k, sizeof *hits);
    if (!hits) {
        kc_err_set(err, KC_E_NOMEM, "out of memory");
        return NULL;
    }
    struct fetch_ctx f = {.r = s->r};
    size_t n = 0;
    json_t *out = NULL;
    pthread_rwlock_rdlock(&s->lock);
    const struct kc_sim_params *p = kc_sim_params_of(s->ix);
    double thr = threshold >= 0 ? threshold : p->threshold;
    if (kc_sim_query(s->ix, text, len, exclude_id, k, fetch_text, &f, hits, &n, err) == 0) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, hit_json(&hits[i], thr, &f, text, len, p->passage_min));
        out = json_pack("{s:o,s:f,s:i,s:s}", "hits", arr, "threshold", thr, "indexed",
                        (int)kc_sim_size(s->ix), "definition",
                        "candidates from MinHash LSH over character 3-grams; similar when the "
                        "TF-IDF cosine of character 3-gram vectors is at least the threshold; "
                        "passages are sentence pairs with high 3-gram overlap (a = the query, "
                        "b = the indexed document)");
    }
    pthread_rwlock_unlock(&s->lock);
    free(f.text);
    free(hits);
    return out;
}

json_t *kc_simstore_query_id(struct kc_simstore *s, uint64_t id, size_t k, double threshold,
                             struct kc_err *err)
{
    char *text = NULL;
    size_t len = 0;
    if (ensure_loaded(s, err) != 0) return NULL;
    int got = text_get(s->r, id, &text, &len, err);
    if (got == 0)
        kc_err_field(err, KC_E_NOT_FOUND, "doc_id", "document %llu is not indexed",
                     (unsigned long long)id);
    if (got != 1) return NULL;
    json_t *out = kc_simstore_query(s, text, len, id, k, threshold, err);
    free(text);
    return out;
}
