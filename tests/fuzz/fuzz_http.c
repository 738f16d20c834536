/*
 * fuzz_http.c — libFuzzer target: raw HTTP requests against a real kc_http server.
 *
 * Design: LLVMFuzzerInitialize starts one lib/core HTTP server (libmicrohttpd + the kocruit
 * router, body, multipart-upload and JSON layers) on a free loopback port with a small route
 * table that exercises each body mode: path parameters, a JSON body, a multipart upload into a
 * private temp directory and a no-body route. Each fuzz input is written verbatim to a fresh TCP
 * connection (the real attack surface: request line, headers, percent-encoding, query strings,
 * chunked encoding, multipart boundaries); the write side is shut down when the headers are
 * incomplete (see LLVMFuzzerTestOneInput) and the answer is read until the first complete
 * response, EOF or a 100 ms receive timeout (a request whose body never completes).
 * The handlers touch everything the router and body parser produced (params, decoded query
 * values, headers, JSON fields, uploaded files and form fields) so ASan sees any bad pointer.
 * Invariants: the server never crashes, leaks or corrupts memory; a non-empty answer starts
 * with "HTTP/1." (checked). The server lives for the whole fuzzing process (1 thread pool).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "http.h"
#include "log.h"

static struct kc_http_server *server;
static int server_port;
static char upload_dir[64] = "/tmp/kc-fuzz-http-XXXXXX";

static void touch(const char *s)
{
    volatile size_t n = s ? strlen(s) : 0;
    (void)n;
}

static void h_params(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    (void)ctx;
    touch(kc_req_param(req, "id"));
    touch(kc_req_param(req, "sub"));
    touch(kc_req_query(req, "q"));
    touch(kc_req_query(req, "page"));
    touch(kc_req_query(req, ""));
    touch(kc_req_header(req, "Authorization"));
    touch(kc_req_path(req));
    kc_resp_json(resp, 200, json_pack("{s:s?}", "id", kc_req_param(req, "id")));
}

static void h_json(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    (void)ctx;
    struct kc_err err = {0};
    json_t *body = kc_req_json(req, &err);
    const char *name = NULL;
    int64_t n = 0;
    if (!body) {
        kc_resp_error(resp, &err);
        return;
    }
    if (kc_json_str(body, "name", 1, 64, &name, &err) != 0 ||
        kc_json_int(body, "n", 0, 0, 100, &n, &err) != 0) {
        kc_resp_error(resp, &err);
        return;
    }
    kc_resp_json(resp, 201, json_pack("{s:s, s:I}", "name", name, "n", (json_int_t)n));
}

static void h_upload(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    (void)ctx;
    size_t n = kc_req_file_count(req);
    for (size_t i = 0; i < n; i++) {
        const struct kc_upload_file *f = kc_req_file(req, i);
        touch(f->field);
        touch(f->filename);
        touch(f->content_type);
        touch(f->path);
        if (strlen(f->sha256_hex) != 64) abort();
    }
    touch(kc_req_form(req, "note"));
    touch(kc_req_form(req, "kind"));
    kc_resp_json(resp, 200, json_pack("{s:I}", "files", (json_int_t)n));
}

static void h_none(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    (void)ctx;
    (void)req;
    kc_resp_empty(resp, 204);
}

static const struct kc_route routes[] = {
    {.method = "GET", .pattern = "/api/v1/jobs/{id}", .handler = h_params},
    {.method = "GET", .pattern = "/api/v1/jobs/{id}/stages/{sub}", .handler = h_params},
    {.method = "GET", .pattern = "/api/v1/jobs", .handler = h_params},
    {.method = "POST", .pattern = "/api/v1/jobs", .handler = h_json, .max_body = 4096},
    {.method = "PUT", .pattern = "/api/v1/jobs/{id}", .handler = h_json},
    {.method = "POST",
     .pattern = "/api/v1/resumes",
     .handler = h_upload,
     .body = KC_BODY_UPLOAD,
     .max_body = 65536},
    {.method = "DELETE", .pattern = "/api/v1/jobs/{id}", .handler = h_none, .body = KC_BODY_NONE},
};

static void remove_upload_dir(void)
{
    rmdir(upload_dir); /* empty: the server removes unclaimed upload temp files */
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct kc_err err = {0};
    kc_log_init("fuzz", KC_LOG_ERROR, stderr);
    if (!mkdtemp(upload_dir)) abort();
    atexit(remove_upload_dir);
    struct kc_http_config cfg = {.service = "fuzz",
                                 .bind_addr = "127.0.0.1",
                                 .threads = 2,
                                 .default_max_body = 16384,
                                 .upload_dir = upload_dir};
    server = kc_http_new(&cfg, &err);
    if (!server) {
        fprintf(stderr, "kc_http_new: %s\n", err.message);
        abort();
    }
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (kc_http_route(server, &routes[i], &err) != 0) abort();
    if (kc_http_start(server, &err) != 0) {
        fprintf(stderr, "kc_http_start: %s\n", err.message);
        abort();
    }
    server_port = kc_http_port(server);
    return 0;
}

static int connect_server(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)server_port)};
    struct timeval tv = {.tv_usec = 100000}; /* a body that never completes */
    if (fd < 0) return -1;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Length of the first complete response in r[0..n), or 0 when more bytes are needed. The
 * server keeps HTTP/1.1 connections alive, so EOF cannot mark the end: parse the framing
 * (interim 1xx responses skipped, Content-Length, chunked, or body-less statuses). */
static size_t response_end(const char *r, size_t n)
{
    const char *end = memmem(r, n, "\r\n\r\n", 4);
    if (!end) return 0;
    size_t head = (size_t)(end - r) + 4;
    if (n >= 12 && r[9] == '1') {
        size_t rest = response_end(r + head, n - head);
        return rest ? head + rest : 0;
    }
    const char *cl = memmem(r, head, "\r\nContent-Length:", 17);
    if (cl) {
        size_t len = strtoul(cl + 17, NULL, 10);
        return n - head >= len ? head + len : 0;
    }
    if (memmem(r, head, "chunked", 7)) {
        const char *z = memmem(r + head - 2, n - head + 2, "\r\n0\r\n\r\n", 7);
        return z ? (size_t)(z - r) + 7 : 0;
    }
    if (n >= 12 && (memcmp(r + 9, "204", 3) == 0 || memcmp(r + 9, "304", 3) == 0)) return head;
    return 0; /* body until EOF */
}

static void send_all(int fd, const uint8_t *data, size_t size)
{
    for (size_t off = 0; off < size;) {
        ssize_t w = send(fd, data + off, size - off, MSG_NOSIGNAL);
        if (w <= 0) break; /* the server may close early on a bad request */
        off += (size_t)w;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char buf[65536];
    size_t got = 0;
    int fd = connect_server();
    if (fd < 0) abort(); /* the server died */
    send_all(fd, data, size);
    /* Without a blank line the server waits for more header bytes: end the stream so it
     * answers or closes now. With one, keep the write side open: after a half-close the
     * server answers but never notices the EOF and holds the socket (CLOSE-WAIT) for its 120 s
     * connection timeout (see README.md), which would exhaust descriptors in long runs; a
     * full close after the answer is seen at once. */
    if (!memmem(data, size, "\r\n\r\n", 4)) shutdown(fd, SHUT_WR);
    while (got < sizeof buf) {
        ssize_t r = recv(fd, buf + got, sizeof buf - got, 0);
        if (r <= 0) break;
        got += (size_t)r;
        if (response_end(buf, got)) break;
    }
    close(fd);
    if (got >= 7 && memcmp(buf, "HTTP/1.", 7) != 0) abort();
    return 0;
}
