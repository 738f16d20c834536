/*
 * jobs.h — durable job queues on Redis Streams.
 *
 * Layout: jobs of kind K are entries of stream `kc:jobs:K` with fields
 *   payload  <JSON text>     attempt <n, from 1>     last_error <text, on retries>
 * Workers of K read through consumer group `K-workers` (created with MKSTREAM on start).
 *  - success: the handler returns 0 → XACK (the handler stores its result first).
 *  - failure: the handler returns -1 → XACK and, while attempt < max_attempts, XADD the job
 *    again with attempt+1 and last_error; at max_attempts the job goes to the dead-letter
 *    stream `kc:jobs:K:dead` with payload, attempts, last_error and the original id.
 *  - a worker that dies leaves its entry pending; every worker periodically runs XAUTOCLAIM
 *    for entries idle longer than claim_idle_ms and processes them (their delivery count,
 *    read with XPENDING, counts as attempts, so a job that kills every worker ends in the
 *    dead-letter stream instead of looping).
 * Handlers must be idempotent (a reclaimed job may have been half done); a job's identity
 * for idempotency is in its payload (e.g. the analysis id), not the stream entry id.
 *
 * Added by jobs.c (details at the top of jobs.c): a finished entry is XACKed and XDELed, so
 * kc_jobs_pending (XLEN) counts unfinished jobs; retries carry `original_id` (the id
 * kc_jobs_enqueue returned) into the dead-letter entry; the group is created at id 0 so jobs
 * enqueued before the first worker ever started are not skipped; while a handler runs, a
 * heartbeat keeps its entry from looking idle, so claim_idle_ms bounds how long a dead
 * worker's job waits, not how long a job may take. Each worker thread holds one connection of
 * the Redis pool while it blocks: make the pool larger than the worker threads.
 *
 * Thread-safety: kc_jobs_enqueue is thread-safe. A worker set runs `threads` threads, each
 * with its own consumer name `<consumer>-<i>`.
 */
#ifndef KC_JOBS_H
#define KC_JOBS_H

#include <jansson.h>

#include "err.h"
#include "redis.h"

struct kc_metrics;

struct kc_job {
    const char *kind;
    const char *stream_id;  /* Redis entry id */
    json_t *payload;        /* borrowed for the call */
    int attempt;            /* 1-based */
    const char *last_error; /* from the previous attempt, or NULL */
};

/* Return 0 on success; -1 with err filled on failure (retried up to max_attempts). */
typedef int (*kc_job_fn)(const struct kc_job *job, void *ctx, struct kc_err *err);

/* XADD a job. id_out (may be NULL) receives the stream entry id (≥ 32 bytes). */
int kc_jobs_enqueue(struct kc_redis *r, const char *kind, const json_t *payload, char *id_out,
                    size_t id_cap, struct kc_err *err);

struct kc_worker_config {
    const char *kind;
    const char *consumer; /* NULL = "<hostname>-<pid>" */
    int threads;          /* 0 = 1 */
    int block_ms;         /* XREADGROUP BLOCK; 0 = 1000 */
    int claim_idle_ms;    /* reclaim entries idle this long; 0 = 30000 */
    int max_attempts;     /* 0 = 3 */
    kc_job_fn fn;
    void *ctx;
    struct kc_metrics *metrics; /* job counters by kind and outcome; may be NULL */
};

struct kc_workers;
struct kc_workers *kc_workers_start(struct kc_redis *r, const struct kc_worker_config *cfg,
                                    struct kc_err *err);
/* Stop taking jobs, let running handlers finish, join. */
void kc_workers_stop(struct kc_workers *w);

/* Stream lengths (for /metrics and tests); -1 on error. */
long long kc_jobs_pending(struct kc_redis *r, const char *kind, struct kc_err *err);
long long kc_jobs_dead_count(struct kc_redis *r, const char *kind, struct kc_err *err);

#endif
