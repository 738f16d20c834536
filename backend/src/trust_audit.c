/*
 * trust_audit.c — the hash chain of the audit log: entry hashing (used by kc_audit in
 * app.c), verification of the whole chain and the JSON-lines export.
 *
 * Layout: audit_log(id, …, prev_hash, hash) (0005_trust.sql). Rows written before the chain
 * existed have hash '' and may only precede the first hashed row. Verification walks rows in
 * id order in pages of 500 and stops at the first row whose prev_hash is not the previous
 * row's hash or whose hash does not match its recomputed value; that row's id is reported.
 * The log is never purged (kept ≥ 6 months as the issue requires; retention does not touch it).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "trust_internal.h"

static void put_field(crypto_hash_sha256_state *st, const char *s)
{
    char len[24];
    if (!s) {
        crypto_hash_sha256_update(st, (const unsigned char *)"~", 1);
        return;
    }
    size_t n = strlen(s);
    int k = snprintf(len, sizeof len, "%zu:", n);
    crypto_hash_sha256_update(st, (const unsigned char *)len, (unsigned long long)k);
    crypto_hash_sha256_update(st, (const unsigned char *)s, n);
}

static void put_int(crypto_hash_sha256_state *st, int64_t v, int null_when_zero)
{
    char buf[24];
    if (null_when_zero && v == 0) {
        put_field(st, NULL);
        return;
    }
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    put_field(st, buf);
}

void kc_trust_audit_hash(const char *prev_hex, const struct kc_audit_entry *e, char out[65])
{
    crypto_hash_sha256_state st;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)prev_hex, strlen(prev_hex));
    put_int(&st, e->id, 0);
    put_int(&st, e->company_id, 1);
    put_int(&st, e->actor_id, 1);
    put_field(&st, e->action);
    put_field(&st, e->target_type);
    put_int(&st, e->target_id, 0);
    put_field(&st, e->reason);
    put_field(&st, e->detail_json);
    put_int(&st, e->at, 0);
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(out, 65, h, sizeof h);
}

static int64_t jint(const json_t *row, const char *k)
{
    return (int64_t)json_integer_value(json_object_get(row, k));
}

static const char *jstr(const json_t *row, const char *k)
{
    return json_string_value(json_object_get(row, k));
}

/* Check one row against the running hash; 0 ok, else *why set. Updates prev. */
static int verify_row(const json_t *row, char prev[65], int *started, const char **why)
{
    const char *hash = jstr(row, "hash"), *ph = jstr(row, "prev_hash");
    if (!hash || !ph) return *why = "missing hash columns", -1;
    if (!*hash) {
        if (*started) return *why = "unhashed entry inside the chain", -1;
        return 0;
    }
    if (!*started) {
        *started = 1;
        snprintf(prev, 65, "%s", KC_TRUST_ZERO_HASH);
    }
    if (strcmp(ph, prev) != 0) return *why = "prev_hash does not match the previous entry", -1;
    struct kc_audit_entry e = {.id = jint(row, "id"),
                               .company_id = jint(row, "company_id"),
                               .actor_id = jint(row, "actor_id"),
                               .target_id = jint(row, "target_id"),
                               .action = jstr(row, "action"),
                               .target_type = jstr(row, "target_type"),
                               .reason = jstr(row, "reason"),
                               .detail_json = jstr(row, "detail_text"),
                               .at = (long)jint(row, "at")};
    char h[65];
    kc_trust_audit_hash(ph, &e, h);
    if (strcmp(h, hash) != 0) return *why = "hash does not match the entry's content", -1;
    memcpy(prev, hash, 65);
    return 0;
}

#define AUDIT_COLS                                                                                 \
    "SELECT id, company_id, actor_id, action, target_type, target_id, reason, "                    \
    "detail_json AS detail_text, at, prev_hash, hash FROM audit_log "

/* Walk the chain: 0 with *broken = 0 when intact, or the first broken id. */
static int verify_chain(struct kc_db_conn *c, int64_t *broken, int64_t *count, const char **why,
                        struct kc_err *err)
{
    char prev[65] = KC_TRUST_ZERO_HASH;
    int started = 0;
    int64_t after = 0;
    *broken = 0, *count = 0;
    for (;;) {
        json_t *rows = kc_db_query(c, AUDIT_COLS "WHERE id > $1 ORDER BY id LIMIT 500",
                                   KC_ARGS(KC_DBV_INT(after)), err);
        if (!rows) return -1;
        size_t n = json_array_size(rows);
        for (size_t i = 0; i < n && !*broken; i++) {
            json_t *row = json_array_get(rows, i);
            after = jint(row, "id");
            (*count)++;
            if (verify_row(row, prev, &started, why)) *broken = after;
        }
        json_decref(rows);
        if (n < 500 || *broken) return 0;
    }
}

void kc_api_trust_audit_verify(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t broken, count;
    const char *why = NULL;
    (void)req;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    int rc = verify_chain(c, &broken, &count, &why, &err);
    kc_db_release(app->db, c);
    if (rc) KC_FAIL(resp, &err);
    if (!broken) {
        kc_resp_json(resp, 200, json_pack("{s:b,s:I}", "ok", 1, "entries", (json_int_t)count));
        return;
    }
    kc_resp_json(resp, 200,
                 json_pack("{s:b,s:I,s:s,s:I}", "ok", 0, "first_broken_id", (json_int_t)broken,
                           "reason", why ? why : "", "entries_checked", (json_int_t)count));
}

/* Append rows as JSON lines to buf; returns 0 or -1. */
static int append_lines(json_t *rows, char **buf, size_t *len, size_t *cap)
{
    for (size_t i = 0; i < json_array_size(rows); i++) {
        char *line = json_dumps(json_array_get(rows, i), JSON_COMPACT | JSON_SORT_KEYS);
        if (!line) return -1;
        size_t n = strlen(line);
        if (*len + n + 2 > *cap) {
            size_t nc = (*cap + n + 2) * 2;
            char *nb = realloc(*buf, nc);
            if (!nb) return free(line), -1;
            *buf = nb, *cap = nc;
        }
        memcpy(*buf + *len, line, n);
        (*buf)[*len + n] = '\n';
        *len += n + 1;
        free(line);
    }
    return 0;
}

/* Export: the whole log for a site admin (company=0), or one company's entries. */
static void export_rows(struct kc_app *app, struct kc_resp *resp, int64_t company)
{
    struct kc_err err = {0};
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int64_t after = 0;
    int failed = 0;
    for (;;) {
        json_t *rows = company ? kc_db_query(c,
                                             AUDIT_COLS "WHERE id > $1 AND company_id = $2 "
                                                        "ORDER BY id LIMIT 500",
                                             KC_ARGS(KC_DBV_INT(after), KC_DBV_INT(company)), &err)
                               : kc_db_query(c, AUDIT_COLS "WHERE id > $1 ORDER BY id LIMIT 500",
                                             KC_ARGS(KC_DBV_INT(after)), &err);
        if (!rows) {
            failed = 1;
            break;
        }
        size_t n = json_array_size(rows);
        if (n) after = jint(json_array_get(rows, n - 1), "id");
        if (append_lines(kc_app_times(rows), &buf, &len, &cap)) failed = 1;
        json_decref(rows);
        if (n < 500 || failed) break;
    }
    kc_db_release(app->db, c);
    if (failed) {
        free(buf);
        if (!err.code) err.code = KC_E_NOMEM;
        KC_FAIL(resp, &err);
    }
    kc_resp_bytes(resp, 200, "application/x-ndjson", buf ? buf : "", len);
    free(buf);
}

void kc_api_trust_audit_export(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    (void)req;
    export_rows(ctx, resp, 0);
}

void kc_api_trust_company_audit_export(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    int64_t cid;
    if (kc_app_path_id(req, resp, "id", &cid)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    int ok = kc_trust_is_compliance(c, kc_app_user(req), cid);
    kc_db_release(app->db, c);
    if (!ok) KC_ERRF(resp, KC_E_NOT_FOUND, NULL, "no such company");
    export_rows(app, resp, cid);
}
