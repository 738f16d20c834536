/*
 * test_jobs.c — job streams against a private redis-server per test: exactly-once processing
 * with nothing left pending, jobs enqueued before any worker existed, a worker process killed
 * mid-job (its job reclaimed by another after claim_idle_ms), retries ending in the dead-letter
 * stream with the last error and attempts, a job that keeps killing workers, a payload that is
 * not JSON, metrics counters, and a prompt stop while idle.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jobs.h"
#include "log.h"
#include "metrics.h"
#include "testutil.h"

#define NJOBS 40

static struct kc_test_redis srv;
static struct kc_redis *r;

static void start(void)
{
    cr_assert_eq(kc_test_redis_start(&srv), 0, "redis-server did not start");
    struct kc_err err = {0};
    r = kc_redis_new(srv.url, 8, 2000, &err);
    cr_assert_not_null(r, "%s", err.message);
    kc_log_init("test", KC_LOG_ERROR, stderr); /* keep expected retries out of the output */
}

static void stop(void)
{
    kc_redis_free(r);
    kc_test_redis_stop(&srv);
}

TestSuite(jobs, .init = start, .fini = stop, .timeout = 60);

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

/* What handlers saw, shared by the worker threads. */
struct seen {
    pthread_mutex_t mu;
    int calls;
    int sleep_ms; /* handler duration */
    int per_job[NJOBS];
    int attempts[8];
    char last_errors[8][128];
    int fail_always;
};

static struct seen seen = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int handler(const struct kc_job *job, void *ctx, struct kc_err *err)
{
    struct seen *s = ctx;
    json_int_t n = json_integer_value(json_object_get(job->payload, "n"));
    pthread_mutex_lock(&s->mu);
    int call = s->calls++;
    if (n >= 0 && n < NJOBS) s->per_job[n]++;
    if (call < 8) {
        s->attempts[call] = job->attempt;
        snprintf(s->last_errors[call], sizeof s->last_errors[0], "%s",
                 job->last_error ? job->last_error : "");
    }
    pthread_mutex_unlock(&s->mu);
    if (s->sleep_ms) sleep_ms(s->sleep_ms);
    if (s->fail_always)
        return kc_err_set(err, KC_E_UNPROCESSABLE, "boom on attempt %d", job->attempt);
    return 0;
}

static int calls(void)
{
    pthread_mutex_lock(&seen.mu);
    int n = seen.calls;
    pthread_mutex_unlock(&seen.mu);
    return n;
}

static void wait_calls(int want, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    while (calls() < want && now_ms() < deadline) sleep_ms(10);
    cr_assert_geq(calls(), want, "handler ran %d times, want %d", calls(), want);
}

static void enqueue_n(const char *kind, int n)
{
    for (int i = 0; i < n; i++) {
        json_t *p = json_pack("{s:i, s:s}", "n", i, "what", "test");
        char id[64] = "";
        struct kc_err err = {0};
        cr_assert_eq(kc_jobs_enqueue(r, kind, p, id, sizeof id, &err), 0, "%s", err.message);
        cr_assert(strchr(id, '-'), "stream id '%s'", id);
        json_decref(p);
    }
}

static long long group_pending(const char *kind)
{
    struct kc_err err = {0};
    char stream[64], group[64];
    snprintf(stream, sizeof stream, "kc:jobs:%s", kind);
    snprintf(group, sizeof group, "%s-workers", kind);
    redisReply *rep = kc_redis_cmd(r, &err, "XPENDING %s %s", stream, group);
    cr_assert_not_null(rep, "%s", err.message);
    long long n = rep->element[0]->integer;
    freeReplyObject(rep);
    return n;
}

static double metric(struct kc_metrics *m, const char *labels)
{
    char *text = kc_metrics_render(m, NULL);
    char key[160];
    snprintf(key, sizeof key, "kc_jobs_total{%s} ", labels);
    const char *p = strstr(text, key);
    double v = p ? atof(p + strlen(key)) : 0;
    free(text);
    return v;
}

static struct kc_worker_config config(const char *kind)
{
    return (struct kc_worker_config){.kind = kind,
                                     .consumer = "test",
                                     .threads = 2,
                                     .block_ms = 100,
                                     .claim_idle_ms = 300,
                                     .max_attempts = 3,
                                     .fn = handler,
                                     .ctx = &seen};
}

Test(jobs, each_job_processed_exactly_once)
{
    struct kc_err err = {0};
    struct kc_metrics *m = kc_metrics_new();
    enqueue_n("early", 5); /* before any worker or group exists */
    struct kc_worker_config cfg = config("early");
    cfg.threads = 3;
    cfg.metrics = m;
    struct kc_workers *w = kc_workers_start(r, &cfg, &err);
    cr_assert_not_null(w, "%s", err.message);
    enqueue_n("early", 0);
    for (int i = 5; i < NJOBS; i++) {
        json_t *p = json_pack("{s:i}", "n", i);
        cr_assert_eq(kc_jobs_enqueue(r, "early", p, NULL, 0, &err), 0);
        json_decref(p);
    }
    wait_calls(NJOBS, 20000);
    long long deadline = now_ms() + 5000;
    while (kc_jobs_pending(r, "early", &err) != 0 && now_ms() < deadline) sleep_ms(10);
    kc_workers_stop(w);
    for (int i = 0; i < NJOBS; i++)
        cr_assert_eq(seen.per_job[i], 1, "job %d ran %d times", i, seen.per_job[i]);
    cr_assert_eq(calls(), NJOBS);
    cr_assert_eq(kc_jobs_pending(r, "early", &err), 0);
    cr_assert_eq(group_pending("early"), 0);
    cr_assert_eq(kc_jobs_dead_count(r, "early", &err), 0);
    cr_assert_float_eq(metric(m, "kind=\"early\",outcome=\"done\""), NJOBS, 1e-9);
    /* the stopped set removed its idle consumers from the group */
    redisReply *rep =
        kc_redis_cmd(r, &err, "XINFO CONSUMERS %s %s", "kc:jobs:early", "early-workers");
    cr_assert_not_null(rep, "%s", err.message);
    cr_assert_eq(rep->elements, 0);
    freeReplyObject(rep);
    kc_metrics_free(m);
}

/* Child: a worker process whose handler dies on the first job it gets. */
static int die_handler(const struct kc_job *job, void *ctx, struct kc_err *err)
{
    (void)job;
    (void)ctx;
    (void)err;
    _exit(42);
}

static void run_dying_worker(const char *url)
{
    struct kc_err err = {0};
    struct kc_redis *cr = kc_redis_new(url, 2, 2000, &err);
    struct kc_worker_config cfg = {.kind = "crash",
                                   .consumer = "doomed",
                                   .block_ms = 100,
                                   .claim_idle_ms = 60000,
                                   .fn = die_handler};
    struct kc_workers *w = cr ? kc_workers_start(cr, &cfg, &err) : NULL;
    if (!w) _exit(1);
    sleep(20); /* the handler exits long before this */
    _exit(2);
}

Test(jobs, killed_worker_job_is_reclaimed)
{
    struct kc_err err = {0};
    struct kc_metrics *m = kc_metrics_new();
    pid_t child = fork();
    cr_assert_geq(child, 0);
    if (child == 0) run_dying_worker(srv.url);
    sleep_ms(300); /* let the child create the group and block on it */
    json_t *p = json_pack("{s:i}", "n", 7);
    cr_assert_eq(kc_jobs_enqueue(r, "crash", p, NULL, 0, &err), 0);
    json_decref(p);
    int status = 0;
    cr_assert_eq(waitpid(child, &status, 0), child);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 42, "child status %d", status);
    cr_assert_eq(group_pending("crash"), 1, "the dead worker left its job pending");

    struct kc_worker_config cfg = config("crash");
    cfg.metrics = m;
    struct kc_workers *w = kc_workers_start(r, &cfg, &err);
    cr_assert_not_null(w, "%s", err.message);
    wait_calls(1, 10000);
    long long deadline = now_ms() + 5000;
    while (group_pending("crash") != 0 && now_ms() < deadline) sleep_ms(10);
    sleep_ms(400); /* a second claim period: it must not run again */
    kc_workers_stop(w);
    cr_assert_eq(calls(), 1);
    cr_assert_eq(seen.per_job[7], 1);
    cr_assert_eq(seen.attempts[0], 2, "a reclaimed job counts the dead delivery");
    cr_assert_eq(group_pending("crash"), 0);
    cr_assert_eq(kc_jobs_pending(r, "crash", &err), 0);
    cr_assert_float_eq(metric(m, "kind=\"crash\",outcome=\"reclaimed\""), 1, 1e-9);
    cr_assert_float_eq(metric(m, "kind=\"crash\",outcome=\"done\""), 1, 1e-9);
    kc_metrics_free(m);
}

Test(jobs, job_taken_by_silent_consumer_is_reclaimed)
{
    struct kc_err err = {0};
    redisReply *rep =
        kc_redis_cmd(r, &err, "XGROUP CREATE %s %s 0 MKSTREAM", "kc:jobs:ghost", "ghost-workers");
    cr_assert_not_null(rep, "%s", err.message);
    freeReplyObject(rep);
    enqueue_n("ghost", 1);
    rep = kc_redis_cmd(r, &err, "XREADGROUP GROUP %s %s COUNT 1 STREAMS %s >", "ghost-workers",
                       "ghost", "kc:jobs:ghost");
    cr_assert(rep && rep->type == REDIS_REPLY_ARRAY, "%s", err.message);
    freeReplyObject(rep);
    struct kc_workers *w = kc_workers_start(r,
                                            &(struct kc_worker_config){.kind = "ghost",
                                                                       .threads = 1,
                                                                       .block_ms = 100,
                                                                       .claim_idle_ms = 300,
                                                                       .fn = handler,
                                                                       .ctx = &seen},
                                            &err);
    cr_assert_not_null(w, "%s", err.message);
    wait_calls(1, 10000);
    kc_workers_stop(w);
    cr_assert_eq(seen.per_job[0], 1);
    cr_assert_eq(group_pending("ghost"), 0);
}

static const char *field(const redisReply *fields, const char *name)
{
    for (size_t i = 0; i + 1 < fields->elements; i += 2)
        if (strcmp(fields->element[i]->str, name) == 0) return fields->element[i + 1]->str;
    return NULL;
}

Test(jobs, failing_job_goes_to_dead_letter)
{
    struct kc_err err = {0};
    struct kc_metrics *m = kc_metrics_new();
    seen.fail_always = 1;
    struct kc_worker_config cfg = config("fails");
    cfg.metrics = m;
    struct kc_workers *w = kc_workers_start(r, &cfg, &err);
    cr_assert_not_null(w, "%s", err.message);
    char id[64];
    json_t *p = json_pack("{s:i, s:s}", "n", 3, "name", "\xea\xb9\x80 applicant");
    cr_assert_eq(kc_jobs_enqueue(r, "fails", p, id, sizeof id, &err), 0);
    long long deadline = now_ms() + 10000;
    while (kc_jobs_dead_count(r, "fails", &err) < 1 && now_ms() < deadline) sleep_ms(10);
    sleep_ms(300); /* nothing more may happen */
    kc_workers_stop(w);
    cr_assert_eq(calls(), 3, "ran %d times for max_attempts 3", calls());
    for (int i = 0; i < 3; i++) cr_assert_eq(seen.attempts[i], i + 1);
    cr_assert_str_eq(seen.last_errors[0], "");
    cr_assert_str_eq(seen.last_errors[1], "boom on attempt 1");
    cr_assert_str_eq(seen.last_errors[2], "boom on attempt 2");
    cr_assert_eq(kc_jobs_dead_count(r, "fails", &err), 1);
    cr_assert_eq(kc_jobs_pending(r, "fails", &err), 0);
    cr_assert_eq(group_pending("fails"), 0);
    redisReply *rep = kc_redis_cmd(r, &err, "XRANGE %s - +", "kc:jobs:fails:dead");
    cr_assert(rep && rep->elements == 1);
    const redisReply *f = rep->element[0]->element[1];
    cr_assert_str_eq(field(f, "attempts"), "3");
    cr_assert_str_eq(field(f, "last_error"), "boom on attempt 3");
    cr_assert_str_eq(field(f, "original_id"), id, "the enqueued id is kept across retries");
    json_t *back = json_loads(field(f, "payload"), 0, NULL);
    cr_assert(json_equal(back, p), "payload survives: %s", field(f, "payload"));
    json_decref(back);
    json_decref(p);
    freeReplyObject(rep);
    cr_assert_float_eq(metric(m, "kind=\"fails\",outcome=\"retried\""), 2, 1e-9);
    cr_assert_float_eq(metric(m, "kind=\"fails\",outcome=\"dead\""), 1, 1e-9);
    kc_metrics_free(m);
}

Test(jobs, job_that_keeps_killing_workers_is_dead_lettered)
{
    struct kc_err err = {0};
    redisReply *rep =
        kc_redis_cmd(r, &err, "XGROUP CREATE %s %s 0 MKSTREAM", "kc:jobs:poison", "poison-workers");
    freeReplyObject(rep);
    char id[64];
    json_t *p = json_pack("{s:i}", "n", 1);
    cr_assert_eq(kc_jobs_enqueue(r, "poison", p, id, sizeof id, &err), 0);
    json_decref(p);
    rep = kc_redis_cmd(r, &err, "XREADGROUP GROUP %s %s STREAMS %s >", "poison-workers", "w1",
                       "kc:jobs:poison");
    freeReplyObject(rep);
    /* as if three workers had died on it in turn */
    rep = kc_redis_cmd(r, &err, "XCLAIM %s %s %s 0 %s RETRYCOUNT 3", "kc:jobs:poison",
                       "poison-workers", "w3", id);
    cr_assert_not_null(rep, "%s", err.message);
    freeReplyObject(rep);
    struct kc_workers *w = kc_workers_start(
        r,
        &(struct kc_worker_config){
            .kind = "poison", .block_ms = 100, .claim_idle_ms = 300, .fn = handler, .ctx = &seen},
        &err);
    long long deadline = now_ms() + 10000;
    while (kc_jobs_dead_count(r, "poison", &err) < 1 && now_ms() < deadline) sleep_ms(10);
    kc_workers_stop(w);
    cr_assert_eq(calls(), 0, "the handler is not run a 4th time");
    cr_assert_eq(kc_jobs_dead_count(r, "poison", &err), 1);
    rep = kc_redis_cmd(r, &err, "XRANGE %s - +", "kc:jobs:poison:dead");
    const redisReply *f = rep->element[0]->element[1];
    cr_assert_str_eq(field(f, "attempts"), "3");
    cr_assert(strstr(field(f, "last_error"), "worker stopped"), "%s", field(f, "last_error"));
    freeReplyObject(rep);
    cr_assert_eq(group_pending("poison"), 0);
}

Test(jobs, payload_that_is_not_json_is_dead_lettered_at_once)
{
    struct kc_err err = {0};
    redisReply *rep =
        kc_redis_cmd(r, &err, "XADD %s * payload %s attempt 1", "kc:jobs:garbage", "{not json");
    freeReplyObject(rep);
    struct kc_workers *w = kc_workers_start(
        r,
        &(struct kc_worker_config){.kind = "garbage", .block_ms = 100, .fn = handler, .ctx = &seen},
        &err);
    long long deadline = now_ms() + 10000;
    while (kc_jobs_dead_count(r, "garbage", &err) < 1 && now_ms() < deadline) sleep_ms(10);
    kc_workers_stop(w);
    cr_assert_eq(calls(), 0);
    rep = kc_redis_cmd(r, &err, "XRANGE %s - +", "kc:jobs:garbage:dead");
    cr_assert(rep && rep->elements == 1);
    const redisReply *f = rep->element[0]->element[1];
    cr_assert(strstr(field(f, "last_error"), "not valid JSON"), "%s", field(f, "last_error"));
    cr_assert_str_eq(field(f, "attempts"), "1");
    freeReplyObject(rep);
}

Test(jobs, stop_while_idle_returns_promptly)
{
    struct kc_err err = {0};
    struct kc_worker_config cfg = config("idle");
    cfg.threads = 4;
    cfg.block_ms = 200;
    struct kc_workers *w = kc_workers_start(r, &cfg, &err);
    cr_assert_not_null(w, "%s", err.message);
    sleep_ms(250);
    long long t0 = now_ms();
    kc_workers_stop(w);
    long long spent = now_ms() - t0;
    cr_log_info("stop of 4 idle workers (block 200 ms) took %lld ms", spent);
    cr_assert_lt(spent, 5000, "stop hung for %lld ms", spent); /* a hang guard, not a benchmark */
}

Test(jobs_api, bad_arguments)
{
    struct kc_err err = {0};
    json_t *p = json_object();
    cr_assert_eq(kc_jobs_enqueue(NULL, "Bad Kind", p, NULL, 0, &err), -1);
    cr_assert_eq(err.code, KC_E_INVALID);
    cr_assert_eq(kc_jobs_enqueue(NULL, "ok", NULL, NULL, 0, &err), -1);
    cr_assert_null(kc_workers_start(NULL, &(struct kc_worker_config){.kind = "x"}, &err),
                   "no handler");
    cr_assert_null(
        kc_workers_start(NULL, &(struct kc_worker_config){.kind = "", .fn = handler}, &err));
    json_decref(p);
}

Test(jobs, workers_start_while_redis_is_down_and_catch_up)
{
    struct kc_err err = {0};
    kc_test_redis_kill(&srv);
    struct kc_workers *w = kc_workers_start(
        r, &(struct kc_worker_config){.kind = "late", .block_ms = 100, .fn = handler, .ctx = &seen},
        &err);
    cr_assert_not_null(w, "a Redis outage does not stop a service from starting: %s", err.message);
    sleep_ms(300);
    cr_assert_eq(kc_test_redis_restart(&srv), 0);
    long long deadline = now_ms() + 10000;
    json_t *p = json_pack("{s:i}", "n", 9);
    int rc = kc_jobs_enqueue(r, "late", p, NULL, 0, &err);
    while (rc != 0 && now_ms() < deadline) {
        sleep_ms(50);
        rc = kc_jobs_enqueue(r, "late", p, NULL, 0, &err);
    }
    json_decref(p);
    cr_assert_eq(rc, 0, "%s", err.message);
    wait_calls(1, 10000);
    kc_workers_stop(w);
    cr_assert_eq(seen.per_job[9], 1);
}

Test(jobs, long_job_is_not_reclaimed_from_a_live_worker)
{
    struct kc_err err = {0};
    struct kc_metrics *m = kc_metrics_new();
    seen.sleep_ms = 1500; /* five times claim_idle_ms */
    struct kc_worker_config cfg = config("slow");
    cfg.threads = 3;
    cfg.metrics = m;
    struct kc_workers *w = kc_workers_start(r, &cfg, &err);
    cr_assert_not_null(w, "%s", err.message);
    enqueue_n("slow", 1);
    long long deadline = now_ms() + 10000;
    while (kc_jobs_pending(r, "slow", &err) != 0 && now_ms() < deadline) sleep_ms(20);
    kc_workers_stop(w);
    cr_assert_eq(calls(), 1, "a running job was handed to a second worker");
    cr_assert_eq(seen.attempts[0], 1);
    cr_assert_float_eq(metric(m, "kind=\"slow\",outcome=\"reclaimed\""), 0, 1e-9);
    cr_assert_eq(group_pending("slow"), 0);
    kc_metrics_free(m);
}

Test(jobs, redis_restart_while_workers_run)
{
    struct kc_err err = {0};
    struct kc_workers *w = kc_workers_start(
        r,
        &(struct kc_worker_config){
            .kind = "restart", .threads = 2, .block_ms = 100, .fn = handler, .ctx = &seen},
        &err);
    cr_assert_not_null(w, "%s", err.message);
    enqueue_n("restart", 1);
    wait_calls(1, 10000);
    kc_test_redis_kill(&srv); /* the data, stream and group are gone with it */
    sleep_ms(300);
    cr_assert_eq(kc_test_redis_restart(&srv), 0);
    json_t *p = json_pack("{s:i}", "n", 5);
    long long deadline = now_ms() + 10000;
    int rc = kc_jobs_enqueue(r, "restart", p, NULL, 0, &err);
    while (rc != 0 && now_ms() < deadline) {
        sleep_ms(50);
        rc = kc_jobs_enqueue(r, "restart", p, NULL, 0, &err);
    }
    json_decref(p);
    cr_assert_eq(rc, 0, "%s", err.message);
    wait_calls(2, 10000); /* the workers re-created the group (NOGROUP) and took it */
    kc_workers_stop(w);
    cr_assert_eq(seen.per_job[5], 1);
}
