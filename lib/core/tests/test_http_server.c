/*
 * test_http_server.c — server behaviour around the handlers: request ids, the access-log
 * line, keep-alive, metrics by route pattern, files, extra headers, Server-Sent Events
 * (events, keepalive comments, client disconnect, stop) and graceful stop with a request in
 * flight.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"
#include "test_http_util.h"

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* --- handlers --- */

static void item(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    (void)ctx;
    const char *user = kc_req_user(req);
    kc_resp_json(resp, 200,
                 json_pack("{s:s, s:s, s:s, s:s?}", "id", kc_req_param(req, "id"), "request_id",
                           kc_req_id(req), "ip", kc_req_client_ip(req), "user", user));
    kc_resp_header(resp, "X-Custom", "yes");
    kc_resp_header(resp, "X-Evil", "a\r\nSet-Cookie: x=1");
}

static void ping(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    (void)req, (void)ctx;
    kc_resp_bytes(resp, 200, "text/plain", "pong", 4);
}

static void silent(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    (void)req, (void)resp, (void)ctx; /* forgets to answer */
}

static char served_file[256];

static void file(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    (void)ctx;
    const char *which = kc_req_query(req, "missing") ? "/nonexistent/file" : served_file;
    kc_resp_file(resp, 200, "text/csv", which);
}

static atomic_int slow_started;

static void slow(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    (void)req, (void)ctx;
    atomic_store(&slow_started, 1);
    sleep_ms(600);
    kc_resp_bytes(resp, 200, "text/plain", "done", 4);
}

/* SSE: `limit` events, each after `gap` idle calls of 60 ms ("nothing yet", the way a Redis
 * subscription waits), then the end; limit < 0 never sends an event and never ends. */
struct stream {
    int limit, gap, sent, idle;
    atomic_int *freed;
};

static atomic_int sse_freed;

static long stream_next(void *ctx, char *buf, size_t cap)
{
    struct stream *s = ctx;
    if (s->limit >= 0 && s->sent >= s->limit) return -1;
    if (s->limit < 0 || s->idle < s->gap) {
        s->idle++;
        sleep_ms(60);
        return 0;
    }
    s->idle = 0;
    s->sent++;
    return snprintf(buf, cap, "event: tick\ndata: {\"n\":%d}\n\n", s->sent);
}

static void stream_free(void *ctx)
{
    struct stream *s = ctx;
    atomic_fetch_add(s->freed, 1);
    free(s);
}

static void events(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    (void)ctx;
    struct stream *s = calloc(1, sizeof *s);
    const char *n = kc_req_query(req, "n");
    const char *gap = kc_req_query(req, "gap");
    s->limit = n ? atoi(n) : 3;
    s->gap = gap ? atoi(gap) : 2;
    s->freed = &sse_freed;
    kc_resp_sse(resp, stream_next, s, stream_free);
}

static void free_user(void *p)
{
    free(p);
}

static int guard(struct kc_req *req, const struct kc_route *route, struct kc_resp *resp, void *ctx)
{
    (void)resp, (void)ctx, (void)route;
    const char *u = kc_req_header(req, "X-User");
    if (u) kc_req_set_user(req, strdup(u), free_user);
    return 0;
}

static const struct kc_route routes[] = {
    {.method = "GET", .pattern = "/items/{id}", .handler = item},
    {.method = "GET", .pattern = "/ping", .handler = ping},
    {.method = "GET", .pattern = "/silent", .handler = silent},
    {.method = "GET", .pattern = "/file", .handler = file},
    {.method = "GET", .pattern = "/slow", .handler = slow},
    {.method = "GET", .pattern = "/events", .handler = events},
};

static struct kc_http_server *srv;
static struct kc_metrics *metrics;
static FILE *log_sink;

static void setup(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    log_sink = tmpfile();
    kc_log_init("test", KC_LOG_INFO, log_sink);
    metrics = kc_metrics_new();
    atomic_store(&sse_freed, 0);
    atomic_store(&slow_started, 0);
    struct kc_http_config cfg = {.metrics = metrics, .sse_keepalive_ms = 150};
    srv = th_start(routes, sizeof routes / sizeof routes[0], &cfg);
    kc_http_set_guard(srv, guard, NULL);
}

static void teardown(void)
{
    kc_http_free(srv);
    kc_metrics_free(metrics);
    kc_log_init("", KC_LOG_INFO, NULL);
    fclose(log_sink);
    curl_global_cleanup();
}

TestSuite(server, .init = setup, .fini = teardown);

static struct th_resp get(CURL *h, const char *path, const char *const *hdrs)
{
    struct th_resp r;
    th_request(h, "GET", th_url(srv, path), hdrs, NULL, 0, 0, &r);
    cr_assert_eq(r.rc, CURLE_OK, "%s: %s", path, curl_easy_strerror(r.rc));
    return r;
}

Test(server, request_id_echo)
{
    char id[128];
    static const char *const h1[] = {"X-Request-Id: client-abc_1.2", NULL};
    struct th_resp r = get(NULL, "/items/1", h1);
    cr_assert_str_eq(th_header(&r, "X-Request-Id", id, sizeof id), "client-abc_1.2");
    json_t *j = th_json(&r);
    cr_assert_str_eq(json_string_value(json_object_get(j, "request_id")), "client-abc_1.2");
    cr_assert_str_eq(json_string_value(json_object_get(j, "ip")), "127.0.0.1");
    json_decref(j);
    th_resp_free(&r);
    static const char *const bad[] = {"X-Request-Id: has space", "X-Request-Id: x\"y", NULL};
    char long_id[100];
    memset(long_id, 'a', sizeof long_id);
    snprintf(long_id, sizeof long_id, "X-Request-Id: %065d", 7);
    const char *const too_long[] = {long_id, NULL};
    const char *const *cases[] = {bad, too_long, NULL};
    char first[128] = "";
    for (size_t i = 0; i < 3; i++) {
        r = get(NULL, "/items/1", cases[i]);
        cr_assert_not_null(th_header(&r, "X-Request-Id", id, sizeof id));
        cr_assert(strlen(id) > 0 && strlen(id) <= 64);
        cr_assert_eq(strspn(id, "0123456789abcdef-"), strlen(id), "generated: %s", id);
        cr_assert_str_neq(id, first, "ids are unique");
        snprintf(first, sizeof first, "%s", id);
        th_resp_free(&r);
    }
    /* error responses carry it too */
    static const char *const h2[] = {"X-Request-Id: on-404", NULL};
    r = get(NULL, "/nope", h2);
    cr_assert_eq(r.status, 404);
    cr_assert_str_eq(th_header(&r, "X-Request-Id", id, sizeof id), "on-404");
    th_resp_free(&r);
}

/* Read the log file until a line with this request id appears (completion runs after the
 * response has been sent). Returns the parsed line. */
static json_t *log_line_for(const char *request_id)
{
    for (int tries = 0; tries < 500; tries++) {
        fflush(log_sink);
        rewind(log_sink);
        char *line = NULL;
        size_t cap = 0;
        json_t *found = NULL;
        while (!found && getline(&line, &cap, log_sink) > 0) {
            json_error_t e;
            json_t *j = json_loads(line, JSON_REJECT_DUPLICATES, &e);
            cr_assert_not_null(j, "log line is not JSON: %s", line);
            const char *rid = json_string_value(json_object_get(j, "request_id"));
            if (rid && strcmp(rid, request_id) == 0)
                found = j;
            else
                json_decref(j);
        }
        free(line);
        if (found) return found;
        sleep_ms(10);
    }
    cr_assert_fail("no log line for %s", request_id);
    return NULL;
}

Test(server, access_log_line)
{
    static const char *const h1[] = {"X-Request-Id: log-1", NULL};
    struct th_resp r = get(NULL, "/items/5?x=1", h1);
    size_t body_len = r.len;
    th_resp_free(&r);
    json_t *l = log_line_for("log-1");
    static const char *const keys[] = {"ts",    "level", "service", "request_id", "msg", "method",
                                       "route", "path",  "status",  "bytes",      "ms"};
    cr_assert_eq(json_object_size(l), sizeof keys / sizeof keys[0], "%s",
                 json_dumps(l, JSON_COMPACT));
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        cr_assert_not_null(json_object_get(l, keys[i]), "missing %s", keys[i]);
    cr_assert_str_eq(json_string_value(json_object_get(l, "level")), "info");
    cr_assert_str_eq(json_string_value(json_object_get(l, "service")), "test");
    cr_assert_str_eq(json_string_value(json_object_get(l, "msg")), "request");
    cr_assert_str_eq(json_string_value(json_object_get(l, "method")), "GET");
    cr_assert_str_eq(json_string_value(json_object_get(l, "route")), "/items/{id}");
    cr_assert_str_eq(json_string_value(json_object_get(l, "path")), "/items/5");
    cr_assert_eq(json_integer_value(json_object_get(l, "status")), 200);
    cr_assert_eq(json_integer_value(json_object_get(l, "bytes")), (json_int_t)body_len);
    cr_assert(json_is_number(json_object_get(l, "ms")));
    cr_assert_geq(json_number_value(json_object_get(l, "ms")), 0);
    json_decref(l);
    static const char *const h2[] = {"X-Request-Id: log-2", NULL};
    r = get(NULL, "/no/such/thing", h2);
    th_resp_free(&r);
    l = log_line_for("log-2");
    cr_assert(json_is_null(json_object_get(l, "route")));
    cr_assert_eq(json_integer_value(json_object_get(l, "status")), 404);
    json_decref(l);
}

Test(server, keep_alive_is_kept)
{
    CURL *h = curl_easy_init();
    struct th_resp r = get(h, "/ping", NULL);
    cr_assert_eq(r.num_connects, 1);
    char conn[64];
    cr_assert_null(th_header(&r, "Connection", conn, sizeof conn), "no Connection: close");
    th_resp_free(&r);
    r = get(h, "/ping", NULL);
    cr_assert_eq(r.status, 200);
    cr_assert_eq(r.num_connects, 0, "second request reused the connection");
    th_resp_free(&r);
    r = get(h, "/nope", NULL); /* an error answer decided on the first call */
    cr_assert_eq(r.status, 404);
    cr_assert_eq(r.num_connects, 0);
    th_resp_free(&r);
    r = get(h, "/items/3", NULL);
    cr_assert_eq(r.num_connects, 0, "still the same connection after a 404");
    th_resp_free(&r);
    th_request(h, "POST", th_url(srv, "/ping"), NULL, NULL, 0, 0, &r);
    cr_assert_eq(r.status, 405);
    cr_assert_eq(r.num_connects, 0);
    th_resp_free(&r);
    curl_easy_cleanup(h);
}

Test(server, metrics_by_route_pattern)
{
    char path[64];
    for (int i = 0; i < 7; i++) {
        snprintf(path, sizeof path, "/items/%d", i);
        struct th_resp r = get(NULL, path, NULL);
        th_resp_free(&r);
    }
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "/unknown/%d", i);
        struct th_resp r = get(NULL, path, NULL);
        th_resp_free(&r);
    }
    struct th_resp r;
    th_request(NULL, "DELETE", th_url(srv, "/ping"), NULL, NULL, 0, 0, &r);
    th_resp_free(&r);
    th_request(NULL, "HEAD", th_url(srv, "/items/1"), NULL, NULL, 0, 0, &r);
    th_resp_free(&r);
    const char *items = "route=\"/items/{id}\",method=\"GET\",status=\"200\"";
    const char *del = "route=\"unmatched\",method=\"DELETE\",status=\"405\"";
    for (int tries = 0;
         tries < 500 && kc_metrics_value(metrics, "kc_http_requests_total", del) != 1; tries++)
        sleep_ms(10);
    cr_assert_float_eq(kc_metrics_value(metrics, "kc_http_requests_total", del), 1, 1e-9,
                       "a 405 has no route: it is counted as unmatched");
    const char *head = "route=\"/items/{id}\",method=\"HEAD\",status=\"200\"";
    for (int tries = 0;
         tries < 500 && kc_metrics_value(metrics, "kc_http_requests_total", head) != 1; tries++)
        sleep_ms(10);
    for (int tries = 0;
         tries < 500 && kc_metrics_value(metrics, "kc_http_requests_total", items) != 7; tries++)
        sleep_ms(10);
    char *text = kc_metrics_render(metrics, NULL);
    cr_assert(strstr(text, "kc_http_requests_total{route=\"/items/{id}\",method=\"GET\","
                           "status=\"200\"} 7\n"),
              "%s", text);
    cr_assert(strstr(text, "kc_http_requests_total{route=\"unmatched\",method=\"GET\","
                           "status=\"404\"} 2\n"),
              "%s", text);
    cr_assert(strstr(text, "kc_http_request_duration_seconds_count{route=\"/items/{id}\","
                           "method=\"GET\"} 7\n"),
              "%s", text);
    cr_assert(strstr(text, "kc_http_request_duration_seconds_bucket{route=\"/items/{id}\","
                           "method=\"GET\",le=\"+Inf\"} 7\n"),
              "%s", text);
    cr_assert(strstr(text, "# TYPE kc_http_request_duration_seconds histogram\n"));
    cr_assert(strstr(text, "kc_http_requests_total{route=\"/items/{id}\",method=\"HEAD\","
                           "status=\"200\"} 1\n"),
              "HEAD served by the GET route is labelled HEAD: %s", text);
    cr_assert_null(strstr(text, "/items/3"), "labels use the pattern, never the path");
    cr_assert_null(strstr(text, "/unknown/"));
    free(text);
}

Test(server, files_headers_and_missing_response)
{
    snprintf(served_file, sizeof served_file, "/tmp/kc-http-file-XXXXXX");
    int fd = mkstemp(served_file);
    cr_assert(fd >= 0);
    static const char csv[] = "name,score\nann,3\n";
    cr_assert_eq(write(fd, csv, sizeof csv - 1), (ssize_t)(sizeof csv - 1));
    close(fd);
    char ct[64], cl[32], x[64];
    struct th_resp r = get(NULL, "/file", NULL);
    cr_assert_eq(r.status, 200);
    cr_assert_str_eq(r.body, csv);
    cr_assert_str_eq(th_header(&r, "Content-Type", ct, sizeof ct), "text/csv");
    cr_assert_eq(atoi(th_header(&r, "Content-Length", cl, sizeof cl)), (int)(sizeof csv - 1));
    th_resp_free(&r);
    r = get(NULL, "/file?missing=1", NULL);
    cr_assert_eq(r.status, 404);
    th_resp_free(&r);
    unlink(served_file);
    static const char *const hu[] = {"X-User: ann", NULL};
    r = get(NULL, "/items/9", hu);
    cr_assert_str_eq(th_header(&r, "X-Custom", x, sizeof x), "yes");
    cr_assert_null(th_header(&r, "X-Evil", x, sizeof x), "header with CR/LF is dropped");
    cr_assert_null(th_header(&r, "Set-Cookie", x, sizeof x));
    json_t *j = th_json(&r);
    cr_assert_str_eq(json_string_value(json_object_get(j, "user")), "ann", "guard's user");
    json_decref(j);
    th_resp_free(&r);
    r = get(NULL, "/silent", NULL);
    cr_assert_eq(r.status, 500);
    char code[64], msg[256];
    th_error(&r, code, sizeof code, msg, sizeof msg);
    cr_assert_str_eq(code, "internal");
    th_resp_free(&r);
}

/* --- SSE --- */

static int wait_for(atomic_int *v, int want, int ms)
{
    for (int waited = 0; waited < ms && atomic_load(v) != want; waited += 10) sleep_ms(10);
    return atomic_load(v) == want;
}

Test(server, sse_three_events_then_end)
{
    struct th_resp r = get(NULL, "/events?n=3", NULL);
    char ct[64], cc[64];
    cr_assert_eq(r.status, 200);
    cr_assert_str_eq(th_header(&r, "Content-Type", ct, sizeof ct), "text/event-stream");
    cr_assert_str_eq(th_header(&r, "Cache-Control", cc, sizeof cc), "no-cache");
    int n = 0;
    for (const char *p = strstr(r.body, "event: tick\ndata: "); p;
         p = strstr(p + 1, "event: tick\ndata: "))
        n++;
    cr_assert_eq(n, 3, "%s", r.body);
    cr_assert(strstr(r.body, "data: {\"n\":1}\n\n") && strstr(r.body, "data: {\"n\":3}\n\n"));
    th_resp_free(&r);
    cr_assert(wait_for(&sse_freed, 1, 5000), "free_ctx ran");
}

Test(server, sse_keepalive_comments)
{
    /* 5 idle calls of 60 ms before the event: longer than the 150 ms keepalive interval */
    struct th_resp r = get(NULL, "/events?n=1&gap=5", NULL);
    cr_assert_eq(r.status, 200);
    const char *ka = strstr(r.body, ": keepalive\n\n"), *ev = strstr(r.body, "data: {\"n\":1}");
    cr_assert(ka && ev && ka < ev, "%s", r.body);
    th_resp_free(&r);
    r = get(NULL, "/events?n=2&gap=0", NULL);
    cr_assert_null(strstr(r.body, "keepalive"), "no keepalive while events flow: %s", r.body);
    th_resp_free(&r);
}

static size_t stop_after_keepalive(char *data, size_t size, size_t n, void *ud)
{
    (void)data;
    int *chunks = ud;
    (*chunks)++;
    (void)size, (void)n;
    return 0; /* abort the transfer: the client goes away */
}

Test(server, sse_client_disconnect_ends_stream)
{
    CURL *c = curl_easy_init();
    int chunks = 0;
    curl_easy_setopt(c, CURLOPT_URL, th_url(srv, "/events?n=-1"));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, stop_after_keepalive);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &chunks);
    CURLcode rc = curl_easy_perform(c);
    cr_assert_eq(rc, CURLE_WRITE_ERROR);
    curl_easy_cleanup(c);
    cr_assert_eq(chunks, 1);
    cr_assert(wait_for(&sse_freed, 1, 10000), "the server noticed the disconnect");
}

struct client {
    const char *path;
    struct th_resp r;
};

static void *client_main(void *arg)
{
    struct client *c = arg;
    th_request(NULL, "GET", th_url(srv, c->path), NULL, NULL, 0, 0, &c->r);
    return NULL;
}

Test(server, graceful_stop_finishes_in_flight_request)
{
    struct client c = {.path = "/slow"};
    pthread_t t;
    pthread_create(&t, NULL, client_main, &c);
    cr_assert(wait_for(&slow_started, 1, 10000));
    int port = kc_http_port(srv);
    kc_http_stop(srv, 5000);
    pthread_join(t, NULL);
    cr_assert_eq(c.r.rc, CURLE_OK, "%s", curl_easy_strerror(c.r.rc));
    cr_assert_eq(c.r.status, 200);
    cr_assert_str_eq(c.r.body, "done");
    char conn[32];
    cr_assert_str_eq(th_header(&c.r, "Connection", conn, sizeof conn), "close");
    th_resp_free(&c.r);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/ping", port);
    struct th_resp r;
    th_request(NULL, "GET", url, NULL, NULL, 0, 0, &r);
    cr_assert_eq(r.rc, CURLE_COULDNT_CONNECT, "no new connections after stop");
    th_resp_free(&r);
}

Test(server, stop_ends_open_sse_stream)
{
    struct client c = {.path = "/events?n=-1"};
    pthread_t t;
    pthread_create(&t, NULL, client_main, &c);
    sleep_ms(300);
    kc_http_stop(srv, 3000);
    pthread_join(t, NULL);
    cr_assert_eq(c.r.status, 200);
    cr_assert(strstr(c.r.body, ": keepalive"), "%s", c.r.body);
    th_resp_free(&c.r);
    cr_assert(wait_for(&sse_freed, 1, 5000));
}

static void *hammer(void *arg)
{
    (void)arg;
    CURL *h = curl_easy_init();
    char path[64];
    for (int i = 0; i < 150; i++) {
        snprintf(path, sizeof path, i % 3 ? "/items/%d" : "/missing/%d", i);
        struct th_resp r;
        th_request(h, "GET", th_url(srv, path), NULL, NULL, 0, 0, &r);
        cr_assert_eq(r.status, i % 3 ? 200 : 404);
        if (i % 3) {
            json_t *j = th_json(&r);
            char want[16];
            snprintf(want, sizeof want, "%d", i);
            cr_assert_str_eq(json_string_value(json_object_get(j, "id")), want,
                             "no mix-up between requests");
            json_decref(j);
        }
        th_resp_free(&r);
    }
    curl_easy_cleanup(h);
    return NULL;
}

Test(server, concurrent_clients_are_counted_exactly)
{
    pthread_t t[6];
    for (int i = 0; i < 6; i++) pthread_create(&t[i], NULL, hammer, NULL);
    for (int i = 0; i < 6; i++) pthread_join(t[i], NULL);
    const char *ok = "route=\"/items/{id}\",method=\"GET\",status=\"200\"";
    const char *nf = "route=\"unmatched\",method=\"GET\",status=\"404\"";
    for (int i = 0; i < 500 && (kc_metrics_value(metrics, "kc_http_requests_total", ok) != 600 ||
                                kc_metrics_value(metrics, "kc_http_requests_total", nf) != 300);
         i++)
        sleep_ms(10);
    cr_assert_float_eq(kc_metrics_value(metrics, "kc_http_requests_total", ok), 600, 1e-9);
    cr_assert_float_eq(kc_metrics_value(metrics, "kc_http_requests_total", nf), 300, 1e-9);
}
