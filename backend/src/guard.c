/*
 * guard.c — the access guard run by the HTTP server before a body is read (auth.h has the
 * policy). For a user route it verifies the bearer JWT, loads the user and memberships with
 * one indexed query (so a deleted user, a changed role or a revoked token — one whose "ver"
 * is no longer users.token_version — stops working at once, not after the token's 15
 * minutes), and attaches a malloc'd struct kc_user to the request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "config.h"
#include "guard.h"

static void deny(struct kc_resp *resp, enum kc_err_code code, const char *msg)
{
    if (code == KC_E_UNAUTHORIZED) kc_resp_header(resp, "WWW-Authenticate", "Bearer");
    kc_resp_errorf(resp, code, NULL, "%s", msg);
}

static int internal_check(struct kc_app *app, struct kc_req *req, struct kc_resp *resp)
{
    const char *tok = kc_req_header(req, "X-Internal-Token");
    if (!tok || !*tok) {
        kc_resp_errorf(resp, KC_E_UNAUTHORIZED, NULL, "this route needs X-Internal-Token");
        return -1;
    }
    if (!app->cfg->internal_token[0] || !kc_token_equal(tok, app->cfg->internal_token)) {
        kc_resp_errorf(resp, KC_E_FORBIDDEN, NULL, "X-Internal-Token is not valid");
        return -1;
    }
    return 0;
}

static const char *bearer(struct kc_req *req)
{
    const char *h = kc_req_header(req, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0) return NULL;
    h += 7;
    while (*h == ' ') h++;
    return *h ? h : NULL;
}

static int load_user(struct kc_app *app, const struct kc_access_claims *cl, struct kc_user *u,
                     struct kc_err *err)
{
    struct kc_db_conn *c = kc_db_acquire(app->db, err);
    if (!c) return -1;
    /* one query: the user row repeated per membership (or once with NULL company) */
    json_t *rows = kc_db_query(c,
                               "SELECT u.role, u.email, u.name, u.token_version, m.company_id, "
                               "m.role AS member_role FROM users u LEFT JOIN memberships m ON "
                               "m.user_id = u.id WHERE u.id = $1",
                               KC_ARGS(KC_DBV_INT(cl->user_id)), err);
    kc_db_release(app->db, c);
    if (!rows) return -1;
    int rc = -1;
    json_t *first = json_array_get(rows, 0);
    if (!first)
        kc_err_set(err, KC_E_UNAUTHORIZED, "the token's user no longer exists");
    else if (cl->version != json_integer_value(json_object_get(first, "token_version")))
        kc_err_set(err, KC_E_UNAUTHORIZED, "token was revoked (password change or logout)");
    else
        rc = 0;
    if (rc == 0) {
        u->id = cl->user_id;
        snprintf(u->role, sizeof u->role, "%s", json_string_value(json_object_get(first, "role")));
        snprintf(u->email, sizeof u->email, "%s",
                 json_string_value(json_object_get(first, "email")));
        snprintf(u->name, sizeof u->name, "%s", json_string_value(json_object_get(first, "name")));
    }
    for (size_t i = 0; rc == 0 && i < json_array_size(rows) && i < KC_MAX_MEMBERSHIPS; i++) {
        json_t *m = json_array_get(rows, i);
        if (!json_is_integer(json_object_get(m, "company_id"))) continue;
        struct kc_membership *dst = &u->memberships[u->n_memberships++];
        dst->company_id = json_integer_value(json_object_get(m, "company_id"));
        snprintf(dst->role, sizeof dst->role, "%s",
                 json_string_value(json_object_get(m, "member_role")));
    }
    json_decref(rows);
    return rc;
}

int kc_guard(struct kc_req *req, const struct kc_route *route, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    struct kc_access_claims cl;
    if (route->auth == KC_AUTH_PUBLIC) return 0;
    if (route->auth & KC_AUTH_INTERNAL) return internal_check(app, req, resp);
    const char *tok = bearer(req);
    if (!tok) {
        deny(resp, KC_E_UNAUTHORIZED, "sign in first: this route needs a bearer token");
        return -1;
    }
    if (kc_token_verify_access(tok, app->jwt_key, app->jwt_key_len, kc_now(), &cl, &err) != 0) {
        deny(resp, KC_E_UNAUTHORIZED, err.message);
        return -1;
    }
    struct kc_user *u = calloc(1, sizeof *u);
    if (!u) {
        deny(resp, KC_E_NOMEM, "out of memory");
        return -1;
    }
    if (load_user(app, &cl, u, &err) != 0) {
        free(u);
        if (err.code == KC_E_UNAUTHORIZED)
            deny(resp, KC_E_UNAUTHORIZED, err.message);
        else
            kc_app_fail(resp, &err);
        return -1;
    }
    if (!kc_auth_allows(route->auth, u)) {
        free(u);
        deny(resp, KC_E_FORBIDDEN, "your role may not use this route");
        return -1;
    }
    kc_req_set_user(req, u, free);
    return 0;
}
