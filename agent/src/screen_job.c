/*
 * screen_job.c — the "agent.screen" job handler (contract in screen_job.h).
 *
 * Idempotency: the run id is derived from the application and the stream entry, so a job
 * reclaimed after a crash continues the same checkpointed run; a run that already finished is
 * not run again and its result is simply (re-)posted. The backend's POST route must therefore
 * accept the same result twice (upsert by application id).
 */
#include "screen_job.h"

#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "backend.h"
#include "core/log.h"
#include "workflow.h"

int kc_screen_job_app_id(const json_t *v, char *out, size_t cap, struct kc_err *err)
{
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        snprintf(out, cap, "%lld", (long long)json_integer_value(v));
        return 0;
    }
    const char *s = json_string_value(v);
    size_t n = s ? strlen(s) : 0;
    const char *ok = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
    if (n == 0 || n > 64 || n >= cap || strspn(s, ok) != n)
        return kc_err_field(err, KC_E_INVALID, "application_id",
                            "application_id: an integer or 1-64 characters [A-Za-z0-9_-]");
    memcpy(out, s, n + 1);
    return 0;
}

static struct kc_backend backend_of(const struct kc_agent *a)
{
    return (struct kc_backend){.base_url = a->svc->cfg.backend_url,
                               .token = a->svc->cfg.internal_token};
}

/* 1 = inputs in *input, 0 = application gone (drop the job), -1 = retry. */
static int fetch_inputs(const struct kc_agent *a, const char *app, const json_t *payload,
                        json_t **input, struct kc_err *err)
{
    if (json_object_get(payload, "job") && json_object_get(payload, "resume")) {
        *input = json_deep_copy(payload);
        json_object_del(*input, "application_id");
        return 1;
    }
    char path[160];
    snprintf(path, sizeof path, "/internal/applications/%s/screening-input", app);
    struct kc_backend b = backend_of(a);
    long status = 0;
    if (kc_backend_call(&b, "GET", path, NULL, &status, input, err) != 0) return -1;
    if (status == 404 || status == 410) {
        json_decref(*input);
        kc_log(KC_LOG_WARN, NULL, "agent.screen %s: backend answered %ld: dropped", app, status);
        return 0;
    }
    if (status != 200 || !json_is_object(*input)) {
        json_decref(*input);
        *input = NULL;
        return kc_err_set(err, KC_E_UNAVAILABLE, "backend GET %s answered %ld", path, status);
    }
    return 1;
}

static json_t *result_of(const json_t *st)
{
    const json_t *state = json_object_get(st, "state");
    if (strcmp(json_string_value(json_object_get(st, "status")), "done") != 0) return json_null();
    return json_pack("{s:O?,s:O?,s:O?,s:O?}", "screening", json_object_get(state, "screen"),
                     "highlights", json_object_get(state, "highlights"), "similarity",
                     json_object_get(state, "similarity"), "suggestion",
                     json_object_get(state, "suggestion"));
}

static json_t *report(const char *app, const char *run_id, const json_t *st,
                      const struct kc_err *input_err)
{
    if (!st)
        return json_pack("{s:s,s:n,s:s,s:s,s:n,s:[{s:s,s:s,s:s}],s:[]}", "application_id", app,
                         "run_id", "status", "failed", "source", "deterministic", "result",
                         "errors", "code", kc_err_code_name(input_err->code), "message",
                         input_err->message, "field", input_err->field, "node_timings");
    const json_t *req = json_object_get(json_object_get(st, "state"), "request");
    return json_pack("{s:s,s:s,s:O,s:s,s:o,s:O,s:O,s:O?}", "application_id", app, "run_id", run_id,
                     "status", json_object_get(st, "status"), "source", "deterministic", "result",
                     result_of(st), "errors", json_object_get(st, "errors"), "node_timings",
                     json_object_get(st, "node_timings"), "reference_date",
                     json_object_get(req, "reference_date"));
}

/* POST the report. 0 delivered (or the application is gone), -1 retry. */
static int deliver(const struct kc_agent *a, const char *app, json_t *body, struct kc_err *err)
{
    char path[160];
    snprintf(path, sizeof path, "/internal/applications/%s/screening", app);
    struct kc_backend b = backend_of(a);
    long status = 0;
    int rc = kc_backend_call(&b, "POST", path, body, &status, NULL, err);
    json_decref(body);
    if (rc != 0) return -1;
    if (status >= 200 && status < 300) return 0;
    if (status == 404 || status == 410) {
        kc_log(KC_LOG_WARN, NULL, "agent.screen %s: backend answered %ld to the result", app,
               status);
        return 0;
    }
    return kc_err_set(err, KC_E_UNAVAILABLE, "backend POST %s answered %ld", path, status);
}

int kc_screen_job(const struct kc_job *job, void *ctx, struct kc_err *err)
{
    struct kc_agent *a = ctx;
    char app[72];
    struct kc_err ierr = {0};
    if (kc_screen_job_app_id(json_object_get(job->payload, "application_id"), app, sizeof app,
                             &ierr) != 0) {
        kc_log(KC_LOG_WARN, NULL, "agent.screen job %s dropped: %s", job->stream_id, ierr.message);
        return 0;
    }
    json_t *input = NULL;
    int got = fetch_inputs(a, app, job->payload, &input, err);
    if (got <= 0) return got;
    char run_id[KC_WF_RUN_ID_MAX];
    snprintf(run_id, sizeof run_id, "screen-app-%s-%s", app, job->stream_id);
    int rc = kc_wf_create(a->wf, "screen", input, run_id, sizeof run_id, &ierr);
    json_decref(input);
    if (rc < 0 && (ierr.code == KC_E_INVALID || ierr.code == KC_E_BAD_REQUEST))
        return deliver(a, app, report(app, NULL, NULL, &ierr), err);
    if (rc < 0) {
        *err = ierr;
        return -1;
    }
    bool last = job->attempt >= a->svc->cfg.job_max_attempts;
    if (kc_wf_run(a->wf, run_id, job->attempt, last, err) != 0) return -1;
    json_t *st = kc_wf_status(a->wf, run_id, err);
    if (!st) return -1;
    rc = deliver(a, app, report(app, run_id, st, NULL), err);
    json_decref(st);
    return rc;
}
