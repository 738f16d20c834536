/*
 * db.c — the engine-neutral half of db.h: URL dispatch, the connection pool, transactions,
 * and the public statement functions that forward to the engine vtable (db_engine.h).
 *
 * Data layout: struct kc_db owns `n` struct kc_db_conn, each wrapping one engine handle, and a
 * singly linked free list of those not lent out, guarded by a mutex + condition variable.
 * Connections are opened eagerly by kc_db_open, so a bad path or locked file is reported at
 * start-up, not on the first request.
 *
 * Invariants: a connection is on the free list or held by exactly one thread; a connection
 * returned while still inside a transaction (a caller forgot commit/rollback on an error
 * path) is rolled back before anyone else can use it. Migrations live in db_migrate.c, the
 * SQLite engine in db_sqlite.c.
 */
#include "db.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "db_engine.h"

struct kc_db_conn {
    struct kc_db *db;
    void *h; /* engine handle */
    struct kc_db_conn *next_free;
};

struct kc_db {
    const struct kc_db_engine *eng;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct kc_db_conn *conns;
    int n;
    struct kc_db_conn *free_list;
};

/* Pick the engine and its target from the URL; *pool_size is forced to 1 for :memory:. */
static const struct kc_db_engine *resolve_url(const char *url, const char **target, int *pool_size,
                                              struct kc_err *err)
{
    if (!url || !*url) {
        kc_err_set(err, KC_E_INVALID, "database URL is empty");
        return NULL;
    }
    if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
        kc_err_set(err, KC_E_UNAVAILABLE, "PostgreSQL backend not built yet");
        return NULL;
    }
    const char *path = url;
    if (strncmp(url, "sqlite:", 7) == 0) {
        path = url + 7;
        if (strncmp(path, "//", 2) == 0) path += 2;
    } else if (strstr(url, "://")) {
        kc_err_set(err, KC_E_INVALID, "database URL '%.100s': unknown scheme (sqlite:PATH)", url);
        return NULL;
    }
    if (!*path) {
        kc_err_set(err, KC_E_INVALID, "database URL '%.100s' has no path", url);
        return NULL;
    }
    if (strcmp(path, ":memory:") == 0) *pool_size = 1;
    *target = path;
    return &kc_db_sqlite_engine;
}

struct kc_db *kc_db_open(const char *url, int pool_size, struct kc_err *err)
{
    const char *target = NULL;
    if (pool_size < 0 || pool_size > 256) {
        kc_err_set(err, KC_E_INVALID, "database pool size %d is not in 0-256", pool_size);
        return NULL;
    }
    if (pool_size == 0) pool_size = 4;
    const struct kc_db_engine *eng = resolve_url(url, &target, &pool_size, err);
    if (!eng) return NULL;
    struct kc_db *db = calloc(1, sizeof *db);
    if (db) db->conns = calloc((size_t)pool_size, sizeof *db->conns);
    if (!db || !db->conns) {
        free(db);
        kc_err_set(err, KC_E_NOMEM, "out of memory");
        return NULL;
    }
    db->eng = eng;
    pthread_mutex_init(&db->mu, NULL);
    pthread_cond_init(&db->cv, NULL);
    for (int i = 0; i < pool_size; i++) {
        struct kc_db_conn *c = &db->conns[i];
        c->db = db;
        c->h = eng->connect(target, err);
        if (!c->h) {
            kc_db_close(db);
            return NULL;
        }
        db->n++;
        c->next_free = db->free_list;
        db->free_list = c;
    }
    return db;
}

void kc_db_close(struct kc_db *db)
{
    if (!db) return;
    for (int i = 0; i < db->n; i++) db->eng->disconnect(db->conns[i].h);
    pthread_mutex_destroy(&db->mu);
    pthread_cond_destroy(&db->cv);
    free(db->conns);
    free(db);
}

const char *kc_db_engine(const struct kc_db *db)
{
    return db->eng->name;
}

struct kc_db_conn *kc_db_acquire(struct kc_db *db, struct kc_err *err)
{
    if (!db) {
        kc_err_set(err, KC_E_UNAVAILABLE, "no database");
        return NULL;
    }
    pthread_mutex_lock(&db->mu);
    while (!db->free_list) pthread_cond_wait(&db->cv, &db->mu);
    struct kc_db_conn *c = db->free_list;
    db->free_list = c->next_free;
    c->next_free = NULL;
    pthread_mutex_unlock(&db->mu);
    return c;
}

void kc_db_release(struct kc_db *db, struct kc_db_conn *conn)
{
    if (!db || !conn) return;
    if (db->eng->in_transaction(conn->h)) kc_db_rollback(conn);
    pthread_mutex_lock(&db->mu);
    conn->next_free = db->free_list;
    db->free_list = conn;
    pthread_cond_signal(&db->cv);
    pthread_mutex_unlock(&db->mu);
}

int kc_db_ping(struct kc_db *db, struct kc_err *err)
{
    struct kc_db_conn *c = kc_db_acquire(db, err);
    if (!c) return -1;
    int64_t one = 0;
    int rc = kc_db_query_int(c, "SELECT 1", NULL, 0, &one, err);
    kc_db_release(db, c);
    if (rc == 0 && one == 1) return 0;
    return rc < 0 ? -1 : kc_err_set(err, KC_E_UNAVAILABLE, "database did not answer SELECT 1");
}

int kc_db_begin(struct kc_db_conn *c, struct kc_err *err)
{
    return c->db->eng->exec_script(c->h, c->db->eng->begin_sql, err);
}

int kc_db_commit(struct kc_db_conn *c, struct kc_err *err)
{
    if (c->db->eng->exec_script(c->h, "COMMIT", err) == 0) return 0;
    /* A failed COMMIT may leave the transaction open; never hand it on half-done. */
    if (c->db->eng->in_transaction(c->h)) kc_db_rollback(c);
    return -1;
}

void kc_db_rollback(struct kc_db_conn *c)
{
    if (c->db->eng->in_transaction(c->h)) c->db->eng->exec_script(c->h, "ROLLBACK", NULL);
}

int64_t kc_db_exec(struct kc_db_conn *c, const char *sql, const struct kc_db_val *params,
                   size_t nparams, struct kc_err *err)
{
    return c->db->eng->exec(c->h, sql, params, nparams, err);
}

json_t *kc_db_query(struct kc_db_conn *c, const char *sql, const struct kc_db_val *params,
                    size_t nparams, struct kc_err *err)
{
    return c->db->eng->query(c->h, sql, params, nparams, 0, err);
}

json_t *kc_db_query_one(struct kc_db_conn *c, const char *sql, const struct kc_db_val *params,
                        size_t nparams, struct kc_err *err)
{
    json_t *rows = c->db->eng->query(c->h, sql, params, nparams, 1, err);
    if (!rows) return NULL;
    json_t *row = json_array_get(rows, 0);
    if (row)
        json_incref(row);
    else
        kc_err_set(err, KC_E_NOT_FOUND, "no row");
    json_decref(rows);
    return row;
}

int kc_db_query_int(struct kc_db_conn *c, const char *sql, const struct kc_db_val *params,
                    size_t nparams, int64_t *out, struct kc_err *err)
{
    return c->db->eng->query_int(c->h, sql, params, nparams, out, err);
}

int kc_db_exec_script(struct kc_db_conn *c, const char *sql, struct kc_err *err)
{
    return c->db->eng->exec_script(c->h, sql, err);
}
