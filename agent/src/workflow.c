/*
 * workflow.c — the workflow engine (design, Redis layout and invariants in workflow.h).
 *
 * A run executes as: take the run lock → load the checkpoint hash → loop { check the step
 * limit; copy the state; call the node on the copy; time it; pick the successor; write state,
 * next_node, steps, status, timings and errors in one fenced Lua script } → release the lock.
 * The loaded checkpoint is kept in a struct run while the loop works; Redis is written once
 * per node (plus once when the run fails).
 */
#include "workflow.h"
#include "workflow_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"

#define MAX_WORKFLOWS 16
#define NAME_MAX_LEN  64
#define LOCK_POLL_MS  100

struct kc_wf_engine {
    struct kc_wf_engine_config cfg;
    const struct kc_workflow *wf[MAX_WORKFLOWS];
    size_t n_wf;
};

/* The checkpoint while a worker executes it. */
struct run {
    char id[KC_WF_RUN_ID_MAX];
    char key[KC_WF_RUN_ID_MAX + 16], lock[KC_WF_RUN_ID_MAX + 24];
    char token[40];
    const struct kc_workflow *wf;
    json_t *state, *timings, *errors;
    char next[NAME_MAX_LEN], status[16];
    int steps, max_steps;
    long long created_at, updated_at;
};

/* Fenced checkpoint: KEYS[1] run hash, KEYS[2] lock; ARGV[1] token, ARGV[2] ttl s,
 * ARGV[3] lease ms, ARGV[4..] field/value pairs. Returns 1, or 0 when the lock is lost. */
static const char CHECKPOINT_LUA[] = "if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end "
                                     "redis.call('HSET', KEYS[1], unpack(ARGV, 4)) "
                                     "redis.call('EXPIRE', KEYS[1], ARGV[2]) "
                                     "redis.call('PEXPIRE', KEYS[2], ARGV[3]) "
                                     "return 1";
static const char UNLOCK_LUA[] =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end "
    "return 0";

static long long wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int random_hex(char *out, size_t nbytes)
{
    unsigned char buf[32];
    if (nbytes > sizeof buf || getrandom(buf, nbytes, 0) != (ssize_t)nbytes) return -1;
    for (size_t i = 0; i < nbytes; i++) snprintf(out + 2 * i, 3, "%02x", buf[i]);
    return 0;
}

/* ---- registry ----------------------------------------------------------------------------- */

struct kc_wf_engine *kc_wf_engine_new(const struct kc_wf_engine_config *cfg, struct kc_err *err)
{
    if (!cfg || !cfg->redis) {
        kc_err_set(err, KC_E_INVALID, "workflow engine: a Redis pool is required");
        return NULL;
    }
    struct kc_wf_engine *e = calloc(1, sizeof *e);
    if (!e) {
        kc_err_set(err, KC_E_NOMEM, "workflow engine: out of memory");
        return NULL;
    }
    e->cfg = *cfg;
    if (e->cfg.ttl_s <= 0) e->cfg.ttl_s = KC_WF_TTL_S;
    if (e->cfg.lease_ms <= 0) e->cfg.lease_ms = KC_WF_DEFAULT_LEASE_MS;
    if (e->cfg.max_attempts <= 0) e->cfg.max_attempts = 3;
    return e;
}

void kc_wf_engine_free(struct kc_wf_engine *e)
{
    free(e);
}

static const struct kc_wf_node *find_node(const struct kc_workflow *wf, const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; i < wf->n_nodes; i++)
        if (strcmp(wf->nodes[i].name, name) == 0) return &wf->nodes[i];
    return NULL;
}

static const char *start_of(const struct kc_workflow *wf)
{
    return wf->start ? wf->start : wf->nodes[0].name;
}

static int check_graph(const struct kc_workflow *wf, struct kc_err *err)
{
    if (!wf->name || !wf->nodes || wf->n_nodes == 0)
        return kc_err_set(err, KC_E_INVALID, "workflow without a name or nodes");
    for (size_t i = 0; i < wf->n_nodes; i++) {
        const struct kc_wf_node *n = &wf->nodes[i];
        if (!n->name || !n->run || strlen(n->name) >= NAME_MAX_LEN)
            return kc_err_set(err, KC_E_INVALID, "workflow %s: node %zu lacks a name or function",
                              wf->name, i);
        for (size_t j = 0; j < i; j++)
            if (strcmp(wf->nodes[j].name, n->name) == 0)
                return kc_err_set(err, KC_E_INVALID, "workflow %s: duplicate node %s", wf->name,
                                  n->name);
    }
    for (size_t i = 0; i < wf->n_nodes; i++) {
        const struct kc_wf_node *n = &wf->nodes[i];
        if (!n->edge && n->next && !find_node(wf, n->next))
            return kc_err_set(err, KC_E_INVALID, "workflow %s: node %s leads to unknown node %s",
                              wf->name, n->name, n->next);
    }
    if (!find_node(wf, start_of(wf)))
        return kc_err_set(err, KC_E_INVALID, "workflow %s: unknown start node", wf->name);
    return 0;
}

int kc_wf_register(struct kc_wf_engine *e, const struct kc_workflow *wf, struct kc_err *err)
{
    if (check_graph(wf, err) != 0) return -1;
    if (kc_wf_find(e, wf->name))
        return kc_err_set(err, KC_E_INVALID, "workflow %s registered twice", wf->name);
    if (e->n_wf == MAX_WORKFLOWS)
        return kc_err_set(err, KC_E_INVALID, "too many workflows (max %d)", MAX_WORKFLOWS);
    e->wf[e->n_wf++] = wf;
    return 0;
}

const struct kc_workflow *kc_wf_find(const struct kc_wf_engine *e, const char *name)
{
    for (size_t i = 0; name && i < e->n_wf; i++)
        if (strcmp(e->wf[i]->name, name) == 0) return e->wf[i];
    return NULL;
}

bool kc_wf_run_id_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n >= KC_WF_RUN_ID_MAX) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.';
        if (!ok) return false;
    }
    return true;
}

static void run_keys(struct run *r, const char *run_id)
{
    snprintf(r->id, sizeof r->id, "%s", run_id);
    snprintf(r->key, sizeof r->key, "kc:agent:wf:%s", run_id);
    snprintf(r->lock, sizeof r->lock, "kc:agent:wf:%s:lock", run_id);
}

static int max_steps_of(const struct kc_workflow *wf)
{
    return wf->max_steps > 0 ? wf->max_steps : KC_WF_DEFAULT_MAX_STEPS;
}

/* ---- creation ----------------------------------------------------------------------------- */

static int store_new(struct kc_wf_engine *e, const struct kc_workflow *wf, const char *key,
                     const json_t *input, struct kc_err *err)
{
    json_t *state = json_pack("{s:O}", "input", (json_t *)input);
    char *text = state ? json_dumps(state, JSON_COMPACT) : NULL;
    json_decref(state);
    if (!text) return kc_err_set(err, KC_E_NOMEM, "workflow: cannot serialise the input");
    char steps[16], created[32], ttl[16];
    snprintf(steps, sizeof steps, "%d", max_steps_of(wf));
    snprintf(created, sizeof created, "%lld", wall_ms());
    snprintf(ttl, sizeof ttl, "%d", e->cfg.ttl_s);
    /* HSETNX on "workflow" makes creation of a caller-chosen id idempotent. */
    const char *argv[] = {"EVAL",
                          "if redis.call('HSETNX', KEYS[1], 'workflow', ARGV[1]) == 0 then "
                          "return 0 end "
                          "redis.call('HSET', KEYS[1], 'state', ARGV[2], 'next_node', ARGV[3], "
                          "'steps', '0', 'max_steps', ARGV[4], 'status', 'queued', "
                          "'node_timings', '[]', 'errors', '[]', 'created_at', ARGV[5], "
                          "'updated_at', ARGV[5]) "
                          "redis.call('EXPIRE', KEYS[1], ARGV[6]) return 1",
                          "1",
                          key,
                          wf->name,
                          text,
                          start_of(wf),
                          steps,
                          created,
                          ttl};
    size_t argc = sizeof argv / sizeof *argv, lens[sizeof argv / sizeof *argv];
    for (size_t i = 0; i < argc; i++) lens[i] = strlen(argv[i]);
    redisReply *rep = kc_redis_cmdargv(e->cfg.redis, (int)argc, argv, lens, err);
    free(text);
    if (!rep) return -1;
    int rc = rep->type == REDIS_REPLY_INTEGER ? (rep->integer == 1 ? 0 : 1) : -1;
    if (rc < 0) kc_err_set(err, KC_E_UNAVAILABLE, "redis: %s", rep->str ? rep->str : "bad reply");
    freeReplyObject(rep);
    return rc;
}

int kc_wf_create(struct kc_wf_engine *e, const char *workflow, const json_t *input, char *run_id,
                 size_t cap, struct kc_err *err)
{
    const struct kc_workflow *wf = kc_wf_find(e, workflow);
    if (!wf) return kc_err_field(err, KC_E_NOT_FOUND, "name", "no workflow named \"%s\"", workflow);
    if (!json_is_object(input))
        return kc_err_field(err, KC_E_INVALID, "input", "the workflow input must be an object");
    if (wf->check_input && wf->check_input(input, e->cfg.env, err) != 0) return -1;
    if (cap < KC_WF_RUN_ID_MAX) return kc_err_set(err, KC_E_INVALID, "run id buffer too small");
    if (!run_id[0]) {
        memcpy(run_id, "wf_", 3);
        if (random_hex(run_id + 3, 16) != 0)
            return kc_err_set(err, KC_E_INTERNAL, "workflow: no randomness for a run id");
    } else if (!kc_wf_run_id_valid(run_id)) {
        return kc_err_field(err, KC_E_INVALID, "run_id", "invalid run id");
    }
    struct run r;
    run_keys(&r, run_id);
    return store_new(e, wf, r.key, input, err);
}

int kc_wf_submit(struct kc_wf_engine *e, const char *workflow, const json_t *input, char *run_id,
                 size_t cap, struct kc_err *err)
{
    int rc = kc_wf_create(e, workflow, input, run_id, cap, err);
    if (rc < 0) return -1;
    json_t *payload = json_pack("{s:s}", "run_id", run_id);
    rc = kc_jobs_enqueue(e->cfg.redis, KC_WF_JOB_KIND, payload, NULL, 0, err);
    json_decref(payload);
    return rc;
}

/* ---- loading ------------------------------------------------------------------------------ */

static json_t *parse_field(const char *s, size_t n)
{
    json_error_t jerr;
    return json_loadb(s, n, 0, &jerr);
}

static void run_clear(struct run *r)
{
    json_decref(r->state);
    json_decref(r->timings);
    json_decref(r->errors);
    r->state = r->timings = r->errors = NULL;
}

static void take_field(struct kc_wf_engine *e, struct run *r, const char *k, const redisReply *v)
{
    if (strcmp(k, "workflow") == 0)
        r->wf = kc_wf_find(e, v->str);
    else if (strcmp(k, "state") == 0)
        r->state = parse_field(v->str, v->len);
    else if (strcmp(k, "node_timings") == 0)
        r->timings = parse_field(v->str, v->len);
    else if (strcmp(k, "errors") == 0)
        r->errors = parse_field(v->str, v->len);
    else if (strcmp(k, "next_node") == 0)
        snprintf(r->next, sizeof r->next, "%s", v->str);
    else if (strcmp(k, "status") == 0)
        snprintf(r->status, sizeof r->status, "%s", v->str);
    else if (strcmp(k, "steps") == 0)
        r->steps = atoi(v->str);
    else if (strcmp(k, "max_steps") == 0)
        r->max_steps = atoi(v->str);
    else if (strcmp(k, "created_at") == 0)
        r->created_at = atoll(v->str);
    else if (strcmp(k, "updated_at") == 0)
        r->updated_at = atoll(v->str);
}

/* 0 loaded, -1 error (KC_E_NOT_FOUND when missing, KC_E_INTERNAL when corrupt). */
static int run_load(struct kc_wf_engine *e, struct run *r, struct kc_err *err)
{
    redisReply *rep = kc_redis_cmd(e->cfg.redis, err, "HGETALL %s", r->key);
    if (!rep) return -1;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements == 0) {
        freeReplyObject(rep);
        return kc_err_field(err, KC_E_NOT_FOUND, "run_id",
                            "no workflow run %s (unknown or expired)", r->id);
    }
    for (size_t i = 0; i + 1 < rep->elements; i += 2)
        take_field(e, r, rep->element[i]->str, rep->element[i + 1]);
    freeReplyObject(rep);
    if (!r->wf || !json_is_object(r->state) || !json_is_array(r->timings) ||
        !json_is_array(r->errors)) {
        run_clear(r);
        return kc_err_set(err, KC_E_INTERNAL, "workflow run %s: corrupt checkpoint", r->id);
    }
    return 0;
}

/* ---- locking and checkpoints -------------------------------------------------------------- */

static int lock_take(struct kc_wf_engine *e, struct run *r, struct kc_err *err)
{
    if (random_hex(r->token, 16) != 0) return kc_err_set(err, KC_E_INTERNAL, "no randomness");
    double deadline = mono_ms() + e->cfg.lease_ms + 1000;
    char lease[16];
    snprintf(lease, sizeof lease, "%d", e->cfg.lease_ms);
    for (;;) {
        redisReply *rep =
            kc_redis_cmd(e->cfg.redis, err, "SET %s %s NX PX %s", r->lock, r->token, lease);
        if (!rep) return -1;
        int got = rep->type == REDIS_REPLY_STATUS;
        freeReplyObject(rep);
        if (got) return 0;
        if (mono_ms() > deadline)
            return kc_err_set(err, KC_E_UNAVAILABLE, "workflow run %s is held by another worker",
                              r->id);
        usleep(LOCK_POLL_MS * 1000);
    }
}

static void lock_release(struct kc_wf_engine *e, struct run *r)
{
    struct kc_err err = {0};
    redisReply *rep =
        kc_redis_cmd(e->cfg.redis, &err, "EVAL %s 1 %s %s", UNLOCK_LUA, r->lock, r->token);
    if (rep) freeReplyObject(rep);
}

static void publish(struct kc_wf_engine *e, const struct run *r, const char *node)
{
    char chan[KC_WF_RUN_ID_MAX + 16];
    snprintf(chan, sizeof chan, "kc:progress:%s", r->id);
    json_t *msg = json_pack("{s:s,s:s,s:s?,s:i,s:s}", "run_id", r->id, "workflow", r->wf->name,
                            "node", node, "steps", r->steps, "status", r->status);
    char *text = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
    struct kc_err err = {0};
    if (text) kc_redis_publish(e->cfg.redis, chan, text, &err);
    free(text);
    json_decref(msg);
}

/* Write the whole checkpoint under the lock. -1 with KC_E_CONFLICT when the lease was lost. */
static int checkpoint(struct kc_wf_engine *e, struct run *r, const char *node, struct kc_err *err)
{
    char *state = json_dumps(r->state, JSON_COMPACT);
    char *timings = json_dumps(r->timings, JSON_COMPACT);
    char *errors = json_dumps(r->errors, JSON_COMPACT);
    char ttl[16], lease[16], steps[16], updated[32];
    snprintf(ttl, sizeof ttl, "%d", e->cfg.ttl_s);
    snprintf(lease, sizeof lease, "%d", e->cfg.lease_ms);
    snprintf(steps, sizeof steps, "%d", r->steps);
    snprintf(updated, sizeof updated, "%lld", wall_ms());
    int rc = -1;
    if (!state || !timings || !errors) {
        kc_err_set(err, KC_E_NOMEM, "workflow: cannot serialise the checkpoint");
        goto out;
    }
    const char *argv[] = {
        "EVAL",   CHECKPOINT_LUA, "2",          r->key,    r->lock,        r->token,
        ttl,      lease,          "state",      state,     "next_node",    r->next,
        "steps",  steps,          "status",     r->status, "node_timings", timings,
        "errors", errors,         "updated_at", updated};
    size_t argc = sizeof argv / sizeof *argv, lens[sizeof argv / sizeof *argv];
    for (size_t i = 0; i < argc; i++) lens[i] = strlen(argv[i]);
    redisReply *rep = kc_redis_cmdargv(e->cfg.redis, (int)argc, argv, lens, err);
    if (!rep) goto out;
    if (rep->type == REDIS_REPLY_INTEGER && rep->integer == 1)
        rc = 0;
    else if (rep->type == REDIS_REPLY_INTEGER)
        kc_err_set(err, KC_E_CONFLICT, "workflow run %s: lease lost to another worker", r->id);
    else
        kc_err_set(err, KC_E_UNAVAILABLE, "redis: %s", rep->str ? rep->str : "bad reply");
    freeReplyObject(rep);
out:
    free(state);
    free(timings);
    free(errors);
    if (rc == 0) {
        publish(e, r, node);
        if (e->cfg.on_checkpoint) e->cfg.on_checkpoint(r->id, node, r->steps, e->cfg.hook_ctx);
    }
    return rc;
}

/* ---- execution ---------------------------------------------------------------------------- */

static bool is_transient(enum kc_err_code c)
{
    return c == KC_E_UNAVAILABLE || c == KC_E_IO || c == KC_E_NOMEM || c == KC_E_RATE_LIMIT;
}

static void add_error(struct run *r, const char *node, int attempt, const char *code,
                      const char *message)
{
    json_array_append_new(r->errors,
                          json_pack("{s:s?,s:i,s:i,s:s,s:s}", "node", node, "step", r->steps + 1,
                                    "attempt", attempt, "code", code, "message", message));
}

/* End the run as failed and store it. */
static int fail_run(struct kc_wf_engine *e, struct run *r, const char *node, int attempt,
                    const char *code, const char *message, struct kc_err *err)
{
    add_error(r, node, attempt, code, message);
    snprintf(r->status, sizeof r->status, "failed");
    kc_log(KC_LOG_WARN, NULL, "workflow %s run %s failed at %s: %s", r->wf->name, r->id,
           node ? node : "-", message);
    return checkpoint(e, r, node, err);
}

/* Successor of node n after it ran on `state`. Sets *unknown when an edge named no node. */
static const char *successor(struct kc_wf_engine *e, const struct run *r,
                             const struct kc_wf_node *n, const json_t *state, bool *unknown)
{
    const char *next = n->edge ? n->edge(state, e->cfg.env) : n->next;
    *unknown = next && !find_node(r->wf, next);
    return next;
}

/* Run one node. 1 = continue, 0 = run finished, -1 = transient failure (retry the job). */
static int step(struct kc_wf_engine *e, struct run *r, int attempt, bool last, struct kc_err *err)
{
    const struct kc_wf_node *n = find_node(r->wf, r->next);
    char msg[600];
    if (!n) {
        snprintf(msg, sizeof msg, "checkpoint names unknown node \"%s\"", r->next);
        return fail_run(e, r, r->next, attempt, "unknown_node", msg, err) == 0 ? 0 : -1;
    }
    if (r->steps >= r->max_steps) {
        snprintf(msg, sizeof msg, "step limit %d reached before node %s", r->max_steps, n->name);
        return fail_run(e, r, n->name, attempt, "step_limit", msg, err) == 0 ? 0 : -1;
    }
    json_t *work = json_deep_copy(r->state);
    if (!work) return kc_err_set(err, KC_E_NOMEM, "workflow: out of memory");
    struct kc_wf_call call = {
        .env = e->cfg.env, .run_id = r->id, .node = n->name, .attempt = attempt};
    struct kc_err nerr = {0};
    double t0 = mono_ms();
    int rc = n->run(&call, work, &nerr);
    double ms = mono_ms() - t0;
    json_array_append_new(r->timings,
                          json_pack("{s:s,s:i,s:f,s:i,s:b}", "node", n->name, "step", r->steps + 1,
                                    "ms", ms, "attempt", attempt, "ok", rc == 0));
    if (rc != 0) {
        json_decref(work);
        const char *code = kc_err_code_name(nerr.code);
        if (is_transient(nerr.code) && !last) {
            add_error(r, n->name, attempt, code, nerr.message);
            if (checkpoint(e, r, n->name, err) != 0) return -1;
            *err = nerr;
            return -1;
        }
        return fail_run(e, r, n->name, attempt, code, nerr.message, err) == 0 ? 0 : -1;
    }
    bool unknown = false;
    const char *next = successor(e, r, n, work, &unknown);
    json_decref(r->state);
    r->state = work;
    if (unknown) {
        snprintf(msg, sizeof msg, "edge after %s chose unknown node \"%s\"", n->name, next);
        return fail_run(e, r, n->name, attempt, "unknown_node", msg, err) == 0 ? 0 : -1;
    }
    r->steps++;
    snprintf(r->next, sizeof r->next, "%s", next ? next : "");
    snprintf(r->status, sizeof r->status, "%s", next ? "running" : "done");
    if (checkpoint(e, r, n->name, err) != 0) return -1;
    return next ? 1 : 0;
}

static bool finished(const struct run *r)
{
    return strcmp(r->status, "done") == 0 || strcmp(r->status, "failed") == 0;
}

int kc_wf_run(struct kc_wf_engine *e, const char *run_id, int attempt, bool last_attempt,
              struct kc_err *err)
{
    if (!kc_wf_run_id_valid(run_id))
        return kc_err_field(err, KC_E_INVALID, "run_id", "invalid run id");
    struct run r = {0};
    run_keys(&r, run_id);
    if (lock_take(e, &r, err) != 0) return -1;
    int rc = run_load(e, &r, err);
    if (rc == 0 && !finished(&r)) {
        if (r.max_steps <= 0) r.max_steps = max_steps_of(r.wf);
        do {
            rc = step(e, &r, attempt, last_attempt, err);
        } while (rc == 1);
    }
    lock_release(e, &r);
    run_clear(&r);
    return rc < 0 ? -1 : 0;
}

json_t *kc_wf_status(struct kc_wf_engine *e, const char *run_id, struct kc_err *err)
{
    if (!kc_wf_run_id_valid(run_id)) {
        kc_err_field(err, KC_E_NOT_FOUND, "run_id", "no workflow run with that id");
        return NULL;
    }
    struct run r = {0};
    run_keys(&r, run_id);
    if (run_load(e, &r, err) != 0) return NULL;
    json_t *out = json_pack(
        "{s:s,s:s,s:s,s:s?,s:i,s:i,s:O,s:O,s:O,s:I,s:I}", "run_id", r.id, "workflow", r.wf->name,
        "status", r.status, "next_node", r.next[0] ? r.next : NULL, "steps", r.steps, "max_steps",
        r.max_steps, "node_timings", r.timings, "errors", r.errors, "state", r.state, "created_at",
        (json_int_t)r.created_at, "updated_at", (json_int_t)r.updated_at);
    run_clear(&r);
    if (!out) kc_err_set(err, KC_E_NOMEM, "out of memory");
    return out;
}

int kc_wf_job(const struct kc_job *job, void *ctx, struct kc_err *err)
{
    struct kc_wf_engine *e = ctx;
    const char *run_id = json_string_value(json_object_get(job->payload, "run_id"));
    if (!run_id) {
        kc_log(KC_LOG_WARN, NULL, "agent.workflow job %s without run_id: dropped", job->stream_id);
        return 0; /* retrying a malformed job cannot help */
    }
    struct kc_err rerr = {0};
    int rc = kc_wf_run(e, run_id, job->attempt, job->attempt >= e->cfg.max_attempts, &rerr);
    if (rc != 0 && rerr.code == KC_E_NOT_FOUND) {
        kc_log(KC_LOG_WARN, NULL, "agent.workflow job for %s: %s", run_id, rerr.message);
        return 0;
    }
    if (rc != 0 && err) *err = rerr;
    return rc;
}
