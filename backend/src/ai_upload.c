/*
 * ai_upload.c — interview answer uploads: resumable (create, PUT chunks at an offset, read
 * the offset) and one-shot multipart; a complete file becomes a content-addressed blob and
 * an interview_answers row, and its analysis is requested (ai_interview.c).
 *
 * Resumable protocol (tus-like, minimal):
 *   POST /applications/{id}/interview/answers/uploads {question_id, size, started_at,
 *        ended_at} → 201 {upload_id, offset: 0, size}
 *   PUT  /interview/uploads/{upload_id}  Upload-Offset: N, raw body → 200 {offset, ...}
 *        appended only when N equals the bytes received so far; else 409 with the current
 *        offset (body and Upload-Offset header). A chunk past `size` is 413.
 *   GET|HEAD /interview/uploads/{upload_id} → {offset, size, complete, answer_id}
 * Data layout: bytes [0, received) live in <data_dir>/ai-uploads/<upload_id>.part;
 * interview_uploads.received is the committed offset. Invariant: the file is never shorter
 * than `received`; bytes past it (a crash mid-write) are cut off by ftruncate before the next
 * append. Appends are serialised by one process-wide mutex (uploads are rare and short,
 * and the check-append-commit sequence must be atomic per upload).
 * Ids are 32 random hex characters (128 bits from libsodium), unguessable; only the applicant who
 * created an upload may use it (another user gets 404).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ai.h"
#include "config.h"
#include "validate.h"

static pthread_mutex_t append_lock = PTHREAD_MUTEX_INITIALIZER;

const char *kc_ai_sniff_video(const unsigned char *b, size_t n)
{
    if (n >= 4 && b[0] == 0x1A && b[1] == 0x45 && b[2] == 0xDF && b[3] == 0xA3) return "video/webm";
    if (n >= 8 && !memcmp(b + 4, "ftyp", 4)) return "video/mp4";
    return NULL;
}

static int part_path(const struct kc_app *app, const char *id, char *out, size_t cap)
{
    if (strlen(id) != 32 || strspn(id, "0123456789abcdef") != 32) return -1;
    int n = snprintf(out, cap, "%s/ai-uploads/%s.part", app->cfg->data_dir, id);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

static int sha256_file(const char *path, char hex[65], struct kc_err *err)
{
    crypto_hash_sha256_state st;
    unsigned char buf[65536], dig[32];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return kc_err_set(err, KC_E_IO, "cannot read the upload: %s", strerror(errno));
    crypto_hash_sha256_init(&st);
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) crypto_hash_sha256_update(&st, buf, (size_t)n);
    close(fd);
    if (n < 0) return kc_err_set(err, KC_E_IO, "cannot read the upload");
    crypto_hash_sha256_final(&st, dig);
    sodium_bin2hex(hex, 65, dig, sizeof dig);
    return 0;
}

int64_t kc_ai_answer_store(struct kc_app *app, const char *path, uint64_t size,
                           const char *sha256_hex, int64_t application_id, int64_t question_id,
                           long started_at, long ended_at, const char *language, struct kc_err *err)
{
    unsigned char head[16] = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, head, sizeof head) : -1;
    if (fd >= 0) close(fd);
    const char *mime = kc_ai_sniff_video(head, n > 0 ? (size_t)n : 0);
    if (!mime)
        return kc_err_set(err, KC_E_MEDIA_TYPE,
                          "the answer must be a WebM or MP4 video (checked from its bytes)");
    struct kc_upload_file f = {.path = path, .size = size, .field = "file", .filename = ""};
    snprintf(f.sha256_hex, sizeof f.sha256_hex, "%s", sha256_hex);
    struct kc_db_conn *c = kc_db_acquire(app->db, err);
    if (!c) return -1;
    int64_t id = -1;
    if (kc_app_begin(c, err) == 0 && kc_blob_store(app, c, &f, mime, err) == 0 &&
        kc_db_query_int(c,
                        "INSERT INTO interview_answers(application_id, question_id, blob_sha256, "
                        "mime, started_at, ended_at, language, status, created_at, updated_at) "
                        "VALUES ($1, $2, $3, $4, $5, $6, $8, 'requested', $7, $7) RETURNING id",
                        KC_ARGS(KC_DBV_INT(application_id), KC_DBV_INT(question_id),
                                KC_DBV_TEXT(sha256_hex), KC_DBV_TEXT(mime), KC_DBV_INT(started_at),
                                KC_DBV_INT(ended_at), KC_DBV_INT(kc_now()), KC_DBV_TEXT(language)),
                        &id, err) == 0 &&
        kc_app_commit(c, err) == 0) {
        kc_db_release(app->db, c);
        return id;
    }
    kc_db_rollback(c);
    kc_db_release(app->db, c);
    return -1;
}

/* The applicant's own open application, a valid question index and an answer the
 * accommodations allow (ai_accommodate.c); 0 or -1 with err. */
static int check_answer_target(struct kc_db_conn *c, const struct kc_user *u, int64_t app_id,
                               int64_t qid, int64_t st, int64_t en, struct kc_err *err)
{
    enum kc_app_access acc;
    json_t *a = kc_application_load(c, u, app_id, &acc, err), *qs = NULL;
    if (!a) return -1;
    int rc = -1;
    if (acc != KC_ACCESS_APPLICANT) {
        kc_err_set(err, KC_E_NOT_FOUND, "no such application");
    } else if (strcmp(json_string_value(json_object_get(a, "status")), "in_progress") != 0) {
        kc_err_set(err, KC_E_CONFLICT, "the application is no longer in progress");
    } else {
        qs = kc_db_query_one(c, "SELECT questions_json FROM job_posts WHERE id = $1",
                             KC_ARGS(KC_DBV_INT(json_integer_value(json_object_get(a, "job_id")))),
                             err);
        size_t nq = json_array_size(json_object_get(qs, "questions"));
        if (qs && (qid < 0 || (size_t)qid >= nq))
            kc_err_field(err, KC_E_INVALID, "question_id",
                         "question_id: the job has %zu AI-interview questions (0..%zu)", nq,
                         nq ? nq - 1 : 0);
        else if (qs)
            rc = kc_ai_answer_allowed(c, app_id,
                                      json_array_get(json_object_get(qs, "questions"), (size_t)qid),
                                      qid, st, en, err);
    }
    json_decref(qs);
    json_decref(a);
    return rc;
}

static const char *const languages[] = {"auto", "en", "ko", NULL};

/* question_id, started_at, ended_at and the optional spoken language (default "auto"). */
static int parse_times(const json_t *b, int64_t *qid, int64_t *st, int64_t *en, const char **lang,
                       struct kc_err *e)
{
    *lang = "auto";
    if (kc_json_enum(b, "language", 0, languages, lang, e) ||
        kc_json_int(b, "question_id", 1, 0, 1000, qid, e) ||
        kc_json_int(b, "started_at", 1, 0, INT32_MAX, st, e) ||
        kc_json_int(b, "ended_at", 1, 0, INT32_MAX, en, e))
        return -1;
    if (*en < *st) return kc_err_field(e, KC_E_INVALID, "ended_at", "ended_at: before started_at");
    return 0;
}

void kc_api_ai_upload_create(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id, qid, st, en, size;
    const char *lang;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    json_t *b = kc_app_body(req, resp);
    if (!b) return;
    if (parse_times(b, &qid, &st, &en, &lang, &err) ||
        kc_json_int(b, "size", 1, 1, KC_AI_MAX_ANSWER_BYTES, &size, &err))
        KC_FAIL(resp, &err);
    char uid[33], path[800], dir[700];
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(uid, sizeof uid, raw, sizeof raw);
    snprintf(dir, sizeof dir, "%s/ai-uploads", app->cfg->data_dir);
    if (part_path(app, uid, path, sizeof path) || (mkdir(dir, 0750) && errno != EEXIST))
        KC_ERRF(resp, KC_E_IO, NULL, "cannot prepare the upload folder");
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    const struct kc_user *u = kc_app_user(req);
    int rc = check_answer_target(c, u, id, qid, st, en, &err);
    if (rc == 0 &&
        kc_db_exec(c,
                   "INSERT INTO interview_uploads(id, application_id, owner_id, question_id, size, "
                   "started_at, ended_at, language, created_at) VALUES ($1, $2, $3, $4, $5, $6, "
                   "$7, $9, $8)",
                   KC_ARGS(KC_DBV_TEXT(uid), KC_DBV_INT(id), KC_DBV_INT(u->id), KC_DBV_INT(qid),
                           KC_DBV_INT(size), KC_DBV_INT(st), KC_DBV_INT(en), KC_DBV_INT(kc_now()),
                           KC_DBV_TEXT(lang)),
                   &err) < 0)
        rc = -1;
    kc_db_release(app->db, c);
    if (rc) KC_FAIL(resp, &err);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) KC_ERRF(resp, KC_E_IO, NULL, "cannot create the upload file");
    close(fd);
    char loc[120];
    snprintf(loc, sizeof loc, "/api/v1/interview/uploads/%s", uid);
    kc_resp_header(resp, "Location", loc);
    kc_resp_json(resp, 201,
                 json_pack("{s:s,s:i,s:I,s:s}", "upload_id", uid, "offset", 0, "size",
                           (json_int_t)size, "location", loc));
}

/* The caller's upload row or NULL with 404. */
static json_t *load_upload(struct kc_app *app, struct kc_db_conn *c, const struct kc_user *u,
                           const char *uid, char *path, size_t cap, struct kc_err *err)
{
    if (!uid || part_path(app, uid, path, cap)) {
        kc_err_set(err, KC_E_NOT_FOUND, "no such upload");
        return NULL;
    }
    json_t *r = kc_db_query_one(c,
                                "SELECT id AS upload_id, application_id, question_id, size, "
                                "received, started_at, ended_at, language, answer_id FROM "
                                "interview_uploads "
                                "WHERE id = $1 AND owner_id = $2",
                                KC_ARGS(KC_DBV_TEXT(uid), KC_DBV_INT(u->id)), err);
    if (!r && err->code == KC_E_NOT_FOUND) kc_err_set(err, KC_E_NOT_FOUND, "no such upload");
    return r;
}

static void answer_offset(struct kc_resp *resp, int status, json_t *row)
{
    char off[32];
    int64_t rec = json_integer_value(json_object_get(row, "received"));
    snprintf(off, sizeof off, "%lld", (long long)rec);
    kc_resp_header(resp, "Upload-Offset", off);
    kc_resp_header(resp, "Cache-Control", "no-store");
    json_object_set_new(row, "offset", json_integer(rec));
    json_object_del(row, "received");
    json_object_set_new(row, "complete",
                        json_boolean(rec == json_integer_value(json_object_get(row, "size"))));
    kc_resp_json(resp, status, row);
}

void kc_api_ai_upload_status(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    char path[800];
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    json_t *r = load_upload(app, c, kc_app_user(req), kc_req_param(req, "upload_id"), path,
                            sizeof path, &err);
    kc_db_release(app->db, c);
    if (!r) KC_FAIL(resp, &err);
    answer_offset(resp, 200, r);
}

/* Append len bytes at offset `at` of the part file (cutting anything past it first). */
static int append_at(const char *path, int64_t at, const char *data, size_t len, struct kc_err *err)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    int rc = fd < 0 || ftruncate(fd, at) != 0 || lseek(fd, at, SEEK_SET) != at ? -1 : 0;
    for (size_t done = 0; rc == 0 && done < len;) {
        ssize_t w = write(fd, data + done, len - done);
        if (w <= 0)
            rc = -1;
        else
            done += (size_t)w;
    }
    if (rc == 0 && fdatasync(fd) != 0) rc = -1;
    if (fd >= 0) close(fd);
    return rc ? kc_err_set(err, KC_E_IO, "cannot write the upload: %s", strerror(errno)) : 0;
}

/* Complete upload: blob + answer + analysis. 0 with *answer_id, or -1. */
static int finish_upload(struct kc_app *app, json_t *row, const char *path, int64_t *answer_id,
                         struct kc_err *err)
{
    char hex[65];
    if (sha256_file(path, hex, err)) return -1;
    int64_t aid =
        kc_ai_answer_store(app, path, (uint64_t)json_integer_value(json_object_get(row, "size")),
                           hex, json_integer_value(json_object_get(row, "application_id")),
                           json_integer_value(json_object_get(row, "question_id")),
                           (long)json_integer_value(json_object_get(row, "started_at")),
                           (long)json_integer_value(json_object_get(row, "ended_at")),
                           json_string_value(json_object_get(row, "language")), err);
    if (aid < 0) return -1;
    *answer_id = aid;
    return 0;
}

static int parse_offset(const char *h, int64_t *out)
{
    char *end = NULL;
    if (!h || !*h || *h == '-' || *h == '+') return -1;
    errno = 0;
    long long v = strtoll(h, &end, 10);
    if (errno || *end) return -1;
    *out = v;
    return 0;
}

/* Under append_lock: check the offset, append, commit; 1 when the upload became complete. */
static int put_locked(struct kc_app *app, struct kc_db_conn *c, json_t *row, const char *path,
                      int64_t at, const char *data, size_t len, struct kc_err *err)
{
    int64_t rec = json_integer_value(json_object_get(row, "received"));
    int64_t size = json_integer_value(json_object_get(row, "size"));
    if (!json_is_null(json_object_get(row, "answer_id")) || rec == size)
        return kc_err_set(err, KC_E_CONFLICT, "the upload is already complete");
    if (at != rec)
        return kc_err_set(err, KC_E_CONFLICT, "Upload-Offset %lld does not match offset %lld",
                          (long long)at, (long long)rec);
    if ((int64_t)len > size - rec)
        return kc_err_set(err, KC_E_TOO_LARGE, "the chunk goes past the declared size %lld",
                          (long long)size);
    if (append_at(path, at, data, len, err)) return -1;
    rec += (int64_t)len;
    if (kc_db_exec(c, "UPDATE interview_uploads SET received = $2 WHERE id = $1",
                   KC_ARGS(KC_DBV_TEXT(json_string_value(json_object_get(row, "upload_id"))),
                           KC_DBV_INT(rec)),
                   err) < 0)
        return -1;
    json_object_set_new(row, "received", json_integer(rec));
    (void)app;
    return rec == size;
}

static void put_fail(struct kc_resp *resp, json_t *row, const struct kc_err *err)
{
    if (err->code == KC_E_CONFLICT && row) {
        char off[32];
        int64_t rec = json_integer_value(json_object_get(row, "received"));
        snprintf(off, sizeof off, "%lld", (long long)rec);
        kc_resp_header(resp, "Upload-Offset", off);
        kc_resp_json(resp, 409,
                     json_pack("{s:{s:s,s:s},s:I}", "error", "code", "conflict", "message",
                               err->message, "offset", (json_int_t)rec));
    } else {
        kc_app_fail(resp, err);
    }
    json_decref(row);
}

void kc_api_ai_upload_put(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    char path[800];
    int64_t at, answer_id = 0;
    size_t len = 0;
    const char *data = kc_req_body(req, &len);
    if (parse_offset(kc_req_header(req, "Upload-Offset"), &at))
        KC_ERRF(resp, KC_E_INVALID, "Upload-Offset", "Upload-Offset: a byte offset is required");
    if (!data || len == 0) KC_ERRF(resp, KC_E_INVALID, NULL, "the chunk is empty");
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    pthread_mutex_lock(&append_lock);
    json_t *row = load_upload(app, c, kc_app_user(req), kc_req_param(req, "upload_id"), path,
                              sizeof path, &err);
    int done = row ? put_locked(app, c, row, path, at, data, len, &err) : -1;
    pthread_mutex_unlock(&append_lock);
    kc_db_release(app->db, c);
    if (done < 0) {
        put_fail(resp, row, &err);
        return;
    }
    if (done == 1) {
        if (finish_upload(app, row, path, &answer_id, &err)) {
            unlink(path); /* complete but unusable (e.g. not a video): nothing to resume */
            put_fail(resp, row, &err);
            return;
        }
        c = kc_app_conn(app, resp);
        if (!c) {
            json_decref(row);
            return;
        }
        kc_db_exec(c, "UPDATE interview_uploads SET answer_id = $2 WHERE id = $1",
                   KC_ARGS(KC_DBV_TEXT(json_string_value(json_object_get(row, "upload_id"))),
                           KC_DBV_INT(answer_id)),
                   &err);
        kc_db_release(app->db, c);
        unlink(path);
        kc_ai_request_analysis(app, answer_id);
        json_object_set_new(row, "answer_id", json_integer(answer_id));
    }
    answer_offset(resp, 200, row);
}

void kc_api_ai_answer_upload(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_app *app = ctx;
    struct kc_err err = {0};
    int64_t id, qid, st, en;
    const char *lang;
    if (kc_app_path_id(req, resp, "id", &id)) return;
    const struct kc_upload_file *f = kc_req_file_count(req) ? kc_req_file(req, 0) : NULL;
    json_t *b = json_object();
    static const char *const names[] = {"question_id", "started_at", "ended_at"};
    for (size_t i = 0; i < 3; i++) {
        const char *v = kc_req_form(req, names[i]);
        int64_t n;
        if (v && kc_parse_id(v, &n) == 0)
            json_object_set_new(b, names[i], json_integer(n));
        else if (v && !strcmp(v, "0"))
            json_object_set_new(b, names[i], json_integer(0));
        else if (v)
            json_object_set_new(b, names[i], json_string(v));
    }
    const char *lv = kc_req_form(req, "language");
    if (lv) json_object_set_new(b, "language", json_string(lv));
    int bad = parse_times(b, &qid, &st, &en, &lang, &err);
    char lbuf[8];
    snprintf(lbuf, sizeof lbuf, "%s", bad ? "auto" : lang); /* b owns lang */
    json_decref(b);
    if (bad) KC_FAIL(resp, &err);
    if (!f || f->size == 0) KC_ERRF(resp, KC_E_INVALID, "file", "file: a video part is required");
    struct kc_db_conn *c = kc_app_conn(app, resp);
    if (!c) return;
    int rc = check_answer_target(c, kc_app_user(req), id, qid, st, en, &err);
    kc_db_release(app->db, c);
    if (rc) KC_FAIL(resp, &err);
    int64_t aid = kc_ai_answer_store(app, f->path, f->size, f->sha256_hex, id, qid, (long)st,
                                     (long)en, lbuf, &err);
    if (aid < 0) KC_FAIL(resp, &err);
    kc_ai_request_analysis(app, aid);
    kc_resp_json(resp, 201,
                 json_pack("{s:I,s:s}", "answer_id", (json_int_t)aid, "sha256", f->sha256_hex));
}
