/*
 * app.c — backend configuration and the shared handler helpers (see app.h).
 */
#include "app.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "trust_internal.h"
#include "validate.h"

#ifndef KC_SOURCE_ROOT
#define KC_SOURCE_ROOT "."
#endif

long kc_now(void)
{
    return (long)time(NULL);
}

static int env_int(const char *name, long min, long max, long dflt, long *out, struct kc_err *err)
{
    const char *s = getenv(name);
    char *end = NULL;
    if (!s || !*s) return *out = dflt, 0;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return kc_err_set(err, KC_E_INVALID, "%s: '%s' is not an integer in %ld..%ld", name, s, min,
                          max);
    *out = v;
    return 0;
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void default_web_dir(struct kc_app *app)
{
    const char *env = getenv("KOCRUIT_WEB_DIR");
    if (env) {
        snprintf(app->web_dir, sizeof app->web_dir, "%s", env);
        return;
    }
    snprintf(app->web_dir, sizeof app->web_dir, "%s/frontend/dist", KC_SOURCE_ROOT);
    if (!is_dir(app->web_dir))
        snprintf(app->web_dir, sizeof app->web_dir, "%s/frontend", KC_SOURCE_ROOT);
}

int kc_app_configure(struct kc_app *app, struct kc_err *err)
{
    long mb, pages, le, li, win, ttl;
    if (env_int("KOCRUIT_MAX_RESUME_MB", 1, 100, 10, &mb, err) ||
        env_int("KOCRUIT_PDF_MAX_PAGES", 1, 1000, 50, &pages, err) ||
        env_int("KOCRUIT_LOGIN_LIMIT_EMAIL", 0, 1000000, 10, &le, err) ||
        env_int("KOCRUIT_LOGIN_LIMIT_IP", 0, 1000000, 50, &li, err) ||
        env_int("KOCRUIT_LOGIN_WINDOW_S", 1, 86400, 900, &win, err) ||
        env_int("KOCRUIT_ACCESS_TTL_S", 10, 86400, KC_ACCESS_TTL_S, &ttl, err))
        return -1;
    app->max_resume_bytes = (size_t)mb << 20;
    app->pdf_max_pages = (int)pages;
    app->login_limit_email = (int)le, app->login_limit_ip = (int)li;
    app->login_window_s = (int)win;
    app->access_ttl_s = (int)ttl;
    default_web_dir(app);
    snprintf(app->blob_dir, sizeof app->blob_dir, "%s/blobs", app->cfg->data_dir);
    size_t kl = strlen(app->cfg->jwt_secret);
    if (kl < 32)
        return kc_err_set(err, KC_E_INVALID, "KOCRUIT_JWT_SECRET: must be at least 32 bytes");
    memcpy(app->jwt_key, app->cfg->jwt_secret, kl);
    app->jwt_key_len = kl;
    char secret[64];
    kc_token_random(secret, sizeof secret);
    return kc_password_hash(secret, app->dummy_hash, sizeof app->dummy_hash, err);
}

const struct kc_user *kc_app_user(const struct kc_req *req)
{
    return kc_req_user(req);
}

json_t *kc_app_body(struct kc_req *req, struct kc_resp *resp)
{
    struct kc_err err = {0};
    json_t *body = kc_req_json(req, &err);
    if (!body) {
        size_t len = 0;
        const char *raw = kc_req_body(req, &len);
        char field[64];
        if (err.code == KC_E_BAD_REQUEST && raw &&
            kc_json_bad_utf8_field(raw, len, field, sizeof field)) {
            kc_resp_errorf(resp, KC_E_INVALID, field[0] ? field : NULL,
                           "%s%s: text is not valid UTF-8", field[0] ? "field " : "body", field);
            return NULL;
        }
        kc_app_fail(resp, &err);
        return NULL;
    }
    if (!json_is_object(body)) {
        kc_resp_errorf(resp, KC_E_BAD_REQUEST, NULL, "the body must be a JSON object");
        return NULL;
    }
    return body;
}

int kc_app_path_id(struct kc_req *req, struct kc_resp *resp, const char *name, int64_t *out)
{
    if (kc_parse_id(kc_req_param(req, name), out) != 0) {
        kc_resp_errorf(resp, KC_E_NOT_FOUND, NULL, "no such %s", name);
        return -1;
    }
    return 0;
}

struct kc_db_conn *kc_app_conn(struct kc_app *app, struct kc_resp *resp)
{
    struct kc_err err = {0};
    struct kc_db_conn *c = kc_db_acquire(app->db, &err);
    if (!c) {
        if (!err.code) err.code = KC_E_UNAVAILABLE;
        kc_app_fail(resp, &err);
    }
    return c;
}

void kc_app_fail(struct kc_resp *resp, const struct kc_err *err)
{
    if (!err || err->code == KC_OK) {
        kc_resp_errorf(resp, KC_E_INTERNAL, NULL, "internal error");
        return;
    }
    if (kc_err_http_status(err->code) >= 500) kc_error("request failed: %s", err->message);
    kc_resp_error(resp, err);
}

int kc_app_query_int(struct kc_req *req, struct kc_resp *resp, const char *name, long min, long max,
                     long dflt, long *out)
{
    const char *s = kc_req_query(req, name);
    char *end = NULL;
    if (!s || !*s) return *out = dflt, 0;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max) {
        kc_resp_errorf(resp, KC_E_INVALID, name, "%s: must be an integer in %ld..%ld", name, min,
                       max);
        return -1;
    }
    *out = v;
    return 0;
}

static int is_time_key(const char *k)
{
    size_t n = strlen(k);
    return !strcmp(k, "at") || (n > 3 && !strcmp(k + n - 3, "_at"));
}

static void times_obj(json_t *o)
{
    char buf[32];
    for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it)) {
        json_t *v = json_object_iter_value(it);
        if (json_is_integer(v) && is_time_key(json_object_iter_key(it))) {
            kc_format_time((long)json_integer_value(v), buf, sizeof buf);
            json_object_iter_set_new(o, it, json_string(buf));
        }
    }
}

json_t *kc_app_times(json_t *v)
{
    if (json_is_object(v)) times_obj(v);
    for (size_t i = 0; json_is_array(v) && i < json_array_size(v); i++)
        if (json_is_object(json_array_get(v, i))) times_obj(json_array_get(v, i));
    return v;
}

/* Hash-chained (trust feature, 0005_trust.sql): the new row's id is the last id + 1 and
 * hash = sha256(prev_hash || canonical entry) (kc_trust_audit_hash). The read of the last
 * row and the insert run inside one savepoint that holds the write lock (callers'
 * transactions are BEGIN IMMEDIATE; alone, a no-op write takes it), so two writers never read
 * the same last row. */
int kc_audit(struct kc_db_conn *c, int64_t company_id, int64_t actor_id, const char *action,
             const char *target_type, int64_t target_id, const char *reason, json_t *detail,
             struct kc_err *err)
{
    char *d = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(detail);
    /* Outside a transaction the savepoint is DEFERRED: take the write lock with a no-op write
     * before reading the last row, so a concurrent writer cannot slip in between. */
    if (kc_db_exec(c, "SAVEPOINT kc_audit", NULL, 0, err) < 0) return free(d), -1;
    if (kc_db_exec(c, "UPDATE deletion_requests SET attempts = attempts WHERE 0", NULL, 0, err) < 0)
        goto fail;
    json_t *last =
        kc_db_query_one(c, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1", NULL, 0, err);
    if (!last && err->code != KC_E_NOT_FOUND) goto fail;
    if (!last) err->code = KC_OK; /* an empty log: the chain starts here */
    const char *lh = last ? json_string_value(json_object_get(last, "hash")) : NULL;
    char prev[65], hash[65];
    snprintf(prev, sizeof prev, "%s", lh && *lh ? lh : KC_TRUST_ZERO_HASH);
    struct kc_audit_entry e = {
        .id = last ? (int64_t)json_integer_value(json_object_get(last, "id")) + 1 : 1,
        .company_id = company_id,
        .actor_id = actor_id,
        .target_id = target_id,
        .action = action,
        .target_type = target_type,
        .reason = reason,
        .detail_json = d ? d : "{}",
        .at = kc_now()};
    json_decref(last);
    kc_trust_audit_hash(prev, &e, hash);
    int64_t rc = kc_db_exec(
        c,
        "INSERT INTO audit_log(id, company_id, actor_id, action, target_type, target_id, "
        "reason, detail_json, at, prev_hash, hash) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        KC_ARGS(KC_DBV_INT(e.id), company_id ? KC_DBV_INT(company_id) : KC_DBV_NULL,
                actor_id ? KC_DBV_INT(actor_id) : KC_DBV_NULL, KC_DBV_TEXT(action),
                KC_DBV_TEXT(target_type), KC_DBV_INT(target_id), KC_DBV_TEXT_OR_NULL(reason),
                KC_DBV_TEXT(e.detail_json), KC_DBV_INT(e.at), KC_DBV_TEXT(prev), KC_DBV_TEXT(hash)),
        err);
    if (rc < 0) goto fail;
    free(d);
    return kc_db_exec(c, "RELEASE kc_audit", NULL, 0, err) < 0 ? -1 : 0;
fail:
    free(d);
    struct kc_err ignored = {0};
    kc_db_exec(c, "ROLLBACK TO kc_audit", NULL, 0, &ignored);
    kc_db_exec(c, "RELEASE kc_audit", NULL, 0, &ignored);
    return -1;
}

int kc_notify(struct kc_db_conn *c, int64_t user_id, const char *kind, const char *title,
              const char *body, json_t *data, struct kc_err *err)
{
    char *d = data ? json_dumps(data, JSON_COMPACT) : NULL;
    json_decref(data);
    int64_t rc = kc_db_exec(c,
                            "INSERT INTO notifications(user_id, kind, title, body, data_json, "
                            "created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                            KC_ARGS(KC_DBV_INT(user_id), KC_DBV_TEXT(kind), KC_DBV_TEXT(title),
                                    KC_DBV_TEXT(body ? body : ""), KC_DBV_TEXT(d ? d : "{}"),
                                    KC_DBV_INT(kc_now())),
                            err);
    free(d);
    return rc < 0 ? -1 : 0;
}

int kc_mail_queue(struct kc_db_conn *c, const char *to, const char *subject, const char *body,
                  struct kc_err *err)
{
    int64_t rc = kc_db_exec(
        c,
        "INSERT INTO email_outbox(to_addr, subject, body, created_at) "
        "VALUES ($1, $2, $3, $4)",
        KC_ARGS(KC_DBV_TEXT(to), KC_DBV_TEXT(subject), KC_DBV_TEXT(body), KC_DBV_INT(kc_now())),
        err);
    return rc < 0 ? -1 : 0;
}

int kc_app_begin(struct kc_db_conn *c, struct kc_err *err)
{
    return kc_db_begin(c, err);
}

int kc_app_commit(struct kc_db_conn *c, struct kc_err *err)
{
    if (kc_db_commit(c, err) != 0) {
        kc_db_rollback(c);
        return -1;
    }
    return 0;
}
