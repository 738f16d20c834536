/*
 * panels.c — interview panels (recruiters assign company members to a stage of a job; the
 * member accepts or declines), interview slots, itemised evaluations and the stage view
 * with the aggregate over all submitted evaluations.
 *
 * An evaluation exists only for an accepted panel member of the job and stage, one per
 * evaluator (a second PUT replaces the first until the stage is decided). Interviewers see
 * their own evaluation only, so nobody anchors on a colleague's score; recruiters see all
 * evaluations, the aggregate (aggregate.h has the definitions) and who is still missing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "api.h"
#include "validate.h"

#define MAX_EVALS 64

static const char *definitions_json =
    "{\"total\":\"criteria-weighted mean of one evaluator's item scores (0-100)\","
    "\"mean\":\"mean of the evaluators' totals\",\"min\":\"lowest total\",\"max\":\"highest "
    "total\",\"spread\":\"population standard deviation of the totals\",\"count\":\"number of "
    "submitted evaluations\",\"missing\":\"panel members (invited or accepted) without an "
    "evaluation\"}";

static json_t *criteria_aggregates(const json_t *criteria, const json_t *evals)
{
    json_t *out = json_array();
    size_t nc = json_array_size(criteria), ne = json_array_size(evals);
    for (size_t k = 0; k < (nc ? nc : 1); k++) {
        const char *name =
            nc ? json_string_value(json_object_get(json_array_get(criteria, k), "name"))
               : "overall";
        double v[MAX_EVALS];
        int n = 0;
        for (size_t i = 0; i < ne && n < MAX_EVALS; i++) {
            json_t *s = json_object_get(json_object_get(json_array_get(evals, i), "scores"), name);
            if (json_is_number(s)) v[n++] = json_number_value(s);
        }
        struct kc_aggregate a;
        kc_aggregate_of(v, n, &a);
        json_t *j = kc_aggregate_json(&a);
        json_object_set_new(j, "name", json_string(name));
        json_array_append_new(out, j);
    }
    return out;
}

static json_t *missing_members(const json_t *panel, const json_t *evals)
{
    json_t *missing = json_array();
    for (size_t i = 0; i < json_array_size(panel); i++) {
        json_t *p = json_array_get(panel, i);
        json_int_t uid = json_integer_value(json_object_get(p, "user_id"));
        int found = 0;
        for (size_t k = 0; k < json_array_size(evals) && !found; k++)
            found = json_integer_value(json_object_get(json_array_get(evals, k), "evaluator_id")) ==
                    uid;
        if (!found) json_array_append(missing, p);
    }
    return missing;
}

json_t *kc_stage_aggregate(struct kc_db_conn *c, int64_t app_id, int64_t job_id, const char *stage,
                           struct kc_err *err)
{
    json_t *job = kc_db_query_one(c, "SELECT criteria_json FROM job_posts WHERE id = $1",
                                  KC_ARGS(KC_DBV_INT(job_id)), err);
    json_t *evals = job ? kc_db_query(c,
                                      "SELECT e.evaluator_id, u.name AS evaluator_name, "
                                      "e.scores_json, e.total, e.comment, e.submitted_at FROM "
                                      "evaluations e JOIN users u ON u.id = e.evaluator_id WHERE "
                                      "e.application_id = $1 AND e.stage = $2 ORDER BY e.id",
                                      KC_ARGS(KC_DBV_INT(app_id), KC_DBV_TEXT(stage)), err)
                        : NULL;
    json_t *panel = evals ? kc_db_query(c,
                                        "SELECT p.user_id, u.name, p.status FROM panels p JOIN "
                                        "users u ON u.id = p.user_id WHERE p.job_id = $1 AND "
                                        "p.stage = $2 AND p.status <> 'declined' ORDER BY p.id",
                                        KC_ARGS(KC_DBV_INT(job_id), KC_DBV_TEXT(stage)), err)
                          : NULL;
    if (!panel) {
        json_decref(job);
        json_decref(evals);
        return NULL;
    }
    double totals[MAX_EVALS];
    int n = 0;
    for (size_t i = 0; i < json_array_size(evals) && n < MAX_EVALS; i++)
        totals[n++] = json_number_value(json_object_get(json_array_get(evals, i), "total"));
    struct kc_aggregate a;
    kc_aggregate_of(totals, n, &a);
    json_t *out = json_pack(
        "{s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "stage", stage, "aggregate", kc_aggregate_json(&a),
        "criteria", criteria_aggregates(json_object_get(job, "criteria"), evals), "missing",
        missing_members(panel, evals), "panel", panel, "evaluations", kc_app_times(evals),
        "definitions", json_loads(definitions_json, 0, NULL));
    json_decref(job);
    return out;
}

void kc_api_panels_list(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t job_id;
    if (kc_app_path_id(req, resp, "id", &job_id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *job = kc_jobs_load_scoped(c, kc_app_user(req), job_id, &err), *rows = NULL;
    if (job)
        rows = kc_db_query(c,
                           "SELECT p.id, p.stage, p.user_id, u.name, p.status, p.created_at FROM "
                           "panels p JOIN users u ON u.id = p.user_id WHERE p.job_id = $1 "
                           "ORDER BY p.stage, p.id",
                           KC_ARGS(KC_DBV_INT(job_id)), &err);
    kc_db_release(app->db, c);
    json_decref(job);
    if (!rows) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, json_pack("{s:o}", "items", kc_app_times(rows)));
}

static int job_has_stage(const json_t *job, const char *stage)
{
    json_t *st = json_object_get(job, "stages");
    for (size_t i = 0; i < json_array_size(st); i++)
        if (!strcmp(json_string_value(json_object_get(json_array_get(st, i), "name")), stage))
            return 1;
    return 0;
}

static json_t *assign(struct kc_db_conn *c, const struct kc_user *u, const json_t *job,
                      const char *stage, int64_t member, struct kc_err *err)
{
    int64_t cid = json_integer_value(json_object_get(job, "company_id"));
    int64_t jid = json_integer_value(json_object_get(job, "id"));
    char title[400];
    if (!kc_auth_is_recruiter(u, cid)) {
        kc_err_set(err, KC_E_FORBIDDEN, "only recruiters assign panels");
        return NULL;
    }
    if (!job_has_stage(job, stage)) {
        kc_err_field(err, KC_E_INVALID, "stage", "stage: this job does not use that stage");
        return NULL;
    }
    int64_t is_member = 0;
    if (kc_db_query_int(c,
                        "SELECT count(*) FROM memberships WHERE company_id = $1 AND user_id = $2",
                        KC_ARGS(KC_DBV_INT(cid), KC_DBV_INT(member)), &is_member, err) < 0)
        return NULL;
    if (!is_member) {
        kc_err_field(err, KC_E_INVALID, "user_id", "user_id: not a member of this company");
        return NULL;
    }
    KC_SNPRINTF(title, "You were asked to interview for %s (%s stage)",
                json_string_value(json_object_get(job, "title")), stage);
    if (kc_app_begin(c, err)) return NULL;
    json_t *row = kc_db_query_one(c,
                                  "INSERT INTO panels(job_id, stage, user_id, assigned_by, "
                                  "created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id, job_id, "
                                  "stage, user_id, status, created_at",
                                  KC_ARGS(KC_DBV_INT(jid), KC_DBV_TEXT(stage), KC_DBV_INT(member),
                                          KC_DBV_INT(u->id), KC_DBV_INT(kc_now())),
                                  err);
    if (!row ||
        kc_notify(c, member, "panel.assigned", title, "",
                  json_pack("{s:O,s:I,s:s}", "panel_id", json_object_get(row, "id"), "job_id",
                            (json_int_t)jid, "stage", stage),
                  err) ||
        kc_audit(c, cid, u->id, "panel.assign", "job", jid, NULL,
                 json_pack("{s:s,s:I}", "stage", stage, "user_id", (json_int_t)member), err) ||
        kc_app_commit(c, err)) {
        kc_db_rollback(c);
        if (err->code == KC_E_CONFLICT) kc_err_set(err, KC_E_CONFLICT, "already on this panel");
        json_decref(row);
        return NULL;
    }
    return kc_app_times(row);
}

void kc_api_panels_create(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t job_id, member;
    const char *stage;
    if (kc_app_path_id(req, resp, "id", &job_id)) return;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    if (kc_json_enum(b, "stage", 1, kc_stage_names, &stage, &err) ||
        kc_json_int(b, "user_id", 1, 1, INT64_MAX, &member, &err))
        KC_FAIL(resp, &err);
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *job = kc_jobs_load_scoped(c, kc_app_user(req), job_id, &err);
    json_t *row = job ? assign(c, kc_app_user(req), job, stage, member, &err) : NULL;
    kc_db_release(app->db, c);
    json_decref(job);
    if (!row) KC_FAIL(resp, &err);
    kc_resp_json(resp, 201, row);
}

static json_t *panel_scoped(struct kc_db_conn *c, const struct kc_user *u, int64_t id,
                            struct kc_err *err)
{
    json_t *p = kc_db_query_one(c,
                                "SELECT p.id, p.job_id, p.stage, p.user_id, p.status, j.company_id "
                                "FROM panels p JOIN job_posts j ON j.id = p.job_id WHERE p.id = $1",
                                KC_ARGS(KC_DBV_INT(id)), err);
    if (p && !kc_auth_company_role(u, json_integer_value(json_object_get(p, "company_id")))) {
        json_decref(p);
        p = NULL;
        err->code = KC_E_NOT_FOUND;
    }
    if (!p && err->code == KC_E_NOT_FOUND) kc_err_set(err, KC_E_NOT_FOUND, "no such panel");
    return p;
}

void kc_api_panels_delete(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id, n = -1;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    const struct kc_user *u = kc_app_user(req);
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *p = panel_scoped(c, u, id, &err);
    int64_t cid = p ? json_integer_value(json_object_get(p, "company_id")) : 0;
    if (p && !kc_auth_is_recruiter(u, cid))
        kc_err_set(&err, KC_E_FORBIDDEN, "only recruiters change panels");
    else if (p && kc_app_begin(c, &err) == 0) {
        n = kc_db_exec(c, "DELETE FROM panels WHERE id = $1", KC_ARGS(KC_DBV_INT(id)), &err);
        if (n < 0 || kc_audit(c, cid, u->id, "panel.remove", "panel", id, NULL, NULL, &err) ||
            kc_app_commit(c, &err)) {
            kc_db_rollback(c);
            n = -1;
        }
    }
    kc_db_release(app->db, c);
    json_decref(p);
    if (n < 0) KC_FAIL(resp, &err);
    kc_resp_empty(resp, 204);
}

void kc_api_panels_respond(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    int accept;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    if (kc_json_bool(b, "accept", 1, &accept, &err)) KC_FAIL(resp, &err);
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *row = kc_db_query_one(c,
                                  "UPDATE panels SET status = $3 WHERE id = $1 AND user_id = $2 "
                                  "RETURNING id, job_id, stage, user_id, status, created_at",
                                  KC_ARGS(KC_DBV_INT(id), KC_DBV_INT(kc_app_user(req)->id),
                                          KC_DBV_TEXT(accept ? "accepted" : "declined")),
                                  &err);
    kc_db_release(app->db, c);
    if (!row) {
        if (err.code == KC_E_NOT_FOUND) kc_err_set(&err, KC_E_NOT_FOUND, "no such panel of yours");
        KC_FAIL(resp, &err);
    }
    kc_resp_json(resp, 200, kc_app_times(row));
}

void kc_api_my_panels(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *rows = kc_db_query(c,
                               "SELECT p.id, p.job_id, j.title AS job_title, p.stage, p.status, "
                               "p.created_at FROM panels p JOIN job_posts j ON j.id = p.job_id "
                               "WHERE p.user_id = $1 ORDER BY p.id DESC",
                               KC_ARGS(KC_DBV_INT(kc_app_user(req)->id)), &err);
    for (size_t i = 0; rows && i < json_array_size(rows); i++) {
        json_t *p = json_array_get(rows, i);
        if (strcmp(json_string_value(json_object_get(p, "status")), "accepted") != 0) continue;
        json_t *apps =
            kc_db_query(c,
                        "SELECT a.id, u.name AS applicant_name, a.status FROM "
                        "applications a JOIN users u ON u.id = a.applicant_id WHERE "
                        "a.job_id = $1 AND a.current_stage = $2 AND a.status IN "
                        "('in_progress', 'on_hold') ORDER BY a.id",
                        KC_ARGS(KC_DBV_INT(json_integer_value(json_object_get(p, "job_id"))),
                                KC_DBV_TEXT(json_string_value(json_object_get(p, "stage")))),
                        &err);
        json_object_set_new(p, "applications", apps ? apps : json_array());
    }
    kc_db_release(app->db, c);
    if (!rows) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, json_pack("{s:o}", "items", kc_app_times(rows)));
}
