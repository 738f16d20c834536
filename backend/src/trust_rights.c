/*
 * trust_rights.c — candidate rights: the applicant's own transcripts with corrections
 * (the original stays in analyses.result_json; corrections are rows), and requests for an
 * explanation, a human re-review or the applicant's own statement. Every request has a
 * 30-day deadline and a status (open → answered | closed) that the company sees in its list.
 *
 * An explanation request is answered at once with evidence generated from what is stored:
 * the job's criteria and, per stage, status, score, reason, the deciding user's id and time,
 * and the evaluators' aggregate (kc_stage_aggregate); the evidence is kept with the request
 * so later changes do not rewrite what was explained. Staff still answer it in words.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "trust_internal.h"

static json_t *load_app(struct kc_req *req, struct kc_resp *resp, struct kc_db_conn *c, int64_t *id,
                        enum kc_app_access *acc)
{
    struct kc_err err = {0};
    if (kc_app_path_id(req, resp, "id", id)) return NULL;
    json_t *a = kc_application_load(c, kc_app_user(req), *id, acc, &err);
    if (!a) kc_app_fail(resp, &err);
    return a;
}

void kc_api_trust_transcripts(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    enum kc_app_access acc;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *a = load_app(req, resp, c, &id, &acc), *rows = NULL;
    if (a && acc != KC_ACCESS_APPLICANT)
        kc_err_set(&err, KC_E_NOT_FOUND, "no such application");
    else if (a)
        rows =
            kc_db_query(c,
                        "SELECT x.id AS analysis_id, x.type, x.status, x.result_json, "
                        "x.updated_at, (SELECT json_group_array(json_object('segment', t.segment, "
                        "'corrected', t.corrected, 'created_at', t.created_at)) FROM "
                        "transcript_corrections t WHERE t.analysis_id = x.id) AS corrections "
                        "FROM analyses x WHERE x.application_id = $1 ORDER BY x.id",
                        KC_ARGS(KC_DBV_INT(id)), &err);
    kc_db_release(app->db, c);
    if (!a) return;
    json_decref(a);
    if (!rows) KC_FAIL(resp, &err);
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        json_t *res = json_incref(json_object_get(r, "result")); /* result_json, parsed */
        json_t *t = json_is_object(res) ? json_object_get(res, "transcript") : NULL;
        json_object_set(r, "transcript", t ? t : json_null());
        json_object_set_new(r, "transcript_status", json_string(t ? "ok" : "unavailable"));
        json_decref(res);
        json_object_del(r, "result");
        json_t *cs = json_loads(json_string_value(json_object_get(r, "corrections")), 0, NULL);
        json_object_set_new(r, "corrections", cs ? cs : json_array());
    }
    kc_resp_json(resp, 200, json_pack("{s:o}", "items", kc_app_times(rows)));
}

void kc_api_trust_correction(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id, aid, n = 0;
    enum kc_app_access acc;
    if (kc_app_path_id(req, resp, "analysis_id", &aid)) return;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    json_t *seg = json_object_get(b, "segment");
    const char *text = json_string_value(json_object_get(b, "text"));
    if (!json_is_integer(seg) || json_integer_value(seg) < 0 || json_integer_value(seg) > 100000) {
        KC_ERRF(resp, KC_E_INVALID, "segment", "segment: a segment index ≥ 0");
    }
    if (!text || !*text || strlen(text) > 10000) {
        KC_ERRF(resp, KC_E_INVALID, "text", "text: 1..10000 bytes of corrected transcript");
    }
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *a = load_app(req, resp, c, &id, &acc);
    int rc = a ? 0 : -1;
    if (a && acc != KC_ACCESS_APPLICANT)
        rc = kc_err_set(&err, KC_E_NOT_FOUND, "no such application");
    if (!rc && (kc_db_query_int(c,
                                "SELECT count(*) FROM analyses WHERE id = $1 AND "
                                "application_id = $2",
                                KC_ARGS(KC_DBV_INT(aid), KC_DBV_INT(id)), &n, &err) < 0 ||
                !n))
        rc = n ? -1 : kc_err_set(&err, KC_E_NOT_FOUND, "no such analysis");
    if (!rc && !kc_app_begin(c, &err)) {
        if (kc_db_exec(c,
                       "INSERT INTO transcript_corrections(analysis_id, application_id, segment, "
                       "corrected, created_at) VALUES ($1, $2, $3, $4, $5)",
                       KC_ARGS(KC_DBV_INT(aid), KC_DBV_INT(id), KC_DBV_INT(json_integer_value(seg)),
                               KC_DBV_TEXT(text), KC_DBV_INT(kc_now())),
                       &err) < 0 ||
            kc_audit(c, json_integer_value(json_object_get(a, "company_id")), kc_app_user(req)->id,
                     "trust.transcript.correct", "analysis", aid, NULL,
                     json_pack("{s:I}", "segment", json_integer_value(seg)), &err)) {
            kc_db_rollback(c);
            rc = -1;
        } else {
            rc = kc_app_commit(c, &err);
        }
    } else if (!rc) {
        rc = -1;
    }
    kc_db_release(app->db, c);
    if (!a) return;
    json_decref(a);
    if (rc) KC_FAIL(resp, &err);
    kc_resp_json(resp, 201,
                 json_pack("{s:I,s:I,s:b}", "analysis_id", (json_int_t)aid, "segment",
                           json_integer_value(seg), "original_kept", 1));
}

/* Tell the company's managers and recruiters (ids only: no personal data in the text). */
static int notify_staff(struct kc_db_conn *c, int64_t cid, int64_t app_id, const char *kind,
                        struct kc_err *err)
{
    json_t *r = kc_db_query(c,
                            "SELECT user_id FROM memberships WHERE company_id = $1 AND role IN "
                            "('manager', 'recruiter')",
                            KC_ARGS(KC_DBV_INT(cid)), err);
    if (!r) return -1;
    char title[128];
    snprintf(title, sizeof title, "Candidate-rights request (%s): answer within 30 days", kind);
    for (size_t i = 0; i < json_array_size(r); i++)
        if (kc_notify(c, json_integer_value(json_object_get(json_array_get(r, i), "user_id")),
                      "trust.rights_request", title, "",
                      json_pack("{s:I,s:s}", "application_id", (json_int_t)app_id, "kind", kind),
                      err))
            return json_decref(r), -1;
    json_decref(r);
    return 0;
}

/* Tell the applicant their request was answered. */
static int notify_applicant(struct kc_db_conn *c, int64_t request_id, struct kc_err *err)
{
    json_t *r = kc_db_query_one(c,
                                "SELECT a.applicant_id, a.id AS application_id, r.kind FROM "
                                "rights_requests r JOIN applications a ON a.id = "
                                "r.application_id WHERE r.id = $1",
                                KC_ARGS(KC_DBV_INT(request_id)), err);
    if (!r) return -1;
    int rc = kc_notify(c, json_integer_value(json_object_get(r, "applicant_id")),
                       "trust.rights_answer", "Your request was answered", "",
                       json_pack("{s:I,s:O}", "request_id", (json_int_t)request_id,
                                 "application_id", json_object_get(r, "application_id")),
                       err);
    json_decref(r);
    return rc;
}

/* Evidence of the decisions so far, from stored rows only. */
static json_t *evidence(struct kc_db_conn *c, const json_t *a, struct kc_err *err)
{
    int64_t id = json_integer_value(json_object_get(a, "id"));
    int64_t job = json_integer_value(json_object_get(a, "job_id"));
    json_t *crit = kc_db_query_one(c, "SELECT criteria_json FROM job_posts WHERE id = $1",
                                   KC_ARGS(KC_DBV_INT(job)), err);
    json_t *st = crit ? kc_db_query(c,
                                    "SELECT stage, position, status, score, reason, decided_by, "
                                    "decided_at FROM application_stages WHERE application_id = "
                                    "$1 ORDER BY position",
                                    KC_ARGS(KC_DBV_INT(id)), err)
                      : NULL;
    if (!st) return json_decref(crit), NULL;
    size_t i;
    json_t *s;
    json_array_foreach(st, i, s)
    {
        const char *status = json_string_value(json_object_get(s, "status"));
        if (strcmp(status, "passed") && strcmp(status, "failed") && strcmp(status, "on_hold"))
            continue;
        json_t *agg =
            kc_stage_aggregate(c, id, job, json_string_value(json_object_get(s, "stage")), err);
        json_object_set_new(s, "evaluator_aggregate", agg ? agg : json_null());
        err->code = KC_OK;
    }
    json_t *cj = json_incref(json_object_get(crit, "criteria")); /* criteria_json, parsed */
    json_decref(crit);
    return json_pack("{s:o,s:o,s:s,s:s}", "criteria", cj ? cj : json_array(), "stages",
                     kc_app_times(st), "application_status",
                     json_string_value(json_object_get(a, "status")), "decided_by_note",
                     "decided_by is the id of the staff member who decided; every decision is "
                     "made by a person");
}

void kc_api_trust_request_create(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    enum kc_app_access acc;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    const char *kind = json_string_value(json_object_get(b, "kind"));
    const char *stmt = json_string_value(json_object_get(b, "statement"));
    if (!kind ||
        (strcmp(kind, "explanation") && strcmp(kind, "re_review") && strcmp(kind, "statement"))) {
        KC_ERRF(resp, KC_E_INVALID, "kind", "kind: explanation, re_review or statement");
    }
    if ((stmt && strlen(stmt) > 10000) || (!strcmp(kind, "statement") && (!stmt || !*stmt))) {
        KC_ERRF(resp, KC_E_INVALID, "statement", "statement: 1..10000 bytes");
    }
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *a = load_app(req, resp, c, &id, &acc), *ev = NULL, *row = NULL;
    int rc = a ? 0 : -1;
    if (a && acc != KC_ACCESS_APPLICANT) rc = kc_err_set(&err, KC_E_FORBIDDEN, "applicants only");
    if (!rc && !strcmp(kind, "explanation") && !(ev = evidence(c, a, &err))) rc = -1;
    char *evs = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
    if (!rc && !kc_app_begin(c, &err)) {
        long now = kc_now();
        row = kc_db_query_one(c,
                              "INSERT INTO rights_requests(application_id, kind, statement, "
                              "evidence_json, deadline_at, created_at) VALUES ($1, $2, $3, $4, "
                              "$5, $6) RETURNING id, application_id, kind, statement, status, "
                              "deadline_at, created_at",
                              KC_ARGS(KC_DBV_INT(id), KC_DBV_TEXT(kind),
                                      KC_DBV_TEXT(stmt ? stmt : ""), KC_DBV_TEXT_OR_NULL(evs),
                                      KC_DBV_INT(now + KC_TRUST_DEADLINE_S), KC_DBV_INT(now)),
                              &err);
        if (!row ||
            kc_audit(c, json_integer_value(json_object_get(a, "company_id")), kc_app_user(req)->id,
                     "trust.rights.request", "application", id, NULL,
                     json_pack("{s:s}", "kind", kind), &err) ||
            notify_staff(c, json_integer_value(json_object_get(a, "company_id")), id, kind, &err)) {
            kc_db_rollback(c);
            rc = -1;
        } else {
            rc = kc_app_commit(c, &err);
        }
    } else if (!rc) {
        rc = -1;
    }
    kc_db_release(app->db, c);
    free(evs);
    if (!a) return json_decref(ev);
    json_decref(a);
    if (rc) {
        json_decref(ev);
        json_decref(row);
        KC_FAIL(resp, &err);
    }
    json_object_set_new(row, "evidence", ev ? ev : json_null());
    kc_resp_json(resp, 201, kc_app_times(row));
}

#define REQ_COLS                                                                                   \
    "r.id, r.application_id, r.kind, r.statement, r.status, r.evidence_json, r.response, "         \
    "r.answered_by, r.deadline_at, r.created_at, r.answered_at"

/* evidence_json arrives parsed as "evidence" (the db layer parses *_json columns). */
static json_t *expand(json_t *rows)
{
    return kc_app_times(rows);
}

void kc_api_trust_requests_list(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    enum kc_app_access acc;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *a = load_app(req, resp, c, &id, &acc);
    json_t *rows = a ? kc_db_query(c,
                                   "SELECT " REQ_COLS " FROM rights_requests r WHERE "
                                   "r.application_id = $1 ORDER BY r.id",
                                   KC_ARGS(KC_DBV_INT(id)), &err)
                     : NULL;
    kc_db_release(app->db, c);
    if (!a) return;
    json_decref(a);
    if (!rows) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, json_pack("{s:o}", "items", expand(rows)));
}

void kc_api_trust_company_requests(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t cid;
    if (kc_company_scope(req, resp, KC_SCOPE_RECRUITER, &cid)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *rows = kc_db_query(c,
                               "SELECT " REQ_COLS ", a.job_id FROM rights_requests r JOIN "
                               "applications a ON a.id = r.application_id JOIN job_posts j ON "
                               "j.id = a.job_id WHERE j.company_id = $1 ORDER BY r.status = "
                               "'open' DESC, r.deadline_at",
                               KC_ARGS(KC_DBV_INT(cid)), &err);
    kc_db_release(app->db, c);
    if (!rows) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, json_pack("{s:o}", "items", expand(rows)));
}

void kc_api_trust_request_answer(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id, cid = 0;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    const char *text = json_string_value(json_object_get(b, "response"));
    const char *st = json_string_value(json_object_get(b, "status"));
    if (!st) st = "answered";
    if (!text || !*text || strlen(text) > 10000 ||
        (strcmp(st, "answered") && strcmp(st, "closed"))) {
        KC_ERRF(resp, KC_E_INVALID, "response",
                "response: 1..10000 bytes; status: answered or closed");
    }
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    int rc = kc_db_query_int(c,
                             "SELECT j.company_id FROM rights_requests r JOIN applications a ON "
                             "a.id = r.application_id JOIN job_posts j ON j.id = a.job_id WHERE "
                             "r.id = $1",
                             KC_ARGS(KC_DBV_INT(id)), &cid, &err);
    if (rc == 1 || (!rc && !kc_auth_is_recruiter(kc_app_user(req), cid)))
        rc = kc_err_set(&err, KC_E_NOT_FOUND, "no such request");
    if (!rc && !kc_app_begin(c, &err)) {
        if (kc_db_exec(c,
                       "UPDATE rights_requests SET status = $2, response = $3, answered_by = $4, "
                       "answered_at = $5 WHERE id = $1",
                       KC_ARGS(KC_DBV_INT(id), KC_DBV_TEXT(st), KC_DBV_TEXT(text),
                               KC_DBV_INT(kc_app_user(req)->id), KC_DBV_INT(kc_now())),
                       &err) < 0 ||
            kc_audit(c, cid, kc_app_user(req)->id, "trust.rights.answer", "rights_request", id,
                     NULL, json_pack("{s:s}", "status", st), &err) ||
            notify_applicant(c, id, &err)) {
            kc_db_rollback(c);
            rc = -1;
        } else {
            rc = kc_app_commit(c, &err);
        }
    } else if (!rc) {
        rc = -1;
    }
    kc_db_release(app->db, c);
    if (rc) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, json_pack("{s:I,s:s}", "id", (json_int_t)id, "status", st));
}
