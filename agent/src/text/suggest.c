/*
 * suggest.c — criteria and weights suggested from a job description (criteria.h describes the
 * rule), and the minimum-years statement parser.
 *
 * Data layout: one stat per skills-lexicon entry seen in the job text (mentions, required flag),
 * then one bucket per lexicon group accumulating raw weight; buckets are sorted by raw weight
 * and the top KC_SUGGEST_MAX become criteria.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "text/criteria.h"
#include "text/doc.h"

static bool at(const char *s, size_t len, size_t i, const char *p)
{
    size_t n = strlen(p);
    return i + n <= len && memcmp(s + i, p, n) == 0;
}

static bool before(const char *s, size_t i, const char *p)
{
    size_t n = strlen(p);
    return i >= n && memcmp(s + i - n, p, n) == 0;
}

/* Is the number s[a..b) followed/preceded by a years-of-experience phrase? */
static bool years_phrase(const char *s, size_t len, size_t a, size_t b)
{
    size_t j = b;
    bool plus = j < len && s[j] == '+';
    if (plus) j++;
    if (j < len && s[j] == ' ') j++;
    if (at(s, len, j, "년")) {
        size_t k = j + strlen("년");
        if (at(s, len, k, "차")) k += strlen("차");
        if (k < len && s[k] == ' ') k++;
        return at(s, len, k, "이상") || before(s, a, "경력 ") || before(s, a, "경력");
    }
    if (!at(s, len, j, "year")) return false;
    size_t k = j + (at(s, len, j, "years") ? 5 : 4);
    return plus || at(s, len, k, " of") || at(s, len, k, " or more") || before(s, a, "at least ") ||
           before(s, a, "minimum ") || before(s, a, "minimum of ") ||
           at(s, len, k, " experience") || at(s, len, k, " in ");
}

double kc_criteria_min_years(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9' || (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')) continue;
        size_t j = i;
        int v = 0;
        while (j < len && s[j] >= '0' && s[j] <= '9' && j - i < 3) v = v * 10 + (s[j++] - '0');
        if (j - i > 2 || (j < len && s[j] >= '0' && s[j] <= '9') || v < 1 || v > 30) continue;
        if (j < len && s[j] == '.') continue; /* a decimal or a date */
        if (years_phrase(s, len, i, j)) return v;
    }
    return 0;
}

struct skill_stat {
    uint32_t mentions;
    bool required, seen;
};

struct group_bucket {
    int group;
    double raw;
    uint32_t n_skills;
};

static bool sentence_required(const struct kc_doc *d, size_t s)
{
    const struct kc_lexicon *cues = d->kit->cues;
    if (d->sent[s].section == KC_SEC_PREFERRED) return false;
    if (kc_doc_sentence_cue(d, s, cues, kc_lex_group_find(cues, "preferred"), NULL, NULL) >= 0)
        return false;
    if (d->sent[s].section == KC_SEC_REQUIREMENTS) return true;
    return kc_doc_sentence_cue(d, s, cues, kc_lex_group_find(cues, "required"), NULL, NULL) >= 0;
}

static void collect(const struct kc_doc *d, struct skill_stat *st)
{
    for (size_t m = 0; m < d->skills.n; m++) {
        struct skill_stat *s = &st[d->skills.v[m].entry];
        s->seen = true;
        s->mentions++;
        uint32_t si = d->skill_sent[m];
        if (si != UINT32_MAX && sentence_required(d, si)) s->required = true;
    }
}

static int cmp_bucket(const void *a, const void *b)
{
    const struct group_bucket *x = a, *y = b;
    if (x->raw != y->raw) return x->raw < y->raw ? 1 : -1;
    return x->group - y->group;
}

/* Skills of group g ordered by mentions (desc), then lexicon order. */
static json_t *group_keywords(const struct kc_textkit *kit, const struct skill_stat *st, int g,
                              bool required_only)
{
    json_t *arr = json_array();
    size_t n = kc_lex_size(kit->skills);
    uint32_t maxm = 0;
    for (size_t e = 0; e < n; e++)
        if (st[e].seen && st[e].mentions > maxm) maxm = st[e].mentions;
    for (uint32_t m = maxm; m >= 1; m--)
        for (size_t e = 0; e < n; e++) {
            const struct kc_lex_entry *en = kc_lex_entry_at(kit->skills, e);
            if (!st[e].seen || st[e].mentions != m || (int)en->group != g) continue;
            if (required_only && !st[e].required) continue;
            json_array_append_new(arr, json_string(en->canonical));
        }
    return arr;
}

static json_t *build_criteria(const struct kc_textkit *kit, const struct skill_stat *st,
                              struct group_bucket *b, size_t nb, double min_years,
                              enum kc_lang lang)
{
    size_t keep = nb < KC_SUGGEST_MAX ? nb : KC_SUGGEST_MAX;
    bool years = min_years > 0;
    if (years && keep == KC_SUGGEST_MAX) keep--;
    double total = years ? KC_SUGGEST_YEARS_WEIGHT : 0;
    for (size_t i = 0; i < keep; i++) total += b[i].raw;
    json_t *out = json_array();
    for (size_t i = 0; i < keep; i++) {
        const struct kc_lex_group *g = kc_lex_group_at(kit->skills, (size_t)b[i].group);
        json_array_append_new(out,
                              json_pack("{s:s, s:s, s:f, s:o, s:o}", "name",
                                        lang == KC_LANG_KO ? g->label_ko : g->label_en, "group",
                                        g->id, "weight", round(b[i].raw / total * 1000.0) / 1000.0,
                                        "keywords", group_keywords(kit, st, b[i].group, false),
                                        "required", group_keywords(kit, st, b[i].group, true)));
    }
    if (years)
        json_array_append_new(
            out, json_pack("{s:s, s:s, s:f, s:[], s:[], s:f}", "name",
                           lang == KC_LANG_KO ? "경력" : "Experience", "group", "experience",
                           "weight", round(KC_SUGGEST_YEARS_WEIGHT / total * 1000.0) / 1000.0,
                           "keywords", "required", "min_years", min_years));
    return out;
}

static json_t *skills_json(const struct kc_textkit *kit, const struct skill_stat *st)
{
    json_t *arr = json_array();
    for (size_t e = 0; e < kc_lex_size(kit->skills); e++) {
        if (!st[e].seen) continue;
        const struct kc_lex_entry *en = kc_lex_entry_at(kit->skills, e);
        json_array_append_new(arr,
                              json_pack("{s:s, s:s, s:i, s:b}", "canonical", en->canonical, "group",
                                        kc_lex_group_at(kit->skills, en->group)->id, "mentions",
                                        (int)st[e].mentions, "required", st[e].required));
    }
    return arr;
}

json_t *kc_criteria_suggest(const struct kc_textkit *kit, const char *text, size_t len,
                            struct kc_err *err)
{
    struct kc_doc d;
    struct kc_ym ref = {KC_YEAR_MAX, 12}; /* dates are not used here */
    if (kc_doc_open(&d, kit, text, len, ref, "job.text", err) != 0) return NULL;
    size_t ne = kc_lex_size(kit->skills), ng = kc_lex_group_count(kit->skills);
    struct skill_stat *st = calloc(ne, sizeof *st);
    struct group_bucket *b = calloc(ng, sizeof *b);
    if (!st || !b) {
        free(st);
        free(b);
        kc_doc_close(&d);
        kc_err_set(err, KC_E_NOMEM, "suggest: out of memory");
        return NULL;
    }
    collect(&d, st);
    for (size_t g = 0; g < ng; g++) b[g].group = (int)g;
    for (size_t e = 0; e < ne; e++) {
        if (!st[e].seen) continue;
        struct group_bucket *gb = &b[kc_lex_entry_at(kit->skills, e)->group];
        gb->raw += 1.0 + (st[e].required ? KC_SUGGEST_REQUIRED_BONUS : 0.0);
        gb->n_skills++;
    }
    qsort(b, ng, sizeof *b, cmp_bucket);
    size_t nb = 0;
    while (nb < ng && b[nb].raw > 0) nb++;
    double min_years = kc_criteria_min_years(d.norm.text, d.norm.len);
    json_t *out = json_pack(
        "{s:s, s:o, s:o, s:s}", "lang", kc_lang_code(d.lang), "criteria",
        build_criteria(kit, st, b, nb, min_years, d.lang), "skills", skills_json(kit, st),
        "definition",
        "one criterion per competency group of the skills found in the job text; raw weight = "
        "sum over the group's skills of (1 + 1 if required); a minimum-years statement adds an "
        "experience criterion of raw weight 2; top 6 kept; weights normalised to sum to 1");
    if (min_years > 0) json_object_set_new(out, "min_years", json_real(min_years));
    free(st);
    free(b);
    kc_doc_close(&d);
    return out;
}

json_t *kc_criteria_suggest_json(const struct kc_textkit *kit, const json_t *request,
                                 struct kc_err *err)
{
    const json_t *job = json_object_get(request, "job");
    const json_t *text = json_object_get(job, "text");
    if (!json_is_string(text)) {
        kc_err_field(err, KC_E_INVALID, "job.text", "job.text: must be a string");
        return NULL;
    }
    return kc_criteria_suggest(kit, json_string_value(text), json_string_length(text), err);
}
