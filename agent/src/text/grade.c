/*
 * grade.c — answer grading: coverage of expected points, STAR cues, specificity, length and
 * fillers. See grade.h for the formula; every constant is named there.
 */
#include "text/grade.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/doc.h"
#include "text/norm.h"
#include "text/strbuf.h"
#include "text/utf8.h"

/* Function words that carry no content in expected points. */
static const char *const STOPWORDS[] = {
    "the",    "a",    "an",    "and",    "or",       "of",     "to",   "in",    "on",     "for",
    "with",   "by",   "as",    "at",     "from",     "that",   "this", "these", "those",  "it",
    "its",    "is",   "are",   "was",    "were",     "be",     "been", "how",   "what",   "which",
    "who",    "why",  "when",  "where",  "their",    "they",   "them", "he",    "she",    "his",
    "her",    "i",    "my",    "me",     "we",       "our",    "you",  "your",  "own",    "about",
    "into",   "than", "then",  "so",     "such",     "not",    "no",   "can",   "could",  "would",
    "should", "will", "do",    "did",    "does",     "have",   "has",  "had",   "any",    "all",
    "some",   "each", "other", "more",   "very",     "also",   "just", "there", "here",   "out",
    "up",     "one",  "after", "before", "between",  "used",   "및",   "등",    "그",     "이",
    "저",     "것",   "수",    "때",     "더",       "또는",   "위한", "대한",  "통한",   "있는",
    "하는",   "한",   "본인",  "자신",   "구체적인", "구체적", "내용", "무엇",  "어떻게", "점",
    "관련된", "관련", "경우"};

struct pword {
    const char *s; /* stem in the normalised point */
    uint32_t len;
    int entry;   /* lexicon skill or -1 */
    int concept; /* concepts.tsv entry or -1 */
    uint8_t script;
};

struct window_hit {
    double recall;
    size_t first, last; /* sentence range */
};

static bool stopword(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof STOPWORDS / sizeof *STOPWORDS; i++)
        if (strlen(STOPWORDS[i]) == n && memcmp(STOPWORDS[i], s, n) == 0) return true;
    return false;
}

static bool word_match(const char *a, size_t na, uint8_t sa, const char *b, size_t nb)
{
    if (na == nb && memcmp(a, b, na) == 0) return true;
    size_t min = sa == KC_SCRIPT_HANGUL ? 6 : 5, k = 0;
    if (na < min || nb < min) return false;
    while (k < na && k < nb && a[k] == b[k]) k++;
    if (sa == KC_SCRIPT_HANGUL) k -= k % 3;
    return k >= min;
}

static bool inside(const struct kc_lex_matches *m, uint32_t off)
{
    for (size_t j = 0; j < m->n; j++)
        if (off >= m->v[j].off && off < m->v[j].off + m->v[j].len) return true;
    return false;
}

/* Content words of a normalised point: skills and concepts as units, then the non-stop tokens
 * outside them. */
static size_t point_words(const struct kc_textkit *kit, const char *n, struct pword *out,
                          size_t cap)
{
    struct kc_lex_matches sk = {0}, co = {0};
    struct kc_tokens t = {0};
    size_t k = 0;
    kc_lex_find(kit->skills, n, strlen(n), &sk, NULL);
    kc_lex_find(kit->concepts, n, strlen(n), &co, NULL);
    kc_tok_words(n, strlen(n), &t, NULL);
    for (size_t i = 0; i < sk.n && k < cap; i++)
        out[k++] = (struct pword){n + sk.v[i].off, sk.v[i].len, (int)sk.v[i].entry, -1, 0};
    for (size_t i = 0; i < co.n && k < cap; i++)
        if (!inside(&sk, co.v[i].off))
            out[k++] = (struct pword){n + co.v[i].off, co.v[i].len, -1, (int)co.v[i].entry, 0};
    for (size_t i = 0; i < t.n && k < cap; i++) {
        const struct kc_token *tk = &t.v[i];
        if (inside(&sk, tk->off) || inside(&co, tk->off) || stopword(n + tk->off, tk->len))
            continue;
        if (tk->script == KC_SCRIPT_LATIN && tk->nchars < 2) continue;
        out[k++] = (struct pword){n + tk->off, tk->len, -1, -1, tk->script};
    }
    kc_lex_matches_free(&sk);
    kc_lex_matches_free(&co);
    kc_tokens_free(&t);
    return k;
}

static bool word_in_window(const struct kc_doc *d, const struct kc_lex_matches *concepts,
                           const struct pword *w, size_t s0, size_t s1)
{
    if (w->concept >= 0) {
        uint32_t a = d->sent[s0].off, b = d->sent[s1].off + d->sent[s1].len;
        for (size_t m = 0; m < concepts->n; m++)
            if ((int)concepts->v[m].entry == w->concept && concepts->v[m].off >= a &&
                concepts->v[m].off < b)
                return true;
        return false;
    }
    for (size_t s = s0; s <= s1; s++) {
        const struct kc_doc_sentence *st = &d->sent[s];
        if (w->entry >= 0) {
            for (uint32_t m = st->skill_first; m < st->skill_first + st->skill_count; m++)
                if ((int)d->skills.v[m].entry == w->entry) return true;
            continue;
        }
        for (uint32_t t = st->tok_first; t < st->tok_first + st->tok_count; t++) {
            const struct kc_token *tk = &d->tokens.v[t];
            if (word_match(w->s, w->len, w->script, d->norm.text + tk->off, tk->len)) return true;
        }
    }
    return false;
}

static struct window_hit best_window(const struct kc_doc *d, const struct kc_lex_matches *concepts,
                                     const struct pword *w, size_t nw)
{
    struct window_hit best = {0, 0, 0};
    for (size_t s = 0; s < d->n_sent && nw > 0; s++) {
        for (size_t e = s; e < d->n_sent && e <= s + 1; e++) {
            size_t hit = 0;
            for (size_t i = 0; i < nw; i++) hit += word_in_window(d, concepts, &w[i], s, e);
            double r = (double)hit / (double)nw;
            if (r > best.recall + 1e-12) best = (struct window_hit){r, s, e};
        }
    }
    return best;
}

static json_t *coverage_json(const struct kc_textkit *kit, const struct kc_doc *d,
                             const json_t *points, double *value)
{
    json_t *arr = json_array();
    size_t covered = 0, i;
    const json_t *p;
    struct kc_lex_matches concepts = {0};
    kc_lex_find(kit->concepts, d->norm.text, d->norm.len, &concepts, NULL);
    json_array_foreach(points, i, p)
    {
        char *n = kc_norm_dup(json_string_value(p), json_string_length(p));
        struct pword w[64];
        size_t nw = n ? point_words(kit, n, w, 64) : 0;
        struct window_hit h = best_window(d, &concepts, w, nw);
        bool ok = nw > 0 && h.recall >= KC_GRADE_COVER_MIN;
        covered += ok;
        json_t *o = json_pack("{s:s, s:b, s:f, s:i}", "point", json_string_value(p), "covered", ok,
                              "match", round(h.recall * 1000) / 1000, "content_words", (int)nw);
        if (h.recall > 0) {
            uint32_t a = d->sent[h.first].off_src;
            uint32_t b = d->sent[h.last].off_src + d->sent[h.last].len_src;
            json_object_set_new(o, "span",
                                json_pack("{s:s%, s:i, s:i}", "text", d->text + a, (size_t)(b - a),
                                          "offset", (int)a, "length", (int)(b - a)));
        }
        json_array_append_new(arr, o);
        free(n);
    }
    kc_lex_matches_free(&concepts);
    *value = json_array_size(points) ? (double)covered / (double)json_array_size(points) : 0;
    return json_pack("{s:f, s:s, s:i, s:i, s:o}", "value", round(*value * 1000) / 1000, "status",
                     "ok", "covered", (int)covered, "expected", (int)json_array_size(points),
                     "points", arr);
}

static json_t *star_json(const struct kc_textkit *kit, const struct kc_doc *d, double *value)
{
    static const char *const parts[] = {"situation", "task", "action", "result"};
    struct kc_lex_matches m = {0};
    kc_lex_find(kit->star, d->norm.text, d->norm.len, &m, NULL);
    json_t *o = json_object();
    int found = 0;
    for (int p = 0; p < 4; p++) {
        int e = kc_textkit_entry(kit->star, parts[p]);
        json_t *part = json_pack("{s:b}", "found", 0);
        for (size_t i = 0; i < m.n; i++) {
            if ((int)m.v[i].entry != e) continue;
            uint32_t off, len;
            kc_doc_src_span(d, m.v[i].off, m.v[i].len, &off, &len);
            json_decref(part);
            part = json_pack("{s:b, s:s%, s:i, s:i}", "found", 1, "cue", d->text + off, (size_t)len,
                             "offset", (int)off, "length", (int)len);
            found++;
            break;
        }
        json_object_set_new(o, parts[p], part);
    }
    kc_lex_matches_free(&m);
    *value = found / 4.0;
    return json_pack("{s:f, s:s, s:o}", "value", *value, "status", "ok", "parts", o);
}

struct word {
    uint32_t off, len; /* core (punctuation stripped), normalised */
    bool pause;        /* followed by , . … ? ! ; */
};

static json_t *specificity_json(const struct kc_doc *d, const struct word *w, size_t nw,
                                double *value)
{
    json_t *nums = json_array(), *skills = json_array();
    for (size_t i = 0; i < nw; i++) {
        bool digit = false;
        for (uint32_t k = 0; k < w[i].len && !digit; k++)
            digit = d->norm.text[w[i].off + k] >= '0' && d->norm.text[w[i].off + k] <= '9';
        if (!digit) continue;
        uint32_t off, len;
        kc_doc_src_span(d, w[i].off, w[i].len, &off, &len);
        json_array_append_new(
            nums, json_pack("{s:s%, s:i}", "text", d->text + off, (size_t)len, "offset", (int)off));
    }
    for (size_t m = 0; m < d->skills.n; m++) {
        const char *canon = kc_lex_entry_at(d->kit->skills, d->skills.v[m].entry)->canonical;
        bool seen = false;
        for (size_t k = 0; k < json_array_size(skills) && !seen; k++)
            seen = strcmp(json_string_value(json_array_get(skills, k)), canon) == 0;
        if (!seen) json_array_append_new(skills, json_string(canon));
    }
    size_t total = json_array_size(nums) + json_array_size(skills);
    *value = fmin(1.0, (double)total / KC_GRADE_SPECIFIC_SATURATION);
    return json_pack("{s:f, s:s, s:i, s:o, s:o}", "value", round(*value * 1000) / 1000, "status",
                     "ok", "count", (int)total, "numbers", nums, "skills", skills);
}

/* ---- words, length and fillers ---- */

static bool punct(uint32_t c)
{
    return (c < 0x80 && !kc_cp_is_word(c) && c != ' ' && c != '\n') || c == 0x2026 || c == 0x3002;
}

static size_t split_words(const struct kc_doc *d, struct word *w, size_t cap)
{
    const char *t = d->norm.text;
    size_t n = 0, i = 0, len = d->norm.len;
    while (i < len && n < cap) {
        while (i < len && (t[i] == ' ' || t[i] == '\n')) i++;
        size_t a = i;
        while (i < len && t[i] != ' ' && t[i] != '\n') i++;
        size_t b = i, ca = a, cb = b;
        uint32_t c;
        while (ca < cb) {
            int k = kc_utf8_decode(t + ca, cb - ca, &c);
            if (k == 0 || !punct(c)) break;
            ca += (size_t)k;
        }
        bool pause = false;
        while (cb > ca) {
            size_t p = cb - 1;
            while (p > ca && ((uint8_t)t[p] & 0xC0) == 0x80) p--;
            if (kc_utf8_decode(t + p, cb - p, &c) == 0 || !punct(c)) break;
            pause |= c == ',' || c == '.' || c == 0x2026 || c == '?' || c == '!' || c == ';';
            cb = p;
        }
        if (cb > ca) w[n++] = (struct word){(uint32_t)ca, (uint32_t)(cb - ca), pause};
    }
    return n;
}

/* Length in words of the filler surface matched at word i (0 = none); *always from its entry. */
static size_t filler_at(const struct kc_doc *d, const struct word *w, size_t nw, size_t i,
                        bool *always)
{
    const struct kc_lexicon *f = d->kit->fillers;
    for (size_t e = 0; e < kc_lex_size(f); e++) {
        const struct kc_lex_entry *en = kc_lex_entry_at(f, e);
        for (size_t s = 0; s < en->n_surfaces; s++) {
            const char *p = en->surfaces[s];
            size_t k = i;
            while (*p && k < nw) {
                size_t wl = w[k].len;
                if (strncmp(p, d->norm.text + w[k].off, wl) != 0 || (p[wl] != ' ' && p[wl] != '\0'))
                    break;
                p += wl + (p[wl] == ' ');
                k++;
            }
            if (*p == '\0' && k > i) {
                *always = strcmp(en->canonical, "always") == 0;
                return k - i;
            }
        }
    }
    return 0;
}

static json_t *fillers_json(const struct kc_doc *d, const struct word *w, size_t nw, double *value)
{
    size_t *len = calloc(nw + 1, sizeof *len);
    bool *always = calloc(nw + 1, sizeof *always);
    json_t *ev = json_array();
    size_t count = 0;
    for (size_t i = 0; len && always && i < nw; i++) len[i] = filler_at(d, w, nw, i, &always[i]);
    for (size_t i = 0; len && always && i < nw; i++) {
        if (!len[i]) continue;
        size_t last = i + len[i] - 1;
        bool repeated =
            last + 1 < nw && w[last + 1].len == w[i].len &&
            memcmp(d->norm.text + w[i].off, d->norm.text + w[last + 1].off, w[i].len) == 0;
        bool ctx = w[last].pause || repeated || (last + 1 < nw && len[last + 1]) ||
                   (i > 0 && len[i - 1] && always[i - 1]);
        if (!always[i] && !ctx) continue;
        count += len[i];
        uint32_t off, l;
        kc_doc_src_span(d, w[i].off, w[last].off + w[last].len - w[i].off, &off, &l);
        if (json_array_size(ev) < 50)
            json_array_append_new(ev, json_pack("{s:s%, s:i, s:i}", "text", d->text + off,
                                                (size_t)l, "offset", (int)off, "length", (int)l));
        i = last;
    }
    free(len);
    free(always);
    double ratio = nw ? (double)count / (double)nw : 0;
    *value = 1.0 - fmin(1.0, ratio / KC_GRADE_FILLER_ZERO);
    return json_pack("{s:f, s:s, s:i, s:f, s:o}", "value", round(*value * 1000) / 1000, "status",
                     "ok", "count", (int)count, "ratio", round(ratio * 1000) / 1000, "words", ev);
}

static json_t *length_json(size_t words, enum kc_lang lang, double *value)
{
    double lo = lang == KC_LANG_KO ? KC_GRADE_KO_MIN : KC_GRADE_EN_MIN;
    double hi = lang == KC_LANG_KO ? KC_GRADE_KO_MAX : KC_GRADE_EN_MAX;
    const char *band = "ok";
    *value = 1.0;
    if (words < lo)
        *value = words / lo, band = "too_short";
    else if (words > hi)
        *value = fmax(0.0, 1.0 - (words - hi) / hi), band = "too_long";
    return json_pack("{s:f, s:s, s:i, s:[f, f], s:s}", "value", round(*value * 1000) / 1000,
                     "status", "ok", "words", (int)words, "band", lo, hi, "band_status", band);
}

/* ---- request ---- */

static int get_points(const json_t *request, const json_t **points, struct kc_err *err)
{
    const json_t *q = json_object_get(request, "question");
    if (q && !json_is_object(q))
        return kc_err_field(err, KC_E_INVALID, "question", "question: must be an object");
    const char *key = json_object_get(q, "expected_points") ? "expected_points" : "good_answer";
    const json_t *p = json_object_get(q, key);
    char field[64];
    snprintf(field, sizeof field, "question.%s", key);
    *points = NULL;
    if (!p || json_is_null(p)) return 0;
    if (!json_is_array(p) || json_array_size(p) > KC_GRADE_MAX_POINTS)
        return kc_err_field(err, KC_E_INVALID, field, "%s: must be an array of at most %d strings",
                            field, KC_GRADE_MAX_POINTS);
    size_t i;
    const json_t *v;
    json_array_foreach(p, i, v)
    {
        char f[96];
        snprintf(f, sizeof f, "%s[%zu]", field, i);
        if (!json_is_string(v))
            return kc_err_field(err, KC_E_INVALID, f, "%s: must be a string", f);
        if (kc_doc_check_text(json_string_value(v), json_string_length(v), f, err) != 0) return -1;
    }
    *points = json_array_size(p) ? p : NULL;
    return 0;
}

static int get_lang(const json_t *request, const struct kc_doc *d, enum kc_lang *lang,
                    struct kc_err *err)
{
    const json_t *l = json_object_get(request, "lang");
    const char *s = l ? json_string_value(l) : "auto";
    if (s && strcmp(s, "ko") == 0)
        *lang = KC_LANG_KO;
    else if (s && strcmp(s, "en") == 0)
        *lang = KC_LANG_EN;
    else if (s && strcmp(s, "auto") == 0)
        *lang = d->lang;
    else
        return kc_err_field(err, KC_E_INVALID, "lang", "lang: must be \"ko\", \"en\" or \"auto\"");
    return 0;
}

static void reasons(json_t *out, double score, const double *v, bool have_cov, size_t words,
                    const char *band)
{
    struct kc_sb ko = {0}, en = {0};
    kc_sb_printf(&ko, "점수 %.1f점: ", score);
    kc_sb_printf(&en, "Score %.1f: ", score);
    if (have_cov) {
        kc_sb_printf(&ko, "기대 요점 충족 %.0f%%, ", v[0] * 100);
        kc_sb_printf(&en, "%.0f%% of expected points covered, ", v[0] * 100);
    } else {
        kc_sb_puts(&ko, "기대 요점이 없어 충족도 미평가, ");
        kc_sb_puts(&en, "coverage not assessed (no expected points), ");
    }
    kc_sb_printf(&ko, "STAR 구성 %d/4, 구체성 %.0f%%, 길이 %zu어절(%s), 군말 점수 %.0f%%.",
                 (int)lround(v[1] * 4), v[2] * 100, words,
                 strcmp(band, "ok") == 0          ? "적정"
                 : strcmp(band, "too_short") == 0 ? "짧음"
                                                  : "김",
                 v[4] * 100);
    kc_sb_printf(&en, "STAR parts %d/4, specificity %.0f%%, %zu words (%s), filler score %.0f%%.",
                 (int)lround(v[1] * 4), v[2] * 100, words, band, v[4] * 100);
    json_object_set_new(out, "reason_ko", json_string(kc_sb_str(&ko)));
    json_object_set_new(out, "reason_en", json_string(kc_sb_str(&en)));
    kc_sb_free(&ko);
    kc_sb_free(&en);
}

static json_t *grade_doc(const struct kc_textkit *kit, const struct kc_doc *d, const json_t *points,
                         enum kc_lang lang)
{
    static const double W[5] = {KC_GRADE_W_COVERAGE, KC_GRADE_W_STAR, KC_GRADE_W_SPECIFIC,
                                KC_GRADE_W_LENGTH, KC_GRADE_W_FILLER};
    double v[5] = {0};
    size_t cap = d->norm.len / 2 + 2;
    struct word *w = malloc(cap * sizeof *w);
    if (!w) return NULL;
    size_t nw = split_words(d, w, cap);
    json_t *comp = json_object();
    json_object_set_new(comp, "coverage",
                        points ? coverage_json(kit, d, points, &v[0])
                               : json_pack("{s:n, s:s, s:s}", "value", "status", "unavailable",
                                           "reason", "the question has no expected points"));
    json_object_set_new(comp, "star", star_json(kit, d, &v[1]));
    json_object_set_new(comp, "specificity", specificity_json(d, w, nw, &v[2]));
    json_t *len = length_json(nw, lang, &v[3]);
    const char *band = json_string_value(json_object_get(len, "band_status"));
    json_object_set_new(comp, "length", len);
    json_object_set_new(comp, "fillers", fillers_json(d, w, nw, &v[4]));
    free(w);
    double wsum = 0, total = 0;
    json_t *weights = json_object();
    for (int i = 0; i < 5; i++) wsum += (i == 0 && !points) ? 0 : W[i];
    static const char *const names[] = {"coverage", "star", "specificity", "length", "fillers"};
    for (int i = 0; i < 5; i++) {
        double wi = (i == 0 && !points) ? 0 : W[i] / wsum;
        total += wi * v[i];
        json_object_set_new(weights, names[i], json_real(round(wi * 1000) / 1000));
    }
    double score = round(total * 1000.0) / 10.0;
    json_t *out = json_pack(
        "{s:f, s:s, s:o, s:o, s:s}", "score", score, "lang", kc_lang_code(lang), "components", comp,
        "weights", weights, "formula",
        "score = 100 * sum(weight * component); components: coverage of expected points, STAR "
        "parts present / 4, specificity = min(1, (numbers + distinct skills) / 6), length band, "
        "fillers = 1 - min(1, filler_ratio / 0.15); without expected points the coverage weight "
        "is spread over the others");
    reasons(out, score, v, points != NULL, nw, band);
    return out;
}

json_t *kc_grade_json(const struct kc_textkit *kit, const json_t *request, struct kc_err *err)
{
    if (!json_is_object(request)) {
        kc_err_set(err, KC_E_BAD_REQUEST, "request must be a JSON object");
        return NULL;
    }
    const json_t *points;
    if (get_points(request, &points, err) != 0) return NULL;
    const json_t *t = json_object_get(request, "transcript");
    if (!json_is_string(t)) {
        kc_err_field(err, KC_E_INVALID, "transcript", "transcript: required string");
        return NULL;
    }
    struct kc_doc d;
    struct kc_ym ref = {KC_YEAR_MAX, 12}; /* dates play no part in grading */
    if (kc_doc_open(&d, kit, json_string_value(t), json_string_length(t), ref, "transcript", err) !=
        0)
        return NULL;
    enum kc_lang lang = KC_LANG_EN;
    json_t *out = NULL;
    if (get_lang(request, &d, &lang, err) == 0) {
        out = grade_doc(kit, &d, points, lang);
        if (!out) kc_err_set(err, KC_E_NOMEM, "grading: out of memory");
    }
    kc_doc_close(&d);
    return out;
}
