/*
 * http_body.c — request bodies: the per-route limit, in-memory bodies and streamed uploads.
 *
 * Design
 *  - The limit is checked twice: against Content-Length when the headers arrive (the request
 *    is answered 413 without reading the body) and against the bytes actually received (for
 *    chunked bodies, or a client that lies). Nothing is stored past the limit.
 *  - KC_BODY_BUFFER keeps the body in one heap buffer, sized from Content-Length when known,
 *    else grown by doubling up to the limit.
 *  - KC_BODY_UPLOAD with multipart/form-data feeds libmicrohttpd's post processor, which calls
 *    post_iter() with each part's data in blocks. A part with a filename is a file: it is
 *    written to a mkstemp() file in upload_dir while its sha256 is updated with libsodium,
 *    so no file is ever held in memory. Other parts are text fields kept in memory (at most
 *    KC_HTTP_MAX_FIELDS of KC_HTTP_MAX_FIELD_LEN bytes, names up to KC_HTTP_MAX_NAME_LEN).
 *    Any other Content-Type is a raw upload: the body becomes one file part named "file".
 *  - A part starts when the iterator reports offset 0 (MHD may report an empty first block of
 *    a part; that block and the next offset-0 block of the same part are one part).
 *  - Temp files are removed when the request ends, unless the handler moved them away: the
 *    path is unlinked only while it still names the inode we wrote (compared with fstat on
 *    our descriptor), so a renamed upload — and a new upload that happens to reuse the name —
 *    are never touched.
 */
#include "http_private.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

struct kc_form_field {
    const char *name;
    char *value; /* heap, NUL-terminated */
    size_t len;
};

struct kc_upload {
    struct MHD_PostProcessor *pp; /* NULL for a raw upload */
    size_t nfiles;
    struct kc_upload_file files[KC_HTTP_MAX_FILES];
    int fds[KC_HTTP_MAX_FILES];
    int cur_file; /* part being written, -1 when none */
    crypto_hash_sha256_state sha;
    size_t nfields;
    struct kc_form_field fields[KC_HTTP_MAX_FIELDS];
    int cur_field; /* -1 when none */
    int failed;    /* the iterator refused a part: err says why */
    struct kc_err err;
};

static int is_multipart(const char *ct)
{
    return ct && strncasecmp(ct, "multipart/form-data", 19) == 0 &&
           (ct[19] == '\0' || ct[19] == ';' || ct[19] == ' ');
}

/* --- files --- */

static void finish_file(struct kc_upload *up)
{
    if (up->cur_file < 0) return;
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&up->sha, digest);
    struct kc_upload_file *f = &up->files[up->cur_file];
    sodium_bin2hex(f->sha256_hex, sizeof f->sha256_hex, digest, sizeof digest);
    up->cur_file = -1;
}

static int start_file(struct kc_req *req, const char *field, const char *filename,
                      const char *content_type, struct kc_err *err)
{
    struct kc_upload *up = req->up;
    if (up->nfiles >= KC_HTTP_MAX_FILES)
        return kc_err_set(err, KC_E_BAD_REQUEST, "more than %d files in one request",
                          KC_HTTP_MAX_FILES);
    size_t i = up->nfiles;
    char *path = kc_req_alloc(req, strlen(req->srv->upload_dir) + 16);
    if (!path) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    sprintf(path, "%s/kcup-XXXXXX", req->srv->upload_dir);
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0)
        return kc_err_set(err, KC_E_IO, "cannot create an upload file in %s: %s",
                          req->srv->upload_dir, strerror(errno));
    struct kc_upload_file *f = &up->files[i];
    memset(f, 0, sizeof *f);
    f->field = kc_req_strndup(req, field, strlen(field));
    f->filename = kc_req_strndup(req, filename, strnlen(filename, 1024));
    f->content_type = kc_req_strndup(req, content_type, strnlen(content_type, 256));
    f->path = path;
    up->fds[i] = fd;
    up->nfiles++;
    if (!f->field || !f->filename || !f->content_type)
        return kc_err_set(err, KC_E_NOMEM, "out of memory");
    crypto_hash_sha256_init(&up->sha);
    up->cur_file = (int)i;
    return 0;
}

static int write_file(struct kc_upload *up, const char *data, size_t size, struct kc_err *err)
{
    struct kc_upload_file *f = &up->files[up->cur_file];
    int fd = up->fds[up->cur_file];
    crypto_hash_sha256_update(&up->sha, (const unsigned char *)data, size);
    f->size += size;
    while (size) {
        ssize_t w = write(fd, data, size);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return kc_err_set(err, KC_E_IO, "cannot write upload: %s", strerror(errno));
        data += w;
        size -= (size_t)w;
    }
    return 0;
}

/* --- text fields --- */

static int start_field(struct kc_upload *up, const char *name, struct kc_err *err)
{
    if (up->nfields >= KC_HTTP_MAX_FIELDS)
        return kc_err_set(err, KC_E_BAD_REQUEST, "more than %d form fields", KC_HTTP_MAX_FIELDS);
    struct kc_form_field *f = &up->fields[up->nfields];
    f->name = name;
    f->value = calloc(1, 1);
    f->len = 0;
    if (!f->value) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    up->cur_field = (int)up->nfields++;
    return 0;
}

static int append_field(struct kc_upload *up, const char *data, size_t size, struct kc_err *err)
{
    struct kc_form_field *f = &up->fields[up->cur_field];
    if (f->len + size > KC_HTTP_MAX_FIELD_LEN)
        return kc_err_field(err, KC_E_TOO_LARGE, f->name, "%s: form field longer than %d bytes",
                            f->name, KC_HTTP_MAX_FIELD_LEN);
    char *v = realloc(f->value, f->len + size + 1);
    if (!v) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    memcpy(v + f->len, data, size);
    f->len += size;
    v[f->len] = '\0';
    f->value = v;
    return 0;
}

/* --- multipart --- */

/* Does this offset-0 block continue the current part (MHD may announce a part with an empty
 * block before its data)? */
static int continues_part(struct kc_upload *up, const char *key, const char *filename)
{
    if (up->cur_file >= 0) {
        const struct kc_upload_file *f = &up->files[up->cur_file];
        return f->size == 0 && filename && strcmp(f->field, key) == 0 &&
               strcmp(f->filename, filename) == 0;
    }
    if (up->cur_field >= 0) {
        const struct kc_form_field *f = &up->fields[up->cur_field];
        return f->len == 0 && !filename && strcmp(f->name, key) == 0;
    }
    return 0;
}

static int start_part(struct kc_req *req, const char *key, const char *filename,
                      const char *content_type, struct kc_err *err)
{
    struct kc_upload *up = req->up;
    finish_file(up);
    up->cur_field = -1;
    if (strlen(key) > KC_HTTP_MAX_NAME_LEN)
        return kc_err_set(err, KC_E_BAD_REQUEST, "form field name longer than %d bytes",
                          KC_HTTP_MAX_NAME_LEN);
    if (filename)
        return start_file(req, key, filename,
                          content_type ? content_type : "application/octet-stream", err);
    const char *name = kc_req_strndup(req, key, strlen(key));
    if (!name) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    return start_field(up, name, err);
}

static enum MHD_Result post_iter(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *filename, const char *content_type,
                                 const char *transfer_encoding, const char *data, uint64_t off,
                                 size_t size)
{
    (void)kind, (void)transfer_encoding;
    struct kc_req *req = cls;
    struct kc_upload *up = req->up;
    if (up->failed) return MHD_NO;
    if (!key) key = "";
    int rc = 0;
    if ((off == 0 && !continues_part(up, key, filename)) || (up->cur_file < 0 && up->cur_field < 0))
        rc = start_part(req, key, filename, content_type, &up->err);
    if (rc == 0 && size > 0)
        rc = up->cur_file >= 0 ? write_file(up, data, size, &up->err)
                               : append_field(up, data, size, &up->err);
    if (rc < 0) {
        up->failed = 1;
        return MHD_NO;
    }
    return MHD_YES;
}

/* --- the body interface used by http.c --- */

static int upload_begin(struct kc_req *req, struct kc_err *err)
{
    struct kc_upload *up = calloc(1, sizeof *up);
    if (!up) return kc_err_set(err, KC_E_NOMEM, "out of memory");
    up->cur_file = up->cur_field = -1;
    for (size_t i = 0; i < KC_HTTP_MAX_FILES; i++) up->fds[i] = -1;
    req->up = up;
    const char *ct = kc_req_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (is_multipart(ct)) {
        up->pp = MHD_create_post_processor(req->conn, 4096, post_iter, req);
        if (!up->pp)
            return kc_err_set(err, KC_E_BAD_REQUEST,
                              "multipart/form-data body without a valid boundary");
        return 0;
    }
    return start_file(req, "file", "", ct ? ct : "application/octet-stream", err);
}

int kc_body_begin(struct kc_req *req, struct kc_err *err)
{
    const struct kc_route *r = &req->route->r;
    uint64_t limit = r->max_body ? r->max_body : req->srv->cfg.default_max_body;
    if (r->body == KC_BODY_NONE) limit = 0;
    req->limit = limit;
    if (req->content_length != UINT64_MAX && req->content_length > limit) {
        if (limit == 0) return kc_err_set(err, KC_E_TOO_LARGE, "this route takes no request body");
        return kc_err_set(err, KC_E_TOO_LARGE,
                          "request body of %llu bytes exceeds this route's limit of %llu bytes",
                          (unsigned long long)req->content_length, (unsigned long long)limit);
    }
    if (!req->has_body) return 0;
    if (r->body == KC_BODY_UPLOAD) return upload_begin(req, err);
    if (r->body == KC_BODY_BUFFER && req->content_length != UINT64_MAX) {
        req->body = malloc((size_t)req->content_length);
        if (!req->body) return kc_err_set(err, KC_E_NOMEM, "out of memory");
        req->body_cap = (size_t)req->content_length;
    }
    return 0;
}

static int buffer_append(struct kc_req *req, const char *data, size_t size, struct kc_err *err)
{
    if (req->body_len + size > req->body_cap) {
        size_t cap = req->body_cap ? req->body_cap : 4096;
        while (cap < req->body_len + size) cap *= 2;
        if (cap > req->limit) cap = (size_t)req->limit;
        char *p = realloc(req->body, cap);
        if (!p) return kc_err_set(err, KC_E_NOMEM, "out of memory");
        req->body = p;
        req->body_cap = cap;
    }
    memcpy(req->body + req->body_len, data, size);
    req->body_len += size;
    return 0;
}

int kc_body_feed(struct kc_req *req, const char *data, size_t size, struct kc_err *err)
{
    req->received += size;
    if (req->received > req->limit) {
        if (req->limit == 0)
            return kc_err_set(err, KC_E_TOO_LARGE, "this route takes no request body");
        return kc_err_set(err, KC_E_TOO_LARGE,
                          "request body exceeds this route's limit of %llu bytes",
                          (unsigned long long)req->limit);
    }
    if (req->route->r.body == KC_BODY_BUFFER) return buffer_append(req, data, size, err);
    struct kc_upload *up = req->up;
    if (!up) return kc_err_set(err, KC_E_INTERNAL, "upload state missing");
    if (!up->pp) return write_file(up, data, size, err);
    if (MHD_post_process(up->pp, data, size) == MHD_YES) return 0;
    if (up->failed) {
        *err = up->err;
        return -1;
    }
    return kc_err_set(err, KC_E_BAD_REQUEST, "malformed multipart/form-data body");
}

int kc_body_finish(struct kc_req *req, struct kc_err *err)
{
    struct kc_upload *up = req->up;
    if (!up) return 0;
    enum MHD_Result complete = MHD_YES;
    if (up->pp) {
        complete = MHD_destroy_post_processor(up->pp);
        up->pp = NULL;
    }
    finish_file(up);
    up->cur_field = -1;
    if (up->failed) {
        *err = up->err;
        return -1;
    }
    if (complete != MHD_YES)
        return kc_err_set(err, KC_E_BAD_REQUEST, "truncated multipart/form-data body");
    return 0;
}

void kc_body_cleanup(struct kc_req *req)
{
    free(req->body);
    req->body = NULL;
    req->body_len = req->body_cap = 0;
    json_decref(req->json);
    req->json = NULL;
    struct kc_upload *up = req->up;
    if (!up) return;
    if (up->pp) MHD_destroy_post_processor(up->pp);
    for (size_t i = 0; i < up->nfiles; i++) {
        struct stat ours, named;
        int fd = up->fds[i];
        if (fd < 0) continue;
        if (fstat(fd, &ours) == 0 && stat(up->files[i].path, &named) == 0 &&
            ours.st_dev == named.st_dev && ours.st_ino == named.st_ino)
            unlink(up->files[i].path);
        close(fd);
    }
    for (size_t i = 0; i < up->nfields; i++) free(up->fields[i].value);
    free(up);
    req->up = NULL;
}

/* --- accessors --- */

size_t kc_req_file_count(const struct kc_req *req)
{
    return req->up ? req->up->nfiles : 0;
}

const struct kc_upload_file *kc_req_file(const struct kc_req *req, size_t i)
{
    return req->up && i < req->up->nfiles ? &req->up->files[i] : NULL;
}

const char *kc_req_form(const struct kc_req *req, const char *name)
{
    if (!req->up || !name) return NULL;
    for (size_t i = 0; i < req->up->nfields; i++)
        if (strcmp(req->up->fields[i].name, name) == 0) return req->up->fields[i].value;
    return NULL;
}
