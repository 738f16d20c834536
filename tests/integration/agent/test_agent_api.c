/*
 * test_agent_api.c — kocruit-agent as a client sees it: a private redis-server, the real
 * binary on a free port, the bilingual corpus of agent/tests/corpus, and a fake backend (raw
 * sockets, in this process) for the agent.screen job.
 *
 *  - auth: every /v1 route answers 401 without or with a wrong X-Internal-Token; /health is
 *    public;
 *  - happy paths: screen (fitting resume above unfitting, evidence quoting the resume),
 *    highlights, criteria suggestion, questions (a personal question cites an item of that
 *    resume), grade, workflows screen/questions/grade run by the job workers to "done" with
 *    per-node timings;
 *  - bad input matrix: empty resume, 5 MB body (413), invalid UTF-8 (field named), job without
 *    criteria, wrong types, unknown workflow/run, bad doc ids;
 *  - similarity: index/query/delete, the copied resume found above the threshold and unrelated
 *    ones below, the index surviving an agent restart, a deletion surviving it too;
 *  - agent.screen: a job {application_id} fetches its inputs from the fake backend's
 *    GET /internal/applications/{id}/screening-input and POSTs the result to
 *    /internal/applications/{id}/screening with the token.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define TOKEN "agent-api-test-token-0123456789abcdef"

static struct kc_test_redis redis;
static char *tmp;
static int port;
static pid_t agent;

/* ---- fake backend ------------------------------------------------------------------------- */

static struct {
    int fd, port;
    pthread_t tid;
    volatile int stop;
    pthread_mutex_t mu;
    char *input_json; /* served for application 7 */
    char *posted;     /* body POSTed for application 7 */
    char posted_token[128];
    int gets;
} be = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void be_reply(int c, int status, const char *body)
{
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n",
                     status, strlen(body));
    send(c, head, (size_t)n, MSG_NOSIGNAL);
    send(c, body, strlen(body), MSG_NOSIGNAL);
}

static void be_serve(int c)
{
    size_t cap = 1 << 22, n = 0;
    char *req = malloc(cap);
    char *end = NULL;
    while (n < cap - 1) {
        ssize_t k = recv(c, req + n, cap - 1 - n, 0);
        if (k <= 0) break;
        n += (size_t)k;
        req[n] = '\0';
        end = strstr(req, "\r\n\r\n");
        if (!end) continue;
        const char *cl = strcasestr(req, "Content-Length:");
        size_t want = (size_t)(end - req) + 4 + (cl ? (size_t)atol(cl + 15) : 0);
        if (n >= want) break;
    }
    if (!end) {
        free(req);
        return;
    }
    char method[8] = "", path[256] = "", token[128] = "";
    sscanf(req, "%7s %255s", method, path);
    const char *t = strcasestr(req, "X-Internal-Token:");
    if (t) sscanf(t + 17, " %127[^\r\n]", token);
    pthread_mutex_lock(&be.mu);
    if (strcmp(token, TOKEN) != 0) {
        be_reply(c, 401, "{}");
    } else if (!strcmp(method, "GET") &&
               !strcmp(path, "/internal/applications/7/screening-input")) {
        be.gets++;
        be_reply(c, 200, be.input_json);
    } else if (!strcmp(method, "POST") && !strcmp(path, "/internal/applications/7/screening")) {
        free(be.posted);
        be.posted = strdup(end + 4);
        snprintf(be.posted_token, sizeof be.posted_token, "%s", token);
        be_reply(c, 200, "{\"stored\":true}");
    } else {
        be_reply(c, 404, "{\"error\":{\"code\":\"not_found\"}}");
    }
    pthread_mutex_unlock(&be.mu);
    free(req);
}

static void *be_main(void *arg)
{
    (void)arg;
    while (!be.stop) {
        struct pollfd p = {be.fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        int c = accept(be.fd, NULL, NULL);
        if (c < 0) continue;
        be_serve(c);
        close(c);
    }
    return NULL;
}

static void be_start(void)
{
    be.fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(be.fd, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(listen(be.fd, 16), 0);
    socklen_t len = sizeof a;
    getsockname(be.fd, (struct sockaddr *)&a, &len);
    be.port = ntohs(a.sin_port);
    pthread_create(&be.tid, NULL, be_main, NULL);
}

static void be_stop(void)
{
    be.stop = 1;
    pthread_join(be.tid, NULL);
    close(be.fd);
    free(be.input_json);
    free(be.posted);
}

/* ---- the agent process -------------------------------------------------------------------- */

static void agent_start(void)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%d", port);
    setenv("KOCRUIT_AGENT_PORT", buf, 1);
    setenv("KOCRUIT_REDIS_URL", redis.url, 1);
    setenv("KOCRUIT_INTERNAL_TOKEN", TOKEN, 1);
    setenv("KOCRUIT_DATA_DIR", tmp, 1);
    setenv("KOCRUIT_LOG_LEVEL", "warn", 1);
    setenv("KOCRUIT_JOB_CLAIM_IDLE_MS", "2000", 1);
    snprintf(buf, sizeof buf, "http://127.0.0.1:%d", be.port);
    setenv("KOCRUIT_BACKEND_URL", buf, 1);
    char *argv[] = {getenv("KC_AGENT_BIN"), NULL};
    cr_assert_not_null(argv[0], "KC_AGENT_BIN is not set");
    agent = kc_test_spawn(argv, NULL);
    cr_assert_gt(agent, 0);
    snprintf(buf, sizeof buf, "http://127.0.0.1:%d/health", port);
    cr_assert_eq(kc_test_wait_http_ok(buf, 15000), 0, "the agent did not become healthy");
}

static void agent_stop(void)
{
    int st = kc_test_kill(agent, SIGTERM);
    agent = 0;
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "agent exit status %d", st);
}

static void setup(void)
{
    cr_assert_eq(kc_test_redis_start(&redis), 0);
    tmp = kc_test_tmpdir();
    port = kc_test_free_port();
    be_start();
    agent_start();
}

static void teardown(void)
{
    if (agent) agent_stop();
    be_stop();
    kc_test_redis_stop(&redis);
    kc_test_rmrf(tmp);
    free(tmp);
}

TestSuite(agent_api, .init = setup, .fini = teardown, .timeout = 120);

/* ---- helpers ------------------------------------------------------------------------------ */

static long call(const char *method, const char *path, const char *body, const char *token,
                 json_t **out)
{
    char url[512], auth[160];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    snprintf(auth, sizeof auth, "X-Internal-Token: %s", token ? token : "");
    const char *hdrs[] = {"Content-Type: application/json", token ? auth : NULL, NULL};
    long status = 0;
    char *resp = NULL;
    size_t rlen = 0;
    int rc =
        kc_test_http_n(method, url, hdrs, body, body ? strlen(body) : 0, &status, &resp, &rlen);
    cr_assert_eq(rc, 0, "%s %s: no response", method, path);
    if (out) {
        json_error_t je;
        *out = resp ? json_loadb(resp, rlen, 0, &je) : NULL;
    }
    free(resp);
    return status;
}

static long call_j(const char *method, const char *path, json_t *body, json_t **out)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    long s = call(method, path, text, TOKEN, out);
    free(text);
    json_decref(body);
    return s;
}

static char *corpus(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", getenv("KC_AGENT_CORPUS"), name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "missing %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    fclose(f);
    return b;
}

static json_t *job(const char *name)
{
    char file[128];
    snprintf(file, sizeof file, "%s.criteria.json", name);
    char *c = corpus(file);
    json_error_t je;
    json_t *j = json_loads(c, 0, &je);
    free(c);
    cr_assert_not_null(j, "%s: %s", file, je.text);
    snprintf(file, sizeof file, "%s.txt", name);
    char *t = corpus(file);
    json_object_set_new(j, "text", json_string(t));
    free(t);
    return j;
}

static json_t *request(const char *job_name, const char *resume)
{
    char file[128];
    snprintf(file, sizeof file, "%s.txt", resume);
    char *t = corpus(file);
    json_t *r = json_pack("{s:o,s:{s:s},s:s}", "job", job(job_name), "resume", "text", t,
                          "reference_date", "2024-06");
    free(t);
    return r;
}

static void expect_error(long status, json_t *body, long want, const char *field)
{
    cr_assert_eq(status, want, "status %ld, want %ld", status, want);
    const json_t *e = json_object_get(body, "error");
    char *dump = body ? json_dumps(body, JSON_COMPACT) : NULL;
    cr_assert(json_is_string(json_object_get(e, "code")), "no error shape: %s",
              dump ? dump : "(none)");
    free(dump);
    cr_assert(json_is_string(json_object_get(e, "message")));
    if (field)
        cr_assert_str_eq(json_string_value(json_object_get(e, "field")), field, "%s",
                         json_string_value(json_object_get(e, "message")));
}

/* Every evidence span of a screening result quotes the resume exactly; returns their count. */
static size_t check_quotes(const char *text, const json_t *result)
{
    size_t i, k, n = 0;
    const json_t *c, *e;
    json_array_foreach(json_object_get(result, "criteria"), i, c)
    {
        json_array_foreach(json_object_get(c, "evidence"), k, e)
        {
            size_t off = (size_t)json_integer_value(json_object_get(e, "offset"));
            const char *q = json_string_value(json_object_get(e, "text"));
            cr_assert_eq(strncmp(text + off, q, strlen(q)), 0, "evidence \"%s\" not at %zu", q,
                         off);
            n++;
        }
    }
    return n;
}

/* ---- tests -------------------------------------------------------------------------------- */

Test(agent_api, every_v1_route_needs_the_internal_token)
{
    const char *routes[][2] = {{"POST", "/v1/screen"},
                               {"POST", "/v1/highlights"},
                               {"POST", "/v1/criteria/suggest"},
                               {"POST", "/v1/questions"},
                               {"POST", "/v1/grade"},
                               {"POST", "/v1/similarity/index"},
                               {"POST", "/v1/similarity/query"},
                               {"DELETE", "/v1/similarity/1"},
                               {"POST", "/v1/workflows/screen"},
                               {"GET", "/v1/workflows/wf_x"},
                               {"GET", "/v1/info"}};
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        json_t *out = NULL;
        const char *body = strcmp(routes[i][0], "POST") == 0 ? "{}" : NULL;
        long s = call(routes[i][0], routes[i][1], body, NULL, &out);
        expect_error(s, out, 401, "X-Internal-Token");
        json_decref(out);
        s = call(routes[i][0], routes[i][1], body, TOKEN "x", &out);
        expect_error(s, out, 401, NULL);
        json_decref(out);
    }
    cr_assert_eq(call("GET", "/health", NULL, NULL, NULL), 200);
    json_t *info = NULL;
    cr_assert_eq(call("GET", "/v1/info", NULL, TOKEN, &info), 200);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(info, "llm"), "provider")),
                     "none");
    json_decref(info);
}

static double total_of(const char *job_name, const char *resume)
{
    json_t *out = NULL;
    long s = call_j("POST", "/v1/screen", request(job_name, resume), &out);
    cr_assert_eq(s, 200, "screen %s/%s: %ld", job_name, resume, s);
    char file[128];
    snprintf(file, sizeof file, "%s.txt", resume);
    char *text = corpus(file);
    size_t quotes = check_quotes(text, out);
    free(text);
    if (!strcmp(resume, "r01_ko_backend_senior")) cr_assert_gt(quotes, 0, "no evidence");
    cr_assert_str_eq(json_string_value(json_object_get(out, "source")), "deterministic");
    double t = json_real_value(json_object_get(out, "total"));
    json_decref(out);
    return t;
}

Test(agent_api, screening_ranks_fitting_resumes_with_real_evidence)
{
    double fit = total_of("job_backend_ko", "r01_ko_backend_senior");
    cr_assert_gt(fit, total_of("job_backend_ko", "r07_ko_designer"));
    cr_assert_gt(fit, total_of("job_backend_ko", "r06_en_accountant"));
    double ds = total_of("job_data_en", "r04_en_datasci");
    cr_assert_gt(ds, total_of("job_data_en", "r10_en_marketer"));
    /* the reference date defaults to this month and says so */
    json_t *req = request("job_backend_ko", "r01_ko_backend_senior"), *out = NULL;
    json_object_del(req, "reference_date");
    cr_assert_eq(call_j("POST", "/v1/screen", req, &out), 200);
    const json_t *d0 = json_array_get(json_object_get(out, "defaults"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(d0, "field")), "reference_date");
    json_decref(out);
}

Test(agent_api, highlights_suggest_questions_and_grade)
{
    json_t *out = NULL;
    json_t *req = request("job_backend_ko", "r01_ko_backend_senior");
    json_object_set_new(req, "values", json_string("고객 중심, 협업, 주도성, 성장"));
    cr_assert_eq(call_j("POST", "/v1/highlights", json_incref(req), &out), 200);
    cr_assert_gt(json_array_size(json_object_get(out, "sentences")), 0);
    json_decref(out);

    json_t *sug =
        json_pack("{s:{s:O}}", "job", "text", json_object_get(json_object_get(req, "job"), "text"));
    cr_assert_eq(call_j("POST", "/v1/criteria/suggest", sug, &out), 200);
    cr_assert_gt(json_array_size(json_object_get(out, "criteria")), 0);
    json_decref(out);

    cr_assert_eq(call_j("POST", "/v1/questions", json_incref(req), &out), 200);
    const char *resume = json_string_value(json_object_get(json_object_get(req, "resume"), "text"));
    size_t i, personal = 0;
    const json_t *q, *job_q = NULL;
    json_array_foreach(json_object_get(out, "questions"), i, q)
    {
        const char *kind = json_string_value(json_object_get(q, "kind"));
        if (!strcmp(kind, "job") && !job_q) job_q = q;
        if (strcmp(kind, "personal") != 0) continue;
        const json_t *src = json_object_get(q, "source");
        const char *cited = json_string_value(json_object_get(src, "text"));
        size_t off = (size_t)json_integer_value(json_object_get(src, "offset"));
        cr_assert_eq(strncmp(resume + off, cited, strlen(cited)), 0, "cited \"%s\"", cited);
        personal++;
    }
    cr_assert_gt(personal, 0, "no personal question");
    cr_assert_not_null(job_q);

    const char *answer =
        "작년에 결제 승인 API의 응답 지연이 문제였던 상황에서, 제 과제는 p99 지연을 절반으로 "
        "줄이는 것이었습니다. 저는 Redis 캐시를 도입하고 MySQL 쿼리를 최적화했으며 Kafka로 "
        "비동기 처리를 분리했습니다. 그 결과 p99 지연이 800ms에서 300ms로 62% 줄었고 장애 "
        "건수도 월 5건에서 1건으로 감소했습니다.";
    json_t *g =
        json_pack("{s:{s:O,s:O},s:s}", "question", "text", json_object_get(job_q, "text"),
                  "good_answer", json_object_get(job_q, "good_answer"), "transcript", answer);
    json_decref(out);
    cr_assert_eq(call_j("POST", "/v1/grade", g, &out), 200);
    double score = json_number_value(json_object_get(out, "score"));
    cr_assert(score >= 0 && score <= 100, "score %f", score);
    cr_assert(json_is_object(json_object_get(out, "components")));
    json_decref(out);
    json_decref(req);
}

static json_t *wait_run(const char *run_id)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/workflows/%s", run_id);
    for (int i = 0; i < 150; i++) {
        json_t *st = NULL;
        cr_assert_eq(call("GET", path, NULL, TOKEN, &st), 200);
        const char *s = json_string_value(json_object_get(st, "status"));
        if (!strcmp(s, "done") || !strcmp(s, "failed")) return st;
        json_decref(st);
        usleep(100 * 1000);
    }
    cr_assert_fail("run %s did not finish", run_id);
    return NULL;
}

static json_t *run_workflow(const char *name, json_t *input)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/workflows/%s", name);
    json_t *out = NULL;
    cr_assert_eq(call_j("POST", path, input, &out), 202);
    json_t *st = wait_run(json_string_value(json_object_get(out, "run_id")));
    json_decref(out);
    cr_assert_str_eq(json_string_value(json_object_get(st, "status")), "done", "%s failed", name);
    return st;
}

static void index_doc(json_int_t id, const char *resume)
{
    char file[128];
    snprintf(file, sizeof file, "%s.txt", resume);
    char *t = corpus(file);
    json_t *out = NULL;
    cr_assert_eq(call_j("POST", "/v1/similarity/index",
                        json_pack("{s:I,s:s}", "doc_id", id, "text", t), &out),
                 201);
    json_decref(out);
    free(t);
}

Test(agent_api, workflows_run_on_the_job_workers)
{
    /* an index with some unrelated resumes, so IDF reflects a corpus */
    const char *others[] = {"r03_en_backend", "r07_ko_designer", "r11_ko_marketer", "r13_ko_hr",
                            "r05_ko_data_analyst"};
    for (size_t i = 0; i < 5; i++) index_doc((json_int_t)(21 + i), others[i]);
    json_t *in = request("job_backend_ko", "r01_ko_backend_senior");
    json_object_set_new(json_object_get(in, "resume"), "id", json_integer(11));
    json_t *st = run_workflow("screen", in);
    const json_t *t = json_object_get(st, "node_timings");
    const char *nodes[] = {"load_inputs", "screen", "highlights", "similarity", "suggestion"};
    cr_assert_eq(json_array_size(t), 5);
    for (size_t i = 0; i < 5; i++)
        cr_assert_str_eq(json_string_value(json_object_get(json_array_get(t, i), "node")),
                         nodes[i]);
    const json_t *state = json_object_get(st, "state");
    cr_assert_str_eq(
        json_string_value(json_object_get(json_object_get(state, "suggestion"), "value")), "pass");
    json_decref(st);

    /* the copied resume: similar to doc 11 (indexed by the first run), so pass becomes hold */
    in = request("job_backend_ko", "r01_ko_backend_copied");
    json_object_set_new(in, "similarity", json_pack("{s:b}", "index", 0));
    st = run_workflow("screen", in);
    state = json_object_get(st, "state");
    const json_t *sug = json_object_get(state, "suggestion");
    const json_t *flag = json_array_get(json_object_get(sug, "flags"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(flag, "code")), "similar_resume");
    cr_assert_eq(json_integer_value(json_object_get(flag, "doc_id")), 11);
    if (!strcmp(json_string_value(json_object_get(sug, "screening_suggestion")), "pass"))
        cr_assert_str_eq(json_string_value(json_object_get(sug, "value")), "hold");
    json_decref(st);

    st = run_workflow("questions", request("job_backend_ko", "r02_ko_backend_junior"));
    const json_t *res = json_object_get(json_object_get(st, "state"), "result");
    cr_assert_str_eq(json_string_value(json_object_get(res, "source")), "deterministic");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(res, "llm"), "status")),
                     "unavailable");
    cr_assert_gt(json_array_size(json_object_get(res, "questions")), 0);
    json_decref(st);

    json_t *g =
        json_pack("{s:{s:s,s:[s,s]},s:s}", "question", "text", "Tell me about a project you led.",
                  "good_answer", "the goal", "the measurable result", "transcript",
                  "I led the migration of our billing service to Kubernetes. The goal "
                  "was to cut deployment time. I wrote the Helm charts and trained the "
                  "team. As a result deployments went from 40 minutes to 5 minutes.");
    st = run_workflow("grade", g);
    const json_t *grade = json_object_get(json_object_get(st, "state"), "grade");
    cr_assert(json_is_number(json_object_get(grade, "score")));
    json_decref(st);
}

Test(agent_api, bad_input_gets_a_clear_4xx)
{
    struct {
        const char *path, *body;
        long status;
        const char *field;
    } cases[] = {
        {"/v1/screen",
         "{\"job\":{\"criteria\":[{\"name\":\"x\",\"weight\":1,\"keywords\":"
         "[\"Java\"]}]},\"resume\":{\"text\":\"\"}}",
         400, "resume.text"},
        {"/v1/screen",
         "{\"job\":{\"criteria\":[{\"name\":\"x\",\"weight\":1,\"keywords\":"
         "[\"Java\"]}]},\"resume\":{\"text\":\"  \\n\\t \"}}",
         400, "resume.text"},
        {"/v1/screen", "{\"job\":{\"criteria\":[]},\"resume\":{\"text\":\"Java developer\"}}", 400,
         "job.criteria"},
        {"/v1/screen", "{\"job\":{},\"resume\":{\"text\":\"Java developer\"}}", 400,
         "job.criteria"},
        {"/v1/screen",
         "{\"job\":{\"criteria\":[{\"name\":\"x\",\"weight\":1,\"keywords\":"
         "[\"Java\"]}]},\"resume\":{\"text\":\"ok\xff\xfe\"}}",
         400, "resume.text"},
        {"/v1/screen",
         "{\"job\":{\"criteria\":[{\"name\":\"x\",\"weight\":1,\"keywords\":"
         "[\"Java\"]}]},\"resume\":{\"text\":\"Java\"},\"reference_date\":\"x\"}",
         400, "reference_date"},
        {"/v1/screen", "not json", 400, NULL},
        {"/v1/screen", "[1,2]", 400, NULL},
        {"/v1/highlights", "{\"job\":{\"text\":\"Java\"},\"resume\":{}}", 400, "resume.text"},
        {"/v1/grade", "{\"question\":{\"text\":\"q\"},\"transcript\":\"\xc3\x28\"}", 400,
         "transcript"},
        {"/v1/similarity/index", "{\"doc_id\":-4,\"text\":\"x\"}", 400, "doc_id"},
        {"/v1/similarity/index", "{\"doc_id\":4}", 400, "text"},
        {"/v1/similarity/index", "{\"doc_id\":4,\"text\":\"\"}", 400, NULL},
        {"/v1/similarity/query", "{}", 400, "text"},
        {"/v1/similarity/query", "{\"text\":\"Java\",\"k\":0}", 400, "k"},
        {"/v1/similarity/query", "{\"text\":\"Java\",\"threshold\":2}", 400, "threshold"},
        {"/v1/similarity/query", "{\"doc_id\":\"77\"}", 404, "doc_id"},
        {"/v1/workflows/nope", "{}", 404, "name"},
        {"/v1/workflows/screen", "{\"job\":{\"criteria\":[]},\"resume\":{\"text\":\"x\"}}", 400,
         "job.criteria"},
        {"/v1/workflows/grade", "{\"question\":{},\"transcript\":\"\"}", 400, "transcript"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *out = NULL;
        long s = call("POST", cases[i].path, cases[i].body, TOKEN, &out);
        char *dump = out ? json_dumps(out, JSON_COMPACT) : NULL;
        cr_assert_eq(s, cases[i].status, "case %zu (%s): %ld %s", i, cases[i].path, s, dump);
        cr_assert_not_null(out, "case %zu (%s): no JSON body", i, cases[i].path);
        free(dump);
        expect_error(s, out, cases[i].status, cases[i].field);
        json_decref(out);
    }
    json_t *out = NULL;
    long st_ = call("GET", "/v1/workflows/wf_missing", NULL, TOKEN, &out);
    expect_error(st_, out, 404, NULL);
    json_decref(out);
    st_ = call("DELETE", "/v1/similarity/12x", NULL, TOKEN, &out);
    expect_error(st_, out, 400, "doc_id");
    json_decref(out);

    /* 5 MB of text: refused by the body limit before the handler */
    size_t n = 5u << 20;
    char *big = malloc(n + 200);
    int h = snprintf(big, 200, "{\"job\":{\"criteria\":[]},\"resume\":{\"text\":\"");
    memset(big + h, 'a', n);
    strcpy(big + h + n, "\"}}");
    st_ = call("POST", "/v1/screen", big, TOKEN, &out);
    expect_error(st_, out, 413, NULL);
    json_decref(out);
    free(big);
    cr_assert_eq(call("GET", "/health", NULL, NULL, NULL), 200, "still healthy");
}

static json_t *sim_query(const char *resume)
{
    char file[128];
    snprintf(file, sizeof file, "%s.txt", resume);
    char *t = corpus(file);
    json_t *out = NULL;
    cr_assert_eq(
        call_j("POST", "/v1/similarity/query", json_pack("{s:s,s:i}", "text", t, "k", 10), &out),
        200);
    free(t);
    return out;
}

static const json_t *hit(const json_t *res, json_int_t id)
{
    size_t i;
    const json_t *h;
    json_array_foreach(json_object_get(res, "hits"), i,
                       h) if (json_integer_value(json_object_get(h, "doc_id")) == id) return h;
    return NULL;
}

Test(agent_api, similarity_index_query_delete_survive_restarts)
{
    const char *docs[] = {"r01_ko_backend_senior", "r03_en_backend", "r07_ko_designer",
                          "r11_ko_marketer", "r13_ko_hr"};
    for (size_t i = 0; i < 5; i++) index_doc((json_int_t)(i + 1), docs[i]);
    json_t *res = sim_query("r01_ko_backend_copied");
    cr_assert(json_is_true(json_object_get(hit(res, 1), "similar")), "copy not found");
    cr_assert_gt(json_array_size(json_object_get(hit(res, 1), "passages")), 0);
    for (json_int_t id = 2; id <= 5; id++) {
        const json_t *h = hit(res, id);
        cr_assert(!h || json_is_false(json_object_get(h, "similar")), "doc %lld similar",
                  (long long)id);
    }
    json_decref(res);

    agent_stop();
    agent_start();
    res = sim_query("r01_ko_backend_copied");
    cr_assert(json_is_true(json_object_get(hit(res, 1), "similar")), "lost across a restart");
    cr_assert_eq(json_integer_value(json_object_get(res, "indexed")), 5);
    json_decref(res);

    json_t *out = NULL;
    cr_assert_eq(call("DELETE", "/v1/similarity/1", NULL, TOKEN, &out), 200);
    json_decref(out);
    agent_stop();
    agent_start();
    res = sim_query("r01_ko_backend_copied");
    cr_assert_null(hit(res, 1), "a deleted document came back after a restart");
    cr_assert_eq(json_integer_value(json_object_get(res, "indexed")), 4);
    json_decref(res);
    long st_ = call("DELETE", "/v1/similarity/1", NULL, TOKEN, &out);
    expect_error(st_, out, 404, "doc_id");
    json_decref(out);
}

Test(agent_api, screen_job_fetches_inputs_and_posts_the_result)
{
    json_t *in = request("job_backend_ko", "r01_ko_backend_senior");
    be.input_json = json_dumps(in, JSON_COMPACT);
    json_decref(in);
    redisContext *c = redisConnect("127.0.0.1", redis.port);
    cr_assert(c && !c->err);
    redisReply *rep = redisCommand(c, "XADD kc:jobs:agent.screen * payload %s attempt 1",
                                   "{\"application_id\":7}");
    cr_assert(rep && rep->type == REDIS_REPLY_STRING);
    freeReplyObject(rep);
    redisFree(c);
    char *posted = NULL;
    for (int i = 0; i < 200 && !posted; i++) {
        pthread_mutex_lock(&be.mu);
        if (be.posted) posted = strdup(be.posted);
        pthread_mutex_unlock(&be.mu);
        if (!posted) usleep(50 * 1000);
    }
    cr_assert_not_null(posted, "the agent never posted a screening result");
    cr_assert_eq(be.gets, 1);
    cr_assert_str_eq(be.posted_token, TOKEN);
    json_error_t je;
    json_t *r = json_loads(posted, 0, &je);
    free(posted);
    cr_assert_not_null(r, "posted body is not JSON: %s", je.text);
    cr_assert_str_eq(json_string_value(json_object_get(r, "application_id")), "7");
    cr_assert_str_eq(json_string_value(json_object_get(r, "status")), "done");
    const json_t *result = json_object_get(r, "result");
    cr_assert(json_is_number(json_object_get(json_object_get(result, "screening"), "total")));
    cr_assert(json_is_string(json_object_get(json_object_get(result, "suggestion"), "value")));
    cr_assert_eq(json_array_size(json_object_get(r, "node_timings")), 5);
    json_decref(r);
}
