/*
 * test_db_migrate.c — kc_db_migrate: numeric order, schema_migrations rows with sha256 (checked
 * against coreutils' sha256sum), re-apply is a no-op, a failing file rolls back completely and
 * is named, an edited applied file is refused, bad names / duplicate versions are errors, and
 * the per-engine subfolder is preferred. Fixtures are written by the tests into a temp dir.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db.h"
#include "testutil.h"

static char *tmp;
static char migdir[512];
static struct kc_db *db;

static void setup(void)
{
    tmp = kc_test_tmpdir();
    cr_assert_not_null(tmp);
    snprintf(migdir, sizeof migdir, "%s/migrations", tmp);
    cr_assert_eq(mkdir(migdir, 0755), 0);
    char url[600];
    snprintf(url, sizeof url, "sqlite:%s/app.db", tmp);
    struct kc_err err = {0};
    db = kc_db_open(url, 2, &err);
    cr_assert_not_null(db, "%s", err.message);
}

static void teardown(void)
{
    kc_db_close(db);
    kc_test_rmrf(tmp);
    free(tmp);
}

TestSuite(migrate, .init = setup, .fini = teardown);

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

static int64_t count(const char *sql)
{
    struct kc_err err = {0};
    struct kc_db_conn *c = kc_db_acquire(db, &err);
    int64_t n = -1;
    int rc = kc_db_query_int(c, sql, NULL, 0, &n, &err);
    kc_db_release(db, c);
    return rc == 0 ? n : -1;
}

static int table_exists(const char *name)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='%s'",
             name);
    return count(sql) == 1;
}

static void sha256sum(const char *dir, const char *name, char out[65])
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "sha256sum '%s/%s'", dir, name);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    cr_assert_eq(fscanf(p, "%64s", out), 1);
    pclose(p);
}

static void write_good_set(void)
{
    /* numeric, not lexical order: 10 depends on 2 */
    write_file(migdir, "10_add_index.sql", "CREATE INDEX users_email ON users (email);\n");
    write_file(migdir, "2_users.sql",
               "-- users\nCREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n"
               "INSERT INTO users (email) VALUES ('seed@example.com');\n");
    write_file(migdir, "0001_companies.sql",
               "CREATE TABLE companies (id INTEGER PRIMARY KEY, name TEXT);\n");
    write_file(migdir, "README.md", "not a migration");
}

Test(migrate, applies_in_numeric_order_and_records)
{
    write_good_set();
    struct kc_err err = {0};
    cr_assert_eq(kc_db_migrate(db, migdir, &err), 0, "%s", err.message);
    cr_assert(table_exists("companies") && table_exists("users"));
    cr_assert_eq(count("SELECT count(*) FROM sqlite_master WHERE name='users_email'"), 1);
    struct kc_db_conn *c = kc_db_acquire(db, &err);
    json_t *rows = kc_db_query(
        c, "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version",
        NULL, 0, &err);
    kc_db_release(db, c);
    cr_assert_eq(json_array_size(rows), 3);
    static const int versions[] = {1, 2, 10};
    static const char *const names[] = {"0001_companies.sql", "2_users.sql", "10_add_index.sql"};
    for (int i = 0; i < 3; i++) {
        json_t *r = json_array_get(rows, (size_t)i);
        cr_assert_eq(json_integer_value(json_object_get(r, "version")), versions[i]);
        cr_assert_str_eq(json_string_value(json_object_get(r, "name")), names[i]);
        char want[65];
        sha256sum(migdir, names[i], want);
        cr_assert_str_eq(json_string_value(json_object_get(r, "checksum")), want);
        const char *at = json_string_value(json_object_get(r, "applied_at"));
        cr_assert(at && strlen(at) == 20 && at[10] == 'T' && at[19] == 'Z', "%s", at);
    }
    json_decref(rows);
}

Test(migrate, reapply_is_noop)
{
    write_good_set();
    struct kc_err err = {0};
    cr_assert_eq(kc_db_migrate(db, migdir, &err), 0, "%s", err.message);
    cr_assert_eq(count("SELECT count(*) FROM users"), 1);
    cr_assert_eq(kc_db_migrate(db, migdir, &err), 0, "%s", err.message);
    cr_assert_eq(count("SELECT count(*) FROM users"), 1, "seed row not inserted twice");
    cr_assert_eq(count("SELECT count(*) FROM schema_migrations"), 3);
    /* a new file is picked up by the next run */
    write_file(migdir, "11_jobs.sql", "CREATE TABLE jobs (id INTEGER PRIMARY KEY);");
    cr_assert_eq(kc_db_migrate(db, migdir, &err), 0, "%s", err.message);
    cr_assert(table_exists("jobs"));
    cr_assert_eq(count("SELECT count(*) FROM schema_migrations"), 4);
}

Test(migrate, failing_file_rolls_back_and_is_named)
{
    write_good_set();
    write_file(migdir, "0011_broken.sql",
               "CREATE TABLE half_done (id INTEGER);\n"
               "INSERT INTO users (email) VALUES ('x@example.com');\n"
               "INSERT INTO no_such_table VALUES (1);\n");
    write_file(migdir, "0012_after.sql", "CREATE TABLE after_broken (id INTEGER);");
    struct kc_err err = {0};
    cr_assert_eq(kc_db_migrate(db, migdir, &err), -1);
    cr_assert(strstr(err.message, "0011_broken.sql"), "%s", err.message);
    cr_assert(strstr(err.message, "no such table"), "%s", err.message);
    cr_assert(!table_exists("half_done"), "the failing file's table must not remain");
    cr_assert_eq(count("SELECT count(*) FROM users"), 1, "its insert was rolled back");
    cr_assert_eq(count("SELECT count(*) FROM schema_migrations WHERE version = 11"), 0);
    cr_assert(!table_exists("after_broken"), "later files are not applied");
    cr_assert_eq(count("SELECT count(*) FROM schema_migrations"), 3, "earlier files stay");
    /* fixing the file lets the next run continue */
    write_file(migdir, "0011_broken.sql", "CREATE TABLE half_done (id INTEGER);");
    cr_assert_eq(kc_db_migrate(db, migdir, &err), 0, "%s", err.message);
    cr_assert(table_exists("half_done") && table_exists("after_broken"));
}

Test(migrate, changed_checksum_is_refused)
{
    write_good_set();
    struct kc_err err = {0};
    cr_assert_eq(kc_db_migrate(db, migdir, &err), 0, "%s", err.message);
    write_file(migdir, "2_users.sql",
               "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, name TEXT);");
    write_file(migdir, "20_later.sql", "CREATE TABLE later (id INTEGER);");
    cr_assert_eq(kc_db_migrate(db, migdir, &err), -1);
    cr_assert(strstr(err.message, "2_users.sql"), "%s", err.message);
    cr_assert(strstr(err.message, "changed"), "%s", err.message);
    cr_assert(!table_exists("later"));
}

Test(migrate, bad_names_and_duplicates)
{
    struct kc_err err = {0};
    write_file(migdir, "create_users.sql", "SELECT 1;");
    cr_assert_eq(kc_db_migrate(db, migdir, &err), -1);
    cr_assert(strstr(err.message, "create_users.sql"), "%s", err.message);
    char path[600];
    snprintf(path, sizeof path, "%s/create_users.sql", migdir);
    remove(path);
    write_file(migdir, "0003_a.sql", "SELECT 1;");
    write_file(migdir, "3_b.sql", "SELECT 1;");
    cr_assert_eq(kc_db_migrate(db, migdir, &err), -1);
    cr_assert(strstr(err.message, "same version"), "%s", err.message);
    snprintf(path, sizeof path, "%s/nowhere", tmp);
    cr_assert_eq(kc_db_migrate(db, path, &err), -1);
    cr_assert_eq(err.code, KC_E_IO);
}

Test(migrate, engine_subfolder_is_preferred)
{
    char sub[600];
    snprintf(sub, sizeof sub, "%s/sqlite", migdir);
    cr_assert_eq(mkdir(sub, 0755), 0);
    write_file(sub, "0001_engine.sql", "CREATE TABLE from_engine_dir (id INTEGER);");
    write_file(migdir, "0001_generic.sql", "CREATE TABLE from_top_dir (id INTEGER);");
    struct kc_err err = {0};
    cr_assert_eq(kc_db_migrate(db, migdir, &err), 0, "%s", err.message);
    cr_assert(table_exists("from_engine_dir"));
    cr_assert(!table_exists("from_top_dir"));
}

Test(migrate, empty_folder_creates_the_table)
{
    struct kc_err err = {0};
    cr_assert_eq(kc_db_migrate(db, migdir, &err), 0, "%s", err.message);
    cr_assert(table_exists("schema_migrations"));
    cr_assert_eq(count("SELECT count(*) FROM schema_migrations"), 0);
}
