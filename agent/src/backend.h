/*
 * backend.h — the agent's HTTP client for the backend's internal routes (libcurl).
 *
 * Requests carry X-Internal-Token and JSON bodies; replies are parsed as JSON when they are
 * JSON. A transport failure (connection refused, timeout) is KC_E_UNAVAILABLE; any HTTP
 * answer is success at this level and its status is returned for the caller to judge.
 *
 * Thread-safety: reentrant (one curl easy handle per request). Ownership: *out is a new
 * reference or NULL (a body that is empty or not JSON).
 */
#ifndef KC_AGENT_BACKEND_H
#define KC_AGENT_BACKEND_H

#include <jansson.h>

#include "core/err.h"

#define KC_BACKEND_TIMEOUT_MS 15000
#define KC_BACKEND_CONNECT_MS 3000

struct kc_backend {
    const char *base_url; /* "http://127.0.0.1:8000" (no trailing /) */
    const char *token;    /* KOCRUIT_INTERNAL_TOKEN */
    long timeout_ms;      /* 0 = KC_BACKEND_TIMEOUT_MS */
};

/* method "GET" | "POST"; body may be NULL. 0 with *status, or -1 with err. */
int kc_backend_call(const struct kc_backend *b, const char *method, const char *path,
                    const json_t *body, long *status, json_t **out, struct kc_err *err);

#endif
