/*
 * test_service.c — the service skeleton end to end, in-process: kc_service_init from the
 * environment with a private redis-server and a SQLite database migrated from a generated
 * migrations folder; /health (200 with redis and db "ok", then 503 "degraded" once Redis is
 * gone), /metrics (RSS, uptime, request counts), stop hooks in reverse order, SIGTERM ending
 * kc_service_run with 0, and a bad configuration value ending the process with status 2.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "service.h"
#include "testutil.h"

static struct kc_test_redis redis;
static char *tmp;
static char base_url[64];

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void setup(void)
{
    cr_assert_eq(kc_test_redis_start(&redis), 0);
    tmp = kc_test_tmpdir();
    cr_assert_not_null(tmp);
    char path[512], value[600];
    int port = kc_test_free_port();
    cr_assert_gt(port, 0);
    snprintf(base_url, sizeof base_url, "http://127.0.0.1:%d", port);
    snprintf(value, sizeof value, "%d", port);
    setenv("KOCRUIT_BACKEND_PORT", value, 1);
    setenv("KOCRUIT_REDIS_URL", redis.url, 1);
    snprintf(value, sizeof value, "%s/data/nested", tmp);
    setenv("KOCRUIT_DATA_DIR", value, 1);
    snprintf(value, sizeof value, "sqlite:%s/db/backend.db", tmp);
    setenv("KOCRUIT_DB", value, 1);
    setenv("KOCRUIT_HTTP_THREADS", "2", 1);
    setenv("KOCRUIT_LOG_LEVEL", "warn", 1);
    setenv("KOCRUIT_INTERNAL_TOKEN", "test-internal-token-0123456789abcdef0123456789", 1);
    setenv("KOCRUIT_JWT_SECRET", "test-jwt-secret-0123456789abcdef0123456789abcdef", 1);
    snprintf(path, sizeof path, "%s/migrations", tmp);
    cr_assert_eq(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/migrations/0001_init.sql", tmp);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("CREATE TABLE probe (id INTEGER PRIMARY KEY, note TEXT) STRICT;\n", f);
    fclose(f);
}

static void teardown(void)
{
    kc_test_redis_stop(&redis);
    kc_test_rmrf(tmp);
    free(tmp);
}

TestSuite(service, .init = setup, .fini = teardown, .timeout = 60);

struct runner {
    struct kc_service *s;
    int rc;
};

static void *run_main(void *arg)
{
    struct runner *r = arg;
    r->rc = kc_service_run(r->s);
    return NULL;
}

static json_t *get_json(const char *path, long *status)
{
    char url[256], *body = NULL;
    snprintf(url, sizeof url, "%s%s", base_url, path);
    cr_assert_eq(kc_test_http("GET", url, NULL, NULL, status, &body), 0, "GET %s", url);
    json_t *j = json_loads(body, 0, NULL);
    cr_assert_not_null(j, "%s", body);
    free(body);
    return j;
}

static char order[16];

static void hook_a(void *ctx)
{
    (void)ctx;
    strcat(order, "a");
}

static void hook_b(void *ctx)
{
    cr_assert_str_eq(ctx, "b");
    strcat(order, "b");
}

static void start(struct kc_service *s, struct runner *r, pthread_t *t, const char *migrations)
{
    struct kc_err err;
    kc_err_clear(&err);
    struct kc_service_options opt = {.name = "backend", .migrations_dir = migrations};
    cr_assert_eq(kc_service_init(s, &opt, &err), 0, "%s", err.message);
    r->s = s;
    r->rc = -1;
    pthread_create(t, NULL, run_main, r);
    char url[128];
    snprintf(url, sizeof url, "%s/metrics", base_url);
    cr_assert_eq(kc_test_wait_http_ok(url, 10000), 0);
}

Test(service, health_metrics_hooks_and_sigterm)
{
    char migrations[512];
    snprintf(migrations, sizeof migrations, "%s/migrations", tmp);
    struct kc_service s;
    struct runner r;
    pthread_t t;
    start(&s, &r, &t, migrations);
    kc_service_on_stop(&s, hook_a, NULL);
    kc_service_on_stop(&s, hook_b, "b");
    char dir[600];
    struct stat st;
    snprintf(dir, sizeof dir, "%s/data/nested/uploads", tmp);
    cr_assert_eq(stat(dir, &st), 0, "data_dir/uploads created");
    cr_assert(S_ISDIR(st.st_mode));

    long status = 0;
    json_t *h = get_json("/health", &status);
    cr_assert_eq(status, 200, "%s", json_dumps(h, 0));
    cr_assert_str_eq(json_string_value(json_object_get(h, "status")), "ok");
    cr_assert_str_eq(json_string_value(json_object_get(h, "service")), "backend");
    cr_assert_str_eq(json_string_value(json_object_get(h, "version")), KC_VERSION);
    json_t *checks = json_object_get(h, "checks");
    cr_assert_str_eq(json_string_value(json_object_get(checks, "redis")), "ok");
    cr_assert_str_eq(json_string_value(json_object_get(checks, "db")), "ok");
    json_decref(h);

    char url[128], *text = NULL;
    snprintf(url, sizeof url, "%s/metrics", base_url);
    static const char health_count[] =
        "kc_http_requests_total{route=\"/health\",method=\"GET\",status=\"200\"} 1\n";
    for (int i = 0; i < 100; i++) { /* the count is recorded just after the response is sent */
        free(text);
        text = NULL;
        cr_assert_eq(kc_test_http("GET", url, NULL, NULL, &status, &text), 0);
        cr_assert_eq(status, 200);
        if (strstr(text, health_count)) break;
        sleep_ms(20);
    }
    const char *rss = strstr(text, "\nprocess_resident_memory_bytes ");
    cr_assert_not_null(rss, "%s", text);
    cr_assert_gt(strtod(rss + strlen("\nprocess_resident_memory_bytes "), NULL), 1e6);
    cr_assert(strstr(text, "# TYPE kc_uptime_seconds gauge\nkc_uptime_seconds "), "%s", text);
    cr_assert(strstr(text, health_count), "%s", text);
    free(text);

    /* Redis goes away: /health turns 503 within about a second (result cached ≤ 1 s) */
    kc_test_redis_stop(&redis);
    json_t *d = NULL;
    for (int i = 0; i < 100; i++) {
        d = get_json("/health", &status);
        if (status == 503) break;
        json_decref(d);
        d = NULL;
        sleep_ms(100);
    }
    cr_assert_not_null(d, "health never reported Redis down");
    cr_assert_str_eq(json_string_value(json_object_get(d, "status")), "degraded");
    const char *rc = json_string_value(json_object_get(json_object_get(d, "checks"), "redis"));
    cr_assert(strncmp(rc, "unavailable: ", 13) == 0, "%s", rc);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(d, "checks"), "db")), "ok");
    json_decref(d);

    cr_assert_eq(kill(getpid(), SIGTERM), 0);
    pthread_join(t, NULL);
    cr_assert_eq(r.rc, 0, "clean stop");
    cr_assert_str_eq(order, "ba", "hooks run in reverse order");
    kc_service_free(&s); /* already freed by run: a no-op */
    cr_assert_neq(kc_test_http("GET", url, NULL, NULL, &status, NULL), 0, "server is gone");
}

Test(service, without_database_and_programmatic_stop)
{
    struct kc_service s;
    struct runner r;
    pthread_t t;
    start(&s, &r, &t, NULL);
    cr_assert_null(s.db);
    long status = 0;
    json_t *h = get_json("/health", &status);
    cr_assert_eq(status, 200);
    cr_assert_null(json_object_get(json_object_get(h, "checks"), "db"), "no db check");
    cr_assert_eq(json_object_size(json_object_get(h, "checks")), 1u);
    json_decref(h);
    h = get_json("/nope", &status);
    cr_assert_eq(status, 404);
    json_decref(h);
    kc_service_stop(&s);
    pthread_join(t, NULL);
    cr_assert_eq(r.rc, 0);
}

Test(service, failing_migration_is_an_error)
{
    char path[600];
    snprintf(path, sizeof path, "%s/migrations/0002_bad.sql", tmp);
    FILE *f = fopen(path, "w");
    fputs("CREATE TABLE broken (;\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/migrations", tmp);
    struct kc_service s;
    struct kc_err err;
    kc_err_clear(&err);
    struct kc_service_options opt = {.name = "backend", .migrations_dir = path};
    cr_assert_eq(kc_service_init(&s, &opt, &err), -1);
    cr_assert(strstr(err.message, "0002_bad.sql"), "%s", err.message);
    kc_service_free(&s);
}

/* No fixture: the process exits inside the test, so a teardown would never run. */
Test(service_config, bad_config_exits_with_status_2, .exit_code = 2)
{
    setenv("KOCRUIT_BACKEND_PORT", "abc", 1);
    struct kc_service s;
    struct kc_err err;
    struct kc_service_options opt = {.name = "backend"};
    kc_service_init(&s, &opt, &err);
    cr_assert_fail("kc_service_init returned on a bad configuration");
}
