/*
 * workflow_job.h — the Redis-stream job handler of the workflow engine (kind KC_WF_JOB_KIND,
 * payload {"run_id"}): runs the run from its checkpoint (kc_wf_run) with the job's attempt.
 *
 * Kept apart from workflow.h because lib/core/jobs.h and the text library's criteria.h both
 * defined `struct kc_job` (the text one is now kc_jobspec); kept separate all the same.
 * Thread-safety: as kc_wf_run.
 */
#ifndef KC_AGENT_WORKFLOW_JOB_H
#define KC_AGENT_WORKFLOW_JOB_H

#include "core/jobs.h"
#include "workflow.h"

/* The kc_job_fn for KC_WF_JOB_KIND workers; ctx = the engine. A job without a run id, or for
 * a run that no longer exists, is dropped (0) with a warning: retrying cannot help it. */
int kc_wf_job(const struct kc_job *job, void *ctx, struct kc_err *err);

#endif
