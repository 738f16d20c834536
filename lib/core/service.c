/*
 * service.c — the skeleton every service main shares (see service.h for the contract).
 *
 * Design
 *  - Start-up order: configuration (a bad value exits with status 2 and a log line naming the
 *    variable), logging, data folders, metrics, Redis pool (lazy: never fails because Redis is
 *    down), database and migrations when the service has one, the HTTP server with /health
 *    and /metrics, then the signal handlers.
 *  - Stop: SIGTERM/SIGINT handlers only write one byte to a self-pipe (async-signal-safe, and
 *    correct whichever thread the kernel picks); kc_service_run waits on the pipe's read end.
 *    kc_service_stop writes the same byte, so tests and admin code stop a service the same
 *    way a signal does. The pipe's write end is the one piece of process-global state here:
 *    a signal handler can reach nothing else.
 *  - /health runs the dependency checks at most once per HEALTH_TTL_MS and keeps the result
 *    rendered as JSON; other requests in that window copy it, so probes and benchmarks cost
 *    no Redis round trip and no JSON work. One request refreshes an expired result while
 *    the others keep answering the old one.
 *  - Hooks are a singly linked list with the newest first, so walking it runs them in reverse
 *    order of registration.
 */
#include "service.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HEALTH_TTL_MS   1000
#define STOP_TIMEOUT_MS 10000
#define LOG_FLUSH_MS    50

struct kc_service_hook {
    void (*fn)(void *ctx);
    void *ctx;
    struct kc_service_hook *next;
};

struct kc_service_health {
    pthread_mutex_t lock;
    long long checked_ms; /* monotonic ms of the last check; 0 = never */
    int refreshing;
    int ok;
    char redis[320];
    char db[320];    /* "" when the service has no database */
    char body[1024]; /* the rendered /health JSON for this result */
    size_t body_len;
};

static volatile sig_atomic_t g_stop_fd = -1;

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- /health --- */

static void run_checks(struct kc_service *s, struct kc_service_health *h)
{
    struct kc_err err;
    kc_err_clear(&err);
    h->ok = 1;
    if (kc_redis_ping(s->redis, &err) == 0) {
        snprintf(h->redis, sizeof h->redis, "ok");
    } else {
        snprintf(h->redis, sizeof h->redis, "unavailable: %.300s", err.message);
        h->ok = 0;
    }
    h->db[0] = '\0';
    if (!s->db) return;
    kc_err_clear(&err);
    if (kc_db_ping(s->db, &err) == 0) {
        snprintf(h->db, sizeof h->db, "ok");
    } else {
        snprintf(h->db, sizeof h->db, "unavailable: %.300s", err.message);
        h->ok = 0;
    }
}

static void render_health(struct kc_service *s, struct kc_service_health *h)
{
    json_t *checks = json_object();
    json_object_set_new(checks, "redis", json_string(h->redis));
    if (s->db) json_object_set_new(checks, "db", json_string(h->db));
    json_t *body = json_pack("{s:s, s:s, s:s, s:o}", "status", h->ok ? "ok" : "degraded", "service",
                             s->cfg.service, "version", KC_VERSION, "checks", checks);
    h->body_len = body ? json_dumpb(body, h->body, sizeof h->body, JSON_COMPACT) : 0;
    if (h->body_len > sizeof h->body) h->body_len = 0;
    json_decref(body);
}

/* A copy of the current result, refreshed first when it is older than HEALTH_TTL_MS. */
static void health_snapshot(struct kc_service *s, struct kc_service_health *out)
{
    struct kc_service_health *h = s->health;
    long long now = mono_ms();
    pthread_mutex_lock(&h->lock);
    int stale = h->checked_ms == 0 || now - h->checked_ms >= HEALTH_TTL_MS;
    int refresh = stale && (!h->refreshing || h->checked_ms == 0);
    if (refresh) h->refreshing = 1;
    out->ok = h->ok;
    out->body_len = h->body_len;
    memcpy(out->body, h->body, h->body_len);
    pthread_mutex_unlock(&h->lock);
    if (!refresh) return;
    run_checks(s, out);
    render_health(s, out);
    pthread_mutex_lock(&h->lock);
    memcpy(h->redis, out->redis, sizeof h->redis);
    memcpy(h->db, out->db, sizeof h->db);
    memcpy(h->body, out->body, out->body_len);
    h->body_len = out->body_len;
    h->ok = out->ok;
    h->checked_ms = mono_ms();
    h->refreshing = 0;
    pthread_mutex_unlock(&h->lock);
}

static void health_route(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    (void)req;
    struct kc_service *s = ctx;
    struct kc_service_health snap;
    health_snapshot(s, &snap);
    if (!snap.body_len) {
        kc_resp_errorf(resp, KC_E_INTERNAL, NULL, "cannot render the health report");
        return;
    }
    kc_resp_bytes(resp, snap.ok ? 200 : 503, "application/json", snap.body, snap.body_len);
}

/* --- /metrics --- */

static double resident_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, resident = 0;
    int n = f ? fscanf(f, "%lu %lu", &size, &resident) : 0;
    if (f) fclose(f);
    return n == 2 ? (double)resident * (double)sysconf(_SC_PAGESIZE) : -1;
}

static void metrics_route(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    (void)req;
    struct kc_service *s = ctx;
    double rss = resident_bytes();
    if (rss >= 0)
        kc_metrics_set(s->metrics, "process_resident_memory_bytes",
                       "Resident set size of the process, bytes (/proc/self/statm).", NULL, rss);
    kc_metrics_set(s->metrics, "kc_uptime_seconds", "Seconds since the service started.", NULL,
                   (double)(mono_ms() - s->started_ms) / 1000.0);
    size_t len = 0;
    char *text = kc_metrics_render(s->metrics, &len);
    if (!text) {
        kc_resp_errorf(resp, KC_E_NOMEM, NULL, "cannot render metrics");
        return;
    }
    kc_resp_bytes(resp, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
    free(text);
}

/* --- start-up --- */

static int mkdir_p(const char *path, struct kc_err *err)
{
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return kc_err_set(err, KC_E_INVALID, "path too long: %.100s", path);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char c = *p;
        *p = '\0';
        if (mkdir(buf, 0750) != 0 && errno != EEXIST)
            return kc_err_set(err, KC_E_IO, "cannot create folder %s: %s", buf, strerror(errno));
        *p = c;
        if (!c) break;
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return kc_err_set(err, KC_E_IO, "%s is not a folder", path);
    return 0;
}

static void on_signal(int sig)
{
    (void)sig;
    int saved = errno;
    int fd = g_stop_fd;
    if (fd >= 0) {
        ssize_t w = write(fd, "s", 1);
        (void)w; /* a full pipe already holds a stop request */
    }
    errno = saved;
}

static int install_signals(struct kc_service *s, struct kc_err *err)
{
    if (pipe2(s->stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return kc_err_set(err, KC_E_IO, "pipe: %s", strerror(errno));
    g_stop_fd = s->stop_pipe[1];
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a peer closing a socket is an error return, not a kill */
    return 0;
}

static void exit_on_bad_config(const char *name, const struct kc_err *err)
{
    kc_log_init(name, KC_LOG_INFO, stderr);
    kc_log(KC_LOG_ERROR, NULL, "configuration: %s", err->message);
    kc_log_flush();
    exit(2);
}

static int open_database(struct kc_service *s, const char *migrations_dir, struct kc_err *err)
{
    s->db = kc_db_open(s->cfg.db_url, 0, err);
    if (!s->db) return -1;
    if (kc_db_migrate(s->db, migrations_dir, err) != 0) {
        kc_err_prefix(err, "migrating from %s", migrations_dir);
        return -1;
    }
    return 0;
}

static int start_http(struct kc_service *s, const char *upload_dir, struct kc_err *err)
{
    struct kc_http_config hc = {.service = s->cfg.service,
                                .bind_addr = s->cfg.bind_addr,
                                .port = s->cfg.port,
                                .threads = s->cfg.http_threads,
                                .upload_dir = upload_dir,
                                .metrics = s->metrics};
    s->http = kc_http_new(&hc, err);
    if (!s->http) return -1;
    struct kc_route health = {.method = "GET",
                              .pattern = "/health",
                              .handler = health_route,
                              .ctx = s,
                              .body = KC_BODY_NONE,
                              .summary = "Service health: Redis and database checks",
                              .tag = "ops"};
    struct kc_route metrics = {.method = "GET",
                               .pattern = "/metrics",
                               .handler = metrics_route,
                               .ctx = s,
                               .body = KC_BODY_NONE,
                               .summary = "Prometheus metrics (text format 0.0.4)",
                               .tag = "ops"};
    if (kc_http_route(s->http, &health, err) || kc_http_route(s->http, &metrics, err)) return -1;
    return 0;
}

int kc_service_init(struct kc_service *s, const struct kc_service_options *opt, struct kc_err *err)
{
    memset(s, 0, sizeof *s);
    s->stop_pipe[0] = s->stop_pipe[1] = -1;
    s->started_ms = mono_ms();
    /* allocated first: kc_service_free treats a struct without it as never initialised */
    s->health = calloc(1, sizeof *s->health);
    if (!s->health) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    pthread_mutex_init(&s->health->lock, NULL);
    struct kc_err cerr;
    kc_err_clear(&cerr);
    if (kc_config_load(&s->cfg, opt->name, &cerr) != 0)
        exit_on_bad_config(opt->name ? opt->name : "", &cerr);
    enum kc_log_level level = KC_LOG_INFO;
    kc_log_level_parse(s->cfg.log_level, &level);
    kc_log_init(s->cfg.service, level, stderr);
    kc_log_set_buffering(LOG_FLUSH_MS);
    kc_config_log(&s->cfg);
    char upload_dir[600];
    snprintf(upload_dir, sizeof upload_dir, "%s/uploads", s->cfg.data_dir);
    int rc = -1;
    if (mkdir_p(s->cfg.data_dir, err) || mkdir_p(upload_dir, err)) goto out;
    s->metrics = kc_metrics_new();
    if (!s->metrics) {
        kc_err_set(err, KC_E_NOMEM, "out of memory");
        goto out;
    }
    s->redis = kc_redis_new(s->cfg.redis_url, 0, 0, err);
    if (!s->redis) goto out;
    if (opt->migrations_dir && open_database(s, opt->migrations_dir, err)) goto out;
    if (start_http(s, upload_dir, err) || install_signals(s, err)) goto out;
    rc = 0;
out:
    if (rc != 0) {
        kc_log(KC_LOG_ERROR, NULL, "start-up failed: %s", err ? err->message : "");
        kc_service_free(s);
    }
    return rc;
}

void kc_service_on_stop(struct kc_service *s, void (*fn)(void *ctx), void *ctx)
{
    struct kc_service_hook *h = calloc(1, sizeof *h);
    if (!h) {
        kc_log(KC_LOG_ERROR, NULL, "service: out of memory registering a stop hook");
        return;
    }
    h->fn = fn;
    h->ctx = ctx;
    h->next = s->hooks;
    s->hooks = h;
}

void kc_service_stop(struct kc_service *s)
{
    if (s->stop_pipe[1] >= 0) {
        ssize_t w = write(s->stop_pipe[1], "s", 1);
        (void)w;
    }
}

static void wait_for_stop(struct kc_service *s)
{
    struct pollfd p = {.fd = s->stop_pipe[0], .events = POLLIN};
    for (;;) {
        int n = poll(&p, 1, -1);
        if (n > 0) break;
        if (n < 0 && errno != EINTR) break;
    }
    char c;
    while (read(s->stop_pipe[0], &c, 1) == 1) {
    }
}

int kc_service_run(struct kc_service *s)
{
    struct kc_err err;
    kc_err_clear(&err);
    if (!s->http || kc_http_start(s->http, &err) != 0) {
        kc_log(KC_LOG_ERROR, NULL, "http: %s", s->http ? err.message : "service not initialised");
        kc_service_free(s);
        return 1;
    }
    struct kc_log_field f[] = {
        KC_LOGF_S("bind", s->cfg.bind_addr), KC_LOGF_I("port", kc_http_port(s->http)),
        KC_LOGF_S("version", KC_VERSION), KC_LOGF_I("threads", s->cfg.http_threads)};
    kc_log_kv(KC_LOG_INFO, NULL, "listening", f, sizeof f / sizeof f[0]);
    wait_for_stop(s);
    kc_log(KC_LOG_INFO, NULL, "stopping");
    for (struct kc_service_hook *h = s->hooks; h; h = h->next) h->fn(h->ctx);
    kc_http_stop(s->http, STOP_TIMEOUT_MS);
    kc_log(KC_LOG_INFO, NULL, "stopped");
    kc_service_free(s);
    return 0;
}

void kc_service_free(struct kc_service *s)
{
    if (!s || !s->health) return; /* never initialised, or already freed */
    if (s->stop_pipe[1] >= 0 && g_stop_fd == s->stop_pipe[1]) {
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        g_stop_fd = -1;
    }
    for (int i = 0; i < 2; i++) {
        if (s->stop_pipe[i] >= 0) close(s->stop_pipe[i]);
        s->stop_pipe[i] = -1;
    }
    kc_http_free(s->http);
    s->http = NULL;
    while (s->hooks) {
        struct kc_service_hook *next = s->hooks->next;
        free(s->hooks);
        s->hooks = next;
    }
    kc_db_close(s->db);
    s->db = NULL;
    kc_redis_free(s->redis);
    s->redis = NULL;
    kc_metrics_free(s->metrics);
    s->metrics = NULL;
    if (s->health) {
        pthread_mutex_destroy(&s->health->lock);
        free(s->health);
        s->health = NULL;
    }
    kc_log_set_buffering(0);
}
