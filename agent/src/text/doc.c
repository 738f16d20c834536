/*
 * doc.c — analysing one text into sentences, tokens, skills, sections, ranges and BM25.
 * See doc.h for the contract.
 */
#include "text/doc.h"

#include <stdlib.h>
#include <string.h>

#include "text/sentence.h"
#include "text/utf8.h"

static const char *const SECTION_IDS[KC_SEC_COUNT] = {
    "",          "education", "experience", "projects",  "skills",   "certificates",
    "awards",    "summary",   "activities", "languages", "military", "requirements",
    "preferred", "duties",    "benefits",   "company",   "process"};

int kc_doc_check_text(const char *text, size_t len, const char *field, struct kc_err *err)
{
    if (!text) return kc_err_field(err, KC_E_INVALID, field, "%s: missing", field);
    if (len > KC_TEXT_MAX_BYTES)
        return kc_err_field(err, KC_E_INVALID, field, "%s: %zu bytes is over the limit of %u",
                            field, len, KC_TEXT_MAX_BYTES);
    if (kc_utf8_validate(text, len, NULL, field, err) != 0) return -1;
    for (size_t i = 0; i < len;) {
        uint32_t c;
        int n = kc_utf8_decode(text + i, len - i, &c);
        if (kc_cp_is_word(c)) return 0;
        i += (size_t)n;
    }
    return kc_err_field(err, KC_E_INVALID, field, "%s: empty (no letters or digits)", field);
}

/* Heading text without decoration: brackets, numbering, trailing ':' etc. */
static void heading_core(const char *t, uint32_t len, uint32_t *a, uint32_t *b)
{
    static const char *const deco[] = {"[", "]", "【", "】", "<",  ">",  "(",  ")",  ":", "·",
                                       "-", "#", "*",  "■",  "□",  "▶",  "●",  "○",  "◆", "◇",
                                       "|", "=", "<",  ">",  "《", "》", "「", "」", " ", "."};
    uint32_t s = 0, e = len;
    for (bool changed = true; changed && s < e;) {
        changed = false;
        while (s < e && ((t[s] >= '0' && t[s] <= '9') &&
                         (s + 1 < e && (t[s + 1] == '.' || t[s + 1] == ')'))))
            s += 2, changed = true;
        for (size_t k = 0; k < sizeof deco / sizeof *deco; k++) {
            size_t n = strlen(deco[k]);
            if (e - s >= n && memcmp(t + s, deco[k], n) == 0) s += (uint32_t)n, changed = true;
            if (e - s >= n && memcmp(t + e - n, deco[k], n) == 0) e -= (uint32_t)n, changed = true;
        }
    }
    *a = s;
    *b = e;
}

static int section_of_heading(const struct kc_doc *d, const struct kc_sentence *s)
{
    if (!s->line_start || kc_utf8_count(d->norm.text + s->off, s->len) > KC_DOC_HEADING_MAX_CHARS)
        return -1;
    uint32_t end = s->off + s->len;
    if (end < d->norm.len && d->norm.text[end] != '\n') return -1; /* not the whole line */
    uint32_t a, b;
    heading_core(d->norm.text + s->off, s->len, &a, &b);
    int e = kc_lex_lookup(d->kit->sections, d->norm.text + s->off + a, b - a);
    if (e < 0) return -1;
    const char *id = kc_lex_entry_at(d->kit->sections, (size_t)e)->canonical;
    for (int k = 1; k < KC_SEC_COUNT; k++)
        if (strcmp(SECTION_IDS[k], id) == 0) return k;
    return -1;
}

static int build_sentences(struct kc_doc *d, struct kc_err *err)
{
    struct kc_sentences ss = {0};
    if (kc_sent_split(&d->norm, d->text, d->len, &ss, err) != 0) return -1;
    d->sent = calloc(ss.n ? ss.n : 1, sizeof *d->sent);
    if (!d->sent) {
        kc_sentences_free(&ss);
        return kc_err_set(err, KC_E_NOMEM, "doc: out of memory");
    }
    int section = KC_SEC_NONE;
    for (size_t i = 0; i < ss.n; i++) {
        struct kc_doc_sentence *s = &d->sent[i];
        s->off = ss.v[i].off;
        s->len = ss.v[i].len;
        s->bullet = ss.v[i].bullet;
        kc_doc_src_span(d, s->off, s->len, &s->off_src, &s->len_src);
        int h = section_of_heading(d, &ss.v[i]);
        if (h >= 0) section = h;
        s->heading = h >= 0;
        s->section = (uint8_t)section;
    }
    d->n_sent = ss.n;
    kc_sentences_free(&ss);
    return 0;
}

/* Assign each token, skill match and range to its sentence (all sorted by offset). */
static int link_sentences(struct kc_doc *d, struct kc_err *err)
{
    for (size_t i = 0, t = 0; i < d->n_sent; i++) {
        struct kc_doc_sentence *s = &d->sent[i];
        while (t < d->tokens.n && d->tokens.v[t].off < s->off) t++;
        s->tok_first = (uint32_t)t;
        while (t < d->tokens.n && d->tokens.v[t].off < s->off + s->len) t++;
        s->tok_count = (uint32_t)t - s->tok_first;
    }
    d->skill_sent = malloc((d->skills.n + 1) * sizeof *d->skill_sent);
    d->range_sent = malloc((d->ranges.n + 1) * sizeof *d->range_sent);
    if (!d->skill_sent || !d->range_sent) return kc_err_set(err, KC_E_NOMEM, "doc: out of memory");
    for (size_t i = 0; i < d->n_sent; i++) d->sent[i].skill_first = UINT32_MAX;
    for (size_t m = 0; m < d->skills.n; m++) {
        size_t s = kc_doc_sentence_at(d, d->skills.v[m].off);
        d->skill_sent[m] = (uint32_t)(s == SIZE_MAX ? UINT32_MAX : s);
        if (s == SIZE_MAX) continue;
        if (d->sent[s].skill_first == UINT32_MAX) d->sent[s].skill_first = (uint32_t)m;
        d->sent[s].skill_count++;
    }
    for (size_t i = 0; i < d->n_sent; i++)
        if (d->sent[i].skill_first == UINT32_MAX) d->sent[i].skill_first = 0;
    for (size_t r = 0; r < d->ranges.n; r++) {
        size_t s = kc_doc_sentence_at(d, d->ranges.v[r].off);
        d->range_sent[r] = (uint32_t)(s == SIZE_MAX ? UINT32_MAX : s);
    }
    int negation = kc_lex_group_find(d->kit->cues, "negation");
    for (size_t i = 0, m = 0; i < d->n_sent; i++) {
        struct kc_doc_sentence *s = &d->sent[i];
        while (m < d->cues.n && d->cues.v[m].off < s->off) m++;
        s->cue_first = (uint32_t)m;
        for (; m < d->cues.n && d->cues.v[m].off < s->off + s->len; m++)
            if ((int)kc_lex_entry_at(d->kit->cues, d->cues.v[m].entry)->group == negation)
                s->negated = true;
        s->cue_count = (uint32_t)m - s->cue_first;
    }
    return 0;
}

static int build_bm25(struct kc_doc *d, struct kc_err *err)
{
    uint64_t **terms = calloc(d->n_sent + 1, sizeof *terms);
    size_t *lens = calloc(d->n_sent + 1, sizeof *lens);
    int rc = (terms && lens) ? 0 : kc_err_set(err, KC_E_NOMEM, "doc: out of memory");
    for (size_t i = 0; i < d->n_sent && rc == 0; i++) {
        size_t cap = 0;
        rc = kc_doc_terms(d->norm.text + d->sent[i].off, d->sent[i].len, &terms[i], &lens[i], &cap,
                          err);
    }
    if (rc == 0) rc = kc_bm25_build(&d->bm25, (const uint64_t *const *)terms, lens, d->n_sent, err);
    for (size_t i = 0; terms && i < d->n_sent; i++) free(terms[i]);
    free(terms);
    free(lens);
    return rc;
}

static void detect_lang(struct kc_doc *d)
{
    size_t hangul = 0, latin = 0;
    for (size_t i = 0; i < d->norm.len;) {
        uint32_t c;
        int n = kc_utf8_decode(d->norm.text + i, d->norm.len - i, &c);
        if (n == 0) n = 1, c = 0;
        hangul += kc_cp_is_hangul_syllable(c);
        latin += kc_cp_is_latin(c);
        i += (size_t)n;
    }
    double total = (double)(hangul + latin);
    d->lang = total > 0 && (double)hangul / total >= KC_DOC_KO_SHARE ? KC_LANG_KO : KC_LANG_EN;
}

int kc_doc_open(struct kc_doc *d, const struct kc_textkit *kit, const char *text, size_t len,
                struct kc_ym ref, const char *field, struct kc_err *err)
{
    memset(d, 0, sizeof *d);
    if (kc_doc_check_text(text, len, field, err) != 0) return -1;
    d->text = text;
    d->len = len;
    d->kit = kit;
    int rc = kc_norm_text(text, len, &d->norm, err);
    if (rc == 0) rc = build_sentences(d, err);
    if (rc == 0) rc = kc_tok_words(d->norm.text, d->norm.len, &d->tokens, err);
    if (rc == 0) rc = kc_lex_find(kit->skills, d->norm.text, d->norm.len, &d->skills, err);
    if (rc == 0) rc = kc_lex_find(kit->cues, d->norm.text, d->norm.len, &d->cues, err);
    if (rc == 0) rc = kc_date_find_ranges(d->norm.text, d->norm.len, ref, &d->ranges, err);
    if (rc == 0) rc = link_sentences(d, err);
    if (rc == 0) rc = build_bm25(d, err);
    if (rc != 0) {
        kc_doc_close(d);
        return -1;
    }
    detect_lang(d);
    return 0;
}

void kc_doc_close(struct kc_doc *d)
{
    if (!d) return;
    kc_norm_free(&d->norm);
    free(d->sent);
    kc_tokens_free(&d->tokens);
    kc_lex_matches_free(&d->skills);
    kc_lex_matches_free(&d->cues);
    free(d->skill_sent);
    kc_date_ranges_free(&d->ranges);
    free(d->range_sent);
    kc_bm25_free(&d->bm25);
    memset(d, 0, sizeof *d);
}

size_t kc_doc_sentence_at(const struct kc_doc *d, uint32_t off)
{
    size_t lo = 0, hi = d->n_sent;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct kc_doc_sentence *s = &d->sent[mid];
        if (off < s->off)
            hi = mid;
        else if (off >= s->off + s->len)
            lo = mid + 1;
        else
            return mid;
    }
    return SIZE_MAX;
}

void kc_doc_src_span(const struct kc_doc *d, uint32_t off, uint32_t len, uint32_t *off_src,
                     uint32_t *len_src)
{
    /* map[off + len] is where the next kept character starts; white space folded or dropped
     * after the span (only at the very end of the text) is trimmed off the source span. */
    uint32_t a = d->norm.map[off], b = d->norm.map[off + len];
    while (b > a && (d->text[b - 1] == ' ' || d->text[b - 1] == '\n' || d->text[b - 1] == '\r' ||
                     d->text[b - 1] == '\t'))
        b--;
    *off_src = a;
    *len_src = b - a;
}

int kc_doc_sentence_cue(const struct kc_doc *d, size_t s, const struct kc_lexicon *lx, int group,
                        uint32_t *match_off, uint32_t *match_len)
{
    const struct kc_doc_sentence *st = &d->sent[s];
    if (lx == d->kit->cues) {
        for (uint32_t i = st->cue_first; i < st->cue_first + st->cue_count; i++) {
            const struct kc_lex_match *cm = &d->cues.v[i];
            if (group >= 0 && kc_lex_entry_at(lx, cm->entry)->group != (uint32_t)group) continue;
            if (match_off) *match_off = cm->off;
            if (match_len) *match_len = cm->len;
            return (int)cm->entry;
        }
        return -1;
    }
    struct kc_lex_matches m = {0};
    if (kc_lex_find(lx, d->norm.text + st->off, st->len, &m, NULL) != 0) return -1;
    int found = -1;
    for (size_t i = 0; i < m.n && found < 0; i++) {
        if (group >= 0 && kc_lex_entry_at(lx, m.v[i].entry)->group != (uint32_t)group) continue;
        found = (int)m.v[i].entry;
        if (match_off) *match_off = st->off + m.v[i].off;
        if (match_len) *match_len = m.v[i].len;
    }
    kc_lex_matches_free(&m);
    return found;
}

int kc_doc_terms(const char *norm, size_t len, uint64_t **terms, size_t *n, size_t *cap,
                 struct kc_err *err)
{
    return kc_tok_terms(norm, len, terms, n, cap, err);
}
