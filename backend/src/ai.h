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
 * ai_accommodate.c accommodations: effective time limits, retakes, answer mode.
 * ai_blind.c    blind-review shaping of AI output for staff; the answer's spoken language.
 * ai_provenance.c the audit entry ("ai.output") of every AI output the backend stores.
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

/* ---- blind review (ai_blind.c) ---------------------------------------------------------- */

struct kc_ai_identity {
    char name[256], email[320];
    char pseudonym[48]; /* "Applicant #<application id>" */
};
/* The applicant's name and e-mail and their pseudonym. 0, or -1 with err (404). */
int kc_ai_identity_load(struct kc_db_conn *c, int64_t application_id, struct kc_ai_identity *out,
                        struct kc_err *err);
/* Replace the identity everywhere in doc (object or array; edited in place): every string
 * containing the name or e-mail, and values of keys such as applicant_name / email. */
void kc_ai_blind_scrub(json_t *doc, const struct kc_ai_identity *id);
/* Reduce an analysis report's result object to its transcript-only (speech) part. */
void kc_ai_blind_result(json_t *result);
/* 1 when the application's job is in blind-review mode (0 when off or on error). */
int kc_ai_app_blind(struct kc_app *app, struct kc_db_conn *c, int64_t application_id);
/* Share of Hangul among the letters of UTF-8 text (0..1; 0 when there are none). Pure. */
double kc_ai_hangul_ratio(const char *s);
/* "en" or "ko" for an answer: requested when it is one of them, else from the job post's
 * text (Hangul ratio > 0.3 → "ko"). Returns a static string. */
const char *kc_ai_answer_language(struct kc_db_conn *c, const char *requested, int64_t job_id);

/* ---- accommodations (ai_accommodate.c) ------------------------------------------------------ */

/* May the applicant store another answer to question qid (the job's question object) that
 * ran from started_at to ended_at (s)? 0, or -1 with err: 422 field ended_at (too long for
 * the effective limit + 10 %), 409 field question_id (no retake left). */
int kc_ai_answer_allowed(struct kc_db_conn *c, int64_t app_id, const json_t *question, int64_t qid,
                         int64_t started_at, int64_t ended_at, struct kc_err *err);
/* Add effective_time_limit_s and allowed_retakes to each question (edited in place) and
 * set *accommodation (new reference). 0 or -1 with err. */
int kc_ai_interview_limits(struct kc_db_conn *c, int64_t app_id, json_t *questions,
                           json_t **accommodation, struct kc_err *err);

/* ---- AI-output provenance (ai_provenance.c) ----------------------------------------------- */

/* Audit "ai.output" for application_id: detail {output (kind), source, engine, models,
 * rubric, input_sha256, at} read from the AI document `doc` (borrowed) — keys "models",
 * "engine", "rubric", "source", "version", "model" at its top level, in "result" and in
 * result.transcript / result.scoring. input_sha256 NULL = the application's resume file. Uses c
 * when given (inside the caller's transaction), else its own connection. 0 or -1 (logged). */
int kc_ai_audit_output(struct kc_app *app, struct kc_db_conn *c, int64_t application_id,
                       const char *kind, const json_t *doc, const char *input_sha256);

#endif
