/*
 * applications.c — apply, withdraw, list and read applications, memos, the audit trail,
 * and the internal read used by the agent service.
 *
 * Applying creates, in one transaction, the application (UNIQUE per applicant and job, so a
 * second try is 409), one application_stages row per stage of the job in its order (the
 * first in_progress, the rest pending), a notification for each manager/recruiter of the
 * company and an audit entry. After the commit a job {application_id} is queued on
 * kc:jobs:agent.screen for the agent (nothing breaks when no agent runs; a queue failure is
 * logged, the application stands).
 *
 * Who sees what (kc_application_load): the applicant sees their own application with the
 * stage history (status and dates, not scores, reasons or memos); recruiters of the job's
 * company see everything; interviewers on an accepted panel of the job see the application
 * and stages; anyone else gets 404.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "jobs.h"
#include "log.h"
#include "validate.h"

#define APP_COLS                                                                                   \
    "a.id, a.job_id, j.title AS job_title, j.company_id, c.name AS company_name, "                 \
    "a.applicant_id, u.name AS applicant_name, u.email AS applicant_email, a.resume_id, "          \
    "a.current_stage, a.status, a.created_at, a.updated_at"
#define APP_FROM                                                                                   \
    " FROM applications a JOIN job_posts j ON j.id = a.job_id JOIN companies c ON "                \
    "c.id = j.company_id JOIN users u ON u.id = a.applicant_id"

static enum kc_app_access access_of(struct kc_db_conn *c, const struct kc_user *u, const json_t *a,
                                    struct kc_err *err)
{
    int64_t cid = json_integer_value(json_object_get(a, "company_id"));
    int64_t n = 0;
    if (!strcmp(u->role, "applicant"))
        return json_integer_value(json_object_get(a, "applicant_id")) == u->id ? KC_ACCESS_APPLICANT
                                                                               : KC_ACCESS_NONE;
    if (kc_auth_is_recruiter(u, cid)) return KC_ACCESS_RECRUITER;
    if (!kc_auth_company_role(u, cid)) return KC_ACCESS_NONE;
    if (kc_db_query_int(c,
                        "SELECT count(*) FROM panels WHERE job_id = $1 AND user_id = $2 AND "
                        "status = 'accepted'",
                        KC_ARGS(KC_DBV_INT(json_integer_value(json_object_get(a, "job_id"))),
                                KC_DBV_INT(u->id)),
                        &n, err) < 0)
        return KC_ACCESS_NONE;
    return n > 0 ? KC_ACCESS_INTERVIEWER : KC_ACCESS_NONE;
}

json_t *kc_application_load(struct kc_db_conn *c, const struct kc_user *u, int64_t id,
                            enum kc_app_access *access, struct kc_err *err)
{
    json_t *a = kc_db_query_one(c, "SELECT " APP_COLS APP_FROM " WHERE a.id = $1",
                                KC_ARGS(KC_DBV_INT(id)), err);
    *access = KC_ACCESS_NONE;
    if (a) *access = access_of(c, u, a, err);
    if (a && *access == KC_ACCESS_NONE) {
        json_decref(a);
        a = NULL;
        if (err->code == KC_OK) err->code = KC_E_NOT_FOUND;
    }
    if (!a && err->code == KC_E_NOT_FOUND) kc_err_set(err, KC_E_NOT_FOUND, "no such application");
    return a;
}

static int add_stages(struct kc_db_conn *c, json_t *a, enum kc_app_access access,
                      struct kc_err *err)
{
    const char *sql =
        access == KC_ACCESS_APPLICANT
            ? "SELECT stage, position, status, decided_at, entered_at FROM application_stages "
              "WHERE application_id = $1 ORDER BY position"
            : "SELECT s.stage, s.position, s.status, s.score, s.reason, s.decided_by, "
              "u.name AS decided_by_name, s.decided_at, s.entered_at FROM application_stages s "
              "LEFT JOIN users u ON u.id = s.decided_by WHERE s.application_id = $1 "
              "ORDER BY s.position";
    json_t *st =
        kc_db_query(c, sql, KC_ARGS(KC_DBV_INT(json_integer_value(json_object_get(a, "id")))), err);
    if (!st) return -1;
    json_object_set_new(a, "stages", kc_app_times(st));
    return 0;
}

static json_t *detail(struct kc_db_conn *c, const struct kc_user *u, int64_t id, struct kc_err *err)
{
    enum kc_app_access access;
    json_t *a = kc_application_load(c, u, id, &access, err);
    if (!a) return NULL;
    if (add_stages(c, a, access, err)) {
        json_decref(a);
        return NULL;
    }
    static const char *const names[] = {"none", "applicant", "interviewer", "recruiter"};
    json_object_set_new(a, "access", json_string(names[access]));
    /* contact details are for the applicant and recruiters, not for interviewers */
    if (access == KC_ACCESS_INTERVIEWER) json_object_del(a, "applicant_email");
    return kc_app_times(a);
}

static int notify_recruiters(struct kc_db_conn *c, int64_t cid, int64_t app_id,
                             const char *job_title, struct kc_err *err)
{
    json_t *r = kc_db_query(c,
                            "SELECT user_id FROM memberships WHERE company_id = $1 AND role IN "
                            "('manager', 'recruiter')",
                            KC_ARGS(KC_DBV_INT(cid)), err);
    if (!r) return -1;
    char title[400];
    KC_SNPRINTF(title, "New application for %s", job_title);
    for (size_t i = 0; i < json_array_size(r); i++)
        if (kc_notify(c, json_integer_value(json_object_get(json_array_get(r, i), "user_id")),
                      "application.new", title, "",
                      json_pack("{s:I}", "application_id", (json_int_t)app_id), err)) {
            json_decref(r);
            return -1;
        }
    json_decref(r);
    return 0;
}

static int insert_stages(struct kc_db_conn *c, int64_t app_id, const json_t *stages, long now,
                         struct kc_err *err)
{
    for (size_t i = 0; i < json_array_size(stages); i++) {
        const char *name = json_string_value(json_object_get(json_array_get(stages, i), "name"));
        if (kc_db_exec(c,
                       "INSERT INTO application_stages(application_id, stage, position, status, "
                       "entered_at) VALUES ($1, $2, $3, $4, $5)",
                       KC_ARGS(KC_DBV_INT(app_id), KC_DBV_TEXT(name), KC_DBV_INT(i),
                               KC_DBV_TEXT(i == 0 ? "in_progress" : "pending"),
                               i == 0 ? KC_DBV_INT(now) : KC_DBV_NULL),
                       err) < 0)
            return -1;
    }
    return 0;
}

static int apply_tx(struct kc_db_conn *c, const struct kc_user *u, int64_t job_id,
                    int64_t resume_id, int64_t *app_id, struct kc_err *err)
{
    long now = kc_now();
    int64_t owned = 0;
    json_t *job = kc_db_query_one(c,
                                  "SELECT id, company_id, title, stages_json, opens_at, closes_at "
                                  "FROM job_posts WHERE id = $1 AND opens_at <= $2",
                                  KC_ARGS(KC_DBV_INT(job_id), KC_DBV_INT(now)), err);
    if (!job) return -1;
    int rc = -1;
    json_t *stages = json_object_get(job, "stages");
    if (json_integer_value(json_object_get(job, "closes_at")) <= now) {
        kc_err_set(err, KC_E_CONFLICT, "the job is closed for applications");
        goto out;
    }
    if (kc_db_query_int(c, "SELECT count(*) FROM resumes WHERE id = $1 AND owner_id = $2",
                        KC_ARGS(KC_DBV_INT(resume_id), KC_DBV_INT(u->id)), &owned, err) < 0)
        goto out;
    if (!owned) {
        kc_err_field(err, KC_E_INVALID, "resume_id", "resume_id: not one of your resumes");
        goto out;
    }
    if (kc_db_query_int(c,
                        "INSERT INTO applications(job_id, applicant_id, resume_id, current_stage, "
                        "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
                        KC_ARGS(KC_DBV_INT(job_id), KC_DBV_INT(u->id), KC_DBV_INT(resume_id),
                                KC_DBV_TEXT(json_string_value(
                                    json_object_get(json_array_get(stages, 0), "name"))),
                                KC_DBV_INT(now)),
                        app_id, err)) {
        if (err->code == KC_E_CONFLICT)
            kc_err_set(err, KC_E_CONFLICT, "you already applied to this job");
        goto out;
    }
    int64_t cid = json_integer_value(json_object_get(job, "company_id"));
    if (insert_stages(c, *app_id, stages, now, err) ||
        notify_recruiters(c, cid, *app_id, json_string_value(json_object_get(job, "title")), err) ||
        kc_audit(c, cid, u->id, "application.submit", "application", *app_id, NULL,
                 json_pack("{s:I,s:I}", "job_id", (json_int_t)job_id, "resume_id",
                           (json_int_t)resume_id),
                 err))
        goto out;
    rc = 0;
out:
    json_decref(job);
    return rc;
}

void kc_api_apply(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t job_id, resume_id, app_id = 0;
    if (kc_app_path_id(req, resp, "id", &job_id)) return;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    if (kc_json_int(b, "resume_id", 1, 1, INT64_MAX, &resume_id, &err)) KC_FAIL(resp, &err);
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    const struct kc_user *u = kc_app_user(req);
    if (kc_app_begin(c, &err) || apply_tx(c, u, job_id, resume_id, &app_id, &err) ||
        kc_app_commit(c, &err)) {
        kc_db_rollback(c);
        kc_db_release(app->db, c);
        if (err.code == KC_E_NOT_FOUND) kc_err_set(&err, KC_E_NOT_FOUND, "no such job");
        KC_FAIL(resp, &err);
    }
    json_t *out = detail(c, u, app_id, &err);
    kc_db_release(app->db, c);
    json_t *payload = json_pack("{s:I}", "application_id", (json_int_t)app_id);
    struct kc_err qerr = {0};
    if (kc_jobs_enqueue(app->redis, "agent.screen", payload, NULL, 0, &qerr))
        kc_warn("application %lld: screening job not queued: %s", (long long)app_id, qerr.message);
    json_decref(payload);
    if (!out) KC_FAIL(resp, &err);
    kc_resp_json(resp, 201, out);
}

void kc_api_application_get(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *out = detail(c, kc_app_user(req), id, &err);
    kc_db_release(app->db, c);
    if (!out) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, out);
}

void kc_api_my_applications(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *rows = kc_db_query(c,
                               "SELECT a.id, a.job_id, j.title AS job_title, c.name AS "
                               "company_name, a.current_stage, a.status, a.created_at, "
                               "a.updated_at FROM applications a JOIN job_posts j ON j.id = "
                               "a.job_id JOIN companies c ON c.id = j.company_id WHERE "
                               "a.applicant_id = $1 ORDER BY a.id DESC",
                               KC_ARGS(KC_DBV_INT(kc_app_user(req)->id)), &err);
    kc_db_release(app->db, c);
    if (!rows) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, json_pack("{s:o}", "items", kc_app_times(rows)));
}

void kc_api_job_applications(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t job_id;
    if (kc_app_path_id(req, resp, "id", &job_id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *job = kc_jobs_load_scoped(c, kc_app_user(req), job_id, &err), *rows = NULL;
    int recruiter =
        job && kc_auth_is_recruiter(kc_app_user(req),
                                    json_integer_value(json_object_get(job, "company_id")));
    if (recruiter)
        rows = kc_db_query(c,
                           "SELECT a.id, a.applicant_id, u.name AS applicant_name, u.email AS "
                           "applicant_email, a.resume_id, a.current_stage, a.status, "
                           "a.created_at, a.updated_at FROM applications a JOIN users u ON "
                           "u.id = a.applicant_id WHERE a.job_id = $1 ORDER BY a.id",
                           KC_ARGS(KC_DBV_INT(job_id)), &err);
    kc_db_release(app->db, c);
    json_decref(job);
    if (job && !recruiter) KC_ERRF(resp, KC_E_FORBIDDEN, NULL, "only recruiters list applications");
    if (!rows) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, json_pack("{s:o}", "items", kc_app_times(rows)));
}

void kc_api_application_withdraw(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id, cid = 0;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    const struct kc_user *u = kc_app_user(req);
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    if (kc_app_begin(c, &err)) goto fail;
    int rc = kc_db_query_int(c,
                             "UPDATE applications SET status = 'withdrawn', updated_at = $3 "
                             "WHERE id = $1 AND applicant_id = $2 AND status IN "
                             "('in_progress', 'on_hold') RETURNING (SELECT company_id FROM "
                             "job_posts WHERE id = job_id)",
                             KC_ARGS(KC_DBV_INT(id), KC_DBV_INT(u->id), KC_DBV_INT(kc_now())), &cid,
                             &err);
    if (rc == 1) {
        int64_t mine = 0;
        kc_db_query_int(c, "SELECT count(*) FROM applications WHERE id = $1 AND applicant_id = $2",
                        KC_ARGS(KC_DBV_INT(id), KC_DBV_INT(u->id)), &mine, &err);
        if (mine)
            kc_err_set(&err, KC_E_CONFLICT, "the application is already decided or withdrawn");
        else
            kc_err_set(&err, KC_E_NOT_FOUND, "no such application");
    }
    if (rc != 0 ||
        kc_audit(c, cid, u->id, "application.withdraw", "application", id, NULL, NULL, &err) ||
        kc_app_commit(c, &err)) {
        kc_db_rollback(c);
        goto fail;
    }
    json_t *out = detail(c, u, id, &err);
    kc_db_release(app->db, c);
    if (!out) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, out);
    return;
fail:
    kc_db_release(app->db, c);
    kc_app_fail(resp, &err);
}

json_t *kc_application_load_recruiter(struct kc_db_conn *c, const struct kc_user *u, int64_t id,
                                      struct kc_err *err)
{
    enum kc_app_access access;
    json_t *a = kc_application_load(c, u, id, &access, err);
    if (a && access != KC_ACCESS_RECRUITER) {
        json_decref(a);
        kc_err_set(err, KC_E_FORBIDDEN, "only the company's recruiters may do this");
        return NULL;
    }
    return a;
}

void kc_api_memos_list(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *a = kc_application_load_recruiter(c, kc_app_user(req), id, &err), *rows = NULL;
    if (a)
        rows = kc_db_query(c,
                           "SELECT m.id, m.author_id, u.name AS author_name, m.body, m.created_at "
                           "FROM memos m JOIN users u ON u.id = m.author_id WHERE "
                           "m.application_id = $1 ORDER BY m.id",
                           KC_ARGS(KC_DBV_INT(id)), &err);
    kc_db_release(app->db, c);
    json_decref(a);
    if (!rows) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, json_pack("{s:o}", "items", kc_app_times(rows)));
}

void kc_api_memos_create(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    const char *body;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    if (kc_json_str(b, "body", 1, KC_TEXT_MAX, &body, &err)) KC_FAIL(resp, &err);
    if (!*body) KC_ERRF(resp, KC_E_INVALID, "body", "body: must not be empty");
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *a = kc_application_load_recruiter(c, kc_app_user(req), id, &err), *row = NULL;
    if (a)
        row = kc_db_query_one(c,
                              "INSERT INTO memos(application_id, author_id, body, created_at) "
                              "VALUES ($1, $2, $3, $4) RETURNING id, author_id, body, created_at",
                              KC_ARGS(KC_DBV_INT(id), KC_DBV_INT(kc_app_user(req)->id),
                                      KC_DBV_TEXT(body), KC_DBV_INT(kc_now())),
                              &err);
    kc_db_release(app->db, c);
    json_decref(a);
    if (!row) KC_FAIL(resp, &err);
    kc_resp_json(resp, 201, kc_app_times(row));
}

void kc_api_application_audit(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *a = kc_application_load_recruiter(c, kc_app_user(req), id, &err), *rows = NULL;
    if (a)
        rows = kc_db_query(c,
                           "SELECT l.id, l.actor_id, u.name AS actor_name, l.action, l.reason, "
                           "l.detail_json, l.at FROM audit_log l LEFT JOIN users u ON u.id = "
                           "l.actor_id WHERE l.target_type = 'application' AND l.target_id = $1 "
                           "ORDER BY l.id",
                           KC_ARGS(KC_DBV_INT(id)), &err);
    kc_db_release(app->db, c);
    json_decref(a);
    if (!rows) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, json_pack("{s:o}", "items", kc_app_times(rows)));
}

void kc_api_internal_application(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *a = kc_db_query_one(c,
                                "SELECT a.id, a.job_id, a.applicant_id, a.resume_id, "
                                "a.current_stage, a.status, j.title AS job_title, "
                                "j.description AS job_description, j.qualifications AS "
                                "job_qualifications, j.stages_json, j.criteria_json, "
                                "j.questions_json, r.text AS resume_text, r.sections_json "
                                "AS resume_sections_json, r.blob_sha256 AS resume_blob FROM "
                                "applications a JOIN job_posts j ON j.id = a.job_id JOIN resumes "
                                "r ON r.id = a.resume_id WHERE a.id = $1",
                                KC_ARGS(KC_DBV_INT(id)), &err);
    kc_db_release(app->db, c);
    if (!a) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, a);
}
