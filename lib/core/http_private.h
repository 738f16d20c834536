/*
 * http_private.h — internals shared by http.c, http_router.c, http_body.c, http_resp.c,
 * http_sse.c and http_json.c. Not for use outside lib/core/http*.c.
 *
 * Data layout
 *  - struct kc_http_server: the configuration, the route table (an array of route entries in
 *    registration order plus a segment trie for matching), the MHD daemon and the counters
 *    used by graceful stop (in-flight requests, open connections, live SSE streams).
 *  - struct kc_req: one per connection, reused by every request on it (libmicrohttpd handles
 *    the requests of one connection strictly one after another). It holds the request's
 *    parsed path, its route and parameters, body state, the response being built and a bump
 *    arena (inline, overflowing to malloc'd chunks) for the request's strings, so a simple
 *    request allocates nothing of its own.
 *  - struct kc_resp is embedded in kc_req.
 */
#ifndef KC_HTTP_PRIVATE_H
#define KC_HTTP_PRIVATE_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "http.h"
#include "metrics.h"

#define KC_HTTP_MAX_PATH      2048 /* bytes of the raw path; longer → 400 */
#define KC_HTTP_MAX_URI       8192 /* bytes of path + query; longer → 400 */
#define KC_HTTP_MAX_SEGMENTS  32   /* deeper paths cannot match any route → 404 */
#define KC_HTTP_MAX_PARAMS    8
#define KC_HTTP_MAX_HEADERS   16 /* extra response headers */
#define KC_HTTP_MAX_FILES     16 /* file parts per upload */
#define KC_HTTP_MAX_FIELDS    64 /* text fields per multipart body */
#define KC_HTTP_MAX_FIELD_LEN (64 * 1024)
#define KC_HTTP_MAX_NAME_LEN  128 /* form field names */
#define KC_HTTP_DISCARD_MAX                                                                        \
    (8u * 1024 * 1024) /* body bytes read and dropped after a                                      \
                        * mid-body error before giving up */
#define KC_HTTP_ARENA_INLINE 4096

/* HTTP methods as bits so a route node can answer "which methods exist here" (Allow). */
enum {
    KC_M_GET = 1,
    KC_M_HEAD = 2,
    KC_M_POST = 4,
    KC_M_PUT = 8,
    KC_M_PATCH = 16,
    KC_M_DELETE = 32,
    KC_M_OPTIONS = 64,
};

struct kc_route_entry {
    struct kc_route r;
    unsigned method_bit;
    size_t nsegs;
    size_t nparams;
    const char *param_names[KC_HTTP_MAX_PARAMS]; /* owned (one allocation: names_buf) */
    size_t param_pos[KC_HTTP_MAX_PARAMS];        /* segment index of each parameter */
    char *names_buf;
    char *metric_route;               /* the pattern escaped for a Prometheus label value */
    char *metric_labels;              /* route="<metric_route>",method="<method>", built once */
    struct kc_route_entry *next_here; /* other methods at the same trie node */
};

struct kc_rnode; /* trie node, http_router.c */

struct kc_sse; /* http_sse.c */

struct kc_http_server {
    struct kc_http_config cfg; /* string members point into the copies below */
    char service[64];
    char bind_addr[64];
    char upload_dir[512];
    int sse_keepalive_ms;
    struct MHD_Daemon *daemon;
    int port;
    struct kc_route_entry **routes;
    size_t nroutes, routes_cap;
    struct kc_rnode *root;
    kc_http_guard guard;
    void *guard_ctx;
    atomic_int stopping;
    atomic_long inflight;    /* requests between first handler call and completion */
    atomic_long connections; /* open connections (MHD_OPTION_NOTIFY_CONNECTION) */
    atomic_ullong id_counter;
    char id_prefix[24];
    pthread_mutex_t sse_lock; /* guards sse_list and sse_count */
    pthread_cond_t sse_cond;
    struct kc_sse *sse_list;
    long sse_count; /* producer threads still running */
};

struct kc_resp {
    struct kc_req *req;
    int status;
    struct MHD_Response *mhd;
    uint64_t bytes; /* body bytes, for the access log */
    int set;        /* a body setter has run */
    size_t nheaders;
    const char *hname[KC_HTTP_MAX_HEADERS];
    const char *hval[KC_HTTP_MAX_HEADERS];
};

enum kc_req_phase {
    KC_PHASE_IDLE = 0, /* between requests */
    KC_PHASE_NEW,      /* URI seen, access handler not called yet */
    KC_PHASE_BODY,     /* headers processed, body (if any) streaming */
    KC_PHASE_PENDING,  /* answer decided on the first call; queue it on the next one */
    KC_PHASE_QUEUED,   /* response handed to MHD */
};

struct kc_upload; /* http_body.c */

struct kc_arena_chunk {
    struct kc_arena_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

struct kc_req {
    struct kc_http_server *srv;
    struct MHD_Connection *conn;
    enum kc_req_phase phase;
    int counted; /* included in srv->inflight */
    uint64_t start_ns;
    const char *method; /* MHD's copy, valid for the request */
    unsigned method_bit;
    char *uri;   /* raw request target (arena) */
    char *path;  /* raw path, without the query (arena) */
    char *query; /* raw query without '?', or NULL */
    int uri_too_long;
    char *segs[KC_HTTP_MAX_SEGMENTS]; /* decoded path segments (arena) */
    size_t nsegs;
    const struct kc_route_entry *route;
    const char *params[KC_HTTP_MAX_PARAMS];
    char id[72];
    char client_ip[64];
    /* body */
    int has_body;
    uint64_t content_length; /* UINT64_MAX when unknown (chunked) */
    uint64_t limit;
    uint64_t received;
    uint64_t discarded;
    int discarding; /* an error response is decided; remaining body bytes are dropped */
    char *body;
    size_t body_len, body_cap;
    json_t *json;
    int json_done;
    struct kc_err json_err;
    struct kc_upload *up;
    void *user;
    void (*user_free)(void *);
    struct kc_resp resp;
    /* arena */
    size_t arena_used;
    struct kc_arena_chunk *chunks;
    max_align_t arena[KC_HTTP_ARENA_INLINE / sizeof(max_align_t)];
};

/* --- arena (http.c) --- */
void *kc_req_alloc(struct kc_req *req, size_t n); /* NULL on OOM; freed at request end */
char *kc_req_strndup(struct kc_req *req, const char *s, size_t n);

/* --- router (http_router.c) --- */
unsigned kc_http_method_bit(const char *method);
int kc_router_add(struct kc_http_server *srv, const struct kc_route *route, struct kc_err *err);
void kc_router_free(struct kc_http_server *srv);
/* Parse req->uri into path, query and decoded segments. -1 with err on a bad target. */
int kc_router_parse_target(struct kc_req *req, struct kc_err *err);
/* Match req->segs and req->method_bit. Returns the route or NULL; on NULL, *allow is the set
 * of methods the path has (0 → 404, else 405). */
const struct kc_route_entry *kc_router_match(const struct kc_http_server *srv, struct kc_req *req,
                                             unsigned *allow);
/* "GET, HEAD, POST" for an Allow header. */
void kc_router_allow_string(unsigned allow, char *buf, size_t cap);

/* --- body (http_body.c) --- */
/* Set up body handling once the route is known (first call). -1 with err (413, 415...). */
int kc_body_begin(struct kc_req *req, struct kc_err *err);
/* Consume a chunk of the body. -1 with err when the request must be answered with err. */
int kc_body_feed(struct kc_req *req, const char *data, size_t size, struct kc_err *err);
/* The body is complete: finish the post processor and hashes. -1 with err. */
int kc_body_finish(struct kc_req *req, struct kc_err *err);
/* Free everything body-related; remove temp files the handler did not move. */
void kc_body_cleanup(struct kc_req *req);

/* --- response (http_resp.c) --- */
void kc_resp_reset(struct kc_resp *resp, struct kc_req *req);
void kc_resp_cleanup(struct kc_resp *resp);
/* Install a libmicrohttpd response (NULL: allocation failed → 500 without a body). */
void kc_resp_set(struct kc_resp *resp, int status, struct MHD_Response *mhd,
                 const char *content_type, uint64_t bytes);
/* Queue the response on the connection (adds X-Request-Id and the stored headers). */
enum MHD_Result kc_resp_queue(struct kc_resp *resp);

/* --- SSE (http_sse.c) --- */
/* Called by kc_http_stop: end every stream and resume suspended connections. */
void kc_sse_stop_all(struct kc_http_server *srv);
/* Wait (up to timeout_ms) for SSE producer threads to exit. 0 when none remain. */
int kc_sse_wait_all(struct kc_http_server *srv, int timeout_ms);

uint64_t kc_http_now_ns(void);

#endif
