/*
 * trust_job.c — per-job trust options (blind review, offering the non-AI path) and
 * per-application accommodations (extra time factor, extra retakes, answer mode).
 *
 * job_trust has at most one row per job (no row = blind off, non-AI offered);
 * accommodations at most one per application (no row = the defaults in trust.h). Staff of the
 * job's company set both (recruiters); the applicant reads their own accommodations; every
 * change is audited. kc_trust_blind and kc_trust_accommodation are the hooks the AI feature's
 * report shaping and the interview flow call.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "trust.h"
#include "trust_internal.h"

int kc_trust_blind(struct kc_app *app, struct kc_db_conn *c, int64_t job_id)
{
    struct kc_err err = {0};
    int64_t v = 0;
    (void)app;
    if (kc_db_query_int(c, "SELECT blind_review FROM job_trust WHERE job_id = $1",
                        KC_ARGS(KC_DBV_INT(job_id)), &v, &err) != 0)
        return 0;
    return v == 1;
}

int kc_trust_accommodation(struct kc_db_conn *c, int64_t application_id,
                           struct kc_accommodation *out, struct kc_err *err)
{
    out->extra_time_factor = 1.0;
    out->extra_retakes = 0;
    snprintf(out->answer_mode, sizeof out->answer_mode, "video");
    json_t *r = kc_db_query_one(c,
                                "SELECT extra_time_factor, extra_retakes, answer_mode FROM "
                                "accommodations WHERE application_id = $1",
                                KC_ARGS(KC_DBV_INT(application_id)), err);
    if (!r) return err->code == KC_E_NOT_FOUND ? (err->code = KC_OK, 0) : -1;
    out->extra_time_factor = json_number_value(json_object_get(r, "extra_time_factor"));
    out->extra_retakes = (int)json_integer_value(json_object_get(r, "extra_retakes"));
    snprintf(out->answer_mode, sizeof out->answer_mode, "%s",
             json_string_value(json_object_get(r, "answer_mode")));
    json_decref(r);
    return 0;
}

static json_t *job_trust_json(struct kc_db_conn *c, int64_t job, struct kc_err *err)
{
    json_t *r = kc_db_query_one(c,
                                "SELECT j.id AS job_id, coalesce(t.blind_review, 0) AS "
                                "blind_review, coalesce(t.offers_non_ai, 1) AS offers_non_ai "
                                "FROM job_posts j LEFT JOIN job_trust t ON t.job_id = j.id WHERE "
                                "j.id = $1",
                                KC_ARGS(KC_DBV_INT(job)), err);
    if (!r) return NULL;
    json_object_set_new(r, "blind_review",
                        json_boolean(json_integer_value(json_object_get(r, "blind_review"))));
    json_object_set_new(r, "offers_non_ai",
                        json_boolean(json_integer_value(json_object_get(r, "offers_non_ai"))));
    return r;
}

void kc_api_trust_job_get(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *job = kc_jobs_load_scoped(c, kc_app_user(req), id, &err);
    json_t *v = job ? job_trust_json(c, id, &err) : NULL;
    kc_db_release(app->db, c);
    json_decref(job);
    if (!v) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, v);
}

static int bool_field(const json_t *b, const char *k, int dflt, int *out, struct kc_err *err)
{
    json_t *x = json_object_get(b, k);
    *out = dflt;
    if (!x) return 0;
    if (!json_is_boolean(x)) return kc_err_field(err, KC_E_INVALID, k, "%s: must be a boolean", k);
    *out = json_is_true(x);
    return 0;
}

void kc_api_trust_job_put(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    int blind, nonai;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *job = kc_jobs_load_scoped(c, kc_app_user(req), id, &err), *cur = NULL, *v = NULL;
    int64_t cid = job ? json_integer_value(json_object_get(job, "company_id")) : 0;
    if (job && !kc_auth_is_recruiter(kc_app_user(req), cid))
        kc_err_set(&err, KC_E_FORBIDDEN, "your role in this company may not do this");
    else if (job && (cur = job_trust_json(c, id, &err)) &&
             !bool_field(b, "blind_review", json_is_true(json_object_get(cur, "blind_review")),
                         &blind, &err) &&
             !bool_field(b, "offers_non_ai", json_is_true(json_object_get(cur, "offers_non_ai")),
                         &nonai, &err) &&
             !kc_app_begin(c, &err)) {
        if (kc_db_exec(
                c, "INSERT OR REPLACE INTO job_trust VALUES ($1, $2, $3, $4)",
                KC_ARGS(KC_DBV_INT(id), KC_DBV_INT(blind), KC_DBV_INT(nonai), KC_DBV_INT(kc_now())),
                &err) < 0 ||
            kc_audit(c, cid, kc_app_user(req)->id, "trust.job.update", "job", id, NULL,
                     json_pack("{s:b,s:b}", "blind_review", blind, "offers_non_ai", nonai), &err))
            kc_db_rollback(c);
        else if (!kc_app_commit(c, &err))
            v = job_trust_json(c, id, &err);
    }
    kc_db_release(app->db, c);
    json_decref(job);
    json_decref(cur);
    if (!v) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, v);
}

static json_t *accommodation_json(struct kc_db_conn *c, int64_t id, struct kc_err *err)
{
    struct kc_accommodation a;
    if (kc_trust_accommodation(c, id, &a, err)) return NULL;
    return json_pack("{s:I,s:f,s:i,s:s}", "application_id", (json_int_t)id, "extra_time_factor",
                     a.extra_time_factor, "extra_retakes", a.extra_retakes, "answer_mode",
                     a.answer_mode);
}

void kc_api_trust_accommodation_get(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    enum kc_app_access acc;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *a = kc_application_load(c, kc_app_user(req), id, &acc, &err);
    json_t *v = a ? accommodation_json(c, id, &err) : NULL;
    kc_db_release(app->db, c);
    json_decref(a);
    if (!v) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, v);
}

static int parse_accommodation(const json_t *b, struct kc_accommodation *a, struct kc_err *err)
{
    json_t *f = json_object_get(b, "extra_time_factor"), *r = json_object_get(b, "extra_retakes"),
           *m = json_object_get(b, "answer_mode");
    if (f && (!json_is_number(f) || json_number_value(f) < 1.0 || json_number_value(f) > 4.0))
        return kc_err_field(err, KC_E_INVALID, "extra_time_factor",
                            "extra_time_factor: a number in 1.0..4.0");
    if (r && (!json_is_integer(r) || json_integer_value(r) < 0 || json_integer_value(r) > 10))
        return kc_err_field(err, KC_E_INVALID, "extra_retakes", "extra_retakes: 0..10");
    const char *ms = m ? json_string_value(m) : a->answer_mode;
    if (!ms || (strcmp(ms, "video") && strcmp(ms, "audio") && strcmp(ms, "text")))
        return kc_err_field(err, KC_E_INVALID, "answer_mode", "answer_mode: video, audio or text");
    if (f) a->extra_time_factor = json_number_value(f);
    if (r) a->extra_retakes = (int)json_integer_value(r);
    snprintf(a->answer_mode, sizeof a->answer_mode, "%s", ms);
    return 0;
}

void kc_api_trust_accommodation_put(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    enum kc_app_access acc;
    struct kc_accommodation ac;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *a = kc_application_load(c, kc_app_user(req), id, &acc, &err), *v = NULL;
    int64_t cid = a ? json_integer_value(json_object_get(a, "company_id")) : 0;
    if (a && acc != KC_ACCESS_RECRUITER)
        kc_err_set(&err, KC_E_FORBIDDEN, "recruiters of the job set accommodations");
    else if (a && !kc_trust_accommodation(c, id, &ac, &err) && !parse_accommodation(b, &ac, &err) &&
             !kc_app_begin(c, &err)) {
        if (kc_db_exec(c, "INSERT OR REPLACE INTO accommodations VALUES ($1, $2, $3, $4, $5, $6)",
                       KC_ARGS(KC_DBV_INT(id), KC_DBV_REAL(ac.extra_time_factor),
                               KC_DBV_INT(ac.extra_retakes), KC_DBV_TEXT(ac.answer_mode),
                               KC_DBV_INT(kc_app_user(req)->id), KC_DBV_INT(kc_now())),
                       &err) < 0 ||
            kc_audit(c, cid, kc_app_user(req)->id, "trust.accommodation.update", "application", id,
                     NULL,
                     json_pack("{s:f,s:i,s:s}", "extra_time_factor", ac.extra_time_factor,
                               "extra_retakes", ac.extra_retakes, "answer_mode", ac.answer_mode),
                     &err))
            kc_db_rollback(c);
        else if (!kc_app_commit(c, &err))
            v = accommodation_json(c, id, &err);
    }
    kc_db_release(app->db, c);
    json_decref(a);
    if (!v) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, v);
}
