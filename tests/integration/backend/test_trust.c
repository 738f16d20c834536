/*
 * test_trust.c — the trust feature against a running backend (issue 8 acceptance):
 * consent (none → kc_trust_consents says none; grant; withdrawal cancels a queued analysis
 * and tells the video service), an EU company cannot enable emotion inference, an
 * explanation request returns the stored evidence, demographic values never appear in a
 * non-compliance response, a deletion request removes every trace (API, every DB table
 * scanned read-only for the e-mail and name, blob files, Redis keys via SCAN, the agent's
 * similarity index and the video service are called) and yields a receipt, and a tampered
 * audit entry is found by verify.
 *
 * A small fake HTTP server (thread) stands in for video-analysis and agent: it records each
 * request line and answers 404 (= nothing left to delete).
 */
#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bt.h"
#include "core/db.h"
#include "api.h"
#include "trust.h"

static struct bt B;

/* The AI feature once linked a temporary WEAK kc_trust_consents (ai_consent.c); from a static
 * library the linker may take such a stub instead of trust_consent.o. Taking the address of a
 * handler of trust_consent.c pulls that object, whose strong definition then wins, so this
 * test always checks the real ledger. */
void *const trust_consent_anchor = (void *)kc_api_trust_consent_get;

/* ---- fake service ---------------------------------------------------------------------- */
static struct {
    int fd, port, stop;
    int fail_left; /* answer 503 to this many DELETE /v1/subjects/ requests first */
    pthread_t th;
    pthread_mutex_t mu;
    char log[16384];
} F = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void *fake_main(void *arg)
{
    (void)arg;
    while (!F.stop) {
        int c = accept(F.fd, NULL, NULL);
        if (c < 0) continue;
        char buf[4096];
        ssize_t n = recv(c, buf, sizeof buf - 1, 0);
        if (n > 0) {
            buf[n] = 0;
            char *eol = strstr(buf, "\r\n");
            if (eol) *eol = 0;
            pthread_mutex_lock(&F.mu);
            if (strlen(F.log) + strlen(buf) + 2 < sizeof F.log) {
                strcat(F.log, buf);
                strcat(F.log, "\n");
            }
            pthread_mutex_unlock(&F.mu);
        }
        /* only the subject deletion fails (other calls may come from the AI feature) */
        int fail = 0;
        pthread_mutex_lock(&F.mu);
        if (n > 0 && !strncmp(buf, "DELETE /v1/subjects/", 20) && F.fail_left > 0)
            fail = F.fail_left--;
        pthread_mutex_unlock(&F.mu);
        const char *r =
            fail ? "HTTP/1.1 503 Unavailable\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
                 : "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
        send(c, r, strlen(r), 0);
        close(c);
    }
    return NULL;
}

static void fake_start(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    F.fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(F.fd >= 0);
    cr_assert_eq(bind(F.fd, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(listen(F.fd, 16), 0);
    getsockname(F.fd, (struct sockaddr *)&a, &len);
    F.port = ntohs(a.sin_port);
    F.log[0] = 0;
    F.stop = 0;
    F.fail_left = 0;
    pthread_create(&F.th, NULL, fake_main, NULL);
}

static void fake_stop(void)
{
    F.stop = 1;
    shutdown(F.fd, SHUT_RDWR);
    close(F.fd);
    pthread_cancel(F.th);
    pthread_join(F.th, NULL);
}

static int fake_saw(const char *line)
{
    pthread_mutex_lock(&F.mu);
    int r = strstr(F.log, line) != NULL;
    pthread_mutex_unlock(&F.mu);
    return r;
}

/* ---- requests, every body kept for the demographic scan ---------------------------------- */
static char *seen;
static size_t seen_len;

static json_t *req(const char *m, const char *path, const char *tok, const char *body, long *st,
                   int keep)
{
    json_t *j = bt_req(&B, m, path, tok, body, st);
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    if (keep && s) {
        size_t n = strlen(s);
        seen = realloc(seen, seen_len + n + 2);
        memcpy(seen + seen_len, s, n);
        seen_len += n;
        seen[seen_len++] = '\n';
        seen[seen_len] = 0;
    }
    free(s);
    return j;
}

static void setup(void)
{
    char video[96], agent[96];
    fake_start();
    snprintf(video, sizeof video, "KOCRUIT_VIDEO_URL=http://127.0.0.1:%d", F.port);
    snprintf(agent, sizeof agent, "KOCRUIT_AGENT_URL=http://127.0.0.1:%d", F.port);
    const char *env[] = {video, agent, "KOCRUIT_TRUST_SWEEP_S=1", NULL};
    bt_start(&B, env);
    seen = NULL, seen_len = 0;
}

static void teardown(void)
{
    bt_stop(&B);
    fake_stop();
    free(seen);
}

static long long apply_text(const char *tok, long long job, const char *text, long long *resume)
{
    long st;
    char body[64];
    json_t *r = bt_upload(&B, tok, "cv.txt", text, strlen(text), &st);
    cr_assert_eq(st, 201);
    *resume = json_integer_value(json_object_get(r, "id"));
    json_decref(r);
    snprintf(body, sizeof body, "{\"resume_id\":%lld}", *resume);
    r = req("POST", bt_path("/api/v1/jobs/%lld/applications", job), tok, body, &st, 1);
    cr_assert_eq(st, 201);
    long long id = json_integer_value(json_object_get(r, "id"));
    json_decref(r);
    return id;
}

static long long make_job(const char *mgr, long long cid)
{
    long st;
    char *jb = bt_job_body(cid, "Trust engineer");
    json_t *j = req("POST", "/api/v1/jobs", mgr, jb, &st, 1);
    free(jb);
    cr_assert_eq(st, 201);
    long long id = json_integer_value(json_object_get(j, "id"));
    json_decref(j);
    return id;
}

/* An AI-interview answer (a WebM header is all the AI feature sniffs) for question 0. */
static json_t *upload_answer(const char *tok, long long app, long *st)
{
    static const char bd[] = "kctrustBoundary42";
    char body[2048], auth[1200], ctype[128];
    long now = (long)time(NULL);
    int n = snprintf(body, sizeof body,
                     "--%s\r\nContent-Disposition: form-data; name=\"question_id\"\r\n\r\n0\r\n"
                     "--%s\r\nContent-Disposition: form-data; name=\"started_at\"\r\n\r\n%ld\r\n"
                     "--%s\r\nContent-Disposition: form-data; name=\"ended_at\"\r\n\r\n%ld\r\n"
                     "--%s\r\nContent-Disposition: form-data; name=\"file\"; "
                     "filename=\"a.webm\"\r\nContent-Type: video/webm\r\n\r\n",
                     bd, bd, now - 30, bd, now, bd);
    static const unsigned char webm[] = {0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81,
                                         0x01, 0x42, 0xF7, 0x81, 0x01, 0x42, 0xF2, 0x81};
    memcpy(body + n, webm, sizeof webm);
    n += (int)sizeof webm;
    n += snprintf(body + n, sizeof body - (size_t)n, "\r\n--%s--\r\n", bd);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
    snprintf(ctype, sizeof ctype, "Content-Type: multipart/form-data; boundary=%s", bd);
    const char *h[] = {auth, ctype, NULL};
    return bt_req_h(&B, "POST", bt_path("/api/v1/applications/%lld/interview/answers", app), h,
                    body, (size_t)n, st);
}

static struct kc_consent_set consents_of(long long app_id)
{
    struct kc_err err = {0};
    char url[700];
    snprintf(url, sizeof url, "sqlite:%s", B.db);
    struct kc_db *db = kc_db_open(url, 1, &err);
    cr_assert_not_null(db, "%s", err.message);
    struct kc_db_conn *c = kc_db_acquire(db, &err);
    struct kc_consent_set s;
    cr_assert_eq(kc_trust_consents(NULL, c, app_id, &s, &err), 0, "%s", err.message);

    kc_db_release(db, c);
    kc_db_close(db);
    return s;
}

static long long db_count(const char *q)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    long long n = -1;
    cr_assert_eq(sqlite3_open_v2(B.db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(h, q, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return n;
}

static void sql(const char *stmt)
{
    sqlite3 *h;
    char *e = NULL;
    cr_assert_eq(sqlite3_open(B.db, &h), SQLITE_OK);
    sqlite3_busy_timeout(h, 5000);
    cr_assert_eq(sqlite3_exec(h, stmt, NULL, NULL, &e), SQLITE_OK, "%s: %s", stmt, e);
    sqlite3_close(h);
}

Test(trust, consent_withdraw_eu_explanation_demographics, .init = setup, .fini = teardown,
     .timeout = 120)
{
    long st;
    long long cid, rid;
    char *mgr = bt_signup_company(&B, "m@trust.example", "TrustCo", &cid, NULL);
    long long job = make_job(mgr, cid);
    char *ap = bt_signup_applicant(&B, "a@trust.example", NULL);
    long long app = apply_text(ap, job, "C 개발자 경력 5년. Linux kernel.", &rid);

    /* no consent → none */
    struct kc_consent_set s = consents_of(app);
    cr_assert_eq(s.video_behaviour + s.speech + s.answer_grading + s.emotion, 0);
    cr_assert_str_eq(s.consent_version, "");
    json_t *v = req("GET", bt_path("/api/v1/applications/%lld/consent", app), ap, NULL, &st, 1);
    cr_assert_eq(st, 200);
    cr_assert_eq(json_array_size(json_object_get(v, "texts")), 6, "3 types × ko, en; no emotion");
    cr_assert(json_is_true(json_object_get(v, "offers_non_ai")), "jobs offer it by default");
    json_decref(v);
    /* an answer uploaded without consent is stored but never sent for analysis */
    v = upload_answer(ap, app, &st);
    cr_assert_eq(st, 201, "%s", json_dumps(v, 0));
    json_decref(v);
    v = req("GET", bt_path("/api/v1/applications/%lld/analyses", app), ap, NULL, &st, 1);
    cr_assert_eq(st, 200, "%s", json_dumps(v, 0));
    cr_assert_not_null(strstr(json_dumps(v, 0), "not_consented"), "%s", json_dumps(v, 0));
    json_decref(v);
    cr_assert(!fake_saw("POST /v1/analyses"), "analysis requested without consent: %s", F.log);
    /* emotion is not offered (policy off) */
    json_decref(req("POST", bt_path("/api/v1/applications/%lld/consent", app), ap,
                    "{\"types\":[\"emotion\"]}", &st, 1));
    cr_assert_eq(st, 400);
    v = req("POST", bt_path("/api/v1/applications/%lld/consent", app), ap,
            "{\"types\":[\"speech\",\"video_behaviour\"]}", &st, 1);
    cr_assert_eq(st, 200);
    cr_assert(json_is_true(json_object_get(json_object_get(v, "current"), "speech")), "%s",
              json_dumps(v, 0));
    json_decref(v);
    s = consents_of(app);
    cr_assert(s.speech && s.video_behaviour && !s.answer_grading && !s.emotion, "%d %d %d %d %d",
              s.speech, s.video_behaviour, s.answer_grading, s.emotion, s.ai_declined);
    cr_assert_str_eq(s.consent_version, "2026-11-v1");

    /* a queued analysis, then withdrawal: cancelled locally and at the video service */
    sql(bt_path("INSERT INTO analyses(id, application_id, type, status, created_at, updated_at) "
                "VALUES (77, %lld, 'speech', 'queued', unixepoch(), unixepoch())",
                app));
    sql(bt_path("INSERT INTO interview_answers(application_id, question_id, blob_sha256, mime, "
                "started_at, ended_at, status, remote_id, created_at, updated_at) SELECT %lld, 0, "
                "blob_sha256, 'video/webm', 1, 2, 'running', 'rem-w1', 1, 1 FROM resumes WHERE "
                "id = %lld",
                app, rid));
    v = req("POST", bt_path("/api/v1/applications/%lld/consent/withdraw", app), ap,
            "{\"types\":[\"speech\"]}", &st, 1);
    cr_assert_eq(st, 200, "%s", json_dumps(v, 0));
    json_decref(v);
    cr_assert(fake_saw("DELETE /v1/analyses/77 "), "video service not told: %s", F.log);
    cr_assert(fake_saw("DELETE /v1/analyses/rem-w1 "), "video service not told: %s", F.log);
    s = consents_of(app);
    cr_assert(!s.speech && s.video_behaviour);

    /* transcript correction: the original stays, the correction is listed */
    sql("UPDATE analyses SET result_json = '{\"transcript\":[{\"text\":\"hello word\"}]}' "
        "WHERE id = 77");
    v = req("POST", bt_path("/api/v1/applications/%lld/transcripts/77/corrections", app), ap,
            "{\"segment\":0,\"text\":\"hello world\"}", &st, 1);
    cr_assert_eq(st, 201, "%s", json_dumps(v, 0));
    json_decref(v);
    v = req("GET", bt_path("/api/v1/applications/%lld/transcripts", app), ap, NULL, &st, 1);
    cr_assert_eq(st, 200);
    json_t *it = json_array_get(json_object_get(v, "items"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(it, "transcript"), 0), "text")),
                     "hello word");
    cr_assert_str_eq(json_string_value(json_object_get(
                         json_array_get(json_object_get(it, "corrections"), 0), "corrected")),
                     "hello world");
    json_decref(v);

    /* retention: an analysis older than the company's period is purged by the sweeper (1 s) */
    sql(bt_path("INSERT INTO analyses(id, application_id, type, status, created_at, updated_at) "
                "VALUES (78, %lld, 'speech', 'done', 1, 1)",
                app));
    long long left = 1;
    for (int i = 0; i < 50 && left; i++) {
        usleep(100 * 1000);
        sqlite3 *h;
        sqlite3_stmt *q;
        sqlite3_open_v2(B.db, &h, SQLITE_OPEN_READONLY, NULL);
        sqlite3_prepare_v2(h, "SELECT count(*) FROM analyses WHERE id = 78", -1, &q, NULL);
        left = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 1;
        sqlite3_finalize(q);
        sqlite3_close(h);
    }
    cr_assert_eq(left, 0, "the retention purge did not remove the old analysis");
    /* and an old recording: the video service is told, the row goes */
    sql(bt_path("INSERT INTO interview_answers(application_id, question_id, blob_sha256, mime, "
                "started_at, ended_at, status, remote_id, created_at, updated_at) SELECT %lld, 1, "
                "blob_sha256, 'video/webm', 1, 2, 'done', 'rem-old', 1, 1 FROM resumes WHERE id = "
                "%lld",
                app, rid));
    for (int i = 0; i < 50 && !fake_saw("DELETE /v1/analyses/rem-old "); i++) usleep(100 * 1000);
    cr_assert(fake_saw("DELETE /v1/analyses/rem-old "), "old recording not purged: %s", F.log);

    /* blind review and accommodations */
    json_decref(req("PUT", bt_path("/api/v1/jobs/%lld/trust", job), mgr, "{\"blind_review\":true}",
                    &st, 1));
    cr_assert_eq(st, 200);
    json_decref(req("PUT", bt_path("/api/v1/applications/%lld/accommodations", app), mgr,
                    "{\"extra_time_factor\":1.5,\"answer_mode\":\"text\"}", &st, 1));
    cr_assert_eq(st, 200);
    json_decref(req("PUT", bt_path("/api/v1/applications/%lld/accommodations", app), mgr,
                    "{\"extra_time_factor\":9}", &st, 1));
    cr_assert_eq(st, 400);
    v = req("GET", bt_path("/api/v1/applications/%lld/accommodations", app), ap, NULL, &st, 1);
    cr_assert_eq(json_real_value(json_object_get(v, "extra_time_factor")), 1.5);
    cr_assert_str_eq(json_string_value(json_object_get(v, "answer_mode")), "text");
    json_decref(v);
    {
        struct kc_err err = {0};
        char url[700];
        snprintf(url, sizeof url, "sqlite:%s", B.db);
        struct kc_db *db = kc_db_open(url, 1, &err);
        struct kc_db_conn *c = kc_db_acquire(db, &err);
        cr_assert_eq(kc_trust_blind(NULL, c, job), 1);
        struct kc_accommodation acc;
        cr_assert_eq(kc_trust_accommodation(c, app, &acc, &err), 0);
        cr_assert_eq(acc.extra_time_factor, 1.5);
        kc_db_release(db, c);
        kc_db_close(db);
    }

    /* bad input: a clear 400 naming the field, nothing changed; other people: 404 */
    static const char *const bad[][3] = {
        {"PUT", "/trust/policy", "{\"jurisdiction\":\"eu\"}"},
        {"PUT", "/trust/policy", "{\"retention\":{\"resumes\":0}}"},
        {"PUT", "/trust/policy", "{\"show_suggestions\":\"yes\"}"},
        {"PUT", "/trust/policy", "{\"demographic_categories\":[1]}"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = req(bad[i][0], bt_path("/api/v1/companies/%lld%s", cid, bad[i][1]), mgr, bad[i][2], &st,
                1);
        cr_assert_eq(st, 400, "%s -> %ld %s", bad[i][2], st, json_dumps(v, 0));
        json_decref(v);
    }
    static const char *const bad_app[][2] = {
        {"/consent", "{\"types\":\"speech\"}"},
        {"/consent", "{\"types\":[\"mood\"]}"},
        {"/rights-requests", "{\"kind\":\"appeal\"}"},
        {"/rights-requests", "{\"kind\":\"statement\"}"},
        {"/self-identification", "{\"shoe_size\":\"42\"}"},
        {"/ai-choice", "{\"ai_declined\":1}"},
        {"/transcripts/77/corrections", "{\"segment\":-1}"},
    };
    for (size_t i = 0; i < sizeof bad_app / sizeof bad_app[0]; i++) {
        v = req("POST", bt_path("/api/v1/applications/%lld%s", app, bad_app[i][0]), ap,
                bad_app[i][1], &st, 1);
        cr_assert_eq(st, 400, "%s -> %ld %s", bad_app[i][1], st, json_dumps(v, 0));
        json_decref(v);
    }
    json_decref(req("POST", bt_path("/api/v1/applications/%lld/consent", app), ap, "[1,", &st, 1));
    cr_assert_eq(st, 400);
    char *other = bt_signup_applicant(&B, "other@trust.example", NULL);
    json_decref(req("GET", bt_path("/api/v1/applications/%lld/consent", app), other, NULL, &st, 1));
    cr_assert_eq(st, 404);
    json_decref(req("POST", bt_path("/api/v1/applications/%lld/consent/withdraw", app), other,
                    "{\"types\":[\"speech\"]}", &st, 1));
    cr_assert_eq(st, 404);
    free(other);

    /* a KR company may enable emotion inference (audited): then it is offered and consentable */
    json_decref(req("PUT", bt_path("/api/v1/companies/%lld/trust/policy", cid), mgr,
                    "{\"emotion_inference\":true}", &st, 1));
    cr_assert_eq(st, 200);
    v = req("GET", bt_path("/api/v1/applications/%lld/consent", app), ap, NULL, &st, 1);
    cr_assert_eq(json_array_size(json_object_get(v, "texts")), 8);
    json_decref(v);
    json_decref(req("POST", bt_path("/api/v1/applications/%lld/consent", app), ap,
                    "{\"types\":[\"emotion\"]}", &st, 1));
    cr_assert_eq(st, 200);
    cr_assert_eq(consents_of(app).emotion, 1);

    /* EU company: emotion inference turned off and refused, and the refusal audited */
    json_decref(req("PUT", bt_path("/api/v1/companies/%lld/trust/policy", cid), mgr,
                    "{\"jurisdiction\":\"EU\"}", &st, 1));
    cr_assert_eq(st, 200);
    cr_assert_eq(consents_of(app).emotion, 0, "EU: the consent no longer counts");
    v = req("PUT", bt_path("/api/v1/companies/%lld/trust/policy", cid), mgr,
            "{\"emotion_inference\":true}", &st, 1);
    cr_assert_eq(st, 422, "%s", json_dumps(v, 0));
    json_decref(v);
    v = req("GET", bt_path("/api/v1/companies/%lld/trust/policy", cid), mgr, NULL, &st, 1);
    cr_assert_eq(json_integer_value(json_object_get(v, "emotion_inference")), 0);
    cr_assert_str_eq(json_string_value(json_object_get(v, "jurisdiction")), "EU");
    json_decref(v);

    /* every change is in the audit log, the refusal too */
    cr_assert_eq(db_count("SELECT count(*) FROM audit_log WHERE action = 'trust.policy.refused'"),
                 1);
    cr_assert_eq(db_count("SELECT count(*) FROM audit_log WHERE action = 'trust.policy.update'"),
                 2);
    cr_assert_eq(db_count("SELECT count(*) FROM audit_log WHERE action = 'trust.consent.withdraw'"),
                 1);
    cr_assert_eq(db_count("SELECT count(*) FROM audit_log WHERE hash = ''"), 0);

    /* self-identification with company-configured values (searched for below) */
    json_decref(req("PUT", bt_path("/api/v1/companies/%lld/trust/policy", cid), mgr,
                    "{\"demographic_categories\":{\"sex\":[\"qzfem\",\"qzmal\"],"
                    "\"race_ethnicity\":[\"qzrace1\",\"qzrace2\"]}}",
                    &st, 0));
    cr_assert_eq(st, 200);
    v = req("POST", bt_path("/api/v1/applications/%lld/self-identification", app), ap,
            "{\"sex\":\"qzfem\",\"race_ethnicity\":\"qzrace2\"}", &st, 1);
    cr_assert_eq(st, 200, "%s", json_dumps(v, 0));
    json_decref(v);

    /* decision, then an explanation request returns the stored evidence */
    json_decref(req("POST", bt_path("/api/v1/applications/%lld/decision", app), mgr,
                    "{\"decision\":\"pass\",\"stage\":\"document\",\"reason\":\"C 경력 충분\","
                    "\"score\":81}",
                    &st, 1));
    cr_assert_eq(st, 200);
    v = req("POST", bt_path("/api/v1/applications/%lld/rights-requests", app), ap,
            "{\"kind\":\"explanation\"}", &st, 1);
    cr_assert_eq(st, 201, "%s", json_dumps(v, 0));
    json_t *st0 = json_array_get(json_object_get(json_object_get(v, "evidence"), "stages"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(st0, "stage")), "document");
    cr_assert_str_eq(json_string_value(json_object_get(st0, "status")), "passed");
    cr_assert_str_eq(json_string_value(json_object_get(st0, "reason")), "C 경력 충분");
    cr_assert_eq(json_real_value(json_object_get(st0, "score")), 81.0);
    cr_assert(json_integer_value(json_object_get(st0, "decided_by")) > 0);
    cr_assert(json_string_value(json_object_get(v, "deadline_at")));
    long long rq = json_integer_value(json_object_get(v, "id"));
    json_decref(v);
    v = req("GET", "/api/v1/notifications", mgr, NULL, &st, 1);
    cr_assert_not_null(strstr(json_dumps(v, 0), "trust.rights_request"), "staff not notified");
    json_decref(v);
    v = req("GET", bt_path("/api/v1/companies/%lld/rights-requests", cid), mgr, NULL, &st, 1);
    cr_assert_eq(st, 200);
    cr_assert_eq(json_array_size(json_object_get(v, "items")), 1);
    json_decref(v);
    json_decref(req("POST", bt_path("/api/v1/rights-requests/%lld/answer", rq), mgr,
                    "{\"response\":\"서류 기준 C 경력 충족\"}", &st, 1));
    cr_assert_eq(st, 200);

    /* the rest of the reviewer surface */
    json_decref(req("GET", bt_path("/api/v1/applications/%lld", app), mgr, NULL, &st, 1));
    json_decref(req("GET", bt_path("/api/v1/jobs/%lld/applications", job), mgr, NULL, &st, 1));
    json_decref(req("GET", bt_path("/api/v1/applications/%lld/audit", app), mgr, NULL, &st, 1));
    json_decref(req("GET", bt_path("/internal/applications/%lld", app), NULL, NULL, &st, 1));
    json_decref(req("GET", bt_path("/api/v1/jobs/%lld/stats", job), mgr, NULL, &st, 1));
    json_decref(req("GET", bt_path("/api/v1/applications/%lld/interview", app), mgr, NULL, &st, 1));
    json_decref(req("GET", bt_path("/api/v1/applications/%lld/interview", app), ap, NULL, &st, 1));
    json_decref(req("GET", bt_path("/api/v1/applications/%lld/analyses", app), mgr, NULL, &st, 1));
    json_decref(req("GET", bt_path("/api/v1/applications/%lld/screening", app), mgr, NULL, &st, 1));
    json_decref(req("GET", bt_path("/api/v1/jobs/%lld/ranking", job), mgr, NULL, &st, 1));
    json_decref(req("GET", bt_path("/api/v1/applications/%lld/consent", app), mgr, NULL, &st, 1));
    json_decref(
        req("GET", bt_path("/api/v1/applications/%lld/rights-requests", app), mgr, NULL, &st, 1));
    json_decref(req("GET", "/api/v1/me/applications", ap, NULL, &st, 1));
    json_decref(req("GET", "/api/v1/notifications", ap, NULL, &st, 1));
    json_decref(req("GET", "/api/v1/trust/explainability", NULL, NULL, &st, 1));
    cr_assert_eq(st, 200);
    /* the manager is not a compliance member: adverse impact is 404 */
    json_decref(req("GET", bt_path("/api/v1/jobs/%lld/adverse-impact", job), mgr, NULL, &st, 1));
    cr_assert_eq(st, 404);
    cr_assert_null(strstr(seen, "qzfem"), "demographic value leaked: %s", seen);
    cr_assert_null(strstr(seen, "qzrace2"), "demographic value leaked");

    /* a compliance member reads the report */
    long long muid = 0;
    json_t *me = req("GET", "/api/v1/me", mgr, NULL, &st, 0);
    muid = json_integer_value(json_object_get(json_object_get(me, "user"), "id"));
    if (!muid) muid = json_integer_value(json_object_get(me, "id"));
    json_decref(me);
    json_decref(req("PUT", bt_path("/api/v1/companies/%lld/members/%lld/compliance", cid, muid),
                    mgr, "{\"compliance\":true}", &st, 0));
    cr_assert_eq(st, 200);
    v = req("GET", bt_path("/api/v1/jobs/%lld/adverse-impact", job), mgr, NULL, &st, 0);
    cr_assert_eq(st, 200, "%s", json_dumps(v, 0));
    json_t *doc = json_object_get(
        json_object_get(json_array_get(json_object_get(v, "stages"), 0), "categories"), "sex");
    json_t *g0 = json_array_get(json_object_get(doc, "groups"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(g0, "group")), "qzfem");
    cr_assert_eq(json_integer_value(json_object_get(g0, "assessed")), 1);
    cr_assert_eq(json_integer_value(json_object_get(g0, "selected")), 1);
    cr_assert_eq(json_is_true(json_object_get(doc, "small_sample_warning")), 1);
    json_decref(v);
    v = req("GET", bt_path("/api/v1/jobs/%lld/bias-audit", job), mgr, NULL, &st, 0);
    cr_assert_eq(st, 200, "%s", json_dumps(v, 0));
    json_decref(v);
    free(mgr);
    free(ap);
}

/* Every text cell of every table, searched for needle. Returns the first table that has it. */
static const char *db_contains(const char *needle)
{
    static char hit[128];
    sqlite3 *h;
    sqlite3_stmt *t, *q;
    cr_assert_eq(sqlite3_open_v2(B.db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_prepare_v2(h, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &t, NULL);
    hit[0] = 0;
    while (!hit[0] && sqlite3_step(t) == SQLITE_ROW) {
        char sqlq[256];
        const char *name = (const char *)sqlite3_column_text(t, 0);
        snprintf(sqlq, sizeof sqlq, "SELECT * FROM \"%s\"", name);
        if (sqlite3_prepare_v2(h, sqlq, -1, &q, NULL) != SQLITE_OK) continue;
        while (!hit[0] && sqlite3_step(q) == SQLITE_ROW)
            for (int i = 0; i < sqlite3_column_count(q); i++) {
                const char *v = (const char *)sqlite3_column_text(q, i);
                if (v && strstr(v, needle)) snprintf(hit, sizeof hit, "%s", name);
            }
        sqlite3_finalize(q);
    }
    sqlite3_finalize(t);
    sqlite3_close(h);
    return hit[0] ? hit : NULL;
}

Test(trust, deletion_removes_every_trace_and_audit_tamper_detected, .init = setup, .fini = teardown,
     .timeout = 120)
{
    long st;
    long long cid, rid, uid;
    const char *email = "gone.person@trust.example";
    char *mgr = bt_signup_company(&B, "m2@trust.example", "DelCo", &cid, NULL);
    long long job = make_job(mgr, cid);
    char *ap = bt_signup_applicant(&B, email, &uid);
    const char *cv = "Unique resume text qx-7781 for deletion. C and Linux.";
    long long app = apply_text(ap, job, cv, &rid);
    json_decref(req("POST", bt_path("/api/v1/applications/%lld/consent", app), ap,
                    "{\"types\":[\"speech\"]}", &st, 1));
    json_decref(req("POST", bt_path("/api/v1/applications/%lld/self-identification", app), ap,
                    "{\"sex\":\"female\"}", &st, 1));
    cr_assert_eq(st, 200);
    json_decref(req("POST", bt_path("/api/v1/applications/%lld/memos", app), mgr,
                    "{\"body\":\"qx-memo about this person\"}", &st, 1));
    /* an interview answer of the AI feature (0004_ai.sql) held by the video service */
    sql(bt_path("INSERT INTO interview_answers(application_id, question_id, blob_sha256, mime, "
                "started_at, ended_at, status, remote_id, created_at, updated_at) SELECT %lld, 0, "
                "blob_sha256, 'video/webm', 1, 2, 'done', 'rem-abc', 1, 1 FROM resumes WHERE id = "
                "%lld",
                app, rid));
    /* a failed login leaves a rate-limit counter keyed by the e-mail */
    char body[256];
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"wrong password 1\"}", email);
    json_decref(req("POST", "/api/v1/auth/login", NULL, body, &st, 1));
    cr_assert_eq(st, 401);
    cr_assert_not_null(db_contains(email));
    cr_assert_not_null(db_contains("qx-7781"));

    json_t *r = req("POST", "/api/v1/me/deletion-requests", ap, NULL, &st, 1);
    cr_assert_eq(st, 202, "%s", json_dumps(r, 0));
    cr_assert_str_eq(json_string_value(json_object_get(r, "status")), "done", "%s",
                     json_dumps(r, 0));
    json_t *rc = json_object_get(r, "receipt");
    cr_assert_eq(
        json_integer_value(json_object_get(json_object_get(rc, "rows_removed"), "resumes")), 1,
        "%s", json_dumps(r, 0));
    cr_assert_eq(
        json_integer_value(json_object_get(json_object_get(rc, "rows_removed"), "applications")),
        1);
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(rc, "blobs"), "count")), 1);
    cr_assert_eq(json_integer_value(
                     json_object_get(json_object_get(rc, "rows_removed"), "interview_answers")),
                 1);
    cr_assert_eq(json_integer_value(json_object_get(rc, "redis_keys_removed")), 1);
    cr_assert_eq(strlen(json_string_value(json_object_get(rc, "receipt_sha256"))), 64);
    const char *blob = json_string_value(
        json_array_get(json_object_get(json_object_get(rc, "blobs"), "sha256"), 0));
    char path[900];
    snprintf(path, sizeof path, "%s/blobs/%.2s/%s", B.tmp, blob, blob + 2);
    struct stat sb;
    cr_assert_neq(stat(path, &sb), 0, "blob file still there: %s", path);
    long long req_id = json_integer_value(json_object_get(r, "id"));
    json_decref(r);
    cr_assert(fake_saw(bt_path("DELETE /v1/subjects/%lld ", uid)), "%s", F.log);
    cr_assert(fake_saw(bt_path("DELETE /v1/similarity/%lld ", rid)), "%s", F.log);

    /* nothing of the person in any table, Redis, or the API */
    const char *t = db_contains(email);
    cr_assert_null(t, "e-mail still in table %s", t);
    t = db_contains("qx-7781");
    cr_assert_null(t, "resume text still in table %s", t);
    t = db_contains("qx-memo");
    cr_assert_null(t, "memo still in table %s", t);
    redisContext *rx = redisConnect("127.0.0.1", B.redis.port);
    cr_assert(rx && !rx->err);
    redisReply *keys = redisCommand(rx, "KEYS kc:backend:rl:login-email:*");
    cr_assert_eq(keys->elements, 0, "rate-limit key of the person is left");
    freeReplyObject(keys);
    redisFree(rx);
    json_decref(req("GET", "/api/v1/me", ap, NULL, &st, 1));
    cr_assert_eq(st, 401, "old token still works");
    json_t *list = req("GET", bt_path("/api/v1/jobs/%lld/applications", job), mgr, NULL, &st, 1);
    cr_assert_eq(json_array_size(json_object_get(list, "items")), 0, "%s", json_dumps(list, 0));
    json_decref(list);
    json_decref(req("GET", bt_path("/api/v1/applications/%lld", app), mgr, NULL, &st, 1));
    cr_assert_eq(st, 404);
    cr_assert_null(strstr(seen + (seen_len > 0 ? 0 : 0), "qx-7781\"}"), "");

    /* the receipt stays readable by an admin */
    char *adm = bt_admin(&B, "root@trust.example");
    r = req("GET", bt_path("/api/v1/deletion-requests/%lld", req_id), adm, NULL, &st, 0);
    cr_assert_eq(st, 200);
    json_decref(r);

    /* the audit chain verifies, then a tampered entry is found */
    r = req("POST", "/api/v1/admin/audit/verify", adm, "{}", &st, 0);
    cr_assert_eq(st, 200);
    cr_assert(json_is_true(json_object_get(r, "ok")), "%s", json_dumps(r, 0));
    cr_assert(json_integer_value(json_object_get(r, "entries")) >= 5);
    json_decref(r);
    sql("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET reason = 'edited' WHERE id = 3");
    r = req("POST", "/api/v1/admin/audit/verify", adm, "{}", &st, 0);
    cr_assert_eq(st, 200);
    cr_assert(json_is_false(json_object_get(r, "ok")));
    cr_assert_eq(json_integer_value(json_object_get(r, "first_broken_id")), 3, "%s",
                 json_dumps(r, 0));
    json_decref(r);
    /* export is JSON lines */
    long est;
    json_decref(req("GET", "/api/v1/admin/audit/export", adm, NULL, &est, 0));
    cr_assert_eq(est, 200);
    free(adm);
    free(mgr);
    free(ap);
}

Test(trust, admin_deletion_retried_by_sweeper_when_a_service_fails, .init = setup, .fini = teardown,
     .timeout = 120)
{
    long st;
    long long cid, rid, uid;
    char *mgr = bt_signup_company(&B, "m3@trust.example", "RetryCo", &cid, NULL);
    long long job = make_job(mgr, cid);
    char *ap = bt_signup_applicant(&B, "retry.me@trust.example", &uid);
    apply_text(ap, job, "Resume qx-retry for the sweeper.", &rid);
    /* retention: a finished application past the resume period → the resume content goes */
    long long rid2;
    char *ap2 = bt_signup_applicant(&B, "old.one@trust.example", NULL);
    long long app2 = apply_text(ap2, job, "Old resume qx-expired text.", &rid2);
    sql(bt_path("UPDATE applications SET status = 'rejected', updated_at = 1 WHERE id = %lld",
                app2));
    for (int i = 0; i < 50 && db_contains("qx-expired"); i++) usleep(100 * 1000);
    cr_assert_null(db_contains("qx-expired"), "expired resume text kept");
    cr_assert(fake_saw(bt_path("DELETE /v1/similarity/%lld ", rid2)), "%s", F.log);
    json_t *gone = req("GET", bt_path("/api/v1/applications/%lld", app2), mgr, NULL, &st, 0);
    cr_assert_eq(st, 200, "the application row stays for the bias audit");
    json_decref(gone);
    free(ap2);
    char *adm = bt_admin(&B, "root2@trust.example");
    json_decref(req("POST", "/api/v1/admin/deletion-requests", adm, "{\"user_id\":1}", &st, 0));
    cr_assert_eq(st, 400, "a reason is required");
    pthread_mutex_lock(&F.mu);
    F.fail_left = 2; /* two attempts fail: the immediate one and maybe a concurrent sweep */
    pthread_mutex_unlock(&F.mu);
    char body[128];
    snprintf(body, sizeof body, "{\"user_id\":%lld,\"reason\":\"e-mail request #12\"}", uid);
    json_t *r = req("POST", "/api/v1/admin/deletion-requests", adm, body, &st, 0);
    cr_assert_eq(st, 202, "%s", json_dumps(r, 0));
    cr_assert_str_eq(json_string_value(json_object_get(r, "status")), "pending", "%s %s",
                     json_dumps(r, 0), F.log);
    cr_assert_not_null(json_string_value(json_object_get(r, "last_error")));
    long long id = json_integer_value(json_object_get(r, "id"));
    json_decref(r);
    const char *status = "pending";
    for (int i = 0; i < 100 && !strcmp(status, "pending"); i++) {
        usleep(100 * 1000);
        r = req("GET", bt_path("/api/v1/deletion-requests/%lld", id), adm, NULL, &st, 0);
        status =
            strcmp(json_string_value(json_object_get(r, "status")), "done") ? "pending" : "done";
        json_decref(r);
    }
    cr_assert_str_eq(status, "done", "the sweeper did not finish the request");
    cr_assert_null(db_contains("retry.me@trust.example"));
    cr_assert_null(db_contains("qx-retry"));
    /* the applicant's own request route is not the admin's: another user's request is 404 */
    json_decref(req("GET", bt_path("/api/v1/deletion-requests/%lld", id), mgr, NULL, &st, 0));
    cr_assert_eq(st, 404);
    free(adm);
    free(mgr);
    free(ap);
}
