/*
 * blobs.c — the content-addressed file store and its internal route.
 *
 * Layout: <data_dir>/blobs/<first 2 hex>/<remaining 62 hex> of the sha256 the HTTP layer
 * computed while streaming the upload. A path is only ever built from a validated 64-char
 * lower-case hex digest, never from anything else a client sent.
 * Write-once: the upload's temp file is hard-linked into place (rename semantics without
 * replacing: link fails with EEXIST when the blob exists, and the temp file is then simply
 * dropped by the HTTP layer). Across filesystems (EXDEV) the bytes are copied to a temp
 * name in the blob folder and renamed, so a reader never sees a half-written blob.
 * The blobs row (sha256, size, mime from the bytes) is inserted once (ON CONFLICT DO
 * NOTHING).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "validate.h"

int kc_blob_path(const struct kc_app *app, const char *hex, char *out, size_t cap)
{
    if (!kc_valid_sha256_hex(hex)) return -1;
    int n = snprintf(out, cap, "%s/%.2s/%s", app->blob_dir, hex, hex + 2);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

static int copy_file(const char *from, const char *to, struct kc_err *err)
{
    char buf[65536];
    int in = open(from, O_RDONLY | O_CLOEXEC);
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    ssize_t n = 0;
    int rc = (in < 0 || out < 0) ? -1 : 0;
    while (rc == 0) {
        n = read(in, buf, sizeof buf);
        if (n <= 0) break;
        if (write(out, buf, (size_t)n) != n) rc = -1;
    }
    if (n < 0 || (out >= 0 && fsync(out) != 0)) rc = -1;
    if (in >= 0) close(in);
    if (out >= 0) close(out);
    if (rc) {
        unlink(to);
        return kc_err_set(err, KC_E_IO, "could not copy the upload into the blob store: %s",
                          strerror(errno));
    }
    return 0;
}

static int place_file(const struct kc_app *app, const struct kc_upload_file *f, struct kc_err *err)
{
    char dir[700], path[800], tmp[820];
    if (kc_blob_path(app, f->sha256_hex, path, sizeof path))
        return kc_err_set(err, KC_E_INTERNAL, "upload has no valid sha256");
    snprintf(dir, sizeof dir, "%s/%.2s", app->blob_dir, f->sha256_hex);
    if ((mkdir(app->blob_dir, 0750) && errno != EEXIST) || (mkdir(dir, 0750) && errno != EEXIST))
        return kc_err_set(err, KC_E_IO, "cannot create %s: %s", dir, strerror(errno));
    if (link(f->path, path) == 0 || errno == EEXIST) return 0;
    if (errno != EXDEV && errno != EPERM)
        return kc_err_set(err, KC_E_IO, "cannot store blob: %s", strerror(errno));
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    if (copy_file(f->path, tmp, err)) return -1;
    if (rename(tmp, path) != 0) {
        unlink(tmp);
        return kc_err_set(err, KC_E_IO, "cannot store blob: %s", strerror(errno));
    }
    return 0;
}

int kc_blob_store(struct kc_app *app, struct kc_db_conn *c, const struct kc_upload_file *f,
                  const char *mime, struct kc_err *err)
{
    if (place_file(app, f, err)) return -1;
    int64_t rc = kc_db_exec(c,
                            "INSERT INTO blobs(sha256, size, mime, created_at) VALUES "
                            "($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING",
                            KC_ARGS(KC_DBV_TEXT(f->sha256_hex), KC_DBV_INT(f->size),
                                    KC_DBV_TEXT(mime), KC_DBV_INT(kc_now())),
                            err);
    return rc < 0 ? -1 : 0;
}

void kc_api_internal_blob(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    char path[800];
    const char *hex = kc_req_param(req, "sha256");
    if (kc_blob_path(app, hex, path, sizeof path))
        KC_ERRF(resp, KC_E_NOT_FOUND, NULL, "no such blob (expected a sha256 in lower-case hex)");
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *row = kc_db_query_one(c, "SELECT mime FROM blobs WHERE sha256 = $1",
                                  KC_ARGS(KC_DBV_TEXT(hex)), &err);
    kc_db_release(app->db, c);
    if (!row) KC_FAIL(resp, &err);
    kc_resp_file(resp, 200, json_string_value(json_object_get(row, "mime")), path);
    json_decref(row);
}
