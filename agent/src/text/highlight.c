/*
 * highlight.c — resume sentence tags with reasons. See highlight.h for the tag rules.
 *
 * One pass over the resume sentences builds each sentence's tag list; document-level mismatches
 * are computed from the job context and the experience total. Sentences without tags are left
 * out of the result.
 */
#include "text/highlight.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/experience.h"
#include "text/josa.h"
#include "text/screen.h"
#include "text/strbuf.h"
#include "text/utf8.h"

static const char *const YEARS_KO[] = {"년 차",     "년차",    "년간",    "년 동안", "년 이상",
                                       "년의 경력", "년 경력", "년 넘게", "년 넘는"};
static const char *const YEARS_EN[] = {"+ years", "+years",    " years of",
                                       " years'", " years in", " years experience",
                                       "-year",   " yrs",      " years as"};

static const char *const SECTION_NAMES[KC_SEC_COUNT] = {
    "none",      "education", "experience", "projects",  "skills",   "certificates",
    "awards",    "summary",   "activities", "languages", "military", "requirements",
    "preferred", "duties",    "benefits",   "company",   "process"};

static bool has_at(const char *s, size_t len, size_t i, const char *p)
{
    size_t n = strlen(p);
    return i + n <= len && memcmp(s + i, p, n) == 0;
}

bool kc_sentence_years_claim(const struct kc_doc *d, size_t s, double *years, uint32_t *off,
                             uint32_t *len)
{
    const char *t = d->norm.text + d->sent[s].off;
    size_t n = d->sent[s].len;
    for (size_t i = 0; i < n; i++) {
        if (t[i] < '0' || t[i] > '9' ||
            (i > 0 && ((t[i - 1] >= '0' && t[i - 1] <= '9') || t[i - 1] == '.')))
            continue;
        size_t j = i;
        int v = 0;
        while (j < n && t[j] >= '0' && t[j] <= '9' && j - i < 3) v = v * 10 + (t[j++] - '0');
        if (j - i > 2 || v < 1 || v > 50 ||
            (j < n && (t[j] == '.' || (t[j] >= '0' && t[j] <= '9'))))
            continue;
        const char *const *pats = YEARS_KO;
        size_t np = sizeof YEARS_KO / sizeof *YEARS_KO;
        for (int lang = 0; lang < 2; lang++) {
            for (size_t k = 0; k < np; k++) {
                if (!has_at(t, n, j, pats[k])) continue;
                *years = v;
                *off = d->sent[s].off + (uint32_t)i;
                *len = (uint32_t)(j - i + strlen(pats[k]));
                return true;
            }
            pats = YEARS_EN;
            np = sizeof YEARS_EN / sizeof *YEARS_EN;
        }
    }
    return false;
}

int kc_values_of_text(const struct kc_textkit *kit, const char *text, size_t len, uint8_t *set,
                      struct kc_err *err)
{
    if (kc_doc_check_text(text, len, "values", err) != 0) return -1;
    char *n = kc_norm_dup(text, len);
    struct kc_lex_matches m = {0};
    if (!n || kc_lex_find(kit->values, n, strlen(n), &m, err) != 0) {
        free(n);
        return kc_err_set(err, KC_E_NOMEM, "values: out of memory");
    }
    for (size_t i = 0; i < m.n; i++) set[m.v[i].entry] = 1;
    kc_lex_matches_free(&m);
    free(n);
    return 0;
}

int kc_sentence_value(const struct kc_doc *d, size_t s, const uint8_t *set, uint32_t *off,
                      uint32_t *len)
{
    const struct kc_doc_sentence *st = &d->sent[s];
    struct kc_lex_matches m = {0};
    if (kc_lex_find(d->kit->values, d->norm.text + st->off, st->len, &m, NULL) != 0) return -1;
    int found = -1;
    for (size_t i = 0; i < m.n && found < 0; i++) {
        if (!set[m.v[i].entry]) continue;
        found = (int)m.v[i].entry;
        *off = st->off + m.v[i].off;
        *len = m.v[i].len;
    }
    kc_lex_matches_free(&m);
    return found;
}

int kc_sentence_negated_skill(const struct kc_doc *d, size_t s, const struct kc_jobctx *ctx,
                              uint32_t *off, uint32_t *len)
{
    const struct kc_doc_sentence *st = &d->sent[s];
    if (!st->negated) return -1;
    for (uint32_t m = st->skill_first; m < st->skill_first + st->skill_count; m++) {
        uint32_t e = d->skills.v[m].entry;
        if (ctx->skill[e] == KC_JOBSKILL_NONE) continue;
        *off = d->skills.v[m].off;
        *len = d->skills.v[m].len;
        return (int)e;
    }
    return -1;
}

const char *kc_value_label(const struct kc_textkit *kit, size_t entry, enum kc_lang lang)
{
    const struct kc_lex_entry *en = kc_lex_entry_at(kit->values, entry);
    if (lang == KC_LANG_EN) return en->canonical;
    for (size_t i = 0; i < en->n_surfaces; i++) {
        uint32_t c;
        if (kc_utf8_decode(en->surfaces[i], strlen(en->surfaces[i]), &c) > 0 && kc_cp_is_hangul(c))
            return en->surfaces[i];
    }
    return en->canonical;
}

/* ---- tag construction ---- */

static json_t *span_json(const struct kc_doc *d, uint32_t off, uint32_t len)
{
    uint32_t so, sl;
    kc_doc_src_span(d, off, len, &so, &sl);
    return json_pack("{s:s%, s:i, s:i}", "text", d->text + so, (size_t)sl, "offset", (int)so,
                     "length", (int)sl);
}

static json_t *tag(const char *name, const struct kc_sb *ko, const struct kc_sb *en, json_t *ev)
{
    return json_pack("{s:s, s:s, s:s, s:o}", "tag", name, "reason_ko", kc_sb_str(ko), "reason_en",
                     kc_sb_str(en), "evidence", ev ? ev : json_array());
}

static void add_tag(json_t *tags, const char *name, struct kc_sb *ko, struct kc_sb *en, json_t *ev)
{
    json_array_append_new(tags, tag(name, ko, en, ev));
    kc_sb_free(ko);
    kc_sb_free(en);
}

static void tag_skill_fit(const struct kc_doc *d, size_t s, const struct kc_jobctx *ctx,
                          json_t *tags)
{
    const struct kc_doc_sentence *st = &d->sent[s];
    if (st->negated) return;
    struct kc_sb ko = {0}, en = {0};
    json_t *ev = json_array();
    for (uint32_t m = st->skill_first; m < st->skill_first + st->skill_count; m++) {
        uint32_t e = d->skills.v[m].entry;
        if (ctx->skill[e] == KC_JOBSKILL_NONE) continue;
        json_t *sp = span_json(d, d->skills.v[m].off, d->skills.v[m].len);
        const char *canon = kc_lex_entry_at(d->kit->skills, e)->canonical;
        json_object_set_new(sp, "canonical", json_string(canon));
        kc_sb_printf(&ko, "%s%s", json_array_size(ev) ? ", " : "공고 관련 기술 언급: ", canon);
        kc_sb_printf(&en, "%s%s",
                     json_array_size(ev) ? ", " : "Mentions skills the job asks for: ", canon);
        json_array_append_new(ev, sp);
    }
    if (json_array_size(ev))
        add_tag(tags, "skill_fit", &ko, &en, ev);
    else
        json_decref(ev), kc_sb_free(&ko), kc_sb_free(&en);
}

static void tag_experience(const struct kc_doc *d, size_t s, const struct kc_experience *x,
                           double min_years, json_t *tags)
{
    struct kc_sb ko = {0}, en = {0};
    for (size_t i = 0; i < x->n_kept; i++) {
        if (x->kept_sent[i] != s || x->kept[i].rejected) continue;
        char a[8], b[8];
        kc_ym_format(x->kept[i].start, a);
        kc_ym_format(x->kept[i].end, b);
        int months = kc_ym_index(x->kept[i].end) - kc_ym_index(x->kept[i].start) + 1;
        kc_sb_printf(&ko, "경력 기간 %s ~ %s (%d개월)", a, b, months);
        kc_sb_printf(&en, "Work period %s to %s (%d months)", a, b, months);
        add_tag(tags, "experience", &ko, &en,
                json_pack("[o]", span_json(d, x->kept[i].off, x->kept[i].len)));
        return;
    }
    double years;
    uint32_t off, len;
    if (!kc_sentence_years_claim(d, s, &years, &off, &len)) return;
    kc_sb_printf(&ko, "경력 %g년 언급", years);
    kc_sb_printf(&en, "Claims %g years of experience", years);
    add_tag(tags, "experience", &ko, &en, json_pack("[o]", span_json(d, off, len)));
    if (min_years > 0 && years < min_years) {
        kc_sb_printf(&ko, "경력 %g년 언급, 공고는 %g년 이상 요구", years, min_years);
        kc_sb_printf(&en, "Claims %g years; the job asks for at least %g", years, min_years);
        add_tag(tags, "mismatch", &ko, &en, json_pack("[o]", span_json(d, off, len)));
    }
}

static void tag_value(const struct kc_doc *d, size_t s, const uint8_t *values, json_t *tags)
{
    uint32_t off, len;
    int v = values ? kc_sentence_value(d, s, values, &off, &len) : -1;
    if (v < 0) return;
    struct kc_sb ko = {0}, en = {0};
    json_t *sp = span_json(d, off, len);
    kc_sb_printf(&ko, "회사 가치 '%s'에 부합하는 표현: '%s'",
                 kc_value_label(d->kit, (size_t)v, KC_LANG_KO),
                 json_string_value(json_object_get(sp, "text")));
    kc_sb_printf(&en, "Matches the company value '%s': '%s'",
                 kc_value_label(d->kit, (size_t)v, KC_LANG_EN),
                 json_string_value(json_object_get(sp, "text")));
    add_tag(tags, "value_fit", &ko, &en, json_pack("[o]", sp));
}

static void tag_negation(const struct kc_doc *d, size_t s, const struct kc_jobctx *ctx,
                         json_t *tags)
{
    uint32_t off, len;
    int e = kc_sentence_negated_skill(d, s, ctx, &off, &len);
    if (e < 0) return;
    const char *canon = kc_lex_entry_at(d->kit->skills, (size_t)e)->canonical;
    struct kc_sb ko = {0}, en = {0};
    kc_sb_printf(&ko, "공고%s 기술 %s에 대해 경험이 없다고 기술",
                 ctx->skill[e] == KC_JOBSKILL_REQUIRED ? " 필수" : "", canon);
    kc_sb_printf(&en, "States no experience with %s, which the job %s", canon,
                 ctx->skill[e] == KC_JOBSKILL_REQUIRED ? "requires" : "asks for");
    add_tag(tags, "mismatch", &ko, &en, json_pack("[o]", span_json(d, off, len)));
}

static void tag_tone(const struct kc_doc *d, size_t s, json_t *tags)
{
    const struct kc_doc_sentence *st = &d->sent[s];
    struct kc_lex_matches m = {0};
    if (kc_lex_find(d->kit->tone, d->norm.text + st->off, st->len, &m, NULL) != 0 || m.n == 0) {
        kc_lex_matches_free(&m);
        return;
    }
    struct kc_sb ko = {0}, en = {0};
    json_t *ev = json_array();
    kc_sb_puts(&ko, "부정적 어조의 표현: ");
    kc_sb_puts(&en, "Negative-tone wording: ");
    for (size_t i = 0; i < m.n; i++) {
        json_t *sp = span_json(d, st->off + m.v[i].off, m.v[i].len);
        const char *w = json_string_value(json_object_get(sp, "text"));
        kc_sb_printf(&ko, "%s'%s'", i ? ", " : "", w);
        kc_sb_printf(&en, "%s'%s'", i ? ", " : "", w);
        json_array_append_new(ev, sp);
    }
    kc_lex_matches_free(&m);
    add_tag(tags, "negative_tone", &ko, &en, ev);
}

/* ---- document level ---- */

static bool skill_present(const struct kc_doc *d, uint32_t e)
{
    for (size_t m = 0; m < d->skills.n; m++)
        if (d->skills.v[m].entry == e && d->skill_sent[m] != UINT32_MAX &&
            !d->sent[d->skill_sent[m]].negated)
            return true;
    return false;
}

static json_t *document_mismatches(const struct kc_doc *d, const struct kc_jobctx *ctx,
                                   const struct kc_experience *x)
{
    json_t *out = json_array();
    for (size_t e = 0; e < kc_lex_size(d->kit->skills); e++) {
        if (ctx->skill[e] != KC_JOBSKILL_REQUIRED || skill_present(d, (uint32_t)e)) continue;
        const char *canon = kc_lex_entry_at(d->kit->skills, e)->canonical;
        struct kc_sb ko = {0}, en = {0};
        kc_sb_printf(&ko, "필수 기술 %s%s 이력서에서 확인되지 않음", canon,
                     kc_josa_pick(canon, strlen(canon), "이/가"));
        kc_sb_printf(&en, "Required skill %s is not found in the resume", canon);
        add_tag(out, "mismatch", &ko, &en, NULL);
    }
    double years = kc_experience_years(x);
    if (ctx->min_years > 0 && x->n_merged > 0 && years < ctx->min_years) {
        struct kc_sb ko = {0}, en = {0};
        kc_sb_printf(&ko, "총 경력 %.1f년, 공고 요구 %g년 이상", years, ctx->min_years);
        kc_sb_printf(&en, "Total experience %.1f years; the job asks for at least %g", years,
                     ctx->min_years);
        add_tag(out, "mismatch", &ko, &en, NULL);
    }
    return out;
}

static void count_tags(json_t *counts, const json_t *tags)
{
    size_t i;
    const json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *name = json_string_value(json_object_get(t, "tag"));
        json_object_set_new(counts, name,
                            json_integer(json_integer_value(json_object_get(counts, name)) + 1));
    }
}

static json_t *sentences_json(const struct kc_doc *d, const struct kc_jobctx *ctx,
                              const struct kc_experience *x, const uint8_t *values, json_t *counts)
{
    json_t *arr = json_array();
    for (size_t s = 0; s < d->n_sent; s++) {
        if (d->sent[s].heading) continue;
        json_t *tags = json_array();
        tag_skill_fit(d, s, ctx, tags);
        tag_experience(d, s, x, ctx->min_years, tags);
        tag_value(d, s, values, tags);
        tag_negation(d, s, ctx, tags);
        tag_tone(d, s, tags);
        if (json_array_size(tags) == 0) {
            json_decref(tags);
            continue;
        }
        count_tags(counts, tags);
        const struct kc_doc_sentence *st = &d->sent[s];
        json_array_append_new(arr, json_pack("{s:i, s:s%, s:i, s:i, s:s, s:o}", "index", (int)s,
                                             "text", d->text + st->off_src, (size_t)st->len_src,
                                             "offset", (int)st->off_src, "length", (int)st->len_src,
                                             "section", SECTION_NAMES[st->section], "tags", tags));
    }
    return arr;
}

static int load_values(const struct kc_textkit *kit, const json_t *request, uint8_t **set,
                       struct kc_err *err)
{
    const json_t *v = json_object_get(request, "values");
    *set = NULL;
    if (!v || json_is_null(v)) return 0;
    if (!json_is_string(v))
        return kc_err_field(err, KC_E_INVALID, "values", "values: must be a string");
    *set = calloc(kc_lex_size(kit->values), 1);
    if (!*set) return kc_err_set(err, KC_E_NOMEM, "values: out of memory");
    return kc_values_of_text(kit, json_string_value(v), json_string_length(v), *set, err);
}

static json_t *values_json(const struct kc_textkit *kit, const uint8_t *set)
{
    if (!set)
        return json_pack("{s:s, s:s}", "status", "unavailable", "reason",
                         "no company values text given");
    json_t *found = json_array();
    for (size_t e = 0; e < kc_lex_size(kit->values); e++)
        if (set[e])
            json_array_append_new(found, json_string(kc_lex_entry_at(kit->values, e)->canonical));
    return json_pack("{s:s, s:o}", "status", json_array_size(found) ? "ok" : "insufficient_data",
                     "concepts", found);
}

json_t *kc_highlight_json(const struct kc_textkit *kit, const json_t *request, struct kc_err *err)
{
    struct kc_ym ref;
    size_t len;
    if (kc_request_ref(request, &ref, err) != 0) return NULL;
    const char *text = kc_request_text(request, "resume", &len, "resume.text", err);
    if (!text) return NULL;
    struct kc_jobctx ctx;
    if (kc_jobctx_open(kit, json_object_get(request, "job"), &ctx, err) != 0) return NULL;
    uint8_t *values = NULL;
    struct kc_doc d;
    struct kc_experience x;
    json_t *out = NULL;
    const json_t *sections = json_object_get(json_object_get(request, "resume"), "sections");
    if (load_values(kit, request, &values, err) == 0 &&
        kc_doc_open(&d, kit, text, len, ref, "resume.text", err) == 0) {
        if (kc_experience_compute(&d, sections, ref, &x, err) == 0) {
            json_t *counts = json_object();
            json_t *sents = sentences_json(&d, &ctx, &x, values, counts);
            json_t *docm = document_mismatches(&d, &ctx, &x);
            count_tags(counts, docm);
            out = json_pack("{s:s, s:o, s:o, s:o, s:o}", "lang", kc_lang_code(d.lang), "sentences",
                            sents, "document", docm, "counts", counts, "values",
                            values_json(kit, values));
            kc_experience_free(&x);
        }
        kc_doc_close(&d);
    }
    free(values);
    kc_jobctx_close(&ctx);
    return out;
}
