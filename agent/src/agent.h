/*
 * agent.h — the agent service's shared state and its life cycle (the composition root that
 * main.c drives).
 *
 * One struct kc_agent per process, built once at start-up and read-only afterwards (every
 * member is itself thread-safe): the lib/core service skeleton (configuration, Redis, metrics,
 * HTTP server), the text kit (lexicons, question bank), the LLM provider, the persistent
 * similarity index and the workflow engine with the built-in workflows. It is the `env` of
 * every workflow node and the ctx of every route and job handler.
 *
 * Life cycle:
 *   kc_agent_init   load the kit, open the LLM provider (a provider that is configured but
 *                   cannot start is a start-up error — the operator asked for it), load the
 *                   similarity index, register workflows and routes
 *   kc_agent_start  start the job workers (agent.workflow, agent.screen) and the ticker that
 *                   snapshots the similarity index; registered as a service stop hook
 *   (stop hook)     stop workers and ticker, snapshot the index — Redis is still up then
 *   kc_agent_free   after kc_service_run returned (in-flight requests are over): free all
 *
 * Job kinds: "agent.workflow" {run_id} (workflow_job.h) and "agent.screen" {application_id,
 * job?, resume?, ...} (screen_job.h).
 */
#ifndef KC_AGENT_AGENT_H
#define KC_AGENT_AGENT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "core/err.h"
#include "core/service.h"

#define KC_AGENT_SCREEN_JOB_KIND "agent.screen"

struct kc_textkit;
struct kc_llm;
struct kc_simstore;
struct kc_wf_engine;
struct kc_workers;

struct kc_agent {
    struct kc_service *svc; /* borrowed: cfg, redis, metrics, http */
    struct kc_textkit *kit;
    struct kc_llm *llm;
    struct kc_simstore *sim;
    struct kc_wf_engine *wf;
    /* private */
    struct kc_workers *wf_workers, *screen_workers;
    pthread_t ticker;
    bool ticker_started;
    atomic_int stopping;
};

int kc_agent_init(struct kc_agent *a, struct kc_service *svc, struct kc_err *err);
int kc_agent_start(struct kc_agent *a, struct kc_err *err);
/* The stop hook (ctx = the agent). Idempotent. */
void kc_agent_stop(void *agent);
void kc_agent_free(struct kc_agent *a);

/* The current month "YYYY-MM" (UTC) into buf (cap >= 8): the default reference date. */
void kc_agent_this_month(char *buf, size_t cap);

#endif
