/*
 * ai_analyses.c — interview answers' analyses: list, report relay, progress relay, grading.
 *
 * An "analysis" here is an interview answer (interview_answers.id) and the video service's
 * analysis of it (remote_id). GET /analyses/{id} refreshes a requested/running analysis from
 * the video service (GET /v1/analyses/{remote}); a finished report is cached in Redis under
 * kc:backend:analysis:<answer id>:<remote id> (ANALYSIS_TTL_S) and never stored elsewhere,
 * so deleting it at the video service plus this key removes it. When the analysis is done
 * and answer_grading was consented, the transcript is graded once by the agent (/v1/grade
 * with the question text) and the grade stored in grade_json; recruiters see it, the
 * applicant sees their own report without the grade.
 *
 * Access: the applicant sees their own answers; recruiters of the job's company see every
 * answer; another company gets 404. Every staff view of a recording's report is audited
 * ("recording.view"). The current consent is re-read on every view: after a withdrawal
 * the report is no longer relayed and nothing more is graded. In a blind-review job
 * (trust.h) staff get the transcript-only report with the applicant's name and e-mail
 * replaced by a pseudonym (shape_for_viewer, ai_blind.c). The first relay of a finished
 * report and every stored grade are audited with their provenance (ai_provenance.c).
 *
 * GET /analyses/{id}/events relays kc:progress:<remote id> (subscribed on its own Redis
 * connection) as Server-Sent Events: "event: progress" for each message, and the terminal
 * status (done | failed | cancelled | deleted) as the last event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai.h"
#include "config.h"
#include "log.h"
#include "trust.h"

#define ANALYSIS_TTL_S 86400
#define SSE_MAX_IDLE   600 /* seconds of silence before the relay ends the stream */

json_t *kc_ai_answer_for(struct kc_app *app, struct kc_db_conn *c, const struct kc_user *u,
                         int64_t answer_id, enum kc_app_access *access, struct kc_err *err)
{
    (void)app;
    json_t *row =
        kc_db_query_one(c,
                        "SELECT id, application_id, question_id, blob_sha256, mime, "
                        "started_at, ended_at, language, status, remote_id, consent_json, "
                        "error, "
                        "grade_json, created_at, updated_at FROM interview_answers "
                        "WHERE id = $1",
                        KC_ARGS(KC_DBV_INT(answer_id)), err);
    if (!row) {
        if (err->code == KC_E_NOT_FOUND) kc_err_set(err, KC_E_NOT_FOUND, "no such analysis");
        return NULL;
    }
    int64_t app_id = json_integer_value(json_object_get(row, "application_id"));
    json_t *a = kc_application_load(c, u, app_id, access, err);
    if (a && *access == KC_ACCESS_INTERVIEWER) *access = KC_ACCESS_NONE;
    if (!a || *access == KC_ACCESS_NONE) {
        json_decref(a);
        json_decref(row);
        kc_err_set(err, KC_E_NOT_FOUND, "no such analysis");
        return NULL;
    }
    if (*access != KC_ACCESS_APPLICANT &&
        kc_audit(c, json_integer_value(json_object_get(a, "company_id")), u->id, "recording.view",
                 "application", app_id, NULL,
                 json_pack("{s:I}", "answer_id", (json_int_t)answer_id), err)) {
        json_decref(a);
        json_decref(row);
        return NULL;
    }
    json_object_set(row, "job_id", json_object_get(a, "job_id"));
    json_decref(a);
    return row;
}

void kc_api_ai_analyses_list(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    enum kc_app_access acc;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *a = kc_application_load(c, kc_app_user(req), id, &acc, &err), *rows = NULL;
    if (a && acc == KC_ACCESS_INTERVIEWER)
        kc_err_set(&err, KC_E_NOT_FOUND, "no such application");
    else if (a)
        rows = kc_db_query(c,
                           "SELECT id, question_id, mime, status, error, remote_id IS NOT NULL "
                           "AS sent, grade_json IS NOT NULL AS graded, created_at, updated_at "
                           "FROM interview_answers WHERE application_id = $1 ORDER BY id",
                           KC_ARGS(KC_DBV_INT(id)), &err);
    kc_db_release(app->db, c);
    json_decref(a);
    if (!rows) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, json_pack("{s:o}", "items", kc_app_times(rows)));
}

/* Status from the video service: its status document (new ref) or NULL with err. */
static json_t *remote_report(struct kc_app *app, const char *remote, struct kc_err *err)
{
    char path[200];
    long st = 0;
    json_t *out = NULL;
    snprintf(path, sizeof path, "/v1/analyses/%s", remote);
    if (kc_ai_call(app, KC_AI_VIDEO, "GET", path, NULL, KC_AI_VIDEO_TIMEOUT_MS, &st, &out, err))
        return NULL;
    if (st != 200 || !json_is_object(out)) {
        json_decref(out);
        kc_err_set(err, KC_E_UNAVAILABLE, "the video-analysis service answered %ld", st);
        return NULL;
    }
    return out;
}

/* Grade the transcript (once; answer_grading consent required). New ref or NULL with the
 * reason in why (shown to recruiters as grade_status). The report's body is in "result". */
static json_t *grade(struct kc_app *app, const json_t *row, const json_t *report, char *why,
                     size_t cap)
{
    if (!json_is_true(json_object_get(json_object_get(row, "consent"), "answer_grading"))) {
        snprintf(why, cap, "not_consented: no consent to answer grading");
        return NULL;
    }
    const json_t *tr = json_object_get(json_object_get(report, "result"), "transcript");
    const char *text = json_string_value(json_object_get(tr, "text"));
    if (!text || !*text) {
        snprintf(why, cap, "unavailable: the analysis has no transcript");
        return NULL;
    }
    struct kc_err err = {0};
    struct kc_db_conn *c = kc_db_acquire(app->db, &err);
    if (!c) {
        snprintf(why, cap, "unavailable: %.300s", err.message);
        return NULL;
    }
    json_t *q = kc_db_query_one(
        c, "SELECT questions_json FROM job_posts WHERE id = $1",
        KC_ARGS(KC_DBV_INT(json_integer_value(json_object_get(row, "job_id")))), &err);
    kc_db_release(app->db, c);
    json_t *qi = json_array_get(json_object_get(q, "questions"),
                                (size_t)json_integer_value(json_object_get(row, "question_id")));
    json_t *body = json_pack("{s:{s:O?},s:s}", "question", "text", json_object_get(qi, "text"),
                             "transcript", text),
           *out = NULL;
    json_decref(q);
    long st = 0;
    int rc = kc_ai_call(app, KC_AI_AGENT, "POST", "/v1/grade", body, KC_AI_AGENT_TIMEOUT_MS, &st,
                        &out, &err);
    json_decref(body);
    if (rc || st != 200 || !json_is_object(out)) {
        if (rc)
            snprintf(why, cap, "unavailable: %.300s", err.message);
        else
            snprintf(why, cap, "unavailable: the agent answered %ld", st);
        json_decref(out);
        return NULL; /* retried on the next view */
    }
    return out;
}

static void save_state(struct kc_app *app, int64_t id, const char *status, const char *error,
                       const json_t *grade_doc)
{
    struct kc_err err = {0};
    struct kc_db_conn *c = kc_db_acquire(app->db, &err);
    if (!c) return;
    char *g = grade_doc ? json_dumps(grade_doc, JSON_COMPACT) : NULL;
    kc_db_exec(c,
               "UPDATE interview_answers SET status = $2, error = $3, grade_json = "
               "coalesce($4, grade_json), updated_at = $5 WHERE id = $1",
               KC_ARGS(KC_DBV_INT(id), KC_DBV_TEXT(status), KC_DBV_TEXT_OR_NULL(error),
                       KC_DBV_TEXT_OR_NULL(g), KC_DBV_INT(kc_now())),
               &err);
    free(g);
    kc_db_release(app->db, c);
}

/* The current consent replaces the one stored at request time: a withdrawal stops the relay
 * (and grading) at once, whatever the video service still holds. 1 = still consented. */
static int consent_still(struct kc_app *app, json_t *row)
{
    struct kc_consent_set cs = {0};
    struct kc_err err = {0};
    struct kc_db_conn *c = kc_db_acquire(app->db, &err);
    int rc = c ? kc_trust_consents(
                     app, c, json_integer_value(json_object_get(row, "application_id")), &cs, &err)
               : -1;
    if (c) kc_db_release(app->db, c);
    if (rc == 0 && !cs.ai_declined && (cs.video_behaviour || cs.speech)) {
        json_t *stored = json_object_get(row, "consent");
        if (json_is_object(stored))
            json_object_set_new(stored, "answer_grading", json_boolean(cs.answer_grading));
        return 1;
    }
    json_object_set_new(row, "report", json_null());
    json_object_set_new(row, "report_error",
                        json_string(rc ? "consent could not be checked"
                                       : "consent to video and speech analysis was withdrawn"));
    return 0;
}

/* A finished answer report becomes a row of `analyses` (type interview_answer, input blob =
 * the recording), once per recording: the table the candidate-rights routes (transcripts
 * and corrections), withdrawal and the retention purge work on. */
static void record_analysis(struct kc_app *app, int64_t app_id, const char *blob, json_t *rep)
{
    struct kc_err err = {0};
    /* the video service's analysis result, without its status wrapper */
    json_t *result = json_object_get(rep, "result");
    char *dump = json_dumps(json_is_object(result) ? result : rep, JSON_COMPACT);
    struct kc_db_conn *c = dump ? kc_db_acquire(app->db, &err) : NULL;
    if (c) {
        int64_t now = kc_now();
        if (kc_db_exec(c,
                       "INSERT INTO analyses(application_id, type, status, input_blob, "
                       "result_json, created_at, updated_at) SELECT $1, 'interview_answer', "
                       "'done', $2, $3, $4, $4 WHERE NOT EXISTS (SELECT 1 FROM analyses WHERE "
                       "application_id = $1 AND type = 'interview_answer' AND input_blob = $2)",
                       KC_ARGS(KC_DBV_INT(app_id), KC_DBV_TEXT_OR_NULL(blob), KC_DBV_TEXT(dump),
                               KC_DBV_INT(now)),
                       &err) < 0)
            kc_log(KC_LOG_WARN, NULL, "recording analysis of application %lld: %s",
                   (long long)app_id, err.message);
        kc_db_release(app->db, c);
    }
    free(dump);
}

/* Refresh row from the video service (cache first); sets row.report. */
static void refresh(struct kc_app *app, json_t *row)
{
    const char *remote = json_string_value(json_object_get(row, "remote_id"));
    const char *status = json_string_value(json_object_get(row, "status"));
    if (!remote || !strcmp(status, "failed") || !consent_still(app, row)) return;
    char key[200], *hit = NULL;
    size_t len = 0;
    struct kc_err err = {0};
    snprintf(key, sizeof key, "kc:backend:analysis:%lld:%s",
             (long long)json_integer_value(json_object_get(row, "id")), remote);
    json_t *rep = NULL;
    if (kc_redis_get(app->redis, key, &hit, &len, &err) == 1) rep = json_loadb(hit, len, 0, NULL);
    free(hit);
    if (!rep) rep = remote_report(app, remote, &err);
    if (!rep) {
        json_object_set_new(row, "report", json_null());
        json_object_set_new(row, "report_error", json_string(err.message));
        return;
    }
    const char *rs = json_string_value(json_object_get(rep, "status"));
    const char *ns = !rs                                                 ? status
                     : !strcmp(rs, "done")                               ? "done"
                     : !strcmp(rs, "failed") || !strcmp(rs, "cancelled") ? "failed"
                                                                         : "running";
    json_t *g = NULL;
    if (!strcmp(ns, "done")) {
        char *dump = json_dumps(rep, JSON_COMPACT);
        if (dump) kc_redis_setex(app->redis, key, dump, strlen(dump), ANALYSIS_TTL_S, &err);
        free(dump);
        char why[400] = "";
        if (json_is_null(json_object_get(row, "grade")) || !json_object_get(row, "grade"))
            g = grade(app, row, rep, why, sizeof why);
        json_object_set_new(row, "grade_status", json_string(g || !why[0] ? "ok" : why));
    }
    int64_t app_id = json_integer_value(json_object_get(row, "application_id"));
    const char *blob = json_string_value(json_object_get(row, "blob_sha256"));
    if (!strcmp(ns, "done") && strcmp(status, "done")) {
        kc_ai_audit_output(app, NULL, app_id, "analysis_report", rep, blob);
        record_analysis(app, app_id, blob, rep);
    }
    if (g) kc_ai_audit_output(app, NULL, app_id, "grade", g, blob);
    if (strcmp(ns, status) || g)
        save_state(app, json_integer_value(json_object_get(row, "id")), ns,
                   json_string_value(json_object_get(json_object_get(rep, "error"), "message")), g);
    json_object_set_new(row, "status", json_string(ns));
    if (g) json_object_set_new(row, "grade", g);
    json_object_set_new(row, "report", rep);
}

/* The applicant sees their own report without the grade; staff of a job in blind-review
 * mode (trust.h) see the transcript-only report with the applicant's identity replaced by
 * the pseudonym (ai_blind.c). */
static void shape_for_viewer(struct kc_app *app, json_t *row, enum kc_app_access access)
{
    if (access == KC_ACCESS_APPLICANT) {
        json_object_del(row, "grade");
        json_object_del(row, "grade_status");
        return;
    }
    struct kc_err err = {0};
    struct kc_db_conn *c = kc_db_acquire(app->db, &err);
    if (!c) return;
    int64_t app_id = json_integer_value(json_object_get(row, "application_id"));
    struct kc_ai_identity id;
    int blind = kc_trust_blind(app, c, json_integer_value(json_object_get(row, "job_id")));
    int have_id = blind && kc_ai_identity_load(c, app_id, &id, &err) == 0;
    kc_db_release(app->db, c);
    if (!blind) return;
    json_object_set_new(row, "blind_review", json_true());
    json_object_del(row, "blob_sha256"); /* the recording itself is not for blind reviewers */
    kc_ai_blind_result(json_object_get(json_object_get(row, "report"), "result"));
    if (have_id) kc_ai_blind_scrub(row, &id);
}

void kc_api_ai_analysis_get(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    enum kc_app_access acc;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *row = kc_ai_answer_for(app, c, kc_app_user(req), id, &acc, &err);
    kc_db_release(app->db, c);
    if (!row) KC_FAIL(resp, &err);
    refresh(app, row);
    shape_for_viewer(app, row, acc);
    kc_resp_json(resp, 200, kc_app_times(row));
}

struct relay {
    struct kc_redis_sub *sub;
    int ended;
    int idle_s;
};

static long relay_next(void *ctx, char *buf, size_t cap)
{
    struct relay *r = ctx;
    char *msg = NULL;
    struct kc_err err = {0};
    if (r->ended) return -1;
    int rc = kc_redis_sub_next(r->sub, 1000, &msg, &err);
    if (rc < 0) return -1;
    if (rc == 0) return ++r->idle_s > SSE_MAX_IDLE ? -1 : 0;
    r->idle_s = 0;
    json_t *m = json_loads(msg, 0, NULL);
    const char *st = json_string_value(json_object_get(m, "status"));
    const char *ev = "progress";
    static const char *const terminal[] = {"done", "failed", "cancelled", "deleted", NULL};
    for (size_t i = 0; st && terminal[i]; i++)
        if (!strcmp(st, terminal[i])) ev = terminal[i], r->ended = 1;
    int n = m ? snprintf(buf, cap, "event: %s\ndata: %s\n\n", ev, msg) : 0;
    json_decref(m);
    free(msg);
    return n > 0 && (size_t)n < cap ? n : 0;
}

static void relay_free(void *ctx)
{
    struct relay *r = ctx;
    kc_redis_sub_free(r->sub);
    free(r);
}

void kc_api_ai_analysis_events(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    enum kc_app_access acc;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *row = kc_ai_answer_for(app, c, kc_app_user(req), id, &acc, &err);
    kc_db_release(app->db, c);
    if (!row) KC_FAIL(resp, &err);
    const char *remote = json_string_value(json_object_get(row, "remote_id"));
    if (!remote) {
        kc_resp_errorf(resp, KC_E_CONFLICT, NULL, "this answer is not being analysed (status %s)",
                       json_string_value(json_object_get(row, "status")));
        json_decref(row);
        return;
    }
    char chan[200];
    snprintf(chan, sizeof chan, "kc:progress:%s", remote);
    json_decref(row);
    struct relay *r = calloc(1, sizeof *r);
    if (r) r->sub = kc_redis_subscribe(app->cfg->redis_url, chan, &err);
    if (!r || !r->sub) {
        free(r);
        if (!err.code) kc_err_set(&err, KC_E_UNAVAILABLE, "progress relay unavailable");
        KC_FAIL(resp, &err);
    }
    kc_resp_sse(resp, relay_next, r, relay_free);
}
