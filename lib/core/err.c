/*
 * err.c — kc_err helpers. See err.h for the contract.
 */
#include "err.h"

#include <stdio.h>
#include <string.h>

static void vset(struct kc_err *err, enum kc_err_code code, const char *field, const char *fmt,
                 va_list ap)
{
    if (!err) return;
    err->code = code;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
}

int kc_err_set(struct kc_err *err, enum kc_err_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(err, code, NULL, fmt, ap);
    va_end(ap);
    return -1;
}

int kc_err_field(struct kc_err *err, enum kc_err_code code, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(err, code, field, fmt, ap);
    va_end(ap);
    return -1;
}

void kc_err_clear(struct kc_err *err)
{
    if (!err) return;
    err->code = KC_OK;
    err->message[0] = '\0';
    err->field[0] = '\0';
}

void kc_err_prefix(struct kc_err *err, const char *fmt, ...)
{
    if (!err) return;
    char prefix[256], old[sizeof err->message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->message, sizeof old);
    /* prefix ": " old, truncated to the message buffer (no snprintf: gcc's
     * -Wformat-truncation cannot prove the bound and truncation is intended) */
    size_t cap = sizeof err->message - 1, n = 0;
    for (const char *parts[3] = {prefix, ": ", old}, **p = parts; p < parts + 3; p++) {
        size_t len = strlen(*p);
        if (len > cap - n) len = cap - n;
        memcpy(err->message + n, *p, len);
        n += len;
    }
    err->message[n] = '\0';
}

int kc_err_http_status(enum kc_err_code code)
{
    switch (code) {
    case KC_OK: return 200;
    case KC_E_INVALID:
    case KC_E_BAD_REQUEST: return 400;
    case KC_E_UNAUTHORIZED: return 401;
    case KC_E_FORBIDDEN: return 403;
    case KC_E_NOT_FOUND: return 404;
    case KC_E_METHOD: return 405;
    case KC_E_CONFLICT: return 409;
    case KC_E_TOO_LARGE: return 413;
    case KC_E_MEDIA_TYPE: return 415;
    case KC_E_UNPROCESSABLE: return 422;
    case KC_E_RATE_LIMIT: return 429;
    case KC_E_UNAVAILABLE: return 503;
    case KC_E_INTERNAL:
    case KC_E_IO:
    case KC_E_NOMEM: return 500;
    }
    return 500;
}

const char *kc_err_code_name(enum kc_err_code code)
{
    switch (code) {
    case KC_OK: return "ok";
    case KC_E_INVALID: return "invalid_field";
    case KC_E_BAD_REQUEST: return "bad_request";
    case KC_E_UNAUTHORIZED: return "unauthorized";
    case KC_E_FORBIDDEN: return "forbidden";
    case KC_E_NOT_FOUND: return "not_found";
    case KC_E_METHOD: return "method_not_allowed";
    case KC_E_CONFLICT: return "conflict";
    case KC_E_TOO_LARGE: return "payload_too_large";
    case KC_E_MEDIA_TYPE: return "unsupported_media_type";
    case KC_E_UNPROCESSABLE: return "unprocessable";
    case KC_E_RATE_LIMIT: return "rate_limited";
    case KC_E_INTERNAL: return "internal";
    case KC_E_UNAVAILABLE: return "unavailable";
    case KC_E_IO: return "io_error";
    case KC_E_NOMEM: return "out_of_memory";
    }
    return "internal";
}
