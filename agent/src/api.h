/*
 * api.h — the agent's HTTP API under /v1, behind the internal token.
 *
 * Every /v1 route requires the header X-Internal-Token equal to KOCRUIT_INTERNAL_TOKEN
 * (compared in constant time over SHA-256 digests, so neither content nor length leaks);
 * otherwise 401 before the body is read. /health and /metrics stay public (lib/core).
 *
 *   POST   /v1/screen              screening with evidence (text/screen.h)
 *   POST   /v1/highlights          tagged resume sentences (text/highlight.h)
 *   POST   /v1/criteria/suggest    criteria and weights from a job post (text/criteria.h)
 *   POST   /v1/questions           interview questions, deterministic (text/questions.h)
 *   POST   /v1/grade               answer grading, deterministic (text/grade.h)
 *   POST   /v1/similarity/index    {"doc_id","text"} → 201 (replaces an existing doc_id)
 *   POST   /v1/similarity/query    {"text"|"doc_id","k"?,"threshold"?,"exclude_id"?}
 *   DELETE /v1/similarity/{doc_id} removed from memory, snapshot and texts before 200
 *   POST   /v1/workflows/{name}    the body is the workflow's input → 202 {"run_id",…}
 *   GET    /v1/workflows/{run_id}  status, state, per-node timings and errors
 *   GET    /v1/info                LLM provider, index size, workflows
 * The synchronous routes answer with the deterministic algorithms (milliseconds); the LLM is
 * used only by workflows, which run on the job workers, never on the request path. Requests
 * without "reference_date" get the current month, echoed in the reply with the field
 * "defaults". Bodies are limited to KC_API_MAX_BODY (413 above).
 *
 * Thread-safety: handlers run concurrently on the server's pool; they share the agent
 * read-only.
 */
#ifndef KC_AGENT_API_H
#define KC_AGENT_API_H

#include "core/err.h"
#include "core/http.h"

#define KC_API_MAX_BODY      (2u * 1024u * 1024u) /* 2 MiB: one 1 MiB text plus JSON overhead */
#define KC_API_AUTH_INTERNAL 1u                   /* route auth word: internal token required */

struct kc_agent;

/* Add the /v1 routes and the token guard to srv. */
int kc_api_routes(struct kc_agent *a, struct kc_http_server *srv, struct kc_err *err);

/* Constant-time token check (exposed for tests): 1 when given equals expected. An empty
 * expected token never matches. */
int kc_api_token_ok(const char *given, const char *expected);

#endif
