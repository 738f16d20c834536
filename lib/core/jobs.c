/*
 * jobs.c — job queues on Redis Streams with consumer groups (design in jobs.h).
 *
 * Streams and fields: `kc:jobs:K` entries carry payload / attempt, and on retries last_error /
 * original_id (the id kc_jobs_enqueue returned, kept across re-XADDs); group `K-workers`;
 * dead letters go to `kc:jobs:K:dead` with payload / attempts / last_error / original_id. A
 * finished entry is XACKed and then XDELed, so XLEN of the job stream counts the jobs not yet
 * finished (waiting or in flight) and Redis memory does not grow with history; the dead-letter
 * stream keeps everything for people to inspect.
 *
 * The group is created at id 0 (not $) with MKSTREAM: on first creation it therefore also
 * takes jobs enqueued before any worker ever ran; since finished entries are deleted, "0"
 * never replays finished work. BUSYGROUP (already exists) is success.
 *
 * Worker threads (struct worker_thread, one consumer name each) loop until the stop flag:
 *   1. when due, XAUTOCLAIM one entry idle ≥ claim_idle_ms (cursor kept per thread) and
 *      process it, with attempt = field attempt + XPENDING delivery count − 1;
 *   2. XREADGROUP … COUNT 1 BLOCK ≤ block_ms … > and process what comes.
 * The flag is checked between blocking calls, so stop takes at most one block plus the
 * handlers in flight. A heartbeat thread per set re-claims (XCLAIM … JUSTID, same consumer)
 * the entries whose handlers are running every claim_idle_ms / 3, so "idle" means "its worker
 * is gone", not "its job is slow": a ten-minute video job is not handed to a second worker.
 * Processing order makes a crash lose nothing: a retry or dead letter is XADDed before the original
 * is XACKed (a crash in between duplicates, which idempotent handlers tolerate). Redis outages make
 * threads sleep in short slices and retry.
 */
#include "jobs.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"

#define KIND_MAX        48
#define ERROR_SLEEP_MS  250
#define CLAIM_EVERY_MAX 5000

struct worker_thread {
    struct kc_workers *w;
    pthread_t tid;
    char consumer[160];
    char cursor[48];   /* XAUTOCLAIM start id */
    char inflight[48]; /* entry id whose handler runs now, "" when none; under w->mu */
    long long next_claim_ms;
    int failing; /* logged the current Redis outage already */
};

struct kc_workers {
    struct kc_redis *r;
    char kind[KIND_MAX + 1];
    char stream[KIND_MAX + 16], dead[KIND_MAX + 24], group[KIND_MAX + 16];
    int block_ms, claim_idle_ms, claim_every_ms, max_attempts;
    kc_job_fn fn;
    void *ctx;
    struct kc_metrics *metrics;
    atomic_int stop;
    atomic_int group_ready;
    int nthreads;
    struct worker_thread *t;
    pthread_mutex_t mu; /* guards worker_thread.inflight */
    pthread_t heartbeat;
    int heartbeat_started;
};

/* A stream entry, borrowing its strings from the reply. */
struct entry {
    const char *id;
    const char *payload;
    size_t payload_len;
    int attempt;
    const char *last_error;
    const char *original_id; /* the id kc_jobs_enqueue returned (kept across retries) */
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int valid_kind(const char *kind)
{
    size_t n = kind ? strlen(kind) : 0;
    if (n == 0 || n > KIND_MAX) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = kind[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
            return 0;
    }
    return 1;
}

static int run_argv(struct kc_redis *r, int argc, const char **argv, const size_t *lens,
                    struct kc_err *err)
{
    redisReply *rep = kc_redis_cmdargv(r, argc, argv, lens, err);
    if (!rep) return -1;
    freeReplyObject(rep);
    return 0;
}

/* ---- producer side ----------------------------------------------------------------------- */

int kc_jobs_enqueue(struct kc_redis *r, const char *kind, const json_t *payload, char *id_out,
                    size_t id_cap, struct kc_err *err)
{
    if (!valid_kind(kind))
        return kc_err_field(err, KC_E_INVALID, "kind", "job kind '%.60s' is not [a-z0-9_.-]{1,%d}",
                            kind ? kind : "(null)", KIND_MAX);
    if (!payload) return kc_err_field(err, KC_E_INVALID, "payload", "job payload is missing");
    char *text = json_dumps(payload, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text) return kc_err_set(err, KC_E_NOMEM, "cannot serialise the job payload");
    char stream[KIND_MAX + 16];
    snprintf(stream, sizeof stream, "kc:jobs:%s", kind);
    const char *argv[] = {"XADD", stream, "*", "payload", text, "attempt", "1"};
    redisReply *rep = kc_redis_cmdargv(r, 7, argv, NULL, err);
    free(text);
    if (!rep) return -1;
    int ok = rep->type == REDIS_REPLY_STRING;
    if (ok && id_out && id_cap) snprintf(id_out, id_cap, "%s", rep->str);
    freeReplyObject(rep);
    return ok ? 0 : kc_err_set(err, KC_E_INTERNAL, "XADD %s: unexpected reply", stream);
}

static long long stream_len(struct kc_redis *r, const char *key, struct kc_err *err)
{
    const char *argv[] = {"XLEN", key};
    redisReply *rep = kc_redis_cmdargv(r, 2, argv, NULL, err);
    if (!rep) return -1;
    long long n = rep->type == REDIS_REPLY_INTEGER ? rep->integer : -1;
    freeReplyObject(rep);
    if (n < 0) kc_err_set(err, KC_E_INTERNAL, "XLEN %s: unexpected reply", key);
    return n;
}

long long kc_jobs_pending(struct kc_redis *r, const char *kind, struct kc_err *err)
{
    char key[KIND_MAX + 16];
    if (!valid_kind(kind)) return kc_err_field(err, KC_E_INVALID, "kind", "bad job kind");
    snprintf(key, sizeof key, "kc:jobs:%s", kind);
    return stream_len(r, key, err);
}

long long kc_jobs_dead_count(struct kc_redis *r, const char *kind, struct kc_err *err)
{
    char key[KIND_MAX + 24];
    if (!valid_kind(kind)) return kc_err_field(err, KC_E_INVALID, "kind", "bad job kind");
    snprintf(key, sizeof key, "kc:jobs:%s:dead", kind);
    return stream_len(r, key, err);
}

/* ---- worker helpers ---------------------------------------------------------------------- */

static void count(struct kc_workers *w, const char *outcome)
{
    if (!w->metrics) return;
    char labels[128];
    snprintf(labels, sizeof labels, "kind=\"%s\",outcome=\"%s\"", w->kind, outcome);
    kc_metrics_inc(w->metrics, "kc_jobs_total", "Jobs handled, by kind and outcome", labels, 1);
}

static int ensure_group(struct kc_workers *w, struct kc_err *err)
{
    if (atomic_load(&w->group_ready)) return 0;
    const char *argv[] = {"XGROUP", "CREATE", w->stream, w->group, "0", "MKSTREAM"};
    struct kc_err e = {0};
    redisReply *rep = kc_redis_cmdargv(w->r, 6, argv, NULL, &e);
    if (rep) freeReplyObject(rep);
    if (!rep && !strstr(e.message, "BUSYGROUP")) {
        if (err) *err = e;
        return -1;
    }
    atomic_store(&w->group_ready, 1);
    return 0;
}

/* Sleep up to ms in short slices, returning early when stop is set. */
static void nap(struct kc_workers *w, int ms)
{
    long long until = now_ms() + ms;
    while (!atomic_load(&w->stop) && now_ms() < until) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

static void redis_trouble(struct worker_thread *t, const struct kc_err *e)
{
    if (strstr(e->message, "NOGROUP")) atomic_store(&t->w->group_ready, 0);
    if (!t->failing)
        kc_log(KC_LOG_WARN, NULL, "jobs %s worker %s: %s; retrying", t->w->kind, t->consumer,
               e->message);
    t->failing = 1;
    nap(t->w, ERROR_SLEEP_MS);
}

static void redis_ok(struct worker_thread *t)
{
    if (t->failing)
        kc_log(KC_LOG_INFO, NULL, "jobs %s worker %s: redis is back", t->w->kind, t->consumer);
    t->failing = 0;
}

/* Parse [id, [field, value, …]] into e; 0 ok, -1 when the entry has no data (deleted). */
static int parse_entry(const redisReply *rep, struct entry *e)
{
    memset(e, 0, sizeof *e);
    e->attempt = 1;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements < 2 ||
        rep->element[0]->type != REDIS_REPLY_STRING)
        return -1;
    e->id = rep->element[0]->str;
    const redisReply *f = rep->element[1];
    if (f->type != REDIS_REPLY_ARRAY) return -1;
    for (size_t i = 0; i + 1 < f->elements; i += 2) {
        const redisReply *k = f->element[i], *v = f->element[i + 1];
        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING) continue;
        if (strcmp(k->str, "payload") == 0) {
            e->payload = v->str;
            e->payload_len = v->len;
        } else if (strcmp(k->str, "attempt") == 0) {
            int a = atoi(v->str);
            e->attempt = a > 0 ? a : 1;
        } else if (strcmp(k->str, "last_error") == 0) {
            e->last_error = v->str;
        } else if (strcmp(k->str, "original_id") == 0) {
            e->original_id = v->str;
        }
    }
    if (!e->original_id) e->original_id = e->id;
    return 0;
}

/* XACK then XDEL: the entry is finished. */
static int finish_entry(struct kc_workers *w, const char *id, struct kc_err *err)
{
    const char *ack[] = {"XACK", w->stream, w->group, id};
    const char *del[] = {"XDEL", w->stream, id};
    if (run_argv(w->r, 4, ack, NULL, err) != 0) return -1;
    return run_argv(w->r, 3, del, NULL, err);
}

static int requeue(struct kc_workers *w, const struct entry *e, int next_attempt, const char *error,
                   struct kc_err *err)
{
    char attempt[16];
    snprintf(attempt, sizeof attempt, "%d", next_attempt);
    const char *argv[] = {
        "XADD",        w->stream, "*",          "payload", e->payload ? e->payload : "",
        "attempt",     attempt,   "last_error", error,     "original_id",
        e->original_id};
    size_t lens[] = {
        4,  strlen(w->stream),     1, 7, e->payload_len, 7, strlen(attempt), 10, strlen(error),
        11, strlen(e->original_id)};
    return run_argv(w->r, 11, argv, lens, err);
}

static int dead_letter(struct kc_workers *w, const struct entry *e, int attempts, const char *error,
                       struct kc_err *err)
{
    char n[16];
    snprintf(n, sizeof n, "%d", attempts);
    const char *argv[] = {
        "XADD",        w->dead, "*",          "payload", e->payload ? e->payload : "",
        "attempts",    n,       "last_error", error,     "original_id",
        e->original_id};
    size_t lens[] = {
        4,  strlen(w->dead),       1, 7, e->payload_len, 8, strlen(n), 10, strlen(error),
        11, strlen(e->original_id)};
    if (run_argv(w->r, 11, argv, lens, err) != 0) return -1;
    kc_log(KC_LOG_WARN, NULL, "job %s %s moved to %s after %d attempt(s): %.300s", w->kind, e->id,
           w->dead, attempts, error);
    return 0;
}

/* Times the group has delivered this entry (XPENDING); 1 when it cannot be read. */
static int delivery_count(struct kc_workers *w, const char *id)
{
    const char *argv[] = {"XPENDING", w->stream, w->group, id, id, "1"};
    redisReply *rep = kc_redis_cmdargv(w->r, 6, argv, NULL, NULL);
    int n = 1;
    if (rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 1 &&
        rep->element[0]->type == REDIS_REPLY_ARRAY && rep->element[0]->elements == 4 &&
        rep->element[0]->element[3]->type == REDIS_REPLY_INTEGER)
        n = (int)rep->element[0]->element[3]->integer;
    if (rep) freeReplyObject(rep);
    return n > 0 ? n : 1;
}

/* ---- processing ------------------------------------------------------------------------- */

static void set_inflight(struct worker_thread *t, const char *id)
{
    pthread_mutex_lock(&t->w->mu);
    snprintf(t->inflight, sizeof t->inflight, "%s", id);
    pthread_mutex_unlock(&t->w->mu);
}

/* While a handler runs, reset its entry's idle time every claim_idle_ms / 3 (XCLAIM … JUSTID
 * to the same consumer: no delivery is counted), so a long job is not reclaimed from a live
 * worker; only a dead process stops the heartbeat and lets the entry go idle. */
static void *heartbeat_main(void *arg)
{
    struct kc_workers *w = arg;
    int period = w->claim_idle_ms / 3 > 5 ? w->claim_idle_ms / 3 : 5;
    while (!atomic_load(&w->stop)) {
        nap(w, period);
        for (int i = 0; i < w->nthreads && !atomic_load(&w->stop); i++) {
            char id[48], consumer[160];
            pthread_mutex_lock(&w->mu);
            snprintf(id, sizeof id, "%s", w->t[i].inflight);
            snprintf(consumer, sizeof consumer, "%s", w->t[i].consumer);
            pthread_mutex_unlock(&w->mu);
            if (!id[0]) continue;
            const char *argv[] = {"XCLAIM", w->stream, w->group, consumer, "0", id, "JUSTID"};
            run_argv(w->r, 7, argv, NULL, NULL);
        }
    }
    return NULL;
}

/* Run the handler; fill msg on failure. 0 ok, -1 failed, -2 payload unusable (no retry). */
static int run_handler(struct worker_thread *t, const struct entry *e, int attempt, char *msg,
                       size_t cap)
{
    struct kc_workers *w = t->w;
    json_error_t jerr;
    json_t *payload =
        json_loadb(e->payload ? e->payload : "", e->payload_len, JSON_DECODE_ANY, &jerr);
    if (!payload) {
        snprintf(msg, cap, "payload is not valid JSON: %s", jerr.text);
        return -2;
    }
    struct kc_job job = {.kind = w->kind,
                         .stream_id = e->id,
                         .payload = payload,
                         .attempt = attempt,
                         .last_error = e->last_error};
    struct kc_err herr = {0};
    set_inflight(t, e->id);
    int rc = w->fn(&job, w->ctx, &herr);
    set_inflight(t, "");
    json_decref(payload);
    if (rc == 0) return 0;
    snprintf(msg, cap, "%s", herr.message[0] ? herr.message : "handler failed without a message");
    return -1;
}

/* Process one delivered entry; `deliveries` > 1 only for reclaimed entries. */
static int process(struct worker_thread *t, const struct entry *e, int deliveries,
                   struct kc_err *err)
{
    struct kc_workers *w = t->w;
    int attempt = e->attempt + deliveries - 1;
    char msg[512];
    if (attempt > w->max_attempts) {
        snprintf(msg, sizeof msg, "a worker stopped while processing it (delivered %d times)",
                 deliveries);
        if (dead_letter(w, e, attempt - 1, msg, err) != 0) return -1;
        count(w, "dead");
        return finish_entry(w, e->id, err);
    }
    int rc = run_handler(t, e, attempt, msg, sizeof msg);
    if (rc == 0) {
        count(w, "done");
        return finish_entry(w, e->id, err);
    }
    if (rc == -1 && attempt < w->max_attempts) {
        kc_log(KC_LOG_WARN, NULL, "job %s %s attempt %d/%d failed: %.300s", w->kind, e->id, attempt,
               w->max_attempts, msg);
        if (requeue(w, e, attempt + 1, msg, err) != 0) return -1;
        count(w, "retried");
    } else {
        if (dead_letter(w, e, attempt, msg, err) != 0) return -1;
        count(w, "dead");
    }
    return finish_entry(w, e->id, err);
}

/* XAUTOCLAIM one idle entry and process it. 1 = processed one, 0 = none idle, -1 = error. */
static int reclaim_one(struct worker_thread *t, struct kc_err *err)
{
    struct kc_workers *w = t->w;
    char idle[16];
    snprintf(idle, sizeof idle, "%d", w->claim_idle_ms);
    const char *argv[] = {"XAUTOCLAIM", w->stream, w->group, t->consumer,
                          idle,         t->cursor, "COUNT",  "1"};
    redisReply *rep = kc_redis_cmdargv(w->r, 8, argv, NULL, err);
    if (!rep) return -1;
    int rc = 0;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements < 2 ||
        rep->element[0]->type != REDIS_REPLY_STRING || rep->element[1]->type != REDIS_REPLY_ARRAY) {
        freeReplyObject(rep);
        return kc_err_set(err, KC_E_INTERNAL, "XAUTOCLAIM %s: unexpected reply", w->stream);
    }
    snprintf(t->cursor, sizeof t->cursor, "%s", rep->element[0]->str);
    const redisReply *entries = rep->element[1];
    for (size_t i = 0; rc >= 0 && i < entries->elements; i++) {
        struct entry e;
        if (parse_entry(entries->element[i], &e) != 0) {
            /* Redis 6.2 reports deleted entries with nil data: nothing to run. */
            if (entries->element[i]->type == REDIS_REPLY_ARRAY &&
                entries->element[i]->elements > 0 &&
                entries->element[i]->element[0]->type == REDIS_REPLY_STRING)
                finish_entry(w, entries->element[i]->element[0]->str, NULL);
            continue;
        }
        count(w, "reclaimed");
        kc_log(KC_LOG_INFO, NULL, "job %s %s reclaimed by %s", w->kind, e.id, t->consumer);
        rc = process(t, &e, delivery_count(w, e.id), err) == 0 ? 1 : -1;
    }
    freeReplyObject(rep);
    return rc;
}

/* XREADGROUP one new entry (blocking up to block_ms) and process it. 1/0/-1 as above. */
static int read_one(struct worker_thread *t, int block_ms, struct kc_err *err)
{
    struct kc_workers *w = t->w;
    char block[16];
    snprintf(block, sizeof block, "%d", block_ms);
    const char *argv[] = {"XREADGROUP", "GROUP", w->group,  t->consumer, "COUNT", "1",
                          "BLOCK",      block,   "STREAMS", w->stream,   ">"};
    int timeout = block_ms + kc_redis_timeout_ms(w->r);
    redisReply *rep = kc_redis_cmdargv_timeout(w->r, timeout, 11, argv, NULL, err);
    if (!rep) return -1;
    int rc = 0;
    /* [[stream, [[id, [f, v, …]]]]] or nil on timeout */
    if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 1 &&
        rep->element[0]->type == REDIS_REPLY_ARRAY && rep->element[0]->elements == 2 &&
        rep->element[0]->element[1]->type == REDIS_REPLY_ARRAY) {
        const redisReply *entries = rep->element[0]->element[1];
        for (size_t i = 0; rc >= 0 && i < entries->elements; i++) {
            struct entry e;
            if (parse_entry(entries->element[i], &e) != 0) continue;
            rc = process(t, &e, 1, err) == 0 ? 1 : -1;
        }
    }
    freeReplyObject(rep);
    return rc;
}

static void *worker_main(void *arg)
{
    struct worker_thread *t = arg;
    struct kc_workers *w = t->w;
    while (!atomic_load(&w->stop)) {
        struct kc_err e = {0};
        if (ensure_group(w, &e) != 0) {
            redis_trouble(t, &e);
            continue;
        }
        long long now = now_ms();
        int rc = 0;
        if (now >= t->next_claim_ms) {
            rc = reclaim_one(t, &e);
            /* Keep claiming while there is work; otherwise wait a period, from cursor 0-0. */
            if (rc == 0 && strcmp(t->cursor, "0-0") == 0)
                t->next_claim_ms = now + w->claim_every_ms;
        } else {
            long long until_claim = t->next_claim_ms - now;
            rc = read_one(t, until_claim < w->block_ms ? (int)until_claim : w->block_ms, &e);
        }
        if (rc < 0)
            redis_trouble(t, &e);
        else
            redis_ok(t);
    }
    return NULL;
}

/* ---- start / stop -------------------------------------------------------------------------- */

static int check_config(const struct kc_worker_config *cfg, struct kc_err *err)
{
    if (!cfg || !cfg->fn) return kc_err_field(err, KC_E_INVALID, "fn", "worker needs a handler");
    if (!valid_kind(cfg->kind))
        return kc_err_field(err, KC_E_INVALID, "kind", "job kind '%.60s' is not [a-z0-9_.-]{1,%d}",
                            cfg->kind ? cfg->kind : "(null)", KIND_MAX);
    if (cfg->threads < 0 || cfg->threads > 256 || cfg->block_ms < 0 || cfg->claim_idle_ms < 0 ||
        cfg->max_attempts < 0)
        return kc_err_set(err, KC_E_INVALID, "worker config: negative or too many threads");
    if (cfg->consumer && (strlen(cfg->consumer) > 100 || strpbrk(cfg->consumer, " \r\n")))
        return kc_err_field(err, KC_E_INVALID, "consumer", "consumer name too long or has spaces");
    return 0;
}

static void init_workers(struct kc_workers *w, struct kc_redis *r,
                         const struct kc_worker_config *cfg)
{
    w->r = r;
    snprintf(w->kind, sizeof w->kind, "%s", cfg->kind);
    snprintf(w->stream, sizeof w->stream, "kc:jobs:%s", cfg->kind);
    snprintf(w->dead, sizeof w->dead, "kc:jobs:%s:dead", cfg->kind);
    snprintf(w->group, sizeof w->group, "%s-workers", cfg->kind);
    w->block_ms = cfg->block_ms ? cfg->block_ms : 1000;
    w->claim_idle_ms = cfg->claim_idle_ms ? cfg->claim_idle_ms : 30000;
    w->claim_every_ms = w->claim_idle_ms / 2;
    if (w->claim_every_ms < 10) w->claim_every_ms = 10;
    if (w->claim_every_ms > CLAIM_EVERY_MAX) w->claim_every_ms = CLAIM_EVERY_MAX;
    w->max_attempts = cfg->max_attempts ? cfg->max_attempts : 3;
    w->fn = cfg->fn;
    w->ctx = cfg->ctx;
    w->metrics = cfg->metrics;
    w->nthreads = cfg->threads ? cfg->threads : 1;
}

static void name_threads(struct kc_workers *w, const char *consumer)
{
    char base[128];
    if (consumer) {
        snprintf(base, sizeof base, "%s", consumer);
    } else {
        char host[64] = "host";
        gethostname(host, sizeof host - 1);
        host[sizeof host - 1] = '\0';
        snprintf(base, sizeof base, "%s-%ld", host, (long)getpid());
    }
    for (int i = 0; i < w->nthreads; i++) {
        struct worker_thread *t = &w->t[i];
        t->w = w;
        snprintf(t->consumer, sizeof t->consumer, "%s-%d", base, i);
        snprintf(t->cursor, sizeof t->cursor, "0-0");
    }
}

struct kc_workers *kc_workers_start(struct kc_redis *r, const struct kc_worker_config *cfg,
                                    struct kc_err *err)
{
    if (check_config(cfg, err) != 0) return NULL;
    struct kc_workers *w = calloc(1, sizeof *w);
    if (w) w->t = calloc((size_t)(cfg->threads ? cfg->threads : 1), sizeof *w->t);
    if (!w || !w->t) {
        if (w) free(w);
        kc_err_set(err, KC_E_NOMEM, "out of memory");
        return NULL;
    }
    init_workers(w, r, cfg);
    name_threads(w, cfg->consumer);
    pthread_mutex_init(&w->mu, NULL);
    struct kc_err e = {0};
    if (ensure_group(w, &e) != 0) {
        if (e.code != KC_E_UNAVAILABLE) {
            if (err) *err = e;
            kc_err_prefix(err, "creating group %s on %s", w->group, w->stream);
            pthread_mutex_destroy(&w->mu);
            free(w->t);
            free(w);
            return NULL;
        }
        kc_log(KC_LOG_WARN, NULL, "jobs %s: %s; workers will retry", w->kind, e.message);
    }
    int total = w->nthreads;
    w->nthreads = 0; /* counts started threads until all are */
    for (int i = 0; i < total; i++) {
        if (pthread_create(&w->t[i].tid, NULL, worker_main, &w->t[i]) != 0) {
            kc_workers_stop(w);
            kc_err_set(err, KC_E_INTERNAL, "cannot start worker thread %d", i);
            return NULL;
        }
        w->nthreads = i + 1;
    }
    if (pthread_create(&w->heartbeat, NULL, heartbeat_main, w) != 0) {
        kc_workers_stop(w);
        kc_err_set(err, KC_E_INTERNAL, "cannot start the heartbeat thread");
        return NULL;
    }
    w->heartbeat_started = 1;
    return w;
}

/* Remove this set's consumers from the group when they hold no pending entries. */
static void forget_consumers(struct kc_workers *w)
{
    for (int i = 0; i < w->nthreads; i++) {
        const char *c = w->t[i].consumer;
        const char *pend[] = {"XPENDING", w->stream, w->group, "-", "+", "1", c};
        redisReply *rep = kc_redis_cmdargv(w->r, 7, pend, NULL, NULL);
        int idle = rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 0;
        if (rep) freeReplyObject(rep);
        const char *del[] = {"XGROUP", "DELCONSUMER", w->stream, w->group, c};
        if (idle) run_argv(w->r, 5, del, NULL, NULL);
    }
}

void kc_workers_stop(struct kc_workers *w)
{
    if (!w) return;
    atomic_store(&w->stop, 1);
    for (int i = 0; i < w->nthreads; i++) pthread_join(w->t[i].tid, NULL);
    if (w->heartbeat_started) pthread_join(w->heartbeat, NULL);
    forget_consumers(w);
    pthread_mutex_destroy(&w->mu);
    free(w->t);
    free(w);
}
