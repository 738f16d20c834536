/*
 * workflow.h — the agent's workflow engine: graphs of C node functions over a JSON state,
 * run as Redis-stream jobs and checkpointed after every node.
 *
 * Model
 *   A workflow is a static table of nodes. Each node is a function that reads and updates the
 *   JSON state (an object; the caller's input sits in state.input, nodes add their results
 *   under their own keys). After a node, the next node is `next` (a fixed successor), or the
 *   name returned by `edge` (a conditional edge that looks at the state), or the end (NULL).
 *   Cycles are allowed; `max_steps` bounds every run, so a graph that loops forever fails with
 *   "step_limit" instead of running away.
 *
 * Durability
 *   A run lives in the Redis hash kc:agent:wf:<run_id> (TTL KC_WF_TTL_S, refreshed on every
 *   write) with fields
 *     workflow     the workflow name          status      queued | running | done | failed
 *     state        JSON text of the state     next_node   name of the node to run next ("")
 *     steps        nodes completed            max_steps   the limit
 *     node_timings JSON [{"node","step","ms","attempt","ok"}]   (ms = wall time of the node)
 *     errors       JSON [{"node","step","attempt","code","message"}]
 *     created_at / updated_at   Unix ms
 *   A node's effects reach Redis only together with the step counter and the next node, in one
 *   atomic script, so after a crash the hash always describes a completed prefix of the run:
 *   the reclaimed job (jobs.h: XAUTOCLAIM) loads it and continues at next_node. Nodes must be
 *   idempotent with respect to anything outside the state (a node that crashed half-way runs
 *   again).
 *   One worker at a time runs a given run: it holds kc:agent:wf:<run_id>:lock (SET NX PX, token
 *   per execution) and every checkpoint is written only while that token still holds the lock
 *   (fencing), renewing the lease. A worker that finds the lock taken waits up to the lease for
 *   it; a crashed holder's lease simply expires.
 *
 * Errors
 *   A node that fails with a transient code (KC_E_UNAVAILABLE, KC_E_IO, KC_E_NOMEM,
 *   KC_E_RATE_LIMIT) makes the job fail, so jobs.h retries it (the run continues at the same
 *   node); on the job's last attempt, or with any other code, the run ends "failed". Every
 *   failure is appended to `errors`.
 *
 * Progress: each checkpoint publishes {"run_id","workflow","node","steps","status"} on
 * kc:progress:<run_id>.
 *
 * The job handler (kc_wf_job) is declared in workflow_job.h: lib/core's jobs.h and the text
 * library once both defined `struct kc_job` (the text one is now kc_jobspec); no header includes
 * jobs.h next to the workflow API that text-calling files use.
 *
 * Ownership: tables passed to kc_wf_register must outlive the engine (static const tables).
 * Thread-safety: after registration the engine is read-only; kc_wf_submit, kc_wf_run,
 * kc_wf_status and kc_wf_job may be called from any thread. Node functions run on worker
 * threads concurrently for different runs: env must be thread-safe.
 */
#ifndef KC_AGENT_WORKFLOW_H
#define KC_AGENT_WORKFLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "core/err.h"
#include "core/redis.h"

#define KC_WF_JOB_KIND          "agent.workflow"
#define KC_WF_TTL_S             (7 * 24 * 3600) /* checkpoints kept 7 days */
#define KC_WF_DEFAULT_MAX_STEPS 32
#define KC_WF_DEFAULT_LEASE_MS  120000
#define KC_WF_RUN_ID_MAX        96 /* bytes including NUL */

/* What a node sees besides the state. */
struct kc_wf_call {
    void *env;          /* the engine's env */
    const char *run_id; /* current run */
    const char *node;   /* this node's name */
    int attempt;        /* the job attempt (1-based); 1 for direct runs */
};

/* Update `state` in place; 0 on success, -1 with err. On failure the state changes are
 * discarded (the node ran on a copy). */
typedef int (*kc_wf_node_fn)(const struct kc_wf_call *call, json_t *state, struct kc_err *err);
/* Name of the next node or NULL for the end. Must be a pure function of the state. */
typedef const char *(*kc_wf_edge_fn)(const json_t *state, void *env);

struct kc_wf_node {
    const char *name;
    kc_wf_node_fn run;
    const char *next;   /* fixed successor (NULL = end) — used when edge is NULL */
    kc_wf_edge_fn edge; /* conditional successor, or NULL */
};

struct kc_workflow {
    const char *name;
    const struct kc_wf_node *nodes;
    size_t n_nodes;
    const char *start; /* NULL = nodes[0] */
    int max_steps;     /* 0 = KC_WF_DEFAULT_MAX_STEPS */
    /* Validates the input at submit time (clear 4xx before anything is queued); may be NULL. */
    int (*check_input)(const json_t *input, void *env, struct kc_err *err);
};

struct kc_wf_engine_config {
    struct kc_redis *redis; /* required; borrowed */
    void *env;              /* passed to nodes and edges; borrowed */
    int ttl_s;              /* 0 = KC_WF_TTL_S */
    int lease_ms;           /* 0 = KC_WF_DEFAULT_LEASE_MS */
    int max_attempts;       /* the job workers' max_attempts; 0 = 3 */
    /* Called after each checkpoint is stored (tests use it to crash a worker at a chosen
     * point); may be NULL. */
    void (*on_checkpoint)(const char *run_id, const char *node, int steps, void *ctx);
    void *hook_ctx;
};

struct kc_wf_engine;

struct kc_wf_engine *kc_wf_engine_new(const struct kc_wf_engine_config *cfg, struct kc_err *err);
void kc_wf_engine_free(struct kc_wf_engine *e);

/* Add a workflow after checking its graph (unique node names, every fixed successor and the
 * start exist). KC_E_INVALID naming the problem. Not thread-safe: call before workers start. */
int kc_wf_register(struct kc_wf_engine *e, const struct kc_workflow *wf, struct kc_err *err);
const struct kc_workflow *kc_wf_find(const struct kc_wf_engine *e, const char *name);

/* Is s a syntactically valid run id ([A-Za-z0-9_.-], 1..KC_WF_RUN_ID_MAX-1 bytes)? */
bool kc_wf_run_id_valid(const char *s);

/* Create a run (checkpoint with state {"input": input}, status queued). When run_id[0] is
 * set it is used (returns 1 without changes if that run exists already); otherwise a random
 * id "wf_<32 hex>" is written to run_id (cap >= KC_WF_RUN_ID_MAX). 0 = created. Errors:
 * KC_E_NOT_FOUND (no such workflow), the workflow's check_input errors, KC_E_UNAVAILABLE. */
int kc_wf_create(struct kc_wf_engine *e, const char *workflow, const json_t *input, char *run_id,
                 size_t cap, struct kc_err *err);

/* kc_wf_create + enqueue a job KC_WF_JOB_KIND {"run_id"}. */
int kc_wf_submit(struct kc_wf_engine *e, const char *workflow, const json_t *input, char *run_id,
                 size_t cap, struct kc_err *err);

/* Execute run_id from its checkpoint until it ends or a node fails. attempt/last_attempt come
 * from the job (1/true for a direct run). Returns 0 when the run is finished (done, or failed
 * for good — see the status), -1 with err when a transient failure should be retried. */
int kc_wf_run(struct kc_wf_engine *e, const char *run_id, int attempt, bool last_attempt,
              struct kc_err *err);

/* The run as the API shows it: {"run_id","workflow","status","next_node","steps","max_steps",
 * "node_timings":[...],"errors":[...],"state":{...},"created_at","updated_at"} (Unix ms).
 * New reference; NULL with KC_E_NOT_FOUND when unknown or expired. */
json_t *kc_wf_status(struct kc_wf_engine *e, const char *run_id, struct kc_err *err);

#endif
