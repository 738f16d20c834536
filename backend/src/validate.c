/*
 * validate.c — pure input checks (see validate.h).
 *
 * The UTF-8 decoder follows RFC 3629 table 3-7 exactly (rejects overlong forms, surrogates
 * and code points above U+10FFFF), because a lax decoder is how invalid text reaches the DB.
 * kc_json_bad_utf8_field is a tiny JSON lexer: it only tracks strings, objects and the last
 * key seen at each depth, which is all that is needed to name the field of the bad byte.
 */
#include "validate.h"

#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const kc_stage_names[] = {
    "document", "written_test", "ai_interview", "practical", "executive", "final", NULL};

int kc_stage_index(const char *name)
{
    for (int i = 0; name && kc_stage_names[i]; i++)
        if (!strcmp(kc_stage_names[i], name)) return i;
    return -1;
}

/* Length of the UTF-8 sequence at s (n bytes left), or 0 when it is malformed. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80) return 1;
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c == 0xE0)
        len = 3, lo = 0xA0;
    else if (c == 0xED)
        len = 3, hi = 0x9F;
    else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
        len = 3;
    else if (c == 0xF0)
        len = 4, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3)
        len = 4;
    else if (c == 0xF4)
        len = 4, hi = 0x8F;
    else
        return 0;
    if (n < len) return 0;
    if (s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF) return 0;
    return len;
}

int kc_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t l = utf8_seq(p + i, n - i);
        if (!l) return 0;
        i += l;
    }
    return 1;
}

size_t kc_utf8_chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80) n++;
    return n;
}

struct lex {
    const unsigned char *p;
    size_t n, i;
    char keys[16][64]; /* last key per object depth */
    int depth;
};

/* Scan a string starting after its opening quote. Returns 1 at a bad byte, 0 at the closing
 * quote (i past it), -1 at the end of input. Copies a key into `key` when non-NULL. */
static int lex_string(struct lex *lx, char *key, size_t cap)
{
    size_t k = 0;
    while (lx->i < lx->n) {
        unsigned char c = lx->p[lx->i];
        if (c == '"') {
            lx->i++;
            if (key) key[k < cap ? k : cap - 1] = '\0';
            return 0;
        }
        if (c == '\\') {
            lx->i += 2;
            continue;
        }
        size_t l = utf8_seq(lx->p + lx->i, lx->n - lx->i);
        if (!l) return 1;
        if (key && k + l < cap) memcpy(key + k, lx->p + lx->i, l), k += l;
        lx->i += l;
    }
    return -1;
}

static void copy_key(const struct lex *lx, char *field, size_t cap)
{
    const char *k = lx->depth > 0 ? lx->keys[(lx->depth - 1) % 16] : "";
    snprintf(field, cap, "%s", k);
}

int kc_json_bad_utf8_field(const char *body, size_t len, char *field, size_t cap)
{
    struct lex lx = {.p = (const unsigned char *)body, .n = len};
    int expect_key = 0;
    if (cap) field[0] = '\0';
    while (lx.i < lx.n) {
        unsigned char c = lx.p[lx.i];
        if (c == '{')
            lx.depth++, expect_key = 1, lx.keys[(lx.depth - 1) % 16][0] = '\0';
        else if (c == '}')
            lx.depth = lx.depth > 0 ? lx.depth - 1 : 0, expect_key = 0;
        else if (c == ',')
            expect_key = lx.depth > 0;
        else if (c == '[' || c == ']' || c == ':')
            expect_key = 0;
        if (c == '"') {
            lx.i++;
            char *key = (expect_key && lx.depth > 0) ? lx.keys[(lx.depth - 1) % 16] : NULL;
            int rc = lex_string(&lx, key, 64);
            if (rc == 1) {
                copy_key(&lx, field, cap);
                return 1;
            }
            if (rc < 0) return 0;
            expect_key = 0;
            continue;
        }
        size_t l = utf8_seq(lx.p + lx.i, lx.n - lx.i);
        if (!l) {
            copy_key(&lx, field, cap);
            return 1;
        }
        lx.i += l;
    }
    return 0;
}

int kc_valid_email(const char *field, const char *s, struct kc_err *err)
{
    size_t n = s ? strlen(s) : 0;
    const char *at = s ? strchr(s, '@') : NULL;
    if (n < 3 || n > KC_EMAIL_MAX || !at || at == s || strchr(at + 1, '@') ||
        !strchr(at + 1, '.') || at[1] == '.' || s[n - 1] == '.')
        return kc_err_field(err, KC_E_INVALID, field, "%s: not a valid e-mail address", field);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>' || *p == ',' || *p == ';')
            return kc_err_field(err, KC_E_INVALID, field,
                                "%s: e-mail address contains a forbidden character", field);
    return 0;
}

int kc_valid_password(const char *field, const char *s, struct kc_err *err)
{
    size_t n = s ? strlen(s) : 0;
    if (n < KC_PASSWORD_MIN || n > KC_PASSWORD_MAX)
        return kc_err_field(err, KC_E_INVALID, field, "%s: must be %d to %d bytes long", field,
                            KC_PASSWORD_MIN, KC_PASSWORD_MAX);
    return 0;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int parse_offset(const char *s, long *off)
{
    int h, m;
    if (!strcmp(s, "Z") || !strcmp(s, "z")) return *off = 0, 0;
    if ((s[0] != '+' && s[0] != '-') || strlen(s) != 6 || s[3] != ':') return -1;
    if (digits(s + 1, 2, &h) || digits(s + 4, 2, &m) || h > 23 || m > 59) return -1;
    *off = (h * 3600L + m * 60L) * (s[0] == '-' ? -1 : 1);
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

int kc_parse_time(const char *field, const char *s, int end_of_day, long *out, struct kc_err *err)
{
    int y, mo, d, h = 0, mi = 0, se = 0;
    long off = 0;
    size_t n = s ? strlen(s) : 0;
    int ok = n >= 10 && !digits(s, 4, &y) && s[4] == '-' && !digits(s + 5, 2, &mo) && s[7] == '-' &&
             !digits(s + 8, 2, &d) && y >= 1970 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 &&
             d <= days_in_month(y, mo);
    if (ok && n == 10 && end_of_day) h = 23, mi = 59, se = 59;
    if (ok && n > 10) {
        ok = (s[10] == 'T' || s[10] == 't' || s[10] == ' ') && n >= 17 && !digits(s + 11, 2, &h) &&
             s[13] == ':' && !digits(s + 14, 2, &mi) && h < 24 && mi < 60;
        const char *rest = s + 16;
        if (ok && rest[0] == ':') {
            ok = !digits(rest + 1, 2, &se) && se < 61;
            rest += 3;
            if (ok && rest[0] == '.') /* fractional seconds are accepted and dropped */
                for (rest++; isdigit((unsigned char)*rest); rest++) {
                }
        }
        ok = ok && parse_offset(rest, &off) == 0;
    }
    if (!ok)
        return kc_err_field(err, KC_E_INVALID, field,
                            "%s: expected an ISO-8601 date or date-time such as "
                            "2026-12-01 or 2026-12-01T09:00:00Z",
                            field);
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = se};
    *out = (long)timegm(&tm) - off;
    return 0;
}

void kc_format_time(long t, char *out, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int kc_valid_filename(const char *field, const char *name, struct kc_err *err)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0) return 0;
    if (n > 255 || !kc_utf8_valid(name, n))
        return kc_err_field(err, KC_E_INVALID, field,
                            "%s: file name must be valid UTF-8 of at most 255 bytes", field);
    if (strchr(name, '/') || strchr(name, '\\') || strstr(name, "..") || name[0] == '.')
        return kc_err_field(err, KC_E_INVALID, field,
                            "%s: file name must be a plain name, not a path "
                            "(no '/', '\\', '..' or leading '.')",
                            field);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return kc_err_field(err, KC_E_INVALID, field,
                                "%s: file name contains a control character", field);
    return 0;
}

int kc_valid_sha256_hex(const char *s)
{
    if (!s || strlen(s) != 64) return 0;
    for (int i = 0; i < 64; i++)
        if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f')) return 0;
    return 1;
}

int kc_parse_id(const char *s, int64_t *out)
{
    char *end = NULL;
    if (!s || !isdigit((unsigned char)s[0]) || strlen(s) > 19) return -1;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v <= 0) return -1;
    *out = v;
    return 0;
}

void kc_fmt(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}
