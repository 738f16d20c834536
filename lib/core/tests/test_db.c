/*
 * test_db.c — the SQLite engine behind db.h: connection settings, $N placeholders (reused, out
 * of order, count checked), typed values, rows → JSON including the `_json` rule, error
 * mapping, transactions, the statement cache under eviction, and 4 threads writing at once.
 * Each test opens its own database in a fresh temporary folder.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db.h"
#include "testutil.h"

static char *tmp;
static struct kc_db *db;
static struct kc_db_conn *conn;

static void open_db(void)
{
    tmp = kc_test_tmpdir();
    cr_assert_not_null(tmp);
    char url[512];
    snprintf(url, sizeof url, "sqlite:%s/sub/dir/test.db", tmp);
    struct kc_err err = {0};
    db = kc_db_open(url, 4, &err);
    cr_assert_not_null(db, "%s", err.message);
    conn = kc_db_acquire(db, &err);
    cr_assert_not_null(conn);
}

static void close_db(void)
{
    if (conn) kc_db_release(db, conn);
    kc_db_close(db);
    kc_test_rmrf(tmp);
    free(tmp);
}

static void script(const char *sql)
{
    struct kc_err err = {0};
    cr_assert_eq(kc_db_exec_script(conn, sql, &err), 0, "%s", err.message);
}

TestSuite(db, .init = open_db, .fini = close_db);

Test(db, connection_settings)
{
    struct kc_err err = {0};
    json_t *r = kc_db_query_one(conn, "PRAGMA journal_mode", NULL, 0, &err);
    cr_assert_not_null(r, "%s", err.message);
    cr_assert_str_eq(json_string_value(json_object_get(r, "journal_mode")), "wal");
    json_decref(r);
    int64_t v = -1;
    cr_assert_eq(kc_db_query_int(conn, "PRAGMA foreign_keys", NULL, 0, &v, &err), 0);
    cr_assert_eq(v, 1);
    cr_assert_eq(kc_db_query_int(conn, "PRAGMA busy_timeout", NULL, 0, &v, &err), 0);
    cr_assert_eq(v, 5000);
    cr_assert_eq(kc_db_query_int(conn, "PRAGMA synchronous", NULL, 0, &v, &err), 0);
    cr_assert_eq(v, 1, "NORMAL");
    cr_assert_str_eq(kc_db_engine(db), "sqlite");
    cr_assert_eq(kc_db_ping(db, &err), 0, "%s", err.message);
    struct stat st;
    char path[512];
    snprintf(path, sizeof path, "%s/sub/dir/test.db", tmp);
    cr_assert_eq(stat(path, &st), 0, "parent folders were created");
}

Test(db, placeholders_reused_and_out_of_order)
{
    struct kc_err err = {0};
    struct kc_db_val p[] = {KC_DBV_INT(7), KC_DBV_TEXT("two")};
    json_t *r = kc_db_query_one(conn, "SELECT $2 AS b, $1 AS a, $1 + $1 AS twice, $2 || $2 AS bb",
                                p, 2, &err);
    cr_assert_not_null(r, "%s", err.message);
    cr_assert_str_eq(json_string_value(json_object_get(r, "b")), "two");
    cr_assert_eq(json_integer_value(json_object_get(r, "a")), 7);
    cr_assert_eq(json_integer_value(json_object_get(r, "twice")), 14);
    cr_assert_str_eq(json_string_value(json_object_get(r, "bb")), "twotwo");
    json_decref(r);
    /* the same SQL again comes from the statement cache with new values */
    struct kc_db_val q[] = {KC_DBV_INT(1), KC_DBV_TEXT("x")};
    r = kc_db_query_one(conn, "SELECT $2 AS b, $1 AS a, $1 + $1 AS twice, $2 || $2 AS bb", q, 2,
                        &err);
    cr_assert_eq(json_integer_value(json_object_get(r, "twice")), 2);
    json_decref(r);
}

Test(db, placeholder_count_and_form_checked)
{
    struct kc_err err = {0};
    struct kc_db_val p[] = {KC_DBV_INT(1), KC_DBV_INT(2)};
    cr_assert_null(kc_db_query(conn, "SELECT $1, $3", p, 2, &err));
    cr_assert(strstr(err.message, "$3"), "%s", err.message);
    cr_assert_null(kc_db_query(conn, "SELECT $1", p, 2, &err), "unused value");
    cr_assert_null(kc_db_query(conn, "SELECT ?", p, 1, &err));
    cr_assert_null(kc_db_query(conn, "SELECT :name", p, 1, &err));
    cr_assert_null(kc_db_query(conn, "SELECT $01", p, 1, &err));
    int64_t one = 0;
    cr_assert_eq(kc_db_query_int(conn, "SELECT 1; -- trailing comment\n /* and more */ ;", NULL, 0,
                                 &one, &err),
                 0, "%s", err.message);
    cr_assert_eq(one, 1);
    cr_assert_eq(kc_db_exec(conn, "SELECT 1; SELECT 2", NULL, 0, &err), -1);
    cr_assert(strstr(err.message, "one statement"), "%s", err.message);
    cr_assert_null(kc_db_query(conn, "SELEC 1", NULL, 0, &err));
    cr_assert_eq(err.code, KC_E_INTERNAL);
    cr_assert(strstr(err.message, "syntax"), "%s", err.message);
}

Test(db, typed_values_and_json_rows)
{
    script("CREATE TABLE t (id INTEGER PRIMARY KEY, i INTEGER, r REAL, s TEXT, b BLOB, n TEXT,"
           " criteria_json TEXT, empty_json TEXT) STRICT");
    struct kc_err err = {0};
    const unsigned char blob[] = {0x00, 0xff, 0x10};
    const char *korean = "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4 text"; /* 한국어 */
    struct kc_db_val p[] = {KC_DBV_INT(-9007199254740993LL),
                            KC_DBV_REAL(2.5),
                            KC_DBV_TEXT(korean),
                            KC_DBV_BLOB(blob, 3),
                            KC_DBV_TEXT_OR_NULL(NULL),
                            KC_DBV_TEXT("{\"skills\":[\"c\",\"sql\"],\"weight\":0.5}"),
                            KC_DBV_NULL};
    json_t *row = kc_db_query_one(conn,
                                  "INSERT INTO t (i, r, s, b, n, criteria_json, empty_json)"
                                  " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
                                  p, 7, &err);
    cr_assert_not_null(row, "%s", err.message);
    cr_assert_eq(json_integer_value(json_object_get(row, "id")), 1);
    cr_assert_eq(json_integer_value(json_object_get(row, "i")), -9007199254740993LL);
    cr_assert_float_eq(json_real_value(json_object_get(row, "r")), 2.5, 1e-12);
    cr_assert_str_eq(json_string_value(json_object_get(row, "s")), korean);
    cr_assert_str_eq(json_string_value(json_object_get(row, "b")), "00ff10");
    cr_assert(json_is_null(json_object_get(row, "n")));
    cr_assert_null(json_object_get(row, "criteria_json"), "the suffix is dropped");
    json_t *crit = json_object_get(row, "criteria");
    cr_assert(json_is_object(crit));
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(crit, "skills"), 1)), "sql");
    cr_assert_float_eq(json_real_value(json_object_get(crit, "weight")), 0.5, 1e-12);
    cr_assert(json_is_null(json_object_get(row, "empty")));
    json_decref(row);
    /* a text length that is not NUL-terminated */
    struct kc_db_val part = {.type = KC_DB_TEXT, .p = "abcdef", .n = 3};
    row = kc_db_query_one(conn, "SELECT $1 AS s", &part, 1, &err);
    cr_assert_str_eq(json_string_value(json_object_get(row, "s")), "abc");
    json_decref(row);
}

Test(db, invalid_json_and_utf8_are_errors)
{
    struct kc_err err = {0};
    cr_assert_null(kc_db_query(conn, "SELECT '{broken' AS x_json", NULL, 0, &err));
    cr_assert(strstr(err.message, "x_json"), "%s", err.message);
    struct kc_db_val bad = {.type = KC_DB_TEXT, .p = "\xff\xfe", .n = 2};
    cr_assert_null(kc_db_query(conn, "SELECT $1 AS s", &bad, 1, &err));
    cr_assert(strstr(err.message, "UTF-8"), "%s", err.message);
}

Test(db, constraint_errors_are_mapped)
{
    script("CREATE TABLE c (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE,"
           " age INTEGER CHECK (age >= 0));"
           "CREATE TABLE child (id INTEGER PRIMARY KEY, c_id INTEGER NOT NULL REFERENCES c(id))");
    struct kc_err err = {0};
    struct kc_db_val p[] = {KC_DBV_TEXT("a@example.com"), KC_DBV_INT(30)};
    const char *ins = "INSERT INTO c (email, age) VALUES ($1, $2)";
    cr_assert_eq(kc_db_exec(conn, ins, p, 2, &err), 1, "%s", err.message);
    cr_assert_eq(kc_db_exec(conn, ins, p, 2, &err), -1);
    cr_assert_eq(err.code, KC_E_CONFLICT, "%s", err.message);
    cr_assert_str_eq(err.field, "email");
    struct kc_db_val neg[] = {KC_DBV_TEXT("b@example.com"), KC_DBV_INT(-1)};
    cr_assert_eq(kc_db_exec(conn, ins, neg, 2, &err), -1);
    cr_assert_eq(err.code, KC_E_INVALID, "CHECK: %s", err.message);
    struct kc_db_val nul[] = {KC_DBV_NULL, KC_DBV_INT(1)};
    cr_assert_eq(kc_db_exec(conn, ins, nul, 2, &err), -1);
    cr_assert_eq(err.code, KC_E_INVALID, "NOT NULL: %s", err.message);
    cr_assert_str_eq(err.field, "email");
    struct kc_db_val fk[] = {KC_DBV_INT(999)};
    cr_assert_eq(kc_db_exec(conn, "INSERT INTO child (c_id) VALUES ($1)", fk, 1, &err), -1);
    cr_assert_eq(err.code, KC_E_INVALID, "FK: %s", err.message);
    cr_assert_eq(kc_db_exec(conn, "INSERT INTO missing VALUES (1)", NULL, 0, &err), -1);
    cr_assert_eq(err.code, KC_E_INTERNAL);
    cr_assert(strstr(err.message, "no such table"), "%s", err.message);
}

Test(db, query_helpers)
{
    script("CREATE TABLE q (id INTEGER PRIMARY KEY, v TEXT);"
           "INSERT INTO q (v) VALUES ('a'), ('b'), ('c')");
    struct kc_err err = {0};
    json_t *rows = kc_db_query(conn, "SELECT id, v FROM q ORDER BY id", NULL, 0, &err);
    cr_assert_eq(json_array_size(rows), 3);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(rows, 2), "v")), "c");
    json_decref(rows);
    rows = kc_db_query(conn, "SELECT id FROM q WHERE v = 'zzz'", NULL, 0, &err);
    cr_assert(json_is_array(rows) && json_array_size(rows) == 0);
    json_decref(rows);
    struct kc_db_val p[] = {KC_DBV_TEXT("zzz")};
    cr_assert_null(kc_db_query_one(conn, "SELECT id FROM q WHERE v = $1", p, 1, &err));
    cr_assert_eq(err.code, KC_E_NOT_FOUND);
    int64_t n = 0;
    cr_assert_eq(kc_db_query_int(conn, "SELECT count(*) FROM q", NULL, 0, &n, &err), 0);
    cr_assert_eq(n, 3);
    cr_assert_eq(kc_db_query_int(conn, "SELECT id FROM q WHERE v = $1", p, 1, &n, &err), 1);
    cr_assert_eq(kc_db_query_int(conn, "SELECT v FROM q", NULL, 0, &n, &err), -1);
    cr_assert_eq(kc_db_exec(conn, "UPDATE q SET v = v || '!'", NULL, 0, &err), 3);
}

Test(db, transactions)
{
    script("CREATE TABLE tx (v INTEGER)");
    struct kc_err err = {0};
    int64_t n = -1;
    cr_assert_eq(kc_db_begin(conn, &err), 0, "%s", err.message);
    cr_assert_eq(kc_db_exec(conn, "INSERT INTO tx VALUES (1)", NULL, 0, &err), 1);
    kc_db_rollback(conn);
    kc_db_query_int(conn, "SELECT count(*) FROM tx", NULL, 0, &n, &err);
    cr_assert_eq(n, 0, "rolled back");
    cr_assert_eq(kc_db_begin(conn, &err), 0);
    cr_assert_eq(kc_db_exec(conn, "INSERT INTO tx VALUES (2)", NULL, 0, &err), 1);
    cr_assert_eq(kc_db_commit(conn, &err), 0, "%s", err.message);
    kc_db_query_int(conn, "SELECT count(*) FROM tx", NULL, 0, &n, &err);
    cr_assert_eq(n, 1);
    /* a connection handed back inside a transaction is rolled back */
    cr_assert_eq(kc_db_begin(conn, &err), 0);
    cr_assert_eq(kc_db_exec(conn, "INSERT INTO tx VALUES (3)", NULL, 0, &err), 1);
    kc_db_release(db, conn);
    conn = kc_db_acquire(db, &err);
    struct kc_db_conn *other[3];
    for (int i = 0; i < 3; i++) other[i] = kc_db_acquire(db, &err);
    for (int i = 0; i < 3; i++) {
        kc_db_query_int(other[i], "SELECT count(*) FROM tx", NULL, 0, &n, &err);
        cr_assert_eq(n, 1, "connection %d sees %lld rows", i, (long long)n);
        kc_db_release(db, other[i]);
    }
    kc_db_rollback(conn); /* harmless outside a transaction */
    cr_assert_eq(kc_db_commit(conn, &err), -1, "COMMIT without BEGIN fails");
}

Test(db, statement_cache_eviction)
{
    script("CREATE TABLE s (v INTEGER)");
    struct kc_err err = {0};
    /* 200 distinct statements (more than the cache holds), each run three times */
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 200; i++) {
            char sql[64];
            snprintf(sql, sizeof sql, "INSERT INTO s (v) VALUES ($1 + %d)", i);
            struct kc_db_val p[] = {KC_DBV_INT(round * 1000)};
            cr_assert_eq(kc_db_exec(conn, sql, p, 1, &err), 1, "%s", err.message);
        }
    }
    int64_t n = 0, sum = 0;
    kc_db_query_int(conn, "SELECT count(*) FROM s", NULL, 0, &n, &err);
    kc_db_query_int(conn, "SELECT sum(v) FROM s", NULL, 0, &sum, &err);
    cr_assert_eq(n, 600);
    cr_assert_eq(sum, 3 * 19900 + 200 * (0 + 1000 + 2000));
}

struct writer_arg {
    int id;
    int failures;
    char first_error[sizeof((struct kc_err *)0)->message];
};

static pthread_barrier_t start_line;

static void *writer(void *p)
{
    struct writer_arg *a = p;
    pthread_barrier_wait(&start_line); /* all four start together, so they do collide */
    for (int i = 0; i < 400; i++) {
        struct kc_err err = {0};
        struct kc_db_conn *c = kc_db_acquire(db, &err);
        struct kc_db_val v[] = {KC_DBV_INT(a->id), KC_DBV_INT(i)};
        int ok = c && kc_db_begin(c, &err) == 0 &&
                 kc_db_exec(c, "INSERT INTO w (writer, seq) VALUES ($1, $2)", v, 2, &err) == 1 &&
                 kc_db_exec(c, "UPDATE total SET n = n + 1", NULL, 0, &err) == 1 &&
                 kc_db_commit(c, &err) == 0;
        /* and one autocommit write outside a transaction */
        ok = ok && kc_db_exec(c, "UPDATE total SET auto = auto + 1", NULL, 0, &err) == 1;
        if (!ok && a->failures++ == 0)
            snprintf(a->first_error, sizeof a->first_error, "%s", err.message);
        if (c) kc_db_release(db, c);
    }
    return NULL;
}

Test(db, concurrent_writers_do_not_fail_busy, .timeout = 60)
{
    script("CREATE TABLE w (writer INTEGER, seq INTEGER, UNIQUE (writer, seq));"
           "CREATE TABLE total (n INTEGER, auto INTEGER); INSERT INTO total VALUES (0, 0)");
    kc_db_release(db, conn);
    conn = NULL;
    pthread_t t[4];
    struct writer_arg args[4] = {{0}};
    pthread_barrier_init(&start_line, NULL, 4);
    for (int i = 0; i < 4; i++) {
        args[i].id = i;
        pthread_create(&t[i], NULL, writer, &args[i]);
    }
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    pthread_barrier_destroy(&start_line);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(args[i].failures, 0, "writer %d: %d failures, first: %s", i, args[i].failures,
                     args[i].first_error);
    struct kc_err err = {0};
    conn = kc_db_acquire(db, &err);
    int64_t n = 0;
    kc_db_query_int(conn, "SELECT count(*) FROM w", NULL, 0, &n, &err);
    cr_assert_eq(n, 1600);
    kc_db_query_int(conn, "SELECT n FROM total", NULL, 0, &n, &err);
    cr_assert_eq(n, 1600);
    kc_db_query_int(conn, "SELECT auto FROM total", NULL, 0, &n, &err);
    cr_assert_eq(n, 1600);
}

Test(db_open, urls)
{
    struct kc_err err = {0};
    cr_assert_null(kc_db_open("postgres://kc@localhost/kc", 0, &err));
    cr_assert_eq(err.code, KC_E_UNAVAILABLE);
    cr_assert_str_eq(err.message, "PostgreSQL backend not built yet");
    cr_assert_null(kc_db_open("mysql://x/y", 0, &err));
    cr_assert_eq(err.code, KC_E_INVALID);
    cr_assert_null(kc_db_open("sqlite:", 0, &err));
    cr_assert_null(kc_db_open("", 0, &err));
    cr_assert_null(kc_db_open("sqlite:/proc/no/such/dir/x.db", 0, &err));
    cr_assert_neq(err.code, KC_OK);
    struct kc_db *m = kc_db_open(":memory:", 8, &err);
    cr_assert_not_null(m, "%s", err.message);
    struct kc_db_conn *c = kc_db_acquire(m, &err);
    cr_assert_eq(kc_db_exec_script(c, "CREATE TABLE x (v); INSERT INTO x VALUES (1)", &err), 0);
    kc_db_release(m, c);
    c = kc_db_acquire(m, &err); /* the one shared in-memory database */
    int64_t n = 0;
    cr_assert_eq(kc_db_query_int(c, "SELECT count(*) FROM x", NULL, 0, &n, &err), 0);
    cr_assert_eq(n, 1);
    kc_db_release(m, c);
    kc_db_close(m);
    m = kc_db_open("sqlite::memory:", 0, &err);
    cr_assert_not_null(m);
    cr_assert_eq(kc_db_ping(m, &err), 0);
    kc_db_close(m);
}
