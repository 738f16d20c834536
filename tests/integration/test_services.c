/*
 * test_services.c — the foundation's integration test: a real redis-server and the three
 * service binaries on free ports.
 *
 *  - every /health answers 200 {"status":"ok","service":…,"checks":{"redis":"ok"…}};
 *  - /metrics is Prometheus text with the request counters;
 *  - unknown routes and wrong methods get the JSON error shape (404, 405);
 *  - when Redis dies, every /health turns 503 "degraded" naming redis within 5 s, and returns
 *    to 200 when Redis is back on the same port, with no service restarted;
 *  - SIGTERM makes each service exit 0.
 * The binaries come from the environment (KC_BACKEND_BIN, KC_AGENT_BIN, KC_VIDEO_BIN, set by
 * tests/CMakeLists.txt).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

struct svc {
    const char *name;    /* service name in /health */
    const char *bin_env; /* env var with the binary */
    const char *port_env;
    int port;
    pid_t pid;
};

static struct svc svcs[3] = {
    {"backend", "KC_BACKEND_BIN", "KOCRUIT_BACKEND_PORT", 0, 0},
    {"agent", "KC_AGENT_BIN", "KOCRUIT_AGENT_PORT", 0, 0},
    {"video-analysis", "KC_VIDEO_BIN", "KOCRUIT_VIDEO_PORT", 0, 0},
};
static struct kc_test_redis redis;
static char *tmp;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static char *url(const struct svc *s, const char *path)
{
    static char buf[4][256];
    static int k;
    char *u = buf[k++ % 4];
    snprintf(u, sizeof buf[0], "http://127.0.0.1:%d%s", s->port, path);
    return u;
}

/* GET path; returns status, *json the parsed body (or NULL). */
static long get_json(const struct svc *s, const char *method, const char *path, json_t **json)
{
    long status = 0;
    char *body = NULL;
    *json = NULL;
    if (kc_test_http(method, url(s, path), NULL, NULL, &status, &body) != 0) return -1;
    if (body) *json = json_loads(body, 0, NULL);
    free(body);
    return status;
}

static void start_all(void)
{
    cr_assert_eq(kc_test_redis_start(&redis), 0, "redis-server must start");
    tmp = kc_test_tmpdir();
    cr_assert_not_null(tmp);
    for (int i = 0; i < 3; i++) svcs[i].port = kc_test_free_port();

    char e_redis[128], e_data[512], e_ports[3][64];
    snprintf(e_redis, sizeof e_redis, "KOCRUIT_REDIS_URL=%s", redis.url);
    snprintf(e_data, sizeof e_data, "KOCRUIT_DATA_DIR=%s", tmp);
    for (int i = 0; i < 3; i++)
        snprintf(e_ports[i], sizeof e_ports[i], "%s=%d", svcs[i].port_env, svcs[i].port);
    char e_path[4096];
    snprintf(e_path, sizeof e_path, "PATH=%s", getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    char e_assets[600];
    snprintf(e_assets, sizeof e_assets, "KOCRUIT_ASSETS=%s",
             getenv("KOCRUIT_ASSETS") ? getenv("KOCRUIT_ASSETS") : "");
    /* no KOCRUIT_DB: each service defaults to its own file in the data dir */
    char *envp[] = {e_redis,
                    e_data,
                    e_ports[0],
                    e_ports[1],
                    e_ports[2],
                    e_path,
                    e_assets,
                    "KOCRUIT_JWT_SECRET=integration-test-secret-0123456789abcdef",
                    "KOCRUIT_INTERNAL_TOKEN=integration-test-internal-token",
                    "KOCRUIT_LOG_LEVEL=warn",
                    NULL};
    for (int i = 0; i < 3; i++) {
        const char *bin = getenv(svcs[i].bin_env);
        cr_assert_not_null(bin, "%s must name the binary", svcs[i].bin_env);
        char *argv[] = {(char *)bin, NULL};
        svcs[i].pid = kc_test_spawn(argv, envp);
        cr_assert_gt(svcs[i].pid, 0);
    }
    for (int i = 0; i < 3; i++)
        cr_assert_eq(kc_test_wait_http_ok(url(&svcs[i], "/health"), 20000), 0,
                     "%s did not become healthy", svcs[i].name);
}

static void stop_all(void)
{
    for (int i = 0; i < 3; i++)
        if (svcs[i].pid > 0) kc_test_kill(svcs[i].pid, SIGKILL);
    kc_test_redis_stop(&redis);
    if (tmp) kc_test_rmrf(tmp);
    free(tmp);
}

TestSuite(services, .init = start_all, .fini = stop_all, .timeout = 240);

Test(services, health_metrics_errors_outage_shutdown)
{
    /* healthy */
    for (int i = 0; i < 3; i++) {
        json_t *j;
        long st = get_json(&svcs[i], "GET", "/health", &j);
        cr_assert_eq(st, 200, "%s /health status %ld", svcs[i].name, st);
        cr_assert_not_null(j, "%s /health is JSON", svcs[i].name);
        cr_assert_str_eq(json_string_value(json_object_get(j, "status")), "ok");
        cr_assert_str_eq(json_string_value(json_object_get(j, "service")), svcs[i].name);
        cr_assert_not_null(json_string_value(json_object_get(j, "version")));
        json_t *checks = json_object_get(j, "checks");
        cr_assert_str_eq(json_string_value(json_object_get(checks, "redis")), "ok");
        json_decref(j);
    }
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(({
                                                                           json_t *h;
                                                                           get_json(&svcs[0], "GET",
                                                                                    "/health", &h);
                                                                           h;
                                                                       }),
                                                                       "checks"),
                                                       "db")),
                     "ok", "backend checks its database");

    /* metrics */
    for (int i = 0; i < 3; i++) {
        long st = 0;
        char *body = NULL;
        cr_assert_eq(kc_test_http("GET", url(&svcs[i], "/metrics"), NULL, NULL, &st, &body), 0);
        cr_assert_eq(st, 200);
        cr_assert_not_null(strstr(body, "# TYPE kc_http_requests_total counter"),
                           "%s metrics lack the request counter", svcs[i].name);
        cr_assert_not_null(strstr(body, "route=\"/health\""), "health requests are counted");
        cr_assert_not_null(strstr(body, "kc_http_request_duration_seconds_bucket"));
        free(body);
    }

    /* error shape: 404 and 405 */
    for (int i = 0; i < 3; i++) {
        json_t *j;
        long st = get_json(&svcs[i], "GET", "/no/such/route", &j);
        cr_assert_eq(st, 404);
        cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
                         "not_found");
        cr_assert_not_null(
            json_string_value(json_object_get(json_object_get(j, "error"), "message")));
        json_decref(j);
        st = get_json(&svcs[i], "DELETE", "/health", &j);
        cr_assert_eq(st, 405);
        cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
                         "method_not_allowed");
        json_decref(j);
    }

    /* Redis dies: every /health says 503 degraded naming redis within 5 s */
    kc_test_redis_kill(&redis);
    double t0 = now_s();
    for (int i = 0; i < 3; i++) {
        int degraded = 0;
        while (now_s() - t0 < 5.0) {
            json_t *j;
            long st = get_json(&svcs[i], "GET", "/health", &j);
            if (st == 503 && j) {
                cr_assert_str_eq(json_string_value(json_object_get(j, "status")), "degraded");
                const char *r =
                    json_string_value(json_object_get(json_object_get(j, "checks"), "redis"));
                cr_assert_not_null(r);
                cr_assert(strcmp(r, "ok") != 0, "redis check names the failure: %s", r);
                degraded = 1;
            }
            json_decref(j);
            if (degraded) break;
            usleep(100 * 1000);
        }
        cr_assert(degraded, "%s /health did not turn 503 within 5 s of redis dying", svcs[i].name);
    }

    /* Redis comes back on the same port: 200 again, nothing restarted */
    cr_assert_eq(kc_test_redis_restart(&redis), 0);
    t0 = now_s();
    for (int i = 0; i < 3; i++) {
        int ok = 0;
        while (!ok && now_s() - t0 < 15.0) {
            json_t *j;
            ok = get_json(&svcs[i], "GET", "/health", &j) == 200;
            json_decref(j);
            if (!ok) usleep(100 * 1000);
        }
        cr_assert(ok, "%s /health did not recover after redis came back", svcs[i].name);
        cr_assert_eq(kill(svcs[i].pid, 0), 0, "%s was not restarted", svcs[i].name);
    }

    /* SIGTERM: clean exit 0 */
    for (int i = 0; i < 3; i++) {
        int status = kc_test_kill(svcs[i].pid, SIGTERM);
        svcs[i].pid = 0;
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "%s did not exit 0 on SIGTERM (status 0x%x)", svcs[i].name, status);
    }
}
