/*
 * test_redis.c — the Redis pool against a private redis-server per test (kc_testutil): URL
 * parsing, cache helpers, error replies, command timeouts (a blocking BLPOP and a server that
 * never answers), a killed server failing fast and a restarted one recovering in the same pool,
 * AUTH + SELECT from the URL, pub/sub with timeouts, and many threads sharing a small pool.
 * The `testutil` suite at the end checks the process and HTTP helpers of kc_testutil that
 * integration tests rely on (spawn, wait for 200, request, kill), using python3's http.server.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "redis.h"
#include "testutil.h"

static struct kc_test_redis srv;

static void start(void)
{
    cr_assert_eq(kc_test_redis_start(&srv), 0, "redis-server did not start");
}

static void stop(void)
{
    kc_test_redis_stop(&srv);
}

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

Test(redis_url, parse)
{
    struct kc_redis_url u;
    struct kc_err err = {0};
    cr_assert_eq(kc_redis_url_parse("redis://127.0.0.1:6380/3", &u, &err), 0, "%s", err.message);
    cr_assert_str_eq(u.host, "127.0.0.1");
    cr_assert_eq(u.port, 6380);
    cr_assert_eq(u.db, 3);
    cr_assert_str_eq(u.password, "");
    cr_assert_eq(kc_redis_url_parse("redis://:p%40ss@cache", &u, &err), 0, "%s", err.message);
    cr_assert_str_eq(u.host, "cache");
    cr_assert_eq(u.port, 6379);
    cr_assert_str_eq(u.password, "p@ss");
    cr_assert_eq(kc_redis_url_parse("redis://app:pw@[::1]:7000/", &u, &err), 0, "%s", err.message);
    cr_assert_str_eq(u.user, "app");
    cr_assert_str_eq(u.host, "::1");
    cr_assert_eq(u.port, 7000);
    static const char *const bad[] = {
        "http://h",       "redis://",          "redis://h:0",    "redis://h:65536",
        "redis://h:x",    "redis://h/x",       "redis://h?db=1", "redis://user@h",
        "redis://:%zz@h", "redis://[::1:6379", "redis://h h",    NULL,
    };
    for (int i = 0; bad[i]; i++) {
        cr_expect_eq(kc_redis_url_parse(bad[i], &u, &err), -1, "%s accepted", bad[i]);
        cr_expect_eq(err.code, KC_E_INVALID);
    }
    cr_assert_eq(kc_redis_url_parse("redis://:topsecret@h:x", &u, &err), -1);
    cr_assert_null(strstr(err.message, "topsecret"), "%s", err.message);
}

Test(redis, cache_helpers, .init = start, .fini = stop)
{
    struct kc_err err = {0};
    struct kc_redis *r = kc_redis_new(srv.url, 2, 1000, &err);
    cr_assert_not_null(r, "%s", err.message);
    const char val[] = {'a', 0, 'b', (char)0xff};
    cr_assert_eq(kc_redis_setex(r, "kc:test:bin", val, sizeof val, 60, &err), 0, "%s", err.message);
    char *got = NULL;
    size_t len = 0;
    cr_assert_eq(kc_redis_get(r, "kc:test:bin", &got, &len, &err), 1, "%s", err.message);
    cr_assert_eq(len, sizeof val);
    cr_assert_eq(memcmp(got, val, len), 0);
    free(got);
    redisReply *ttl = kc_redis_cmd(r, &err, "TTL %s", "kc:test:bin");
    cr_assert_not_null(ttl);
    cr_assert(ttl->integer > 0 && ttl->integer <= 60, "ttl %lld", ttl->integer);
    freeReplyObject(ttl);
    cr_assert_eq(kc_redis_del(r, "kc:test:bin", &err), 0);
    cr_assert_eq(kc_redis_get(r, "kc:test:bin", &got, &len, &err), 0);
    cr_assert_null(got);
    cr_assert_eq(kc_redis_setex(r, "kc:test:x", "v", 1, 0, &err), -1);
    cr_assert_eq(err.code, KC_E_INVALID);
    cr_assert_eq(kc_redis_ping(r, &err), 0);
    kc_redis_free(r);
}

Test(redis, error_reply_keeps_connection, .init = start, .fini = stop)
{
    struct kc_err err = {0};
    struct kc_redis *r = kc_redis_new(srv.url, 1, 1000, &err);
    redisReply *rep = kc_redis_cmd(r, &err, "SET %s %s", "kc:test:s", "text");
    cr_assert_not_null(rep);
    freeReplyObject(rep);
    cr_assert_null(kc_redis_cmd(r, &err, "INCR %s", "kc:test:s"));
    cr_assert_eq(err.code, KC_E_INTERNAL);
    cr_assert(strstr(err.message, "not an integer"), "%s", err.message);
    char *v = NULL;
    cr_assert_eq(kc_redis_get(r, "kc:test:s", &v, NULL, &err), 1);
    cr_assert_str_eq(v, "text");
    free(v);
    cr_assert_null(kc_redis_cmd(r, &err, "NOSUCHCOMMAND"));
    cr_assert_eq(err.code, KC_E_INTERNAL);
    kc_redis_free(r);
}

Test(redis, command_timeout_then_recovers, .init = start, .fini = stop)
{
    struct kc_err err = {0};
    struct kc_redis *r = kc_redis_new(srv.url, 1, 200, &err);
    cr_assert_null(kc_redis_cmd(r, &err, "BLPOP %s %d", "kc:test:nothing", 5));
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);
    cr_assert(strstr(err.message, "timed out"), "%s", err.message);
    /* the timed-out connection was dropped: the next command gets a fresh one */
    cr_assert_eq(kc_redis_ping(r, &err), 0, "%s", err.message);
    redisReply *rep = kc_redis_cmd(r, &err, "SET %s %s", "kc:test:after", "1");
    cr_assert_not_null(rep, "%s", err.message);
    cr_assert_eq(rep->type, REDIS_REPLY_STATUS);
    freeReplyObject(rep);
    /* a longer per-call timeout lets a blocking command finish */
    const char *argv[] = {"BLPOP", "kc:test:nothing", "1"};
    rep = kc_redis_cmdargv_timeout(r, 3000, 3, argv, NULL, &err);
    cr_assert_not_null(rep, "%s", err.message);
    cr_assert_eq(rep->type, REDIS_REPLY_NIL);
    freeReplyObject(rep);
    kc_redis_free(r);
}

Test(redis, server_that_never_answers_times_out)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(listen(fd, 8), 0); /* connections complete in the backlog; nobody reads */
    getsockname(fd, (struct sockaddr *)&a, &len);
    char url[64];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d", ntohs(a.sin_port));
    struct kc_err err = {0};
    struct kc_redis *r = kc_redis_new(url, 1, 150, &err);
    cr_assert_eq(kc_redis_ping(r, &err), -1);
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);
    cr_assert(strstr(err.message, "timed out"), "%s", err.message);
    kc_redis_free(r);
    close(fd);
}

Test(redis, killed_fails_fast_and_restart_recovers, .init = start, .fini = stop)
{
    struct kc_err err = {0};
    struct kc_redis *r = kc_redis_new(srv.url, 4, 500, &err);
    cr_assert_not_null(r);
    cr_assert_eq(kc_redis_setex(r, "kc:test:k", "v", 1, 60, &err), 0, "%s", err.message);
    kc_test_redis_kill(&srv);
    /* every call fails with UNAVAILABLE; after the first, the backoff answers at once */
    int fast = 0;
    long long t0 = now_ms();
    for (int i = 0; i < 50; i++) {
        char *v = NULL;
        cr_assert_eq(kc_redis_get(r, "kc:test:k", &v, NULL, &err), -1);
        cr_assert_eq(err.code, KC_E_UNAVAILABLE, "%s", err.message);
        fast += strstr(err.message, "next attempt in") != NULL;
    }
    long long spent = now_ms() - t0;
    cr_log_info("50 calls against a dead server: %lld ms, %d answered by the backoff", spent, fast);
    cr_assert_geq(fast, 40, "only %d of 50 calls were answered by the backoff", fast);
    cr_assert_eq(kc_test_redis_restart(&srv), 0);
    long long deadline = now_ms() + 10000;
    int up = -1;
    for (up = kc_redis_ping(r, &err); up != 0 && now_ms() < deadline; up = kc_redis_ping(r, &err))
        sleep_ms(20);
    cr_assert_eq(up, 0, "the pool did not recover: %s", err.message);
    cr_log_info("recovered %lld ms after the restart", now_ms() - deadline + 10000);
    cr_assert_eq(kc_redis_setex(r, "kc:test:k2", "w", 1, 60, &err), 0, "%s", err.message);
    char *v = NULL;
    cr_assert_eq(kc_redis_get(r, "kc:test:k2", &v, NULL, &err), 1, "%s", err.message);
    cr_assert_str_eq(v, "w");
    free(v);
    kc_redis_free(r);
}

Test(redis, pool_for_a_server_that_is_not_there)
{
    char url[64];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d", kc_test_free_port());
    struct kc_err err = {0};
    struct kc_redis *r = kc_redis_new(url, 0, 0, &err);
    cr_assert_not_null(r, "creating the pool never needs the server");
    cr_assert_eq(kc_redis_timeout_ms(r), 2000);
    cr_assert_eq(kc_redis_ping(r, &err), -1);
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);
    cr_assert(strstr(err.message, "refused"), "%s", err.message);
    kc_redis_free(r);
    cr_assert_null(kc_redis_new("http://x", 0, 0, &err));
    cr_assert_eq(err.code, KC_E_INVALID);
}

Test(redis, auth_and_select_from_url, .init = start, .fini = stop)
{
    struct kc_err err = {0};
    struct kc_redis *plain = kc_redis_new(srv.url, 1, 1000, &err);
    redisReply *rep = kc_redis_cmd(plain, &err, "CONFIG SET requirepass %s", "s3cret!");
    cr_assert_not_null(rep, "%s", err.message);
    freeReplyObject(rep);
    kc_redis_free(plain);

    char url[128];
    snprintf(url, sizeof url, "redis://:s3cret%%21@127.0.0.1:%d/3", srv.port);
    struct kc_redis *r = kc_redis_new(url, 1, 1000, &err);
    cr_assert_eq(kc_redis_setex(r, "kc:test:db3", "x", 1, 60, &err), 0, "%s", err.message);
    rep = kc_redis_cmd(r, &err, "CLIENT INFO");
    cr_assert_not_null(rep, "%s", err.message);
    cr_assert(strstr(rep->str, " db=3 "), "%s", rep->str);
    freeReplyObject(rep);
    kc_redis_free(r);

    snprintf(url, sizeof url, "redis://:s3cret%%21@127.0.0.1:%d/0", srv.port);
    r = kc_redis_new(url, 1, 1000, &err);
    char *v = NULL;
    cr_assert_eq(kc_redis_get(r, "kc:test:db3", &v, NULL, &err), 0, "db 0 does not have it");
    kc_redis_free(r);

    snprintf(url, sizeof url, "redis://:wrong@127.0.0.1:%d", srv.port);
    r = kc_redis_new(url, 1, 1000, &err);
    cr_assert_eq(kc_redis_ping(r, &err), -1);
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);
    cr_assert(strstr(err.message, "AUTH"), "%s", err.message);
    cr_assert_null(strstr(err.message, "wrong"), "password leaked: %s", err.message);
    kc_redis_free(r);
}

Test(redis, pubsub, .init = start, .fini = stop)
{
    struct kc_err err = {0};
    struct kc_redis_sub *s = kc_redis_subscribe(srv.url, "kc:progress:42", &err);
    cr_assert_not_null(s, "%s", err.message);
    char *msg = NULL;
    cr_assert_eq(kc_redis_sub_next(s, 100, &msg, &err), 0, "nothing published yet");
    cr_assert_null(msg);
    struct kc_redis *r = kc_redis_new(srv.url, 1, 1000, &err);
    cr_assert_eq(kc_redis_publish(r, "kc:progress:other", "no", &err), 0);
    cr_assert_eq(kc_redis_publish(r, "kc:progress:42", "{\"pct\":10}", &err), 0);
    cr_assert_eq(kc_redis_publish(r, "kc:progress:42", "{\"pct\":20}", &err), 0);
    cr_assert_eq(kc_redis_sub_next(s, 2000, &msg, &err), 1, "%s", err.message);
    cr_assert_str_eq(msg, "{\"pct\":10}");
    free(msg);
    /* the second message may already sit in hiredis' buffer: it must still come out */
    cr_assert_eq(kc_redis_sub_next(s, 2000, &msg, &err), 1, "%s", err.message);
    cr_assert_str_eq(msg, "{\"pct\":20}");
    free(msg);
    cr_assert_eq(kc_redis_sub_next(s, 0, &msg, &err), 0);
    kc_test_redis_kill(&srv);
    cr_assert_eq(kc_redis_sub_next(s, 2000, &msg, &err), -1);
    cr_assert_eq(err.code, KC_E_UNAVAILABLE, "%s", err.message);
    kc_redis_sub_free(s);
    kc_redis_free(r);
    cr_assert_null(kc_redis_subscribe(srv.url, "x", &err), "server is gone");
}

struct incr_arg {
    struct kc_redis *r;
    int failures;
};

static void *incr_many(void *p)
{
    struct incr_arg *a = p;
    for (int i = 0; i < 300; i++) {
        struct kc_err err = {0};
        redisReply *rep = kc_redis_cmd(a->r, &err, "INCR %s", "kc:test:counter");
        if (!rep)
            a->failures++;
        else
            freeReplyObject(rep);
    }
    return NULL;
}

Test(redis, threads_share_a_small_pool, .init = start, .fini = stop)
{
    struct kc_err err = {0};
    struct kc_redis *r = kc_redis_new(srv.url, 3, 2000, &err);
    pthread_t t[8];
    struct incr_arg args[8];
    for (int i = 0; i < 8; i++) {
        args[i] = (struct incr_arg){.r = r};
        pthread_create(&t[i], NULL, incr_many, &args[i]);
    }
    for (int i = 0; i < 8; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < 8; i++) cr_assert_eq(args[i].failures, 0);
    char *v = NULL;
    cr_assert_eq(kc_redis_get(r, "kc:test:counter", &v, NULL, &err), 1);
    cr_assert_str_eq(v, "2400");
    free(v);
    redisReply *rep = kc_redis_cmd(r, &err, "CLIENT LIST");
    int clients = 0;
    for (const char *p = strstr(rep->str, "id="); p; p = strstr(p + 3, "id=")) clients++;
    cr_assert_leq(clients, 3, "pool of 3 opened %d connections", clients);
    freeReplyObject(rep);
    kc_redis_free(r);
}

Test(testutil, spawn_wait_http_kill)
{
    char *dir = kc_test_tmpdir();
    cr_assert_not_null(dir);
    char path[600];
    snprintf(path, sizeof path, "%s/hello.txt", dir);
    FILE *f = fopen(path, "w");
    fputs("hello from a file", f);
    fclose(f);
    char port[16], url[128];
    snprintf(port, sizeof port, "%d", kc_test_free_port());
    char *argv[] = {"python3",   "-m",          "http.server", port, "--bind",
                    "127.0.0.1", "--directory", dir,           NULL};
    pid_t pid = kc_test_spawn(argv, NULL);
    cr_assert_gt(pid, 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%s/hello.txt", port);
    cr_assert_eq(kc_test_wait_http_ok(url, 15000), 0, "server did not come up");
    long status = 0;
    char *body = NULL;
    const char *headers[] = {"X-Test: 1", NULL};
    cr_assert_eq(kc_test_http("GET", url, headers, NULL, &status, &body), 0);
    cr_assert_eq(status, 200);
    cr_assert_str_eq(body, "hello from a file");
    free(body);
    snprintf(url, sizeof url, "http://127.0.0.1:%s/missing", port);
    cr_assert_eq(kc_test_http("GET", url, NULL, NULL, &status, NULL), 0);
    cr_assert_eq(status, 404);
    int st = kc_test_kill(pid, SIGTERM);
    cr_assert(WIFSIGNALED(st) || WIFEXITED(st), "status %d", st);
    cr_assert_eq(kc_test_http("GET", url, NULL, NULL, &status, NULL), -1, "server is gone");
    cr_assert_eq(kc_test_wait_http_ok(url, 200), -1);
    cr_assert_eq(kc_test_rmrf(dir), 0);
    struct stat sb;
    cr_assert_neq(stat(dir, &sb), 0, "tmpdir removed");
    free(dir);
}
