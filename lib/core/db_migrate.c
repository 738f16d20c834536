/*
 * db_migrate.c — schema migrations for kc_db_migrate (db.h), written against the public
 * kc_db_* functions only, so every engine gets the same behaviour.
 *
 * Files: `<dir>/NNNN_name.sql` (NNNN = decimal version, any width; name = [A-Za-z0-9_-]+).
 * When `<dir>/<engine>/` exists (migrations/sqlite/), that folder is used instead, following
 * db.h's per-engine migration rule. Other files (README, dot-files) are ignored; a `.sql` file
 * with another name, or two files with one version, is an error.
 *
 * Table: schema_migrations(version INTEGER PRIMARY KEY, name TEXT, checksum TEXT (sha256 hex
 * of the file bytes), applied_at TEXT ISO-8601 UTC).
 *
 * Each pending file runs inside one write transaction (BEGIN IMMEDIATE on SQLite) together with
 * its schema_migrations row, so it is applied entirely or not at all. The row is looked up
 * again inside that transaction, so two processes migrating the same database at once apply
 * each file once. Files must not contain BEGIN/COMMIT themselves.
 */
#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "db.h"

#define MIGRATION_MAX_BYTES (16 * 1024 * 1024)

struct migration {
    long version;
    char file[256];
};

struct migration_list {
    struct migration *items;
    size_t n, cap;
};

static const char *const create_table_sql =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL,"
    " applied_at TEXT NOT NULL)";

/* 1 = a migration file name (version in *version), 0 = not a .sql file, -1 = bad .sql name. */
static int parse_name(const char *file, long *version)
{
    size_t n = strlen(file);
    if (file[0] == '.' || n < 4 || strcmp(file + n - 4, ".sql") != 0) return 0;
    size_t digits = strspn(file, "0123456789");
    if (digits == 0 || digits > 9 || file[digits] != '_' || digits + 1 >= n - 4) return -1;
    for (size_t i = digits + 1; i < n - 4; i++) {
        char c = file[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return -1;
    }
    *version = strtol(file, NULL, 10);
    return 1;
}

static int cmp_version(const void *a, const void *b)
{
    long x = ((const struct migration *)a)->version, y = ((const struct migration *)b)->version;
    return (x > y) - (x < y);
}

static int list_add(struct migration_list *l, long version, const char *file, struct kc_err *err)
{
    if (strlen(file) >= sizeof l->items[0].file)
        return kc_err_set(err, KC_E_INVALID, "migration file name too long: %.60s…", file);
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct migration *m = realloc(l->items, cap * sizeof *m);
        if (!m) return kc_err_set(err, KC_E_NOMEM, "out of memory");
        l->items = m;
        l->cap = cap;
    }
    l->items[l->n].version = version;
    snprintf(l->items[l->n].file, sizeof l->items[0].file, "%s", file);
    l->n++;
    return 0;
}

static int list_dir(const char *dir, struct migration_list *l, struct kc_err *err)
{
    DIR *d = opendir(dir);
    if (!d) return kc_err_set(err, KC_E_IO, "migrations folder %s: %s", dir, strerror(errno));
    int rc = 0;
    for (struct dirent *e = readdir(d); rc == 0 && e; e = readdir(d)) {
        long version = 0;
        int kind = parse_name(e->d_name, &version);
        if (kind < 0)
            rc = kc_err_set(err, KC_E_INVALID, "migration file %s/%s is not named NNNN_name.sql",
                            dir, e->d_name);
        else if (kind > 0)
            rc = list_add(l, version, e->d_name, err);
    }
    closedir(d);
    if (rc != 0) return -1;
    if (l->n > 1) qsort(l->items, l->n, sizeof *l->items, cmp_version);
    for (size_t i = 1; i < l->n; i++)
        if (l->items[i].version == l->items[i - 1].version)
            return kc_err_set(err, KC_E_INVALID, "migrations %s and %s have the same version",
                              l->items[i - 1].file, l->items[i].file);
    return 0;
}

/* Whole file as a NUL-terminated string (caller frees), with its sha256 in hex. */
static char *read_sql(const char *path, char hex[65], struct kc_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        kc_err_set(err, KC_E_IO, "migration %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(MIGRATION_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, MIGRATION_MAX_BYTES + 1, f) : 0;
    int bad = !buf || ferror(f) || n > MIGRATION_MAX_BYTES;
    fclose(f);
    if (bad || memchr(buf, '\0', n)) {
        kc_err_set(err, KC_E_INVALID, "migration %s: unreadable, larger than 16 MiB or has NUL",
                   path);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    unsigned char sum[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(sum, (const unsigned char *)buf, n);
    sodium_bin2hex(hex, 65, sum, sizeof sum);
    return buf;
}

/* Compare a recorded checksum; 0 when equal. */
static int check_recorded(json_t *row, const struct migration *m, const char *hex,
                          struct kc_err *err)
{
    const char *recorded = json_string_value(json_object_get(row, "checksum"));
    if (recorded && strcmp(recorded, hex) == 0) return 0;
    return kc_err_set(err, KC_E_CONFLICT,
                      "migration %s was changed after it was applied (recorded sha256 %.64s, "
                      "file now %s); add a new migration instead of editing an applied one",
                      m->file, recorded ? recorded : "?", hex);
}

static int apply_in_tx(struct kc_db_conn *c, const struct migration *m, const char *sql,
                       const char *hex, struct kc_err *err)
{
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    struct kc_db_val p[] = {KC_DBV_INT(m->version), KC_DBV_TEXT(m->file), KC_DBV_TEXT(hex),
                            KC_DBV_TEXT(when)};
    if (kc_db_exec_script(c, sql, err) != 0) return -1;
    return kc_db_exec(c,
                      "INSERT INTO schema_migrations (version, name, checksum, applied_at)"
                      " VALUES ($1, $2, $3, $4)",
                      p, 4, err) == 1
               ? 0
               : -1;
}

static int apply_one(struct kc_db_conn *c, const char *dir, const struct migration *m,
                     struct kc_err *err)
{
    char path[1400], hex[65];
    if (snprintf(path, sizeof path, "%s/%s", dir, m->file) >= (int)sizeof path)
        return kc_err_set(err, KC_E_INVALID, "migration path too long");
    char *sql = read_sql(path, hex, err);
    if (!sql) return -1;
    int rc = kc_db_begin(c, err);
    json_t *row = NULL;
    if (rc == 0) {
        struct kc_db_val v[] = {KC_DBV_INT(m->version)};
        struct kc_err qerr = {0};
        row = kc_db_query_one(c, "SELECT checksum FROM schema_migrations WHERE version = $1", v, 1,
                              &qerr);
        if (!row && qerr.code != KC_E_NOT_FOUND) {
            if (err) *err = qerr;
            rc = -1;
        }
    }
    if (rc == 0 && row)
        rc = check_recorded(row, m, hex, err);
    else if (rc == 0)
        rc = apply_in_tx(c, m, sql, hex, err);
    if (rc == 0 && !row) rc = kc_db_commit(c, err);
    kc_db_rollback(c); /* no-op after a commit; undoes everything of a failed file */
    if (rc != 0 && !row) kc_err_prefix(err, "migration %s", path);
    json_decref(row);
    free(sql);
    return rc;
}

/* Use <dir>/<engine> when it exists. */
static int engine_dir(struct kc_db *db, const char *dir, char *out, size_t cap, struct kc_err *err)
{
    struct stat st;
    if (!dir || snprintf(out, cap, "%s/%s", dir, kc_db_engine(db)) >= (int)cap)
        return kc_err_set(err, KC_E_INVALID, "migrations folder missing or path too long");
    if (stat(out, &st) != 0 || !S_ISDIR(st.st_mode)) snprintf(out, cap, "%s", dir);
    return 0;
}

int kc_db_migrate(struct kc_db *db, const char *dir, struct kc_err *err)
{
    if (sodium_init() < 0) return kc_err_set(err, KC_E_INTERNAL, "libsodium failed to initialise");
    char use_dir[1024];
    if (engine_dir(db, dir, use_dir, sizeof use_dir, err) != 0) return -1;
    struct migration_list l = {0};
    if (list_dir(use_dir, &l, err) != 0) {
        free(l.items);
        return -1;
    }
    struct kc_db_conn *c = kc_db_acquire(db, err);
    int rc = c ? kc_db_exec_script(c, create_table_sql, err) : -1;
    for (size_t i = 0; rc == 0 && i < l.n; i++) rc = apply_one(c, use_dir, &l.items[i], err);
    if (c) kc_db_release(db, c);
    free(l.items);
    return rc;
}
