/*
 * http_resp.c — building responses: JSON, the error shape, bytes, files, empty bodies and
 * extra headers (SSE is in http_sse.c).
 *
 * A body setter creates the libmicrohttpd response at once (replacing an earlier one, so a
 * guard's or handler's last word wins); headers added with kc_resp_header are kept in the
 * request arena and attached when the response is queued, together with X-Request-Id and,
 * while the server stops, Connection: close.
 *
 * JSON is serialised into a stack buffer and copied by MHD when it fits (the common case:
 * one allocation), else into an exact-size heap buffer that MHD frees.
 */
#include "http_private.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void kc_resp_reset(struct kc_resp *resp, struct kc_req *req)
{
    memset(resp, 0, sizeof *resp);
    resp->req = req;
    resp->status = 500;
}

void kc_resp_cleanup(struct kc_resp *resp)
{
    if (resp->mhd) MHD_destroy_response(resp->mhd);
    resp->mhd = NULL;
}

/* Install `mhd` as the response (NULL = allocation failed: answer 500 without a body). */
void kc_resp_set(struct kc_resp *resp, int status, struct MHD_Response *mhd,
                 const char *content_type, uint64_t bytes)
{
    kc_resp_cleanup(resp);
    resp->set = 1;
    if (!mhd) {
        resp->status = 500;
        resp->bytes = 0;
        return;
    }
    resp->status = (status >= 100 && status <= 599) ? status : 500;
    resp->mhd = mhd;
    resp->bytes = bytes;
    if (content_type) MHD_add_response_header(mhd, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
}

void kc_resp_json(struct kc_resp *resp, int status, json_t *body)
{
    char stack[4096];
    if (!body) {
        kc_resp_errorf(resp, KC_E_INTERNAL, NULL, "the handler produced no JSON body");
        return;
    }
    size_t n = json_dumpb(body, stack, sizeof stack, JSON_COMPACT);
    struct MHD_Response *mhd = NULL;
    if (n > 0 && n <= sizeof stack) {
        mhd = MHD_create_response_from_buffer(n, stack, MHD_RESPMEM_MUST_COPY);
    } else if (n > 0) {
        char *p = malloc(n);
        if (p && json_dumpb(body, p, n, JSON_COMPACT) == n)
            mhd = MHD_create_response_from_buffer_with_free_callback(n, p, free);
        if (!mhd) free(p);
    }
    json_decref(body);
    kc_resp_set(resp, status, mhd, "application/json", n);
}

/* jansson refuses invalid UTF-8; messages can quote client input. */
static json_t *utf8_string(const char *s)
{
    json_t *j = json_string(s);
    return j ? j : json_string("(message is not valid UTF-8)");
}

void kc_resp_error(struct kc_resp *resp, const struct kc_err *err)
{
    enum kc_err_code code = err && err->code != KC_OK ? err->code : KC_E_INTERNAL;
    json_t *e = json_object();
    json_object_set_new(e, "code", json_string(kc_err_code_name(code)));
    json_object_set_new(
        e, "message", utf8_string(err && err->message[0] ? err->message : kc_err_code_name(code)));
    if (err && err->field[0]) json_object_set_new(e, "field", utf8_string(err->field));
    json_t *body = json_object();
    json_object_set_new(body, "error", e);
    kc_resp_json(resp, kc_err_http_status(code), body);
}

void kc_resp_errorf(struct kc_resp *resp, enum kc_err_code code, const char *field, const char *fmt,
                    ...)
{
    struct kc_err err;
    va_list ap;
    kc_err_clear(&err);
    err.code = code;
    va_start(ap, fmt);
    vsnprintf(err.message, sizeof err.message, fmt, ap);
    va_end(ap);
    if (field) snprintf(err.field, sizeof err.field, "%s", field);
    kc_resp_error(resp, &err);
}

void kc_resp_bytes(struct kc_resp *resp, int status, const char *content_type, const void *data,
                   size_t len)
{
    struct MHD_Response *mhd =
        MHD_create_response_from_buffer(len, (void *)(len ? data : ""), MHD_RESPMEM_MUST_COPY);
    kc_resp_set(resp, status, mhd, content_type, len);
}

void kc_resp_file(struct kc_resp *resp, int status, const char *content_type, const char *path)
{
    int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
        close(fd);
        fd = -1;
    }
    if (fd < 0) {
        kc_resp_errorf(resp, KC_E_NOT_FOUND, NULL, "file not found");
        return;
    }
    struct MHD_Response *mhd = MHD_create_response_from_fd64((uint64_t)st.st_size, fd);
    if (!mhd) close(fd);
    kc_resp_set(resp, status, mhd, content_type, (uint64_t)st.st_size);
}

void kc_resp_empty(struct kc_resp *resp, int status)
{
    kc_resp_set(resp, status, MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT), NULL,
                0);
}

void kc_resp_header(struct kc_resp *resp, const char *name, const char *value)
{
    if (!name || !value || resp->nheaders >= KC_HTTP_MAX_HEADERS) return;
    if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n")) return; /* no header injection */
    const char *n = kc_req_strndup(resp->req, name, strlen(name));
    const char *v = kc_req_strndup(resp->req, value, strlen(value));
    if (!n || !v) return;
    resp->hname[resp->nheaders] = n;
    resp->hval[resp->nheaders++] = v;
}

enum MHD_Result kc_resp_queue(struct kc_resp *resp)
{
    struct kc_req *req = resp->req;
    if (!resp->mhd) {
        resp->mhd = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
        resp->bytes = 0;
        if (!resp->mhd) return MHD_NO;
    }
    MHD_add_response_header(resp->mhd, "X-Request-Id", req->id);
    for (size_t i = 0; i < resp->nheaders; i++)
        MHD_add_response_header(resp->mhd, resp->hname[i], resp->hval[i]);
    if (atomic_load(&req->srv->stopping))
        MHD_add_response_header(resp->mhd, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result r = MHD_queue_response(req->conn, (unsigned)resp->status, resp->mhd);
    MHD_destroy_response(resp->mhd);
    resp->mhd = NULL;
    req->phase = KC_PHASE_QUEUED;
    return r;
}
