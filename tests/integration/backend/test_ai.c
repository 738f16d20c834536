/*
 * test_ai.c — the backend's AI feature end to end against a real kocruit-backend, Redis and
 * SQLite: screening results posted through the internal route and the ranking built from
 * them (newest result wins, other companies get 404); the resumable answer upload
 * (interrupted after a chunk, resumed from the reported offset, wrong offset → 409) of a
 * WebM generated here with ffmpeg; an answer without consent is stored but not analysed;
 * report access (applicant, recruiter with an audit entry, another company → 404); the
 * insights route answers 503 when the agent is down; the SSE relay delivers progress
 * published on kc:progress:<id>. Against a stand-in video service (bt_fake, which records
 * what the backend sends): blind review (transcript-only report, pseudonyms in reports and
 * the ranking, the applicant's own view unshaped), the answer language resolved from the job
 * post ("auto" never sent), the "ai.output" provenance audit entries, no new answer or
 * analysis request after consent was withdrawn, and accommodations (effective time limit +
 * 10 % grace → 422, retakes → 409, audio-only → speech-only request).
 */
#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bt.h"

static struct bt B;
static char agent_env[80];

static void setup(void)
{
    /* a port nothing listens on: the agent is "down" */
    snprintf(agent_env, sizeof agent_env, "KOCRUIT_AGENT_URL=http://127.0.0.1:%d",
             kc_test_free_port());
    /* BT_ASAN_OPTIONS: one extra NAME=value for the backend, e.g.
     * "ASAN_OPTIONS=fast_unwind_on_malloc=0" for full leak stacks under KC_SANITIZE */
    const char *env[] = {agent_env, getenv("BT_ASAN_OPTIONS"), NULL};
    bt_start(&B, env);
}

static void teardown(void)
{
    bt_stop(&B);
}

struct world {
    char *mgr, *other_mgr, *ap[3];
    long long cid, job, app[3];
};

static long long apply(const char *token, long long job, const char *cv)
{
    long st;
    json_t *r = bt_upload(&B, token, "cv.txt", cv, strlen(cv), &st);
    cr_assert_eq(st, 201, "resume upload %ld", st);
    char body[64];
    snprintf(body, sizeof body, "{\"resume_id\":%lld}",
             (long long)json_integer_value(json_object_get(r, "id")));
    json_decref(r);
    r = bt_req(&B, "POST", bt_path("/api/v1/jobs/%lld/applications", job), token, body, &st);
    cr_assert_eq(st, 201, "apply %ld", st);
    long long id = json_integer_value(json_object_get(r, "id"));
    json_decref(r);
    return id;
}

static void make_world(struct world *w, int napps)
{
    long long ocid;
    long st;
    w->mgr = bt_signup_company(&B, "boss@a.example", "A Corp", &w->cid, NULL);
    w->other_mgr = bt_signup_company(&B, "boss@b.example", "B Corp", &ocid, NULL);
    char *jb = bt_job_body(w->cid, "C developer");
    /* every criterion with keywords: the agent refuses a criterion without any */
    json_t *job = json_loads(jb, 0, NULL);
    free(jb);
    json_object_set_new(json_array_get(json_object_get(job, "criteria"), 1), "keywords",
                        json_pack("[s,s]", "Redis", "teamwork"));
    jb = json_dumps(job, JSON_COMPACT);
    json_decref(job);
    json_t *r = bt_req(&B, "POST", "/api/v1/jobs", w->mgr, jb, &st);
    free(jb);
    cr_assert_eq(st, 201);
    w->job = json_integer_value(json_object_get(r, "id"));
    json_decref(r);
    for (int i = 0; i < napps; i++) {
        char email[64];
        snprintf(email, sizeof email, "ap%d@x.example", i);
        w->ap[i] = bt_signup_applicant(&B, email, NULL);
        w->app[i] = apply(w->ap[i], w->job, "Kim\nSkills\nC, Linux, Redis\n");
    }
}

static void free_world(struct world *w, int napps)
{
    free(w->mgr);
    free(w->other_mgr);
    for (int i = 0; i < napps; i++) free(w->ap[i]);
}

static long post_screening(long long app, double total, const char *sugg)
{
    char body[600], tok[80];
    snprintf(body, sizeof body,
             "{\"application_id\":\"%lld\",\"run_id\":\"screen-app-%lld-1\",\"status\":\"done\","
             "\"source\":\"deterministic\",\"result\":{\"screening\":{\"total\":%.1f,"
             "\"suggestion\":\"%s\",\"criteria\":[{\"name\":\"C\",\"evidence\":\"C, Linux\"}]}},"
             "\"errors\":[],\"node_timings\":[]}",
             app, app, total, sugg);
    snprintf(tok, sizeof tok, "X-Internal-Token: %s", BT_INTERNAL);
    const char *h[] = {"Content-Type: application/json", tok, NULL};
    long st;
    json_decref(bt_req_h(&B, "POST", bt_path("/internal/applications/%lld/screening", app), h, body,
                         strlen(body), &st));
    return st;
}

Test(ai, ranking_from_internal_screening_results, .init = setup, .fini = teardown)
{
    struct world w;
    long st;
    make_world(&w, 3);
    /* the agent's input route */
    char tok[80];
    snprintf(tok, sizeof tok, "X-Internal-Token: %s", BT_INTERNAL);
    const char *h[] = {tok, NULL};
    json_t *in =
        bt_req_h(&B, "GET", bt_path("/internal/applications/%lld/screening-input", w.app[0]), h,
                 NULL, 0, &st);
    cr_assert_eq(st, 200);
    cr_assert_eq(json_array_size(json_object_get(json_object_get(in, "job"), "criteria")), 2);
    cr_assert_not_null(
        strstr(json_string_value(json_object_get(json_object_get(in, "resume"), "text")), "Redis"));
    json_decref(in);
    /* no token → 401; unknown application → 404 */
    json_decref(bt_req(&B, "POST", bt_path("/internal/applications/%lld/screening", w.app[0]), NULL,
                       "{\"status\":\"done\"}", &st));
    cr_assert_eq(st, 401);
    cr_assert_eq(post_screening(999999, 10, "fail"), 404);

    cr_assert_eq(post_screening(w.app[0], 55, "hold"), 201);
    cr_assert_eq(post_screening(w.app[1], 80, "pass"), 201);
    json_t *r = bt_req(&B, "GET", bt_path("/api/v1/jobs/%lld/ranking", w.job), w.mgr, NULL, &st);
    cr_assert_eq(st, 200);
    json_t *items = json_object_get(r, "items");
    cr_assert_eq(json_array_size(items), 3);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(items, 0), "application_id")),
                 w.app[1]);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(items, 0), "rank")), 1);
    cr_assert_str_eq(
        json_string_value(json_object_get(
            json_array_get(
                json_object_get(json_object_get(json_array_get(items, 0), "evidence"), "criteria"),
                0),
            "evidence")),
        "C, Linux");
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(items, 1), "application_id")),
                 w.app[0]);
    cr_assert(json_is_null(json_object_get(json_array_get(items, 2), "total")));
    cr_assert(json_is_null(json_object_get(json_array_get(items, 2), "rank")));
    json_decref(r);
    /* a retried job posts again: the newest result wins */
    cr_assert_eq(post_screening(w.app[0], 90, "pass"), 201);
    r = bt_req(&B, "GET", bt_path("/api/v1/jobs/%lld/ranking", w.job), w.mgr, NULL, &st);
    items = json_object_get(r, "items");
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(items, 0), "application_id")),
                 w.app[0]);
    cr_assert_float_eq(json_number_value(json_object_get(json_array_get(items, 0), "total")), 90,
                       1e-9);
    json_decref(r);
    r = bt_req(&B, "GET", bt_path("/api/v1/applications/%lld/screening", w.app[0]), w.mgr, NULL,
               &st);
    cr_assert_eq(st, 200);
    cr_assert_str_eq(json_string_value(json_object_get(r, "suggestion")), "pass");
    json_decref(r);
    json_decref(bt_req(&B, "GET", bt_path("/api/v1/applications/%lld/screening", w.app[2]), w.mgr,
                       NULL, &st));
    cr_assert_eq(st, 404);
    /* another company: 404, the applicant: 403 by role */
    json_decref(
        bt_req(&B, "GET", bt_path("/api/v1/jobs/%lld/ranking", w.job), w.other_mgr, NULL, &st));
    cr_assert_eq(st, 404);
    json_decref(bt_req(&B, "GET", bt_path("/api/v1/applications/%lld/screening", w.app[0]),
                       w.other_mgr, NULL, &st));
    cr_assert_eq(st, 404);
    json_decref(bt_req(&B, "GET", bt_path("/api/v1/jobs/%lld/ranking", w.job), w.ap[0], NULL, &st));
    cr_assert_eq(st, 403);
    /* every route is documented */
    r = bt_req(&B, "GET", "/api/v1/openapi.json", NULL, NULL, &st);
    cr_assert_eq(st, 200);
    json_t *paths = json_object_get(r, "paths");
    static const char *const documented[] = {
        "/api/v1/jobs/{id}/ranking", "/api/v1/interview/uploads/{upload_id}",
        "/api/v1/analyses/{id}/events", "/internal/applications/{id}/screening", NULL};
    for (size_t k = 0; documented[k]; k++)
        cr_assert_not_null(json_object_get(paths, documented[k]), "%s", documented[k]);
    cr_assert_not_null(
        json_object_get(json_object_get(json_object_get(r, "components"), "schemas"), "AiRanking"));
    json_decref(r);
    /* insights with the agent down: 503, never made-up content */
    r = bt_req(&B, "GET", bt_path("/api/v1/applications/%lld/insights", w.app[0]), w.mgr, NULL,
               &st);
    cr_assert_eq(st, 503);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "error"), "code")),
                     "unavailable");
    cr_assert_null(json_object_get(r, "highlights"));
    json_decref(r);
    free_world(&w, 3);
}

/* A 2-second VP8 WebM made with ffmpeg; returns its bytes. */
static char *make_webm(size_t *len)
{
    char path[700], cmd[1600];
    snprintf(path, sizeof path, "%s/answer.webm", B.tmp);
    snprintf(cmd, sizeof cmd,
             "ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc=size=160x120:rate=10 -f lavfi "
             "-i sine=frequency=440:sample_rate=16000 -t 2 -c:v libvpx -b:v 100k -c:a libopus "
             "'%s'",
             path);
    cr_assert_eq(system(cmd), 0, "ffmpeg failed");
    return bt_read_file(path, len);
}

/* A WebM whose audio is English speech (espeak-ng), for transcripts and grading. */
static char *make_spoken_webm(size_t *len)
{
    char wav[700], path[700], cmd[4000];
    snprintf(wav, sizeof wav, "%s/speech.wav", B.tmp);
    snprintf(path, sizeof path, "%s/spoken.webm", B.tmp);
    snprintf(cmd, sizeof cmd,
             "espeak-ng -v en -s 150 -w '%s' 'I built a payment server in C on Linux. The "
             "situation was slow batch jobs, my task was to cut latency, I rewrote the queue "
             "with Redis and the result was forty percent faster payments.' && ffmpeg -nostdin "
             "-loglevel error -y -f lavfi -i testsrc=size=160x120:rate=10 -i '%s' -shortest "
             "-c:v libvpx -b:v 100k -c:a libopus -ar 48000 '%s'",
             wav, wav, path);
    cr_assert_eq(system(cmd), 0, "espeak-ng/ffmpeg failed");
    return bt_read_file(path, len);
}

static json_t *put_chunk(const char *token, const char *uid, long long off, const char *data,
                         size_t n, long *st)
{
    char auth[1200], o[64];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    snprintf(o, sizeof o, "Upload-Offset: %lld", off);
    const char *h[] = {auth, o, "Content-Type: application/offset+octet-stream", NULL};
    return bt_req_h(&B, "PUT", bt_path("/api/v1/interview/uploads/%s", uid), h, data, n, st);
}

static long long resumable_upload(struct world *w, const char *data, size_t len)
{
    long st;
    char body[200];
    long now = (long)time(NULL);
    snprintf(body, sizeof body,
             "{\"question_id\":0,\"size\":%zu,\"started_at\":%ld,\"ended_at\":%ld,"
             "\"language\":\"en\"}",
             len, now - 2, now);
    json_t *r = bt_req(&B, "POST",
                       bt_path("/api/v1/applications/%lld/interview/answers/uploads", w->app[0]),
                       w->ap[0], body, &st);
    cr_assert_eq(st, 201, "create upload %ld", st);
    char uid[40];
    snprintf(uid, sizeof uid, "%s", json_string_value(json_object_get(r, "upload_id")));
    json_decref(r);
    /* another applicant cannot use it */
    json_decref(put_chunk(w->ap[1], uid, 0, data, 10, &st));
    cr_assert_eq(st, 404);
    size_t half = len / 2;
    r = put_chunk(w->ap[0], uid, 0, data, half, &st);
    cr_assert_eq(st, 200);
    cr_assert_eq(json_integer_value(json_object_get(r, "offset")), (long long)half);
    cr_assert(json_is_false(json_object_get(r, "complete")));
    json_decref(r);
    /* "interrupted": the client asks where to resume */
    char auth[1200];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", w->ap[0]);
    const char *h[] = {auth, NULL};
    r = bt_req_h(&B, "GET", bt_path("/api/v1/interview/uploads/%s", uid), h, NULL, 0, &st);
    cr_assert_eq(st, 200);
    long long off = json_integer_value(json_object_get(r, "offset"));
    cr_assert_eq(off, (long long)half);
    json_decref(r);
    /* a wrong offset is refused with the current one */
    r = put_chunk(w->ap[0], uid, 0, data, half, &st);
    cr_assert_eq(st, 409);
    cr_assert_eq(json_integer_value(json_object_get(r, "offset")), (long long)half);
    json_decref(r);
    /* past the declared size: 413 */
    json_decref(put_chunk(w->ap[0], uid, off, data, len, &st));
    cr_assert_eq(st, 413);
    r = put_chunk(w->ap[0], uid, off, data + off, len - (size_t)off, &st);
    cr_assert_eq(st, 200, "final chunk %ld", st);
    cr_assert(json_is_true(json_object_get(r, "complete")));
    long long answer = json_integer_value(json_object_get(r, "answer_id"));
    cr_assert_gt(answer, 0);
    json_decref(r);
    json_decref(put_chunk(w->ap[0], uid, (long long)len, data, 1, &st));
    cr_assert_eq(st, 409);
    return answer;
}

Test(ai, resumable_upload_without_consent_is_not_analysed, .init = setup, .fini = teardown)
{
    struct world w;
    long st;
    size_t len;
    make_world(&w, 2);
    char *webm = make_webm(&len);
    cr_assert_gt(len, 1000);
    long long answer = resumable_upload(&w, webm, len);
    /* no consent recorded → stored, not analysed */
    json_t *r = bt_req(&B, "GET", bt_path("/api/v1/applications/%lld/analyses", w.app[0]), w.ap[0],
                       NULL, &st);
    cr_assert_eq(st, 200);
    json_t *it = json_array_get(json_object_get(r, "items"), 0);
    cr_assert_eq(json_integer_value(json_object_get(it, "id")), answer);
    cr_assert_str_eq(json_string_value(json_object_get(it, "status")), "not_consented");
    cr_assert_eq(json_integer_value(json_object_get(it, "sent")), 0);
    json_decref(r);
    /* the report: applicant and recruiter yes, another company 404 */
    r = bt_req(&B, "GET", bt_path("/api/v1/analyses/%lld", answer), w.ap[0], NULL, &st);
    cr_assert_eq(st, 200);
    cr_assert_str_eq(json_string_value(json_object_get(r, "mime")), "video/webm");
    cr_assert_eq(strlen(json_string_value(json_object_get(r, "blob_sha256"))), 64);
    json_decref(r);
    r = bt_req(&B, "GET", bt_path("/api/v1/analyses/%lld", answer), w.mgr, NULL, &st);
    cr_assert_eq(st, 200);
    json_decref(r);
    json_decref(
        bt_req(&B, "GET", bt_path("/api/v1/analyses/%lld", answer), w.other_mgr, NULL, &st));
    cr_assert_eq(st, 404);
    json_decref(bt_req(&B, "GET", bt_path("/api/v1/analyses/%lld", answer), w.ap[1], NULL, &st));
    cr_assert_eq(st, 404);
    /* the staff view is audited */
    r = bt_req(&B, "GET", bt_path("/api/v1/applications/%lld/audit", w.app[0]), w.mgr, NULL, &st);
    cr_assert_eq(st, 200);
    int views = 0;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r, "items"), i, e) views +=
        !strcmp(json_string_value(json_object_get(e, "action")), "recording.view");
    cr_assert_eq(views, 1);
    json_decref(r);
    /* the interview view lists the answer and the (absent) consent */
    r = bt_req(&B, "GET", bt_path("/api/v1/applications/%lld/interview", w.app[0]), w.ap[0], NULL,
               &st);
    cr_assert_eq(st, 200);
    cr_assert_eq(json_integer_value(json_object_get(
                     json_array_get(json_object_get(r, "questions"), 0), "time_limit_s")),
                 120);
    cr_assert(json_is_false(json_object_get(json_object_get(r, "consent"), "speech")));
    cr_assert_eq(json_array_size(json_object_get(r, "answers")), 1);
    json_decref(r);
    free(webm);
    free_world(&w, 2);
}

static json_t *multipart(const char *token, long long app, const char *qid, const void *data,
                         size_t n, long *st)
{
    static const char bd[] = "kcboundary7261";
    char auth[1200], ct[100], head[800];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    snprintf(ct, sizeof ct, "Content-Type: multipart/form-data; boundary=%s", bd);
    int hn = snprintf(head, sizeof head,
                      "--%s\r\nContent-Disposition: form-data; name=\"question_id\"\r\n\r\n%s\r\n"
                      "--%s\r\nContent-Disposition: form-data; name=\"started_at\"\r\n\r\n100\r\n"
                      "--%s\r\nContent-Disposition: form-data; name=\"ended_at\"\r\n\r\n102\r\n"
                      "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n"
                      "Content-Type: application/octet-stream\r\n\r\n",
                      bd, qid, bd, bd, bd);
    char tail[64];
    int tn = snprintf(tail, sizeof tail, "\r\n--%s--\r\n", bd);
    char *body = malloc((size_t)hn + n + (size_t)tn);
    memcpy(body, head, (size_t)hn);
    memcpy(body + hn, data, n);
    memcpy(body + hn + n, tail, (size_t)tn);
    const char *h[] = {auth, ct, NULL};
    json_t *r = bt_req_h(&B, "POST", bt_path("/api/v1/applications/%lld/interview/answers", app), h,
                         body, (size_t)hn + n + (size_t)tn, st);
    free(body);
    return r;
}

Test(ai, one_shot_upload_checks_type_and_question, .init = setup, .fini = teardown)
{
    struct world w;
    long st;
    size_t len;
    make_world(&w, 1);
    char *webm = make_webm(&len);
    json_decref(multipart(w.ap[0], w.app[0], "0", "plain text, not a video", 23, &st));
    cr_assert_eq(st, 415);
    json_decref(multipart(w.ap[0], w.app[0], "5", webm, len, &st));
    cr_assert_eq(st, 400);
    json_decref(multipart(w.mgr, w.app[0], "0", webm, len, &st));
    cr_assert_eq(st, 403);
    json_t *r = multipart(w.ap[0], w.app[0], "0", webm, len, &st);
    cr_assert_eq(st, 201, "one-shot upload %ld", st);
    cr_assert_eq(strlen(json_string_value(json_object_get(r, "sha256"))), 64);
    json_decref(r);
    free(webm);
    free_world(&w, 1);
}

struct sse_client {
    char url[700], auth[1200], *out;
    long status;
};

static void *sse_thread(void *p)
{
    struct sse_client *c = p;
    const char *h[] = {c->auth, NULL};
    kc_test_http("GET", c->url, h, NULL, &c->status, &c->out);
    return NULL;
}

Test(ai, sse_relays_progress, .init = setup, .fini = teardown)
{
    struct world w;
    long st;
    size_t len;
    make_world(&w, 1);
    char *webm = make_webm(&len);
    json_t *r = multipart(w.ap[0], w.app[0], "0", webm, len, &st);
    cr_assert_eq(st, 201);
    long long answer = json_integer_value(json_object_get(r, "answer_id"));
    json_decref(r);
    /* not analysed → no progress stream */
    json_decref(
        bt_req(&B, "GET", bt_path("/api/v1/analyses/%lld/events", answer), w.ap[0], NULL, &st));
    cr_assert_eq(st, 409);
    /* pretend the video service accepted it (its id) — only the relay is under test */
    char cmd[900];
    snprintf(cmd, sizeof cmd,
             "sqlite3 '%s' \"UPDATE interview_answers SET status='running', remote_id='vid42' "
             "WHERE id=%lld\"",
             B.db, answer);
    cr_assert_eq(system(cmd), 0);
    struct sse_client c = {0};
    snprintf(c.url, sizeof c.url, "%s/api/v1/analyses/%lld/events", B.base, answer);
    snprintf(c.auth, sizeof c.auth, "Authorization: Bearer %s", w.mgr);
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, sse_thread, &c), 0);
    redisContext *rc = redisConnect("127.0.0.1", B.redis.port);
    cr_assert(rc && !rc->err);
    /* publish until the relay has subscribed (PUBLISH answers the receiver count) */
    long long receivers = 0;
    for (int i = 0; i < 100 && receivers == 0; i++) {
        redisReply *rep = redisCommand(rc, "PUBLISH kc:progress:vid42 %s",
                                       "{\"id\":\"vid42\",\"status\":\"running\",\"progress\":0.5,"
                                       "\"stage\":\"vision\"}");
        receivers = rep ? rep->integer : 0;
        freeReplyObject(rep);
        if (!receivers) usleep(100000);
    }
    cr_assert_gt(receivers, 0, "the relay never subscribed");
    redisReply *rep = redisCommand(rc, "PUBLISH kc:progress:vid42 %s",
                                   "{\"id\":\"vid42\",\"status\":\"done\",\"progress\":1}");
    freeReplyObject(rep);
    redisFree(rc);
    pthread_join(t, NULL);
    cr_assert_eq(c.status, 200);
    cr_assert_not_null(c.out);
    cr_assert_not_null(strstr(c.out, "event: progress\ndata: {\"id\":\"vid42\""), "%s", c.out);
    cr_assert_not_null(strstr(c.out, "\"stage\":\"vision\""));
    cr_assert_not_null(strstr(c.out, "event: done\n"), "%s", c.out);
    free(c.out);
    /* another company cannot open the stream */
    json_decref(
        bt_req(&B, "GET", bt_path("/api/v1/analyses/%lld/events", answer), w.other_mgr, NULL, &st));
    cr_assert_eq(st, 404);
    free(webm);
    free_world(&w, 1);
}

/* The video service binary: $KC_VIDEO_BIN, this build's, else the main build's. NULL when
 * none. */
static const char *video_bin(char *buf, size_t cap)
{
    const char *b = getenv("KC_BUILD_DIR"), *src = getenv("KC_SOURCE_DIR");
    if (getenv("KC_VIDEO_BIN")) {
        snprintf(buf, cap, "%s", getenv("KC_VIDEO_BIN"));
        return buf;
    }
    snprintf(buf, cap, "%s/video-analysis/kocruit-video", b ? b : ".");
    if (access(buf, X_OK) == 0) return buf;
    snprintf(buf, cap, "%s/build/video-analysis/kocruit-video", src ? src : "/work/main");
    return access(buf, X_OK) == 0 ? buf : NULL;
}

/* Start a peer service (portvar KOCRUIT_VIDEO_PORT or KOCRUIT_AGENT_PORT) sharing the
 * test's Redis, with its own data folder <tmp>/<sub>, pointing back at the backend. */
static pid_t start_peer(const char *bin, const char *portvar, int port, const char *sub)
{
    extern char **environ;
    char *env[64], buf[8][900], dir[700];
    size_t k = 0;
    snprintf(dir, sizeof dir, "%s/%s", B.tmp, sub);
    cr_assert_eq(mkdir(dir, 0750), 0);
    for (size_t i = 0; environ[i] && k < 40; i++)
        if (strncmp(environ[i], "KOCRUIT_", 8) || !strncmp(environ[i], "KOCRUIT_ASSETS=", 15))
            env[k++] = environ[i];
    snprintf(buf[0], sizeof buf[0], "%s=%d", portvar, port);
    snprintf(buf[1], sizeof buf[1], "KOCRUIT_REDIS_URL=%s", B.redis.url);
    snprintf(buf[2], sizeof buf[2], "KOCRUIT_DB=sqlite:%s/peer.db", dir);
    snprintf(buf[3], sizeof buf[3], "KOCRUIT_DATA_DIR=%s", dir);
    snprintf(buf[4], sizeof buf[4], "KOCRUIT_INTERNAL_TOKEN=%s", BT_INTERNAL);
    snprintf(buf[5], sizeof buf[5], "KOCRUIT_JWT_SECRET=%s", BT_JWT_SECRET);
    snprintf(buf[6], sizeof buf[6], "KOCRUIT_BACKEND_URL=%s", B.base);
    snprintf(buf[7], sizeof buf[7], "KOCRUIT_LOG_LEVEL=warn");
    for (int i = 0; i < 8; i++) env[k++] = buf[i];
    env[k++] = "KOCRUIT_WORKERS=1";
    env[k] = NULL;
    char *argv[] = {(char *)bin, NULL};
    pid_t pid = kc_test_spawn(argv, env);
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/health", port);
    cr_assert_gt(pid, 0);
    cr_assert_eq(kc_test_wait_http_ok(url, 20000), 0, "%s did not start", bin);
    return pid;
}

/* The agent binary: $KC_AGENT_BIN, this build's, else the main build's. NULL when none. */
static const char *agent_bin(char *buf, size_t cap)
{
    const char *b = getenv("KC_BUILD_DIR"), *src = getenv("KC_SOURCE_DIR");
    if (getenv("KC_AGENT_BIN")) {
        snprintf(buf, cap, "%s", getenv("KC_AGENT_BIN"));
        return buf;
    }
    snprintf(buf, cap, "%s/agent/kocruit-agent", b ? b : ".");
    if (access(buf, X_OK) == 0) return buf;
    snprintf(buf, cap, "%s/build/agent/kocruit-agent", src ? src : "/work/main");
    return access(buf, X_OK) == 0 ? buf : NULL;
}

Test(ai, agent_end_to_end, .timeout = 200)
{
    char bin[700];
    if (!agent_bin(bin, sizeof bin))
        cr_skip_test("kocruit-agent is not built (neither $KC_BUILD_DIR/agent nor build/agent)");
    int aport = kc_test_free_port();
    snprintf(agent_env, sizeof agent_env, "KOCRUIT_AGENT_URL=http://127.0.0.1:%d", aport);
    const char *env[] = {agent_env, NULL};
    bt_start(&B, env);
    pid_t apid = start_peer(bin, "KOCRUIT_AGENT_PORT", aport, "agent");
    struct world w;
    long st;
    make_world(&w, 2);
    /* the agent consumes agent.screen (queued on apply) and posts results back */
    json_t *r = NULL, *items = NULL;
    int screened = 0;
    for (int i = 0; i < 30 && screened < 2; i++) { /* a bound, not a timing assertion */
        json_decref(r);
        r = bt_req(&B, "GET", bt_path("/api/v1/jobs/%lld/ranking", w.job), w.mgr, NULL, &st);
        cr_assert_eq(st, 200);
        items = json_object_get(r, "items");
        screened = 0;
        for (size_t k = 0; k < json_array_size(items); k++)
            screened +=
                json_is_string(json_object_get(json_array_get(items, k), "screening_status"));
        if (screened < 2) usleep(500000);
    }
    cr_assert_eq(screened, 2, "the agent's screening results did not arrive");
    for (size_t k = 0; k < 2; k++)
        cr_assert_str_eq(
            json_string_value(json_object_get(json_array_get(items, k), "screening_status")),
            "done", "%s", json_dumps(json_array_get(items, k), 0));
    json_t *top = json_array_get(items, 0);
    cr_assert_eq(json_integer_value(json_object_get(top, "rank")), 1);
    cr_assert(json_is_object(json_object_get(top, "evidence")));
    double t0 = json_number_value(json_object_get(top, "total"));
    double t1 = json_number_value(json_object_get(json_array_get(items, 1), "total"));
    cr_assert_geq(t0, t1);
    json_decref(r);
    /* insights: computed by the agent, then served from the cache with the same content */
    r = bt_req(&B, "GET", bt_path("/api/v1/applications/%lld/insights", w.app[0]), w.mgr, NULL,
               &st);
    cr_assert_eq(st, 200, "insights %ld", st);
    cr_assert(json_is_object(json_object_get(r, "highlights")));
    cr_assert(json_is_object(json_object_get(r, "similar_resumes")));
    json_t *again = bt_req(&B, "GET", bt_path("/api/v1/applications/%lld/insights", w.app[0]),
                           w.mgr, NULL, &st);
    cr_assert_eq(st, 200);
    cr_assert(json_equal(r, again));
    json_decref(again);
    json_decref(r);
    r = bt_req(&B, "POST", bt_path("/api/v1/applications/%lld/questions", w.app[0]), w.mgr, "{}",
               &st);
    cr_assert_eq(st, 201, "questions %ld", st);
    cr_assert(json_is_object(json_object_get(r, "result")));
    json_decref(r);
    json_decref(bt_req(&B, "POST", bt_path("/api/v1/applications/%lld/questions", w.app[0]),
                       w.other_mgr, "{}", &st));
    cr_assert_eq(st, 404);
    free_world(&w, 2);
    kc_test_kill(apid, SIGTERM);
    bt_stop(&B);
}

Test(ai, video_service_end_to_end, .timeout = 280)
{
    char bin[700];
    if (!video_bin(bin, sizeof bin))
        cr_skip_test("kocruit-video is not built (neither $KC_BUILD_DIR/video-analysis nor "
                     "build/video-analysis)");
    int vport = kc_test_free_port();
    char venv[80];
    snprintf(venv, sizeof venv, "KOCRUIT_VIDEO_URL=http://127.0.0.1:%d", vport);
    char abin[700];
    int aport = kc_test_free_port(), with_agent = agent_bin(abin, sizeof abin) != NULL;
    snprintf(agent_env, sizeof agent_env, "KOCRUIT_AGENT_URL=http://127.0.0.1:%d", aport);
    const char *env[] = {venv, agent_env, NULL};
    bt_start(&B, env);
    pid_t vpid = start_peer(bin, "KOCRUIT_VIDEO_PORT", vport, "video");
    pid_t apid = with_agent ? start_peer(abin, "KOCRUIT_AGENT_PORT", aport, "agent") : 0;
    struct world w;
    long st;
    size_t len;
    make_world(&w, 2);
    json_t *r = bt_req(&B, "POST", bt_path("/api/v1/applications/%lld/consent", w.app[0]), w.ap[0],
                       "{\"types\":[\"video_behaviour\",\"speech\",\"answer_grading\"]}", &st);
    cr_assert_eq(st, 200, "consent %ld", st);
    json_decref(r);
    char *webm = make_spoken_webm(&len);
    long long answer = resumable_upload(&w, webm, len);
    free(webm);
    const char *status = NULL;
    json_t *rep = NULL;
    for (int i = 0; i < 240; i++) { /* a bound, not a timing assertion */
        json_decref(rep);
        rep = bt_req(&B, "GET", bt_path("/api/v1/analyses/%lld", answer), w.ap[0], NULL, &st);
        cr_assert_eq(st, 200);
        status = json_string_value(json_object_get(rep, "status"));
        if (strcmp(status, "requested") && strcmp(status, "running")) break;
        usleep(500000);
    }
    cr_assert_str_eq(status, "done", "analysis ended %s: %s", status,
                     json_string_value(json_object_get(rep, "error")));
    json_t *report = json_object_get(rep, "report");
    cr_assert_str_eq(json_string_value(json_object_get(report, "status")), "done");
    cr_assert(json_is_object(json_object_get(json_object_get(report, "result"), "metrics")));
    cr_assert_null(json_object_get(rep, "grade"), "the applicant does not see the grade");
    cr_assert(json_is_true(json_object_get(json_object_get(rep, "consent"), "speech")));
    json_decref(rep);
    r = bt_req(&B, "GET", bt_path("/api/v1/analyses/%lld", answer), w.mgr, NULL, &st);
    cr_assert_eq(st, 200);
    cr_assert_str_eq(json_string_value(json_object_get(r, "status")), "done");
    cr_assert(json_is_object(json_object_get(r, "report")));
    const char *gs = json_string_value(json_object_get(r, "grade_status"));
    const char *tx = json_string_value(json_object_get(
        json_object_get(json_object_get(json_object_get(r, "report"), "result"), "transcript"),
        "text"));
    if (with_agent && tx && *tx) { /* graded by the agent from the transcript */
        cr_assert_str_eq(gs, "ok");
        cr_assert(json_is_number(json_object_get(json_object_get(r, "grade"), "score")), "%s",
                  json_dumps(json_object_get(r, "grade"), 0));
    } else { /* no agent or no transcript: said so, no grade invented */
        cr_assert(json_is_null(json_object_get(r, "grade")) || !json_object_get(r, "grade"));
        cr_assert_not_null(gs);
        cr_assert_neq(strcmp(gs, "ok"), 0);
        char *d = json_dumps(
            json_object_get(json_object_get(json_object_get(r, "report"), "result"), "transcript"),
            JSON_COMPACT);
        cr_log_warn("grading not exercised: %s (transcript: %.300s)", gs, d ? d : "none");
        free(d);
    }
    json_decref(r);
    /* the finished answer is among the applicant's transcripts, and can be corrected there
     * (original kept) — candidate rights reach AI-interview answers */
    r = bt_req(&B, "GET", bt_path("/api/v1/applications/%lld/transcripts", w.app[0]), w.ap[0], NULL,
               &st);
    cr_assert_eq(st, 200, "transcripts %ld", st);
    json_t *items = json_object_get(r, "items");
    cr_assert_eq(json_array_size(items), 1, "%s", json_dumps(r, 0));
    json_t *it = json_array_get(items, 0);
    cr_assert_str_eq(json_string_value(json_object_get(it, "type")), "interview_answer");
    cr_assert(json_is_object(json_object_get(it, "transcript")), "the report's transcript");
    json_int_t aid = json_integer_value(json_object_get(it, "analysis_id"));
    json_decref(r);
    r = bt_req(
        &B, "POST",
        bt_path("/api/v1/applications/%lld/transcripts/%lld/corrections", w.app[0], (long long)aid),
        w.ap[0], "{\"segment\":0,\"text\":\"I built a fast server in C\"}", &st);
    cr_assert_eq(st, 201, "correction %ld: %s", st, json_dumps(r, 0));
    json_decref(r);
    r = bt_req(&B, "GET", bt_path("/api/v1/applications/%lld/transcripts", w.app[0]), w.ap[0], NULL,
               &st);
    it = json_array_get(json_object_get(r, "items"), 0);
    cr_assert_eq(json_array_size(json_object_get(it, "corrections")), 1);
    cr_assert(json_is_object(json_object_get(it, "transcript")), "the original is kept");
    json_decref(r);
    /* withdrawal: the report is no longer relayed */
    json_decref(bt_req(&B, "POST", bt_path("/api/v1/applications/%lld/consent/withdraw", w.app[0]),
                       w.ap[0], "{\"types\":[\"video_behaviour\",\"speech\"]}", &st));
    cr_assert_eq(st, 200, "withdraw %ld", st);
    r = bt_req(&B, "GET", bt_path("/api/v1/analyses/%lld", answer), w.mgr, NULL, &st);
    cr_assert_eq(st, 200);
    cr_assert(json_is_null(json_object_get(r, "report")));
    cr_assert_not_null(json_string_value(json_object_get(r, "report_error")));
    json_decref(r);
    json_decref(
        bt_req(&B, "GET", bt_path("/api/v1/analyses/%lld", answer), w.other_mgr, NULL, &st));
    cr_assert_eq(st, 404);
    free_world(&w, 2);
    kc_test_kill(vpid, SIGTERM);
    if (apid > 0) kc_test_kill(apid, SIGTERM);
    bt_stop(&B);
}

/* ---- against a stand-in video service (bt_fake): blind review, language, provenance audit,
 * consent withdrawal, accommodations ----------------------------------------------------- */

/* What the stand-in answers for every analysis: a done report in the video service's shape
 * with vision and speech parts, the models, the ASR engine and a rubric. */
static const char FAKE_REPORT[] =
    "{\"id\":\"fake-1\",\"status\":\"done\",\"result\":{\"id\":\"fake-1\",\"status\":\"done\","
    "\"media\":{\"duration_s\":2},\"language\":{\"requested\":\"ko\"},"
    "\"metrics\":{\"eye_contact_ratio\":{\"value\":0.5,\"unit\":\"ratio\",\"samples\":20,"
    "\"status\":\"ok\",\"definition\":\"d\"},\"speech_rate_wpm\":{\"value\":120,\"unit\":"
    "\"words/min\",\"samples\":30,\"status\":\"ok\",\"definition\":\"d\"}},"
    "\"timelines\":{\"eye_contact\":[1,0],\"head_yaw\":[2,3],\"loudness\":[-20,-21]},"
    "\"transcript\":{\"status\":\"ok\",\"engine\":\"pocketsphinx 5.0.3\",\"language\":\"en\","
    "\"text\":\"hello I am 지원자 ap0@x.example and I wrote C\"},"
    "\"per_question\":[{\"id\":0,\"metrics\":{\"eye_contact_ratio\":{}}}],"
    "\"emotion\":{\"status\":\"not_run\"},\"rates\":{},"
    "\"models\":{\"face_detector\":\"sha256:ab12\",\"silero_vad_v5\":\"sha256:cd34\"},"
    "\"scoring\":{\"status\":\"graded by rubric\",\"rubric\":{\"name\":\"default\",\"version\":"
    "\"3\"}}}}";

static void start_with_fake(struct bt_fake **fake)
{
    static char venv[80];
    int port;
    *fake = bt_fake_start(FAKE_REPORT, &port);
    snprintf(venv, sizeof venv, "KOCRUIT_VIDEO_URL=http://127.0.0.1:%d", port);
    snprintf(agent_env, sizeof agent_env, "KOCRUIT_AGENT_URL=http://127.0.0.1:%d", port);
    const char *env[] = {venv, agent_env, getenv("BT_ASAN_OPTIONS"), NULL};
    bt_start(&B, env);
}

static json_t *upload_timed(const char *token, long long app, long st_at, long en_at,
                            const void *data, size_t n, long *st)
{
    static const char bd[] = "kcboundary7262";
    char auth[1200], ct[100], head[800], tail[64];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    snprintf(ct, sizeof ct, "Content-Type: multipart/form-data; boundary=%s", bd);
    int hn = snprintf(head, sizeof head,
                      "--%s\r\nContent-Disposition: form-data; name=\"question_id\"\r\n\r\n0\r\n"
                      "--%s\r\nContent-Disposition: form-data; name=\"started_at\"\r\n\r\n%ld\r\n"
                      "--%s\r\nContent-Disposition: form-data; name=\"ended_at\"\r\n\r\n%ld\r\n"
                      "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n"
                      "Content-Type: application/octet-stream\r\n\r\n",
                      bd, bd, st_at, bd, en_at, bd);
    int tn = snprintf(tail, sizeof tail, "\r\n--%s--\r\n", bd);
    char *body = malloc((size_t)hn + n + (size_t)tn);
    memcpy(body, head, (size_t)hn);
    memcpy(body + hn, data, n);
    memcpy(body + hn + n, tail, (size_t)tn);
    const char *h[] = {auth, ct, NULL};
    json_t *r = bt_req_h(&B, "POST", bt_path("/api/v1/applications/%lld/interview/answers", app), h,
                         body, (size_t)hn + n + (size_t)tn, st);
    free(body);
    return r;
}

static const char *err_field(const json_t *r)
{
    return json_string_value(json_object_get(json_object_get(r, "error"), "field"));
}

/* The "ai.output" audit entries' details of one output kind (new array). */
static json_t *ai_outputs(const char *admin, const char *kind)
{
    char url[200], auth[1200], *out = NULL;
    long st;
    snprintf(url, sizeof url, "%s/api/v1/admin/audit/export", B.base);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", admin);
    const char *h[] = {auth, NULL};
    cr_assert_eq(kc_test_http("GET", url, h, NULL, &st, &out), 0);
    cr_assert_eq(st, 200);
    json_t *found = json_array();
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *e = json_loads(line, 0, NULL);
        const char *a = json_string_value(json_object_get(e, "action"));
        json_t *d = json_loads(json_string_value(json_object_get(e, "detail_text")), 0, NULL);
        const char *k = json_string_value(json_object_get(d, "output"));
        if (a && !strcmp(a, "ai.output") && k && !strcmp(k, kind)) json_array_append(found, d);
        json_decref(d);
        json_decref(e);
    }
    free(out);
    return found;
}

static json_t *result_of(json_t *r)
{
    return json_object_get(json_object_get(r, "report"), "result");
}

Test(ai, blind_review_language_and_provenance_audit)
{
    struct bt_fake *fake;
    start_with_fake(&fake);
    struct world w;
    long st;
    size_t len;
    make_world(&w, 2);
    char *admin = bt_admin(&B, "root@kocruit.example");
    json_decref(bt_req(&B, "POST", bt_path("/api/v1/applications/%lld/consent", w.app[0]), w.ap[0],
                       "{\"types\":[\"video_behaviour\",\"speech\",\"answer_grading\"]}", &st));
    cr_assert_eq(st, 200);
    char *webm = make_webm(&len);
    /* no language given: the job post's text is 38 % Hangul → "ko", never "auto" */
    json_t *r = upload_timed(w.ap[0], w.app[0], 100, 102, webm, len, &st);
    cr_assert_eq(st, 201, "upload %ld", st);
    long long answer = json_integer_value(json_object_get(r, "answer_id"));
    char sha[65];
    snprintf(sha, sizeof sha, "%s", json_string_value(json_object_get(r, "sha256")));
    json_decref(r);
    cr_assert_eq(bt_fake_posts(fake), 1);
    json_t *sent = bt_fake_last(fake);
    cr_assert_str_eq(json_string_value(json_object_get(sent, "language")), "ko");
    cr_assert(json_is_true(json_object_get(json_object_get(sent, "consent"), "video_behaviour")));
    json_decref(sent);
    /* not blind: the recruiter sees everything */
    r = bt_req(&B, "GET", bt_path("/api/v1/analyses/%lld", answer), w.mgr, NULL, &st);
    cr_assert_eq(st, 200);
    cr_assert_not_null(
        json_object_get(json_object_get(result_of(r), "metrics"), "eye_contact_ratio"));
    cr_assert_null(json_object_get(r, "blind_review"));
    cr_assert_str_eq(json_string_value(json_object_get(r, "grade_status")), "ok");
    json_decref(r);
    cr_assert_eq(post_screening(w.app[0], 80, "advance"), 201);
    /* blind review on: transcript-only report, pseudonym instead of name and e-mail */
    json_decref(bt_req(&B, "PUT", bt_path("/api/v1/jobs/%lld/trust", w.job), w.mgr,
                       "{\"blind_review\":true}", &st));
    cr_assert_eq(st, 200, "job trust %ld", st);
    char pseud[64];
    snprintf(pseud, sizeof pseud, "Applicant #%lld", w.app[0]);
    r = bt_req(&B, "GET", bt_path("/api/v1/analyses/%lld", answer), w.mgr, NULL, &st);
    cr_assert_eq(st, 200);
    json_t *res = result_of(r), *m = json_object_get(res, "metrics");
    cr_assert(json_is_true(json_object_get(r, "blind_review")));
    cr_assert_null(json_object_get(m, "eye_contact_ratio"), "vision metric shown in blind mode");
    cr_assert_not_null(json_object_get(m, "speech_rate_wpm"), "speech metric lost");
    cr_assert_null(json_object_get(json_object_get(res, "timelines"), "eye_contact"));
    cr_assert_null(json_object_get(json_object_get(res, "timelines"), "head_yaw"));
    cr_assert_not_null(json_object_get(json_object_get(res, "timelines"), "loudness"));
    cr_assert_null(json_object_get(res, "per_question"));
    cr_assert_null(json_object_get(res, "scoring"));
    cr_assert_null(json_object_get(res, "media"));
    char *dump = json_dumps(r, 0);
    cr_assert_null(strstr(dump, "ap0@x.example"), "e-mail leaked: %s", dump);
    cr_assert_null(strstr(dump, "지원자"), "name leaked: %s", dump);
    cr_assert_not_null(strstr(dump, pseud), "no pseudonym: %s", dump);
    free(dump);
    json_decref(r);
    /* the applicant sees their own report unshaped */
    r = bt_req(&B, "GET", bt_path("/api/v1/analyses/%lld", answer), w.ap[0], NULL, &st);
    cr_assert_not_null(
        json_object_get(json_object_get(result_of(r), "metrics"), "eye_contact_ratio"));
    json_decref(r);
    /* the ranking: pseudonyms only */
    r = bt_req(&B, "GET", bt_path("/api/v1/jobs/%lld/ranking", w.job), w.mgr, NULL, &st);
    cr_assert_eq(st, 200);
    json_t *it;
    size_t i;
    json_array_foreach(json_object_get(r, "items"), i, it)
    {
        char want[64];
        snprintf(want, sizeof want, "Applicant #%lld",
                 json_integer_value(json_object_get(it, "application_id")));
        cr_assert_str_eq(json_string_value(json_object_get(it, "applicant_name")), want);
        cr_assert_null(json_object_get(it, "applicant_id"));
    }
    dump = json_dumps(r, 0);
    cr_assert_null(strstr(dump, "x.example"), "e-mail leaked: %s", dump);
    free(dump);
    json_decref(r);
    /* insights and generated questions: the pseudonym, not the e-mail the agent named */
    r = bt_req(&B, "GET", bt_path("/api/v1/applications/%lld/insights", w.app[0]), w.mgr, NULL,
               &st);
    cr_assert_eq(st, 200, "insights %ld", st);
    dump = json_dumps(r, 0);
    cr_assert_null(strstr(dump, BT_FAKE_EMAIL), "e-mail leaked: %s", dump);
    cr_assert_not_null(strstr(dump, pseud), "no pseudonym: %s", dump);
    free(dump);
    json_decref(r);
    json_decref(bt_req(&B, "POST", bt_path("/api/v1/applications/%lld/questions", w.app[0]), w.mgr,
                       "{}", &st));
    cr_assert_eq(st, 201, "questions %ld", st);
    /* provenance: one audit entry per output, with what produced it */
    json_t *a = ai_outputs(admin, "analysis_report");
    cr_assert_eq(json_array_size(a), 1, "report audited once, not per view");
    json_t *d = json_array_get(a, 0);
    cr_assert_str_eq(json_string_value(json_object_get(d, "engine")), "pocketsphinx 5.0.3");
    cr_assert_str_eq(json_string_value(json_object_get(d, "input_sha256")), sha);
    cr_assert_str_eq(
        json_string_value(json_object_get(json_object_get(d, "models"), "face_detector")),
        "sha256:ab12");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(d, "rubric"), "version")),
                     "3");
    cr_assert(json_is_integer(json_object_get(d, "at")));
    json_decref(a);
    a = ai_outputs(admin, "grade");
    cr_assert_eq(json_array_size(a), 1, "grade stored and audited once");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(a, 0), "version")),
                     "fake-grader-1");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(a, 0), "input_sha256")), sha);
    json_decref(a);
    a = ai_outputs(admin, "questions");
    cr_assert_eq(json_array_size(a), 1);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(a, 0), "source")),
                     "deterministic");
    cr_assert_eq(strlen(json_string_value(json_object_get(json_array_get(a, 0), "input_sha256"))),
                 64, "the resume file's hash");
    json_decref(a);
    a = ai_outputs(admin, "screening");
    cr_assert_eq(json_array_size(a), 1);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(a, 0), "source")),
                     "deterministic");
    json_decref(a);
    /* withdrawn consent: no new answer, no new analysis request, a clear error */
    json_decref(bt_req(&B, "POST", bt_path("/api/v1/applications/%lld/consent/withdraw", w.app[0]),
                       w.ap[0], "{\"types\":[\"video_behaviour\",\"speech\"]}", &st));
    cr_assert_eq(st, 200);
    r = upload_timed(w.ap[0], w.app[0], 200, 202, webm, len, &st);
    cr_assert_eq(st, 409, "upload after withdrawal %ld", st);
    cr_assert_not_null(strstr(
        json_string_value(json_object_get(json_object_get(r, "error"), "message")), "withdrawn"));
    json_decref(r);
    cr_assert_eq(bt_fake_posts(fake), 1, "the video service was called after the withdrawal");
    free(webm);
    free(admin);
    free_world(&w, 2);
    bt_stop(&B);
    bt_fake_stop(fake);
}

Test(ai, accommodations_limit_time_and_retakes_and_audio_only)
{
    struct bt_fake *fake;
    start_with_fake(&fake);
    struct world w;
    long st;
    size_t len;
    make_world(&w, 1);
    json_decref(bt_req(&B, "POST", bt_path("/api/v1/applications/%lld/consent", w.app[0]), w.ap[0],
                       "{\"types\":[\"video_behaviour\",\"speech\"]}", &st));
    char *webm = make_webm(&len);
    /* default: 120 s + 10 % → 133 s is too long */
    json_t *r = upload_timed(w.ap[0], w.app[0], 1000, 1133, webm, len, &st);
    cr_assert_eq(st, 422, "%ld", st);
    cr_assert_str_eq(err_field(r), "ended_at");
    json_decref(r);
    json_decref(
        bt_req(&B, "PUT", bt_path("/api/v1/applications/%lld/accommodations", w.app[0]), w.mgr,
               "{\"extra_time_factor\":1.5,\"extra_retakes\":1,\"answer_mode\":\"audio\"}", &st));
    cr_assert_eq(st, 200, "accommodations %ld", st);
    r = bt_req(&B, "GET", bt_path("/api/v1/applications/%lld/interview", w.app[0]), w.ap[0], NULL,
               &st);
    cr_assert_eq(st, 200);
    json_t *q0 = json_array_get(json_object_get(r, "questions"), 0);
    cr_assert_eq(json_integer_value(json_object_get(q0, "effective_time_limit_s")), 180);
    cr_assert_eq(json_integer_value(json_object_get(q0, "allowed_retakes")), 1);
    json_decref(r);
    /* 180 s × 1.1 = 198 s: 199 refused, 198 accepted */
    r = upload_timed(w.ap[0], w.app[0], 1000, 1199, webm, len, &st);
    cr_assert_eq(st, 422);
    cr_assert_str_eq(err_field(r), "ended_at");
    json_decref(r);
    json_decref(upload_timed(w.ap[0], w.app[0], 1000, 1198, webm, len, &st));
    cr_assert_eq(st, 201, "%ld", st);
    /* audio-only answers: the analysis is asked for speech only */
    json_t *sent = bt_fake_last(fake);
    cr_assert(json_is_false(json_object_get(json_object_get(sent, "consent"), "video_behaviour")));
    cr_assert(json_is_true(json_object_get(json_object_get(sent, "consent"), "speech")));
    json_decref(sent);
    /* one retake, then 409 */
    json_decref(upload_timed(w.ap[0], w.app[0], 2000, 2010, webm, len, &st));
    cr_assert_eq(st, 201);
    r = upload_timed(w.ap[0], w.app[0], 3000, 3010, webm, len, &st);
    cr_assert_eq(st, 409);
    cr_assert_str_eq(err_field(r), "question_id");
    json_decref(r);
    cr_assert_eq(bt_fake_posts(fake), 2);
    free(webm);
    free_world(&w, 1);
    bt_stop(&B);
    bt_fake_stop(fake);
}
