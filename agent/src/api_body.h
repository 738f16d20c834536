/*
 * api_body.h — reading a JSON request body for the agent's API, with errors that name the
 * field: jansson rejects invalid UTF-8 as a syntax error at a line and column, which does not
 * tell a client which of its texts was broken. When parsing fails, the raw body is scanned by
 * a small JSON tokenizer that tracks the path of the string being read ("resume.text",
 * "job.criteria[2].name") and the first string with an invalid UTF-8 sequence is reported as
 * KC_E_INVALID with that path as the field and its byte offset in the body.
 *
 * Thread-safety: pure. Ownership: kc_api_json returns the request's borrowed JSON.
 */
#ifndef KC_AGENT_API_BODY_H
#define KC_AGENT_API_BODY_H

#include <stddef.h>
#include <jansson.h>

#include "core/err.h"
#include "core/http.h"

/* The body as a JSON object, or NULL with err (415, 400 with the field of invalid UTF-8). */
json_t *kc_api_json(struct kc_req *req, struct kc_err *err);

/* Path of the JSON string containing the first invalid UTF-8 byte in body[0..len): 1 and
 * path/offset when found, 0 when every string is valid UTF-8. A key with invalid bytes is
 * reported as its parent path + ".<key>". */
int kc_api_utf8_locate(const char *body, size_t len, char *path, size_t cap, size_t *offset);

#endif
