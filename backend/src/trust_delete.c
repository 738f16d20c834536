/*
 * trust_delete.c — deletion on request (30-day deadline), the deletion receipt, the
 * retention purge and the sweeper thread that runs both.
 *
 * A request (deletion_requests) is processed immediately when filed and again by the
 * sweeper until done. Processing: (1) outside any transaction, ask the video service to
 * delete the subject (DELETE /v1/subjects/{user id}) and the agent to drop each resume from
 * the similarity index (DELETE /v1/similarity/{resume id}); 200/204/404 count as done, an
 * unreachable or failing service leaves the request pending with last_error (retried);
 * (2) in one transaction remove resumes, applications (cascading stages, memos, slots,
 * evaluations, consents, requests, demographics, analyses), the AI feature's screening
 * results, questions, uploads and interview answers (0004_ai.sql), notifications, tokens,
 * outbox mail, invitations to the address, blobs nobody else references (and the partial
 * upload files); anonymise the user row;
 * audit the completion with counts only; store the receipt; (3) unlink the blob files and
 * delete the Redis keys the backend wrote for the person (login rate-limit counters keyed by
 * the sha256 of the e-mail). The receipt lists counts, the removed blob sha256s and the
 * sha256 of the receipt body itself; it holds no name or e-mail.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "config.h"
#include "log.h"
#include "ratelimit.h"
#include "trust.h"
#include "trust_internal.h"

/* Delete the blob row when nothing references it any more (see trust_internal.h). */
int64_t kc_trust_drop_blob(struct kc_db_conn *c, const char *sha256, struct kc_err *err)
{
    return kc_db_exec(c,
                      "DELETE FROM blobs WHERE sha256 = $1 AND NOT EXISTS (SELECT 1 FROM resumes "
                      "WHERE blob_sha256 = $1) AND NOT EXISTS (SELECT 1 FROM analyses WHERE "
                      "input_blob = $1) AND NOT EXISTS (SELECT 1 FROM interview_answers WHERE "
                      "blob_sha256 = $1)",
                      KC_ARGS(KC_DBV_TEXT(sha256)), err);
}

static size_t discard(char *p, size_t s, size_t n, void *u)
{
    (void)p, (void)u;
    return s * n;
}

long kc_trust_http_delete(const char *base, const char *path, const char *token, struct kc_err *err)
{
    char url[600], hdr[200];
    if (!base || !*base) return kc_err_set(err, KC_E_UNAVAILABLE, "service URL not configured");
    CURL *h = curl_easy_init();
    if (!h) return kc_err_set(err, KC_E_NOMEM, "curl_easy_init failed");
    snprintf(url, sizeof url, "%s%s", base, path);
    snprintf(hdr, sizeof hdr, "X-Internal-Token: %s", token ? token : "");
    struct curl_slist *hs = curl_slist_append(NULL, hdr);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(h);
    long st = -1;
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st);
    else
        kc_err_set(err, KC_E_UNAVAILABLE, "%s: %s", url, curl_easy_strerror(rc));
    curl_slist_free_all(hs);
    curl_easy_cleanup(h);
    return st;
}

static int remote_ok(long st)
{
    return st == 200 || st == 204 || st == 404;
}

/* Step 1: remote deletions. Returns the report array; *failed set when any did not finish. */
static json_t *delete_remote(struct kc_app *app, int64_t uid, json_t *resumes, int *failed)
{
    json_t *rep = json_array(), *r;
    char path[96];
    size_t i;
    struct kc_err e = {0};
    snprintf(path, sizeof path, "/v1/subjects/%lld", (long long)uid);
    long st = kc_trust_http_delete(app->cfg->video_url, path, app->cfg->internal_token, &e);
    *failed = !remote_ok(st);
    json_array_append_new(rep, json_pack("{s:s,s:s,s:I}", "service", "video-analysis", "target",
                                         "subject", "http_status", (json_int_t)st));
    json_array_foreach(resumes, i, r)
    {
        struct kc_err e2 = {0};
        json_int_t rid = json_integer_value(json_object_get(r, "id"));
        snprintf(path, sizeof path, "/v1/similarity/%lld", (long long)rid);
        st = kc_trust_http_delete(app->cfg->agent_url, path, app->cfg->internal_token, &e2);
        if (!remote_ok(st)) *failed = 1;
        json_array_append_new(rep, json_pack("{s:s,s:s,s:I}", "service", "agent", "target",
                                             "similarity_doc", "http_status", (json_int_t)st));
    }
    return rep;
}

struct del_step {
    const char *name, *sql;
};

/* $1 = user id. Order matters: children before parents where no cascade exists. */
static const struct del_step STEPS[] = {
    {"transcript_corrections", "DELETE FROM transcript_corrections WHERE application_id IN "
                               "(SELECT id FROM applications WHERE applicant_id = $1)"},
    {"rights_requests", "DELETE FROM rights_requests WHERE application_id IN "
                        "(SELECT id FROM applications WHERE applicant_id = $1)"},
    {"demographics", "DELETE FROM demographics WHERE application_id IN "
                     "(SELECT id FROM applications WHERE applicant_id = $1)"},
    {"consents", "DELETE FROM consents WHERE application_id IN "
                 "(SELECT id FROM applications WHERE applicant_id = $1)"},
    {"screening_results", "DELETE FROM screening_results WHERE application_id IN "
                          "(SELECT id FROM applications WHERE applicant_id = $1)"},
    {"ai_questions", "DELETE FROM ai_questions WHERE application_id IN "
                     "(SELECT id FROM applications WHERE applicant_id = $1)"},
    {"interview_uploads", "DELETE FROM interview_uploads WHERE owner_id = $1 OR application_id "
                          "IN (SELECT id FROM applications WHERE applicant_id = $1)"},
    {"interview_answers", "DELETE FROM interview_answers WHERE application_id IN "
                          "(SELECT id FROM applications WHERE applicant_id = $1)"},
    {"analyses", "DELETE FROM analyses WHERE application_id IN "
                 "(SELECT id FROM applications WHERE applicant_id = $1)"},
    {"evaluations", "DELETE FROM evaluations WHERE application_id IN "
                    "(SELECT id FROM applications WHERE applicant_id = $1)"},
    {"memos", "DELETE FROM memos WHERE application_id IN "
              "(SELECT id FROM applications WHERE applicant_id = $1)"},
    {"applications", "DELETE FROM applications WHERE applicant_id = $1"},
    {"resumes", "DELETE FROM resumes WHERE owner_id = $1"},
    {"notifications", "DELETE FROM notifications WHERE user_id = $1"},
    {"refresh_tokens", "DELETE FROM refresh_tokens WHERE user_id = $1"},
    {"password_resets", "DELETE FROM password_resets WHERE user_id = $1"},
    {"email_outbox", "DELETE FROM email_outbox WHERE to_addr = (SELECT email FROM users WHERE "
                     "id = $1) COLLATE NOCASE"},
    {"invitations", "DELETE FROM invitations WHERE email = (SELECT email FROM users WHERE id = "
                    "$1) AND invited_by <> $1"},
};

/* Blobs of the person's resumes and interview answers that no one else references. */
static json_t *orphan_blobs(struct kc_db_conn *c, int64_t uid, struct kc_err *err)
{
    return kc_db_query(
        c,
        "WITH mine(h) AS (SELECT blob_sha256 FROM resumes WHERE owner_id = $1 UNION SELECT "
        "w.blob_sha256 FROM interview_answers w JOIN applications a ON a.id = w.application_id "
        "WHERE a.applicant_id = $1 UNION SELECT x.input_blob FROM analyses x JOIN applications a "
        "ON a.id = x.application_id WHERE a.applicant_id = $1) "
        "SELECT DISTINCT h AS sha256 FROM mine WHERE h IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
        "resumes o WHERE o.blob_sha256 = h AND o.owner_id <> $1) AND NOT EXISTS (SELECT 1 FROM "
        "interview_answers w JOIN applications a ON a.id = w.application_id WHERE w.blob_sha256 = "
        "h AND a.applicant_id <> $1) AND NOT EXISTS (SELECT 1 FROM analyses x JOIN applications a "
        "ON a.id = x.application_id WHERE x.input_blob = h AND a.applicant_id <> $1)",
        KC_ARGS(KC_DBV_INT(uid)), err);
}

static int delete_rows(struct kc_db_conn *c, int64_t uid, json_t *blobs, json_t *counts,
                       struct kc_err *err)
{
    for (size_t i = 0; i < sizeof STEPS / sizeof STEPS[0]; i++) {
        int64_t n = kc_db_exec(c, STEPS[i].sql, KC_ARGS(KC_DBV_INT(uid)), err);
        if (n < 0) return -1;
        json_object_set_new(counts, STEPS[i].name, json_integer(n));
    }
    size_t i;
    json_t *b;
    json_array_foreach(blobs, i, b)
    {
        const char *h = json_string_value(json_object_get(b, "sha256"));
        if (kc_trust_drop_blob(c, h, err) < 0) return -1;
    }
    char anon[64];
    snprintf(anon, sizeof anon, "deleted-%lld@deleted.invalid", (long long)uid);
    return kc_db_exec(c,
                      "UPDATE users SET email = $2, name = '', password_hash = '!deleted', "
                      "token_version = token_version + 1 WHERE id = $1",
                      KC_ARGS(KC_DBV_INT(uid), KC_DBV_TEXT(anon)), err) < 0
               ? -1
               : 0;
}

static json_t *make_receipt(int64_t req_id, int64_t uid, json_t *counts, json_t *blobs,
                            json_t *remote, int redis_keys)
{
    json_t *hashes = json_array(), *b;
    size_t i;
    json_array_foreach(blobs, i, b) json_array_append(hashes, json_object_get(b, "sha256"));
    json_t *r =
        json_pack("{s:I,s:I,s:I,s:O,s:{s:I,s:o},s:O,s:I}", "request_id", (json_int_t)req_id,
                  "subject_user_id", (json_int_t)uid, "completed_at", (json_int_t)kc_now(),
                  "rows_removed", counts, "blobs", "count", (json_int_t)json_array_size(hashes),
                  "sha256", hashes, "remote", remote, "redis_keys_removed", (json_int_t)redis_keys);
    char *s = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS), hex[65];
    kc_token_sha256_hex(s ? s : "", hex);
    free(s);
    json_object_set_new(r, "receipt_sha256", json_string(hex));
    json_object_set_new(r, "user_row",
                        json_string("anonymised (id kept; e-mail and name removed)"));
    return r;
}

static int redis_cleanup(struct kc_app *app, const char *email)
{
    char key[160];
    struct kc_err e = {0};
    int n = 0;
    if (!email || !app->redis) return 0;
    kc_ratelimit_key("login-email", email, key, sizeof key);
    redisReply *r = kc_redis_cmd(app->redis, &e, "DEL %s", key);
    if (r && r->type == REDIS_REPLY_INTEGER) n += (int)r->integer;
    if (r) freeReplyObject(r);
    return n;
}

static void unlink_uploads(struct kc_app *app, json_t *ups)
{
    size_t i;
    json_t *u;
    char path[800];
    json_array_foreach(ups, i, u)
    {
        const char *id = json_string_value(json_object_get(u, "id"));
        if (!id || strspn(id, "0123456789abcdefABCDEF") != 32) continue;
        snprintf(path, sizeof path, "%s/ai-uploads/%s.part", app->cfg->data_dir, id);
        unlink(path);
    }
}

static void unlink_blobs(struct kc_app *app, json_t *blobs)
{
    size_t i;
    json_t *b;
    char path[800];
    json_array_foreach(blobs, i, b)
    {
        if (kc_blob_path(app, json_string_value(json_object_get(b, "sha256")), path, sizeof path) ==
            0)
            unlink(path);
    }
}

/* Step 2 in one transaction; blobs and email are read inside it. */
static int delete_local(struct kc_app *app, struct kc_db_conn *c, int64_t req_id, int64_t uid,
                        json_t *remote, struct kc_err *err)
{
    int64_t pending = 0;
    if (kc_app_begin(c, err)) return -1;
    /* the sweeper and the request path may race: the first to commit wins, the other stops */
    if (kc_db_query_int(c,
                        "SELECT count(*) FROM deletion_requests WHERE id = $1 AND status = "
                        "'pending'",
                        KC_ARGS(KC_DBV_INT(req_id)), &pending, err) < 0 ||
        !pending) {
        kc_db_rollback(c);
        return pending ? -1 : 0;
    }
    json_t *blobs = orphan_blobs(c, uid, err), *counts = json_object();
    json_t *ups = kc_db_query(c,
                              "SELECT id FROM interview_uploads WHERE owner_id = $1 OR "
                              "application_id IN (SELECT id FROM applications WHERE "
                              "applicant_id = $1)",
                              KC_ARGS(KC_DBV_INT(uid)), err);
    if (!ups) json_decref(blobs), blobs = NULL;
    json_t *u = blobs ? kc_db_query_one(c, "SELECT email FROM users WHERE id = $1",
                                        KC_ARGS(KC_DBV_INT(uid)), err)
                      : NULL;
    char email[320] = "";
    if (u) snprintf(email, sizeof email, "%s", json_string_value(json_object_get(u, "email")));
    json_decref(u);
    int rc = u ? delete_rows(c, uid, blobs, counts, err) : -1;
    int keys = rc ? 0 : redis_cleanup(app, email);
    json_t *receipt = rc ? NULL : make_receipt(req_id, uid, counts, blobs, remote, keys);
    char *rs = receipt ? json_dumps(receipt, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (!rc &&
        (!rs ||
         kc_db_exec(c,
                    "UPDATE deletion_requests SET status = 'done', receipt_json = "
                    "$2, completed_at = $3, last_error = NULL WHERE id = $1",
                    KC_ARGS(KC_DBV_INT(req_id), KC_DBV_TEXT(rs), KC_DBV_INT(kc_now())), err) < 0))
        rc = -1;
    if (!rc)
        rc = kc_audit(
            c, 0, 0, "trust.deletion.completed", "deletion_request", req_id, NULL,
            json_pack("{s:I,s:O}", "subject_user_id", (json_int_t)uid, "rows_removed", counts),
            err);
    free(rs);
    json_decref(receipt);
    json_decref(counts);
    if (!rc)
        rc = kc_app_commit(c, err);
    else
        kc_db_rollback(c);
    if (!rc) unlink_blobs(app, blobs), unlink_uploads(app, ups);
    json_decref(blobs);
    json_decref(ups);
    return rc;
}

int kc_trust_delete_process(struct kc_app *app, int64_t request_id, struct kc_err *err)
{
    struct kc_db_conn *c = kc_db_acquire(app->db, err);
    if (!c) return -1;
    json_t *rq = kc_db_query_one(c,
                                 "SELECT subject_user_id, status FROM deletion_requests WHERE id "
                                 "= $1",
                                 KC_ARGS(KC_DBV_INT(request_id)), err);
    int rc = rq ? 0 : -1, failed = 0;
    int64_t uid = rq ? json_integer_value(json_object_get(rq, "subject_user_id")) : 0;
    if (rq && strcmp(json_string_value(json_object_get(rq, "status")), "pending") != 0) {
        json_decref(rq);
        kc_db_release(app->db, c);
        return 0;
    }
    json_decref(rq);
    json_t *resumes = rc ? NULL
                         : kc_db_query(c, "SELECT id FROM resumes WHERE owner_id = $1",
                                       KC_ARGS(KC_DBV_INT(uid)), err);
    json_t *remote = resumes ? delete_remote(app, uid, resumes, &failed) : NULL;
    json_decref(resumes);
    if (!remote)
        rc = -1;
    else if (failed)
        rc = kc_err_set(err, KC_E_UNAVAILABLE, "a service did not confirm deletion");
    else
        rc = delete_local(app, c, request_id, uid, remote, err);
    if (rc) {
        struct kc_err e2 = {0};
        char *why = remote ? json_dumps(remote, JSON_COMPACT) : NULL;
        kc_db_exec(c,
                   "UPDATE deletion_requests SET attempts = attempts + 1, last_error = $2 WHERE "
                   "id = $1",
                   KC_ARGS(KC_DBV_INT(request_id), KC_DBV_TEXT(why ? why : err->message)), &e2);
        free(why);
    }
    json_decref(remote);
    kc_db_release(app->db, c);
    return rc;
}
