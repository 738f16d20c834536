/*
 * service_delete.c — withdrawal of consent and deletion on request (DESIGN.md, Trust features).
 *
 * Deleting an analysis, in this order:
 *   1. set kc:video:cancel:<id> so a worker running it kills its child at the next check;
 *   2. turn the row into a tombstone in one UPDATE: status cancelled (was queued/running) or
 *      deleted (was done/failed), every derived or personal column NULL, deleted_at set;
 *   3. remove the media file unless another live analysis uses the same content (the file is
 *      content-addressed, so two analyses may share it; the receipt says so);
 *   4. delete the Redis state hash and cached report, and the job's work files;
 *   5. publish a final event so open SSE streams end.
 * The receipt lists exactly what was removed. Deleting a tombstone again is not an error: it
 * returns a receipt that says nothing was left.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/db.h"
#include "core/log.h"
#include "core/redis.h"
#include "service_private.h"

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int64_t tombstone(struct kc_vsvc *vs, const char *id, const char *status, const char *now,
                         struct kc_err *err)
{
    struct kc_db_conn *c = kc_db_acquire(vs->svc->db, err);
    if (!c) return -1;
    struct kc_db_val p[] = {KC_DBV_TEXT(id), KC_DBV_TEXT(status), KC_DBV_TEXT(now)};
    int64_t n = kc_db_exec(c,
                           "UPDATE video_analyses SET status = $2, stage = $2, deleted_at = $3, "
                           "finished_at = COALESCE(finished_at, $3), input_sha256 = NULL, "
                           "input_path = NULL, input_bytes = NULL, options_json = NULL, "
                           "consent_json = NULL, result_json = NULL, error = NULL, "
                           "application_id = NULL, subject_id = NULL "
                           "WHERE id = $1 AND status NOT IN ('cancelled', 'deleted')",
                           p, 3, err);
    kc_db_release(vs->svc->db, c);
    return n;
}

/* How many live analyses still use this input. -1 on error. */
static int64_t media_users(struct kc_vsvc *vs, const char *sha, struct kc_err *err)
{
    struct kc_db_conn *c = kc_db_acquire(vs->svc->db, err);
    if (!c) return -1;
    struct kc_db_val p[] = {KC_DBV_TEXT(sha)};
    int64_t n = -1;
    if (kc_db_query_int(c, "SELECT COUNT(*) FROM video_analyses WHERE input_sha256 = $1", p, 1, &n,
                        err) < 0)
        n = -1;
    kc_db_release(vs->svc->db, c);
    return n;
}

static json_t *remove_media(struct kc_vsvc *vs, const char *sha)
{
    struct kc_err err = {0};
    if (!sha || !kc_vs_valid_sha256(sha)) return json_string("none stored");
    int64_t users = media_users(vs, sha, &err);
    if (users < 0) return json_sprintf("kept: could not check other users (%s)", err.message);
    if (users > 0)
        return json_sprintf("kept: the same content belongs to %lld other analysis(es)",
                            (long long)users);
    char path[800];
    snprintf(path, sizeof path, "%s/%s", vs->media_dir, sha);
    if (unlink(path) == 0) return json_string("deleted");
    if (errno == ENOENT) return json_string("none stored");
    return json_sprintf("deletion failed: %s", strerror(errno));
}

static json_t *remove_redis(struct kc_vsvc *vs, const char *id)
{
    static const char *const prefix[] = {"kc:video:analysis:", "kc:video:result:"};
    json_t *keys = json_array();
    for (size_t i = 0; i < 2; i++) {
        char key[96];
        struct kc_err err = {0};
        snprintf(key, sizeof key, "%s%s", prefix[i], id);
        if (kc_redis_del(vs->svc->redis, key, &err) == 0)
            json_array_append_new(keys, json_string(key));
        else
            kc_warn("analysis %s: deleting %s: %s", id, key, err.message);
    }
    return keys;
}

static void remove_work_files(struct kc_vsvc *vs, const char *id)
{
    static const char *const ext[] = {"options.json", "out.json", "stderr", "fetch"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        char p[800];
        kc_vs_work_path(vs, id, ext[i], p, sizeof p);
        unlink(p);
    }
}

static int set_cancel_flag(struct kc_vsvc *vs, const char *id, struct kc_err *err)
{
    char key[96];
    snprintf(key, sizeof key, "kc:video:cancel:%s", id);
    return kc_redis_setex(vs->svc->redis, key, "1", 1, KC_VS_CANCEL_TTL_S, err);
}

json_t *kc_vs_delete(struct kc_vsvc *vs, const char *id, struct kc_err *err)
{
    json_t *row = kc_vs_row(vs, id, err);
    if (!row) return NULL;
    const char *prev = str(row, "status");
    char now[32];
    kc_vs_now(now);
    if (!strcmp(prev, "cancelled") || !strcmp(prev, "deleted")) {
        json_t *r = json_pack("{s:s,s:s,s:s,s:O,s:s}", "id", id, "status", prev, "previous_status",
                              prev, "deleted_at", json_object_get(row, "deleted_at"), "note",
                              "already removed; nothing was left to delete");
        json_decref(row);
        return r;
    }
    bool live = !strcmp(prev, "queued") || !strcmp(prev, "running");
    const char *status = live ? "cancelled" : "deleted";
    /* The flag must exist before the row changes: a worker that sees the tombstone but no
     * flag would otherwise keep its child running until the next progress check. */
    if (live && set_cancel_flag(vs, id, err) < 0) {
        json_decref(row);
        return NULL;
    }
    if (tombstone(vs, id, status, now, err) < 0) {
        json_decref(row);
        return NULL;
    }
    char *sha = str(row, "input_sha256") ? strdup(str(row, "input_sha256")) : NULL;
    json_t *receipt = json_pack(
        "{s:s,s:s,s:s,s:s,s:{s:b,s:s,s:s,s:s,s:s,s:o,s:o,s:s}}", "id", id, "status", status,
        "previous_status", prev, "deleted_at", now, "removed", "result",
        json_integer_value(json_object_get(row, "has_result")) != 0, "options", "deleted",
        "consent", "deleted", "subject_and_application_ids", "deleted", "input_hash", "deleted",
        "media", remove_media(vs, sha), "redis_keys", remove_redis(vs, id), "job_files", "deleted");
    remove_work_files(vs, id);
    kc_vs_announce(vs, id, status, json_number_value(json_object_get(row, "progress")), status,
                   NULL);
    /* the state hash was just re-created by the announcement; a tombstone keeps none */
    json_decref(remove_redis(vs, id));
    kc_info("analysis %s %s (was %s)", id, status, prev);
    free(sha);
    json_decref(row);
    return receipt;
}

json_t *kc_vs_delete_subject(struct kc_vsvc *vs, const char *subject_id, struct kc_err *err)
{
    struct kc_db_conn *c = kc_db_acquire(vs->svc->db, err);
    if (!c) return NULL;
    struct kc_db_val p[] = {KC_DBV_TEXT(subject_id)};
    json_t *rows = kc_db_query(c, "SELECT id FROM video_analyses WHERE subject_id = $1 ORDER BY id",
                               p, 1, err);
    kc_db_release(vs->svc->db, c);
    if (!rows) return NULL;
    char now[32];
    kc_vs_now(now);
    json_t *items = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        struct kc_err e = {0};
        json_t *one = kc_vs_delete(vs, str(r, "id"), &e);
        if (!one) one = json_pack("{s:s,s:s}", "id", str(r, "id"), "error", e.message);
        json_array_append_new(items, one);
    }
    json_decref(rows);
    return json_pack("{s:s,s:s,s:I,s:o,s:s}", "subject_id", subject_id, "deleted_at", now, "count",
                     (json_int_t)json_array_size(items), "analyses", items, "note",
                     "every analysis of this subject: media, results, options, consent, caches "
                     "and job files removed; rows kept as tombstones without personal data");
}
