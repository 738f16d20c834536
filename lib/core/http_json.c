/*
 * http_json.c — JSON request bodies and the field helpers handlers validate input with.
 *
 * kc_req_json parses the buffered body once (jansson, JSON_REJECT_DUPLICATES; jansson checks
 * UTF-8, so invalid UTF-8 is a syntax error with its position) and keeps the result, or the
 * error, on the request. Errors name what was wrong in words a client can act on:
 *   415 "Content-Type must be application/json (got text/plain)"
 *   400 "line 3 column 14: duplicate object key near '\"title\"'"
 *
 * The kc_json_* helpers turn a missing or wrongly typed field into KC_E_INVALID with the
 * field set, and messages of one form: "<field>: must be <what>" / "<field>: is required".
 */
#include "http_private.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* "application/json", optionally followed by parameters ("; charset=utf-8"). */
static int is_json_type(const char *ct)
{
    static const char want[] = "application/json";
    if (!ct) return 0;
    while (*ct == ' ' || *ct == '\t') ct++;
    if (strncasecmp(ct, want, sizeof want - 1) != 0) return 0;
    const char *p = ct + sizeof want - 1;
    while (*p == ' ' || *p == '\t') p++;
    return *p == '\0' || *p == ';';
}

json_t *kc_req_json(struct kc_req *req, struct kc_err *err)
{
    if (req->json_done) {
        if (!req->json && err) *err = req->json_err;
        return req->json;
    }
    req->json_done = 1;
    kc_err_clear(&req->json_err);
    const char *ct = kc_req_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!is_json_type(ct)) {
        char got[64];
        snprintf(got, sizeof got, "%s", ct ? ct : "none");
        for (char *p = got; *p; p++)
            if (!isprint((unsigned char)*p)) *p = '?';
        kc_err_set(&req->json_err, KC_E_MEDIA_TYPE,
                   "Content-Type must be application/json (got %s)", got);
    } else {
        json_error_t jerr;
        req->json =
            json_loadb(req->body ? req->body : "", req->body_len, JSON_REJECT_DUPLICATES, &jerr);
        if (!req->json)
            kc_err_set(&req->json_err, KC_E_BAD_REQUEST, "line %d column %d: %s", jerr.line,
                       jerr.column, jerr.text);
    }
    if (!req->json && err) *err = req->json_err;
    return req->json;
}

/* --- field helpers --- */

/* Common start: obj must be an object; returns the value, or NULL with *rc set (0 = absent
 * and optional, -1 = error). */
static json_t *field_get(const json_t *obj, const char *field, int required, int *rc,
                         struct kc_err *err)
{
    *rc = 0;
    if (!json_is_object(obj)) {
        *rc = kc_err_field(err, KC_E_INVALID, field, "body: must be a JSON object");
        return NULL;
    }
    json_t *v = json_object_get(obj, field);
    if (v && !json_is_null(v)) return v;
    if (required) *rc = kc_err_field(err, KC_E_INVALID, field, "%s: is required", field);
    return NULL;
}

int kc_json_str(const json_t *obj, const char *field, int required, size_t max_len,
                const char **out, struct kc_err *err)
{
    int rc;
    json_t *v = field_get(obj, field, required, &rc, err);
    if (!v) return rc;
    size_t len = json_is_string(v) ? json_string_length(v) : 0;
    int ok = json_is_string(v) && (max_len == 0 || len <= max_len);
    if (!ok && max_len)
        return kc_err_field(err, KC_E_INVALID, field, "%s: must be a string of at most %zu bytes",
                            field, max_len);
    if (!ok) return kc_err_field(err, KC_E_INVALID, field, "%s: must be a string", field);
    if (memchr(json_string_value(v), '\0', len))
        return kc_err_field(err, KC_E_INVALID, field, "%s: must not contain NUL characters", field);
    *out = json_string_value(v);
    return 0;
}

int kc_json_int(const json_t *obj, const char *field, int required, int64_t min, int64_t max,
                int64_t *out, struct kc_err *err)
{
    int rc;
    json_t *v = field_get(obj, field, required, &rc, err);
    if (!v) return rc;
    int ok = 0;
    int64_t x = 0;
    if (json_is_integer(v)) {
        x = (int64_t)json_integer_value(v);
        ok = 1;
    } else if (json_is_real(v)) { /* 3.0 from some clients is still the integer 3 */
        double d = json_real_value(v);
        ok = d == floor(d) && d >= -9.2e18 && d <= 9.2e18;
        x = ok ? (int64_t)d : 0;
    }
    if (!ok || x < min || x > max)
        return kc_err_field(err, KC_E_INVALID, field, "%s: must be an integer from %lld to %lld",
                            field, (long long)min, (long long)max);
    *out = x;
    return 0;
}

int kc_json_num(const json_t *obj, const char *field, int required, double min, double max,
                double *out, struct kc_err *err)
{
    int rc;
    json_t *v = field_get(obj, field, required, &rc, err);
    if (!v) return rc;
    double x = json_is_number(v) ? json_number_value(v) : NAN;
    if (!json_is_number(v) || !(x >= min && x <= max))
        return kc_err_field(err, KC_E_INVALID, field, "%s: must be a number from %g to %g", field,
                            min, max);
    *out = x;
    return 0;
}

int kc_json_bool(const json_t *obj, const char *field, int required, int *out, struct kc_err *err)
{
    int rc;
    json_t *v = field_get(obj, field, required, &rc, err);
    if (!v) return rc;
    if (!json_is_boolean(v))
        return kc_err_field(err, KC_E_INVALID, field, "%s: must be true or false", field);
    *out = json_is_true(v);
    return 0;
}

int kc_json_enum(const json_t *obj, const char *field, int required, const char *const *allowed,
                 const char **out, struct kc_err *err)
{
    int rc;
    json_t *v = field_get(obj, field, required, &rc, err);
    if (!v) return rc;
    const char *s = json_string_value(v);
    for (size_t i = 0; s && allowed[i]; i++) {
        if (strcmp(s, allowed[i]) == 0) {
            *out = allowed[i];
            return 0;
        }
    }
    char list[400];
    size_t n = 0;
    list[0] = '\0';
    for (size_t i = 0; allowed[i] && n < sizeof list; i++) {
        int w = snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", allowed[i]);
        if (w < 0) break;
        n += (size_t)w;
    }
    return kc_err_field(err, KC_E_INVALID, field, "%s: must be one of: %s", field, list);
}
