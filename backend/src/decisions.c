/*
 * decisions.c — a recruiter's pass / fail / hold on the current stage of an application,
 * singly or in bulk.
 *
 * Rules (one transaction per request; a bulk request is all-or-nothing):
 *  - only a recruiter (manager or recruiter membership) of the job's company decides; the
 *    application must be in_progress or on_hold, and `stage`, when given, must be its
 *    current stage (409 otherwise — protects against deciding on a stale screen);
 *  - pass moves to the next stage of the job (in_progress, entered now) or, after the last
 *    stage, makes the application `passed`; fail makes it `rejected`; hold parks it
 *    (`on_hold`) on the same stage;
 *  - a stage with a panel is decided by a person looking at the aggregate of all submitted
 *    evaluations, never by one score: while panel members are still missing, pass/fail
 *    needs acknowledge_missing=true (409 otherwise). The stage's score is the aggregate
 *    mean, or the recruiter's own `score` for stages without evaluations;
 *  - every decision is written to the audit log with its reason and the aggregate seen,
 *    and the applicant gets a notification.
 */
#include <stdio.h>
#include <string.h>

#include "aggregate.h"
#include "api.h"
#include "validate.h"

struct decision {
    const char *decision; /* pass | fail | hold */
    const char *reason;
    const char *stage; /* NULL = the current one */
    double score;      /* < 0 = none given */
    int acknowledge_missing;
};

static int read_decision(const json_t *b, struct decision *d, struct kc_err *err)
{
    static const char *const kinds[] = {"pass", "fail", "hold", NULL};
    memset(d, 0, sizeof *d);
    d->score = -1;
    if (kc_json_enum(b, "decision", 1, kinds, &d->decision, err) ||
        kc_json_str(b, "reason", 1, 2000, &d->reason, err) ||
        kc_json_enum(b, "stage", 0, kc_stage_names, &d->stage, err) ||
        kc_json_num(b, "score", 0, 0, 100, &d->score, err) ||
        kc_json_bool(b, "acknowledge_missing", 0, &d->acknowledge_missing, err))
        return -1;
    if (!*d->reason)
        return kc_err_field(err, KC_E_INVALID, "reason", "reason: every decision needs a reason");
    return 0;
}

static int next_stage(struct kc_db_conn *c, int64_t app_id, int64_t pos, json_t **next,
                      struct kc_err *err)
{
    *next = kc_db_query_one(c,
                            "SELECT stage FROM application_stages WHERE application_id = $1 AND "
                            "position > $2 ORDER BY position LIMIT 1",
                            KC_ARGS(KC_DBV_INT(app_id), KC_DBV_INT(pos)), err);
    if (*next) return 0;
    if (err->code == KC_E_NOT_FOUND) return kc_err_clear(err), 0;
    return -1;
}

static int apply_status(struct kc_db_conn *c, int64_t app_id, const char *stage, int64_t pos,
                        const struct decision *d, long now, const char **final, struct kc_err *err)
{
    json_t *next = NULL;
    const char *new_stage = stage;
    *final = !strcmp(d->decision, "fail")   ? "rejected"
             : !strcmp(d->decision, "hold") ? "on_hold"
                                            : "in_progress";
    if (!strcmp(d->decision, "pass")) {
        if (next_stage(c, app_id, pos, &next, err)) return -1;
        if (next) {
            new_stage = json_string_value(json_object_get(next, "stage"));
            if (kc_db_exec(c,
                           "UPDATE application_stages SET status = CASE WHEN status = "
                           "'scheduled' THEN status ELSE 'in_progress' END, entered_at = $3 "
                           "WHERE application_id = $1 AND stage = $2",
                           KC_ARGS(KC_DBV_INT(app_id), KC_DBV_TEXT(new_stage), KC_DBV_INT(now)),
                           err) < 0)
                goto fail;
        } else {
            *final = "passed";
        }
    }
    int64_t rc = kc_db_exec(
        c,
        "UPDATE applications SET status = $2, current_stage = $3, "
        "updated_at = $4 WHERE id = $1",
        KC_ARGS(KC_DBV_INT(app_id), KC_DBV_TEXT(*final), KC_DBV_TEXT(new_stage), KC_DBV_INT(now)),
        err);
    json_decref(next);
    return rc < 0 ? -1 : 0;
fail:
    json_decref(next);
    return -1;
}

static int check_panel(const json_t *agg, const struct decision *d, struct kc_err *err)
{
    size_t missing = json_array_size(json_object_get(agg, "missing"));
    if (missing && strcmp(d->decision, "hold") != 0 && !d->acknowledge_missing)
        return kc_err_set(err, KC_E_CONFLICT,
                          "%zu panel member(s) have not submitted an evaluation; wait for them "
                          "or decide with acknowledge_missing=true",
                          missing);
    return 0;
}

static int notify_applicant(struct kc_db_conn *c, const json_t *a, const char *stage,
                            const char *decision, const char *final, struct kc_err *err)
{
    char title[400];
    const char *job = json_string_value(json_object_get(a, "job_title"));
    const char *what = !strcmp(decision, "pass")   ? "passed"
                       : !strcmp(decision, "fail") ? "not passed"
                                                   : "on hold";
    KC_SNPRINTF(title, "%s: %s stage %s", job, stage, what);
    return kc_notify(c, json_integer_value(json_object_get(a, "applicant_id")), "stage.decision",
                     title, "",
                     json_pack("{s:O,s:s,s:s,s:s}", "application_id", json_object_get(a, "id"),
                               "stage", stage, "decision", decision, "status", final),
                     err);
}

/* Decide one application inside the caller's transaction. job_id 0 = any job. */
static int decide_one(struct kc_db_conn *c, const struct kc_user *u, int64_t app_id, int64_t job_id,
                      const struct decision *d, struct kc_err *err)
{
    enum kc_app_access access;
    long now = kc_now();
    json_t *a = kc_application_load(c, u, app_id, &access, err), *agg = NULL, *st = NULL;
    int rc = -1;
    if (!a) return -1;
    if (access != KC_ACCESS_RECRUITER) {
        kc_err_set(err, KC_E_FORBIDDEN, "only the company's recruiters decide");
        goto out;
    }
    const char *status = json_string_value(json_object_get(a, "status"));
    const char *stage = json_string_value(json_object_get(a, "current_stage"));
    int64_t jid = json_integer_value(json_object_get(a, "job_id"));
    if (job_id && jid != job_id) {
        kc_err_set(err, KC_E_NOT_FOUND, "application %lld is not of this job", (long long)app_id);
        goto out;
    }
    if (strcmp(status, "in_progress") != 0 && strcmp(status, "on_hold") != 0) {
        kc_err_set(err, KC_E_CONFLICT, "application %lld is %s; nothing to decide",
                   (long long)app_id, status);
        goto out;
    }
    if (d->stage && strcmp(d->stage, stage) != 0) {
        kc_err_set(err, KC_E_CONFLICT, "application %lld is at stage %s, not %s", (long long)app_id,
                   stage, d->stage);
        goto out;
    }
    st = kc_db_query_one(c,
                         "SELECT position FROM application_stages WHERE application_id = $1 "
                         "AND stage = $2",
                         KC_ARGS(KC_DBV_INT(app_id), KC_DBV_TEXT(stage)), err);
    agg = st ? kc_stage_aggregate(c, app_id, jid, stage, err) : NULL;
    if (!agg || check_panel(agg, d, err)) goto out;
    json_t *mean = json_object_get(json_object_get(agg, "aggregate"), "mean");
    double score = d->score >= 0 ? d->score : json_is_number(mean) ? json_number_value(mean) : -1;
    const char *stage_status = !strcmp(d->decision, "pass")   ? "passed"
                               : !strcmp(d->decision, "fail") ? "failed"
                                                              : "on_hold";
    const char *final;
    char action[32];
    KC_SNPRINTF(action, "stage.%s", d->decision);
    if (kc_db_exec(c,
                   "UPDATE application_stages SET status = $3, score = $4, reason = $5, "
                   "decided_by = $6, decided_at = $7 WHERE application_id = $1 AND stage = $2",
                   KC_ARGS(KC_DBV_INT(app_id), KC_DBV_TEXT(stage), KC_DBV_TEXT(stage_status),
                           score >= 0 ? KC_DBV_REAL(score) : KC_DBV_NULL, KC_DBV_TEXT(d->reason),
                           KC_DBV_INT(u->id), KC_DBV_INT(now)),
                   err) < 0 ||
        apply_status(c, app_id, stage, json_integer_value(json_object_get(st, "position")), d, now,
                     &final, err) ||
        kc_audit(c, json_integer_value(json_object_get(a, "company_id")), u->id, action,
                 "application", app_id, d->reason,
                 json_pack("{s:s,s:O,s:O,s:b}", "stage", stage, "aggregate",
                           json_object_get(agg, "aggregate"), "missing",
                           json_object_get(agg, "missing"), "acknowledge_missing",
                           d->acknowledge_missing),
                 err) ||
        notify_applicant(c, a, stage, d->decision, final, err))
        goto out;
    rc = 0;
out:
    json_decref(a);
    json_decref(agg);
    json_decref(st);
    return rc;
}

void kc_api_decision(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    struct decision d;
    int64_t id;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    if (read_decision(b, &d, &err)) KC_FAIL(resp, &err);
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    if (kc_app_begin(c, &err) || decide_one(c, kc_app_user(req), id, 0, &d, &err) ||
        kc_app_commit(c, &err)) {
        kc_db_rollback(c);
        kc_db_release(app->db, c);
        KC_FAIL(resp, &err);
    }
    kc_db_release(app->db, c);
    kc_api_application_get(req, resp, ctx);
}

void kc_api_bulk_decision(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    struct decision d;
    int64_t job_id;
    if (kc_app_path_id(req, resp, "id", &job_id)) return;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    json_t *ids = json_object_get(b, "application_ids");
    if (!json_is_array(ids) || json_array_size(ids) == 0 || json_array_size(ids) > 500)
        KC_ERRF(resp, KC_E_INVALID, "application_ids",
                "application_ids: an array of 1 to 500 application ids");
    for (size_t i = 0; i < json_array_size(ids); i++)
        if (!json_is_integer(json_array_get(ids, i)) ||
            json_integer_value(json_array_get(ids, i)) < 1)
            KC_ERRF(resp, KC_E_INVALID, "application_ids",
                    "application_ids[%zu]: must be a positive integer", i);
    if (read_decision(b, &d, &err)) KC_FAIL(resp, &err);
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    int rc = kc_app_begin(c, &err);
    for (size_t i = 0; rc == 0 && i < json_array_size(ids); i++)
        rc = decide_one(c, kc_app_user(req), json_integer_value(json_array_get(ids, i)), job_id, &d,
                        &err);
    if (rc || kc_app_commit(c, &err)) {
        kc_db_rollback(c);
        kc_db_release(app->db, c);
        KC_FAIL(resp, &err);
    }
    kc_db_release(app->db, c);
    kc_resp_json(resp, 200,
                 json_pack("{s:s,s:I}", "decision", d.decision, "decided",
                           (json_int_t)json_array_size(ids)));
}
