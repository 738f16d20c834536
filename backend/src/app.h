/*
 * app.h — the backend's shared state and the helpers every handler uses.
 *
 * struct kc_app is built once in main.c (after kc_service_init) and passed as the `ctx` of
 * every route; after start-up it is read-only, so handlers on pool threads share it
 * without locks. Per-request state lives in the request (the guard's struct kc_user).
 *
 * Handler conventions (all modules follow them):
 *  - parse and validate the whole input first, answering 400 naming the field before any
 *    write; only then take a DB connection;
 *  - writes that touch several rows run in one transaction (kc_db_begin/commit), so a
 *    failure leaves nothing behind;
 *  - company data is read through the caller's membership; another company's object is
 *    KC_E_NOT_FOUND, never KC_E_FORBIDDEN;
 *  - times are integer epoch seconds in the DB and ISO-8601 strings in JSON
 *    (kc_app_times converts every integer field named *_at).
 */
#ifndef KC_BACKEND_APP_H
#define KC_BACKEND_APP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "db.h"
#include "err.h"
#include "http.h"
#include "redis.h"

struct kc_service;
struct kc_config;

struct kc_app {
    struct kc_service *svc;
    const struct kc_config *cfg;
    struct kc_db *db;
    struct kc_redis *redis;
    unsigned char jwt_key[128];
    size_t jwt_key_len;
    char blob_dir[600]; /* <data_dir>/blobs */
    char web_dir[600];  /* static UI root; "" = no UI */
    size_t max_resume_bytes;
    int pdf_max_pages;
    int login_limit_email, login_limit_ip, login_window_s;
    int access_ttl_s;
    char *openapi_json;   /* the OpenAPI document, rendered once after routes are added */
    char dummy_hash[128]; /* argon2id of a random secret: timing cover for unknown e-mails */
};

/* Backend-only settings from the environment (KOCRUIT_WEB_DIR, KOCRUIT_MAX_RESUME_MB,
 * KOCRUIT_LOGIN_LIMIT_EMAIL, KOCRUIT_LOGIN_LIMIT_IP, KOCRUIT_LOGIN_WINDOW_S,
 * KOCRUIT_PDF_MAX_PAGES). -1 with a message naming the variable on a bad value. */
int kc_app_configure(struct kc_app *app, struct kc_err *err);

long kc_now(void);

/* The guard's user (NULL on public routes). */
const struct kc_user *kc_app_user(const struct kc_req *req);
/* JSON object body, or NULL after answering 400/415 (invalid UTF-8 names the field). */
json_t *kc_app_body(struct kc_req *req, struct kc_resp *resp);
/* A numeric path parameter; answers 404 and returns -1 when it is not a positive id. */
int kc_app_path_id(struct kc_req *req, struct kc_resp *resp, const char *name, int64_t *out);
/* A connection, or NULL after answering 503. */
struct kc_db_conn *kc_app_conn(struct kc_app *app, struct kc_resp *resp);
/* Answer with err, or 500 when err carries no code. */
void kc_app_fail(struct kc_resp *resp, const struct kc_err *err);
/* Answer with an error and return from a void handler. */
#define KC_FAIL(resp, err)                                                                         \
    do {                                                                                           \
        kc_app_fail((resp), (err));                                                                \
        return;                                                                                    \
    } while (0)
#define KC_ERRF(resp, ...)                                                                         \
    do {                                                                                           \
        kc_resp_errorf((resp), __VA_ARGS__);                                                       \
        return;                                                                                    \
    } while (0)
/* Integer query parameter in [min,max], default when absent; -1 after answering 400. */
int kc_app_query_int(struct kc_req *req, struct kc_resp *resp, const char *name, long min, long max,
                     long dflt, long *out);

/* Convert integer fields named *_at (and "at") to ISO-8601 strings, in place; returns v.
 * Works on an object or an array of objects. */
json_t *kc_app_times(json_t *v);

/* Append to the audit log (inside the caller's transaction). Steals detail (may be NULL). */
int kc_audit(struct kc_db_conn *c, int64_t company_id, int64_t actor_id, const char *action,
             const char *target_type, int64_t target_id, const char *reason, json_t *detail,
             struct kc_err *err);
/* Create a notification for a user. Steals data (may be NULL). */
int kc_notify(struct kc_db_conn *c, int64_t user_id, const char *kind, const char *title,
              const char *body, json_t *data, struct kc_err *err);
/* Queue an e-mail in the outbox (sent by mail.c when SMTP is configured). */
int kc_mail_queue(struct kc_db_conn *c, const char *to, const char *subject, const char *body,
                  struct kc_err *err);

/* Run a statement with a transaction around it already open; on any error roll back. */
int kc_app_begin(struct kc_db_conn *c, struct kc_err *err);
int kc_app_commit(struct kc_db_conn *c, struct kc_err *err); /* rolls back on failure */

#define KC_P(...)  ((const struct kc_db_val[]){__VA_ARGS__})
#define KC_NP(...) (sizeof((const struct kc_db_val[]){__VA_ARGS__}) / sizeof(struct kc_db_val))
/* Shorthand: params list and count for kc_db_* calls. */
#define KC_ARGS(...) KC_P(__VA_ARGS__), KC_NP(__VA_ARGS__)

#endif
