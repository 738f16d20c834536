/*
 * test_flow.c — issue 3's first acceptance point, end to end against a real
 * kocruit-backend, redis-server and SQLite: company sign-up → job with criteria and stages →
 * applicant sign-up → PDF resume upload (made here with pango-view, Korean + English) →
 * apply → recruiter passes the document stage → two interviewers evaluate the practical
 * stage → the aggregate is shown → final pass → the applicant sees the final status and got
 * the notifications.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static const char resume_txt[] = "김코크 (Kim Kocruit)\n"
                                 "kim@example.com\n"
                                 "\n"
                                 "학력\n"
                                 "한국대학교 컴퓨터공학과 2014.03 ~ 2018.02\n"
                                 "\n"
                                 "경력 사항\n"
                                 "(주)네트웍스 백엔드 개발자 2018.03 ~ 2022.08\n"
                                 "- C 언어로 결제 서버 개발\n"
                                 "Search Engineer, Example Corp  Sep 2022 - Present\n"
                                 "\n"
                                 "Skills\n"
                                 "C, Linux, PostgreSQL, Redis\n"
                                 "\n"
                                 "자격증\n"
                                 "정보처리기사 2017.11\n";

/* Make a Korean + English PDF with pango-view; returns its bytes. */
static char *make_pdf(const char *dir, size_t *len)
{
    char txt[600], pdf[600], cmd[1600];
    snprintf(txt, sizeof txt, "%s/r.txt", dir);
    snprintf(pdf, sizeof pdf, "%s/r.pdf", dir);
    FILE *f = fopen(txt, "w");
    cr_assert_not_null(f);
    fputs(resume_txt, f);
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "pango-view --no-display --font='NanumGothic 11' --output='%s' '%s' 2>/dev/null", pdf,
             txt);
    cr_assert_eq(system(cmd), 0, "pango-view failed");
    return bt_read_file(pdf, len);
}

static long long decide(const char *token, long long app, const char *decision, const char *stage,
                        int ack, long *st)
{
    char body[400];
    snprintf(body, sizeof body, "{\"decision\":\"%s\",\"stage\":\"%s\",\"reason\":\"근거: %s\"%s}",
             decision, stage, stage, ack ? ",\"acknowledge_missing\":true" : "");
    json_t *j =
        bt_req(&B, "POST", bt_path("/api/v1/applications/%lld/decision", app), token, body, st);
    json_decref(j);
    return *st;
}

static json_t *notifications(const char *token)
{
    long st;
    json_t *j = bt_req(&B, "GET", "/api/v1/notifications", token, NULL, &st);
    cr_assert_eq(st, 200);
    return j;
}

static int count_kind(json_t *notes, const char *kind)
{
    int n = 0;
    json_t *items = json_object_get(notes, "items");
    for (size_t i = 0; i < json_array_size(items); i++)
        n += !strcmp(json_string_value(json_object_get(json_array_get(items, i), "kind")), kind);
    return n;
}

static void evaluate(const char *token, long long app, double c, double team, long expect)
{
    char body[300];
    long st;
    snprintf(body, sizeof body,
             "{\"scores\":{\"C 언어\":%g,\"협업\":%g},\"comment\":\"practical review\"}", c, team);
    json_t *j =
        bt_req(&B, "PUT", bt_path("/api/v1/applications/%lld/stages/practical/evaluation", app),
               token, body, &st);
    cr_assert_eq(st, expect, "evaluation: %ld %s", st, json_dumps(j, 0));
    json_decref(j);
}

Test(flow, whole_hiring_pipeline, .init = setup, .fini = teardown, .timeout = 120)
{
    long st;
    long long cid, mgr_id, i1_id, i2_id;
    /* 1. company sign-up, two interviewers join by invitation */
    char *mgr = bt_signup_company(&B, "hr@acme.example", "에이크미 주식회사", &cid, &mgr_id);
    char *i1 = bt_invite_member(&B, mgr, cid, "i1@acme.example", "interviewer", &i1_id);
    char *i2 = bt_invite_member(&B, mgr, cid, "i2@acme.example", "interviewer", &i2_id);

    /* 2. job with criteria and stages; panel of two on the practical stage */
    char *jb = bt_job_body(cid, "백엔드 개발자 (C)");
    json_t *job = bt_req(&B, "POST", "/api/v1/jobs", mgr, jb, &st);
    free(jb);
    cr_assert_eq(st, 201, "job: %ld %s", st, json_dumps(job, 0));
    long long job_id = json_integer_value(json_object_get(job, "id"));
    cr_expect_str_eq(json_string_value(json_object_get(job, "status")), "open");
    cr_expect_eq(json_array_size(json_object_get(job, "criteria")), 2);
    json_decref(job);
    long long panel_ids[2];
    const char *itok[2] = {i1, i2};
    long long iid[2] = {i1_id, i2_id};
    for (int k = 0; k < 2; k++) {
        char body[128];
        snprintf(body, sizeof body, "{\"stage\":\"practical\",\"user_id\":%lld}", iid[k]);
        json_t *p = bt_req(&B, "POST", bt_path("/api/v1/jobs/%lld/panels", job_id), mgr, body, &st);
        cr_assert_eq(st, 201, "panel: %ld %s", st, json_dumps(p, 0));
        panel_ids[k] = json_integer_value(json_object_get(p, "id"));
        json_decref(p);
        p = bt_req(&B, "POST", bt_path("/api/v1/panels/%lld/respond", panel_ids[k]), itok[k],
                   "{\"accept\":true}", &st);
        cr_assert_eq(st, 200);
        cr_expect_str_eq(json_string_value(json_object_get(p, "status")), "accepted");
        json_decref(p);
    }

    /* 3. applicant sign-up and PDF resume upload */
    long long app_user;
    char *appl = bt_signup_applicant(&B, "kim@example.com", &app_user);
    size_t pdf_len;
    char *pdf = make_pdf(B.tmp, &pdf_len);
    json_t *res = bt_upload(&B, appl, "이력서.pdf", pdf, pdf_len, &st);
    free(pdf);
    cr_assert_eq(st, 201, "upload: %ld %s", st, json_dumps(res, 0));
    cr_expect_str_eq(json_string_value(json_object_get(res, "source_kind")), "pdf");
    cr_expect(strstr(json_string_value(json_object_get(res, "text")), "백엔드 개발자") != NULL);
    json_t *sec = json_object_get(res, "sections");
    cr_expect_eq(json_array_size(json_object_get(sec, "experience")), 2, "sections: %s",
                 json_dumps(sec, 0));
    cr_expect_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(sec, "education"), 0), "start")),
                     "2014-03");
    cr_expect_eq(json_array_size(json_object_get(sec, "skills")), 4);
    long long resume_id = json_integer_value(json_object_get(res, "id"));
    json_decref(res);

    /* 4. apply (and a second try is a conflict) */
    char body[256];
    snprintf(body, sizeof body, "{\"resume_id\":%lld}", resume_id);
    json_t *app =
        bt_req(&B, "POST", bt_path("/api/v1/jobs/%lld/applications", job_id), appl, body, &st);
    cr_assert_eq(st, 201, "apply: %ld %s", st, json_dumps(app, 0));
    long long app_id = json_integer_value(json_object_get(app, "id"));
    cr_expect_str_eq(json_string_value(json_object_get(app, "current_stage")), "document");
    json_decref(app);
    json_decref(
        bt_req(&B, "POST", bt_path("/api/v1/jobs/%lld/applications", job_id), appl, body, &st));
    cr_expect_eq(st, 409);
    /* the recruiter sees it and was notified; the resume is readable by the recruiter */
    json_t *n = notifications(mgr);
    cr_expect_eq(count_kind(n, "application.new"), 1);
    json_decref(n);
    json_decref(bt_req(&B, "GET", bt_path("/api/v1/resumes/%lld", resume_id), mgr, NULL, &st));
    cr_expect_eq(st, 200);

    /* 5. recruiter passes the document stage */
    cr_assert_eq(decide(mgr, app_id, "pass", "document", 0, &st), 200);
    /* deciding the practical stage before the panel evaluated is refused */
    cr_expect_eq(decide(mgr, app_id, "pass", "practical", 0, &st), 409);

    /* 6. two interviewers evaluate the practical stage */
    evaluate(i1, app_id, 80, 70, 200); /* total 0.6*80+0.4*70 = 76 */
    json_t *v1 = bt_req(&B, "GET", bt_path("/api/v1/applications/%lld/stages/practical", app_id),
                        i1, NULL, &st);
    cr_expect_eq(st, 200);
    /* having submitted, the interviewer sees the panel's aggregate (1 of 2 in, 1 missing)
     * but not the colleagues' individual evaluations */
    json_t *isum = json_object_get(v1, "evaluation_summary");
    cr_expect_eq(json_integer_value(json_object_get(json_object_get(isum, "aggregate"), "count")),
                 1, "%s", json_dumps(v1, 0));
    cr_expect_eq(json_array_size(json_object_get(isum, "missing")), 1);
    cr_expect_null(json_object_get(isum, "evaluations"), "no individual evaluations");
    cr_expect_null(json_object_get(json_object_get(v1, "application"), "applicant_email"),
                   "interviewers do not get contact details");
    cr_expect_str_eq(
        json_string_value(json_object_get(json_object_get(v1, "application"), "applicant_name")),
        "지원자 kim@example.com");
    cr_expect_float_eq(
        json_number_value(json_object_get(json_object_get(v1, "my_evaluation"), "total")), 76.0,
        1e-9);
    json_decref(v1);
    evaluate(i2, app_id, 90, 60, 200);  /* total 78 */
    evaluate(i2, app_id, 101, 60, 400); /* out of range: refused */

    /* 7. the aggregate is shown to the recruiter */
    json_t *view = bt_req(&B, "GET", bt_path("/api/v1/applications/%lld/stages/practical", app_id),
                          mgr, NULL, &st);
    cr_assert_eq(st, 200, "%s", json_dumps(view, 0));
    json_t *sum = json_object_get(view, "evaluation_summary");
    json_t *agg = json_object_get(sum, "aggregate");
    cr_expect_eq(json_integer_value(json_object_get(agg, "count")), 2);
    cr_expect_float_eq(json_number_value(json_object_get(agg, "mean")), 77.0, 1e-9);
    cr_expect_float_eq(json_number_value(json_object_get(agg, "min")), 76.0, 1e-9);
    cr_expect_float_eq(json_number_value(json_object_get(agg, "max")), 78.0, 1e-9);
    cr_expect_float_eq(json_number_value(json_object_get(agg, "spread")), 1.0, 1e-9);
    cr_expect_eq(json_array_size(json_object_get(sum, "missing")), 0);
    cr_expect_eq(json_array_size(json_object_get(sum, "evaluations")), 2);
    json_decref(view);

    /* 8. practical and final pass */
    cr_assert_eq(decide(mgr, app_id, "pass", "practical", 0, &st), 200);
    cr_assert_eq(decide(mgr, app_id, "pass", "final", 0, &st), 200);
    cr_expect_eq(decide(mgr, app_id, "fail", "final", 0, &st), 409, "decided twice");

    /* 9. the applicant sees the final status and got the notifications */
    json_t *mine = bt_req(&B, "GET", "/api/v1/me/applications", appl, NULL, &st);
    cr_assert_eq(st, 200);
    cr_expect_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(mine, "items"), 0), "status")),
                     "passed");
    json_decref(mine);
    json_t *detail =
        bt_req(&B, "GET", bt_path("/api/v1/applications/%lld", app_id), appl, NULL, &st);
    cr_assert_eq(st, 200);
    json_t *stages = json_object_get(detail, "stages");
    cr_expect_eq(json_array_size(stages), 3);
    for (size_t i = 0; i < json_array_size(stages); i++) {
        json_t *s = json_array_get(stages, i);
        cr_expect_str_eq(json_string_value(json_object_get(s, "status")), "passed");
        cr_expect_null(json_object_get(s, "score"), "applicants do not see scores");
        cr_expect_null(json_object_get(s, "reason"), "applicants do not see reasons");
    }
    json_decref(detail);
    n = notifications(appl);
    cr_expect_eq(count_kind(n, "stage.decision"), 3, "%s", json_dumps(n, 0));
    json_decref(n);
    n = bt_req(&B, "GET", "/api/v1/notifications/unread-count", appl, NULL, &st);
    cr_expect_eq(json_integer_value(json_object_get(n, "unread")), 3);
    json_decref(n);
    n = notifications(i1);
    cr_expect_eq(count_kind(n, "panel.assigned"), 1);
    json_decref(n);

    /* the recruiter's record: scores, audit trail and statistics */
    detail = bt_req(&B, "GET", bt_path("/api/v1/applications/%lld", app_id), mgr, NULL, &st);
    cr_expect_float_eq(json_number_value(json_object_get(
                           json_array_get(json_object_get(detail, "stages"), 1), "score")),
                       77.0, 1e-9);
    json_decref(detail);
    json_t *audit =
        bt_req(&B, "GET", bt_path("/api/v1/applications/%lld/audit", app_id), mgr, NULL, &st);
    cr_assert_eq(st, 200);
    int passes = 0;
    json_t *items = json_object_get(audit, "items");
    for (size_t i = 0; i < json_array_size(items); i++)
        passes += !strcmp(json_string_value(json_object_get(json_array_get(items, i), "action")),
                          "stage.pass");
    cr_expect_eq(passes, 3);
    json_decref(audit);
    json_t *stats = bt_req(&B, "GET", bt_path("/api/v1/jobs/%lld/stats", job_id), mgr, NULL, &st);
    cr_assert_eq(st, 200, "%s", json_dumps(stats, 0));
    json_t *doc = json_array_get(json_object_get(stats, "stages"), 0);
    cr_expect_float_eq(
        json_number_value(json_object_get(json_object_get(doc, "pass_rate"), "value")), 1.0, 1e-9);
    json_decref(stats);
    free(mgr), free(i1), free(i2), free(appl);
}
