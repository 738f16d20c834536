/*
 * api.h — the backend's route handlers (one module per resource) and the cross-module
 * helpers they share. Every handler has the kc_http_handler signature and takes the
 * struct kc_app as ctx; routes.c is the only table that wires them to paths and policy.
 */
#ifndef KC_BACKEND_API_H
#define KC_BACKEND_API_H

#include <jansson.h>
#include <stdint.h>

#include "app.h"

#define KC_HANDLER(name) void name(struct kc_req *req, struct kc_resp *resp, void *ctx)

/* accounts.c */
KC_HANDLER(kc_api_signup_applicant);
KC_HANDLER(kc_api_signup_company);
KC_HANDLER(kc_api_login);
KC_HANDLER(kc_api_refresh);
KC_HANDLER(kc_api_logout);
KC_HANDLER(kc_api_password_change);
KC_HANDLER(kc_api_reset_request);
KC_HANDLER(kc_api_reset_confirm);
KC_HANDLER(kc_api_invitation_accept);
KC_HANDLER(kc_api_me);
int kc_accounts_issue(struct kc_app *app, struct kc_db_conn *c, int64_t user_id, const char *role,
                      const char *family, json_t *out, struct kc_err *err);

/* companies.c */
enum kc_scope { KC_SCOPE_MEMBER, KC_SCOPE_RECRUITER, KC_SCOPE_MANAGER };
/* Path {id} is a company the caller belongs to with at least `need`: 0, else answered
 * (404 not a member, 403 role too low) and -1. */
int kc_company_scope(struct kc_req *req, struct kc_resp *resp, enum kc_scope need, int64_t *cid);
KC_HANDLER(kc_api_company_get);
KC_HANDLER(kc_api_company_put);
KC_HANDLER(kc_api_departments_list);
KC_HANDLER(kc_api_departments_create);
KC_HANDLER(kc_api_departments_delete);
KC_HANDLER(kc_api_members_list);
KC_HANDLER(kc_api_members_patch);
KC_HANDLER(kc_api_members_delete);
KC_HANDLER(kc_api_invitations_list);
KC_HANDLER(kc_api_invitations_create);

/* jobinput.c */
struct kc_job_input {
    int64_t company_id, department_id, headcount;
    const char *title, *description, *qualifications, *conditions, *location, *employment_type;
    long opens_at, closes_at;
    char *stages_json, *criteria_json, *questions_json; /* malloc'd canonical JSON */
};
int kc_job_input_parse(const json_t *body, int need_company, struct kc_job_input *in,
                       struct kc_err *err);
void kc_job_input_free(struct kc_job_input *in);

/* jobs.c */
KC_HANDLER(kc_api_jobs_list);
KC_HANDLER(kc_api_jobs_get);
KC_HANDLER(kc_api_jobs_manage);
KC_HANDLER(kc_api_jobs_create);
KC_HANDLER(kc_api_jobs_update);
KC_HANDLER(kc_api_jobs_delete);
KC_HANDLER(kc_api_company_jobs);
void kc_jobs_cache_invalidate(struct kc_app *app);

/* jobcache.c: the public job cache (see its header comment) */
void kc_jobcache_normalise(const char *in, char *out, size_t cap);
void kc_jobcache_key(const char *normalised, char *key, size_t cap);
/* 1 when a cached answer was sent. */
int kc_jobcache_get(struct kc_app *app, const char *key, struct kc_resp *resp);
/* The cache generation before a DB read; -1 when Redis is unavailable (then not stored). */
long long kc_jobcache_version(struct kc_app *app);
/* Answer with body (stolen) and store it unless the generation moved meanwhile. */
void kc_jobcache_put_and_answer(struct kc_app *app, const char *key, json_t *body, int ttl,
                                long long version, struct kc_resp *resp);
/* The full job (criteria, thresholds) when the caller is a member of its company, else
 * NULL with KC_E_NOT_FOUND. New reference. */
json_t *kc_jobs_load_scoped(struct kc_db_conn *c, const struct kc_user *u, int64_t id,
                            struct kc_err *err);

/* blobs.c */
KC_HANDLER(kc_api_internal_blob);
/* Move an uploaded temp file into the content-addressed store (once; an existing blob is
 * kept and the temp file dropped) and record it. mime must come from kc_mime_sniff. */
int kc_blob_store(struct kc_app *app, struct kc_db_conn *c, const struct kc_upload_file *f,
                  const char *mime, struct kc_err *err);
/* Path of a blob from a validated digest into out. -1 when the digest is not 64 hex. */
int kc_blob_path(const struct kc_app *app, const char *sha256_hex, char *out, size_t cap);

/* pdftext.c: text of a PDF (UTF-8, malloc'd) with at most max_pages pages and max_bytes
 * bytes of text; *pages gets the page count. 422 KC_E_UNPROCESSABLE for a corrupt or
 * encrypted PDF. */
char *kc_pdf_text(const char *path, int max_pages, size_t max_bytes, int *pages,
                  struct kc_err *err);

/* resumes.c */
KC_HANDLER(kc_api_resumes_upload);
KC_HANDLER(kc_api_resumes_list);
KC_HANDLER(kc_api_resumes_get);
KC_HANDLER(kc_api_resumes_put_sections);
KC_HANDLER(kc_api_resumes_delete);
KC_HANDLER(kc_api_resumes_file);

/* applications.c */
KC_HANDLER(kc_api_apply);
KC_HANDLER(kc_api_job_applications);
KC_HANDLER(kc_api_my_applications);
KC_HANDLER(kc_api_application_get);
KC_HANDLER(kc_api_application_withdraw);
KC_HANDLER(kc_api_memos_list);
KC_HANDLER(kc_api_memos_create);
KC_HANDLER(kc_api_application_audit);
KC_HANDLER(kc_api_internal_application);
/* How the caller relates to an application. */
enum kc_app_access {
    KC_ACCESS_NONE,
    KC_ACCESS_APPLICANT,
    KC_ACCESS_INTERVIEWER,
    KC_ACCESS_RECRUITER
};
/* Load an application with its job's company and stages list; *access says what the caller
 * may see. NULL + KC_E_NOT_FOUND when the caller has no access at all. */
json_t *kc_application_load(struct kc_db_conn *c, const struct kc_user *u, int64_t id,
                            enum kc_app_access *access, struct kc_err *err);
/* Same, requiring recruiter access to the application's company: NULL with 404 (not
 * visible) or 403 (visible to an interviewer only). New reference. */
json_t *kc_application_load_recruiter(struct kc_db_conn *c, const struct kc_user *u, int64_t id,
                                      struct kc_err *err);

/* decisions.c */
KC_HANDLER(kc_api_decision);
KC_HANDLER(kc_api_bulk_decision);

/* panels.c */
KC_HANDLER(kc_api_panels_list);
KC_HANDLER(kc_api_panels_create);
KC_HANDLER(kc_api_panels_delete);
KC_HANDLER(kc_api_panels_respond);
KC_HANDLER(kc_api_my_panels);
KC_HANDLER(kc_api_slots_list);
KC_HANDLER(kc_api_slots_create);
KC_HANDLER(kc_api_stage_view);
KC_HANDLER(kc_api_evaluation_put);
/* Aggregate of a stage's evaluations with the missing panel members. New reference. */
json_t *kc_stage_aggregate(struct kc_db_conn *c, int64_t application_id, int64_t job_id,
                           const char *stage, struct kc_err *err);

/* notify.c */
KC_HANDLER(kc_api_notifications_list);
KC_HANDLER(kc_api_notifications_unread);
KC_HANDLER(kc_api_notifications_read);
KC_HANDLER(kc_api_notifications_read_all);

/* stats.c */
KC_HANDLER(kc_api_job_stats);

/* mail.c */
KC_HANDLER(kc_api_admin_outbox);
/* Start the SMTP sender thread when KOCRUIT_SMTP_URL is set (no-op otherwise). */
int kc_mail_start(struct kc_app *app, struct kc_err *err);
void kc_mail_stop(void *app);

/* openapi.c */
KC_HANDLER(kc_api_openapi);
KC_HANDLER(kc_api_docs);
/* The OpenAPI document for a route table. New reference. */
json_t *kc_openapi_document(const struct kc_route *routes, size_t n);

/* web.c */
KC_HANDLER(kc_api_web);

/* admin_cli.c */
int kc_admin_cli(int argc, char **argv);
const char *kc_backend_migrations_dir(void);

/* routes.c */
const struct kc_route *kc_backend_routes(size_t *n);

/* feature handler declarations, one file per feature */
#include "api_ai.h"
#include "api_trust.h"

#endif
