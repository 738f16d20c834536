/*
 * test_http_body.c — request bodies: per-route limits (413 from Content-Length before the
 * body is read, and from the streamed count of a chunked body), routes without bodies, JSON
 * parsing errors (400 with line and column, invalid UTF-8, duplicate keys), the Content-Type
 * rule (415), and the kc_json_* field helpers.
 */
#include <criterion/criterion.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_http_util.h"

static atomic_int handler_calls;

static void json_echo(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    (void)ctx;
    atomic_fetch_add(&handler_calls, 1);
    struct kc_err err;
    json_t *j = kc_req_json(req, &err);
    if (!j) {
        struct kc_err again;
        cr_assert_null(kc_req_json(req, &again), "the error is kept");
        cr_assert_str_eq(again.message, err.message);
        kc_resp_error(resp, &err);
        return;
    }
    cr_assert_eq(kc_req_json(req, NULL), j, "parsed once");
    kc_resp_json(resp, 200, json_pack("{s:O}", "got", j));
}

static void count_body(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    (void)ctx;
    atomic_fetch_add(&handler_calls, 1);
    size_t len;
    const char *b = kc_req_body(req, &len);
    unsigned long sum = 0;
    for (size_t i = 0; i < len; i++) sum += (unsigned char)b[i];
    kc_resp_json(resp, 200,
                 json_pack("{s:I, s:I}", "len", (json_int_t)len, "sum", (json_int_t)sum));
}

static void no_body(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    (void)req, (void)ctx;
    atomic_fetch_add(&handler_calls, 1);
    kc_resp_empty(resp, 204);
}

static const struct kc_route routes[] = {
    {.method = "POST", .pattern = "/json", .handler = json_echo, .max_body = 1024},
    {.method = "POST", .pattern = "/count", .handler = count_body, .max_body = 4096},
    {.method = "POST", .pattern = "/big", .handler = count_body},
    {.method = "POST", .pattern = "/none", .handler = no_body, .body = KC_BODY_NONE},
    {.method = "GET", .pattern = "/ping", .handler = no_body},
};

static struct kc_http_server *srv;

static void setup(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    atomic_store(&handler_calls, 0);
    struct kc_http_config cfg = {.default_max_body = 64 * 1024};
    srv = th_start(routes, sizeof routes / sizeof routes[0], &cfg);
}

static void teardown(void)
{
    kc_http_free(srv);
    curl_global_cleanup();
}

TestSuite(body, .init = setup, .fini = teardown);

static const char *const json_ct[] = {"Content-Type: application/json", NULL};

static void post(const char *path, const char *const *hdrs, const void *body, size_t len,
                 int chunked, long want, const char *want_code, char *msg, size_t msg_cap)
{
    struct th_resp r;
    char code[64], m[512];
    th_request(NULL, "POST", th_url(srv, path), hdrs, body, len, chunked, &r);
    cr_assert_eq(r.rc, CURLE_OK, "%s: %s", path, curl_easy_strerror(r.rc));
    cr_assert_eq(r.status, want, "%s: status %ld body %s", path, r.status, r.body);
    if (want_code) {
        th_error(&r, code, sizeof code, m, sizeof m);
        cr_assert_str_eq(code, want_code, "%s", r.body);
        if (msg) snprintf(msg, msg_cap, "%s", m);
    }
    th_resp_free(&r);
}

Test(body, content_length_over_limit)
{
    char big[2000];
    memset(big, ' ', sizeof big);
    char msg[512];
    post("/json", json_ct, big, sizeof big, 0, 413, "payload_too_large", msg, sizeof msg);
    cr_assert(strstr(msg, "2000") && strstr(msg, "1024"), "%s", msg);
    cr_assert_eq(atomic_load(&handler_calls), 0, "handler never ran");
    /* exactly at the limit is fine */
    char ok[1024];
    memset(ok, ' ', sizeof ok);
    memcpy(ok, "{\"a\":1}", 7);
    post("/json", json_ct, ok, sizeof ok, 0, 200, NULL, NULL, 0);
}

Test(body, chunked_over_limit)
{
    static char big[5000];
    memset(big, 'a', sizeof big);
    char msg[512];
    post("/count", NULL, big, sizeof big, 1, 413, "payload_too_large", msg, sizeof msg);
    cr_assert(strstr(msg, "4096"), "%s", msg);
    cr_assert_eq(atomic_load(&handler_calls), 0);
    /* a chunked body under the limit arrives whole */
    struct th_resp r;
    th_request(NULL, "POST", th_url(srv, "/count"), NULL, big, 3000, 1, &r);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *j = th_json(&r);
    cr_assert_eq(json_integer_value(json_object_get(j, "len")), 3000);
    cr_assert_eq(json_integer_value(json_object_get(j, "sum")), 3000 * 'a');
    json_decref(j);
    th_resp_free(&r);
}

Test(body, huge_chunked_body_is_cut_off)
{
    size_t n = 12u * 1024 * 1024; /* the limit (4 KiB) plus more than the discard allowance */
    char *big = malloc(n);
    memset(big, 'z', n);
    struct th_resp r;
    th_request(NULL, "POST", th_url(srv, "/count"), NULL, big, n, 1, &r);
    cr_assert(r.rc != CURLE_OK || r.status == 413, "rc %d status %ld", r.rc, r.status);
    th_resp_free(&r);
    free(big);
    cr_assert_eq(atomic_load(&handler_calls), 0);
    th_request(NULL, "GET", th_url(srv, "/ping"), NULL, NULL, 0, 0, &r);
    cr_assert_eq(r.status, 204, "the server still answers");
    th_resp_free(&r);
}

Test(body, default_limit_applies)
{
    size_t n = 64 * 1024 + 1;
    char *big = calloc(1, n);
    post("/big", NULL, big, n, 0, 413, "payload_too_large", NULL, 0);
    post("/big", NULL, big, n - 1, 0, 200, NULL, NULL, 0);
    free(big);
}

Test(body, route_without_body)
{
    post("/none", NULL, "x", 1, 0, 413, "payload_too_large", NULL, 0);
    post("/none", NULL, "xyz", 3, 1, 413, "payload_too_large", NULL, 0);
    cr_assert_eq(atomic_load(&handler_calls), 0);
    struct th_resp r;
    th_request(NULL, "POST", th_url(srv, "/none"), NULL, NULL, 0, 0, &r);
    cr_assert_eq(r.status, 204);
    th_resp_free(&r);
}

Test(body, malformed_json_has_line_and_column)
{
    static const char bad[] = "{\n  \"a\": 1,,\n  \"b\": 2\n}";
    char msg[512];
    post("/json", json_ct, bad, sizeof bad - 1, 0, 400, "bad_request", msg, sizeof msg);
    int line = 0, col = 0;
    cr_assert_eq(sscanf(msg, "line %d column %d:", &line, &col), 2, "%s", msg);
    cr_assert_eq(line, 2, "%s", msg);
    cr_assert_eq(col, 10, "%s", msg);
    post("/json", json_ct, "{\"a\":1} x", 9, 0, 400, "bad_request", msg, sizeof msg);
    cr_assert(strncmp(msg, "line 1 column", 13) == 0, "trailing garbage: %s", msg);
    post("/json", json_ct, "", 0, 0, 400, "bad_request", msg, sizeof msg);
    cr_assert(strncmp(msg, "line 1 column 0", 15) == 0, "empty body: %s", msg);
}

Test(body, invalid_utf8_is_a_syntax_error)
{
    static const char bad[] = "{\"name\": \"caf\xe9\"}";
    char msg[512];
    post("/json", json_ct, bad, sizeof bad - 1, 0, 400, "bad_request", msg, sizeof msg);
    cr_assert(strncmp(msg, "line 1 column", 13) == 0, "%s", msg);
    cr_assert(strstr(msg, "0xe9") || strstr(msg, "UTF-8") || strstr(msg, "decode"), "%s", msg);
    static const char overlong[] = "{\"a\": \"\xc0\xaf\"}";
    post("/json", json_ct, overlong, sizeof overlong - 1, 0, 400, "bad_request", NULL, 0);
}

Test(body, duplicate_keys_rejected)
{
    char msg[512];
    post("/json", json_ct, "{\"a\":1,\"a\":2}", 13, 0, 400, "bad_request", msg, sizeof msg);
    cr_assert(strstr(msg, "duplicate"), "%s", msg);
}

Test(body, content_type_rule)
{
    char msg[512];
    static const char *const text[] = {"Content-Type: text/plain", NULL};
    post("/json", text, "{}", 2, 0, 415, "unsupported_media_type", msg, sizeof msg);
    cr_assert(strstr(msg, "text/plain"), "%s", msg);
    static const char *const none[] = {"Content-Type:", NULL};
    post("/json", none, "{}", 2, 0, 415, "unsupported_media_type", NULL, 0);
    static const char *const jsonx[] = {"Content-Type: application/jsonx", NULL};
    post("/json", jsonx, "{}", 2, 0, 415, "unsupported_media_type", NULL, 0);
    static const char *const charset[] = {"Content-Type: application/json; charset=utf-8", NULL};
    post("/json", charset, "{\"k\":[1,2]}", 11, 0, 200, NULL, NULL, 0);
    static const char *const upper[] = {"Content-Type: Application/JSON", NULL};
    post("/json", upper, "{}", 2, 0, 200, NULL, NULL, 0);
}

/* --- kc_json_* helpers (no server needed) --- */

Test(json_helpers, strings)
{
    json_t *o =
        json_pack("{s:s, s:i, s:n, s:s#}", "title", "Engineer", "num", 5, "nul", "zero", "a\0b", 3);
    const char *s = NULL;
    struct kc_err err;
    cr_assert_eq(kc_json_str(o, "title", 1, 200, &s, &err), 0);
    cr_assert_str_eq(s, "Engineer");
    cr_assert_eq(kc_json_str(o, "title", 1, 3, &s, &err), -1);
    cr_assert_str_eq(err.message, "title: must be a string of at most 3 bytes");
    cr_assert_str_eq(err.field, "title");
    cr_assert_eq(err.code, KC_E_INVALID);
    cr_assert_eq(kc_json_str(o, "num", 1, 200, &s, &err), -1);
    cr_assert_str_eq(err.message, "num: must be a string of at most 200 bytes");
    cr_assert_eq(kc_json_str(o, "num", 1, 0, &s, &err), -1);
    cr_assert_str_eq(err.message, "num: must be a string");
    cr_assert_eq(kc_json_str(o, "missing", 1, 0, &s, &err), -1);
    cr_assert_str_eq(err.message, "missing: is required");
    s = "untouched";
    cr_assert_eq(kc_json_str(o, "missing", 0, 0, &s, &err), 0);
    cr_assert_eq(kc_json_str(o, "nul", 0, 0, &s, &err), 0, "null is absent");
    cr_assert_str_eq(s, "untouched");
    cr_assert_eq(kc_json_str(o, "nul", 1, 0, &s, &err), -1);
    cr_assert_eq(kc_json_str(o, "zero", 1, 0, &s, &err), -1);
    cr_assert_str_eq(err.message, "zero: must not contain NUL characters");
    json_t *arr = json_array();
    cr_assert_eq(kc_json_str(arr, "x", 0, 0, &s, &err), -1);
    cr_assert_str_eq(err.message, "body: must be a JSON object");
    json_decref(arr);
    json_decref(o);
}

Test(json_helpers, numbers_bools_enums)
{
    json_t *o = json_pack("{s:i, s:f, s:f, s:s, s:b, s:i, s:s}", "age", 30, "whole", 3.0, "frac",
                          2.5, "str", "7", "flag", 1, "big", 1000, "status", "open");
    int64_t i = 0;
    double d = 0;
    int b = 0;
    const char *e = NULL;
    struct kc_err err;
    cr_assert_eq(kc_json_int(o, "age", 1, 0, 150, &i, &err), 0);
    cr_assert_eq(i, 30);
    cr_assert_eq(kc_json_int(o, "whole", 1, 0, 150, &i, &err), 0);
    cr_assert_eq(i, 3);
    cr_assert_eq(kc_json_int(o, "frac", 1, 0, 150, &i, &err), -1);
    cr_assert_str_eq(err.message, "frac: must be an integer from 0 to 150");
    cr_assert_eq(kc_json_int(o, "str", 1, 0, 150, &i, &err), -1);
    cr_assert_eq(kc_json_int(o, "big", 1, 0, 150, &i, &err), -1);
    cr_assert_str_eq(err.field, "big");
    cr_assert_eq(kc_json_num(o, "frac", 1, 0, 5, &d, &err), 0);
    cr_assert_float_eq(d, 2.5, 1e-12);
    cr_assert_eq(kc_json_num(o, "age", 1, 0, 100, &d, &err), 0, "integers are numbers");
    cr_assert_eq(kc_json_num(o, "big", 1, 0, 1, &d, &err), -1);
    cr_assert_str_eq(err.message, "big: must be a number from 0 to 1");
    cr_assert_eq(kc_json_num(o, "str", 1, 0, 1, &d, &err), -1);
    cr_assert_eq(kc_json_bool(o, "flag", 1, &b, &err), 0);
    cr_assert_eq(b, 1);
    cr_assert_eq(kc_json_bool(o, "age", 1, &b, &err), -1);
    cr_assert_str_eq(err.message, "age: must be true or false");
    static const char *const states[] = {"open", "closed", NULL};
    cr_assert_eq(kc_json_enum(o, "status", 1, states, &e, &err), 0);
    cr_assert_str_eq(e, "open");
    cr_assert_eq(kc_json_enum(o, "str", 1, states, &e, &err), -1);
    cr_assert_str_eq(err.message, "str: must be one of: open, closed");
    cr_assert_eq(kc_json_enum(o, "age", 1, states, &e, &err), -1);
    cr_assert_eq(kc_json_enum(o, "none", 1, states, &e, &err), -1);
    cr_assert_str_eq(err.message, "none: is required");
    json_decref(o);
}
