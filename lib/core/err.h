/*
 * err.h — the one error type of kocruit.
 *
 * A function that can fail returns an int status (0 = ok, -1 = failed) or a pointer-or-NULL, and
 * fills a caller-owned `struct kc_err` when the caller passes one (NULL is allowed everywhere).
 * The code says what kind of failure it was; it maps to an HTTP status and to the stable
 * machine-readable `code` string of the API's error shape:
 *   {"error":{"code":"invalid_field","message":"...","field":"email"}}
 * The message is for people: it names the input that was wrong and why.
 *
 * Thread-safety: all functions are pure or write only to the struct they are given.
 */
#ifndef KC_ERR_H
#define KC_ERR_H

#include <stdarg.h>

enum kc_err_code {
    KC_OK = 0,
    KC_E_INVALID,       /* 400 invalid_field: bad value in a field (set `field`) */
    KC_E_BAD_REQUEST,   /* 400 bad_request: malformed body (JSON syntax, multipart) */
    KC_E_UNAUTHORIZED,  /* 401 unauthorized: no or bad credentials */
    KC_E_FORBIDDEN,     /* 403 forbidden: authenticated but not allowed */
    KC_E_NOT_FOUND,     /* 404 not_found (also for other tenants' objects) */
    KC_E_METHOD,        /* 405 method_not_allowed */
    KC_E_CONFLICT,      /* 409 conflict: state does not allow it (duplicate, closed job) */
    KC_E_TOO_LARGE,     /* 413 payload_too_large */
    KC_E_MEDIA_TYPE,    /* 415 unsupported_media_type */
    KC_E_UNPROCESSABLE, /* 422 unprocessable: well-formed but cannot be used (corrupt media) */
    KC_E_RATE_LIMIT,    /* 429 rate_limited */
    KC_E_INTERNAL,      /* 500 internal */
    KC_E_UNAVAILABLE,   /* 503 unavailable: a dependency (model, redis, db) is missing or down */
    KC_E_IO,            /* 500 io_error: file or socket error */
    KC_E_NOMEM,         /* 500 out_of_memory */
};

struct kc_err {
    enum kc_err_code code;
    char message[512];
    char field[64]; /* the offending input field or "" */
};

/* Set code and a printf-style message. Returns -1 so callers can `return kc_err_set(...)`. */
int kc_err_set(struct kc_err *err, enum kc_err_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, naming the offending field. */
int kc_err_field(struct kc_err *err, enum kc_err_code code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void kc_err_clear(struct kc_err *err);
/* Prefix the existing message with context ("loading facemesh.json: <old message>"). */
void kc_err_prefix(struct kc_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int kc_err_http_status(enum kc_err_code code);
/* Stable snake_case name used as the API's error code ("invalid_field"). */
const char *kc_err_code_name(enum kc_err_code code);

#endif
