/*
 * dates.c — date and date-range recognition, interval merging. See dates.h for the forms.
 *
 * Two passes over normalised text: first every date token (with its span) is recognised, left to
 * right, each form tried at the current position; then consecutive tokens separated only by a
 * range separator become a range. Year-only tokens exist only to pair into ranges.
 */
#include "text/dates.h"

#include <stdlib.h>
#include <string.h>

#include "text/utf8.h"

static const char *const MONTHS[12][2] = {
    {"january", "jan"},   {"february", "feb"}, {"march", "mar"},    {"april", "apr"},
    {"may", "may"},       {"june", "jun"},     {"july", "jul"},     {"august", "aug"},
    {"september", "sep"}, {"october", "oct"},  {"november", "nov"}, {"december", "dec"}};
static const char *const PRESENT[] = {"현재",   "재직중",  "재직 중", "재학중",
                                      "진행중", "진행 중", "present", "current",
                                      "now",    "today",   "ongoing", "date"};
static const char *const SEPARATORS[] = {"-",       "~",    "to",     "until", "till",
                                         "through", "부터", "부터 ~", "부터~", "부터 -"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

enum token_kind { TOK_YM, TOK_YEAR, TOK_PRESENT };

struct date_token {
    enum token_kind kind;
    struct kc_ym ym;
    uint32_t off, end;
};

static bool is_digit_at(const char *s, size_t len, size_t i)
{
    return i < len && s[i] >= '0' && s[i] <= '9';
}

/* Read 1..max digits at s[i]; returns the count and the value. */
static size_t read_num(const char *s, size_t len, size_t i, size_t max, int *v)
{
    size_t n = 0;
    *v = 0;
    while (n < max && is_digit_at(s, len, i + n)) *v = *v * 10 + (s[i + n++] - '0');
    return is_digit_at(s, len, i + n) ? 0 : n; /* too many digits: not ours */
}

static bool word_char_at(const char *s, size_t len, size_t i)
{
    uint32_t c;
    return i < len && kc_utf8_decode(s + i, len - i, &c) > 0 && kc_cp_is_latin(c);
}

static bool starts_with(const char *s, size_t len, size_t i, const char *p)
{
    size_t n = strlen(p);
    return i + n <= len && memcmp(s + i, p, n) == 0;
}

/* "2019.03", "2019-3", "2019/03", "2019. 03.", "2019.03.15", "2019년 3월", "2019년", "2019". */
static size_t year_first(const char *s, size_t len, size_t i, struct date_token *t)
{
    int y, m, d;
    size_t n = read_num(s, len, i, 4, &y), j = i + 4;
    if (n != 4 || y < KC_YEAR_MIN || y > KC_YEAR_MAX) return 0;
    t->ym = (struct kc_ym){y, 1};
    if (j < len && (s[j] == '.' || s[j] == '-' || s[j] == '/')) {
        size_t k = j + 1 + (j + 1 < len && s[j + 1] == ' ' && s[j] == '.');
        size_t mn = read_num(s, len, k, 2, &m);
        if (mn > 0 && m >= 1 && m <= 12) {
            k += mn;
            size_t dn = k < len && s[k] == s[j] ? read_num(s, len, k + 1, 2, &d) : 0;
            if (dn > 0)
                k += 1 + dn; /* a day: ignored */
            else if (k < len && s[k] == '.' && s[j] == '.')
                k++;
            t->kind = TOK_YM;
            t->ym.month = m;
            return k - i;
        }
    }
    if (starts_with(s, len, j, "년")) {
        size_t k = j + strlen("년");
        size_t sp = (k < len && s[k] == ' ') ? 1 : 0;
        size_t mn = read_num(s, len, k + sp, 2, &m);
        if (mn > 0 && m >= 1 && m <= 12 && starts_with(s, len, k + sp + mn, "월")) {
            t->kind = TOK_YM;
            t->ym.month = m;
            return k + sp + mn + strlen("월") - i;
        }
        t->kind = TOK_YEAR;
        return k - i;
    }
    if (word_char_at(s, len, j)) return 0;
    t->kind = TOK_YEAR;
    return 4;
}

/* "03/2019", "3.2019". */
static size_t month_first(const char *s, size_t len, size_t i, struct date_token *t)
{
    int m, y;
    size_t mn = read_num(s, len, i, 2, &m);
    if (mn == 0 || m < 1 || m > 12) return 0;
    size_t j = i + mn;
    if (j >= len || (s[j] != '/' && s[j] != '.')) return 0;
    if (read_num(s, len, j + 1, 4, &y) != 4 || y < KC_YEAR_MIN || y > KC_YEAR_MAX) return 0;
    t->kind = TOK_YM;
    t->ym = (struct kc_ym){y, m};
    return j + 5 - i;
}

/* "mar 2019", "march 2019", "mar. 2019", "mar, 2019". */
static size_t month_name(const char *s, size_t len, size_t i, struct date_token *t)
{
    if (i > 0 && word_char_at(s, len, i - 1)) return 0;
    for (int m = 0; m < 12; m++) {
        for (int f = 0; f < 2; f++) {
            size_t n = strlen(MONTHS[m][f]);
            if (!starts_with(s, len, i, MONTHS[m][f]) || word_char_at(s, len, i + n)) continue;
            size_t j = i + n;
            if (j < len && (s[j] == '.' || s[j] == ',')) j++;
            if (j < len && s[j] == ' ') j++;
            int y;
            if (read_num(s, len, j, 4, &y) != 4 || y < KC_YEAR_MIN || y > KC_YEAR_MAX) continue;
            t->kind = TOK_YM;
            t->ym = (struct kc_ym){y, m + 1};
            return j + 4 - i;
        }
    }
    return 0;
}

static size_t present_word(const char *s, size_t len, size_t i, struct date_token *t)
{
    if (i > 0 && word_char_at(s, len, i - 1)) return 0;
    for (size_t k = 0; k < COUNT(PRESENT); k++) {
        size_t n = strlen(PRESENT[k]);
        if (starts_with(s, len, i, PRESENT[k]) && !word_char_at(s, len, i + n)) {
            t->kind = TOK_PRESENT;
            return n;
        }
    }
    return 0;
}

static size_t token_at(const char *s, size_t len, size_t i, struct date_token *t)
{
    bool digit_start = is_digit_at(s, len, i) && !(i > 0 && is_digit_at(s, len, i - 1));
    size_t n = 0;
    if (digit_start) {
        n = month_first(s, len, i, t);
        if (n == 0) n = year_first(s, len, i, t);
    } else if (((uint8_t)s[i] >= 0xC0) || (s[i] >= 'a' && s[i] <= 'z')) {
        /* month names and present words start a word: skip the middle of words cheaply */
        bool word_start = i == 0 || !word_char_at(s, len, i - 1);
        if (word_start && s[i] >= 'a' && s[i] <= 'z') n = month_name(s, len, i, t);
        if (n == 0 && word_start) n = present_word(s, len, i, t);
    }
    if (n > 0) {
        t->off = (uint32_t)i;
        t->end = (uint32_t)(i + n);
    }
    return n;
}

/* Is s[a..b) (spaces trimmed) a range separator? */
static bool is_separator(const char *s, size_t a, size_t b)
{
    while (a < b && s[a] == ' ') a++;
    while (b > a && s[b - 1] == ' ') b--;
    for (size_t k = 0; k < COUNT(SEPARATORS); k++)
        if (strlen(SEPARATORS[k]) == b - a && memcmp(s + a, SEPARATORS[k], b - a) == 0) return true;
    return false;
}

static int push_range(struct kc_date_ranges *out, const struct kc_date_range *r, struct kc_err *err)
{
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 16;
        struct kc_date_range *v = realloc(out->v, cap * sizeof *v);
        if (!v) return kc_err_set(err, KC_E_NOMEM, "date ranges: out of memory");
        out->v = v;
        out->cap = cap;
    }
    out->v[out->n++] = *r;
    return 0;
}

static struct kc_date_range make_range(const struct date_token *a, const struct date_token *b,
                                       struct kc_ym ref)
{
    struct kc_date_range r = {.off = a->off, .len = b->end - a->off};
    r.start = a->kind == TOK_PRESENT ? ref : a->ym;
    r.end = b->kind == TOK_PRESENT ? ref : b->ym;
    if (b->kind == TOK_YEAR) r.end.month = 12;
    r.end_present = b->kind == TOK_PRESENT;
    if (kc_ym_index(r.end) > kc_ym_index(ref)) {
        r.end = ref;
        r.clamped = true;
    }
    r.rejected = a->kind == TOK_PRESENT || kc_ym_index(r.start) > kc_ym_index(r.end) ||
                 kc_ym_index(r.start) > kc_ym_index(ref);
    return r;
}

int kc_date_find_ranges(const char *s, size_t len, struct kc_ym ref, struct kc_date_ranges *out,
                        struct kc_err *err)
{
    struct date_token prev = {0};
    bool have_prev = false;
    size_t i = 0;
    while (i < len) {
        struct date_token t;
        size_t n = token_at(s, len, i, &t);
        if (n == 0) {
            i++;
            continue;
        }
        if (have_prev && prev.kind != TOK_PRESENT && t.off - prev.end <= 16 &&
            is_separator(s, prev.end, t.off)) {
            struct kc_date_range r = make_range(&prev, &t, ref);
            if (push_range(out, &r, err) != 0) return -1;
            have_prev = false;
        } else {
            prev = t;
            have_prev = true;
        }
        i += n;
    }
    return 0;
}

void kc_date_ranges_free(struct kc_date_ranges *r)
{
    if (!r) return;
    free(r->v);
    memset(r, 0, sizeof *r);
}

static int cmp_start(const void *a, const void *b)
{
    int x = kc_ym_index(((const struct kc_date_range *)a)->start);
    int y = kc_ym_index(((const struct kc_date_range *)b)->start);
    return (x > y) - (x < y);
}

size_t kc_date_merge(const struct kc_date_range *in, size_t n, struct kc_date_range *out,
                     int *months)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!in[i].rejected) out[m++] = in[i];
    qsort(out, m, sizeof *out, cmp_start);
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        if (k > 0 && kc_ym_index(out[i].start) <= kc_ym_index(out[k - 1].end) + 1) {
            if (kc_ym_index(out[i].end) > kc_ym_index(out[k - 1].end)) {
                out[k - 1].end = out[i].end;
                out[k - 1].end_present = out[i].end_present;
            }
            continue;
        }
        out[k++] = out[i];
    }
    int total = 0;
    for (size_t i = 0; i < k; i++) total += kc_ym_index(out[i].end) - kc_ym_index(out[i].start) + 1;
    *months = total;
    return k;
}

int kc_date_parse(const char *s, size_t len, struct kc_ym ref, struct kc_ym *out, bool *is_present,
                  const char *field, struct kc_err *err)
{
    while (len > 0 && s[len - 1] == ' ') len--;
    while (len > 0 && *s == ' ') s++, len--;
    struct date_token t;
    size_t n = len ? token_at(s, len, 0, &t) : 0;
    if (n == 0 || n != len)
        return kc_err_field(err, KC_E_INVALID, field, "%s: \"%.*s\" is not a date", field,
                            (int)(len > 64 ? 64 : len), s);
    *out = t.kind == TOK_PRESENT ? ref : t.ym;
    if (is_present) *is_present = t.kind == TOK_PRESENT;
    return 0;
}

int kc_date_parse_ref(const char *s, struct kc_ym *out, const char *field, struct kc_err *err)
{
    int y = 0, m = 0, d = 0;
    size_t len = s ? strlen(s) : 0;
    if (len != 7 && len != 10) goto bad;
    if (read_num(s, len, 0, 4, &y) != 4 || s[4] != '-' || read_num(s, len, 5, 2, &m) != 2) goto bad;
    if (len == 10 && (s[7] != '-' || read_num(s, len, 8, 2, &d) != 2 || d < 1 || d > 31)) goto bad;
    if (y < KC_YEAR_MIN || y > KC_YEAR_MAX || m < 1 || m > 12) goto bad;
    *out = (struct kc_ym){y, m};
    return 0;
bad:
    return kc_err_field(err, KC_E_INVALID, field, "%s: expected \"YYYY-MM\" or \"YYYY-MM-DD\"",
                        field);
}
