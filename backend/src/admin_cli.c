/*
 * admin_cli.c — `kocruit-backend create-admin EMAIL`: the only way an admin account comes
 * to exist. The password is read from standard input (first line), never from argv (which
 * other users can see in ps). Uses the service's configuration (KOCRUIT_DB) and applies the
 * migrations first, so it works on a fresh database.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "config.h"
#include "log.h"
#include "validate.h"

#ifndef KC_BACKEND_MIGRATIONS_DIR
#define KC_BACKEND_MIGRATIONS_DIR "backend/migrations/sqlite"
#endif

const char *kc_backend_migrations_dir(void)
{
    const char *env = getenv("KOCRUIT_MIGRATIONS_DIR");
    return env && *env ? env : KC_BACKEND_MIGRATIONS_DIR;
}

static int read_password(char *pw, size_t cap)
{
    if (!fgets(pw, (int)cap, stdin)) return -1;
    pw[strcspn(pw, "\r\n")] = '\0';
    return 0;
}

static int insert_admin(const struct kc_config *cfg, const char *email, const char *hash,
                        struct kc_err *err)
{
    struct kc_db *db = kc_db_open(cfg->db_url, 1, err);
    if (!db) return -1;
    int rc = -1;
    int64_t id = 0;
    struct kc_db_conn *c = NULL;
    if (kc_db_migrate(db, kc_backend_migrations_dir(), err)) goto out;
    c = kc_db_acquire(db, err);
    if (!c) goto out;
    if (kc_db_query_int(c,
                        "INSERT INTO users(email, name, password_hash, role, created_at) VALUES "
                        "($1, 'Administrator', $2, 'admin', $3) RETURNING id",
                        KC_ARGS(KC_DBV_TEXT(email), KC_DBV_TEXT(hash), KC_DBV_INT(kc_now())), &id,
                        err) == 0 &&
        kc_audit(c, 0, 0, "admin.create", "user", id, "create-admin command", NULL, err) == 0) {
        printf("admin created: id %lld, %s\n", (long long)id, email);
        rc = 0;
    }
    kc_db_release(db, c);
out:
    kc_db_close(db);
    return rc;
}

int kc_admin_cli(int argc, char **argv)
{
    struct kc_config cfg;
    struct kc_err err = {0};
    char pw[KC_PASSWORD_MAX + 2], hash[crypto_pwhash_STRBYTES];
    if (argc != 3) {
        fprintf(stderr, "usage: %s create-admin EMAIL   (password on standard input)\n", argv[0]);
        return 2;
    }
    kc_log_init("backend", KC_LOG_WARN, stderr);
    if (kc_config_load(&cfg, "backend", &err) || kc_auth_init(&err) ||
        kc_valid_email("EMAIL", argv[2], &err))
        goto fail;
    if (read_password(pw, sizeof pw) || kc_valid_password("password", pw, &err)) {
        if (!err.code) kc_err_set(&err, KC_E_INVALID, "no password on standard input");
        goto fail;
    }
    if (kc_password_hash(pw, hash, sizeof hash, &err) || insert_admin(&cfg, argv[2], hash, &err))
        goto fail;
    sodium_memzero(pw, sizeof pw);
    return 0;
fail:
    sodium_memzero(pw, sizeof pw);
    fprintf(stderr, "create-admin: %s\n", err.message);
    return 1;
}
