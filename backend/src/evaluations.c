/*
 * evaluations.c — interview slots, the stage view and itemised evaluations.
 *
 * Stage view GET /applications/{id}/stages/{stage}: recruiters get the stage record, the
 * job's criteria, every evaluation, the aggregate and the missing panel members
 * (kc_stage_aggregate); an accepted panel member of that stage gets the stage record, the
 * criteria and their own evaluation, and once that is submitted the panel's aggregate
 * without the colleagues' individual evaluations. Anyone else: 404.
 * Evaluation PUT .../evaluation: accepted panel members only, while the stage is
 * undecided; scores are checked against the job's criteria (aggregate.h) and stored with
 * their weighted total; the submission is audited.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "api.h"
#include "validate.h"

struct stage_ctx {
    json_t *app;   /* application row (kc_application_load) */
    json_t *stage; /* application_stages row */
    enum kc_app_access access;
    int64_t job_id;
};

static void stage_ctx_free(struct stage_ctx *s)
{
    json_decref(s->app);
    json_decref(s->stage);
}

/* Load application + stage; interviewers must be accepted panel members of that stage. */
static int load_stage(struct kc_db_conn *c, const struct kc_user *u, int64_t id, const char *stage,
                      struct stage_ctx *s, struct kc_err *err)
{
    memset(s, 0, sizeof *s);
    s->app = kc_application_load(c, u, id, &s->access, err);
    if (!s->app) return -1;
    s->job_id = json_integer_value(json_object_get(s->app, "job_id"));
    s->stage = kc_db_query_one(c,
                               "SELECT stage, position, status, score, reason, decided_by, "
                               "decided_at, entered_at FROM application_stages WHERE "
                               "application_id = $1 AND stage = $2",
                               KC_ARGS(KC_DBV_INT(id), KC_DBV_TEXT(stage)), err);
    int64_t n = 0;
    if (s->stage && s->access == KC_ACCESS_INTERVIEWER &&
        kc_db_query_int(c,
                        "SELECT count(*) FROM panels WHERE job_id = $1 AND stage = $2 AND "
                        "user_id = $3 AND status = 'accepted'",
                        KC_ARGS(KC_DBV_INT(s->job_id), KC_DBV_TEXT(stage), KC_DBV_INT(u->id)), &n,
                        err) == 0 &&
        n == 0)
        kc_err_set(err, KC_E_NOT_FOUND, "no such stage");
    if (!s->stage || err->code || s->access == KC_ACCESS_APPLICANT) {
        if (s->stage && s->access == KC_ACCESS_APPLICANT)
            kc_err_set(err, KC_E_NOT_FOUND, "no such stage");
        if (err->code == KC_E_NOT_FOUND) kc_err_set(err, KC_E_NOT_FOUND, "no such stage");
        stage_ctx_free(s);
        return -1;
    }
    return 0;
}

static json_t *job_criteria(struct kc_db_conn *c, int64_t job_id, struct kc_err *err)
{
    json_t *j = kc_db_query_one(c, "SELECT criteria_json FROM job_posts WHERE id = $1",
                                KC_ARGS(KC_DBV_INT(job_id)), err);
    if (!j) return NULL;
    json_t *cr = json_incref(json_object_get(j, "criteria"));
    json_decref(j);
    return cr;
}

static json_t *own_evaluation(struct kc_db_conn *c, int64_t app_id, const char *stage, int64_t uid,
                              struct kc_err *err)
{
    json_t *e =
        kc_db_query_one(c,
                        "SELECT evaluator_id, scores_json, total, comment, submitted_at "
                        "FROM evaluations WHERE application_id = $1 AND stage = $2 AND "
                        "evaluator_id = $3",
                        KC_ARGS(KC_DBV_INT(app_id), KC_DBV_TEXT(stage), KC_DBV_INT(uid)), err);
    if (!e && err->code == KC_E_NOT_FOUND) {
        kc_err_clear(err);
        return json_null();
    }
    return e ? kc_app_times(e) : NULL;
}

void kc_api_stage_view(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    struct stage_ctx s;
    int64_t id;
    const char *stage = kc_req_param(req, "stage");
    if (kc_app_path_id(req, resp, "id", &id)) return;
    if (kc_stage_index(stage) < 0) KC_ERRF(resp, KC_E_NOT_FOUND, NULL, "no such stage");
    const struct kc_user *u = kc_app_user(req);
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    if (load_stage(c, u, id, stage, &s, &err)) {
        kc_db_release(app->db, c);
        KC_FAIL(resp, &err);
    }
    if (s.access == KC_ACCESS_INTERVIEWER) json_object_del(s.app, "applicant_email");
    json_t *out =
        json_pack("{s:O,s:O}", "application", kc_app_times(s.app), "stage", kc_app_times(s.stage));
    json_t *crit = job_criteria(c, s.job_id, &err), *extra = NULL, *panel_summary = NULL;
    if (s.access == KC_ACCESS_RECRUITER) {
        extra = kc_stage_aggregate(c, id, s.job_id, stage, &err);
    } else {
        extra = own_evaluation(c, id, stage, u->id, &err);
        /* once their own evaluation is in, a panel member sees the panel's aggregate (and who
         * is still missing) but not the colleagues' individual scores and comments */
        if (json_is_object(extra)) {
            panel_summary = kc_stage_aggregate(c, id, s.job_id, stage, &err);
            if (panel_summary) json_object_del(panel_summary, "evaluations");
        }
    }
    kc_db_release(app->db, c);
    if (panel_summary) json_object_set_new(out, "evaluation_summary", panel_summary);
    if (!crit || !extra) {
        json_decref(crit);
        json_decref(extra);
        json_decref(out);
        stage_ctx_free(&s);
        KC_FAIL(resp, &err);
    }
    json_object_set_new(out, "criteria", crit);
    json_object_set_new(
        out, s.access == KC_ACCESS_RECRUITER ? "evaluation_summary" : "my_evaluation", extra);
    stage_ctx_free(&s);
    kc_resp_json(resp, 200, out);
}

static int store_evaluation(struct kc_db_conn *c, const struct kc_user *u, int64_t app_id,
                            const char *stage, const struct stage_ctx *s, const json_t *scores,
                            double total, const char *comment, struct kc_err *err)
{
    char *sj = json_dumps(scores, JSON_COMPACT | JSON_SORT_KEYS);
    int rc = -1;
    if (!sj || kc_app_begin(c, err)) goto out;
    if (kc_db_exec(c,
                   "INSERT INTO evaluations(application_id, stage, evaluator_id, scores_json, "
                   "total, comment, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                   "ON CONFLICT (application_id, stage, evaluator_id) DO UPDATE SET "
                   "scores_json = excluded.scores_json, total = excluded.total, "
                   "comment = excluded.comment, submitted_at = excluded.submitted_at",
                   KC_ARGS(KC_DBV_INT(app_id), KC_DBV_TEXT(stage), KC_DBV_INT(u->id),
                           KC_DBV_TEXT(sj), KC_DBV_REAL(total), KC_DBV_TEXT(comment),
                           KC_DBV_INT(kc_now())),
                   err) < 0 ||
        kc_audit(c, json_integer_value(json_object_get(s->app, "company_id")), u->id,
                 "evaluation.submit", "application", app_id, NULL,
                 json_pack("{s:s,s:f}", "stage", stage, "total", total), err)) {
        kc_db_rollback(c);
        goto out;
    }
    rc = kc_app_commit(c, err);
out:
    free(sj);
    return rc;
}

static int check_evaluable(struct kc_db_conn *c, const struct kc_user *u, const char *stage,
                           const struct stage_ctx *s, struct kc_err *err)
{
    const char *st = json_string_value(json_object_get(s->stage, "status"));
    int on = 0;
    if (s->access == KC_ACCESS_RECRUITER || s->access == KC_ACCESS_INTERVIEWER) {
        int64_t n = 0;
        if (kc_db_query_int(c,
                            "SELECT count(*) FROM panels WHERE job_id = $1 AND stage = $2 AND "
                            "user_id = $3 AND status = 'accepted'",
                            KC_ARGS(KC_DBV_INT(s->job_id), KC_DBV_TEXT(stage), KC_DBV_INT(u->id)),
                            &n, err) < 0)
            return -1;
        on = n > 0;
    }
    if (!on)
        return kc_err_set(err, KC_E_FORBIDDEN,
                          "only accepted panel members of this stage submit evaluations");
    if (strcmp(st, "in_progress") != 0 && strcmp(st, "scheduled") != 0 &&
        strcmp(st, "on_hold") != 0)
        return kc_err_set(err, KC_E_CONFLICT, "the stage is %s; evaluations are closed", st);
    return 0;
}

void kc_api_evaluation_put(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    struct stage_ctx s;
    int64_t id;
    const char *comment = "", *stage = kc_req_param(req, "stage");
    double total = 0;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    if (kc_stage_index(stage) < 0) KC_ERRF(resp, KC_E_NOT_FOUND, NULL, "no such stage");
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    json_t *scores = json_object_get(b, "scores");
    if (!scores) KC_ERRF(resp, KC_E_INVALID, "scores", "scores: is required");
    if (kc_json_str(b, "comment", 0, KC_TEXT_MAX, &comment, &err)) KC_FAIL(resp, &err);
    const struct kc_user *u = kc_app_user(req);
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    if (load_stage(c, u, id, stage, &s, &err)) {
        kc_db_release(app->db, c);
        KC_FAIL(resp, &err);
    }
    json_t *crit = job_criteria(c, s.job_id, &err), *mine = NULL;
    if (crit && check_evaluable(c, u, stage, &s, &err) == 0 &&
        kc_evaluation_total(crit, scores, &total, &err) == 0 &&
        store_evaluation(c, u, id, stage, &s, scores, total, comment, &err) == 0)
        mine = own_evaluation(c, id, stage, u->id, &err);
    kc_db_release(app->db, c);
    json_decref(crit);
    stage_ctx_free(&s);
    if (!mine) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, mine);
}

void kc_api_slots_list(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    enum kc_app_access access;
    int64_t id;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *a = kc_application_load(c, kc_app_user(req), id, &access, &err), *rows = NULL;
    if (a)
        rows = kc_db_query(c,
                           "SELECT id, stage, starts_at, ends_at, location, created_at FROM "
                           "interview_slots WHERE application_id = $1 ORDER BY starts_at",
                           KC_ARGS(KC_DBV_INT(id)), &err);
    kc_db_release(app->db, c);
    json_decref(a);
    if (!rows) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, json_pack("{s:o}", "items", kc_app_times(rows)));
}

static json_t *insert_slot(struct kc_db_conn *c, const struct kc_user *u, int64_t id,
                           const char *stage, long starts, long ends, const char *loc,
                           const json_t *a, struct kc_err *err)
{
    if (kc_app_begin(c, err)) return NULL;
    json_t *row = kc_db_query_one(c,
                                  "INSERT INTO interview_slots(application_id, stage, starts_at, "
                                  "ends_at, location, created_by, created_at) SELECT $1, $2, $3, "
                                  "$4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM application_stages "
                                  "WHERE application_id = $1 AND stage = $2) RETURNING id, stage, "
                                  "starts_at, ends_at, location, created_at",
                                  KC_ARGS(KC_DBV_INT(id), KC_DBV_TEXT(stage), KC_DBV_INT(starts),
                                          KC_DBV_INT(ends), KC_DBV_TEXT(loc), KC_DBV_INT(u->id),
                                          KC_DBV_INT(kc_now())),
                                  err);
    if (!row && err->code == KC_E_NOT_FOUND)
        kc_err_field(err, KC_E_INVALID, "stage", "stage: not a stage of this application");
    if (!row ||
        kc_db_exec(c,
                   "UPDATE application_stages SET status = 'scheduled' WHERE application_id = $1 "
                   "AND stage = $2 AND status IN ('pending', 'in_progress')",
                   KC_ARGS(KC_DBV_INT(id), KC_DBV_TEXT(stage)), err) < 0 ||
        kc_notify(c, json_integer_value(json_object_get(a, "applicant_id")), "slot.scheduled",
                  "An interview was scheduled", loc,
                  json_pack("{s:I,s:s}", "application_id", (json_int_t)id, "stage", stage), err) ||
        kc_app_commit(c, err)) {
        kc_db_rollback(c);
        json_decref(row);
        return NULL;
    }
    return kc_app_times(row);
}

void kc_api_slots_create(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    enum kc_app_access access;
    int64_t id;
    const char *stage, *s1, *s2, *loc = "";
    long starts, ends;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    if (kc_json_enum(b, "stage", 1, kc_stage_names, &stage, &err) ||
        kc_json_str(b, "starts_at", 1, 40, &s1, &err) ||
        kc_parse_time("starts_at", s1, 0, &starts, &err) ||
        kc_json_str(b, "ends_at", 1, 40, &s2, &err) ||
        kc_parse_time("ends_at", s2, 0, &ends, &err) ||
        kc_json_str(b, "location", 0, KC_LINE_MAX, &loc, &err))
        KC_FAIL(resp, &err);
    if (ends <= starts) KC_ERRF(resp, KC_E_INVALID, "ends_at", "ends_at: must be after starts_at");
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *a = kc_application_load(c, kc_app_user(req), id, &access, &err), *row = NULL;
    if (a && access != KC_ACCESS_RECRUITER)
        kc_err_set(&err, KC_E_FORBIDDEN, "only recruiters schedule interviews");
    else if (a)
        row = insert_slot(c, kc_app_user(req), id, stage, starts, ends, loc, a, &err);
    kc_db_release(app->db, c);
    json_decref(a);
    if (!row) KC_FAIL(resp, &err);
    kc_resp_json(resp, 201, row);
}
