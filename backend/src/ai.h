/*
 * ai.h — internals shared by the AI feature's files (ai_*.c); handlers are in api_ai.h.
 *
 * ai_client.c   JSON calls to the agent (:8001) and the video service (:8002) with
 *               X-Internal-Token and a timeout (libcurl, one easy handle per call).
 * ai_screening.c screening results (internal POST from the agent), ranking, insights,
 *               generated questions.
 * ai_upload.c   resumable and one-shot interview-answer uploads → blob → analysis request.
 * ai_interview.c the applicant's interview view; requesting the video analysis (consent).
 * ai_analyses.c  analysis list/report/events relay and answer grading.
 *
 * Thread-safety: every function is reentrant (handlers run on pool threads).
 */
#ifndef KC_BACKEND_AI_H
#define KC_BACKEND_AI_H

#include <jansson.h>
#include <stdint.h>

#include "api.h"

#define KC_AI_AGENT_TIMEOUT_MS 8000 /* synchronous agent calls on the request path */
#define KC_AI_VIDEO_TIMEOUT_MS 5000 /* video service control calls */
#define KC_AI_MAX_ANSWER_BYTES (512L << 20)
#define KC_AI_CHUNK_MAX        (8L << 20) /* one PUT chunk */

enum kc_ai_peer { KC_AI_AGENT, KC_AI_VIDEO };

/* Call peer `method path` with an optional JSON body (borrowed). 0 with *status and *out (new
 * reference, or NULL when the answer is empty or not JSON); -1 with KC_E_UNAVAILABLE when the
 * peer is not configured or cannot be reached (message names the peer). */
int kc_ai_call(const struct kc_app *app, enum kc_ai_peer peer, const char *method, const char *path,
               const json_t *body, long timeout_ms, long *status, json_t **out, struct kc_err *err);

/* Request the video analysis of a stored answer (consent checked here) and update its row.
 * Never fails the caller's upload: problems end in status unavailable/not_consented. */
void kc_ai_request_analysis(struct kc_app *app, int64_t answer_id);

/* Store a complete answer file (temp path, size, sha256) as a blob and an answer row;
 * returns the answer id or -1 with err (415 when it is neither WebM nor MP4). */
int64_t kc_ai_answer_store(struct kc_app *app, const char *path, uint64_t size,
                           const char *sha256_hex, int64_t application_id, int64_t question_id,
                           long started_at, long ended_at, const char *language,
                           struct kc_err *err);

/* "video/webm", "video/mp4" from the first bytes, or NULL. Pure. */
const char *kc_ai_sniff_video(const unsigned char *buf, size_t n);

/* Answer and row of an interview answer the caller may see; staff views are audited
 * ("recording.view"). New reference or NULL with err (404). */
json_t *kc_ai_answer_for(struct kc_app *app, struct kc_db_conn *c, const struct kc_user *u,
                         int64_t answer_id, enum kc_app_access *access, struct kc_err *err);

#endif
