/*
 * http.c — the server: libmicrohttpd daemon, request life cycle, access log and metrics.
 *
 * Request life cycle (one struct kc_req per connection, reused; see http_private.h)
 *  1. URI callback (MHD_OPTION_URI_LOG_CALLBACK): the raw request target is copied and the
 *     clock starts. Its return value becomes *con_cls, so the request object exists before
 *     the access handler runs; phase NEW.
 *  2. First access-handler call (headers complete): parse and match the target, take the
 *     request id, check Content-Length against the route's limit, set up body handling, run
 *     the guard. If that decides the answer (400/404/405/413/415/guard) and the request has a
 *     body, the answer is queued at once — libmicrohttpd then skips the unread body and
 *     closes the connection, so an unauthenticated upload is never read. Without a body the
 *     answer waits for the next call (phase PENDING): queuing on the first call makes MHD add
 *     `Connection: close` (STACK-NOTES), which costs keep-alive.
 *  3. Body calls: bytes are counted against the limit and fed to the body handler
 *     (http_body.c). MHD cannot queue a response while body data is being delivered, so a
 *     mid-body error (limit exceeded on a chunked body, bad multipart) stops storing data and
 *     drops the rest (up to KC_HTTP_DISCARD_MAX bytes, then the connection is cut) before
 *     answering at the end.
 *  4. Final call: finish the body, run the handler, queue its response.
 *  5. Completion callback: access-log line, metrics, cleanup (temp files, JSON, user data).
 *
 * Graceful stop: set `stopping` (responses then carry Connection: close), quiesce the daemon
 * (no new connections), end SSE streams, wait until no request is in flight or the timeout
 * passes, then stop the daemon, which also closes idle keep-alive connections. In-flight is
 * counted per request, not per connection: an idle keep-alive connection has nothing to
 * finish and must not hold the stop for its whole idle timeout.
 */
#include "http_private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define DEFAULT_MAX_BODY (1024 * 1024)

uint64_t kc_http_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* --- arena --- */

void *kc_req_alloc(struct kc_req *req, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    if (n <= sizeof req->arena - req->arena_used) {
        void *p = (char *)req->arena + req->arena_used;
        req->arena_used += n;
        return p;
    }
    struct kc_arena_chunk *c = req->chunks;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 8192 ? n : 8192;
        c = malloc(sizeof *c + cap);
        if (!c) return NULL;
        c->cap = cap;
        c->used = 0;
        c->next = req->chunks;
        req->chunks = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

char *kc_req_strndup(struct kc_req *req, const char *s, size_t n)
{
    char *p = kc_req_alloc(req, n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* Free everything the previous request left and make req ready for the next one. */
static void req_reset(struct kc_req *req)
{
    kc_body_cleanup(req);
    kc_resp_cleanup(&req->resp);
    if (req->user_free && req->user) req->user_free(req->user);
    while (req->chunks) {
        struct kc_arena_chunk *next = req->chunks->next;
        free(req->chunks);
        req->chunks = next;
    }
    struct kc_http_server *srv = req->srv;
    struct MHD_Connection *conn = req->conn;
    memset(req, 0, offsetof(struct kc_req, arena));
    req->srv = srv;
    req->conn = conn;
}

/* --- request accessors --- */

const char *kc_req_method(const struct kc_req *req)
{
    return req->method ? req->method : "";
}

const char *kc_req_path(const struct kc_req *req)
{
    return req->path ? req->path : "";
}

const struct kc_route *kc_req_route(const struct kc_req *req)
{
    return req->route ? &req->route->r : NULL;
}

const char *kc_req_header(const struct kc_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *kc_req_id(const struct kc_req *req)
{
    return req->id;
}

const char *kc_req_client_ip(const struct kc_req *creq)
{
    struct kc_req *req = (struct kc_req *)creq; /* filled lazily */
    if (req->client_ip[0]) return req->client_ip;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    const char *r = NULL;
    if (sa && sa->sa_family == AF_INET)
        r = inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
                      req->client_ip, sizeof req->client_ip);
    else if (sa && sa->sa_family == AF_INET6)
        r = inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                      req->client_ip, sizeof req->client_ip);
    if (!r) snprintf(req->client_ip, sizeof req->client_ip, "unknown");
    return req->client_ip;
}

const char *kc_req_body(const struct kc_req *req, size_t *len)
{
    if (len) *len = req->body_len;
    return req->body;
}

void kc_req_set_user(struct kc_req *req, void *user, void (*free_fn)(void *))
{
    if (req->user_free && req->user && req->user != user) req->user_free(req->user);
    req->user = user;
    req->user_free = free_fn;
}

void *kc_req_user(const struct kc_req *req)
{
    return req->user;
}

/* --- request id, access log, metrics --- */

static int valid_request_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (n >= 64 || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return n > 0;
}

static void take_request_id(struct kc_req *req)
{
    const char *h = kc_req_header(req, "X-Request-Id");
    if (h && valid_request_id(h)) {
        snprintf(req->id, sizeof req->id, "%s", h);
        return;
    }
    unsigned long long n = atomic_fetch_add(&req->srv->id_counter, 1);
    snprintf(req->id, sizeof req->id, "%s%llx", req->srv->id_prefix, n);
}

static const char *metric_method(const struct kc_req *req)
{
    return req->method_bit ? req->method : "other";
}

static void record_metrics(const struct kc_req *req, int status, double seconds);

static void record_request(struct kc_req *req, enum MHD_RequestTerminationCode toe)
{
    struct kc_http_server *srv = req->srv;
    double seconds = (double)(kc_http_now_ns() - req->start_ns) / 1e9;
    int status = req->phase == KC_PHASE_QUEUED ? req->resp.status : 0;
    const char *route = req->route ? req->route->r.pattern : NULL;
    if (kc_log_enabled(KC_LOG_INFO)) {
        struct kc_log_field f[7] = {KC_LOGF_S("method", kc_req_method(req)),
                                    KC_LOGF_S("route", route),
                                    KC_LOGF_S("path", kc_req_path(req)),
                                    KC_LOGF_I("status", status),
                                    KC_LOGF_I("bytes", (long long)req->resp.bytes),
                                    KC_LOGF_D("ms", seconds * 1e3),
                                    KC_LOGF_B("aborted", 1)};
        size_t n = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? 6 : 7;
        kc_log_kv(status >= 500 ? KC_LOG_ERROR : KC_LOG_INFO, req->id, "request", f, n);
    }
    if (srv->cfg.metrics) record_metrics(req, status, seconds);
}

/* Labels by route pattern (bounded cardinality), never by path. The common case — the
 * request's method is the route's — uses the label text built at registration. */
static void record_metrics(const struct kc_req *req, int status, double seconds)
{
    struct kc_metrics *m = req->srv->cfg.metrics;
    char base[400], labels[440];
    const char *b = base;
    if (req->route && req->method_bit == req->route->method_bit)
        b = req->route->metric_labels;
    else
        snprintf(base, sizeof base, "route=\"%s\",method=\"%s\"",
                 req->route ? req->route->metric_route : "unmatched", metric_method(req));
    size_t n = strlen(b);
    if (n + 16 > sizeof labels) return;
    memcpy(labels, b, n);
    /* ,status="NNN" — or "0" for a request that ended before any response */
    char st[16] = ",status=\"0\"";
    size_t stlen = 11;
    if (status >= 100 && status <= 999) {
        memcpy(st, ",status=\"000\"", 13);
        st[9] = (char)('0' + status / 100);
        st[10] = (char)('0' + status / 10 % 10);
        st[11] = (char)('0' + status % 10);
        stlen = 13;
    }
    memcpy(labels + n, st, stlen);
    labels[n + stlen] = '\0';
    kc_metrics_inc(m, "kc_http_requests_total",
                   "HTTP requests by route pattern, method and status.", labels, 1);
    kc_metrics_observe(m, "kc_http_request_duration_seconds",
                       "HTTP request duration from request line to response sent, seconds.", b,
                       seconds);
}

/* --- MHD callbacks --- */

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct kc_http_server *srv = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        struct kc_req *req = calloc(1, sizeof *req);
        if (req) {
            req->srv = srv;
            req->conn = conn;
        }
        *socket_context = req;
        atomic_fetch_add(&srv->connections, 1);
    } else {
        struct kc_req *req = *socket_context;
        if (req) {
            req_reset(req);
            free(req);
        }
        *socket_context = NULL;
        atomic_fetch_sub(&srv->connections, 1);
    }
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct kc_req *req = ci ? ci->socket_context : NULL;
    if (!req) return NULL;
    if (req->phase != KC_PHASE_IDLE) req_reset(req);
    req->conn = conn;
    req->phase = KC_PHASE_NEW;
    req->start_ns = kc_http_now_ns();
    kc_resp_reset(&req->resp, req);
    size_t n = strlen(uri);
    if (n > KC_HTTP_MAX_URI)
        req->uri_too_long = 1;
    else
        req->uri = kc_req_strndup(req, uri, n);
    return req;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct kc_http_server *srv = cls;
    (void)conn;
    struct kc_req *req = *con_cls;
    if (!req) return;
    if (req->counted) {
        record_request(req, toe);
        atomic_fetch_sub(&srv->inflight, 1);
    }
    req_reset(req);
    *con_cls = NULL;
}

static void detect_body(struct kc_req *req)
{
    const char *cl = kc_req_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *te = kc_req_header(req, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    req->content_length = UINT64_MAX;
    if (cl) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(cl, &end, 10);
        if (!errno && end != cl && *end == '\0') req->content_length = v;
    }
    req->has_body = (te != NULL) || (req->content_length != UINT64_MAX && req->content_length);
}

/* The answer is known on the first call: queue now when a body would follow (MHD skips it
 * and closes), else on the next call to keep the connection alive. */
static enum MHD_Result answer_early(struct kc_req *req)
{
    if (req->has_body) return kc_resp_queue(&req->resp);
    req->phase = KC_PHASE_PENDING;
    return MHD_YES;
}

static enum MHD_Result first_call(struct kc_req *req, const char *method)
{
    struct kc_http_server *srv = req->srv;
    struct kc_err err;
    kc_err_clear(&err);
    req->phase = KC_PHASE_BODY;
    req->method = method;
    req->method_bit = kc_http_method_bit(method);
    req->counted = 1;
    atomic_fetch_add(&srv->inflight, 1);
    take_request_id(req);
    detect_body(req);
    if (kc_router_parse_target(req, &err) < 0) {
        kc_resp_error(&req->resp, &err);
        return answer_early(req);
    }
    unsigned allow = 0;
    req->route = kc_router_match(srv, req, &allow);
    if (!req->route) {
        if (allow) {
            char buf[80];
            kc_router_allow_string(allow, buf, sizeof buf);
            kc_resp_errorf(&req->resp, KC_E_METHOD, NULL, "method %s is not allowed here",
                           req->method_bit ? method : "(unsupported)");
            kc_resp_header(&req->resp, "Allow", buf);
        } else {
            kc_resp_errorf(&req->resp, KC_E_NOT_FOUND, NULL, "no such resource");
        }
        return answer_early(req);
    }
    if (kc_body_begin(req, &err) < 0) {
        kc_resp_error(&req->resp, &err);
        return answer_early(req);
    }
    if (srv->guard && srv->guard(req, &req->route->r, &req->resp, srv->guard_ctx) != 0) {
        if (!req->resp.set) kc_resp_errorf(&req->resp, KC_E_FORBIDDEN, NULL, "forbidden");
        kc_body_cleanup(req);
        return answer_early(req);
    }
    return MHD_YES;
}

static enum MHD_Result body_chunk(struct kc_req *req, const char *data, size_t size)
{
    if (req->discarding) {
        req->discarded += size;
        return req->discarded > KC_HTTP_DISCARD_MAX ? MHD_NO : MHD_YES;
    }
    struct kc_err err;
    kc_err_clear(&err);
    if (kc_body_feed(req, data, size, &err) < 0) {
        kc_resp_error(&req->resp, &err);
        kc_body_cleanup(req);
        req->discarding = 1;
    }
    return MHD_YES;
}

static enum MHD_Result final_call(struct kc_req *req)
{
    struct kc_err err;
    kc_err_clear(&err);
    if (!req->discarding) {
        if (kc_body_finish(req, &err) < 0) {
            kc_resp_error(&req->resp, &err);
        } else {
            const struct kc_route *r = &req->route->r;
            r->handler(req, &req->resp, r->ctx);
            if (!req->resp.set)
                kc_resp_errorf(&req->resp, KC_E_INTERNAL, NULL, "the handler gave no response");
        }
    }
    return kc_resp_queue(&req->resp);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)cls, (void)conn, (void)url, (void)version;
    struct kc_req *req = *con_cls;
    if (!req) return MHD_NO; /* no request object (out of memory at connect) */
    size_t size = *upload_data_size;
    *upload_data_size = 0;
    switch (req->phase) {
    case KC_PHASE_NEW: return first_call(req, method);
    case KC_PHASE_BODY: return size ? body_chunk(req, upload_data, size) : final_call(req);
    case KC_PHASE_PENDING: return size ? MHD_YES : kc_resp_queue(&req->resp);
    default: return MHD_NO;
    }
}

static void mhd_logger(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    kc_log(KC_LOG_DEBUG, NULL, "libmicrohttpd: %s", msg);
}

/* --- lifecycle --- */

struct kc_http_server *kc_http_new(const struct kc_http_config *cfg, struct kc_err *err)
{
    if (sodium_init() < 0) {
        kc_err_set(err, KC_E_INTERNAL, "libsodium failed to initialise");
        return NULL;
    }
    struct kc_http_server *srv = calloc(1, sizeof *srv);
    if (!srv) {
        kc_err_set(err, KC_E_NOMEM, "out of memory");
        return NULL;
    }
    srv->cfg = *cfg;
    snprintf(srv->service, sizeof srv->service, "%s", cfg->service ? cfg->service : "");
    snprintf(srv->bind_addr, sizeof srv->bind_addr, "%s",
             cfg->bind_addr ? cfg->bind_addr : "127.0.0.1");
    snprintf(srv->upload_dir, sizeof srv->upload_dir, "%s",
             cfg->upload_dir ? cfg->upload_dir : "/tmp");
    srv->cfg.service = srv->service;
    srv->cfg.bind_addr = srv->bind_addr;
    srv->cfg.upload_dir = srv->upload_dir;
    if (!srv->cfg.default_max_body) srv->cfg.default_max_body = DEFAULT_MAX_BODY;
    if (srv->cfg.threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        srv->cfg.threads = n > 0 ? (int)n : 1;
    }
    srv->sse_keepalive_ms = cfg->sse_keepalive_ms > 0 ? cfg->sse_keepalive_ms : 15000;
    unsigned char rnd[6];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(srv->id_prefix, sizeof srv->id_prefix, rnd, sizeof rnd);
    strcat(srv->id_prefix, "-");
    pthread_mutex_init(&srv->sse_lock, NULL);
    pthread_cond_init(&srv->sse_cond, NULL);
    return srv;
}

int kc_http_route(struct kc_http_server *srv, const struct kc_route *route, struct kc_err *err)
{
    if (srv->daemon)
        return kc_err_set(err, KC_E_INVALID, "routes must be added before kc_http_start");
    return kc_router_add(srv, route, err);
}

void kc_http_set_guard(struct kc_http_server *srv, kc_http_guard guard, void *ctx)
{
    srv->guard = guard;
    srv->guard_ctx = ctx;
}

static int make_sockaddr(struct kc_http_server *srv, struct sockaddr_storage *ss, unsigned *flags,
                         struct kc_err *err)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    const char *addr = strcmp(srv->bind_addr, "localhost") == 0 ? "127.0.0.1" : srv->bind_addr;
    if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)srv->cfg.port);
        return 0;
    }
    if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)srv->cfg.port);
        *flags |= MHD_USE_IPv6;
        return 0;
    }
    return kc_err_set(err, KC_E_INVALID, "bind address '%s' is not an IPv4 or IPv6 address",
                      srv->bind_addr);
}

int kc_http_start(struct kc_http_server *srv, struct kc_err *err)
{
    /* A connection idle this long is closed: it bounds how long a client that went away
     * without a clean close (seen by tests/fuzz: CLOSE-WAIT sockets) holds a descriptor.
     * SSE streams send a keepalive every 15 s, uploads are inactivity-timed, so 30 s is safe.
     * The connection limit stays under the common 1024-descriptor soft limit with room for
     * Redis, the database and files. */
    enum { KC_HTTP_IDLE_TIMEOUT_S = 30, KC_HTTP_MAX_CONNECTIONS = 900 };
    if (srv->daemon) return kc_err_set(err, KC_E_INVALID, "server already started");
    if (srv->cfg.port < 0 || srv->cfg.port > 65535)
        return kc_err_set(err, KC_E_INVALID, "port %d is out of range", srv->cfg.port);
    /* ALLOW_SUSPEND_RESUME brings the inter-thread channel that quiesce and SSE need. */
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME;
    if (kc_log_enabled(KC_LOG_DEBUG)) flags |= MHD_USE_ERROR_LOG;
    struct sockaddr_storage ss;
    if (make_sockaddr(srv, &ss, &flags, err) < 0) return -1;
    errno = 0;
    srv->daemon = MHD_start_daemon(
        flags, (uint16_t)srv->cfg.port, NULL, NULL, on_request, srv, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)srv->cfg.threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv, MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_TIMEOUT,
        KC_HTTP_IDLE_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT, KC_HTTP_MAX_CONNECTIONS,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, srv, MHD_OPTION_END);
    if (!srv->daemon)
        return kc_err_set(err, KC_E_UNAVAILABLE, "cannot listen on %s:%d: %s", srv->bind_addr,
                          srv->cfg.port, errno ? strerror(errno) : "libmicrohttpd refused");
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : srv->cfg.port;
    return 0;
}

int kc_http_port(const struct kc_http_server *srv)
{
    return srv->port;
}

void kc_http_stop(struct kc_http_server *srv, int timeout_ms)
{
    if (!srv || !srv->daemon) return;
    atomic_store(&srv->stopping, 1);
    MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
    if (fd != MHD_INVALID_SOCKET) close(fd);
    kc_sse_stop_all(srv);
    uint64_t deadline = kc_http_now_ns() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000u;
    while (atomic_load(&srv->inflight) > 0 && kc_http_now_ns() < deadline) {
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kc_sse_stop_all(srv); /* streams begun while we waited */
    MHD_stop_daemon(srv->daemon);
    srv->daemon = NULL;
    if (kc_sse_wait_all(srv, 5000) != 0)
        kc_log(KC_LOG_WARN, NULL, "http: SSE producers still running after stop");
}

void kc_http_free(struct kc_http_server *srv)
{
    if (!srv) return;
    kc_http_stop(srv, 0);
    kc_router_free(srv);
    pthread_mutex_destroy(&srv->sse_lock);
    pthread_cond_destroy(&srv->sse_cond);
    free(srv);
}

size_t kc_http_route_count(const struct kc_http_server *srv)
{
    return srv->nroutes;
}

const struct kc_route *kc_http_route_at(const struct kc_http_server *srv, size_t i)
{
    return i < srv->nroutes ? &srv->routes[i]->r : NULL;
}
