/*
 * agent.c — building, starting and stopping the agent service (life cycle in agent.h).
 *
 * This file owns the job workers, so it includes lib/core/jobs.h and none of the text
 * library's headers (they once shared the name `struct kc_job`; see workflow_job.h).
 */
#include "agent.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "core/jobs.h"
#include "core/log.h"
#include "flows.h"
#include "llm.h"
#include "screen_job.h"
#include "simstore.h"
#include "text/textkit.h"
#include "workflow_job.h"

#define TICK_MS 500

void kc_agent_this_month(char *buf, size_t cap)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    snprintf(buf, cap, "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
}

static struct kc_llm *open_llm(const struct kc_config *cfg, struct kc_redis *redis,
                               struct kc_err *err)
{
    struct kc_llm_options o = {.provider = cfg->llm_provider,
                               .base_url = cfg->llm_base_url,
                               .model = cfg->llm_model,
                               .api_key = cfg->llm_api_key,
                               .gguf = cfg->llm_gguf,
                               .assets_dir = cfg->assets_dir,
                               .cache = redis};
    struct kc_llm *llm = kc_llm_new(&o, err);
    if (!llm) kc_err_prefix(err, "LLM provider %s", cfg->llm_provider);
    return llm;
}

int kc_agent_init(struct kc_agent *a, struct kc_service *svc, struct kc_err *err)
{
    memset(a, 0, sizeof *a);
    a->svc = svc;
    a->kit = kc_textkit_load(NULL, err);
    if (!a->kit) return -1;
    a->llm = open_llm(&svc->cfg, svc->redis, err);
    if (!a->llm) return -1;
    json_t *llm = kc_llm_describe(a->llm);
    kc_log_fields(KC_LOG_INFO, NULL, "llm provider", llm);
    a->sim = kc_simstore_new(svc->redis, err);
    if (!a->sim) return -1;
    struct kc_err serr = {0};
    if (kc_simstore_tick(a->sim, false, &serr) != 0) /* load now if Redis is up */
        kc_log(KC_LOG_WARN, NULL, "%s; retrying in the background", serr.message);
    struct kc_wf_engine_config wc = {
        .redis = svc->redis, .env = a, .max_attempts = svc->cfg.job_max_attempts};
    a->wf = kc_wf_engine_new(&wc, err);
    if (!a->wf || kc_flows_register(a->wf, err) != 0) return -1;
    return kc_api_routes(a, svc->http, err);
}

/* Loads the similarity index once Redis is reachable and snapshots it after adds. A failure
 * is logged once per streak, not every tick. */
static void *ticker_main(void *arg)
{
    struct kc_agent *a = arg;
    bool failing = false;
    while (!atomic_load(&a->stopping)) {
        struct kc_err err = {0};
        int rc = kc_simstore_tick(a->sim, false, &err);
        if (rc != 0 && !failing)
            kc_log(KC_LOG_WARN, NULL, "similarity index tick failed: %s", err.message);
        if (rc == 0 && failing) kc_log(KC_LOG_INFO, NULL, "similarity index tick ok again");
        failing = rc != 0;
        usleep(TICK_MS * 1000);
    }
    return NULL;
}

static struct kc_workers *start_workers(struct kc_agent *a, const char *kind, kc_job_fn fn,
                                        void *ctx, struct kc_err *err)
{
    const struct kc_config *cfg = &a->svc->cfg;
    struct kc_worker_config wc = {.kind = kind,
                                  .threads = cfg->workers,
                                  .claim_idle_ms = cfg->job_claim_idle_ms,
                                  .max_attempts = cfg->job_max_attempts,
                                  .fn = fn,
                                  .ctx = ctx,
                                  .metrics = a->svc->metrics};
    return kc_workers_start(a->svc->redis, &wc, err);
}

int kc_agent_start(struct kc_agent *a, struct kc_err *err)
{
    a->wf_workers = start_workers(a, KC_WF_JOB_KIND, kc_wf_job, a->wf, err);
    if (!a->wf_workers) return -1;
    a->screen_workers = start_workers(a, KC_AGENT_SCREEN_JOB_KIND, kc_screen_job, a, err);
    if (!a->screen_workers) return -1;
    if (pthread_create(&a->ticker, NULL, ticker_main, a) != 0)
        return kc_err_set(err, KC_E_INTERNAL, "cannot start the similarity ticker");
    a->ticker_started = true;
    return 0;
}

void kc_agent_stop(void *agent)
{
    struct kc_agent *a = agent;
    if (atomic_exchange(&a->stopping, 1)) return;
    if (a->wf_workers) kc_workers_stop(a->wf_workers);
    if (a->screen_workers) kc_workers_stop(a->screen_workers);
    a->wf_workers = a->screen_workers = NULL;
    if (a->ticker_started) pthread_join(a->ticker, NULL);
    a->ticker_started = false;
    struct kc_err err = {0};
    if (a->sim && kc_simstore_loaded(a->sim) && kc_simstore_tick(a->sim, true, &err) != 0)
        kc_log(KC_LOG_WARN, NULL, "similarity snapshot at stop failed: %s", err.message);
}

void kc_agent_free(struct kc_agent *a)
{
    kc_simstore_free(a->sim); /* no Redis here: it may be gone (kc_service_run freed it) */
    kc_wf_engine_free(a->wf);
    kc_llm_free(a->llm);
    if (a->kit) kc_textkit_free(a->kit);
    memset(a, 0, sizeof *a);
}
