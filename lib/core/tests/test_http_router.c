/*
 * test_http_router.c — routing through a live server: literal and {param} segments,
 * percent-decoding of parameters and query strings, 404 vs 405 with Allow, the strict
 * trailing-slash policy, HEAD served by GET, rejected targets (NUL, dot segments, malformed
 * escapes, overlong paths) and route-table registration errors.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_http_util.h"

static void echo(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    (void)ctx;
    static const char *const names[] = {"id", "app_id", "name"};
    static const char *const qnames[] = {"a", "b", "c", "d", "missing"};
    json_t *params = json_object(), *query = json_object();
    for (size_t i = 0; i < 3; i++) {
        const char *v = kc_req_param(req, names[i]);
        if (v) json_object_set_new(params, names[i], json_stringn(v, strlen(v)));
    }
    for (size_t i = 0; i < 5; i++) {
        const char *v = kc_req_query(req, qnames[i]);
        json_object_set_new(query, qnames[i], v ? json_string(v) : json_null());
    }
    cr_assert_null(kc_req_param(req, "nope"));
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:o, s:o}", "route", kc_req_route(req)->pattern, "method",
                  kc_req_method(req), "path", kc_req_path(req), "params", params, "query", query);
    kc_resp_json(resp, 200, body);
}

static const struct kc_route routes[] = {
    {.method = "GET", .pattern = "/", .handler = echo},
    {.method = "GET", .pattern = "/health", .handler = echo},
    {.method = "GET", .pattern = "/api/v1/jobs", .handler = echo},
    {.method = "POST", .pattern = "/api/v1/jobs", .handler = echo},
    {.method = "GET", .pattern = "/api/v1/jobs/{id}", .handler = echo},
    {.method = "DELETE", .pattern = "/api/v1/jobs/{id}", .handler = echo},
    {.method = "GET", .pattern = "/api/v1/jobs/search", .handler = echo},
    {.method = "GET", .pattern = "/api/v1/jobs/{id}/applications/{app_id}", .handler = echo},
    {.method = "POST", .pattern = "/api/v1/jobs/{id}/close", .handler = echo},
    {.method = "GET", .pattern = "/api/v1/jobs/search/saved", .handler = echo},
    {.method = "GET", .pattern = "/files/{name}", .handler = echo},
    {.method = "GET", .pattern = "/q", .handler = echo},
};

static struct kc_http_server *srv;

static void setup(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    srv = th_start(routes, sizeof routes / sizeof routes[0], NULL);
}

static void teardown(void)
{
    kc_http_free(srv);
    curl_global_cleanup();
}

TestSuite(router, .init = setup, .fini = teardown);

/* GET path, expect status; returns the parsed body (caller decrefs) */
static json_t *get(const char *method, const char *path, long want_status)
{
    struct th_resp r;
    th_request(NULL, method, th_url(srv, path), NULL, NULL, 0, 0, &r);
    cr_assert_eq(r.rc, CURLE_OK, "%s %s: %s", method, path, curl_easy_strerror(r.rc));
    cr_assert_eq(r.status, want_status, "%s %s: status %ld, body %s", method, path, r.status,
                 r.body);
    json_t *j = th_json(&r);
    th_resp_free(&r);
    return j;
}

static const char *jstr(json_t *j, const char *a, const char *b)
{
    json_t *v = json_object_get(j, a);
    if (b) v = json_object_get(v, b);
    return json_string_value(v);
}

Test(router, literal_and_params)
{
    json_t *j = get("GET", "/api/v1/jobs/42", 200);
    cr_assert_str_eq(jstr(j, "route", NULL), "/api/v1/jobs/{id}");
    cr_assert_str_eq(jstr(j, "params", "id"), "42");
    json_decref(j);
    j = get("GET", "/api/v1/jobs/search", 200);
    cr_assert_str_eq(jstr(j, "route", NULL), "/api/v1/jobs/search", "literal beats parameter");
    json_decref(j);
    j = get("GET", "/api/v1/jobs/search/applications/5", 200);
    cr_assert_str_eq(jstr(j, "route", NULL), "/api/v1/jobs/{id}/applications/{app_id}",
                     "a failed literal branch falls back to the parameter");
    cr_assert_str_eq(jstr(j, "params", "id"), "search");
    json_decref(j);
    j = get("POST", "/api/v1/jobs/search/close", 200);
    cr_assert_str_eq(jstr(j, "params", "id"), "search");
    json_decref(j);
    j = get("GET", "/", 200);
    cr_assert_str_eq(jstr(j, "route", NULL), "/");
    json_decref(j);
    j = get("GET", "/api/v1/jobs", 200);
    cr_assert_str_eq(jstr(j, "method", NULL), "GET");
    json_decref(j);
    j = get("POST", "/api/v1/jobs", 200);
    cr_assert_str_eq(jstr(j, "method", NULL), "POST");
    json_decref(j);
}

Test(router, percent_encoded_params)
{
    json_t *j = get("GET", "/files/a%20b%2Fc%C3%A9+d", 200);
    cr_assert_str_eq(jstr(j, "params", "name"), "a b/c\xc3\xa9+d", "%%2F is data, '+' stays");
    cr_assert_str_eq(jstr(j, "path", NULL), "/files/a%20b%2Fc%C3%A9+d", "path is the raw path");
    json_decref(j);
    j = get("GET", "/api/v1/jobs/7/applications/x%2fy", 200);
    cr_assert_str_eq(jstr(j, "params", "id"), "7");
    cr_assert_str_eq(jstr(j, "params", "app_id"), "x/y");
    json_decref(j);
    j = get("GET", "/he%61lth", 200);
    cr_assert_str_eq(jstr(j, "route", NULL), "/health", "literals match the decoded segment");
    json_decref(j);
}

Test(router, query_decoding)
{
    json_t *j = get("GET", "/q?a=1&b=hello+world%21&c&d=x%3Dy&a=2", 200);
    cr_assert_str_eq(jstr(j, "query", "a"), "1", "first occurrence wins");
    cr_assert_str_eq(jstr(j, "query", "b"), "hello world!");
    cr_assert_str_eq(jstr(j, "query", "c"), "");
    cr_assert_str_eq(jstr(j, "query", "d"), "x=y");
    cr_assert(json_is_null(json_object_get(json_object_get(j, "query"), "missing")));
    json_decref(j);
    j = get("GET", "/q?%61=encoded-key", 200);
    cr_assert_str_eq(jstr(j, "query", "a"), "encoded-key");
    json_decref(j);
    json_decref(get("GET", "/q?a=%zz", 400));
    json_decref(get("GET", "/q?a=%00", 400));
    json_decref(get("GET", "/q?a=%4", 400));
}

static void expect_error(const char *method, const char *path, long status, const char *code)
{
    struct th_resp r;
    char c[64], m[256];
    th_request(NULL, method, th_url(srv, path), NULL, NULL, 0, 0, &r);
    cr_assert_eq(r.status, status, "%s %s: %ld %s", method, path, r.status, r.body);
    th_error(&r, c, sizeof c, m, sizeof m);
    cr_assert_str_eq(c, code, "%s %s: %s", method, path, r.body);
    cr_assert_neq(m[0], '\0');
    char ct[64];
    cr_assert_not_null(th_header(&r, "Content-Type", ct, sizeof ct));
    cr_assert_str_eq(ct, "application/json");
    th_resp_free(&r);
}

Test(router, not_found)
{
    expect_error("GET", "/nope", 404, "not_found");
    expect_error("GET", "/api/v1/jobs/42/unknown", 404, "not_found");
    expect_error("GET", "/api", 404, "not_found");
    expect_error("POST", "/nope", 404, "not_found");
}

Test(router, method_not_allowed_with_allow)
{
    struct th_resp r;
    char allow[128];
    th_request(NULL, "PUT", th_url(srv, "/api/v1/jobs/42"), NULL, NULL, 0, 0, &r);
    cr_assert_eq(r.status, 405);
    cr_assert_not_null(th_header(&r, "Allow", allow, sizeof allow));
    cr_assert_str_eq(allow, "GET, HEAD, DELETE");
    th_resp_free(&r);
    th_request(NULL, "POST", th_url(srv, "/health"), NULL, NULL, 0, 0, &r);
    cr_assert_eq(r.status, 405);
    cr_assert_str_eq(th_header(&r, "Allow", allow, sizeof allow), "GET, HEAD");
    th_resp_free(&r);
    th_request(NULL, "DELETE", th_url(srv, "/api/v1/jobs"), NULL, NULL, 0, 0, &r);
    cr_assert_str_eq(th_header(&r, "Allow", allow, sizeof allow), "GET, HEAD, POST");
    th_resp_free(&r);
    /* the Allow set covers every node the path reaches: literal and parameter branch */
    th_request(NULL, "POST", th_url(srv, "/api/v1/jobs/search"), NULL, NULL, 0, 0, &r);
    cr_assert_eq(r.status, 405);
    cr_assert_str_eq(th_header(&r, "Allow", allow, sizeof allow), "GET, HEAD, DELETE");
    th_resp_free(&r);
    expect_error("BREW", "/health", 405, "method_not_allowed");
}

Test(router, trailing_slash_is_strict)
{
    expect_error("GET", "/health/", 404, "not_found");
    expect_error("GET", "/api/v1/jobs/", 404, "not_found");
    expect_error("GET", "//health", 404, "not_found");
    expect_error("GET", "/api/v1/jobs//applications/1", 404, "not_found");
}

Test(router, head_uses_get)
{
    struct th_resp r;
    char cl[32];
    th_request(NULL, "HEAD", th_url(srv, "/api/v1/jobs/9"), NULL, NULL, 0, 0, &r);
    cr_assert_eq(r.rc, CURLE_OK);
    cr_assert_eq(r.status, 200);
    cr_assert_eq(r.len, 0u);
    cr_assert_not_null(th_header(&r, "Content-Length", cl, sizeof cl));
    cr_assert_gt(atoi(cl), 10);
    th_resp_free(&r);
}

Test(router, rejected_targets)
{
    expect_error("GET", "/files/a%00b", 400, "bad_request");
    expect_error("GET", "/files/..%2Fetc", 400, "bad_request");
    expect_error("GET", "/files/%2e%2e", 400, "bad_request");
    expect_error("GET", "/files/x%2F..%2Fy", 400, "bad_request");
    expect_error("GET", "/files/..", 400, "bad_request");
    expect_error("GET", "/a/../health", 400, "bad_request");
    expect_error("GET", "/./health", 400, "bad_request");
    expect_error("GET", "/files/%zz", 400, "bad_request");
    expect_error("GET", "/files/abc%", 400, "bad_request");
    expect_error("GET", "/files/abc%4", 400, "bad_request");
    /* a '..' inside a name is not a dot segment */
    json_t *j = get("GET", "/files/report..v2.pdf", 200);
    cr_assert_str_eq(jstr(j, "params", "name"), "report..v2.pdf");
    json_decref(j);
}

Test(router, path_length_limit)
{
    char path[2100];
    strcpy(path, "/files/");
    size_t n = 2048 - strlen(path);
    memset(path + 7, 'x', n);
    path[7 + n] = '\0';
    cr_assert_eq(strlen(path), 2048u);
    json_t *j = get("GET", path, 200);
    cr_assert_eq(strlen(jstr(j, "params", "name")), n);
    json_decref(j);
    strcat(path, "y");
    expect_error("GET", path, 400, "bad_request");
}

Test(router, nul_byte_in_raw_request_line)
{
    static const char req[] = "GET /heal\0th HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    char out[4096];
    th_raw(kc_http_port(srv), req, sizeof req - 1, out, sizeof out, 5000);
    cr_assert(strncmp(out, "HTTP/1.1 4", 10) == 0, "a NUL in the request line is refused: %s", out);
}

Test(router, absolute_form_target)
{
    static const char req[] =
        "GET http://example.com/api/v1/jobs/5 HTTP/1.1\r\nHost: example.com\r\n"
        "Connection: close\r\n\r\n";
    char out[4096];
    th_raw(kc_http_port(srv), req, sizeof req - 1, out, sizeof out, 5000);
    cr_assert(strncmp(out, "HTTP/1.1 200", 12) == 0, "%s", out);
    cr_assert(strstr(out, "\"id\":\"5\""), "%s", out);
}

static void noop(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    (void)req, (void)ctx;
    kc_resp_empty(resp, 204);
}

Test(router_table, registration_errors)
{
    struct kc_err err;
    struct kc_http_config cfg = {.service = "t"};
    struct kc_http_server *s = kc_http_new(&cfg, &err);
    cr_assert_not_null(s);
    struct kc_route r = {.method = "GET", .pattern = "/a/{x}", .handler = noop};
    cr_assert_eq(kc_http_route(s, &r, &err), 0);
    r.pattern = "/a/{y}";
    cr_assert_eq(kc_http_route(s, &r, &err), -1, "same shape, other parameter name");
    cr_assert_eq(err.code, KC_E_CONFLICT);
    r.method = "POST";
    cr_assert_eq(kc_http_route(s, &r, &err), 0, "another method on the same shape is fine");
    static const char *const bad[] = {"a",      "/a/",   "/a//b",    "/{",     "/{}",
                                      "/{a-b}", "/x{y}", "/{a}/{a}", "/a%20b", "/a/../b",
                                      "",       "/./a",  "/{a}b",    "/a?x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct kc_route b = {.method = "GET", .pattern = bad[i], .handler = noop};
        kc_err_clear(&err);
        cr_assert_eq(kc_http_route(s, &b, &err), -1, "pattern '%s' accepted", bad[i]);
        cr_assert_eq(err.code, KC_E_INVALID, "pattern '%s'", bad[i]);
    }
    struct kc_route m = {.method = "FOO", .pattern = "/m", .handler = noop};
    cr_assert_eq(kc_http_route(s, &m, &err), -1);
    struct kc_route nh = {.method = "GET", .pattern = "/nh"};
    cr_assert_eq(kc_http_route(s, &nh, &err), -1);
    cr_assert_eq(kc_http_route_count(s), 2u);
    cr_assert_str_eq(kc_http_route_at(s, 0)->pattern, "/a/{x}");
    cr_assert_str_eq(kc_http_route_at(s, 1)->method, "POST");
    cr_assert_null(kc_http_route_at(s, 2));
    cr_assert_eq(kc_http_start(s, &err), 0, "%s", err.message);
    struct kc_route late = {.method = "GET", .pattern = "/late", .handler = noop};
    cr_assert_eq(kc_http_route(s, &late, &err), -1, "routes are fixed once started");
    kc_http_free(s);
}

Test(router_table, bad_bind_address)
{
    struct kc_err err;
    struct kc_http_config cfg = {.service = "t", .bind_addr = "localhost:80"};
    struct kc_http_server *s = kc_http_new(&cfg, &err);
    cr_assert_eq(kc_http_start(s, &err), -1);
    cr_assert(strstr(err.message, "localhost:80"), "%s", err.message);
    kc_http_free(s);
}
