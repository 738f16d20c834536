/*
 * test_pipeline.c — the rest of the pipeline against a running backend: bulk decisions are
 * all-or-nothing, withdrawal, memos, interview slots, hold, notifications marked read,
 * statistics with insufficient data, company departments and roles (the last manager
 * stays), the internal blob route, and a closed job answering 409.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bt.h"

static struct bt B;

static void setup(void)
{
    bt_start(&B, NULL);
}

static void teardown(void)
{
    bt_stop(&B);
}

static long long apply_with_text(const char *token, long long job, const char *text)
{
    long st;
    char body[64];
    json_t *r = bt_upload(&B, token, "cv.txt", text, strlen(text), &st);
    cr_assert_eq(st, 201);
    snprintf(body, sizeof body, "{\"resume_id\":%lld}",
             (long long)json_integer_value(json_object_get(r, "id")));
    json_decref(r);
    r = bt_req(&B, "POST", bt_path("/api/v1/jobs/%lld/applications", job), token, body, &st);
    cr_assert_eq(st, 201, "%s", json_dumps(r, 0));
    long long id = json_integer_value(json_object_get(r, "id"));
    json_decref(r);
    return id;
}

static const char *app_status(const char *token, long long id)
{
    static char buf[32];
    long st;
    json_t *r = bt_req(&B, "GET", bt_path("/api/v1/applications/%lld", id), token, NULL, &st);
    snprintf(buf, sizeof buf, "%s", json_string_value(json_object_get(r, "status")));
    json_decref(r);
    return buf;
}

Test(pipeline, bulk_withdraw_memo_slot_hold, .init = setup, .fini = teardown, .timeout = 120)
{
    long st;
    long long cid;
    char *mgr = bt_signup_company(&B, "m@p.example", "P", &cid, NULL);
    char *jb = bt_job_body(cid, "QA 엔지니어");
    json_t *job = bt_req(&B, "POST", "/api/v1/jobs", mgr, jb, &st);
    free(jb);
    long long job_id = json_integer_value(json_object_get(job, "id"));
    json_decref(job);
    char *a1 = bt_signup_applicant(&B, "a1@p.example", NULL);
    char *a2 = bt_signup_applicant(&B, "a2@p.example", NULL);
    char *a3 = bt_signup_applicant(&B, "a3@p.example", NULL);
    long long x1 = apply_with_text(a1, job_id, "Skills\nC\n");
    long long x2 = apply_with_text(a2, job_id, "Skills\nGo\n");
    long long x3 = apply_with_text(a3, job_id, "Skills\nRust\n");
    /* a3 withdraws; a bulk decision including it fails as a whole */
    json_t *r =
        bt_req(&B, "POST", bt_path("/api/v1/applications/%lld/withdraw", x3), a3, NULL, &st);
    cr_expect_eq(st, 200);
    cr_expect_str_eq(json_string_value(json_object_get(r, "status")), "withdrawn");
    json_decref(r);
    json_decref(
        bt_req(&B, "POST", bt_path("/api/v1/applications/%lld/withdraw", x3), a3, NULL, &st));
    cr_expect_eq(st, 409, "withdrawn twice");
    char body[300];
    snprintf(
        body, sizeof body,
        "{\"application_ids\":[%lld,%lld,%lld],\"decision\":\"pass\",\"reason\":\"일괄 통과\"}", x1,
        x2, x3);
    json_decref(bt_req(&B, "POST", bt_path("/api/v1/jobs/%lld/decisions", job_id), mgr, body, &st));
    cr_expect_eq(st, 409, "one withdrawn application stops the whole bulk decision");
    cr_expect_str_eq(app_status(mgr, x1), "in_progress");
    r = bt_req(&B, "GET", bt_path("/api/v1/applications/%lld", x1), mgr, NULL, &st);
    cr_expect_str_eq(json_string_value(json_object_get(r, "current_stage")), "document",
                     "nothing was written");
    json_decref(r);
    snprintf(body, sizeof body,
             "{\"application_ids\":[%lld,%lld],\"decision\":\"pass\",\"reason\":\"일괄 통과\"}", x1,
             x2);
    r = bt_req(&B, "POST", bt_path("/api/v1/jobs/%lld/decisions", job_id), mgr, body, &st);
    cr_expect_eq(st, 200, "%s", json_dumps(r, 0));
    cr_expect_eq(json_integer_value(json_object_get(r, "decided")), 2);
    json_decref(r);
    /* memo, slot (the applicant sees it and is notified), hold then fail */
    r = bt_req(&B, "POST", bt_path("/api/v1/applications/%lld/memos", x2), mgr,
               "{\"body\":\"실기 면접 일정 조율 필요\"}", &st);
    cr_expect_eq(st, 201);
    json_decref(r);
    r = bt_req(&B, "GET", bt_path("/api/v1/applications/%lld/memos", x2), mgr, NULL, &st);
    cr_expect_eq(json_array_size(json_object_get(r, "items")), 1);
    json_decref(r);
    json_decref(bt_req(&B, "GET", bt_path("/api/v1/applications/%lld/memos", x2), a2, NULL, &st));
    cr_expect_eq(st, 403, "applicants do not read memos");
    r = bt_req(&B, "POST", bt_path("/api/v1/applications/%lld/slots", x2), mgr,
               "{\"stage\":\"practical\",\"starts_at\":\"2030-01-02T10:00:00+09:00\","
               "\"ends_at\":\"2030-01-02T11:00:00+09:00\",\"location\":\"본사 3층\"}",
               &st);
    cr_expect_eq(st, 201, "%s", json_dumps(r, 0));
    json_decref(r);
    json_decref(bt_req(&B, "POST", bt_path("/api/v1/applications/%lld/slots", x2), mgr,
                       "{\"stage\":\"practical\",\"starts_at\":\"2030-01-02T10:00:00Z\","
                       "\"ends_at\":\"2030-01-02T09:00:00Z\"}",
                       &st));
    cr_expect_eq(st, 400, "a slot that ends before it starts");
    r = bt_req(&B, "GET", bt_path("/api/v1/applications/%lld/slots", x2), a2, NULL, &st);
    cr_expect_eq(st, 200);
    cr_expect_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(r, "items"), 0), "starts_at")),
                     "2030-01-02T01:00:00Z");
    json_decref(r);
    json_decref(bt_req(&B, "POST", bt_path("/api/v1/applications/%lld/decision", x2), mgr,
                       "{\"decision\":\"hold\",\"reason\":\"보류\"}", &st));
    cr_expect_eq(st, 200);
    cr_expect_str_eq(app_status(a2, x2), "on_hold");
    json_decref(bt_req(&B, "POST", bt_path("/api/v1/applications/%lld/decision", x2), mgr,
                       "{\"decision\":\"fail\",\"reason\":\"역량 부족\"}", &st));
    cr_expect_eq(st, 200);
    cr_expect_str_eq(app_status(a2, x2), "rejected");
    /* notifications: slot + 3 decisions for a2; mark all read */
    r = bt_req(&B, "GET", "/api/v1/notifications/unread-count", a2, NULL, &st);
    cr_expect_eq(json_integer_value(json_object_get(r, "unread")), 4, "%s", json_dumps(r, 0));
    json_decref(r);
    json_decref(bt_req(&B, "POST", "/api/v1/notifications/read-all", a2, NULL, &st));
    r = bt_req(&B, "GET", "/api/v1/notifications/unread-count", a2, NULL, &st);
    cr_expect_eq(json_integer_value(json_object_get(r, "unread")), 0);
    json_decref(r);
    /* statistics: document 2 passed of 2 decided; practical 0 passed 1 failed; final no data */
    r = bt_req(&B, "GET", bt_path("/api/v1/jobs/%lld/stats", job_id), mgr, NULL, &st);
    cr_assert_eq(st, 200);
    json_t *stages = json_object_get(r, "stages");
    cr_expect_float_eq(json_number_value(json_object_get(
                           json_object_get(json_array_get(stages, 0), "pass_rate"), "value")),
                       1.0, 1e-9);
    cr_expect_float_eq(json_number_value(json_object_get(
                           json_object_get(json_array_get(stages, 1), "pass_rate"), "value")),
                       0.0, 1e-9);
    json_t *fin = json_object_get(json_array_get(stages, 2), "pass_rate");
    cr_expect_str_eq(json_string_value(json_object_get(fin, "status")), "insufficient_data");
    cr_expect(json_is_null(json_object_get(fin, "value")));
    json_decref(r);
    /* a job that has applications is not deleted */
    json_decref(bt_req(&B, "DELETE", bt_path("/api/v1/jobs/%lld", job_id), mgr, NULL, &st));
    cr_expect_eq(st, 409);
    free(mgr), free(a1), free(a2), free(a3);
}

Test(pipeline, company_roles_blobs_closed_jobs, .init = setup, .fini = teardown, .timeout = 120)
{
    long st;
    long long cid, mgr_id, rec_id;
    char *mgr = bt_signup_company(&B, "m@q.example", "Q", &cid, &mgr_id);
    char *rec = bt_invite_member(&B, mgr, cid, "r@q.example", "recruiter", &rec_id);
    json_t *r = bt_req(&B, "POST", bt_path("/api/v1/companies/%lld/departments", cid), mgr,
                       "{\"name\":\"플랫폼팀\"}", &st);
    cr_expect_eq(st, 201);
    json_decref(r);
    json_decref(bt_req(&B, "POST", bt_path("/api/v1/companies/%lld/departments", cid), mgr,
                       "{\"name\":\"플랫폼팀\"}", &st));
    cr_expect_eq(st, 409);
    json_decref(bt_req(&B, "POST", bt_path("/api/v1/companies/%lld/departments", cid), rec,
                       "{\"name\":\"X\"}", &st));
    cr_expect_eq(st, 403, "a recruiter is no manager");
    /* the last manager cannot step down or be removed */
    json_decref(bt_req(&B, "PATCH", bt_path("/api/v1/companies/%lld/members/%lld", cid, mgr_id),
                       mgr, "{\"role\":\"recruiter\"}", &st));
    cr_expect_eq(st, 409);
    json_decref(bt_req(&B, "PATCH", bt_path("/api/v1/companies/%lld/members/%lld", cid, rec_id),
                       mgr, "{\"role\":\"owner\"}", &st));
    cr_expect_eq(st, 400);
    json_decref(bt_req(&B, "PATCH", bt_path("/api/v1/companies/%lld/members/%lld", cid, rec_id),
                       mgr, "{\"role\":\"manager\"}", &st));
    cr_expect_eq(st, 204);
    json_decref(bt_req(&B, "PATCH", bt_path("/api/v1/companies/%lld/members/%lld", cid, mgr_id),
                       mgr, "{\"role\":\"interviewer\"}", &st));
    cr_expect_eq(st, 204, "now there is another manager");
    /* profile */
    r = bt_req(
        &B, "PUT", bt_path("/api/v1/companies/%lld", cid), rec,
        "{\"name\":\"큐 주식회사\",\"jurisdiction\":\"KR\",\"website\":\"https://q.example\"}",
        &st);
    cr_expect_eq(st, 200);
    json_decref(r);
    r = bt_req(&B, "GET", bt_path("/api/v1/companies/%lld", cid), NULL, NULL, &st);
    cr_expect_str_eq(json_string_value(json_object_get(r, "name")), "큐 주식회사");
    json_decref(r);
    /* a closed job answers 409 to applicants */
    char *jb = bt_job_body(cid, "마감된 공고");
    json_t *j = json_loads(jb, 0, NULL);
    free(jb);
    json_object_set_new(j, "opens_at", json_string("2020-01-01"));
    json_object_set_new(j, "closes_at", json_string("2020-02-01"));
    jb = json_dumps(j, JSON_COMPACT);
    r = bt_req(&B, "POST", "/api/v1/jobs", rec, jb, &st);
    cr_assert_eq(st, 201);
    cr_expect_str_eq(json_string_value(json_object_get(r, "status")), "closed");
    long long closed = json_integer_value(json_object_get(r, "id"));
    json_decref(r);
    free(jb);
    json_decref(j);
    char *ap = bt_signup_applicant(&B, "ap@q.example", NULL);
    const char *cv = "기술\nC, SQL\n";
    r = bt_upload(&B, ap, "cv.txt", cv, strlen(cv), &st);
    char body[64], sha[65];
    snprintf(body, sizeof body, "{\"resume_id\":%lld}",
             (long long)json_integer_value(json_object_get(r, "id")));
    snprintf(sha, sizeof sha, "%s", json_string_value(json_object_get(r, "blob_sha256")));
    json_decref(r);
    json_decref(
        bt_req(&B, "POST", bt_path("/api/v1/jobs/%lld/applications", closed), ap, body, &st));
    cr_expect_eq(st, 409, "closed job");
    /* the internal blob route returns the exact bytes */
    const char *ih[] = {"X-Internal-Token: " BT_INTERNAL, NULL};
    char url[300], *out = NULL;
    snprintf(url, sizeof url, "%s/internal/blobs/%s", B.base, sha);
    cr_assert_eq(kc_test_http("GET", url, ih, NULL, &st, &out), 0);
    cr_expect_eq(st, 200);
    cr_expect_str_eq(out, cv);
    free(out);
    snprintf(url, sizeof url, "%s/internal/blobs/..%%2F..%%2Fbackend.db", B.base);
    out = NULL;
    kc_test_http("GET", url, ih, NULL, &st, &out);
    cr_expect(st == 404 || st == 400, "path-like digest: %ld", st);
    free(out);
    free(mgr), free(rec), free(ap);
}
