/*
 * test_http_util.h — helpers for the HTTP tests: start a kc_http server on port 0 with a route
 * table, and talk to it with libcurl (capturing status, headers, body and whether the
 * connection was reused) or with a raw socket for requests curl will not send.
 */
#ifndef KC_TEST_HTTP_UTIL_H
#define KC_TEST_HTTP_UTIL_H

#include <curl/curl.h>
#include <jansson.h>
#include <stddef.h>

#include "http.h"

struct th_resp {
    long status;
    char *body; /* NUL-terminated, malloc'd */
    size_t len;
    char *headers; /* raw header block, malloc'd */
    long num_connects;
    CURLcode rc;
};

/* Start a server with these routes (cfg may be NULL; its port/service are overridden only
 * when zero). Fails the test on error. */
struct kc_http_server *th_start(const struct kc_route *routes, size_t n,
                                const struct kc_http_config *cfg);
/* "http://127.0.0.1:PORT" + path into a static per-thread buffer. */
const char *th_url(const struct kc_http_server *srv, const char *path);

/* One request. h may be NULL (a fresh handle is used and cleaned up). headers is a
 * NULL-terminated list of "Name: value". body may be NULL. chunked sends the body with
 * Transfer-Encoding: chunked. Returns 0 when curl completed the exchange. */
int th_request(CURL *h, const char *method, const char *url, const char *const *headers,
               const void *body, size_t len, int chunked, struct th_resp *out);
void th_resp_free(struct th_resp *r);
/* Value of a response header (case-insensitive name) copied into buf, or NULL. */
const char *th_header(const struct th_resp *r, const char *name, char *buf, size_t cap);
/* The body parsed as JSON (new reference) or NULL. */
json_t *th_json(const struct th_resp *r);
/* error.code and error.message of an error body ("" when absent); copies into the buffers. */
void th_error(const struct th_resp *r, char *code, size_t code_cap, char *msg, size_t msg_cap);

/* Send raw bytes on a new TCP connection and read until the peer closes or timeout_ms passes
 * without data. Returns the bytes read (NUL-terminated in out, cap includes the NUL). */
size_t th_raw(int port, const void *req, size_t len, char *out, size_t cap, int timeout_ms);

#endif
