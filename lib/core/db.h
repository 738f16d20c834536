/*
 * db.h — the database interface: SQLite today, written so PostgreSQL can be added behind it.
 *
 * Portability rules that callers follow (so a PostgreSQL backend needs no caller changes):
 *  - placeholders are $1, $2, … (PostgreSQL's native form; the SQLite backend binds them by
 *    name, so each number may appear more than once and in any order);
 *  - values are typed (struct kc_db_val); timestamps are ISO-8601 UTC text or integer epoch
 *    seconds, booleans are integers 0/1, JSON documents are text in columns named `*_json`;
 *  - new ids come from `INSERT … RETURNING id`;
 *  - SQL uses the common subset (no SQLite-only functions in caller SQL except in
 *    migrations, which are per-engine files: migrations/sqlite/NNNN_name.sql).
 *
 * Connections: struct kc_db is a pool. A thread takes a connection with kc_db_acquire and
 * gives it back with kc_db_release; a connection is used by one thread at a time. Each
 * connection caches its prepared statements by SQL text, so the same SQL is prepared once.
 * SQLite connections run in WAL mode with foreign_keys=ON and a busy timeout (5 s).
 *
 * Results come back as jansson values: a row is a JSON object keyed by column name; INTEGER →
 * integer, REAL → real, TEXT → string, NULL → null, BLOB → string (hex); a TEXT column whose
 * name ends in `_json` is parsed and embedded as JSON (and its key loses the suffix:
 * `criteria_json` → "criteria").
 *
 * Added by db*.c (engine vtable in db_engine.h, SQLite in db_sqlite.c, migrations in
 * db_migrate.c): kc_db_open creates the database file's parent folders; a REAL that is not
 * finite becomes JSON null; text that is not UTF-8 is an error naming the column; a statement
 * must use exactly $1…$N for N values and hold one statement; kc_db_query_int answers 1 for a
 * NULL value as for no row; kc_db_migrate uses `<dir>/<engine>/` when that folder exists, and
 * migration files must not contain BEGIN/COMMIT (each already runs in its own transaction).
 */
#ifndef KC_DB_H
#define KC_DB_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "err.h"

struct kc_db;
struct kc_db_conn;

enum kc_db_type { KC_DB_NULL = 0, KC_DB_INT, KC_DB_REAL, KC_DB_TEXT, KC_DB_BLOB };

struct kc_db_val {
    enum kc_db_type type;
    int64_t i;
    double r;
    const void *p; /* TEXT (UTF-8) or BLOB bytes; borrowed for the call */
    size_t n;      /* bytes; for TEXT, SIZE_MAX means NUL-terminated */
};

#define KC_DBV_NULL    ((struct kc_db_val){.type = KC_DB_NULL})
#define KC_DBV_INT(x)  ((struct kc_db_val){.type = KC_DB_INT, .i = (int64_t)(x)})
#define KC_DBV_REAL(x) ((struct kc_db_val){.type = KC_DB_REAL, .r = (double)(x)})
#define KC_DBV_TEXT(s) ((struct kc_db_val){.type = KC_DB_TEXT, .p = (s), .n = (size_t)-1})
/* NULL when s is NULL */
#define KC_DBV_TEXT_OR_NULL(s) ((s) ? KC_DBV_TEXT(s) : KC_DBV_NULL)
#define KC_DBV_BLOB(b, len)    ((struct kc_db_val){.type = KC_DB_BLOB, .p = (b), .n = (len)})

/* url: "sqlite:PATH", a plain path, or ":memory:" (one shared in-memory db, pool size 1).
 * "postgres://…" answers KC_E_UNAVAILABLE until that backend exists. pool_size 0 = 4. */
struct kc_db *kc_db_open(const char *url, int pool_size, struct kc_err *err);
void kc_db_close(struct kc_db *db);
/* "sqlite" | "postgres" */
const char *kc_db_engine(const struct kc_db *db);

/* Apply migrations from dir (files NNNN_name.sql, in numeric order) that are not yet in the
 * schema_migrations table; each file runs in its own transaction and is recorded there with
 * its checksum. Re-running is a no-op; a failing file rolls back (nothing of it remains) and
 * the error names the file and SQLite's message. An already-applied file whose checksum
 * changed is an error. */
int kc_db_migrate(struct kc_db *db, const char *dir, struct kc_err *err);

/* Thread-safe. Blocks until a connection is free (they are few and held briefly). */
struct kc_db_conn *kc_db_acquire(struct kc_db *db, struct kc_err *err);
void kc_db_release(struct kc_db *db, struct kc_db_conn *conn);
int kc_db_ping(struct kc_db *db, struct kc_err *err);

/* Transactions on a connection. begin uses BEGIN IMMEDIATE on SQLite (writers queue on the
 * busy timeout instead of failing mid-transaction). */
int kc_db_begin(struct kc_db_conn *c, struct kc_err *err);
int kc_db_commit(struct kc_db_conn *c, struct kc_err *err);
void kc_db_rollback(struct kc_db_conn *c);

/* Run a statement without rows. Returns the number of changed rows (≥ 0) or -1.
 * A UNIQUE violation → KC_E_CONFLICT; a CHECK/NOT NULL/FOREIGN KEY violation →
 * KC_E_INVALID; other errors KC_E_INTERNAL (message has the engine's text). */
int64_t kc_db_exec(struct kc_db_conn *c, const char *sql, const struct kc_db_val *params,
                   size_t nparams, struct kc_err *err);
/* All rows as a JSON array of objects (new reference; caller json_decref). NULL on error. */
json_t *kc_db_query(struct kc_db_conn *c, const char *sql, const struct kc_db_val *params,
                    size_t nparams, struct kc_err *err);
/* The first row (new reference), or NULL: err->code KC_E_NOT_FOUND when there was no row. */
json_t *kc_db_query_one(struct kc_db_conn *c, const char *sql, const struct kc_db_val *params,
                        size_t nparams, struct kc_err *err);
/* First column of the first row as an integer. Returns 0 and *out, 1 when no row, -1 error. */
int kc_db_query_int(struct kc_db_conn *c, const char *sql, const struct kc_db_val *params,
                    size_t nparams, int64_t *out, struct kc_err *err);
/* Run several ;-separated statements with no parameters (schema, tests). */
int kc_db_exec_script(struct kc_db_conn *c, const char *sql, struct kc_err *err);

#endif
