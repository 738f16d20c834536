/*
 * sentence.c — sentence splitter. See sentence.h for the rules.
 *
 * Line by line: strip a bullet marker, maybe join with the previous open sentence (wrapped English
 * line), then scan code points for terminators. A sentence that ended at a line break (no
 * terminator) stays "open" so a following continuation line can extend it.
 */
#include "text/sentence.h"

#include <stdlib.h>
#include <string.h>

#include "text/utf8.h"

static const char *const ABBREVIATIONS[] = {
    "e.g",  "i.e", "etc", "vs",  "mr",  "mrs", "ms",     "dr",   "prof", "inc", "ltd", "co",
    "corp", "jr",  "sr",  "st",  "no",  "fig", "approx", "dept", "ph.d", "b.s", "m.s", "u.s",
    "jan",  "feb", "mar", "apr", "jun", "jul", "aug",    "sep",  "sept", "oct", "nov", "dec"};
static const char *const KO_ENDINGS[] = {"니다", "세요", "어요", "아요", "해요",
                                         "했다", "였다", "었다", "한다", "이다"};
static const char *const LINE_BULLETS[] = {"-", "*", "•", "·", "▪", "◦", "○", "●", "■",
                                           "□", "▶", "►", "✓", "✔", "➢", "→", "+"};
static const char *const INLINE_BULLETS[] = {"•", "●", "▪", "■", "◦", "▶", "►"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool has_prefix(const char *s, size_t len, const char *p)
{
    size_t n = strlen(p);
    return n <= len && memcmp(s, p, n) == 0;
}

/* Length of a bullet marker (plus following space) at the start of s, or 0. */
static size_t bullet_len(const char *s, size_t len)
{
    for (size_t i = 0; i < COUNT(LINE_BULLETS); i++) {
        size_t n = strlen(LINE_BULLETS[i]);
        if (has_prefix(s, len, LINE_BULLETS[i]) && (n == len || s[n] == ' '))
            return n < len ? n + 1 : n;
    }
    uint32_t c;
    int k = kc_utf8_decode(s, len, &c);
    if (k > 0 && c >= 0x2460 && c <= 0x2473) return (size_t)k + ((size_t)k < len && s[k] == ' ');
    size_t i = s[0] == '(' ? 1 : 0, d = i;
    while (d < len && d - i < 3 && kc_cp_is_digit((uint8_t)s[d])) d++;
    if (d == i || d + 1 >= len) return 0;
    bool closed = (s[0] == '(') ? s[d] == ')' : (s[d] == '.' || s[d] == ')');
    return closed && s[d + 1] == ' ' ? d + 2 : 0;
}

static int push(struct kc_sentences *out, const struct kc_sentence *s, struct kc_err *err)
{
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 32;
        struct kc_sentence *v = realloc(out->v, cap * sizeof *v);
        if (!v) return kc_err_set(err, KC_E_NOMEM, "sentence splitter: out of memory");
        out->v = v;
        out->cap = cap;
    }
    out->v[out->n++] = *s;
    return 0;
}

static bool has_word_char(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        uint32_t c;
        int n = kc_utf8_decode(s + i, len - i, &c);
        if (n == 0) return false;
        if (kc_cp_is_word(c)) return true;
        i += (size_t)n;
    }
    return false;
}

/* Trim, cut overlong spans at spaces, and append; a template carries line/bullet flags. */
static int emit(const char *t, uint32_t a, uint32_t b, struct kc_sentence tmpl,
                struct kc_sentences *out, struct kc_err *err)
{
    while (a < b && (t[a] == ' ' || t[a] == '\n')) a++;
    while (b > a && (t[b - 1] == ' ' || t[b - 1] == '\n')) b--;
    while (b - a > KC_SENT_MAX_BYTES) {
        uint32_t cut = a + KC_SENT_MAX_BYTES;
        while (cut > a + KC_SENT_MAX_BYTES / 2 && t[cut] != ' ') cut--;
        if (t[cut] != ' ') { /* no space: cut at a character boundary */
            cut = a + KC_SENT_MAX_BYTES;
            while (((uint8_t)t[cut] & 0xC0) == 0x80) cut--;
        }
        if (emit(t, a, cut, tmpl, out, err) != 0) return -1;
        tmpl.line_start = false;
        a = cut;
        while (a < b && t[a] == ' ') a++;
    }
    if (b <= a || !has_word_char(t + a, b - a)) return 0;
    tmpl.off = a;
    tmpl.len = b - a;
    return push(out, &tmpl, err);
}

static bool abbreviation_before(const char *t, uint32_t start, uint32_t dot)
{
    uint32_t w = dot;
    while (w > start && t[w - 1] != ' ' && t[w - 1] != '(') w--;
    size_t n = dot - w;
    if (n == 1 && (uint8_t)t[w] < 0x80 && kc_cp_is_latin((uint8_t)t[w])) return true;
    for (size_t i = 0; i < COUNT(ABBREVIATIONS); i++)
        if (strlen(ABBREVIATIONS[i]) == n && memcmp(t + w, ABBREVIATIONS[i], n) == 0) return true;
    return false;
}

static bool korean_ending_before(const char *t, uint32_t start, uint32_t pos)
{
    for (size_t i = 0; i < COUNT(KO_ENDINGS); i++) {
        size_t n = strlen(KO_ENDINGS[i]);
        if (pos - start >= n && memcmp(t + pos - n, KO_ENDINGS[i], n) == 0) return true;
    }
    return false;
}

/* Length of the terminator at t[i] (ending a sentence), 0 if none. */
static size_t terminator_at(const char *t, uint32_t seg, uint32_t i, uint32_t end)
{
    uint32_t c;
    int n = kc_utf8_decode(t + i, end - i, &c);
    if (n == 0) return 0;
    if (c == ' ') {
        for (size_t k = 0; k < COUNT(INLINE_BULLETS); k++)
            if (has_prefix(t + i + 1, end - i - 1, INLINE_BULLETS[k])) return 1;
        return korean_ending_before(t, seg, i) ? 1 : 0;
    }
    bool next_space = i + (uint32_t)n >= end || t[i + (uint32_t)n] == ' ';
    if (!next_space) return 0;
    if (c == '.') return abbreviation_before(t, seg, i) ? 0 : 1;
    if (c == '!' || c == '?' || c == 0x3002 || c == 0x2026 || c == 0xFF01 || c == 0xFF1F)
        return (size_t)n;
    return 0;
}

struct line_state {
    uint32_t seg; /* start of the current sentence */
    bool open;    /* previous sentence ended at a line break only */
};

static int split_line(const struct kc_norm *nm, uint32_t ls, uint32_t le, struct kc_sentence tmpl,
                      struct line_state *st, struct kc_sentences *out, struct kc_err *err)
{
    const char *t = nm->text;
    uint32_t i = st->seg;
    while (i < le) {
        size_t term = terminator_at(t, st->seg, i, le);
        if (term > 0) {
            if (emit(t, st->seg, i + (uint32_t)term, tmpl, out, err) != 0) return -1;
            tmpl.line_start = false;
            i += (uint32_t)term;
            while (i < le && t[i] == ' ') i++;
            i += (uint32_t)bullet_len(t + i, le - i);
            st->seg = i;
            continue;
        }
        i++;
    }
    (void)ls;
    size_t before = out->n;
    if (emit(t, st->seg, le, tmpl, out, err) != 0) return -1;
    st->open = out->n > before;
    return 0;
}

int kc_sent_split(const struct kc_norm *nm, const char *orig, size_t orig_len,
                  struct kc_sentences *out, struct kc_err *err)
{
    const char *t = nm->text;
    struct line_state st = {0, false};
    uint32_t ls = 0, line = 0;
    while (ls < nm->len) {
        uint32_t le = ls;
        while (le < nm->len && t[le] != '\n') le++;
        size_t bl = bullet_len(t + ls, le - ls);
        uint32_t first = nm->map[ls];
        bool lower = bl == 0 && first < orig_len && orig[first] >= 'a' && orig[first] <= 'z';
        struct kc_sentence tmpl = {.line = line, .line_start = true, .bullet = bl > 0};
        if (lower && st.open && out->n > 0) { /* wrapped line: reopen the previous sentence */
            tmpl = out->v[--out->n];
            st.seg = tmpl.off;
        } else {
            st.seg = ls + (uint32_t)bl;
        }
        if (split_line(nm, ls, le, tmpl, &st, out, err) != 0) return -1;
        ls = le + 1;
        line++;
    }
    return 0;
}

void kc_sentences_free(struct kc_sentences *s)
{
    if (!s) return;
    free(s->v);
    memset(s, 0, sizeof *s);
}
