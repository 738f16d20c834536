/*
 * service_routes.c — the HTTP API of the video-analysis service (list in service.h).
 *
 * Guard: every route registered here carries auth word KC_VS_AUTH_INTERNAL; the guard runs
 * before the body is read and compares X-Internal-Token with KOCRUIT_INTERNAL_TOKEN in
 * constant time (both are hashed to 32 bytes first, so not even the length leaks) → 401.
 *
 * POST /v1/analyses accepts two bodies on one KC_BODY_UPLOAD route (limit
 * KOCRUIT_MAX_UPLOAD_MB): multipart/form-data with a file part "file" and a text part
 * "options" (JSON), or Content-Type application/json {"blob_sha256": "…", …options} (lib/core
 * streams a raw body to a temp file like a file part; it is read back here, ≤ 1 MiB). The
 * options are validated before anything is stored; the upload is then moved into
 * <data>/media/<sha256> (content-addressed: the name never comes from the client), the row is
 * inserted as queued and the job enqueued. If the queue is down the row is removed again and
 * the client gets 503, so no analysis is left that nobody will run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "analysis.h"
#include "core/db.h"
#include "core/jobs.h"
#include "core/log.h"
#include "service_private.h"

/* ---- guard ---------------------------------------------------------------------------------- */

static int guard(struct kc_req *req, const struct kc_route *route, struct kc_resp *resp, void *ctx)
{
    struct kc_vsvc *vs = ctx;
    if (!(route->auth & KC_VS_AUTH_INTERNAL)) return 0;
    const char *tok = kc_req_header(req, "X-Internal-Token");
    unsigned char a[32], b[32];
    const char *want = vs->cfg->internal_token;
    crypto_hash_sha256(a, (const unsigned char *)want, strlen(want));
    crypto_hash_sha256(b, (const unsigned char *)(tok ? tok : ""), tok ? strlen(tok) : 0);
    if (tok && *want && crypto_verify_32(a, b) == 0) return 0;
    kc_resp_errorf(resp, KC_E_UNAUTHORIZED, NULL,
                   tok ? "X-Internal-Token is not valid" : "this route needs X-Internal-Token");
    return -1;
}

/* ---- POST /v1/analyses ------------------------------------------------------------------------
 */

/* Move an uploaded temp file to dst (rename, or copy when on another file system). */
static int move_file(const char *src, const char *dst, struct kc_err *err)
{
    if (rename(src, dst) == 0) return 0;
    if (errno != EXDEV) return kc_err_set(err, KC_E_IO, "storing the upload: %s", strerror(errno));
    char tmp[900];
    snprintf(tmp, sizeof tmp, "%s.part%ld", dst, (long)getpid());
    int in = open(src, O_RDONLY), out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0640);
    int rc = in < 0 || out < 0 ? -1 : 0;
    char buf[65536];
    ssize_t n;
    while (rc == 0 && (n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n) rc = -1;
    if (in >= 0) close(in);
    if (out >= 0 && close(out) != 0) rc = -1;
    if (rc == 0 && rename(tmp, dst) == 0) {
        unlink(src);
        return 0;
    }
    unlink(tmp);
    return kc_err_set(err, KC_E_IO, "storing the upload failed");
}

static const struct kc_upload_file *file_part(struct kc_req *req)
{
    for (size_t i = 0; i < kc_req_file_count(req); i++)
        if (!strcmp(kc_req_file(req, i)->field, "file")) return kc_req_file(req, i);
    return NULL;
}

static json_t *parse_text(const char *text, const char *what, struct kc_err *err)
{
    json_error_t je;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        kc_err_field(err, KC_E_BAD_REQUEST, what, "%s: line %d column %d: %s", what, je.line,
                     je.column, je.text);
    return j;
}

/* The JSON body (raw body streamed to a temp file by lib/core). New reference or NULL. */
static json_t *json_body(struct kc_req *req, struct kc_err *err)
{
    const struct kc_upload_file *f = file_part(req);
    if (!f || f->size == 0) {
        kc_err_set(err, KC_E_BAD_REQUEST, "empty JSON body");
        return NULL;
    }
    if (f->size > KC_VS_JSON_BODY_MAX) {
        kc_err_set(err, KC_E_TOO_LARGE, "a JSON body may be at most 1 MiB");
        return NULL;
    }
    FILE *fp = fopen(f->path, "rb");
    char *text = malloc(f->size + 1);
    size_t n = fp && text ? fread(text, 1, f->size, fp) : 0;
    if (fp) fclose(fp);
    json_t *j = NULL;
    if (text && n == f->size) {
        text[n] = '\0';
        j = parse_text(text, "body", err);
    } else {
        kc_err_set(err, KC_E_IO, "cannot read the request body");
    }
    free(text);
    return j;
}

struct submission {
    struct kc_analysis_opts opts;
    char sha[65];
    char path[800];
    const char *source;
    long long bytes;
};

static int from_json(struct kc_vsvc *vs, struct kc_req *req, struct submission *sub,
                     struct kc_err *err)
{
    json_t *body = json_body(req, err);
    if (!body) return -1;
    const char *sha = json_string_value(json_object_get(body, "blob_sha256"));
    int rc = -1;
    if (!kc_vs_valid_sha256(sha)) {
        kc_err_field(err, KC_E_INVALID, "blob_sha256", "must be 64 lower-case hex characters");
    } else {
        snprintf(sub->sha, sizeof sub->sha, "%s", sha);
        json_object_del(body, "blob_sha256");
        rc = kc_analysis_opts_parse(body, &sub->opts, err);
    }
    json_decref(body);
    if (rc) return -1;
    snprintf(sub->path, sizeof sub->path, "%s/%s", vs->media_dir, sub->sha);
    sub->source = "blob";
    sub->bytes = -1;
    return 0;
}

static int from_upload(struct kc_vsvc *vs, struct kc_req *req, struct submission *sub,
                       struct kc_err *err)
{
    const char *text = kc_req_form(req, "options");
    if (!text)
        return kc_err_field(err, KC_E_INVALID, "options",
                            "a text part \"options\" with the analysis options (JSON, including "
                            "\"consent\") is required");
    json_t *o = parse_text(text, "options", err);
    if (!o) return -1;
    int rc = kc_analysis_opts_parse(o, &sub->opts, err);
    json_decref(o);
    if (rc) return -1;
    const struct kc_upload_file *f = file_part(req);
    if (!f)
        rc = kc_err_field(err, KC_E_INVALID, "file", "a file part \"file\" is required");
    else if (f->size == 0)
        rc = kc_err_field(err, KC_E_UNPROCESSABLE, "file", "the uploaded file is empty");
    if (rc) {
        kc_analysis_opts_free(&sub->opts);
        return -1;
    }
    snprintf(sub->sha, sizeof sub->sha, "%s", f->sha256_hex);
    snprintf(sub->path, sizeof sub->path, "%s/%s", vs->media_dir, sub->sha);
    sub->source = "upload";
    sub->bytes = (long long)f->size;
    if (move_file(f->path, sub->path, err)) {
        kc_analysis_opts_free(&sub->opts);
        return -1;
    }
    return 0;
}

static void remove_row(struct kc_vsvc *vs, const char *id)
{
    struct kc_err err = {0};
    struct kc_db_conn *c = kc_db_acquire(vs->svc->db, &err);
    if (!c) return;
    struct kc_db_val p[] = {KC_DBV_TEXT(id)};
    kc_db_exec(c, "DELETE FROM video_analyses WHERE id = $1", p, 1, &err);
    kc_db_release(vs->svc->db, c);
}

static int enqueue(struct kc_vsvc *vs, const struct submission *sub, const char *id,
                   struct kc_err *err)
{
    json_t *opts = kc_analysis_opts_to_json(&sub->opts);
    struct kc_vs_new n = {.id = id,
                          .source = sub->source,
                          .sha256 = sub->sha,
                          .path = sub->path,
                          .bytes = sub->bytes,
                          .options = opts,
                          .consent = kc_analysis_consent_json(&sub->opts),
                          .application_id =
                              sub->opts.application_id[0] ? sub->opts.application_id : NULL,
                          .subject_id = sub->opts.subject_id[0] ? sub->opts.subject_id : NULL};
    int rc = opts && n.consent ? kc_vs_insert(vs, &n, err) : kc_err_set(err, KC_E_NOMEM, "oom");
    json_decref(opts);
    json_decref(n.consent);
    if (rc) return -1;
    json_t *payload = json_pack("{s:s}", "id", id);
    rc = kc_jobs_enqueue(vs->svc->redis, KC_VS_JOB_KIND, payload, NULL, 0, err);
    json_decref(payload);
    if (rc) {
        remove_row(vs, id);
        kc_err_prefix(err, "the job queue is unavailable: ");
        err->code = KC_E_UNAVAILABLE;
        return -1;
    }
    kc_vs_announce(vs, id, "queued", 0, "queued", NULL);
    return 0;
}

static void post_analysis(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_vsvc *vs = ctx;
    struct kc_err err = {0};
    struct submission sub = {0};
    const char *ct = kc_req_header(req, "Content-Type");
    bool is_json = ct && !strncasecmp(ct, "application/json", 16);
    if ((is_json ? from_json(vs, req, &sub, &err) : from_upload(vs, req, &sub, &err)) != 0) {
        kc_resp_error(resp, &err);
        return;
    }
    char id[KC_VS_ID_LEN + 1];
    kc_vs_new_id(id);
    int rc = enqueue(vs, &sub, id, &err);
    kc_analysis_opts_free(&sub.opts);
    if (rc) {
        kc_resp_error(resp, &err);
        return;
    }
    char loc[64], events[80];
    snprintf(loc, sizeof loc, "/v1/analyses/%s", id);
    snprintf(events, sizeof events, "%s/events", loc);
    kc_resp_header(resp, "Location", loc);
    kc_resp_json(resp, 202,
                 json_pack("{s:s,s:s,s:s}", "id", id, "status", "queued", "events", events));
    kc_info("analysis %s queued (%s, %s)", id, sub.source, sub.sha);
}

/* ---- GET / DELETE --------------------------------------------------------------------------- */

static const char *valid_id_param(struct kc_req *req, struct kc_resp *resp)
{
    const char *id = kc_req_param(req, "id");
    if (kc_vs_valid_id(id)) return id;
    kc_resp_errorf(resp, KC_E_NOT_FOUND, NULL, "no analysis with this id");
    return NULL;
}

static json_t *status_doc(const json_t *row)
{
    static const char *const keys[] = {"id",         "status",     "progress",    "stage",
                                       "created_at", "started_at", "finished_at", "deleted_at",
                                       "attempts",   NULL};
    json_t *o = json_object();
    for (size_t i = 0; keys[i]; i++) {
        json_t *v = json_object_get(row, keys[i]);
        if (v && !json_is_null(v)) json_object_set(o, keys[i], v);
    }
    json_t *e = json_object_get(row, "error");
    const char *st = json_string_value(json_object_get(row, "status"));
    if (json_is_string(e) && st && !strcmp(st, "failed"))
        json_object_set_new(o, "error",
                            json_pack("{s:s,s:O}", "code", "analysis_failed", "message", e));
    return o;
}

static void get_analysis(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    struct kc_vsvc *vs = ctx;
    const char *id = valid_id_param(req, resp);
    if (!id) return;
    struct kc_err err = {0};
    json_t *row = kc_vs_row(vs, id, &err);
    if (!row) {
        kc_resp_error(resp, &err);
        return;
    }
    json_t *doc = status_doc(row);
    const char *status = json_string_value(json_object_get(row, "status"));
    bool done = !strcmp(status, "done");
    if (!strcmp(status, "running")) kc_vs_live_progress(vs, id, doc);
    json_decref(row);
    char *head = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    char *result = done && head ? kc_vs_result_text(vs, id, &err) : NULL;
    if (!head || (done && !result)) {
        free(head);
        kc_resp_errorf(resp, KC_E_INTERNAL, NULL, "cannot read the stored result");
        return;
    }
    if (!done) {
        kc_resp_bytes(resp, 200, "application/json", head, strlen(head));
        free(head);
        return;
    }
    /* splice the stored report text in without re-parsing it: {...head..., "result": text} */
    size_t hl = strlen(head), rl = strlen(result);
    char *body = malloc(hl + rl + 16);
    if (body) {
        memcpy(body, head, hl - 1);
        size_t n = hl - 1;
        memcpy(body + n, ",\"result\":", 10);
        n += 10;
        memcpy(body + n, result, rl);
        n += rl;
        body[n++] = '}';
        kc_resp_bytes(resp, 200, "application/json", body, n);
    } else {
        kc_resp_errorf(resp, KC_E_NOMEM, NULL, "out of memory");
    }
    free(body);
    free(head);
    free(result);
}

static void delete_analysis(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    const char *id = valid_id_param(req, resp);
    if (!id) return;
    struct kc_err err = {0};
    json_t *receipt = kc_vs_delete(ctx, id, &err);
    if (receipt)
        kc_resp_json(resp, 200, receipt);
    else
        kc_resp_error(resp, &err);
}

static void delete_subject(struct kc_req *req, struct kc_resp *resp, void *ctx)
{
    const char *sid = kc_req_param(req, "subject_id");
    struct kc_err err = {0};
    if (!sid || strlen(sid) >= KC_ANALYSIS_ID_MAX) {
        kc_resp_errorf(resp, KC_E_INVALID, "subject_id", "subject_id is 1 to %d bytes",
                       KC_ANALYSIS_ID_MAX - 1);
        return;
    }
    json_t *receipt = kc_vs_delete_subject(ctx, sid, &err);
    if (receipt)
        kc_resp_json(resp, 200, receipt);
    else
        kc_resp_error(resp, &err);
}

int kc_vs_routes(struct kc_vsvc *vs, struct kc_err *err)
{
    const struct kc_route routes[] = {
        {"POST", "/v1/analyses", post_analysis, vs, KC_BODY_UPLOAD, vs->cfg->max_upload_bytes,
         KC_VS_AUTH_INTERNAL, "Start an analysis (multipart upload or a backend blob)", "analyses"},
        {"GET", "/v1/analyses/{id}", get_analysis, vs, KC_BODY_NONE, 0, KC_VS_AUTH_INTERNAL,
         "Status, progress and result of an analysis", "analyses"},
        {"GET", "/v1/analyses/{id}/events", kc_vs_events, vs, KC_BODY_NONE, 0, KC_VS_AUTH_INTERNAL,
         "Progress as Server-Sent Events", "analyses"},
        {"DELETE", "/v1/analyses/{id}", delete_analysis, vs, KC_BODY_NONE, 0, KC_VS_AUTH_INTERNAL,
         "Withdraw consent / delete an analysis, with a receipt", "analyses"},
        {"DELETE", "/v1/subjects/{subject_id}", delete_subject, vs, KC_BODY_NONE, 0,
         KC_VS_AUTH_INTERNAL, "Delete every analysis of a subject, with a receipt", "analyses"},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (kc_http_route(vs->svc->http, &routes[i], err)) return -1;
    kc_http_set_guard(vs->svc->http, guard, vs);
    return 0;
}
