/*
 * resumes.c — resume upload (PDF, plain text or structured JSON), review and correction of
 * the parsed sections, and access for the recruiters of companies the resume was sent to.
 *
 * Upload pipeline (POST /resumes, multipart field "file" or a raw body): the HTTP layer
 * streams the body to a temp file, computing sha256 and refusing more than the limit (413).
 * Then: empty → 400; a path-like name → 400; the type comes from the bytes (mime.c), and a
 * ".pdf" name on other bytes is refused (415); the text is extracted (pdftext.c, 422 when
 * unreadable) or taken as is; sections are parsed (sections.c) or, for JSON, validated.
 * Only then are the blob and the resume row written, in one transaction.
 *
 * Access: the owner sees and edits; a recruiter (or an interviewer on an accepted panel)
 * of a company with an application using the resume may read it; everyone else gets 404.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "mime.h"
#include "sections.h"
#include "validate.h"

#define MAX_TEXT_BYTES (1u << 20)

struct parsed_upload {
    const char *kind; /* pdf | text | json */
    const char *mime;
    char *text;       /* malloc'd */
    json_t *sections; /* new reference */
    int pages;
};

static char *read_all(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    fclose(f);
    if (!buf || n > max) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Plain text of a structured resume when the client gave none: headings and items. */
static char *render_sections(const json_t *sec)
{
    char *s = json_dumps(sec, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    return s ? s : strdup("");
}

static int parse_json_resume(const char *buf, size_t len, struct parsed_upload *pu,
                             struct kc_err *err)
{
    json_t *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
    json_t *sec = json_object_get(doc, "sections");
    json_t *text = json_object_get(doc, "text");
    if (!sec) {
        json_decref(doc);
        return kc_err_field(err, KC_E_INVALID, "sections",
                            "sections: a JSON resume needs a \"sections\" object");
    }
    if ((text && !json_is_string(text)) || kc_resume_sections_validate(sec, err)) {
        if (text && !json_is_string(text))
            kc_err_field(err, KC_E_INVALID, "text", "text: must be a string");
        json_decref(doc);
        return -1;
    }
    pu->sections = json_incref(sec);
    pu->text = text ? strdup(json_string_value(text)) : render_sections(sec);
    json_decref(doc);
    return 0;
}

static int parse_upload(struct kc_app *app, const struct kc_upload_file *f,
                        struct parsed_upload *pu, struct kc_err *err)
{
    size_t len = 0;
    memset(pu, 0, sizeof *pu);
    if (f->size == 0) return kc_err_field(err, KC_E_INVALID, "file", "file: the file is empty");
    if (f->size > app->max_resume_bytes)
        return kc_err_field(err, KC_E_TOO_LARGE, "file", "file: larger than the %zu MiB limit",
                            app->max_resume_bytes >> 20);
    if (kc_valid_filename("file", f->filename, err)) return -1;
    char *buf = read_all(f->path, app->max_resume_bytes, &len);
    if (!buf) return kc_err_set(err, KC_E_IO, "cannot read the uploaded file");
    pu->mime = kc_mime_sniff(buf, len);
    int rc = 0;
    if (!pu->mime) {
        rc = kc_err_field(err, KC_E_MEDIA_TYPE, "file",
                          "file: the content is not a PDF, JSON resume or UTF-8 text");
    } else if (kc_mime_named_pdf(f->filename) && strcmp(pu->mime, KC_MIME_PDF) != 0) {
        rc = kc_err_field(err, KC_E_MEDIA_TYPE, "file",
                          "file: named .pdf but the content is not a PDF (detected %s)", pu->mime);
    } else if (!strcmp(pu->mime, KC_MIME_PDF)) {
        pu->kind = "pdf";
        pu->text = kc_pdf_text(f->path, app->pdf_max_pages, MAX_TEXT_BYTES, &pu->pages, err);
        rc = pu->text ? 0 : -1;
    } else if (!strcmp(pu->mime, KC_MIME_JSON)) {
        pu->kind = "json";
        rc = parse_json_resume(buf, len, pu, err);
    } else {
        pu->kind = "text";
        size_t skip = len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3) ? 3 : 0;
        pu->text = strdup(buf + skip);
    }
    free(buf);
    if (rc == 0 && !pu->sections) pu->sections = kc_resume_parse(pu->text);
    return rc;
}

static json_t *resume_json(struct kc_db_conn *c, int64_t id, struct kc_err *err)
{
    json_t *r = kc_db_query_one(c,
                                "SELECT id, owner_id, blob_sha256, source_kind, filename, text, "
                                "pages, parsed_json, sections_json, reviewed, created_at, "
                                "updated_at FROM resumes WHERE id = $1",
                                KC_ARGS(KC_DBV_INT(id)), err);
    return r ? kc_app_times(r) : NULL;
}

static int insert_resume(struct kc_app *app, struct kc_db_conn *c, int64_t owner,
                         const struct kc_upload_file *f, const struct parsed_upload *pu,
                         int64_t *id, struct kc_err *err)
{
    char *sec = json_dumps(pu->sections, JSON_COMPACT | JSON_PRESERVE_ORDER);
    long now = kc_now();
    int rc = -1;
    if (!sec || kc_app_begin(c, err)) goto out;
    if (kc_blob_store(app, c, f, pu->mime, err) ||
        kc_db_query_int(c,
                        "INSERT INTO resumes(owner_id, blob_sha256, source_kind, filename, text, "
                        "pages, parsed_json, sections_json, created_at, updated_at) VALUES "
                        "($1, $2, $3, $4, $5, $6, $7, $7, $8, $8) RETURNING id",
                        KC_ARGS(KC_DBV_INT(owner), KC_DBV_TEXT(f->sha256_hex),
                                KC_DBV_TEXT(pu->kind), KC_DBV_TEXT(f->filename ? f->filename : ""),
                                KC_DBV_TEXT(pu->text),
                                pu->pages ? KC_DBV_INT(pu->pages) : KC_DBV_NULL, KC_DBV_TEXT(sec),
                                KC_DBV_INT(now)),
                        id, err)) {
        kc_db_rollback(c);
        goto out;
    }
    rc = kc_app_commit(c, err);
out:
    free(sec);
    return rc;
}

void kc_api_resumes_upload(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    struct parsed_upload pu;
    int64_t id;
    const struct kc_upload_file *f = NULL;
    for (size_t i = 0; i < kc_req_file_count(req) && !f; i++)
        if (!strcmp(kc_req_file(req, i)->field, "file")) f = kc_req_file(req, i);
    if (!f) KC_ERRF(resp, KC_E_INVALID, "file", "file: upload one file in the field \"file\"");
    if (parse_upload(app, f, &pu, &err)) {
        free(pu.text);
        json_decref(pu.sections);
        KC_FAIL(resp, &err);
    }
    struct kc_db_conn *c = kc_app_conn(app, resp);
    int rc = c ? insert_resume(app, c, kc_app_user(req)->id, f, &pu, &id, &err) : -1;
    free(pu.text);
    json_decref(pu.sections);
    if (!c) return;
    json_t *out = rc ? NULL : resume_json(c, id, &err);
    kc_db_release(app->db, c);
    if (!out) KC_FAIL(resp, &err);
    kc_resp_json(resp, 201, out);
}

void kc_api_resumes_list(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *rows = kc_db_query(c,
                               "SELECT id, source_kind, filename, pages, reviewed, blob_sha256, "
                               "created_at, updated_at FROM resumes WHERE owner_id = $1 "
                               "ORDER BY id DESC",
                               KC_ARGS(KC_DBV_INT(kc_app_user(req)->id)), &err);
    kc_db_release(app->db, c);
    if (!rows) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, json_pack("{s:o}", "items", kc_app_times(rows)));
}

/* The resume when the caller may read it (owner, or staff of a company it was sent to). */
static json_t *load_readable(struct kc_db_conn *c, const struct kc_user *u, int64_t id,
                             struct kc_err *err)
{
    json_t *r = resume_json(c, id, err);
    if (!r) return NULL;
    if (json_integer_value(json_object_get(r, "owner_id")) == u->id) return r;
    int64_t n = 0;
    if (!strcmp(u->role, "staff") &&
        kc_db_query_int(c,
                        "SELECT count(*) FROM applications a JOIN job_posts j ON j.id = a.job_id "
                        "JOIN memberships m ON m.company_id = j.company_id AND m.user_id = $2 "
                        "WHERE a.resume_id = $1 AND (m.role IN ('manager', 'recruiter') OR "
                        "EXISTS (SELECT 1 FROM panels p WHERE p.job_id = j.id AND "
                        "p.user_id = $2 AND p.status = 'accepted'))",
                        KC_ARGS(KC_DBV_INT(id), KC_DBV_INT(u->id)), &n, err) < 0) {
        json_decref(r);
        return NULL;
    }
    if (n > 0) return r;
    json_decref(r);
    kc_err_set(err, KC_E_NOT_FOUND, "no such resume");
    return NULL;
}

void kc_api_resumes_get(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *r = load_readable(c, kc_app_user(req), id, &err);
    kc_db_release(app->db, c);
    if (!r) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, r);
}

void kc_api_resumes_file(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    char path[800];
    if (kc_app_path_id(req, resp, "id", &id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *r = load_readable(c, kc_app_user(req), id, &err);
    json_t *b =
        r ? kc_db_query_one(
                c, "SELECT mime FROM blobs WHERE sha256 = $1",
                KC_ARGS(KC_DBV_TEXT(json_string_value(json_object_get(r, "blob_sha256")))), &err)
          : NULL;
    kc_db_release(app->db, c);
    if (!b || kc_blob_path(app, json_string_value(json_object_get(r, "blob_sha256")), path,
                           sizeof path)) {
        json_decref(r);
        json_decref(b);
        KC_FAIL(resp, &err);
    }
    kc_resp_header(resp, "Content-Disposition", "attachment");
    kc_resp_header(resp, "X-Content-Type-Options", "nosniff");
    kc_resp_file(resp, 200, json_string_value(json_object_get(b, "mime")), path);
    json_decref(r);
    json_decref(b);
}

void kc_api_resumes_put_sections(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    json_t *sec = json_object_get(b, "sections");
    if (!sec) KC_ERRF(resp, KC_E_INVALID, "sections", "sections: is required");
    if (kc_resume_sections_validate(sec, &err)) KC_FAIL(resp, &err);
    char *text = json_dumps(sec, JSON_COMPACT | JSON_PRESERVE_ORDER);
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) {
        free(text);
        return;
    }
    int64_t n = kc_db_exec(c,
                           "UPDATE resumes SET sections_json = $3, reviewed = 1, updated_at = $4 "
                           "WHERE id = $1 AND owner_id = $2",
                           KC_ARGS(KC_DBV_INT(id), KC_DBV_INT(kc_app_user(req)->id),
                                   KC_DBV_TEXT(text), KC_DBV_INT(kc_now())),
                           &err);
    free(text);
    json_t *r = n > 0 ? resume_json(c, id, &err) : NULL;
    kc_db_release(app->db, c);
    if (n == 0) KC_ERRF(resp, KC_E_NOT_FOUND, NULL, "no such resume");
    if (!r) KC_FAIL(resp, &err);
    kc_resp_json(resp, 200, r);
}

void kc_api_resumes_delete(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id, used = 0;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    int64_t n = -1;
    if (kc_db_query_int(c,
                        "SELECT count(*) FROM applications a JOIN resumes r ON r.id = "
                        "a.resume_id WHERE a.resume_id = $1 AND r.owner_id = $2",
                        KC_ARGS(KC_DBV_INT(id), KC_DBV_INT(kc_app_user(req)->id)), &used,
                        &err) == 0 &&
        used == 0)
        n = kc_db_exec(c, "DELETE FROM resumes WHERE id = $1 AND owner_id = $2",
                       KC_ARGS(KC_DBV_INT(id), KC_DBV_INT(kc_app_user(req)->id)), &err);
    kc_db_release(app->db, c);
    if (used > 0) {
        /* only the owner learns that it is in use */
        KC_ERRF(resp, KC_E_CONFLICT, NULL, "the resume is attached to an application");
    }
    if (n < 0) KC_FAIL(resp, &err);
    if (n == 0) KC_ERRF(resp, KC_E_NOT_FOUND, NULL, "no such resume");
    kc_resp_empty(resp, 204);
}
