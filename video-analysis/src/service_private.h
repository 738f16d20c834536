/*
 * service_private.h — what the service_*.c files share (not for other modules).
 *
 * struct kc_vsvc is created once by kc_video_service_start and lives until the process ends;
 * after start-up only `stopping` changes (atomically). Every function here is thread-safe:
 * the database and Redis are pools, and each call takes its own connection.
 */
#ifndef KC_VIDEO_SERVICE_PRIVATE_H
#define KC_VIDEO_SERVICE_PRIVATE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <jansson.h>

#include "core/jobs.h"
#include "core/service.h"

#define KC_VS_JOB_KIND      "video.analyze"
#define KC_VS_STATE_TTL_S   (7 * 24 * 3600) /* kc:video:analysis:<id> */
#define KC_VS_RESULT_TTL_S  3600            /* kc:video:result:<id> (read-through cache) */
#define KC_VS_CANCEL_TTL_S  (7 * 24 * 3600) /* kc:video:cancel:<id> */
#define KC_VS_ID_LEN        36              /* uuid-like: 8-4-4-4-12 lower-case hex */
#define KC_VS_JSON_BODY_MAX (1024 * 1024)   /* a JSON request body */
#define KC_VS_AUTH_INTERNAL 1u              /* route auth word: needs X-Internal-Token */

struct kc_vsvc {
    struct kc_service *svc;
    const struct kc_config *cfg;
    char media_dir[600]; /* <data>/media: inputs by sha256 */
    char work_dir[600];  /* <data>/work: per-job options/output/stderr files */
    char exe[1100];      /* kocruit-video-analyze, run for each analysis */
    struct kc_workers *workers;
    atomic_int stopping;
};

/* ---- ids and time (service_store.c) ---- */
void kc_vs_new_id(char out[KC_VS_ID_LEN + 1]);
bool kc_vs_valid_id(const char *id);
bool kc_vs_valid_sha256(const char *hex);
void kc_vs_now(char out[32]); /* ISO-8601 UTC with ms */

/* ---- the video_analyses table and Redis state (service_store.c) ---- */
struct kc_vs_new {
    const char *id, *source, *sha256, *path, *application_id, *subject_id;
    long long bytes; /* -1 = unknown (blob not fetched yet) */
    json_t *options, *consent;
};
int kc_vs_insert(struct kc_vsvc *vs, const struct kc_vs_new *n, struct kc_err *err);
/* The row without the report (has_result 0/1 instead) as JSON (new reference; options and
 * consent parsed), or NULL with KC_E_NOT_FOUND / another error. */
json_t *kc_vs_row(struct kc_vsvc *vs, const char *id, struct kc_err *err);
/* queued|running → running (attempts+1). 1 started, 0 not runnable (terminal), -1 error. */
int kc_vs_mark_running(struct kc_vsvc *vs, const char *id, struct kc_err *err);
/* running → status ("done"|"failed"|"queued") with result/error. Rows changed (0 when the
 * analysis was cancelled or deleted meanwhile) or -1. */
int kc_vs_finish(struct kc_vsvc *vs, const char *id, const char *status, const char *result,
                 const char *error, struct kc_err *err);
/* Progress of a running analysis into the DB (callers rate-limit). */
void kc_vs_save_progress(struct kc_vsvc *vs, const char *id, double progress, const char *stage);
/* Redis: state hash + an event on kc:progress:<id> ({"id","status","progress","stage",
 * "error"?}). Failures are logged, never fatal: the DB is the record. */
void kc_vs_announce(struct kc_vsvc *vs, const char *id, const char *status, double progress,
                    const char *stage, const char *error);
bool kc_vs_cancel_requested(struct kc_vsvc *vs, const char *id);
/* Overlay the live progress/stage of a running analysis from its Redis state hash onto doc
 * (the DB copy is saved only every few seconds). */
void kc_vs_live_progress(struct kc_vsvc *vs, const char *id, json_t *doc);
/* The stored report text (malloc'd; caller frees): from the Redis cache, or on a miss from the
 * DB (then cached). NULL with err when there is none. */
char *kc_vs_result_text(struct kc_vsvc *vs, const char *id, struct kc_err *err);
void kc_vs_cache_result(struct kc_vsvc *vs, const char *id, const char *text);
/* Path of a job file: <work>/<id>.<ext> */
void kc_vs_work_path(const struct kc_vsvc *vs, const char *id, const char *ext, char *out,
                     size_t cap);

/* ---- deletion (service_delete.c) ---- */
/* Tombstone one analysis and remove its media, cached data and job files. Returns the receipt
 * (new reference) or NULL with err (KC_E_NOT_FOUND when no such id). */
json_t *kc_vs_delete(struct kc_vsvc *vs, const char *id, struct kc_err *err);
json_t *kc_vs_delete_subject(struct kc_vsvc *vs, const char *subject_id, struct kc_err *err);

/* ---- routes (service_routes.c, service_events.c) ---- */
int kc_vs_routes(struct kc_vsvc *vs, struct kc_err *err);
void kc_vs_events(struct kc_req *req, struct kc_resp *resp, void *ctx);

/* ---- jobs (service_job.c, service_fetch.c) ---- */
int kc_vs_job(const struct kc_job *job, void *ctx, struct kc_err *err);
/* Fetch blob `sha256` from the backend into `path` (verified). KC_E_UNAVAILABLE when the
 * backend cannot be reached (retry), KC_E_NOT_FOUND / KC_E_UNPROCESSABLE when it will never
 * work. */
int kc_vs_fetch_blob(struct kc_vsvc *vs, const char *sha256, const char *path, struct kc_err *err);

#endif
