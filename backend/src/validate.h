/*
 * validate.h — pure input checks shared by the handlers (no I/O, no allocation unless said).
 *
 * Every check returns 0 when the input is acceptable, or -1 with KC_E_INVALID naming the
 * field (the caller passes the field name so the error reads "field X: why").
 * Times: the API speaks ISO-8601 UTC ("2026-12-01T09:00:00Z", an offset "+09:00" is
 * converted; a bare date "2026-12-01" means 00:00:00Z, or 23:59:59Z for an end-of-range
 * field). Storage is integer epoch seconds.
 * Thread-safety: all functions are reentrant.
 */
#ifndef KC_BACKEND_VALIDATE_H
#define KC_BACKEND_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define KC_NAME_MAX     100
#define KC_EMAIL_MAX    254
#define KC_PASSWORD_MIN 10
#define KC_PASSWORD_MAX 128
#define KC_TEXT_MAX     20000 /* long free text: descriptions, memos */
#define KC_LINE_MAX     300   /* one-line text: titles, locations, reasons */

/* snprintf into an array where truncation is intended (diagnostic paths, display text). */
void kc_fmt(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define KC_SNPRINTF(buf, ...) kc_fmt((buf), sizeof(buf), __VA_ARGS__)

int kc_valid_email(const char *field, const char *s, struct kc_err *err);
int kc_valid_password(const char *field, const char *s, struct kc_err *err);
/* 1 when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, ≤ U+10FFFF). */
int kc_utf8_valid(const char *s, size_t n);
/* Number of code points of a valid UTF-8 string. */
size_t kc_utf8_chars(const char *s);
/* When a JSON body is not valid UTF-8, name the field whose string holds the first bad byte:
 * returns 1 and the innermost object key ("" when the bad byte is not inside a keyed value),
 * 0 when the body is valid UTF-8. field is NUL-terminated and truncated to cap. */
int kc_json_bad_utf8_field(const char *body, size_t len, char *field, size_t cap);

/* ISO-8601 → epoch seconds. end_of_day: a bare date means its last second. */
int kc_parse_time(const char *field, const char *s, int end_of_day, long *out, struct kc_err *err);
/* epoch seconds → "YYYY-MM-DDTHH:MM:SSZ" (out ≥ 21 bytes). */
void kc_format_time(long t, char *out, size_t cap);

/* A client-supplied upload name is shown, never used as a path: refuse names with path
 * separators, "..", control characters, invalid UTF-8 or over 255 bytes. "" is allowed. */
int kc_valid_filename(const char *field, const char *name, struct kc_err *err);

/* Lower-case hex of exactly 64 chars (a sha256). */
int kc_valid_sha256_hex(const char *s);
/* A decimal id in 1..INT64_MAX; 0 and -1 on failure. */
int kc_parse_id(const char *s, int64_t *out);

/* The canonical stage names, in pipeline order, NULL-terminated. */
extern const char *const kc_stage_names[];
/* Index of a stage name in kc_stage_names, or -1. */
int kc_stage_index(const char *name);

#endif
