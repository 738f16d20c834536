/*
 * db_sqlite.c — the SQLite 3.40 engine behind db.h (vtable in db_engine.h).
 *
 * A connection is a sqlite3 handle opened NOMUTEX (the pool guarantees one thread at a time)
 * with extended result codes, busy_timeout 5000 ms, journal_mode WAL, foreign_keys ON and
 * synchronous NORMAL, plus a statement cache: STMT_CACHE slots keyed by the SQL text (FNV-1a
 * hash, then strcmp), the least recently used one finalised when a new SQL needs a slot.
 * Statements are prepared with SQLITE_PREPARE_PERSISTENT and always reset + unbound before a
 * call returns, so a cached statement is never mid-step.
 *
 * Placeholders: callers write $1…$N (PostgreSQL's form). SQLite sees each distinct "$k" as a
 * named parameter, so a number may repeat and appear in any order; bind_params maps every
 * name back to params[k-1] and insists that the statement uses exactly $1…$N.
 *
 * Rows become JSON objects (db.h): INTEGER → integer, REAL → real (non-finite → null),
 * TEXT → string (must be UTF-8), BLOB → lowercase hex, NULL → null; `x_json` columns are parsed
 * and stored under `x`.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db_engine.h"

#define STMT_CACHE      64
#define BUSY_TIMEOUT_MS 5000

struct sq_stmt {
    char *sql; /* NULL = free slot */
    uint64_t hash;
    uint64_t last_use;
    sqlite3_stmt *st;
};

struct sq_conn {
    sqlite3 *db;
    uint64_t tick;
    struct sq_stmt cache[STMT_CACHE];
};

/* ---- errors --------------------------------------------------------------------------- */

/* "UNIQUE constraint failed: users.email, users.x" → "email" */
static void constraint_field(const char *msg, struct kc_err *err)
{
    const char *colon = strstr(msg, "failed: ");
    if (!err || !colon) return;
    const char *col = colon + 8;
    size_t n = strcspn(col, ", ");
    const char *dot = memchr(col, '.', n);
    if (dot) {
        n -= (size_t)(dot + 1 - col);
        col = dot + 1;
    }
    if (n >= sizeof err->field) n = sizeof err->field - 1;
    memcpy(err->field, col, n);
    err->field[n] = '\0';
}

/* Map the connection's last error to a kc_err. Always returns -1. */
static int sq_fail(sqlite3 *db, int rc, struct kc_err *err)
{
    int ext = db ? sqlite3_extended_errcode(db) : rc;
    const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    enum kc_err_code code = KC_E_INTERNAL;
    switch (ext) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_ROWID: code = KC_E_CONFLICT; break;
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
    case SQLITE_CONSTRAINT_FOREIGNKEY:
    case SQLITE_CONSTRAINT_TRIGGER:
    case SQLITE_CONSTRAINT_DATATYPE: code = KC_E_INVALID; break;
    default:
        if ((ext & 0xff) == SQLITE_BUSY || (ext & 0xff) == SQLITE_LOCKED)
            code = KC_E_UNAVAILABLE;
        else if ((ext & 0xff) == SQLITE_IOERR || (ext & 0xff) == SQLITE_FULL)
            code = KC_E_IO;
        else if ((ext & 0xff) == SQLITE_NOMEM)
            code = KC_E_NOMEM;
        else if ((ext & 0xff) == SQLITE_CONSTRAINT)
            code = KC_E_INVALID;
    }
    kc_err_set(err, code, "sqlite: %s", msg);
    if (code == KC_E_CONFLICT || ext == SQLITE_CONSTRAINT_NOTNULL) constraint_field(msg, err);
    return -1;
}

/* ---- connections ------------------------------------------------------------------------ */

/* mkdir -p of the directory holding path (so the default ./var/x.db works on a fresh tree). */
static int make_parent_dirs(const char *path, struct kc_err *err)
{
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return kc_err_set(err, KC_E_INVALID, "database path is too long");
    char *slash = strrchr(buf, '/');
    if (!slash || slash == buf) return 0;
    *slash = '\0';
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return kc_err_set(err, KC_E_IO, "mkdir %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return kc_err_set(err, KC_E_IO, "mkdir %s: %s", buf, strerror(errno));
    return 0;
}

static int check_wal(sqlite3 *db, struct kc_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) != SQLITE_OK)
        return sq_fail(db, SQLITE_ERROR, err);
    int ok = sqlite3_step(st) == SQLITE_ROW &&
             strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    sqlite3_finalize(st);
    return ok ? 0 : kc_err_set(err, KC_E_IO, "sqlite: cannot switch the database to WAL mode");
}

static void sq_disconnect(void *h)
{
    struct sq_conn *c = h;
    if (!c) return;
    for (int i = 0; i < STMT_CACHE; i++) {
        sqlite3_finalize(c->cache[i].st);
        free(c->cache[i].sql);
    }
    sqlite3_close_v2(c->db);
    free(c);
}

static void *sq_connect(const char *path, struct kc_err *err)
{
    int memory = strcmp(path, ":memory:") == 0;
    if (!memory && make_parent_dirs(path, err) != 0) return NULL;
    struct sq_conn *c = calloc(1, sizeof *c);
    if (!c) {
        kc_err_set(err, KC_E_NOMEM, "out of memory");
        return NULL;
    }
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &c->db, flags, NULL);
    if (rc != SQLITE_OK) {
        kc_err_set(err, rc == SQLITE_CANTOPEN ? KC_E_IO : KC_E_INTERNAL, "sqlite: open %s: %s",
                   path, c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        sq_disconnect(c);
        return NULL;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
    const char *pragmas = "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"
                          "PRAGMA synchronous=NORMAL;";
    rc = sqlite3_exec(c->db, pragmas, NULL, NULL, NULL);
    if (rc != SQLITE_OK || (!memory && check_wal(c->db, err) != 0)) {
        if (rc != SQLITE_OK) sq_fail(c->db, rc, err);
        kc_err_prefix(err, "opening %s", path);
        sq_disconnect(c);
        return NULL;
    }
    return c;
}

/* ---- statement cache ------------------------------------------------------------------ */

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* True when the rest of the SQL holds no statement (blanks, ';', comments). */
static int no_more_sql(sqlite3 *db, const char *tail)
{
    while (tail && *tail) {
        sqlite3_stmt *st = NULL;
        const char *next = NULL;
        if (sqlite3_prepare_v2(db, tail, -1, &st, &next) != SQLITE_OK) return 0;
        if (st) {
            sqlite3_finalize(st);
            return 0;
        }
        if (!next || next == tail) break;
        tail = next;
    }
    return 1;
}

static sqlite3_stmt *get_stmt(struct sq_conn *c, const char *sql, struct kc_err *err)
{
    uint64_t h = fnv1a(sql);
    struct sq_stmt *victim = &c->cache[0];
    for (int i = 0; i < STMT_CACHE; i++) {
        struct sq_stmt *s = &c->cache[i];
        if (s->sql && s->hash == h && strcmp(s->sql, sql) == 0) {
            s->last_use = ++c->tick;
            return s->st;
        }
        if (!s->sql || (victim->sql && s->last_use < victim->last_use)) victim = s;
    }
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, &tail);
    if (rc != SQLITE_OK) {
        sq_fail(c->db, rc, err);
        return NULL;
    }
    if (!st || !no_more_sql(c->db, tail)) {
        sqlite3_finalize(st);
        kc_err_set(err, KC_E_INTERNAL,
                   "sqlite: expected exactly one statement (use "
                   "kc_db_exec_script for several): %.80s",
                   sql);
        return NULL;
    }
    char *copy = strdup(sql);
    if (!copy) {
        sqlite3_finalize(st);
        kc_err_set(err, KC_E_NOMEM, "out of memory");
        return NULL;
    }
    sqlite3_finalize(victim->st);
    free(victim->sql);
    *victim = (struct sq_stmt){.sql = copy, .hash = h, .last_use = ++c->tick, .st = st};
    return st;
}

/* ---- binding ------------------------------------------------------------------------- */

static int bind_one(sqlite3_stmt *st, int idx, const struct kc_db_val *v, struct kc_err *err)
{
    switch (v->type) {
    case KC_DB_NULL: return sqlite3_bind_null(st, idx);
    case KC_DB_INT: return sqlite3_bind_int64(st, idx, v->i);
    case KC_DB_REAL: return sqlite3_bind_double(st, idx, v->r);
    case KC_DB_TEXT:
        if (!v->p) return sqlite3_bind_null(st, idx);
        if (v->n != SIZE_MAX && v->n > INT_MAX) break;
        return sqlite3_bind_text(st, idx, v->p, v->n == SIZE_MAX ? -1 : (int)v->n, SQLITE_STATIC);
    case KC_DB_BLOB:
        if (v->n > INT_MAX) break;
        if (!v->p || v->n == 0) return sqlite3_bind_zeroblob(st, idx, 0);
        return sqlite3_bind_blob(st, idx, v->p, (int)v->n, SQLITE_STATIC);
    default:
        kc_err_set(err, KC_E_INTERNAL, "sqlite: parameter $%d has unknown type %d", idx,
                   (int)v->type);
        return SQLITE_MISUSE;
    }
    kc_err_set(err, KC_E_TOO_LARGE, "sqlite: parameter is larger than 2 GiB");
    return SQLITE_TOOBIG;
}

/* "$k" without leading zeros → k, else 0. */
static size_t placeholder_number(const char *name)
{
    if (!name || name[0] != '$' || name[1] < '1' || name[1] > '9') return 0;
    size_t k = 0;
    for (const char *p = name + 1; *p; p++) {
        if (!isdigit((unsigned char)*p) || k > 100000) return 0;
        k = k * 10 + (size_t)(*p - '0');
    }
    return k;
}

static int bind_params(struct sq_conn *c, sqlite3_stmt *st, const struct kc_db_val *params,
                       size_t nparams, struct kc_err *err)
{
    int count = sqlite3_bind_parameter_count(st);
    for (int i = 1; i <= count; i++) {
        const char *name = sqlite3_bind_parameter_name(st, i);
        size_t k = placeholder_number(name);
        if (k == 0)
            return kc_err_set(err, KC_E_INTERNAL,
                              "sqlite: placeholder '%s' is not $1…$N (db.h portability rule)",
                              name ? name : "?");
        if (k > nparams)
            return kc_err_set(err, KC_E_INTERNAL,
                              "sqlite: placeholder $%zu has no value (%zu given)", k, nparams);
        int rc = bind_one(st, i, &params[k - 1], err);
        if (rc == SQLITE_MISUSE || rc == SQLITE_TOOBIG) return -1;
        if (rc != SQLITE_OK) return sq_fail(c->db, rc, err);
    }
    /* Distinct names without leading zeros are distinct numbers, all ≤ nparams. */
    if ((size_t)count != nparams)
        return kc_err_set(
            err, KC_E_INTERNAL,
            "sqlite: statement uses %d distinct placeholders but %zu values were given", count,
            nparams);
    return 0;
}

static void finish(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

static sqlite3_stmt *prepare_bound(struct sq_conn *c, const char *sql,
                                   const struct kc_db_val *params, size_t nparams,
                                   struct kc_err *err)
{
    sqlite3_stmt *st = get_stmt(c, sql, err);
    if (!st) return NULL;
    if (bind_params(c, st, params, nparams, err) != 0) {
        finish(st);
        return NULL;
    }
    return st;
}

/* ---- rows → JSON ----------------------------------------------------------------------- */

static json_t *blob_hex(const unsigned char *b, int n)
{
    static const char digits[] = "0123456789abcdef";
    char *hex = malloc((size_t)n * 2 + 1);
    if (!hex) return NULL;
    for (int i = 0; i < n; i++) {
        hex[2 * i] = digits[b[i] >> 4];
        hex[2 * i + 1] = digits[b[i] & 15];
    }
    json_t *s = json_stringn(hex, (size_t)n * 2);
    free(hex);
    return s;
}

static json_t *column_value(sqlite3_stmt *st, int i, int is_json, struct kc_err *err)
{
    const char *name = sqlite3_column_name(st, i);
    int type = sqlite3_column_type(st, i);
    if (type == SQLITE_NULL) return json_null();
    if (type == SQLITE_INTEGER) return json_integer(sqlite3_column_int64(st, i));
    if (type == SQLITE_FLOAT) {
        double d = sqlite3_column_double(st, i);
        return isfinite(d) ? json_real(d) : json_null();
    }
    const void *p =
        type == SQLITE_TEXT ? (const void *)sqlite3_column_text(st, i) : sqlite3_column_blob(st, i);
    int n = sqlite3_column_bytes(st, i);
    if (is_json) {
        json_error_t jerr;
        json_t *v = json_loadb(p ? p : "", (size_t)n, JSON_DECODE_ANY, &jerr);
        if (!v)
            kc_err_set(err, KC_E_INTERNAL, "column %s holds invalid JSON: %s (line %d col %d)",
                       name, jerr.text, jerr.line, jerr.column);
        return v;
    }
    json_t *v = type == SQLITE_TEXT ? json_stringn(p ? p : "", (size_t)n) : blob_hex(p, n);
    if (!v)
        kc_err_set(err, KC_E_INTERNAL, "column %s: text is not valid UTF-8 (or out of memory)",
                   name);
    return v;
}

static json_t *row_json(sqlite3_stmt *st, struct kc_err *err)
{
    json_t *row = json_object();
    int ncol = sqlite3_column_count(st);
    for (int i = 0; row && i < ncol; i++) {
        const char *name = sqlite3_column_name(st, i);
        size_t len = strlen(name);
        int is_json = len > 5 && strcmp(name + len - 5, "_json") == 0;
        json_t *v = column_value(st, i, is_json, err);
        if (!v || json_object_setn_new(row, name, is_json ? len - 5 : len, v) != 0) {
            if (v) kc_err_set(err, KC_E_INTERNAL, "column name %s is not valid UTF-8", name);
            json_decref(row);
            return NULL;
        }
    }
    return row;
}

/* ---- vtable ---------------------------------------------------------------------------- */

static int64_t sq_exec(void *h, const char *sql, const struct kc_db_val *params, size_t nparams,
                       struct kc_err *err)
{
    struct sq_conn *c = h;
    sqlite3_stmt *st = prepare_bound(c, sql, params, nparams, err);
    if (!st) return -1;
    int rc;
    do rc = sqlite3_step(st);
    while (rc == SQLITE_ROW);
    if (rc != SQLITE_DONE) {
        sq_fail(c->db, rc, err);
        finish(st);
        return -1;
    }
    finish(st);
    return sqlite3_changes64(c->db);
}

static json_t *sq_query(void *h, const char *sql, const struct kc_db_val *params, size_t nparams,
                        size_t max_rows, struct kc_err *err)
{
    struct sq_conn *c = h;
    sqlite3_stmt *st = prepare_bound(c, sql, params, nparams, err);
    if (!st) return NULL;
    json_t *rows = json_array();
    if (!rows) {
        finish(st);
        kc_err_set(err, KC_E_NOMEM, "out of memory");
        return NULL;
    }
    int rc = SQLITE_DONE;
    while ((max_rows == 0 || json_array_size(rows) < max_rows)) {
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) break;
        json_t *row = row_json(st, err);
        if (!row) {
            json_decref(rows);
            finish(st);
            return NULL;
        }
        json_array_append_new(rows, row);
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        sq_fail(c->db, rc, err);
        json_decref(rows);
        rows = NULL;
    }
    finish(st);
    return rows;
}

static int sq_query_int(void *h, const char *sql, const struct kc_db_val *params, size_t nparams,
                        int64_t *out, struct kc_err *err)
{
    struct sq_conn *c = h;
    sqlite3_stmt *st = prepare_bound(c, sql, params, nparams, err);
    if (!st) return -1;
    int rc = sqlite3_step(st), ret = 1;
    if (rc == SQLITE_ROW) {
        int type = sqlite3_column_type(st, 0);
        if (type == SQLITE_INTEGER || type == SQLITE_FLOAT) {
            *out = sqlite3_column_int64(st, 0);
            ret = 0;
        } else if (type != SQLITE_NULL) {
            ret = kc_err_set(err, KC_E_INTERNAL, "sqlite: first column is not a number");
        }
    } else if (rc != SQLITE_DONE) {
        ret = sq_fail(c->db, rc, err);
    }
    finish(st);
    return ret;
}

static int sq_exec_script(void *h, const char *sql, struct kc_err *err)
{
    struct sq_conn *c = h;
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : sq_fail(c->db, rc, err);
}

static int sq_in_transaction(void *h)
{
    struct sq_conn *c = h;
    return sqlite3_get_autocommit(c->db) == 0;
}

const struct kc_db_engine kc_db_sqlite_engine = {
    .name = "sqlite",
    .begin_sql = "BEGIN IMMEDIATE",
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .exec = sq_exec,
    .query = sq_query,
    .query_int = sq_query_int,
    .exec_script = sq_exec_script,
    .in_transaction = sq_in_transaction,
};
