/*
 * db_engine.h — private to lib/core/db*.c: the vtable a database engine implements.
 *
 * db.c owns the pool, URL dispatch and the public kc_db_* functions; an engine only knows how
 * to open one connection and run statements on it. SQLite lives in db_sqlite.c; a PostgreSQL
 * engine (libpq) would add db_postgres.c with the same vtable and one line in db.c's URL
 * dispatch, and callers would not change (db.h's portability rules).
 *
 * Every function takes the engine's connection handle (`void *`), is called by one thread at
 * a time per handle, and fills err as db.h describes (UNIQUE → KC_E_CONFLICT, CHECK/NOT
 * NULL/FOREIGN KEY → KC_E_INVALID, otherwise KC_E_INTERNAL with the engine's text).
 */
#ifndef KC_DB_ENGINE_H
#define KC_DB_ENGINE_H

#include "db.h"

struct kc_db_engine {
    const char *name;      /* "sqlite" | "postgres" */
    const char *begin_sql; /* how kc_db_begin starts a write transaction */
    void *(*connect)(const char *target, struct kc_err *err);
    void (*disconnect)(void *h);
    int64_t (*exec)(void *h, const char *sql, const struct kc_db_val *params, size_t nparams,
                    struct kc_err *err);
    /* Rows as a JSON array; at most max_rows rows when max_rows > 0. */
    json_t *(*query)(void *h, const char *sql, const struct kc_db_val *params, size_t nparams,
                     size_t max_rows, struct kc_err *err);
    int (*query_int)(void *h, const char *sql, const struct kc_db_val *params, size_t nparams,
                     int64_t *out, struct kc_err *err);
    int (*exec_script)(void *h, const char *sql, struct kc_err *err);
    int (*in_transaction)(void *h);
};

extern const struct kc_db_engine kc_db_sqlite_engine;

#endif
