/*
 * http.h — kocruit's HTTP server: libmicrohttpd (epoll + thread pool) with a method+path router.
 *
 * Design
 *  - A service builds a route table (kc_http_route) before kc_http_start; the table is then
 *    read-only, so lookups need no lock. Patterns are literal segments and `{name}` parameters
 *    that match one non-empty segment ("/api/v1/jobs/{id}/applications"). A path that matches
 *    no pattern answers 404; a path that matches with another method answers 405 with Allow.
 *  - Every response to an error uses one JSON shape:
 *      {"error":{"code":"invalid_field","message":"...","field":"email"}}
 *    (field only when known). 400 malformed JSON (message has line and column), 404, 405,
 *    413 body over the route's limit, 415 wrong content type — the server produces these itself.
 *  - The guard (kc_http_set_guard) runs once the headers are in and BEFORE the body is read, so
 *    an unauthenticated upload is refused without reading it. It sees the route's `auth` word
 *    (opaque to the server: the service's access policy) and may attach a user to the request.
 *  - Bodies: KC_BODY_NONE (any body → 413), KC_BODY_BUFFER (kept in memory up to max_body),
 *    KC_BODY_UPLOAD (multipart/form-data: text fields in memory, file parts streamed to temp
 *    files in upload_dir with their sha256 computed while streaming; a raw non-multipart body
 *    becomes one file part named "file"). The limit applies to the whole body.
 *  - Every request gets a request id (a client's X-Request-Id when it is 1–64 chars of
 *    [A-Za-z0-9._-], else a generated one), echoed in the X-Request-Id response header, and one
 *    access-log line (method, route pattern, path, status, bytes, duration ms, request id).
 *    Request counts and latency histograms by route pattern and status go to the metrics
 *    registry given in the config.
 *  - Responses are queued only after the first access-handler call (STACK-NOTES: queuing on the
 *    first call makes libmicrohttpd add `Connection: close`).
 *  - Server-Sent Events: kc_resp_sse streams events produced by a pull callback.
 *
 * Added by http*.c (details at the top of http.c, http_router.c, http_body.c, http_sse.c):
 *  - Trailing slashes are strict: "/jobs/" does not match "/jobs" (404); "/" is the root.
 *    Literal segments win over parameters ("/jobs/search" before "/jobs/{id}").
 *  - 400 for a target whose path is longer than 2048 bytes, has a malformed %-escape, decodes
 *    to a NUL byte or has a "." / ".." segment (encoded or not); in query strings '+' is a
 *    space and a malformed escape or %00 is a 400. kc_req_path is the raw path (no query).
 *  - HEAD is answered by the GET route. 404s and 405s are counted with route="unmatched".
 *  - A chunked body that passes its limit is answered 413 once the rest has been read and
 *    dropped (libmicrohttpd cannot answer mid-body); after 8 MiB of dropped bytes the
 *    connection is cut instead. With Content-Length the 413 comes before the body.
 *  - Uploads: at most 16 files and 64 text fields (≤ 64 KiB each, names ≤ 128 bytes).
 *  - Graceful stop waits for in-flight requests (idle keep-alive connections are closed);
 *    responses sent while stopping carry Connection: close; open SSE streams are ended.
 *
 * Ownership: kc_req and kc_resp live for one request and are owned by the server; strings
 * returned by kc_req_* are valid until the handler returns. Handlers run on the server's pool
 * threads, concurrently: a handler's ctx must be thread-safe.
 */
#ifndef KC_HTTP_H
#define KC_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "err.h"

struct kc_http_server;
struct kc_req;
struct kc_resp;
struct kc_metrics;

enum kc_body_mode {
    KC_BODY_BUFFER = 0, /* default: body kept in memory, up to max_body */
    KC_BODY_NONE,       /* no body accepted */
    KC_BODY_UPLOAD,     /* multipart/form-data or raw, file parts streamed to disk */
};

typedef void (*kc_http_handler)(struct kc_req *req, struct kc_resp *resp, void *ctx);

struct kc_route {
    const char *method;  /* "GET", "POST", "PUT", "PATCH", "DELETE" */
    const char *pattern; /* "/api/v1/jobs/{id}" */
    kc_http_handler handler;
    void *ctx;
    enum kc_body_mode body;
    size_t max_body;     /* bytes; 0 = the server's default_max_body */
    unsigned auth;       /* the service's access policy word; 0 means public */
    const char *summary; /* one line for docs/OpenAPI; may be NULL */
    const char *tag;     /* OpenAPI tag; may be NULL */
};

/* Runs before the body is read. Return 0 to continue to the handler; return -1 after filling
 * `resp` (e.g. kc_resp_error with 401/403) to stop there. */
typedef int (*kc_http_guard)(struct kc_req *req, const struct kc_route *route, struct kc_resp *resp,
                             void *ctx);

struct kc_http_config {
    const char *service;        /* "backend" — for logs and metrics */
    const char *bind_addr;      /* "127.0.0.1" (default), "0.0.0.0", IPv6, or "localhost" */
    int port;                   /* 0 = pick a free port (see kc_http_port) */
    int threads;                /* pool size; 0 = number of CPUs */
    size_t default_max_body;    /* 0 = 1 MiB */
    const char *upload_dir;     /* temp files of KC_BODY_UPLOAD; must exist */
    struct kc_metrics *metrics; /* may be NULL */
    int sse_keepalive_ms;       /* idle time before an SSE ": keepalive" comment; 0 = 15000 */
};

/* --- server lifecycle (not thread-safe; call from the main thread) --- */
struct kc_http_server *kc_http_new(const struct kc_http_config *cfg, struct kc_err *err);
/* Copies the route (strings must outlive the server: use literals). Fails on a duplicate
 * method+pattern or a malformed pattern. */
int kc_http_route(struct kc_http_server *srv, const struct kc_route *route, struct kc_err *err);
void kc_http_set_guard(struct kc_http_server *srv, kc_http_guard guard, void *ctx);
int kc_http_start(struct kc_http_server *srv, struct kc_err *err);
int kc_http_port(const struct kc_http_server *srv);
/* Graceful: stop accepting, let in-flight requests finish (up to timeout_ms), then stop. */
void kc_http_stop(struct kc_http_server *srv, int timeout_ms);
void kc_http_free(struct kc_http_server *srv);
/* The route table, for table-driven tests and the OpenAPI document. */
size_t kc_http_route_count(const struct kc_http_server *srv);
const struct kc_route *kc_http_route_at(const struct kc_http_server *srv, size_t i);

/* --- request --- */
const char *kc_req_method(const struct kc_req *req);
const char *kc_req_path(const struct kc_req *req);
const struct kc_route *kc_req_route(const struct kc_req *req);
const char *kc_req_param(const struct kc_req *req,
                         const char *name); /* path {name}; NULL if none */
const char *kc_req_query(const struct kc_req *req, const char *name);  /* decoded; NULL if absent */
const char *kc_req_header(const struct kc_req *req, const char *name); /* case-insensitive */
const char *kc_req_id(const struct kc_req *req);
const char *kc_req_client_ip(const struct kc_req *req);
/* Raw body (KC_BODY_BUFFER). Not NUL-terminated: use len. */
const char *kc_req_body(const struct kc_req *req, size_t *len);
/* Parse the body as JSON. Requires Content-Type application/json (else KC_E_MEDIA_TYPE);
 * syntax errors → KC_E_BAD_REQUEST with "line L column C: reason"; invalid UTF-8 is a syntax
 * error. Returns a borrowed reference owned by the request (parsed once). */
json_t *kc_req_json(struct kc_req *req, struct kc_err *err);
/* Per-request user data set by the guard; free_fn (may be NULL) runs when the request ends. */
void kc_req_set_user(struct kc_req *req, void *user, void (*free_fn)(void *));
void *kc_req_user(const struct kc_req *req);

/* Uploaded parts (KC_BODY_UPLOAD). `filename` is the client's name, for display only: never a
 * path. The temp file is removed when the request ends unless the handler moved it away
 * (rename/link it into the blob store). */
struct kc_upload_file {
    const char *field;        /* form field name */
    const char *filename;     /* client-supplied, may be "" — never use as a path */
    const char *content_type; /* client-supplied, advisory only */
    const char *path;         /* temp file on the server */
    uint64_t size;            /* bytes */
    char sha256_hex[65];      /* of the content, computed while streaming */
};
size_t kc_req_file_count(const struct kc_req *req);
const struct kc_upload_file *kc_req_file(const struct kc_req *req, size_t i);
const char *kc_req_form(const struct kc_req *req, const char *name); /* multipart text field */

/* --- response: call exactly one of the body setters --- */
void kc_resp_json(struct kc_resp *resp, int status, json_t *body);  /* steals the reference */
void kc_resp_error(struct kc_resp *resp, const struct kc_err *err); /* status from err->code */
void kc_resp_errorf(struct kc_resp *resp, enum kc_err_code code, const char *field, const char *fmt,
                    ...) __attribute__((format(printf, 4, 5)));
void kc_resp_bytes(struct kc_resp *resp, int status, const char *content_type, const void *data,
                   size_t len); /* copies */
/* Streams a file from disk (static assets, blobs). 404 JSON error if it cannot be opened. */
void kc_resp_file(struct kc_resp *resp, int status, const char *content_type, const char *path);
void kc_resp_empty(struct kc_resp *resp, int status);                           /* e.g. 204 */
void kc_resp_header(struct kc_resp *resp, const char *name, const char *value); /* copies */

/* Server-Sent Events. `next` is called repeatedly on a server thread; it writes one complete
 * event ("event: progress\ndata: {...}\n\n") into buf (cap bytes) and returns its length, 0 when
 * it has nothing yet (it should block at most ~1 s waiting, e.g. on a Redis subscription; a
 * ": keepalive" comment is sent after idle periods), or -1 to end the stream. free_ctx runs
 * when the stream ends or the client disconnects. */
typedef long (*kc_sse_next)(void *ctx, char *buf, size_t cap);
void kc_resp_sse(struct kc_resp *resp, kc_sse_next next, void *ctx, void (*free_ctx)(void *));

/* JSON helpers for handlers: field extraction with the error shape's field name.
 * Each returns 0 and sets *out, or -1 with KC_E_INVALID naming `field`. `required`=0 leaves
 * *out untouched when the field is absent or null. Strings must be valid UTF-8 (jansson
 * guarantees) and at most max_len bytes (0 = no limit). */
int kc_json_str(const json_t *obj, const char *field, int required, size_t max_len,
                const char **out, struct kc_err *err);
int kc_json_int(const json_t *obj, const char *field, int required, int64_t min, int64_t max,
                int64_t *out, struct kc_err *err);
int kc_json_num(const json_t *obj, const char *field, int required, double min, double max,
                double *out, struct kc_err *err);
int kc_json_bool(const json_t *obj, const char *field, int required, int *out, struct kc_err *err);
/* value must be one of the NULL-terminated `allowed` strings */
int kc_json_enum(const json_t *obj, const char *field, int required, const char *const *allowed,
                 const char **out, struct kc_err *err);

#endif
