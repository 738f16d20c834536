/*
 * service.h — the video-analysis service (:8002) on top of lib/core's service skeleton.
 *
 * Routes (every one needs X-Internal-Token; /health and /metrics come from the skeleton):
 *   POST   /v1/analyses                 multipart upload (part "file" + text part "options",
 *                                       a JSON document of analysis.h) or JSON
 *                                       {"blob_sha256": "…", …options} → 202 {"id","status"}
 *   GET    /v1/analyses/{id}            status, progress, stage, result (done), error (failed)
 *   GET    /v1/analyses/{id}/events     Server-Sent Events: progress …, then done|failed|
 *                                       cancelled|deleted
 *   DELETE /v1/analyses/{id}            withdrawal / deletion → 200 receipt
 *   DELETE /v1/subjects/{subject_id}    every analysis of a subject → 200 receipt
 * Jobs: kind "video.analyze" on Redis Streams (jobs.h), KOCRUIT_WORKERS worker threads, each
 * running one analysis at a time in a child process (service_job.c).
 * Storage: table video_analyses (migrations/sqlite), media in KOCRUIT_DATA_DIR/media/<sha256>,
 * Redis keys kc:video:analysis:<id> (state hash), kc:video:result:<id> (cached report),
 * kc:video:cancel:<id> (withdrawal flag) and channel kc:progress:<id>, whose messages (and
 * the SSE "data" lines) are {"id","status","progress" 0..1,"stage","error"?}; status is
 * queued | running | done | failed | cancelled | deleted, the last four are final. The backend
 * may relay either the SSE stream or the channel. Scale-out: replicas share Redis (one
 * consumer group) and need a shared database — the PostgreSQL engine of db.h (not built yet;
 * the SQL here is portable) — and a shared KOCRUIT_DATA_DIR or blob inputs.
 *
 * Thread-safety: kc_video_service_start is called once from main before kc_service_run.
 */
#ifndef KC_VIDEO_SERVICE_H
#define KC_VIDEO_SERVICE_H

#include "core/service.h"

/* The migrations folder: $KOCRUIT_MIGRATIONS_DIR, else the source tree's
 * video-analysis/migrations compiled in, else <binary dir>/../share/kocruit/video-analysis/
 * migrations. */
const char *kc_video_migrations_dir(void);
/* The analysis program kocruit-video-analyze: $KOCRUIT_VIDEO_ANALYZER, or the file of that
 * name beside this program. 0 and the path in buf, or -1 when it is not there. */
int kc_video_analyzer_path(char *buf, size_t cap);

/* Add the routes and the guard, create the media and work folders, start the job workers and
 * register their stop hook. 0, or -1 with err. */
int kc_video_service_start(struct kc_service *s, struct kc_err *err);

#endif
