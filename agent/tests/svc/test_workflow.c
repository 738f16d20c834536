/*
 * test_workflow.c — the workflow engine against a private redis-server per test:
 *   - a run with a conditional edge takes the branch the state selects, records one timing per
 *     node and ends "done";
 *   - a cycle is stopped by the step limit ("step_limit" error, status failed);
 *   - a transient node failure is retried at the same node, a permanent one fails the run;
 *   - a worker process killed right after its second checkpoint: another worker reclaims the
 *     job (XAUTOCLAIM), resumes from the checkpoint and finishes once — every node ran exactly
 *     once (Redis counters incremented by the nodes);
 *   - graph validation and unknown runs.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/jobs.h"
#include "core/log.h"
#include "testutil.h"
#include "workflow_job.h"

static struct kc_test_redis srv;
static struct kc_redis *r;

struct env {
    struct kc_redis *redis;
    int fail_code; /* node "flaky" fails with this code on attempt 1 */
};

static void start(void)
{
    cr_assert_eq(kc_test_redis_start(&srv), 0, "redis-server did not start");
    struct kc_err err = {0};
    r = kc_redis_new(srv.url, 4, 2000, &err);
    cr_assert_not_null(r, "%s", err.message);
    kc_log_init("test", KC_LOG_ERROR, stderr);
}

static void stop(void)
{
    kc_redis_free(r);
    kc_test_redis_stop(&srv);
}

TestSuite(workflow, .init = start, .fini = stop, .timeout = 90);

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static long long counter(struct kc_redis *rr, const char *node)
{
    struct kc_err err = {0};
    redisReply *rep = kc_redis_cmd(rr, &err, "GET test:count:%s", node);
    long long n = rep && rep->type == REDIS_REPLY_STRING ? atoll(rep->str) : 0;
    if (rep) freeReplyObject(rep);
    return n;
}

/* Every node counts its calls in Redis (the count survives a killed process). */
static int count_call(const struct kc_wf_call *call)
{
    struct env *env = call->env;
    struct kc_err err = {0};
    redisReply *rep = kc_redis_cmd(env->redis, &err, "INCR test:count:%s", call->node);
    if (!rep) return -1;
    freeReplyObject(rep);
    return 0;
}

static int node_mark(const struct kc_wf_call *call, json_t *state, struct kc_err *err)
{
    if (count_call(call) != 0) return kc_err_set(err, KC_E_UNAVAILABLE, "redis down");
    json_t *trail = json_object_get(state, "trail");
    if (!trail) {
        trail = json_array();
        json_object_set_new(state, "trail", trail);
    }
    json_array_append_new(trail, json_string(call->node));
    return 0;
}

/* --- conditional edges ---------------------------------------------------------------------- */

static const char *pick_branch(const json_t *state, void *env)
{
    (void)env;
    json_int_t n = json_integer_value(json_object_get(json_object_get(state, "input"), "n"));
    return n > 5 ? "big" : "small";
}

static const struct kc_wf_node branch_nodes[] = {
    {"measure", node_mark, NULL, pick_branch},
    {"big", node_mark, "finish", NULL},
    {"small", node_mark, "finish", NULL},
    {"finish", node_mark, NULL, NULL},
};
static const struct kc_workflow branch_wf = {"branch", branch_nodes, 4, NULL, 0, NULL};

static struct kc_wf_engine *engine(struct env *env, int lease_ms)
{
    struct kc_err err = {0};
    struct kc_wf_engine_config cfg = {.redis = env->redis, .env = env, .lease_ms = lease_ms};
    struct kc_wf_engine *e = kc_wf_engine_new(&cfg, &err);
    cr_assert_not_null(e, "%s", err.message);
    return e;
}

static json_t *run_direct(struct kc_wf_engine *e, const char *wf, json_t *input)
{
    struct kc_err err = {0};
    char id[KC_WF_RUN_ID_MAX] = "";
    cr_assert_eq(kc_wf_create(e, wf, input, id, sizeof id, &err), 0, "%s", err.message);
    cr_assert_eq(strncmp(id, "wf_", 3), 0);
    cr_assert_eq(kc_wf_run(e, id, 1, true, &err), 0, "%s", err.message);
    json_t *st = kc_wf_status(e, id, &err);
    cr_assert_not_null(st, "%s", err.message);
    json_decref(input);
    return st;
}

static void assert_trail(const json_t *st, const char *const *want, size_t n)
{
    const json_t *trail = json_object_get(json_object_get(st, "state"), "trail");
    cr_assert_eq(json_array_size(trail), n);
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(json_string_value(json_array_get(trail, i)), want[i]);
}

Test(workflow, conditional_edge_takes_the_branch_the_state_selects)
{
    struct env env = {.redis = r};
    struct kc_wf_engine *e = engine(&env, 0);
    struct kc_err err = {0};
    cr_assert_eq(kc_wf_register(e, &branch_wf, &err), 0, "%s", err.message);

    json_t *st = run_direct(e, "branch", json_pack("{s:i}", "n", 9));
    cr_assert_str_eq(json_string_value(json_object_get(st, "status")), "done");
    cr_assert_eq(json_integer_value(json_object_get(st, "steps")), 3);
    const char *big[] = {"measure", "big", "finish"};
    assert_trail(st, big, 3);
    const json_t *timings = json_object_get(st, "node_timings");
    cr_assert_eq(json_array_size(timings), 3);
    for (size_t i = 0; i < 3; i++) {
        const json_t *t = json_array_get(timings, i);
        cr_assert_str_eq(json_string_value(json_object_get(t, "node")), big[i]);
        cr_assert(json_real_value(json_object_get(t, "ms")) >= 0.0);
        cr_assert(json_is_true(json_object_get(t, "ok")));
    }
    cr_assert_eq(json_array_size(json_object_get(st, "errors")), 0);
    cr_assert(json_is_null(json_object_get(st, "next_node")));
    json_decref(st);

    st = run_direct(e, "branch", json_pack("{s:i}", "n", 2));
    const char *small[] = {"measure", "small", "finish"};
    assert_trail(st, small, 3);
    json_decref(st);
    cr_assert_eq(counter(r, "finish"), 2);
    kc_wf_engine_free(e);
}

/* --- step limit ----------------------------------------------------------------------------- */

static const char *loop_forever(const json_t *state, void *env)
{
    (void)state;
    (void)env;
    return "spin";
}

static const struct kc_wf_node loop_nodes[] = {{"spin", node_mark, NULL, loop_forever}};
static const struct kc_workflow loop_wf = {"loop", loop_nodes, 1, NULL, 5, NULL};

Test(workflow, step_limit_stops_a_cycle)
{
    struct env env = {.redis = r};
    struct kc_wf_engine *e = engine(&env, 0);
    struct kc_err err = {0};
    cr_assert_eq(kc_wf_register(e, &loop_wf, &err), 0, "%s", err.message);
    json_t *st = run_direct(e, "loop", json_object());
    cr_assert_str_eq(json_string_value(json_object_get(st, "status")), "failed");
    cr_assert_eq(json_integer_value(json_object_get(st, "steps")), 5);
    cr_assert_eq(json_integer_value(json_object_get(st, "max_steps")), 5);
    const json_t *errors = json_object_get(st, "errors");
    cr_assert_eq(json_array_size(errors), 1);
    const json_t *e0 = json_array_get(errors, 0);
    cr_assert_str_eq(json_string_value(json_object_get(e0, "code")), "step_limit");
    cr_assert_str_eq(json_string_value(json_object_get(e0, "node")), "spin");
    cr_assert_eq(counter(r, "spin"), 5);
    json_decref(st);
    kc_wf_engine_free(e);
}

/* --- failures ------------------------------------------------------------------------------- */

static int node_flaky(const struct kc_wf_call *call, json_t *state, struct kc_err *err)
{
    struct env *env = call->env;
    if (call->attempt == 1) return kc_err_set(err, env->fail_code, "flaky failure on attempt 1");
    return node_mark(call, state, err);
}

static const struct kc_wf_node flaky_nodes[] = {
    {"first", node_mark, "flaky", NULL},
    {"flaky", node_flaky, NULL, NULL},
};
static const struct kc_workflow flaky_wf = {"flaky", flaky_nodes, 2, NULL, 0, NULL};

Test(workflow, transient_failure_retries_at_the_same_node)
{
    struct env env = {.redis = r, .fail_code = KC_E_UNAVAILABLE};
    struct kc_wf_engine *e = engine(&env, 0);
    struct kc_err err = {0};
    cr_assert_eq(kc_wf_register(e, &flaky_wf, &err), 0, "%s", err.message);
    char id[KC_WF_RUN_ID_MAX] = "";
    json_t *in = json_object();
    cr_assert_eq(kc_wf_create(e, "flaky", in, id, sizeof id, &err), 0, "%s", err.message);
    json_decref(in);
    cr_assert_eq(kc_wf_run(e, id, 1, false, &err), -1, "a transient failure asks for a retry");
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);
    json_t *st = kc_wf_status(e, id, &err);
    cr_assert_str_eq(json_string_value(json_object_get(st, "next_node")), "flaky");
    cr_assert_eq(json_integer_value(json_object_get(st, "steps")), 1);
    json_decref(st);
    cr_assert_eq(kc_wf_run(e, id, 2, false, &err), 0, "%s", err.message);
    st = kc_wf_status(e, id, &err);
    cr_assert_str_eq(json_string_value(json_object_get(st, "status")), "done");
    cr_assert_eq(json_array_size(json_object_get(st, "errors")), 1);
    cr_assert_eq(counter(r, "first"), 1, "the completed node is not run again");
    json_decref(st);
    kc_wf_engine_free(e);
}

Test(workflow, permanent_failure_ends_the_run)
{
    struct env env = {.redis = r, .fail_code = KC_E_INVALID};
    struct kc_wf_engine *e = engine(&env, 0);
    struct kc_err err = {0};
    cr_assert_eq(kc_wf_register(e, &flaky_wf, &err), 0, "%s", err.message);
    json_t *st = run_direct(e, "flaky", json_object());
    cr_assert_str_eq(json_string_value(json_object_get(st, "status")), "failed");
    const json_t *e0 = json_array_get(json_object_get(st, "errors"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(e0, "code")), "invalid_field");
    cr_assert_str_eq(json_string_value(json_object_get(e0, "message")),
                     "flaky failure on attempt 1");
    const json_t *t1 = json_array_get(json_object_get(st, "node_timings"), 1);
    cr_assert(json_is_false(json_object_get(t1, "ok")));
    json_decref(st);
    kc_wf_engine_free(e);
}

/* --- crash and resume ----------------------------------------------------------------------- */

static const struct kc_wf_node chain_nodes[] = {
    {"a", node_mark, "b", NULL},
    {"b", node_mark, "c", NULL},
    {"c", node_mark, "d", NULL},
    {"d", node_mark, NULL, NULL},
};
static const struct kc_workflow chain_wf = {"chain", chain_nodes, 4, NULL, 0, NULL};

static void die_after_second(const char *run_id, const char *node, int steps, void *ctx)
{
    (void)run_id;
    (void)node;
    (void)ctx;
    if (steps == 2) kill(getpid(), SIGKILL);
}

/* The child: its own pool, engine and worker; killed by its hook after node b's checkpoint. */
static void child_worker(const char *url)
{
    struct kc_err err = {0};
    struct kc_redis *cr = kc_redis_new(url, 2, 2000, &err);
    struct env env = {.redis = cr};
    struct kc_wf_engine_config cfg = {
        .redis = cr, .env = &env, .lease_ms = 1500, .on_checkpoint = die_after_second};
    struct kc_wf_engine *e = cr ? kc_wf_engine_new(&cfg, &err) : NULL;
    if (!e || kc_wf_register(e, &chain_wf, &err) != 0) _exit(3);
    struct kc_worker_config wc = {.kind = KC_WF_JOB_KIND,
                                  .consumer = "doomed",
                                  .block_ms = 200,
                                  .claim_idle_ms = 600000,
                                  .fn = kc_wf_job,
                                  .ctx = e};
    if (!kc_workers_start(cr, &wc, &err)) _exit(4);
    sleep(30);
    _exit(5); /* the hook should have killed us long before */
}

static json_t *wait_done(struct kc_wf_engine *e, const char *id, int timeout_ms)
{
    struct kc_err err = {0};
    for (int waited = 0; waited < timeout_ms; waited += 100) {
        json_t *st = kc_wf_status(e, id, &err);
        const char *s = st ? json_string_value(json_object_get(st, "status")) : NULL;
        if (s && (strcmp(s, "done") == 0 || strcmp(s, "failed") == 0)) return st;
        json_decref(st);
        sleep_ms(100);
    }
    return NULL;
}

Test(workflow, killed_after_second_node_resumes_from_checkpoint_and_finishes_once)
{
    struct env env = {.redis = r};
    struct kc_wf_engine *e = engine(&env, 1500);
    struct kc_err err = {0};
    cr_assert_eq(kc_wf_register(e, &chain_wf, &err), 0, "%s", err.message);
    char id[KC_WF_RUN_ID_MAX] = "";
    json_t *in = json_pack("{s:s}", "who", "test");
    cr_assert_eq(kc_wf_submit(e, "chain", in, id, sizeof id, &err), 0, "%s", err.message);
    json_decref(in);

    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) child_worker(srv.url);
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child status %d", status);

    json_t *st = kc_wf_status(e, id, &err);
    cr_assert_not_null(st, "%s", err.message);
    cr_assert_eq(json_integer_value(json_object_get(st, "steps")), 2);
    cr_assert_str_eq(json_string_value(json_object_get(st, "next_node")), "c");
    cr_assert_str_eq(json_string_value(json_object_get(st, "status")), "running");
    json_decref(st);
    cr_assert_eq(counter(r, "c"), 0, "the child died before node c");

    struct kc_worker_config wc = {.kind = KC_WF_JOB_KIND,
                                  .consumer = "rescuer",
                                  .block_ms = 200,
                                  .claim_idle_ms = 300,
                                  .fn = kc_wf_job,
                                  .ctx = e};
    struct kc_workers *w = kc_workers_start(r, &wc, &err);
    cr_assert_not_null(w, "%s", err.message);
    st = wait_done(e, id, 30000);
    cr_assert_not_null(st, "the run did not finish after the reclaim");
    kc_workers_stop(w);

    cr_assert_str_eq(json_string_value(json_object_get(st, "status")), "done");
    cr_assert_eq(json_integer_value(json_object_get(st, "steps")), 4);
    const char *all[] = {"a", "b", "c", "d"};
    assert_trail(st, all, 4);
    for (size_t i = 0; i < 4; i++) cr_assert_eq(counter(r, all[i]), 1, "node %s", all[i]);
    const json_t *timings = json_object_get(st, "node_timings");
    cr_assert_eq(json_array_size(timings), 4);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(timings, 2), "attempt")), 2,
                 "node c ran on the reclaimed delivery");
    json_decref(st);
    cr_assert_eq(kc_jobs_pending(r, KC_WF_JOB_KIND, &err), 0);
    cr_assert_eq(kc_jobs_dead_count(r, KC_WF_JOB_KIND, &err), 0);
    kc_wf_engine_free(e);
}

/* --- validation ----------------------------------------------------------------------------- */

static const struct kc_wf_node dangling_nodes[] = {{"x", node_mark, "nowhere", NULL}};
static const struct kc_workflow dangling_wf = {"dangling", dangling_nodes, 1, NULL, 0, NULL};
static const struct kc_wf_node dup_nodes[] = {{"x", node_mark, NULL, NULL},
                                              {"x", node_mark, NULL, NULL}};
static const struct kc_workflow dup_wf = {"dup", dup_nodes, 2, NULL, 0, NULL};

static const char *to_ghost(const json_t *state, void *env)
{
    (void)state;
    (void)env;
    return "ghost";
}
static const struct kc_wf_node ghost_nodes[] = {{"x", node_mark, NULL, to_ghost}};
static const struct kc_workflow ghost_wf = {"ghost", ghost_nodes, 1, NULL, 0, NULL};

Test(workflow, bad_graphs_unknown_runs_and_edges_to_nowhere)
{
    struct env env = {.redis = r};
    struct kc_wf_engine *e = engine(&env, 0);
    struct kc_err err = {0};
    cr_assert_eq(kc_wf_register(e, &dangling_wf, &err), -1);
    cr_assert(strstr(err.message, "nowhere"), "%s", err.message);
    cr_assert_eq(kc_wf_register(e, &dup_wf, &err), -1);
    cr_assert(strstr(err.message, "duplicate"), "%s", err.message);
    cr_assert_eq(kc_wf_register(e, &ghost_wf, &err), 0, "%s", err.message);
    cr_assert_eq(kc_wf_register(e, &ghost_wf, &err), -1, "registered twice");

    json_t *st = run_direct(e, "ghost", json_object());
    cr_assert_str_eq(json_string_value(json_object_get(st, "status")), "failed");
    const json_t *e0 = json_array_get(json_object_get(st, "errors"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(e0, "code")), "unknown_node");
    json_decref(st);

    char id[KC_WF_RUN_ID_MAX] = "";
    json_t *in = json_object();
    cr_assert_eq(kc_wf_create(e, "nope", in, id, sizeof id, &err), -1);
    cr_assert_eq(err.code, KC_E_NOT_FOUND);
    json_decref(in);
    cr_assert_null(kc_wf_status(e, "wf_0000", &err));
    cr_assert_eq(err.code, KC_E_NOT_FOUND);
    cr_assert_null(kc_wf_status(e, "../etc", &err));
    cr_assert(!kc_wf_run_id_valid("a b"));
    cr_assert(kc_wf_run_id_valid("app-12.3_x"));
    kc_wf_engine_free(e);
}

Test(workflow, caller_chosen_run_id_is_created_once)
{
    struct env env = {.redis = r};
    struct kc_wf_engine *e = engine(&env, 0);
    struct kc_err err = {0};
    cr_assert_eq(kc_wf_register(e, &chain_wf, &err), 0, "%s", err.message);
    char id[KC_WF_RUN_ID_MAX] = "app-42";
    json_t *in = json_object();
    cr_assert_eq(kc_wf_create(e, "chain", in, id, sizeof id, &err), 0, "%s", err.message);
    cr_assert_eq(kc_wf_run(e, id, 1, true, &err), 0, "%s", err.message);
    cr_assert_eq(kc_wf_create(e, "chain", in, id, sizeof id, &err), 1, "exists already");
    cr_assert_eq(kc_wf_run(e, id, 1, true, &err), 0, "a finished run is not run again");
    cr_assert_eq(counter(r, "a"), 1);
    json_decref(in);
    kc_wf_engine_free(e);
}
