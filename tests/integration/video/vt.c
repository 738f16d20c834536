/*
 * vt.c — see vt.h.
 */
#include "vt.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int vt_sh(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) && WEXITSTATUS(rc) == 0 ? 0 : -1;
}

const char *vt_fixture(const char *name)
{
    static char dir[1024], path[1200];
    if (!dir[0]) {
        const char *b = getenv("KC_BUILD_DIR"), *script = getenv("KC_VSVC_FIXTURES");
        char cmd[2400];
        snprintf(dir, sizeof dir, "%s/video-svc-fixtures", b ? b : "/tmp");
        snprintf(cmd, sizeof cmd, "sh '%s' '%s'", script ? script : "mk_svc_fixtures.sh", dir);
        if (vt_sh(cmd)) fprintf(stderr, "vt: fixture generation failed: %s\n", cmd);
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

/* ---- processes ------------------------------------------------------------------------------ */

static char **service_env(struct vt *t)
{
    size_t n = 0;
    while (environ[n]) n++;
    char **env = calloc(n + 16, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "KOCRUIT_", 8) || !strncmp(environ[i], "KOCRUIT_ASSETS=", 15))
            env[k++] = strdup(environ[i]);
    char buf[1200];
#define ADD(...) (snprintf(buf, sizeof buf, __VA_ARGS__), env[k++] = strdup(buf))
    ADD("KOCRUIT_VIDEO_PORT=%d", t->port);
    ADD("KOCRUIT_REDIS_URL=%s", t->redis.url);
    ADD("KOCRUIT_DB=sqlite:%s/video.db", t->dir);
    ADD("KOCRUIT_DATA_DIR=%s", t->dir);
    ADD("KOCRUIT_INTERNAL_TOKEN=%s", VT_TOKEN);
    ADD("KOCRUIT_JWT_SECRET=vt-jwt-secret-0123456789abcdef0123456789");
    ADD("KOCRUIT_WORKERS=1");
    ADD("KOCRUIT_HTTP_THREADS=2");
    ADD("KOCRUIT_LOG_LEVEL=warn");
    if (t->claim_idle_ms > 0) ADD("KOCRUIT_JOB_CLAIM_IDLE_MS=%d", t->claim_idle_ms);
    if (t->backend_url[0]) ADD("KOCRUIT_BACKEND_URL=%s", t->backend_url);
#undef ADD
    return env;
}

static void free_env(char **env)
{
    for (size_t i = 0; env[i]; i++) free(env[i]);
    free(env);
}

int vt_service_start(struct vt *t)
{
    const char *bin = getenv("KC_VIDEO_BIN");
    if (!bin) {
        fprintf(stderr, "vt: KC_VIDEO_BIN is not set\n");
        return -1;
    }
    char **env = service_env(t);
    char *argv[] = {(char *)bin, NULL};
    t->pid = kc_test_spawn(argv, env);
    free_env(env);
    if (t->pid <= 0) return -1;
    char url[96];
    snprintf(url, sizeof url, "%s/health", t->base);
    return kc_test_wait_http_ok(url, 20000);
}

int vt_start(struct vt *t, int claim_idle_ms)
{
    memset(t, 0, sizeof *t);
    t->claim_idle_ms = claim_idle_ms;
    if (kc_test_redis_start(&t->redis)) return -1;
    t->dir = kc_test_tmpdir();
    t->port = kc_test_free_port();
    snprintf(t->base, sizeof t->base, "http://127.0.0.1:%d", t->port);
    return t->dir && t->port > 0 ? vt_service_start(t) : -1;
}

void vt_service_kill(struct vt *t, int sig)
{
    if (t->pid > 0) kc_test_kill(t->pid, sig);
    t->pid = 0;
}

void vt_stop(struct vt *t)
{
    vt_service_kill(t, SIGTERM);
    kc_test_redis_stop(&t->redis);
    if (t->dir) kc_test_rmrf(t->dir);
    free(t->dir);
    t->dir = NULL;
}

/* ---- requests ------------------------------------------------------------------------------- */

static long request(struct vt *t, const char *method, const char *path, const char *token,
                    const char *ctype, const void *body, size_t len, json_t **resp)
{
    char url[512], auth[160], ct[200];
    const char *headers[4] = {NULL};
    int h = 0;
    if (token) {
        snprintf(auth, sizeof auth, "X-Internal-Token: %s", *token ? token : VT_TOKEN);
        headers[h++] = auth;
    }
    if (ctype) {
        snprintf(ct, sizeof ct, "Content-Type: %s", ctype);
        headers[h++] = ct;
    }
    snprintf(url, sizeof url, "%s%s", t->base, path);
    long status = 0;
    char *text = NULL;
    if (kc_test_http_n(method, url, headers, body, len, &status, &text, NULL)) return -1;
    if (resp) *resp = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    return status;
}

long vt_req(struct vt *t, const char *method, const char *path, const char *token,
            const char *json_body, json_t **resp)
{
    return request(t, method, path, token, json_body ? "application/json" : NULL, json_body,
                   json_body ? strlen(json_body) : 0, resp);
}

long vt_upload(struct vt *t, const char *file, const char *options, json_t **resp)
{
    FILE *f = fopen(file, "rb");
    if (!f) return -1;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    const char *b = "vtBoundary7MA4YWxkTrZu0gW";
    size_t cap = (size_t)size + strlen(options ? options : "") + 1024;
    char *body = malloc(cap);
    size_t n = 0;
    if (options)
        n += (size_t)snprintf(body + n, cap - n,
                              "--%s\r\nContent-Disposition: form-data; name=\"options\"\r\n\r\n"
                              "%s\r\n",
                              b, options);
    n += (size_t)snprintf(body + n, cap - n,
                          "--%s\r\nContent-Disposition: form-data; name=\"file\"; "
                          "filename=\"../../etc/passwd\"\r\nContent-Type: video/mp4\r\n\r\n",
                          b);
    n += fread(body + n, 1, (size_t)size, f);
    fclose(f);
    n += (size_t)snprintf(body + n, cap - n, "\r\n--%s--\r\n", b);
    char ct[128];
    snprintf(ct, sizeof ct, "multipart/form-data; boundary=%s", b);
    long st = request(t, "POST", "/v1/analyses", "", ct, body, n, resp);
    free(body);
    return st;
}

static bool live(const char *status)
{
    return status && (!strcmp(status, "queued") || !strcmp(status, "running"));
}

json_t *vt_wait(struct vt *t, const char *id, int timeout_ms)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/analyses/%s", id);
    long long deadline = now_ms() + timeout_ms;
    json_t *j = NULL;
    do {
        json_decref(j);
        j = NULL;
        vt_req(t, "GET", path, "", NULL, &j);
        if (!live(json_string_value(json_object_get(j, "status")))) return j;
        sleep_ms(200);
    } while (now_ms() < deadline);
    return j;
}

int vt_wait_status(struct vt *t, const char *id, const char *status, int timeout_ms)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/analyses/%s", id);
    long long deadline = now_ms() + timeout_ms;
    do {
        json_t *j = NULL;
        vt_req(t, "GET", path, "", NULL, &j);
        const char *s = json_string_value(json_object_get(j, "status"));
        int hit = s && !strcmp(s, status);
        json_decref(j);
        if (hit) return 0;
        sleep_ms(50);
    } while (now_ms() < deadline);
    return -1;
}

struct sse_buf {
    char *p;
    size_t n;
};

static size_t on_sse(char *d, size_t size, size_t nm, void *ctx)
{
    struct sse_buf *b = ctx;
    size_t len = size * nm;
    char *p = realloc(b->p, b->n + len + 1);
    if (!p) return 0;
    memcpy(p + b->n, d, len);
    b->p = p;
    b->n += len;
    p[b->n] = '\0';
    return len;
}

char *vt_sse(struct vt *t, const char *id, int timeout_ms)
{
    char url[256], auth[160];
    snprintf(url, sizeof url, "%s/v1/analyses/%s/events", t->base, id);
    snprintf(auth, sizeof auth, "X-Internal-Token: %s", VT_TOKEN);
    struct sse_buf b = {calloc(1, 1), 0};
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, auth);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_sse);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_perform(c);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return b.p;
}

/* ---- JSON walk ---------------------------------------------------------------------------------
 */

const char *vt_find_key(const json_t *j, bool (*pred)(const char *key, const json_t *v))
{
    if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v)
        {
            const char *hit = vt_find_key(v, pred);
            if (hit) return hit;
        }
        return NULL;
    }
    if (!json_is_object(j)) return NULL;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)j, k, v)
    {
        if (pred(k, v)) return k;
        const char *hit = vt_find_key(v, pred);
        if (hit) return hit;
    }
    return NULL;
}
