/*
 * ai_screening.c — screening results and resume insights.
 *
 * The agent runs job "agent.screen" (queued by applications.c on submit): it reads
 * GET /internal/applications/{id}/screening-input ({job:{text, criteria, threshold?},
 * resume:{id, text}}) and posts its report to POST /internal/applications/{id}/screening
 * ({application_id, run_id, status, source, result:{screening:{total, suggestion, ...},
 * highlights, similarity, suggestion}, errors, node_timings}). Every post is a new row of
 * screening_results (a retried job may post twice); readers take the newest row.
 *
 * Ranking orders a job's applications by the newest screening total (unscreened last) and
 * returns the screening object itself as evidence. Insights call the agent synchronously
 * (KC_AI_AGENT_TIMEOUT_MS) and are cached in Redis under
 * kc:backend:insights:<application>:<sha256 of the agent input> for an hour; an unreachable
 * agent is a 503 "unavailable", never made-up content. Generated questions are stored in
 * ai_questions (newest wins) and returned.
 *
 * Stored AI outputs (screening results, generated questions) are audited with their
 * provenance (ai_provenance.c). In blind-review jobs every document returned here carries the
 * pseudonym "Applicant #<application id>" instead of the applicant's name and e-mail
 * (ai_blind.c); the cached insights are shaped on the way out, never in the cache.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai.h"
#include "log.h"
#include "trust.h"

#define INSIGHTS_TTL_S 3600

/* The agent's input for an application: job text + criteria, resume id + text. */
static json_t *agent_input(struct kc_db_conn *c, int64_t app_id, struct kc_err *err)
{
    json_t *r = kc_db_query_one(
        c,
        "SELECT a.resume_id, j.title, j.description, j.qualifications, j.criteria_json, "
        "j.stages_json, r.text AS resume_text FROM applications a JOIN job_posts j ON j.id = "
        "a.job_id JOIN resumes r ON r.id = a.resume_id WHERE a.id = $1",
        KC_ARGS(KC_DBV_INT(app_id)), err);
    if (!r) {
        if (err->code == KC_E_NOT_FOUND) kc_err_set(err, KC_E_NOT_FOUND, "no such application");
        return NULL;
    }
    char *text = NULL;
    if (asprintf(&text, "%s\n%s\n%s", json_string_value(json_object_get(r, "title")),
                 json_string_value(json_object_get(r, "description")),
                 json_string_value(json_object_get(r, "qualifications"))) < 0)
        text = NULL;
    json_t *job = json_pack("{s:s,s:O}", "text", text ? text : "", "criteria",
                            json_object_get(r, "criteria"));
    free(text);
    json_t *st0 = json_array_get(json_object_get(r, "stages"), 0);
    json_t *thr = json_object_get(st0, "pass_threshold");
    if (json_is_number(thr)) json_object_set(job, "threshold", thr);
    const char *rt = json_string_value(json_object_get(r, "resume_text"));
    json_t *in = json_pack("{s:o,s:{s:O,s:s}}", "job", job, "resume", "id",
                           json_object_get(r, "resume_id"), "text", rt ? rt : "");
    json_decref(r);
    return in;
}

void kc_api_ai_screening_input(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *in = agent_input(c, id, &err);
    kc_db_release(app->db, c);
    if (!in) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, in);
}

void kc_api_ai_screening_post(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id, exists = 0;
    const char *status = NULL;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    if (kc_json_str(b, "status", 1, 32, &status, &err)) KC_FAIL(resp, &err);
    json_t *result = json_object_get(b, "result");
    if (result && !json_is_object(result) && !json_is_null(result))
        KC_ERRF(resp, KC_E_INVALID, "result", "result: must be an object or null");
    json_t *scr = json_object_get(result, "screening");
    json_t *total = json_object_get(scr, "total");
    const char *sugg = json_string_value(json_object_get(scr, "suggestion"));
    if (total && !json_is_number(total))
        KC_ERRF(resp, KC_E_INVALID, "result.screening.total", "result.screening.total: number");
    const char *run = json_string_value(json_object_get(b, "run_id"));
    char *doc = json_dumps(b, JSON_COMPACT);
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) {
        free(doc);
        return;
    }
    int rc = kc_db_query_int(c, "SELECT count(*) FROM applications WHERE id = $1",
                             KC_ARGS(KC_DBV_INT(id)), &exists, &err);
    json_t *row = NULL;
    if (rc == 0 && exists)
        row = kc_db_query_one(
            c,
            "INSERT INTO screening_results(application_id, run_id, status, total, suggestion, "
            "result_json, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            KC_ARGS(KC_DBV_INT(id), KC_DBV_TEXT_OR_NULL(run), KC_DBV_TEXT(status),
                    total ? KC_DBV_REAL(json_number_value(total)) : KC_DBV_NULL,
                    KC_DBV_TEXT_OR_NULL(sugg), KC_DBV_TEXT(doc ? doc : "{}"), KC_DBV_INT(kc_now())),
            &err);
    else if (rc == 0)
        kc_err_set(&err, KC_E_NOT_FOUND, "no such application");
    if (row) kc_ai_audit_output(app, c, id, "screening", b, NULL);
    kc_db_release(app->db, c);
    free(doc);
    if (!row) KC_FAIL(resp, &err);
    kc_resp_json(resp, 201, row);
}

#define LATEST_SCREENING                                                                           \
    "LEFT JOIN screening_results s ON s.id = (SELECT max(id) FROM screening_results WHERE "        \
    "application_id = a.id) "

/* A ranking row of a blind-review job: the pseudonym instead of name, e-mail and user id. */
static void blind_row(json_t *r)
{
    struct kc_ai_identity id = {0};
    snprintf(id.name, sizeof id.name, "%s",
             json_string_value(json_object_get(r, "applicant_name")));
    snprintf(id.email, sizeof id.email, "%s",
             json_string_value(json_object_get(r, "applicant_email")));
    snprintf(id.pseudonym, sizeof id.pseudonym, "Applicant #%lld",
             (long long)json_integer_value(json_object_get(r, "application_id")));
    json_object_del(r, "applicant_id");
    kc_ai_blind_scrub(r, &id);
    json_object_set_new(r, "blind_review", json_true());
}

/* Identity of the application replaced by its pseudonym in doc when its job is blind. */
static void blind_doc(struct kc_app *app, int64_t app_id, json_t *doc)
{
    struct kc_err err = {0};
    struct kc_ai_identity id;
    struct kc_db_conn *c = kc_db_acquire(app->db, &err);
    if (!c) return;
    int blind = kc_ai_app_blind(app, c, app_id);
    int ok = blind && kc_ai_identity_load(c, app_id, &id, &err) == 0;
    kc_db_release(app->db, c);
    if (!ok) return;
    kc_ai_blind_scrub(doc, &id);
    json_object_set_new(doc, "blind_review", json_true());
}

void kc_api_ai_ranking(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t job_id;
    if (kc_app_path_id(req, resp, "id", &job_id)) return;
    const struct kc_user *u = kc_app_user(req);
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *job = kc_jobs_load_scoped(c, u, job_id, &err), *rows = NULL;
    int rec =
        job && kc_auth_is_recruiter(u, json_integer_value(json_object_get(job, "company_id")));
    if (rec)
        rows = kc_db_query(c,
                           "SELECT a.id AS application_id, a.applicant_id, u.name AS "
                           "applicant_name, u.email AS applicant_email, a.current_stage, "
                           "a.status, s.total, s.suggestion, "
                           "s.status AS screening_status, s.result_json, s.created_at AS "
                           "screened_at FROM applications a JOIN users u ON u.id = "
                           "a.applicant_id " LATEST_SCREENING "WHERE a.job_id = $1 ORDER BY "
                           "s.total IS NULL, s.total DESC, a.id",
                           KC_ARGS(KC_DBV_INT(job_id)), &err);
    int blind = rows ? kc_trust_blind(app, c, job_id) : 0;
    kc_db_release(app->db, c);
    json_decref(job);
    if (job && !rec) KC_ERRF(resp, KC_E_FORBIDDEN, NULL, "only recruiters see the ranking");
    if (!rows) KC_FAIL(resp, &err);
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        json_t *res = json_object_get(r, "result");
        json_t *ev = json_object_get(json_object_get(res, "result"), "screening");
        json_object_set(r, "evidence", ev ? ev : json_null());
        json_object_set_new(r, "rank",
                            json_is_number(json_object_get(r, "total"))
                                ? json_integer((json_int_t)i + 1)
                                : json_null());
        json_object_del(r, "result");
        if (blind) blind_row(r);
        json_object_del(r, "applicant_email");
    }
    kc_resp_json(resp, 200,
                 json_pack("{s:I,s:o,s:s}", "job_id", (json_int_t)job_id, "items",
                           kc_app_times(rows), "order",
                           "newest screening total, highest first; unscreened last"));
}

void kc_api_ai_screening_get(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *a = kc_application_load_recruiter(c, kc_app_user(req), id, &err), *row = NULL;
    if (a)
        row = kc_db_query_one(c,
                              "SELECT id, application_id, run_id, status, total, suggestion, "
                              "result_json, created_at FROM screening_results WHERE "
                              "application_id = $1 ORDER BY id DESC LIMIT 1",
                              KC_ARGS(KC_DBV_INT(id)), &err);
    kc_db_release(app->db, c);
    json_decref(a);
    if (!row && err.code == KC_E_NOT_FOUND && a)
        KC_ERRF(resp, KC_E_NOT_FOUND, NULL, "the application has not been screened yet");
    if (!row) KC_FAIL(resp, &err);
    blind_doc(app, id, row);
    kc_resp_json(resp, 200, kc_app_times(row));
}

/* POST to the agent; 0 with *out (2xx JSON), -1 with err (503 when unreachable). */
static int agent_post(struct kc_app *app, const char *path, const json_t *body, json_t **out,
                      struct kc_err *err)
{
    long st = 0;
    if (kc_ai_call(app, KC_AI_AGENT, "POST", path, body, KC_AI_AGENT_TIMEOUT_MS, &st, out, err))
        return -1;
    if (st >= 200 && st < 300 && *out) return 0;
    const char *msg = json_string_value(json_object_get(json_object_get(*out, "error"), "message"));
    kc_err_set(err, st >= 500 || st == 0 ? KC_E_UNAVAILABLE : KC_E_UNPROCESSABLE,
               "agent %s answered %ld: %s", path, st, msg ? msg : "no details");
    json_decref(*out);
    *out = NULL;
    return -1;
}

static json_t *insights_compute(struct kc_app *app, const json_t *in, struct kc_err *err)
{
    json_t *hl = NULL, *sim = NULL;
    if (agent_post(app, "/v1/highlights", in, &hl, err)) return NULL;
    const json_t *resume = json_object_get(in, "resume");
    json_t *q = json_pack("{s:O,s:O,s:i,s:f}", "text", json_object_get(resume, "text"),
                          "exclude_id", json_object_get(resume, "id"), "k", 5, "threshold", 0.8);
    int rc = agent_post(app, "/v1/similarity/query", q, &sim, err);
    json_decref(q);
    if (rc) {
        json_decref(hl);
        return NULL;
    }
    return json_pack("{s:o,s:o,s:s}", "highlights", hl, "similar_resumes", sim, "similarity_note",
                     "resumes of other applications with cosine similarity >= 0.8 (possible "
                     "copies); for a human to check, never an automatic decision");
}

void kc_api_ai_insights(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *a = kc_application_load_recruiter(c, kc_app_user(req), id, &err), *in = NULL;
    if (a) in = agent_input(c, id, &err);
    kc_db_release(app->db, c);
    json_decref(a);
    if (!in) KC_FAIL(resp, &err);
    char *s = json_dumps(in, JSON_COMPACT | JSON_SORT_KEYS), hash[65], key[160], *hit = NULL;
    kc_token_sha256_hex(s ? s : "", hash);
    free(s);
    snprintf(key, sizeof key, "kc:backend:insights:%lld:%s", (long long)id, hash);
    size_t len = 0;
    struct kc_err cerr = {0};
    if (kc_redis_get(app->redis, key, &hit, &len, &cerr) == 1) {
        json_decref(in);
        json_t *cached = json_loadb(hit, len, 0, NULL);
        free(hit);
        if (cached) {
            blind_doc(app, id, cached);
            kc_resp_json(resp, 200, cached);
            return;
        }
    }
    json_t *out = insights_compute(app, in, &err);
    json_decref(in);
    if (!out) KC_FAIL(resp, &err);
    json_object_set_new(out, "application_id", json_integer(id));
    char *dump = json_dumps(out, JSON_COMPACT);
    if (dump) kc_redis_setex(app->redis, key, dump, strlen(dump), INSIGHTS_TTL_S, &cerr);
    free(dump);
    blind_doc(app, id, out);
    kc_resp_json(resp, 200, out);
}

void kc_api_ai_questions(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *a = kc_application_load_recruiter(c, kc_app_user(req), id, &err), *in = NULL,
           *out = NULL, *row = NULL;
    if (a) in = agent_input(c, id, &err);
    kc_db_release(app->db, c);
    json_decref(a);
    if (!in) KC_FAIL(resp, &err);
    int rc = agent_post(app, "/v1/questions", in, &out, &err);
    json_decref(in);
    if (rc) KC_FAIL(resp, &err);
    char *doc = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    c = kc_app_conn(app, resp);
    if (!c) {
        free(doc);
        return;
    }
    row = kc_db_query_one(c,
                          "INSERT INTO ai_questions(application_id, created_by, result_json, "
                          "created_at) VALUES ($1, $2, $3, $4) RETURNING id, application_id, "
                          "result_json, created_at",
                          KC_ARGS(KC_DBV_INT(id), KC_DBV_INT(kc_app_user(req)->id),
                                  KC_DBV_TEXT(doc ? doc : "{}"), KC_DBV_INT(kc_now())),
                          &err);
    if (row) kc_ai_audit_output(app, c, id, "questions", json_object_get(row, "result"), NULL);
    kc_db_release(app->db, c);
    free(doc);
    if (!row) KC_FAIL(resp, &err);
    blind_doc(app, id, row);
    kc_resp_json(resp, 201, kc_app_times(row));
}
