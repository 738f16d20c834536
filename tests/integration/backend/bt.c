/*
 * bt.c — backend integration test helpers (see bt.h).
 */
#include "bt.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char env_buf[24][700];

void bt_start(struct bt *b, const char *const *extra_env)
{
    const char *bdir = getenv("KC_BUILD_DIR");
    char bin[600], health[128];
    cr_assert_not_null(bdir, "KC_BUILD_DIR is not set");
    memset(b, 0, sizeof *b);
    cr_assert_eq(kc_test_redis_start(&b->redis), 0, "redis-server did not start");
    b->tmp = kc_test_tmpdir();
    cr_assert_not_null(b->tmp);
    b->port = kc_test_free_port();
    snprintf(b->base, sizeof b->base, "http://127.0.0.1:%d", b->port);
    snprintf(b->db, sizeof b->db, "%s/backend.db", b->tmp);
    snprintf(bin, sizeof bin, "%s/backend/kocruit-backend", bdir);
    char *envp[32];
    int n = 0;
    snprintf(env_buf[n], sizeof env_buf[n], "KOCRUIT_BACKEND_PORT=%d", b->port), n++;
    snprintf(env_buf[n], sizeof env_buf[n], "KOCRUIT_REDIS_URL=%s", b->redis.url), n++;
    snprintf(env_buf[n], sizeof env_buf[n], "KOCRUIT_DB=sqlite:%s", b->db), n++;
    snprintf(env_buf[n], sizeof env_buf[n], "KOCRUIT_DATA_DIR=%s", b->tmp), n++;
    snprintf(env_buf[n], sizeof env_buf[n], "KOCRUIT_JWT_SECRET=%s", BT_JWT_SECRET), n++;
    snprintf(env_buf[n], sizeof env_buf[n], "KOCRUIT_INTERNAL_TOKEN=%s", BT_INTERNAL), n++;
    snprintf(env_buf[n], sizeof env_buf[n], "KOCRUIT_LOG_LEVEL=warn"), n++;
    snprintf(env_buf[n], sizeof env_buf[n], "KOCRUIT_WEB_DIR=%s/web", b->tmp), n++;
    snprintf(env_buf[n], sizeof env_buf[n], "PATH=%s",
             getenv("PATH") ? getenv("PATH") : "/usr/bin"),
        n++;
    for (int i = 0; i < n; i++) envp[i] = env_buf[i];
    for (int i = 0; extra_env && extra_env[i] && n < 30; i++) envp[n++] = (char *)extra_env[i];
    envp[n] = NULL;
    char *argv[] = {bin, NULL};
    b->pid = kc_test_spawn(argv, envp);
    cr_assert_gt(b->pid, 0, "cannot start %s", bin);
    snprintf(health, sizeof health, "%s/health", b->base);
    cr_assert_eq(kc_test_wait_http_ok(health, 15000), 0, "backend did not become healthy");
    /* keep the environment for create-admin */
    for (int i = 0; i < n; i++) putenv(envp[i]);
}

void bt_stop(struct bt *b)
{
    if (b->pid > 0) {
        int st = kc_test_kill(b->pid, SIGTERM);
        cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "backend did not exit cleanly (%d)", st);
        b->pid = 0;
    }
    kc_test_redis_stop(&b->redis);
    if (b->tmp) kc_test_rmrf(b->tmp);
    free(b->tmp);
    b->tmp = NULL;
}

json_t *bt_req_h(struct bt *b, const char *method, const char *path, const char *const *headers,
                 const char *body, size_t body_len, long *status)
{
    char url[1200], *out = NULL;
    size_t out_len = 0;
    snprintf(url, sizeof url, "%s%s", b->base, path);
    int rc =
        kc_test_http_n(method, url, headers, body, body ? body_len : 0, status, &out, &out_len);
    cr_assert_eq(rc, 0, "%s %s: no response", method, path);
    json_t *j = out && out_len ? json_loadb(out, out_len, 0, NULL) : NULL;
    free(out);
    return j ? j : json_null();
}

json_t *bt_req(struct bt *b, const char *method, const char *path, const char *token,
               const char *body, long *status)
{
    char auth[1200];
    const char *h[4] = {"Content-Type: application/json", NULL, NULL, NULL};
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h[1] = auth;
    }
    return bt_req_h(b, method, path, h, body, body ? strlen(body) : 0, status);
}

const char *bt_path(const char *fmt, ...)
{
    static char buf[8][600];
    static int k;
    char *p = buf[k++ % 8];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p, 600, fmt, ap);
    va_end(ap);
    return p;
}

json_t *bt_upload(struct bt *b, const char *token, const char *filename, const void *data,
                  size_t len, long *status)
{
    static const char boundary[] = "kcboundary7MA4YWxkTrZu0gW";
    char head[800], auth[1200], ctype[128];
    int hl = snprintf(head, sizeof head,
                      "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
                      "Content-Type: application/octet-stream\r\n\r\n",
                      boundary, filename);
    char tail[128];
    int tl = snprintf(tail, sizeof tail, "\r\n--%s--\r\n", boundary);
    size_t total = (size_t)hl + len + (size_t)tl;
    char *body = malloc(total);
    cr_assert_not_null(body);
    memcpy(body, head, (size_t)hl);
    if (len) memcpy(body + hl, data, len);
    memcpy(body + hl + len, tail, (size_t)tl);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    snprintf(ctype, sizeof ctype, "Content-Type: multipart/form-data; boundary=%s", boundary);
    const char *h[] = {auth, ctype, NULL};
    json_t *j = bt_req_h(b, "POST", "/api/v1/resumes", h, body, total, status);
    free(body);
    return j;
}

static char *token_of(json_t *j)
{
    const char *t = json_string_value(json_object_get(j, "access_token"));
    cr_assert_not_null(t, "no access_token in %s", json_dumps(j, 0));
    return strdup(t);
}

char *bt_signup_applicant(struct bt *b, const char *email, long long *uid)
{
    char body[512];
    long st;
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\",\"name\":\"지원자 %s\"}",
             email, BT_PASSWORD, email);
    json_t *j = bt_req(b, "POST", "/api/v1/auth/signup", NULL, body, &st);
    cr_assert_eq(st, 201, "signup %s: %ld %s", email, st, json_dumps(j, 0));
    if (uid) *uid = json_integer_value(json_object_get(json_object_get(j, "user"), "id"));
    char *t = token_of(j);
    json_decref(j);
    return t;
}

char *bt_signup_company(struct bt *b, const char *email, const char *company, long long *cid,
                        long long *uid)
{
    char body[640];
    long st;
    snprintf(body, sizeof body,
             "{\"company_name\":\"%s\",\"email\":\"%s\",\"password\":\"%s\",\"name\":\"Manager\"}",
             company, email, BT_PASSWORD);
    json_t *j = bt_req(b, "POST", "/api/v1/auth/signup-company", NULL, body, &st);
    cr_assert_eq(st, 201, "company signup: %ld %s", st, json_dumps(j, 0));
    json_t *u = json_object_get(j, "user");
    if (uid) *uid = json_integer_value(json_object_get(u, "id"));
    if (cid)
        *cid = json_integer_value(
            json_object_get(json_array_get(json_object_get(u, "memberships"), 0), "company_id"));
    char *t = token_of(j);
    json_decref(j);
    return t;
}

char *bt_invite_member(struct bt *b, const char *manager, long long cid, const char *email,
                       const char *role, long long *uid)
{
    char body[512];
    long st;
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"role\":\"%s\"}", email, role);
    json_t *inv =
        bt_req(b, "POST", bt_path("/api/v1/companies/%lld/invitations", cid), manager, body, &st);
    cr_assert_eq(st, 201, "invite: %ld %s", st, json_dumps(inv, 0));
    snprintf(body, sizeof body, "{\"token\":\"%s\",\"name\":\"%s\",\"password\":\"%s\"}",
             json_string_value(json_object_get(inv, "token")), email, BT_PASSWORD);
    json_decref(inv);
    json_t *j = bt_req(b, "POST", "/api/v1/invitations/accept", NULL, body, &st);
    cr_assert_eq(st, 200, "accept: %ld %s", st, json_dumps(j, 0));
    if (uid) *uid = json_integer_value(json_object_get(json_object_get(j, "user"), "id"));
    char *t = token_of(j);
    json_decref(j);
    return t;
}

char *bt_admin(struct bt *b, const char *email)
{
    char cmd[1200], body[512];
    long st;
    snprintf(cmd, sizeof cmd, "echo '%s' | %s/backend/kocruit-backend create-admin %s >/dev/null",
             BT_PASSWORD, getenv("KC_BUILD_DIR"), email);
    cr_assert_eq(system(cmd), 0, "create-admin failed");
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email, BT_PASSWORD);
    json_t *j = bt_req(b, "POST", "/api/v1/auth/login", NULL, body, &st);
    cr_assert_eq(st, 200, "admin login: %ld", st);
    char *t = token_of(j);
    json_decref(j);
    return t;
}

char *bt_job_body(long long cid, const char *title)
{
    char opens[32], closes[32], *out = NULL;
    time_t now = time(NULL), o = now - 86400, c = now + 30 * 86400;
    strftime(opens, sizeof opens, "%Y-%m-%dT%H:%M:%SZ", gmtime(&o));
    strftime(closes, sizeof closes, "%Y-%m-%dT%H:%M:%SZ", gmtime(&c));
    json_t *j = json_pack(
        "{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:[{s:s,s:i},{s:s},{s:s}],"
        "s:[{s:s,s:f,s:[s,s]},{s:s,s:f,s:[s,s]}],s:[{s:s,s:i}]}",
        "company_id", (json_int_t)cid, "title", title, "description",
        "C 언어로 고성능 서버를 개발합니다. We build fast servers in C.", "qualifications",
        "C, Linux, 네트워크 프로그래밍", "conditions", "정규직, 연봉 협의", "location",
        "서울 강남구", "employment_type", "full_time", "headcount", 2, "opens_at", opens,
        "closes_at", closes, "stages", "name", "document", "pass_threshold", 60, "name",
        "practical", "name", "final", "criteria", "name", "C 언어", "weight", 0.6, "keywords", "C",
        "Linux", "name", "협업", "weight", 0.4, "keywords", "협업", "teamwork", "questions", "text",
        "Tell us about a C project.", "time_limit_s", 120);
    out = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return out;
}

char *bt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

/* ---- a stand-in video service (see bt.h) ------------------------------------------------- */

#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

struct bt_fake {
    int fd, posts, stop;
    const char *report;
    char *last;
    pthread_t th;
    pthread_mutex_t mu;
};

/* Read one request (headers + Content-Length body) into buf; returns its length or -1. */
static long fake_read(int c, char *buf, size_t cap)
{
    size_t n = 0;
    char *end = NULL;
    while (n + 1 < cap && !end) {
        ssize_t k = recv(c, buf + n, cap - 1 - n, 0);
        if (k <= 0) return -1;
        n += (size_t)k;
        buf[n] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    if (!end) return -1;
    const char *cl = strstr(buf, "Content-Length:"); /* as libcurl spells it */
    size_t want = (size_t)(end + 4 - buf) + (cl && cl < end ? strtoul(cl + 15, NULL, 10) : 0);
    while (n < want && n + 1 < cap) {
        ssize_t k = recv(c, buf + n, cap - 1 - n, 0);
        if (k <= 0) break;
        n += (size_t)k;
    }
    buf[n] = '\0';
    return (long)n;
}

static void fake_reply(int c, int status, const char *body)
{
    char head[200];
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: "
                      "%zu\r\nConnection: close\r\n\r\n",
                      status, body ? strlen(body) : 0);
    if (send(c, head, (size_t)hl, MSG_NOSIGNAL) < 0) return;
    if (body && send(c, body, strlen(body), MSG_NOSIGNAL) < 0) return;
}

static void fake_serve(struct bt_fake *f, int c)
{
    static char buf[1 << 20];
    if (fake_read(c, buf, sizeof buf) < 0) return;
    char *body = strstr(buf, "\r\n\r\n") + 4, out[64];
    if (!strncmp(buf, "POST /v1/analyses ", 18)) {
        pthread_mutex_lock(&f->mu);
        free(f->last);
        f->last = strdup(body);
        int n = ++f->posts;
        pthread_mutex_unlock(&f->mu);
        snprintf(out, sizeof out, "{\"id\":\"fake-%d\",\"status\":\"queued\"}", n);
        fake_reply(c, 201, out);
    } else if (!strncmp(buf, "GET /v1/analyses/", 17)) {
        fake_reply(c, 200, f->report);
    } else if (!strncmp(buf, "POST /v1/grade ", 15)) {
        fake_reply(c, 200,
                   "{\"score\":0.75,\"source\":\"deterministic\",\"version\":\"fake-grader-1\"}");
    } else if (!strncmp(buf, "POST /v1/questions ", 19)) {
        fake_reply(c, 200, "{\"source\":\"deterministic\",\"questions\":[{\"text\":\"Why C?\"}]}");
    } else if (!strncmp(buf, "POST /v1/highlights ", 20)) {
        fake_reply(c, 200,
                   "{\"source\":\"deterministic\",\"items\":[{\"text\":\"" BT_FAKE_EMAIL
                   " led the team\"}]}");
    } else if (!strncmp(buf, "POST /v1/similarity/query ", 26)) {
        fake_reply(c, 200, "{\"items\":[]}");
    } else {
        fake_reply(c, 204, NULL);
    }
}

static void *fake_main(void *arg)
{
    struct bt_fake *f = arg;
    for (;;) {
        int c = accept(f->fd, NULL, NULL);
        if (c < 0 || f->stop) {
            if (c >= 0) close(c);
            break;
        }
        fake_serve(f, c);
        close(c);
    }
    return NULL;
}

struct bt_fake *bt_fake_start(const char *report, int *port)
{
    struct bt_fake *f = calloc(1, sizeof *f);
    cr_assert_not_null(f);
    f->report = report;
    pthread_mutex_init(&f->mu, NULL);
    f->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    cr_assert_eq(bind(f->fd, (struct sockaddr *)&a, sizeof a), 0, "fake video: bind");
    cr_assert_eq(listen(f->fd, 16), 0);
    cr_assert_eq(getsockname(f->fd, (struct sockaddr *)&a, &al), 0);
    *port = ntohs(a.sin_port);
    cr_assert_eq(pthread_create(&f->th, NULL, fake_main, f), 0);
    return f;
}

int bt_fake_posts(struct bt_fake *f)
{
    pthread_mutex_lock(&f->mu);
    int n = f->posts;
    pthread_mutex_unlock(&f->mu);
    return n;
}

json_t *bt_fake_last(struct bt_fake *f)
{
    pthread_mutex_lock(&f->mu);
    json_t *j = f->last ? json_loads(f->last, 0, NULL) : NULL;
    pthread_mutex_unlock(&f->mu);
    return j;
}

void bt_fake_stop(struct bt_fake *f)
{
    f->stop = 1;
    shutdown(f->fd, SHUT_RDWR);
    pthread_join(f->th, NULL);
    close(f->fd);
    free(f->last);
    pthread_mutex_destroy(&f->mu);
    free(f);
}
