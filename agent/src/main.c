/*
 * main.c — kocruit-agent, service :8001: AI workflows (screening, similarity, questions,
 * grading) over the text library in src/text/, behind the internal token.
 *
 * The process skeleton (config, logging, Redis, /health, /metrics, graceful stop) is
 * lib/core/service; agent.c adds the agent's routes, workflows and job workers. Order at stop:
 * the service's stop hook stops the workers and snapshots the similarity index while Redis is
 * still up; kc_service_run then drains the HTTP server and frees the skeleton; the agent's own
 * memory is freed last.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>

#include "agent.h"
#include "core/log.h"
#include "core/service.h"

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "kocruit-agent: libcurl failed to initialise\n");
        return 1;
    }
    struct kc_service svc;
    struct kc_agent agent;
    struct kc_err err = {0};
    const struct kc_service_options opt = {.name = "agent", .migrations_dir = NULL};
    if (kc_service_init(&svc, &opt, &err) != 0) {
        fprintf(stderr, "kocruit-agent: %s\n", err.message);
        return 1;
    }
    if (kc_agent_init(&agent, &svc, &err) != 0 || kc_agent_start(&agent, &err) != 0) {
        kc_log(KC_LOG_ERROR, NULL, "agent start-up failed: %s", err.message);
        kc_agent_stop(&agent);
        kc_service_free(&svc);
        kc_agent_free(&agent);
        return 1;
    }
    kc_service_on_stop(&svc, kc_agent_stop, &agent);
    int rc = kc_service_run(&svc);
    kc_agent_free(&agent);
    curl_global_cleanup();
    return rc;
}
