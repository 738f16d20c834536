/*
 * accounts.c — sign-up, login, token refresh and logout, password change and reset,
 * invitation acceptance, and GET /me.
 *
 * Who may become what: POST /auth/signup makes an applicant; POST /auth/signup-company
 * makes a company and its first manager (a staff user); POST /invitations/accept makes a
 * staff member with the role the manager chose. No body field sets users.role, and admins
 * exist only through `kocruit-backend create-admin` (admin_cli.c).
 *
 * Passwords are hashed (argon2id, ~70 ms) before a DB connection is taken and verified
 * after it is released, so slow hashing never holds one of the few pooled connections.
 * Login failures answer the same 401 for an unknown e-mail and a wrong password, and an
 * unknown e-mail still costs one argon2id verification (no timing oracle).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "log.h"
#include "ratelimit.h"
#include "validate.h"

#define RESET_TTL_S 3600

/* Add {access_token, token_type, expires_in, refresh_token} to out. family NULL = new. */
int kc_accounts_issue(struct kc_app *app, struct kc_db_conn *c, int64_t user_id, const char *role,
                      const char *family, json_t *out, struct kc_err *err)
{
    char *access = NULL, refresh[64], hash[65], fam[64];
    long now = kc_now();
    int64_t version = 0;
    if (kc_db_query_int(c, "SELECT token_version FROM users WHERE id = $1",
                        KC_ARGS(KC_DBV_INT(user_id)), &version, err) != 0)
        return err->code ? -1 : kc_err_set(err, KC_E_NOT_FOUND, "no such user");
    if (kc_token_sign_access(app->jwt_key, app->jwt_key_len, user_id, role, version, now,
                             app->access_ttl_s, &access, err))
        return -1;
    kc_token_random(refresh, sizeof refresh);
    kc_token_sha256_hex(refresh, hash);
    if (family)
        snprintf(fam, sizeof fam, "%s", family);
    else
        kc_token_random(fam, sizeof fam);
    int64_t rc = kc_db_exec(c,
                            "INSERT INTO refresh_tokens(user_id, token_hash, family, expires_at, "
                            "created_at) VALUES ($1, $2, $3, $4, $5)",
                            KC_ARGS(KC_DBV_INT(user_id), KC_DBV_TEXT(hash), KC_DBV_TEXT(fam),
                                    KC_DBV_INT(now + KC_REFRESH_TTL_S), KC_DBV_INT(now)),
                            err);
    if (rc < 0) {
        free(access);
        return -1;
    }
    json_object_set_new(out, "access_token", json_string(access));
    json_object_set_new(out, "token_type", json_string("Bearer"));
    json_object_set_new(out, "expires_in", json_integer(app->access_ttl_s));
    json_object_set_new(out, "refresh_token", json_string(refresh));
    free(access);
    return 0;
}

static json_t *user_json(struct kc_db_conn *c, int64_t id, struct kc_err *err)
{
    json_t *u = kc_db_query_one(c,
                                "SELECT id, email, name, role, created_at FROM users "
                                "WHERE id = $1",
                                KC_ARGS(KC_DBV_INT(id)), err);
    if (!u) return NULL;
    json_t *m = kc_db_query(c,
                            "SELECT m.company_id, c.name AS company_name, m.role, "
                            "m.department_id FROM memberships m JOIN companies c "
                            "ON c.id = m.company_id WHERE m.user_id = $1 ORDER BY m.company_id",
                            KC_ARGS(KC_DBV_INT(id)), err);
    if (!m) {
        json_decref(u);
        return NULL;
    }
    json_object_set_new(u, "memberships", m);
    return kc_app_times(u);
}

/* Hash the password; on failure answer and return -1. */
static int hash_or_fail(const char *pw, char *out, struct kc_resp *resp)
{
    struct kc_err err = {0};
    if (kc_password_hash(pw, out, crypto_pwhash_STRBYTES, &err)) {
        kc_app_fail(resp, &err);
        return -1;
    }
    return 0;
}

static int read_credentials(const json_t *b, const char **email, const char **pw, const char **name,
                            struct kc_err *err)
{
    if (kc_json_str(b, "email", 1, KC_EMAIL_MAX, email, err) ||
        kc_valid_email("email", *email, err) ||
        kc_json_str(b, "password", 1, KC_PASSWORD_MAX, pw, err) ||
        kc_valid_password("password", *pw, err))
        return -1;
    if (name && (kc_json_str(b, "name", 1, KC_NAME_MAX, name, err))) return -1;
    if (name && !**name) return kc_err_field(err, KC_E_INVALID, "name", "name: must not be empty");
    return 0;
}

static void respond_session(struct kc_app *app, struct kc_resp *resp, struct kc_db_conn *c,
                            int64_t uid, const char *role, int status)
{
    struct kc_err err = {0};
    json_t *out = json_object();
    json_t *u = user_json(c, uid, &err);
    if (!u || kc_accounts_issue(app, c, uid, role, NULL, out, &err)) {
        json_decref(u);
        json_decref(out);
        kc_db_release(app->db, c);
        kc_app_fail(resp, &err);
        return;
    }
    json_object_set_new(out, "user", u);
    kc_db_release(app->db, c);
    kc_resp_json(resp, status, out);
}

void kc_api_signup_applicant(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    const char *email, *pw, *name;
    char hash[crypto_pwhash_STRBYTES];
    int64_t uid;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    if (read_credentials(b, &email, &pw, &name, &err)) KC_FAIL(resp, &err);
    if (hash_or_fail(pw, hash, resp)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    if (kc_db_query_int(
            c,
            "INSERT INTO users(email, name, password_hash, role, created_at) "
            "VALUES ($1, $2, $3, 'applicant', $4) RETURNING id",
            KC_ARGS(KC_DBV_TEXT(email), KC_DBV_TEXT(name), KC_DBV_TEXT(hash), KC_DBV_INT(kc_now())),
            &uid, &err) != 0) {
        kc_db_release(app->db, c);
        if (err.code == KC_E_CONFLICT)
            kc_err_field(&err, KC_E_CONFLICT, "email", "email: an account already exists");
        KC_FAIL(resp, &err);
    }
    respond_session(app, resp, c, uid, "applicant", 201);
}

static int create_company(struct kc_db_conn *c, const char *cname, const char *site,
                          const char *email, const char *name, const char *hash, int64_t *uid,
                          struct kc_err *err)
{
    int64_t cid;
    long now = kc_now();
    if (kc_app_begin(c, err)) return -1;
    if (kc_db_query_int(c,
                        "INSERT INTO companies(name, website, created_at) VALUES ($1, $2, $3) "
                        "RETURNING id",
                        KC_ARGS(KC_DBV_TEXT(cname), KC_DBV_TEXT(site), KC_DBV_INT(now)), &cid,
                        err) ||
        kc_db_query_int(
            c,
            "INSERT INTO users(email, name, password_hash, role, created_at) "
            "VALUES ($1, $2, $3, 'staff', $4) RETURNING id",
            KC_ARGS(KC_DBV_TEXT(email), KC_DBV_TEXT(name), KC_DBV_TEXT(hash), KC_DBV_INT(now)), uid,
            err) ||
        kc_db_exec(c,
                   "INSERT INTO memberships(user_id, company_id, role, created_at) "
                   "VALUES ($1, $2, 'manager', $3)",
                   KC_ARGS(KC_DBV_INT(*uid), KC_DBV_INT(cid), KC_DBV_INT(now)), err) < 0 ||
        kc_audit(c, cid, *uid, "company.create", "company", cid, NULL, NULL, err)) {
        kc_db_rollback(c);
        if (err->code == KC_E_CONFLICT)
            kc_err_field(err, KC_E_CONFLICT, "email", "email: an account already exists");
        return -1;
    }
    return kc_app_commit(c, err);
}

void kc_api_signup_company(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    const char *email, *pw, *name, *cname, *site = "";
    char hash[crypto_pwhash_STRBYTES];
    int64_t uid;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    if (kc_json_str(b, "company_name", 1, KC_NAME_MAX, &cname, &err) ||
        kc_json_str(b, "company_website", 0, KC_LINE_MAX, &site, &err) ||
        read_credentials(b, &email, &pw, &name, &err))
        KC_FAIL(resp, &err);
    if (!*cname) KC_ERRF(resp, KC_E_INVALID, "company_name", "company_name: must not be empty");
    if (hash_or_fail(pw, hash, resp)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    if (create_company(c, cname, site, email, name, hash, &uid, &err)) {
        kc_db_release(app->db, c);
        KC_FAIL(resp, &err);
    }
    respond_session(app, resp, c, uid, "staff", 201);
}

static void limit_or_continue(struct kc_app *app, struct kc_req *req, const char *email,
                              int *limited, struct kc_resp *resp)
{
    struct kc_err err = {0};
    int ra_ip = 0, ra_mail = 0;
    const char *ip = kc_req_client_ip(req);
    int over_ip = kc_ratelimit_hit(app->redis, "login-ip", ip ? ip : "?", app->login_limit_ip,
                                   app->login_window_s, &ra_ip, &err);
    int over_mail = kc_ratelimit_hit(app->redis, "login-email", email, app->login_limit_email,
                                     app->login_window_s, &ra_mail, &err);
    if (err.code) kc_warn("login rate limit unavailable (failing open): %s", err.message);
    *limited = over_ip || over_mail;
    if (*limited) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", over_ip ? ra_ip : ra_mail);
        kc_resp_header(resp, "Retry-After", ra);
        kc_resp_errorf(resp, KC_E_RATE_LIMIT, NULL,
                       "too many login attempts; try again in %s seconds", ra);
    }
}

void kc_api_login(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    const char *email, *pw;
    int limited;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    if (kc_json_str(b, "email", 1, KC_EMAIL_MAX, &email, &err) ||
        kc_json_str(b, "password", 1, KC_PASSWORD_MAX, &pw, &err))
        KC_FAIL(resp, &err);
    limit_or_continue(app, req, email, &limited, resp);
    if (limited) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *u = kc_db_query_one(c, "SELECT id, role, password_hash FROM users WHERE email = $1",
                                KC_ARGS(KC_DBV_TEXT(email)), &err);
    kc_db_release(app->db, c);
    if (!u && err.code != KC_E_NOT_FOUND) KC_FAIL(resp, &err);
    /* the dummy hash keeps the unknown-e-mail path as slow as a wrong password */
    const char *stored =
        u ? json_string_value(json_object_get(u, "password_hash")) : app->dummy_hash;
    int ok = kc_password_verify(stored, pw) && u;
    if (!ok) {
        json_decref(u);
        KC_ERRF(resp, KC_E_UNAUTHORIZED, NULL, "e-mail or password is wrong");
    }
    int64_t uid = json_integer_value(json_object_get(u, "id"));
    char role[16];
    snprintf(role, sizeof role, "%s", json_string_value(json_object_get(u, "role")));
    json_decref(u);
    c = kc_app_conn(app, resp);
    if (!c) return;
    respond_session(app, resp, c, uid, role, 200);
}

/* Rotate: the presented token must be live; a replaced or revoked one is a reuse, which
 * revokes the whole family. */
static int rotate(struct kc_app *app, struct kc_db_conn *c, const char *token, json_t *out,
                  struct kc_err *err)
{
    char hash[65];
    long now = kc_now();
    kc_token_sha256_hex(token, hash);
    json_t *t = kc_db_query_one(c,
                                "SELECT t.id, t.user_id, t.family, t.expires_at, t.replaced_at, "
                                "t.revoked_at, u.role FROM refresh_tokens t JOIN users u ON "
                                "u.id = t.user_id WHERE t.token_hash = $1",
                                KC_ARGS(KC_DBV_TEXT(hash)), err);
    if (!t) {
        if (err->code == KC_E_NOT_FOUND)
            kc_err_set(err, KC_E_UNAUTHORIZED, "unknown refresh token");
        return -1;
    }
    int rc = -1;
    const char *fam = json_string_value(json_object_get(t, "family"));
    int64_t uid = json_integer_value(json_object_get(t, "user_id"));
    if (!json_is_null(json_object_get(t, "replaced_at")) ||
        !json_is_null(json_object_get(t, "revoked_at"))) {
        kc_db_exec(c,
                   "UPDATE refresh_tokens SET revoked_at = $2 WHERE family = $1 AND "
                   "revoked_at IS NULL",
                   KC_ARGS(KC_DBV_TEXT(fam), KC_DBV_INT(now)), err);
        kc_warn("refresh token reuse for user %lld: family revoked", (long long)uid);
        kc_err_set(err, KC_E_UNAUTHORIZED, "refresh token was already used; sign in again");
        goto out;
    }
    if (json_integer_value(json_object_get(t, "expires_at")) <= now) {
        kc_err_set(err, KC_E_UNAUTHORIZED, "refresh token expired");
        goto out;
    }
    if (kc_app_begin(c, err)) goto out;
    if (kc_db_exec(
            c,
            "UPDATE refresh_tokens SET replaced_at = $2 WHERE id = $1 AND "
            "replaced_at IS NULL",
            KC_ARGS(KC_DBV_INT(json_integer_value(json_object_get(t, "id"))), KC_DBV_INT(now)),
            err) != 1 ||
        kc_accounts_issue(app, c, uid, json_string_value(json_object_get(t, "role")), fam, out,
                          err)) {
        kc_db_rollback(c);
        if (!err->code) kc_err_set(err, KC_E_UNAUTHORIZED, "refresh token was already used");
        goto out;
    }
    rc = kc_app_commit(c, err);
out:
    json_decref(t);
    return rc;
}

void kc_api_refresh(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    const char *tok;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    if (kc_json_str(b, "refresh_token", 1, 128, &tok, &err)) KC_FAIL(resp, &err);
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *out = json_object();
    int rc = rotate(app, c, tok, out, &err);
    kc_db_release(app->db, c);
    if (rc) {
        json_decref(out);
        KC_FAIL(resp, &err);
    }
    kc_resp_json(resp, 200, out);
}

void kc_api_logout(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    const struct kc_user *u = kc_app_user(req);
    const char *tok = NULL;
    int all = 0;
    char hash[65];
    size_t blen = 0;
    kc_req_body(req, &blen); /* an empty body means: this session's family unknown → all */
    if (blen) {
        json_t *b = kc_app_body(req, resp);
        if (!b) return;
        if (kc_json_str(b, "refresh_token", 0, 128, &tok, &err) ||
            kc_json_bool(b, "all", 0, &all, &err))
            KC_FAIL(resp, &err);
    }
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    long now = kc_now();
    int64_t rc = 0;
    if (tok && !all) {
        kc_token_sha256_hex(tok, hash);
        rc = kc_db_exec(c,
                        "UPDATE refresh_tokens SET revoked_at = $3 WHERE user_id = $1 AND "
                        "family = (SELECT family FROM refresh_tokens WHERE token_hash = $2) "
                        "AND revoked_at IS NULL",
                        KC_ARGS(KC_DBV_INT(u->id), KC_DBV_TEXT(hash), KC_DBV_INT(now)), &err);
    } else {
        rc = kc_db_exec(c,
                        "UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND "
                        "revoked_at IS NULL",
                        KC_ARGS(KC_DBV_INT(u->id), KC_DBV_INT(now)), &err);
        /* access tokens issued up to now stop working too */
        if (rc >= 0)
            rc = kc_db_exec(c, "UPDATE users SET token_version = token_version + 1 WHERE id = $1",
                            KC_ARGS(KC_DBV_INT(u->id)), &err);
    }
    kc_db_release(app->db, c);
    if (rc < 0) KC_FAIL(resp, &err);
    kc_resp_empty(resp, 204);
}

/* Set a new password hash, revoke every session; inside the caller's transaction. */
static int set_password(struct kc_db_conn *c, int64_t uid, const char *hash, struct kc_err *err)
{
    long now = kc_now();
    if (kc_db_exec(c,
                   "UPDATE users SET password_hash = $2, token_version = token_version + 1 "
                   "WHERE id = $1",
                   KC_ARGS(KC_DBV_INT(uid), KC_DBV_TEXT(hash)), err) != 1)
        return err->code ? -1 : kc_err_set(err, KC_E_NOT_FOUND, "no such user");
    if (kc_db_exec(c,
                   "UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND "
                   "revoked_at IS NULL",
                   KC_ARGS(KC_DBV_INT(uid), KC_DBV_INT(now)), err) < 0)
        return -1;
    return kc_audit(c, 0, uid, "user.password_change", "user", uid, NULL, NULL, err);
}

void kc_api_password_change(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    const struct kc_user *u = kc_app_user(req);
    const char *cur, *pw;
    char hash[crypto_pwhash_STRBYTES];
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    if (kc_json_str(b, "current_password", 1, KC_PASSWORD_MAX, &cur, &err) ||
        kc_json_str(b, "new_password", 1, KC_PASSWORD_MAX, &pw, &err) ||
        kc_valid_password("new_password", pw, &err))
        KC_FAIL(resp, &err);
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *row = kc_db_query_one(c, "SELECT password_hash FROM users WHERE id = $1",
                                  KC_ARGS(KC_DBV_INT(u->id)), &err);
    kc_db_release(app->db, c);
    if (!row) KC_FAIL(resp, &err);
    int ok = kc_password_verify(json_string_value(json_object_get(row, "password_hash")), cur);
    json_decref(row);
    if (!ok) KC_ERRF(resp, KC_E_INVALID, "current_password", "current_password: does not match");
    if (hash_or_fail(pw, hash, resp)) return;
    c = kc_app_conn(app, resp);
    if (!c) return;
    if (kc_app_begin(c, &err) || set_password(c, u->id, hash, &err) || kc_app_commit(c, &err)) {
        kc_db_rollback(c);
        kc_db_release(app->db, c);
        KC_FAIL(resp, &err);
    }
    respond_session(app, resp, c, u->id, u->role, 200);
}

void kc_api_reset_request(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    const char *email;
    char tok[64], hash[65], body[512];
    int64_t uid = 0;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    if (kc_json_str(b, "email", 1, KC_EMAIL_MAX, &email, &err) ||
        kc_valid_email("email", email, &err))
        KC_FAIL(resp, &err);
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    int found = kc_db_query_int(c, "SELECT id FROM users WHERE email = $1",
                                KC_ARGS(KC_DBV_TEXT(email)), &uid, &err);
    if (found == 0) {
        long now = kc_now();
        kc_token_random(tok, sizeof tok);
        kc_token_sha256_hex(tok, hash);
        snprintf(body, sizeof body,
                 "Someone asked to reset the kocruit password of this address.\n"
                 "Reset code (valid for 1 hour, usable once): %s\n"
                 "If it was not you, ignore this message.\n",
                 tok);
        if (kc_app_begin(c, &err) ||
            kc_db_exec(c,
                       "INSERT INTO password_resets(user_id, token_hash, expires_at, "
                       "created_at) VALUES ($1, $2, $3, $4)",
                       KC_ARGS(KC_DBV_INT(uid), KC_DBV_TEXT(hash), KC_DBV_INT(now + RESET_TTL_S),
                               KC_DBV_INT(now)),
                       &err) < 0 ||
            kc_mail_queue(c, email, "kocruit password reset", body, &err) ||
            kc_app_commit(c, &err)) {
            kc_db_rollback(c);
            kc_db_release(app->db, c);
            KC_FAIL(resp, &err);
        }
    }
    kc_db_release(app->db, c);
    if (found < 0) KC_FAIL(resp, &err);
    /* the same answer whether or not the address has an account */
    kc_resp_json(resp, 202,
                 json_pack("{s:s}", "status",
                           "if the address has an account, "
                           "a reset code was sent"));
}

void kc_api_reset_confirm(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    const char *tok, *pw;
    char hash[65], pwhash[crypto_pwhash_STRBYTES];
    int64_t uid;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    if (kc_json_str(b, "token", 1, 128, &tok, &err) ||
        kc_json_str(b, "new_password", 1, KC_PASSWORD_MAX, &pw, &err) ||
        kc_valid_password("new_password", pw, &err))
        KC_FAIL(resp, &err);
    if (hash_or_fail(pw, pwhash, resp)) return;
    kc_token_sha256_hex(tok, hash);
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    long now = kc_now();
    if (kc_app_begin(c, &err)) goto fail;
    int rc = kc_db_query_int(c,
                             "UPDATE password_resets SET used_at = $2 WHERE token_hash = $1 "
                             "AND used_at IS NULL AND expires_at > $2 RETURNING user_id",
                             KC_ARGS(KC_DBV_TEXT(hash), KC_DBV_INT(now)), &uid, &err);
    if (rc == 1) kc_err_field(&err, KC_E_INVALID, "token", "token: unknown, used or expired");
    if (rc != 0 || set_password(c, uid, pwhash, &err) || kc_app_commit(c, &err)) {
        kc_db_rollback(c);
        goto fail;
    }
    kc_db_release(app->db, c);
    kc_resp_json(resp, 200, json_pack("{s:s}", "status", "password changed; sign in again"));
    return;
fail:
    kc_db_release(app->db, c);
    kc_app_fail(resp, &err);
}

/* Join the invitation's company, creating the staff account when the address has none. */
static int accept_invitation(struct kc_db_conn *c, const json_t *inv, const char *name,
                             const char *hash, const char *pw, int64_t *uid, struct kc_err *err)
{
    long now = kc_now();
    const char *email = json_string_value(json_object_get(inv, "email"));
    int64_t cid = json_integer_value(json_object_get(inv, "company_id"));
    json_t *u = kc_db_query_one(c, "SELECT id, role, password_hash FROM users WHERE email = $1",
                                KC_ARGS(KC_DBV_TEXT(email)), err);
    if (u) {
        int staff = !strcmp(json_string_value(json_object_get(u, "role")), "staff");
        int ok = kc_password_verify(json_string_value(json_object_get(u, "password_hash")), pw);
        *uid = json_integer_value(json_object_get(u, "id"));
        json_decref(u);
        if (!staff)
            return kc_err_field(err, KC_E_CONFLICT, "email",
                                "this address belongs to a non-staff account");
        if (!ok)
            return kc_err_field(err, KC_E_INVALID, "password",
                                "password: does not match the existing account");
    } else if (err->code != KC_E_NOT_FOUND) {
        return -1;
    } else if (kc_db_query_int(c,
                               "INSERT INTO users(email, name, password_hash, role, created_at) "
                               "VALUES ($1, $2, $3, 'staff', $4) RETURNING id",
                               KC_ARGS(KC_DBV_TEXT(email), KC_DBV_TEXT(name), KC_DBV_TEXT(hash),
                                       KC_DBV_INT(now)),
                               uid, err)) {
        return -1;
    }
    if (kc_db_exec(c,
                   "INSERT INTO memberships(user_id, company_id, role, created_at) "
                   "VALUES ($1, $2, $3, $4)",
                   KC_ARGS(KC_DBV_INT(*uid), KC_DBV_INT(cid),
                           KC_DBV_TEXT(json_string_value(json_object_get(inv, "role"))),
                           KC_DBV_INT(now)),
                   err) < 0 ||
        kc_db_exec(
            c, "UPDATE invitations SET accepted_at = $2 WHERE id = $1",
            KC_ARGS(KC_DBV_INT(json_integer_value(json_object_get(inv, "id"))), KC_DBV_INT(now)),
            err) < 0)
        return -1;
    return kc_audit(c, cid, *uid, "membership.join", "company", cid, NULL,
                    json_pack("{s:O}", "role", json_object_get(inv, "role")), err);
}

void kc_api_invitation_accept(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    const char *tok, *pw, *name;
    char hash[65], pwhash[crypto_pwhash_STRBYTES];
    int64_t uid = 0;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    if (kc_json_str(b, "token", 1, 128, &tok, &err) ||
        kc_json_str(b, "name", 1, KC_NAME_MAX, &name, &err) ||
        kc_json_str(b, "password", 1, KC_PASSWORD_MAX, &pw, &err) ||
        kc_valid_password("password", pw, &err))
        KC_FAIL(resp, &err);
    if (hash_or_fail(pw, pwhash, resp)) return;
    kc_token_sha256_hex(tok, hash);
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *inv = NULL;
    if (kc_app_begin(c, &err)) goto fail;
    inv = kc_db_query_one(c,
                          "SELECT id, company_id, email, role FROM invitations WHERE "
                          "token_hash = $1 AND accepted_at IS NULL AND expires_at > $2",
                          KC_ARGS(KC_DBV_TEXT(hash), KC_DBV_INT(kc_now())), &err);
    if (!inv && err.code == KC_E_NOT_FOUND)
        kc_err_field(&err, KC_E_INVALID, "token", "token: unknown, used or expired invitation");
    if (!inv || accept_invitation(c, inv, name, pwhash, pw, &uid, &err) || kc_app_commit(c, &err)) {
        kc_db_rollback(c);
        goto fail;
    }
    json_decref(inv);
    respond_session(app, resp, c, uid, "staff", 200);
    return;
fail:
    json_decref(inv);
    kc_db_release(app->db, c);
    kc_app_fail(resp, &err);
}

void kc_api_me(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *u = user_json(c, kc_app_user(req)->id, &err);
    kc_db_release(app->db, c);
    if (!u) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, u);
}
