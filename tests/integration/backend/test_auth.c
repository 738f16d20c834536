/*
 * test_auth.c — access control against a running backend:
 *  - table-driven over the router's own route table (kc_backend_routes): every non-public
 *    route answers 401 without credentials and 403 for a role it does not admit;
 *  - tenancy: a second company's recruiter and a second applicant get 404 on the first
 *    company's objects;
 *  - expired, tampered, alg:none, HS512 and wrong-secret tokens are rejected;
 *  - the login rate limit triggers (per e-mail, then per IP) with Retry-After;
 *  - refresh tokens rotate and reuse revokes the family; logout; password change and reset
 *    through the outbox (admin only);
 *  - OpenAPI covers every route, marks public ones with security: [];
 *  - applying queues an agent.screen job; the internal blob route needs the internal token.
 */
#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "bt.h"

static struct bt B;

static void setup(void)
{
    static const char *const env[] = {"KOCRUIT_LOGIN_LIMIT_EMAIL=5", "KOCRUIT_LOGIN_LIMIT_IP=40",
                                      NULL};
    bt_start(&B, env);
}

static void teardown(void)
{
    bt_stop(&B);
}

/* The route pattern with its parameters filled in. */
static const char *fill(const char *pattern)
{
    static char out[600];
    size_t o = 0;
    for (const char *p = pattern; *p && o + 70 < sizeof out;) {
        if (*p != '{') {
            out[o++] = *p++;
            continue;
        }
        const char *e = strchr(p, '}');
        const char *v = !strncmp(p, "{stage}", 7) ? "document"
                        : !strncmp(p, "{sha256}", 8)
                            ? "0000000000000000000000000000000000000000000000000000000000000000"
                        : !strncmp(p, "{file}", 6) ? "index.html"
                                                   : "1";
        o += (size_t)snprintf(out + o, sizeof out - o, "%s", v);
        p = e + 1;
    }
    out[o] = '\0';
    return out;
}

struct persona {
    const char *name;
    char *token;
    struct kc_user user; /* role and memberships as the guard will see them */
};

Test(auth, every_route_401_without_token_403_for_wrong_role, .init = setup, .fini = teardown,
     .timeout = 120)
{
    long long cid;
    struct persona ps[4] = {
        {.name = "applicant"}, {.name = "interviewer"}, {.name = "manager"}, {.name = "admin"}};
    ps[2].token = bt_signup_company(&B, "m@a.example", "A", &cid, NULL);
    ps[0].token = bt_signup_applicant(&B, "ap@a.example", NULL);
    ps[1].token = bt_invite_member(&B, ps[2].token, cid, "iv@a.example", "interviewer", NULL);
    ps[3].token = bt_admin(&B, "root@a.example");
    strcpy(ps[0].user.role, "applicant");
    strcpy(ps[1].user.role, "staff");
    ps[1].user.n_memberships = 1;
    ps[1].user.memberships[0] = (struct kc_membership){.company_id = cid, .role = "interviewer"};
    strcpy(ps[2].user.role, "staff");
    ps[2].user.n_memberships = 1;
    ps[2].user.memberships[0] = (struct kc_membership){.company_id = cid, .role = "manager"};
    strcpy(ps[3].user.role, "admin");

    size_t n;
    const struct kc_route *routes = kc_backend_routes(&n);
    int checked401 = 0, checked403 = 0, user_only = 0;
    for (size_t i = 0; i < n; i++) {
        const struct kc_route *r = &routes[i];
        if (r->auth == KC_AUTH_PUBLIC) continue;
        const char *path = fill(r->pattern);
        long st;
        const char *hjson[] = {"Content-Type: application/json", NULL};
        const char *body = r->body == KC_BODY_NONE ? NULL : "{}";
        json_decref(bt_req_h(&B, r->method, path, hjson, body, body ? 2 : 0, &st));
        cr_expect_eq(st, 401, "%s %s without credentials: %ld", r->method, r->pattern, st);
        checked401++;
        if (r->auth & KC_AUTH_INTERNAL) {
            const char *h[] = {"X-Internal-Token: wrong", NULL};
            json_decref(bt_req_h(&B, r->method, path, h, NULL, 0, &st));
            cr_expect_eq(st, 403, "%s %s with a wrong internal token: %ld", r->method, r->pattern,
                         st);
            /* a user's bearer token is no internal credential */
            json_decref(bt_req(&B, r->method, path, ps[3].token, NULL, &st));
            cr_expect_eq(st, 401, "%s %s with a user token: %ld", r->method, r->pattern, st);
            checked403++;
            continue;
        }
        const struct persona *wrong = NULL;
        for (int k = 0; k < 4 && !wrong; k++)
            if (!kc_auth_allows(r->auth, &ps[k].user)) wrong = &ps[k];
        if (!wrong) {
            cr_expect(r->auth & KC_AUTH_USER, "%s %s admits everyone but is not USER", r->method,
                      r->pattern);
            user_only++;
            continue;
        }
        json_decref(bt_req(&B, r->method, path, wrong->token, body, &st));
        cr_expect_eq(st, 403, "%s %s as %s: %ld", r->method, r->pattern, wrong->name, st);
        checked403++;
    }
    cr_expect_gt(checked401, 40);
    cr_expect_eq(checked403 + user_only, checked401);
    for (int k = 0; k < 4; k++) free(ps[k].token);
}

static char *forge(jwt_alg_t alg, const char *key, long iat, long exp, const char *sub)
{
    jwt_t *j;
    jwt_new(&j);
    jwt_add_grant(j, "iss", "kocruit");
    jwt_add_grant(j, "sub", sub);
    jwt_add_grant(j, "typ", "access");
    jwt_add_grant(j, "role", "admin");
    jwt_add_grant_int(j, "iat", iat);
    jwt_add_grant_int(j, "ver", 0);
    jwt_add_grant_int(j, "exp", exp);
    jwt_set_alg(j, alg, key ? (const unsigned char *)key : NULL, key ? (int)strlen(key) : 0);
    char *s = jwt_encode_str(j);
    jwt_free(j);
    return s;
}

Test(auth, bad_tokens_are_rejected, .init = setup, .fini = teardown, .timeout = 60)
{
    long long uid;
    long st;
    char sub[24];
    char *good = bt_signup_applicant(&B, "t@a.example", &uid);
    snprintf(sub, sizeof sub, "%lld", uid);
    long now = (long)time(NULL);
    json_decref(bt_req(&B, "GET", "/api/v1/me", good, NULL, &st));
    cr_expect_eq(st, 200);
    char *forged_ok = forge(JWT_ALG_HS256, BT_JWT_SECRET, now, now + 600, sub);
    json_decref(bt_req(&B, "GET", "/api/v1/me", forged_ok, NULL, &st));
    cr_expect_eq(st, 200, "control: a correctly signed token works");
    char *bad[] = {
        forge(JWT_ALG_HS256, BT_JWT_SECRET, now - 3600, now - 60, sub), /* expired */
        forge(JWT_ALG_NONE, NULL, now, now + 600, sub),                 /* alg none */
        forge(JWT_ALG_HS512, BT_JWT_SECRET, now, now + 600, sub),       /* other alg */
        forge(JWT_ALG_HS256, "some-other-secret-some-other-secret!!", now, now + 600, sub),
        strdup(good), /* tampered below */
        strdup("not.a.token"),
    };
    char *dot = strchr(bad[4], '.');
    dot[3] = dot[3] == 'A' ? 'B' : 'A';
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_t *j = bt_req(&B, "GET", "/api/v1/me", bad[i], NULL, &st);
        cr_expect_eq(st, 401, "token %zu accepted (%ld)", i, st);
        cr_expect_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
                         "unauthorized");
        json_decref(j);
        free(bad[i]);
    }
    free(good), free(forged_ok);
}

Test(auth, login_rate_limit, .init = setup, .fini = teardown, .timeout = 120)
{
    long st;
    free(bt_signup_applicant(&B, "rl@a.example", NULL));
    const char *wrong = "{\"email\":\"rl@a.example\",\"password\":\"wrong password!\"}";
    for (int i = 0; i < 5; i++) {
        json_decref(bt_req(&B, "POST", "/api/v1/auth/login", NULL, wrong, &st));
        cr_expect_eq(st, 401, "attempt %d", i + 1);
    }
    json_t *j = bt_req(&B, "POST", "/api/v1/auth/login", NULL, wrong, &st);
    cr_expect_eq(st, 429, "6th attempt on one e-mail");
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
                     "rate_limited");
    json_decref(j);
    char right[200];
    snprintf(right, sizeof right, "{\"email\":\"rl@a.example\",\"password\":\"%s\"}", BT_PASSWORD);
    json_decref(bt_req(&B, "POST", "/api/v1/auth/login", NULL, right, &st));
    cr_expect_eq(st, 429, "even the right password waits out the window");
    /* per IP: 40 attempts in total from 127.0.0.1 (7 so far) */
    int limited_at = 0;
    for (int i = 0; i < 40 && !limited_at; i++) {
        char body[200];
        snprintf(body, sizeof body, "{\"email\":\"x%d@a.example\",\"password\":\"whatever123\"}",
                 i);
        json_decref(bt_req(&B, "POST", "/api/v1/auth/login", NULL, body, &st));
        if (st == 429) limited_at = 8 + i;
    }
    cr_expect_eq(limited_at, 41, "IP limit triggered at attempt %d", limited_at);
}

Test(auth, tenancy_other_company_gets_404, .init = setup, .fini = teardown, .timeout = 120)
{
    long st;
    long long ca, cb;
    char *ma = bt_signup_company(&B, "a@a.example", "A", &ca, NULL);
    char *mb = bt_signup_company(&B, "b@b.example", "B", &cb, NULL);
    char *jb = bt_job_body(ca, "A's job");
    json_t *job = bt_req(&B, "POST", "/api/v1/jobs", ma, jb, &st);
    cr_assert_eq(st, 201);
    long long job_id = json_integer_value(json_object_get(job, "id"));
    json_decref(job);
    free(jb);
    char *ap = bt_signup_applicant(&B, "ap1@x.example", NULL);
    char *ap2 = bt_signup_applicant(&B, "ap2@x.example", NULL);
    const char *cv = "경력\n에이 회사 2019.01 ~ 2020.01\n";
    json_t *res = bt_upload(&B, ap, "cv.txt", cv, strlen(cv), &st);
    cr_assert_eq(st, 201, "%s", json_dumps(res, 0));
    long long rid = json_integer_value(json_object_get(res, "id"));
    json_decref(res);
    char body[64];
    snprintf(body, sizeof body, "{\"resume_id\":%lld}", rid);
    json_t *app =
        bt_req(&B, "POST", bt_path("/api/v1/jobs/%lld/applications", job_id), ap, body, &st);
    cr_assert_eq(st, 201);
    long long aid = json_integer_value(json_object_get(app, "id"));
    json_decref(app);
    const char *gets[] = {
        bt_path("/api/v1/jobs/%lld/manage", job_id),
        bt_path("/api/v1/jobs/%lld/applications", job_id),
        bt_path("/api/v1/jobs/%lld/stats", job_id),
        bt_path("/api/v1/jobs/%lld/panels", job_id),
        bt_path("/api/v1/applications/%lld", aid),
        bt_path("/api/v1/applications/%lld/memos", aid),
        bt_path("/api/v1/applications/%lld/stages/document", aid),
        bt_path("/api/v1/resumes/%lld", rid),
    };
    for (size_t i = 0; i < sizeof gets / sizeof *gets; i++) {
        json_decref(bt_req(&B, "GET", gets[i], mb, NULL, &st));
        cr_expect_eq(st, 404, "B's recruiter on %s: %ld", gets[i], st);
        json_decref(bt_req(&B, "GET", gets[i], ma, NULL, &st));
        cr_expect_eq(st, 200, "A's recruiter on %s: %ld", gets[i], st);
    }
    const char *more[] = {bt_path("/api/v1/companies/%lld/members", ca),
                          bt_path("/api/v1/companies/%lld/jobs", ca)};
    for (size_t i = 0; i < 2; i++) {
        json_decref(bt_req(&B, "GET", more[i], mb, NULL, &st));
        cr_expect_eq(st, 404, "%s", more[i]);
    }
    jb = bt_job_body(ca, "changed");
    json_decref(bt_req(&B, "PUT", bt_path("/api/v1/jobs/%lld", job_id), mb, jb, &st));
    cr_expect_eq(st, 404, "B edits A's job");
    free(jb);
    json_decref(bt_req(&B, "POST", bt_path("/api/v1/applications/%lld/decision", aid), mb,
                       "{\"decision\":\"fail\",\"reason\":\"x\"}", &st));
    cr_expect_eq(st, 404, "B decides on A's application");
    json_decref(bt_req(&B, "PUT",
                       bt_path("/api/v1/applications/%lld/stages/document/evaluation", aid), mb,
                       "{\"scores\":{\"C 언어\":1,\"협업\":1}}", &st));
    cr_expect_eq(st, 404, "B evaluates A's application");
    json_decref(bt_req(&B, "GET", bt_path("/api/v1/applications/%lld", aid), ap2, NULL, &st));
    cr_expect_eq(st, 404, "another applicant");
    json_decref(bt_req(&B, "GET", bt_path("/api/v1/resumes/%lld", rid), ap2, NULL, &st));
    cr_expect_eq(st, 404, "another applicant's resume");
    /* applying queued exactly one screening job for the agent */
    redisContext *rc = redisConnect("127.0.0.1", B.redis.port);
    redisReply *rep = redisCommand(rc, "XLEN kc:jobs:agent.screen");
    cr_expect_eq(rep->integer, 1);
    freeReplyObject(rep);
    redisFree(rc);
    /* internal routes: only with the internal token */
    const char *ih[] = {"X-Internal-Token: " BT_INTERNAL, NULL};
    json_t *ia = bt_req_h(&B, "GET", bt_path("/internal/applications/%lld", aid), ih, NULL, 0, &st);
    cr_expect_eq(st, 200);
    cr_expect(strstr(json_string_value(json_object_get(ia, "resume_text")), "에이 회사") != NULL);
    cr_expect_eq(json_array_size(json_object_get(ia, "criteria")), 2);
    json_decref(ia);
    free(ma), free(mb), free(ap), free(ap2);
}

Test(auth, refresh_rotation_logout_password_reset, .init = setup, .fini = teardown, .timeout = 120)
{
    long st;
    char body[400];
    snprintf(body, sizeof body, "{\"email\":\"r@a.example\",\"password\":\"%s\",\"name\":\"R\"}",
             BT_PASSWORD);
    json_t *s = bt_req(&B, "POST", "/api/v1/auth/signup", NULL, body, &st);
    cr_assert_eq(st, 201);
    char *r1 = strdup(json_string_value(json_object_get(s, "refresh_token")));
    json_decref(s);
    snprintf(body, sizeof body, "{\"refresh_token\":\"%s\"}", r1);
    s = bt_req(&B, "POST", "/api/v1/auth/refresh", NULL, body, &st);
    cr_assert_eq(st, 200);
    char *r2 = strdup(json_string_value(json_object_get(s, "refresh_token")));
    char *a2 = strdup(json_string_value(json_object_get(s, "access_token")));
    json_decref(s);
    cr_expect_str_neq(r1, r2);
    json_decref(bt_req(&B, "POST", "/api/v1/auth/refresh", NULL, body, &st));
    cr_expect_eq(st, 401, "reuse of a rotated token");
    snprintf(body, sizeof body, "{\"refresh_token\":\"%s\"}", r2);
    json_decref(bt_req(&B, "POST", "/api/v1/auth/refresh", NULL, body, &st));
    cr_expect_eq(st, 401, "the reuse revoked the whole family");
    /* password reset: the code goes to the outbox, visible to admins only */
    json_decref(bt_req(&B, "POST", "/api/v1/auth/password-reset", NULL,
                       "{\"email\":\"r@a.example\"}", &st));
    cr_expect_eq(st, 202);
    json_decref(bt_req(&B, "POST", "/api/v1/auth/password-reset", NULL,
                       "{\"email\":\"nobody@a.example\"}", &st));
    cr_expect_eq(st, 202, "same answer for unknown addresses");
    json_decref(bt_req(&B, "GET", "/api/v1/admin/outbox", a2, NULL, &st));
    cr_expect_eq(st, 403);
    char *admin = bt_admin(&B, "root@a.example");
    json_t *ob = bt_req(&B, "GET", "/api/v1/admin/outbox", admin, NULL, &st);
    cr_assert_eq(st, 200);
    json_t *items = json_object_get(ob, "items");
    cr_assert_eq(json_array_size(items), 1);
    const char *mail = json_string_value(json_object_get(json_array_get(items, 0), "body"));
    const char *code = strstr(mail, "): ");
    cr_assert_not_null(code);
    char tok[64];
    snprintf(tok, sizeof tok, "%.43s", code + 3);
    json_decref(ob);
    snprintf(body, sizeof body, "{\"token\":\"%s\",\"new_password\":\"a brand new secret\"}", tok);
    json_decref(bt_req(&B, "POST", "/api/v1/auth/password-reset/confirm", NULL, body, &st));
    cr_expect_eq(st, 200);
    json_decref(bt_req(&B, "POST", "/api/v1/auth/password-reset/confirm", NULL, body, &st));
    cr_expect_eq(st, 400, "a reset code works once");
    json_decref(bt_req(&B, "GET", "/api/v1/me", a2, NULL, &st));
    cr_expect_eq(st, 401, "sessions end with a password reset");
    json_decref(bt_req(&B, "POST", "/api/v1/auth/login", NULL,
                       "{\"email\":\"r@a.example\",\"password\":\"a brand new secret\"}", &st));
    cr_expect_eq(st, 200);
    free(r1), free(r2), free(a2), free(admin);
}

Test(auth, openapi_documents_every_route, .init = setup, .fini = teardown, .timeout = 60)
{
    long st;
    json_t *doc = bt_req(&B, "GET", "/api/v1/openapi.json", NULL, NULL, &st);
    cr_assert_eq(st, 200);
    cr_expect_str_eq(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
    size_t n;
    const struct kc_route *routes = kc_backend_routes(&n);
    for (size_t i = 0; i < n; i++) {
        char m[8];
        size_t k = 0;
        for (; routes[i].method[k] && k < 7; k++) m[k] = (char)(routes[i].method[k] | 0x20);
        m[k] = '\0';
        json_t *op =
            json_object_get(json_object_get(json_object_get(doc, "paths"), routes[i].pattern), m);
        cr_assert_not_null(op, "%s %s missing from OpenAPI", routes[i].method, routes[i].pattern);
        json_t *sec = json_object_get(op, "security");
        if (routes[i].auth == KC_AUTH_PUBLIC)
            cr_expect(json_is_array(sec) && json_array_size(sec) == 0, "%s public",
                      routes[i].pattern);
        else
            cr_expect_eq(json_array_size(sec), 1, "%s secured", routes[i].pattern);
        json_t *resps = json_object_get(op, "responses");
        int has_schema = 0;
        const char *code;
        json_t *r;
        json_object_foreach(resps, code, r) has_schema |= code[0] == '2';
        cr_expect(has_schema, "%s %s has a success response", routes[i].method, routes[i].pattern);
    }
    json_decref(doc);
    json_t *html = bt_req(&B, "GET", "/api/v1/docs", NULL, NULL, &st);
    cr_expect_eq(st, 200);
    json_decref(html);
}
