/*
 * screen_job.h — the "agent.screen" job: screen one application for the backend.
 *
 * Payload (from the backend when an application is submitted):
 *   {"application_id": <integer or [A-Za-z0-9_-]{1,64}>}                    — inputs fetched, or
 *   {"application_id", "job":{criteria,...}, "resume":{"text",...}, ...}    — inputs given
 * Steps:
 *   1. inputs: the payload's job + resume when present, else
 *      GET {backend}/internal/applications/{id}/screening-input  (X-Internal-Token)
 *      → 200 {"job":{"criteria",...,"text"?,"threshold"?}, "resume":{"text","id"?},
 *             "values"?, "reference_date"?}; 404/410 → the application is gone: job dropped.
 *   2. the "screen" workflow (flows.h) under run id "screen-app-<id>-<stream entry id>",
 *      executed in this worker thread with checkpoints (a reclaimed job resumes it);
 *   3. POST {backend}/internal/applications/{id}/screening with
 *      {"application_id","run_id","status":"done"|"failed","source":"deterministic",
 *       "result":{"screening","highlights","similarity","suggestion"} | null,
 *       "errors":[...],"node_timings":[...],"reference_date"}
 *      → 2xx done; 404/410 dropped; anything else / transport failure → the job is retried.
 * Invalid inputs (a job without criteria, an empty resume) are reported to the backend as a
 * failed screening with the error, not retried.
 *
 * Includes lib/core/jobs.h: kept apart from the text library headers (historical name clash, now
 * kc_jobspec there). Thread-safety: reentrant; ctx = struct kc_agent.
 */
#ifndef KC_AGENT_SCREEN_JOB_H
#define KC_AGENT_SCREEN_JOB_H

#include "core/jobs.h"

int kc_screen_job(const struct kc_job *job, void *ctx, struct kc_err *err);

/* Validate an application id from a payload into out (cap >= 65). */
int kc_screen_job_app_id(const json_t *v, char *out, size_t cap, struct kc_err *err);

#endif
