/*
 * service_store.c — the video_analyses table (SQLite through db.h) and the Redis state around it.
 *
 * The database row is the record; Redis holds what is hot or shared between processes:
 *   kc:video:analysis:<id>  hash status/progress/stage/updated_at, TTL KC_VS_STATE_TTL_S
 *   kc:progress:<id>        channel: one JSON event per state change or progress step
 *   kc:video:result:<id>    the report text, TTL KC_VS_RESULT_TTL_S, filled on write and on
 *                           a read miss (read-through), deleted with the analysis
 *   kc:video:cancel:<id>    set by DELETE; workers poll it while a child runs
 * State transitions are guarded in SQL (`WHERE status = 'running'`), so a worker that
 * finishes after a withdrawal cannot resurrect a cancelled analysis.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/db.h"
#include "core/log.h"
#include "core/redis.h"
#include "service_private.h"

void kc_vs_new_id(char out[KC_VS_ID_LEN + 1])
{
    unsigned char b[16];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t n = getrandom(b + got, sizeof b - got, 0);
        if (n > 0) got += (size_t)n;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* variant 1 */
    snprintf(out, KC_VS_ID_LEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

static bool is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

bool kc_vs_valid_id(const char *id)
{
    if (!id || strlen(id) != KC_VS_ID_LEN) return false;
    for (int i = 0; i < KC_VS_ID_LEN; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? id[i] != '-' : !is_hex(id + i, 1)) return false;
    }
    return true;
}

bool kc_vs_valid_sha256(const char *hex)
{
    return hex && strlen(hex) == 64 && is_hex(hex, 64);
}

void kc_vs_now(char out[32])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    int ms = (int)(ts.tv_nsec / 1000000) % 1000;
    snprintf(out + n, 32 - n, ".%03dZ", ms);
}

void kc_vs_work_path(const struct kc_vsvc *vs, const char *id, const char *ext, char *out,
                     size_t cap)
{
    snprintf(out, cap, "%s/%s.%s", vs->work_dir, id, ext);
}

/* ---- database ----------------------------------------------------------------------------- */

/* Run one statement on a pooled connection: rows changed or -1. */
static int64_t exec1(struct kc_vsvc *vs, const char *sql, const struct kc_db_val *p, size_t n,
                     struct kc_err *err)
{
    struct kc_db_conn *c = kc_db_acquire(vs->svc->db, err);
    if (!c) return -1;
    int64_t rc = kc_db_exec(c, sql, p, n, err);
    kc_db_release(vs->svc->db, c);
    return rc;
}

int kc_vs_insert(struct kc_vsvc *vs, const struct kc_vs_new *n, struct kc_err *err)
{
    char now[32];
    kc_vs_now(now);
    char *opts = json_dumps(n->options, JSON_COMPACT),
         *consent = json_dumps(n->consent, JSON_COMPACT);
    int64_t rc = -1;
    if (opts && consent) {
        struct kc_db_val p[] = {KC_DBV_TEXT(n->id),
                                KC_DBV_TEXT(n->source),
                                KC_DBV_TEXT(n->sha256),
                                KC_DBV_TEXT(n->path),
                                n->bytes >= 0 ? KC_DBV_INT(n->bytes) : KC_DBV_NULL,
                                KC_DBV_TEXT(opts),
                                KC_DBV_TEXT(consent),
                                KC_DBV_TEXT_OR_NULL(n->application_id),
                                KC_DBV_TEXT_OR_NULL(n->subject_id),
                                KC_DBV_TEXT(now)};
        rc = exec1(vs,
                   "INSERT INTO video_analyses (id, status, progress, stage, input_source, "
                   "input_sha256, input_path, input_bytes, options_json, consent_json, "
                   "application_id, subject_id, created_at) VALUES ($1, 'queued', 0, 'queued', "
                   "$2, $3, $4, $5, $6, $7, $8, $9, $10)",
                   p, sizeof p / sizeof p[0], err);
    } else {
        kc_err_set(err, KC_E_NOMEM, "out of memory");
    }
    free(opts);
    free(consent);
    return rc < 0 ? -1 : 0;
}

json_t *kc_vs_row(struct kc_vsvc *vs, const char *id, struct kc_err *err)
{
    struct kc_db_conn *c = kc_db_acquire(vs->svc->db, err);
    if (!c) return NULL;
    struct kc_db_val p[] = {KC_DBV_TEXT(id)};
    json_t *row = kc_db_query_one(c,
                                  "SELECT id, status, progress, stage, input_source, "
                                  "input_sha256, input_path, input_bytes, options_json, "
                                  "consent_json, error, application_id, subject_id, attempts, "
                                  "completions, created_at, started_at, finished_at, deleted_at, "
                                  "result_json IS NOT NULL AS has_result "
                                  "FROM video_analyses WHERE id = $1",
                                  p, 1, err);
    kc_db_release(vs->svc->db, c);
    return row;
}

int kc_vs_mark_running(struct kc_vsvc *vs, const char *id, struct kc_err *err)
{
    char now[32];
    kc_vs_now(now);
    struct kc_db_val p[] = {KC_DBV_TEXT(id), KC_DBV_TEXT(now)};
    int64_t n =
        exec1(vs,
              "UPDATE video_analyses SET status = 'running', progress = 0, stage = 'starting', "
              "attempts = attempts + 1, started_at = $2, error = NULL "
              "WHERE id = $1 AND status IN ('queued', 'running')",
              p, 2, err);
    return n < 0 ? -1 : n > 0;
}

int kc_vs_finish(struct kc_vsvc *vs, const char *id, const char *status, const char *result,
                 const char *error, struct kc_err *err)
{
    char now[32];
    kc_vs_now(now);
    bool done = !strcmp(status, "done");
    struct kc_db_val p[] = {KC_DBV_TEXT(id),
                            KC_DBV_TEXT(status),
                            KC_DBV_TEXT_OR_NULL(result),
                            KC_DBV_TEXT_OR_NULL(error),
                            KC_DBV_TEXT(now),
                            KC_DBV_INT(done)};
    int64_t n = exec1(vs,
                      "UPDATE video_analyses SET status = $2, result_json = $3, error = $4, "
                      "progress = CASE WHEN $6 = 1 THEN 1.0 ELSE progress END, stage = $2, "
                      "finished_at = CASE WHEN $2 = 'queued' THEN NULL ELSE $5 END, "
                      "completions = completions + $6 WHERE id = $1 AND status = 'running'",
                      p, sizeof p / sizeof p[0], err);
    return n < 0 ? -1 : (int)n;
}

void kc_vs_save_progress(struct kc_vsvc *vs, const char *id, double progress, const char *stage)
{
    struct kc_err err = {0};
    struct kc_db_val p[] = {KC_DBV_TEXT(id), KC_DBV_REAL(progress), KC_DBV_TEXT(stage)};
    if (exec1(vs,
              "UPDATE video_analyses SET progress = $2, stage = $3 "
              "WHERE id = $1 AND status = 'running'",
              p, 3, &err) < 0)
        kc_warn("analysis %s: saving progress: %s", id, err.message);
}

/* ---- Redis --------------------------------------------------------------------------------- */

void kc_vs_announce(struct kc_vsvc *vs, const char *id, const char *status, double progress,
                    const char *stage, const char *error)
{
    struct kc_err err = {0};
    char key[80], chan[80], pr[32], now[32];
    snprintf(key, sizeof key, "kc:video:analysis:%s", id);
    snprintf(chan, sizeof chan, "kc:progress:%s", id);
    snprintf(pr, sizeof pr, "%.4f", progress);
    kc_vs_now(now);
    redisReply *r =
        kc_redis_cmd(vs->svc->redis, &err, "HSET %s status %s progress %s stage %s updated_at %s",
                     key, status, pr, stage ? stage : "", now);
    if (r) freeReplyObject(r);
    r = r ? kc_redis_cmd(vs->svc->redis, &err, "EXPIRE %s %d", key, KC_VS_STATE_TTL_S) : NULL;
    if (r) freeReplyObject(r);
    json_t *ev = json_pack("{s:s,s:s,s:f,s:s?}", "id", id, "status", status, "progress", progress,
                           "stage", stage);
    if (ev && error) json_object_set_new(ev, "error", json_string(error));
    char *text = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
    if (text && kc_redis_publish(vs->svc->redis, chan, text, &err) < 0) r = NULL;
    if (!r) kc_debug("analysis %s: redis state update failed: %s", id, err.message);
    free(text);
    json_decref(ev);
}

bool kc_vs_cancel_requested(struct kc_vsvc *vs, const char *id)
{
    struct kc_err err = {0};
    char key[80];
    snprintf(key, sizeof key, "kc:video:cancel:%s", id);
    redisReply *r = kc_redis_cmd(vs->svc->redis, &err, "EXISTS %s", key);
    bool yes = r && r->type == REDIS_REPLY_INTEGER && r->integer > 0;
    if (r) freeReplyObject(r);
    return yes;
}

void kc_vs_cache_result(struct kc_vsvc *vs, const char *id, const char *text)
{
    struct kc_err err = {0};
    char key[80];
    snprintf(key, sizeof key, "kc:video:result:%s", id);
    if (kc_redis_setex(vs->svc->redis, key, text, strlen(text), KC_VS_RESULT_TTL_S, &err) < 0)
        kc_debug("analysis %s: caching the result: %s", id, err.message);
}

char *kc_vs_result_text(struct kc_vsvc *vs, const char *id, struct kc_err *err)
{
    char key[80], *val = NULL;
    size_t len = 0;
    snprintf(key, sizeof key, "kc:video:result:%s", id);
    struct kc_err cerr = {0};
    if (kc_redis_get(vs->svc->redis, key, &val, &len, &cerr) == 1) return val;
    /* miss (or Redis down): the DB has it; the alias keeps db.h from parsing the document */
    struct kc_db_conn *c = kc_db_acquire(vs->svc->db, err);
    if (!c) return NULL;
    struct kc_db_val p[] = {KC_DBV_TEXT(id)};
    json_t *row = kc_db_query_one(
        c, "SELECT result_json AS result_text FROM video_analyses WHERE id = $1", p, 1, err);
    kc_db_release(vs->svc->db, c);
    const char *text = json_string_value(json_object_get(row, "result_text"));
    char *copy = text ? strdup(text) : NULL;
    json_decref(row);
    if (!copy) {
        kc_err_set(err, KC_E_NOT_FOUND, "no result stored for analysis %s", id);
        return NULL;
    }
    kc_vs_cache_result(vs, id, copy);
    return copy;
}

void kc_vs_live_progress(struct kc_vsvc *vs, const char *id, json_t *doc)
{
    struct kc_err err = {0};
    char key[80];
    snprintf(key, sizeof key, "kc:video:analysis:%s", id);
    redisReply *r = kc_redis_cmd(vs->svc->redis, &err, "HMGET %s status progress stage", key);
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
        r->element[0]->type == REDIS_REPLY_STRING && !strcmp(r->element[0]->str, "running") &&
        r->element[1]->type == REDIS_REPLY_STRING && r->element[2]->type == REDIS_REPLY_STRING) {
        double p = strtod(r->element[1]->str, NULL);
        if (p >= 0 && p <= 1) json_object_set_new(doc, "progress", json_real(p));
        json_object_set_new(doc, "stage", json_string(r->element[2]->str));
    }
    if (r) freeReplyObject(r);
}
