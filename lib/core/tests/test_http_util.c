/*
 * test_http_util.c — see test_http_util.h.
 */
#include "test_http_util.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

struct kc_http_server *th_start(const struct kc_route *routes, size_t n,
                                const struct kc_http_config *cfg)
{
    struct kc_http_config c = {0};
    if (cfg) c = *cfg;
    if (!c.service) c.service = "test";
    if (!c.threads) c.threads = 2;
    struct kc_err err;
    kc_err_clear(&err);
    struct kc_http_server *srv = kc_http_new(&c, &err);
    cr_assert_not_null(srv, "kc_http_new: %s", err.message);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(kc_http_route(srv, &routes[i], &err), 0, "route %s %s: %s", routes[i].method,
                     routes[i].pattern, err.message);
    cr_assert_eq(kc_http_start(srv, &err), 0, "kc_http_start: %s", err.message);
    cr_assert_gt(kc_http_port(srv), 0);
    return srv;
}

const char *th_url(const struct kc_http_server *srv, const char *path)
{
    static __thread char buf[4096];
    snprintf(buf, sizeof buf, "http://127.0.0.1:%d%s", kc_http_port(srv), path);
    return buf;
}

struct growbuf {
    char *p;
    size_t len;
};

static size_t on_data(char *data, size_t size, size_t n, void *ud)
{
    struct growbuf *b = ud;
    size_t add = size * n;
    char *p = realloc(b->p, b->len + add + 1);
    if (!p) return 0;
    memcpy(p + b->len, data, add);
    b->len += add;
    p[b->len] = '\0';
    b->p = p;
    return add;
}

struct source {
    const char *p;
    size_t left;
};

static size_t on_read(char *buf, size_t size, size_t n, void *ud)
{
    struct source *s = ud;
    size_t take = size * n < s->left ? size * n : s->left;
    memcpy(buf, s->p, take);
    s->p += take;
    s->left -= take;
    return take;
}

int th_request(CURL *h, const char *method, const char *url, const char *const *headers,
               const void *body, size_t len, int chunked, struct th_resp *out)
{
    CURL *own = h ? NULL : curl_easy_init();
    CURL *c = h ? h : own;
    struct growbuf b = {NULL, 0}, hb = {NULL, 0};
    struct curl_slist *hl = NULL;
    struct source src = {body, len};
    memset(out, 0, sizeof *out);
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &hb);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    for (size_t i = 0; headers && headers[i]; i++) hl = curl_slist_append(hl, headers[i]);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET") != 0)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body && chunked) {
        hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &src);
    } else if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    out->rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &out->num_connects);
    out->body = b.p ? b.p : calloc(1, 1);
    out->len = b.len;
    out->headers = hb.p ? hb.p : calloc(1, 1);
    curl_slist_free_all(hl);
    if (own) curl_easy_cleanup(own);
    return out->rc == CURLE_OK ? 0 : -1;
}

void th_resp_free(struct th_resp *r)
{
    free(r->body);
    free(r->headers);
    r->body = r->headers = NULL;
}

const char *th_header(const struct th_resp *r, const char *name, char *buf, size_t cap)
{
    size_t n = strlen(name);
    const char *last = NULL;
    for (const char *p = r->headers; p && *p;) {
        const char *eol = strstr(p, "\r\n");
        if (!eol) break;
        if ((size_t)(eol - p) > n && strncasecmp(p, name, n) == 0 && p[n] == ':') last = p;
        p = eol + 2;
    }
    if (!last) return NULL;
    const char *v = last + n + 1;
    while (*v == ' ') v++;
    size_t len = strcspn(v, "\r\n");
    if (len >= cap) len = cap - 1;
    memcpy(buf, v, len);
    buf[len] = '\0';
    return buf;
}

json_t *th_json(const struct th_resp *r)
{
    return json_loadb(r->body, r->len, 0, NULL);
}

void th_error(const struct th_resp *r, char *code, size_t code_cap, char *msg, size_t msg_cap)
{
    json_t *j = th_json(r);
    json_t *e = json_object_get(j, "error");
    const char *c = json_string_value(json_object_get(e, "code"));
    const char *m = json_string_value(json_object_get(e, "message"));
    snprintf(code, code_cap, "%s", c ? c : "");
    snprintf(msg, msg_cap, "%s", m ? m : "");
    json_decref(j);
}

size_t th_raw(int port, const void *req, size_t len, char *out, size_t cap, int timeout_ms)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    const char *p = req;
    while (len) {
        ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
        if (w <= 0) break;
        p += w;
        len -= (size_t)w;
    }
    size_t got = 0;
    for (;;) {
        struct pollfd pfd = {fd, POLLIN, 0};
        if (got + 1 >= cap || poll(&pfd, 1, timeout_ms) <= 0) break;
        ssize_t r = recv(fd, out + got, cap - 1 - got, 0);
        if (r <= 0) break;
        got += (size_t)r;
    }
    out[got] = '\0';
    close(fd);
    return got;
}
