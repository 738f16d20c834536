/*
 * trust_sweep.c — deletion-request routes, the retention purge and the sweeper thread.
 *
 * Routes: an applicant files a request for themselves (POST /me/deletion-requests); a site
 * admin files one for a user acting on a request received elsewhere (POST
 * /admin/deletion-requests {"user_id", "reason"}). Both are processed at once; what could not
 * finish stays pending with a 30-day deadline and is retried by the sweeper, which wakes
 * every KOCRUIT_TRUST_SWEEP_S seconds (default 600) and also runs the retention purge.
 * The requester (or an admin) reads the request and its receipt with GET
 * /deletion-requests/{id}.
 *
 * Purge: per company, analyses older than retention_analyses_days, transcript corrections
 * older than retention_transcripts_days, interview recordings (interview_answers + blob + the
 * video service's analysis) older than retention_recordings_days, and the content of resumes
 * whose applications are all finished and past retention_resumes_days (purge_resumes). The
 * audit log is never purged.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "config.h"
#include "log.h"
#include "trust.h"
#include "trust_internal.h"

static int file_request(struct kc_app *app, int64_t subject, int64_t by, const char *reason,
                        int64_t *id, struct kc_err *err)
{
    struct kc_db_conn *c = kc_db_acquire(app->db, err);
    if (!c) return -1;
    int64_t n = 0;
    int rc = kc_db_query_int(c, "SELECT count(*) FROM users WHERE id = $1 AND role = 'applicant'",
                             KC_ARGS(KC_DBV_INT(subject)), &n, err);
    if (!rc && !n) rc = kc_err_set(err, KC_E_NOT_FOUND, "no such applicant");
    if (!rc) rc = kc_app_begin(c, err);
    if (!rc) {
        long now = kc_now();
        json_t *r = kc_db_query_one(c,
                                    "INSERT INTO deletion_requests(subject_user_id, requested_by, "
                                    "deadline_at, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                                    KC_ARGS(KC_DBV_INT(subject), KC_DBV_INT(by),
                                            KC_DBV_INT(now + KC_TRUST_DEADLINE_S), KC_DBV_INT(now)),
                                    err);
        *id = r ? json_integer_value(json_object_get(r, "id")) : 0;
        json_decref(r);
        if (!r || kc_audit(c, 0, by, "trust.deletion.requested", "deletion_request", *id, reason,
                           json_pack("{s:I}", "subject_user_id", (json_int_t)subject), err)) {
            kc_db_rollback(c);
            rc = -1;
        } else {
            rc = kc_app_commit(c, err);
        }
    }
    kc_db_release(app->db, c);
    return rc;
}

/* One audit entry for a purge step: what kind of data and how many. */
static void audit_purge(struct kc_db_conn *c, const char *what, int64_t n)
{
    struct kc_err e = {0};
    if (!kc_app_begin(c, &e) && !kc_audit(c, 0, 0, "trust.retention.purge", "system", 0, NULL,
                                          json_pack("{s:I}", what, (json_int_t)n), &e))
        kc_app_commit(c, &e);
    else
        kc_db_rollback(c);
}

static void answer_request(struct kc_app *app, struct kc_resp *resp, int64_t id, int status)
{
    struct kc_err err = {0};
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *r = kc_db_query_one(c,
                                "SELECT id, subject_user_id, requested_by, status, deadline_at, "
                                "attempts, last_error, receipt_json, created_at, completed_at "
                                "FROM deletion_requests WHERE id = $1",
                                KC_ARGS(KC_DBV_INT(id)), &err);
    kc_db_release(app->db, c);
    if (!r) KC_FAIL(resp, &err);
    /* the db layer parses *_json columns into the key without the suffix ("receipt") */
    kc_resp_json(resp, status, kc_app_times(r));
}

static void file_and_answer(struct kc_app *app, struct kc_resp *resp, int64_t subject, int64_t by,
                            const char *reason)
{
    struct kc_err err = {0};
    int64_t id;
    if (file_request(app, subject, by, reason, &id, &err)) KC_FAIL(resp, &err);
    struct kc_err perr = {0};
    if (kc_trust_delete_process(app, id, &perr))
        kc_warn("deletion request %lld pending: %s", (long long)id, perr.message);
    answer_request(app, resp, id, 202);
}

void kc_api_trust_delete_me(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    const struct kc_user *u = kc_app_user(req);
    file_and_answer(ctx, resp, u->id, u->id, NULL);
}

void kc_api_trust_delete_admin(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    json_t *uid = json_object_get(b, "user_id");
    const char *reason = json_string_value(json_object_get(b, "reason"));
    if (!json_is_integer(uid) || json_integer_value(uid) < 1) {
        KC_ERRF(resp, KC_E_INVALID, "user_id", "user_id: a positive integer is required");
    }
    if (!reason || !*reason || strlen(reason) > 2000) {
        KC_ERRF(resp, KC_E_INVALID, "reason",
                "reason: 1..2000 bytes describing the request acted on");
    }
    file_and_answer(ctx, resp, json_integer_value(uid), kc_app_user(req)->id, reason);
}

void kc_api_trust_delete_get(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id, by = 0;
    const struct kc_user *u = kc_app_user(req);
    if (kc_app_path_id(req, resp, "id", &id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    int rc = kc_db_query_int(c, "SELECT requested_by FROM deletion_requests WHERE id = $1",
                             KC_ARGS(KC_DBV_INT(id)), &by, &err);
    kc_db_release(app->db, c);
    if (rc < 0) KC_FAIL(resp, &err);
    if (rc == 1 || (by != u->id && strcmp(u->role, "admin") != 0))
        KC_ERRF(resp, KC_E_NOT_FOUND, NULL, "no such deletion request");
    answer_request(app, resp, id, 200);
}

/* Recordings (interview answers of the AI feature) past retention_recordings_days: the video
 * service forgets the analysis, the row goes, and the blob when no one else references it. */
static int64_t purge_recordings(struct kc_app *app, struct kc_db_conn *c, long now,
                                struct kc_err *err)
{
    json_t *old = kc_db_query(c,
                              "SELECT w.id, w.remote_id, w.blob_sha256 FROM interview_answers w "
                              "JOIN applications a ON a.id = w.application_id JOIN job_posts j ON "
                              "j.id = a.job_id LEFT JOIN trust_policies p ON p.company_id = "
                              "j.company_id WHERE w.created_at < $1 - 86400 * "
                              "coalesce(p.retention_recordings_days, 180) LIMIT 200",
                              KC_ARGS(KC_DBV_INT(now)), err);
    if (!old) return -1;
    int64_t n = 0;
    size_t i;
    json_t *r;
    json_array_foreach(old, i, r)
    {
        struct kc_err e = {0};
        const char *rid = json_string_value(json_object_get(r, "remote_id"));
        const char *h = json_string_value(json_object_get(r, "blob_sha256"));
        char path[800];
        if (rid &&
            strspn(rid, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-") ==
                strlen(rid)) {
            snprintf(path, sizeof path, "/v1/analyses/%.64s", rid);
            long st = kc_trust_http_delete(app->cfg->video_url, path, app->cfg->internal_token, &e);
            if (st != 200 && st != 204 && st != 404) continue; /* retried at the next sweep */
        }
        if (kc_db_exec(c, "DELETE FROM interview_answers WHERE id = $1",
                       KC_ARGS(KC_DBV_INT(json_integer_value(json_object_get(r, "id")))), &e) < 0)
            continue;
        n++;
        if (h && kc_trust_drop_blob(c, h, &e) > 0 && kc_blob_path(app, h, path, sizeof path) == 0)
            unlink(path);
    }
    json_decref(old);
    if (n) audit_purge(c, "interview_answers", n);
    return n;
}

/* Resumes whose every application is finished and past its company's
 * retention_resumes_days: the content is blanked (text, parsed and reviewed sections, file
 * name, blob) so the application rows stay valid for the bias audit, the agent drops the
 * resume from its similarity index, and the blob goes when no one else references it.
 * Resumes never used in an application are the applicant's own and stay until they delete
 * them. */
static int64_t purge_resumes(struct kc_app *app, struct kc_db_conn *c, long now, struct kc_err *err)
{
    json_t *old = kc_db_query(c,
                              "SELECT r.id, r.blob_sha256 FROM resumes r WHERE r.text <> '' AND "
                              "EXISTS (SELECT 1 FROM applications a WHERE a.resume_id = r.id) "
                              "AND NOT EXISTS (SELECT 1 FROM applications a JOIN job_posts j ON "
                              "j.id = a.job_id LEFT JOIN trust_policies p ON p.company_id = "
                              "j.company_id WHERE a.resume_id = r.id AND (a.status IN "
                              "('in_progress', 'on_hold') OR a.updated_at >= $1 - 86400 * "
                              "coalesce(p.retention_resumes_days, 365))) LIMIT 200",
                              KC_ARGS(KC_DBV_INT(now)), err);
    if (!old) return -1;
    int64_t n = 0;
    size_t i;
    json_t *r;
    json_array_foreach(old, i, r)
    {
        struct kc_err e = {0};
        char path[800];
        int64_t id = json_integer_value(json_object_get(r, "id"));
        const char *h = json_string_value(json_object_get(r, "blob_sha256"));
        snprintf(path, sizeof path, "/v1/similarity/%lld", (long long)id);
        long st = kc_trust_http_delete(app->cfg->agent_url, path, app->cfg->internal_token, &e);
        if (st != 200 && st != 204 && st != 404) continue; /* retried at the next sweep */
        if (kc_db_exec(c,
                       "UPDATE resumes SET text = '', parsed_json = '{}', sections_json = '{}', "
                       "filename = '', blob_sha256 = NULL, updated_at = $2 WHERE id = $1",
                       KC_ARGS(KC_DBV_INT(id), KC_DBV_INT(now)), &e) < 0)
            continue;
        n++;
        if (h && kc_trust_drop_blob(c, h, &e) > 0 && kc_blob_path(app, h, path, sizeof path) == 0)
            unlink(path);
    }
    json_decref(old);
    if (n) audit_purge(c, "resumes_blanked", n);
    return n;
}

int64_t kc_trust_purge(struct kc_app *app, long now, struct kc_err *err)
{
    struct kc_db_conn *c = kc_db_acquire(app->db, err);
    if (!c) return -1;
    int64_t total = -1, n1 = -1, n2 = -1;
    if (!kc_app_begin(c, err)) {
        n1 = kc_db_exec(c,
                        "DELETE FROM transcript_corrections WHERE id IN (SELECT t.id FROM "
                        "transcript_corrections t JOIN applications a ON a.id = t.application_id "
                        "JOIN job_posts j ON j.id = a.job_id LEFT JOIN trust_policies p ON "
                        "p.company_id = j.company_id WHERE t.created_at < $1 - 86400 * "
                        "coalesce(p.retention_transcripts_days, 180))",
                        KC_ARGS(KC_DBV_INT(now)), err);
        n2 = n1 < 0 ? -1
                    : kc_db_exec(c,
                                 "DELETE FROM analyses WHERE id IN (SELECT x.id FROM analyses x "
                                 "JOIN applications a ON a.id = x.application_id JOIN job_posts "
                                 "j ON j.id = a.job_id LEFT JOIN trust_policies p ON "
                                 "p.company_id = j.company_id WHERE x.created_at < $1 - 86400 * "
                                 "coalesce(p.retention_analyses_days, 180))",
                                 KC_ARGS(KC_DBV_INT(now)), err);
        if (n2 >= 0 &&
            (n1 + n2 == 0 || !kc_audit(c, 0, 0, "trust.retention.purge", "system", 0, NULL,
                                       json_pack("{s:I,s:I}", "transcript_corrections",
                                                 (json_int_t)n1, "analyses", (json_int_t)n2),
                                       err)))
            total = kc_app_commit(c, err) ? -1 : n1 + n2;
        else
            kc_db_rollback(c);
    }
    int64_t rec = total < 0 ? 0 : purge_recordings(app, c, now, err);
    int64_t res = total < 0 || rec < 0 ? 0 : purge_resumes(app, c, now, err);
    kc_db_release(app->db, c);
    return total < 0 || rec < 0 || res < 0 ? -1 : total + rec + res;
}

static struct {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int running, stop;
    long period_s;
} S = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void sweep_once(struct kc_app *app)
{
    struct kc_err err = {0};
    struct kc_db_conn *c = kc_db_acquire(app->db, &err);
    int64_t overdue = 0;
    if (c &&
        kc_db_query_int(c,
                        "SELECT count(*) FROM deletion_requests WHERE status = 'pending' AND "
                        "deadline_at < $1",
                        KC_ARGS(KC_DBV_INT(kc_now())), &overdue, &err) == 0 &&
        overdue)
        kc_error("%lld deletion request(s) are past their 30-day deadline", (long long)overdue);
    json_t *rows = c ? kc_db_query(c,
                                   "SELECT id FROM deletion_requests WHERE status = 'pending' "
                                   "ORDER BY deadline_at LIMIT 100",
                                   NULL, 0, &err)
                     : NULL;
    if (c) kc_db_release(app->db, c);
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        struct kc_err e = {0};
        if (kc_trust_delete_process(app, json_integer_value(json_object_get(r, "id")), &e))
            kc_warn("deletion request still pending: %s", e.message);
    }
    json_decref(rows);
    struct kc_err pe = {0};
    if (kc_trust_purge(app, kc_now(), &pe) < 0) kc_warn("retention purge failed: %s", pe.message);
}

static void *sweeper(void *arg)
{
    struct kc_app *app = arg;
    pthread_mutex_lock(&S.mu);
    while (!S.stop) {
        pthread_mutex_unlock(&S.mu);
        sweep_once(app);
        pthread_mutex_lock(&S.mu);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += S.period_s;
        while (!S.stop && pthread_cond_timedwait(&S.cv, &S.mu, &ts) == 0) {
        }
    }
    pthread_mutex_unlock(&S.mu);
    return NULL;
}

int kc_trust_start(struct kc_app *app, struct kc_err *err)
{
    const char *p = getenv("KOCRUIT_TRUST_SWEEP_S");
    char *end = NULL;
    S.period_s = p && *p ? strtol(p, &end, 10) : 600;
    if ((p && *p && *end) || S.period_s < 1 || S.period_s > 86400)
        return kc_err_set(err, KC_E_INVALID, "KOCRUIT_TRUST_SWEEP_S: an integer in 1..86400");
    S.stop = 0;
    if (pthread_create(&S.th, NULL, sweeper, app) != 0)
        return kc_err_set(err, KC_E_INTERNAL, "cannot start the trust sweeper");
    S.running = 1;
    return 0;
}

void kc_trust_stop(void *app)
{
    (void)app;
    if (!S.running) return;
    pthread_mutex_lock(&S.mu);
    S.stop = 1;
    pthread_cond_broadcast(&S.cv);
    pthread_mutex_unlock(&S.mu);
    pthread_join(S.th, NULL);
    S.running = 0;
}
