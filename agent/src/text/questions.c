/*
 * questions.c — question bank validation and question generation. See questions.h.
 */
#include "text/questions.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "text/experience.h"
#include "text/highlight.h"
#include "text/jobctx.h"
#include "text/norm.h"
#include "text/qrender.h"
#include "text/screen.h"
#include "text/strbuf.h"
#include "text/textkit.h"
#include "text/utf8.h"

static int check_string(const json_t *o, const char *key, const char *where, struct kc_err *err)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_string(v) || json_string_length(v) == 0)
        return kc_err_set(err, KC_E_INVALID, "%s: \"%s\" must be a non-empty string", where, key);
    return 0;
}

static int check_points(const json_t *o, const char *key, const char *where, struct kc_err *err)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_array(v) || json_array_size(v) == 0)
        return kc_err_set(err, KC_E_INVALID, "%s: \"%s\" must be a non-empty array", where, key);
    size_t i;
    const json_t *p;
    json_array_foreach(v, i, p)
    {
        if (!json_is_string(p) || json_string_length(p) == 0)
            return kc_err_set(err, KC_E_INVALID, "%s: %s[%zu] must be a non-empty string", where,
                              key, i);
    }
    return 0;
}

static int check_item(const json_t *q, const char *list, size_t i, struct kc_err *err)
{
    char where[96];
    snprintf(where, sizeof where, "%s[%zu]", list, i);
    if (!json_is_object(q)) return kc_err_set(err, KC_E_INVALID, "%s: not an object", where);
    const char *keys[] = {"id", "kind", "competency", "ko", "en"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
        if (check_string(q, keys[k], where, err) != 0) return -1;
    if (check_points(q, "points_ko", where, err) != 0 ||
        check_points(q, "points_en", where, err) != 0)
        return -1;
    const char *kind = json_string_value(json_object_get(q, "kind"));
    bool is_template = strcmp(list, "templates") == 0;
    bool ok = is_template ? (strcmp(kind, "job") == 0 || strcmp(kind, "personal") == 0)
                          : (strcmp(kind, "common") == 0 || strcmp(kind, "job") == 0);
    if (!ok) return kc_err_set(err, KC_E_INVALID, "%s: kind \"%s\" not allowed here", where, kind);
    if (is_template && check_string(q, "trigger", where, err) != 0) return -1;
    return 0;
}

static int check_list(const json_t *bank, const char *list, json_t *ids, struct kc_err *err)
{
    const json_t *arr = json_object_get(bank, list);
    if (!json_is_array(arr)) return kc_err_set(err, KC_E_INVALID, "\"%s\" must be an array", list);
    size_t i;
    const json_t *q;
    json_array_foreach(arr, i, q)
    {
        if (check_item(q, list, i, err) != 0) return -1;
        const char *id = json_string_value(json_object_get(q, "id"));
        if (json_object_get(ids, id))
            return kc_err_set(err, KC_E_INVALID, "%s[%zu]: duplicate id \"%s\"", list, i, id);
        json_object_set_new(ids, id, json_true());
    }
    return 0;
}

int kc_questions_validate(const json_t *bank, struct kc_err *err)
{
    if (!json_is_object(bank)) return kc_err_set(err, KC_E_INVALID, "bank must be an object");
    json_t *ids = json_object();
    int rc = check_list(bank, "questions", ids, err);
    if (rc == 0) rc = check_list(bank, "templates", ids, err);
    json_decref(ids);
    return rc;
}

/* ======================================================================================== */
/* Generation                                                                               */
/* ======================================================================================== */

#define QUOTE_MAX_CHARS 60 /* a quoted resume sentence is shortened to this in question text */

struct qgen {
    const struct kc_textkit *kit;
    struct kc_jobctx *ctx;
    struct kc_doc *resume;
    struct kc_experience *exp;
    uint8_t *values;
    const char *lang;
    enum kc_lang lang_id;
    uint64_t *job_query; /* BM25 terms of the job text */
    size_t n_job_query;
    struct kc_qlist list;
};

static const json_t *template_by_id(const struct kc_textkit *kit, const char *id)
{
    size_t i;
    const json_t *t;
    json_array_foreach(json_object_get(kit->questions, "templates"), i, t)
    {
        if (strcmp(json_string_value(json_object_get(t, "id")), id) == 0) return t;
    }
    return NULL;
}

/* BM25 of the job text against each bank question of `kind` (text + competency + points). */
static double *bank_bm25(const struct qgen *g, const json_t *qs, struct kc_err *err)
{
    size_t n = json_array_size(qs), i;
    uint64_t **terms = calloc(n + 1, sizeof *terms);
    size_t *lens = calloc(n + 1, sizeof *lens);
    double *score = calloc(n + 1, sizeof *score);
    struct kc_bm25 bm = {0};
    int rc = terms && lens && score ? 0 : kc_err_set(err, KC_E_NOMEM, "questions: out of memory");
    char key[16];
    snprintf(key, sizeof key, "points_%s", g->lang);
    const json_t *q;
    json_array_foreach(qs, i, q)
    {
        struct kc_sb sb = {0};
        kc_sb_printf(&sb, "%s %s", json_string_value(json_object_get(q, g->lang)),
                     json_string_value(json_object_get(q, "competency")));
        size_t k;
        const json_t *p;
        json_array_foreach(json_object_get(q, key), k, p)
        {
            kc_sb_printf(&sb, " %s", json_string_value(p));
        }
        char *norm = kc_norm_dup(kc_sb_str(&sb), sb.len);
        size_t cap = 0;
        if (rc == 0 && norm) rc = kc_tok_terms(norm, strlen(norm), &terms[i], &lens[i], &cap, err);
        free(norm);
        kc_sb_free(&sb);
    }
    if (rc == 0) rc = kc_bm25_build(&bm, (const uint64_t *const *)terms, lens, n, err);
    for (i = 0; rc == 0 && i < n; i++)
        score[i] = kc_bm25_score(&bm, g->job_query, g->n_job_query, i);
    kc_bm25_free(&bm);
    for (i = 0; terms && i < n; i++) free(terms[i]);
    free(terms);
    free(lens);
    if (rc != 0) {
        free(score);
        return NULL;
    }
    return score;
}

struct ranked_q {
    size_t index;
    double overlap, bm25;
};

static int cmp_ranked_q(const void *a, const void *b)
{
    const struct ranked_q *x = a, *y = b;
    if (x->overlap != y->overlap) return x->overlap < y->overlap ? 1 : -1;
    if (x->bm25 != y->bm25) return x->bm25 < y->bm25 ? 1 : -1;
    return (x->index > y->index) - (x->index < y->index);
}

/* Tag overlap of a job question with the job: required skill 3, asked skill 2, group 1. */
static double tag_overlap(const struct qgen *g, const json_t *q)
{
    const struct kc_lexicon *sk = g->kit->skills;
    double total = 0;
    size_t i;
    const json_t *t;
    json_array_foreach(json_object_get(q, "tags"), i, t)
    {
        const char *tag = json_string_value(t);
        int e = tag ? kc_textkit_entry(sk, tag) : -1;
        if (e >= 0 && g->ctx->skill[e]) {
            total += g->ctx->skill[e] == KC_JOBSKILL_REQUIRED ? 3 : 2;
            continue;
        }
        int grp = tag ? kc_lex_group_find(sk, tag) : -1;
        for (size_t k = 0; grp >= 0 && k < kc_lex_size(sk); k++)
            if (g->ctx->skill[k] && (int)kc_lex_entry_at(sk, k)->group == grp) {
                total += 1;
                break;
            }
    }
    return total;
}

static int add_bank(struct qgen *g, const char *kind, size_t want, struct kc_err *err)
{
    const json_t *qs = json_object_get(g->kit->questions, "questions");
    double *bm = bank_bm25(g, qs, err);
    size_t n = json_array_size(qs), m = 0, added = 0;
    struct ranked_q *r = calloc(n + 1, sizeof *r);
    if (!bm || !r) {
        free(bm);
        free(r);
        return kc_err_set(err, KC_E_NOMEM, "questions: out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *q = json_array_get(qs, i);
        if (strcmp(json_string_value(json_object_get(q, "kind")), kind) != 0) continue;
        double ov = strcmp(kind, "job") == 0 ? tag_overlap(g, q) : 0;
        if (strcmp(kind, "job") == 0 && ov <= 0) continue;
        r[m++] = (struct ranked_q){i, ov, bm[i]};
    }
    qsort(r, m, sizeof *r, cmp_ranked_q);
    struct kc_qvars none = {0};
    int rc = 0;
    for (size_t i = 0; i < m && added < want && rc >= 0; i++) {
        rc = kc_qlist_add(&g->list, json_array_get(qs, r[i].index), kind, g->lang, &none, NULL,
                          NULL);
        added += rc == 1;
    }
    free(bm);
    free(r);
    return rc < 0 ? kc_err_set(err, KC_E_NOMEM, "questions: out of memory") : (int)added;
}

static bool resume_has(const struct kc_doc *d, uint32_t e)
{
    for (size_t m = 0; m < d->skills.n; m++)
        if (d->skills.v[m].entry == e && d->skill_sent[m] != UINT32_MAX &&
            !d->sent[d->skill_sent[m]].negated)
            return true;
    return false;
}

/* Job skill with the highest (level, mentions) that the resume shows (want_present) or lacks
 * (required only). */
static int pick_job_skill(const struct qgen *g, bool want_present)
{
    int best = -1;
    double best_score = 0;
    for (size_t e = 0; e < kc_lex_size(g->kit->skills); e++) {
        uint8_t lvl = g->ctx->skill[e];
        if (!lvl || (!want_present && lvl != KC_JOBSKILL_REQUIRED)) continue;
        if (kc_lex_group_find(g->kit->skills, "soft") ==
            (int)kc_lex_entry_at(g->kit->skills, e)->group)
            continue; /* soft skills get the common questions */
        if (resume_has(g->resume, (uint32_t)e) != want_present) continue;
        double s = lvl * 100.0 + g->ctx->mentions[e];
        if (s > best_score) best_score = s, best = (int)e;
    }
    return best;
}

static int add_job(struct qgen *g, struct kc_err *err)
{
    int shared = pick_job_skill(g, true), missing = pick_job_skill(g, false);
    size_t templates = (shared >= 0) + (missing >= 0);
    if (add_bank(g, "job", KC_Q_JOB - templates, err) < 0) return -1;
    const struct kc_lexicon *sk = g->kit->skills;
    if (shared >= 0) {
        struct kc_qvars v = {.skill = kc_lex_entry_at(sk, (size_t)shared)->canonical};
        if (kc_qlist_add(&g->list, template_by_id(g->kit, "t-skill-depth"), "job", g->lang, &v,
                         v.skill, NULL) < 0)
            return kc_err_set(err, KC_E_NOMEM, "questions: out of memory");
    }
    if (missing >= 0) {
        struct kc_qvars v = {.required = kc_lex_entry_at(sk, (size_t)missing)->canonical};
        if (kc_qlist_add(&g->list, template_by_id(g->kit, "t-required-missing"), "job", g->lang, &v,
                         v.required, NULL) < 0)
            return kc_err_set(err, KC_E_NOMEM, "questions: out of memory");
    }
    return 0;
}

/* ---- personal questions ---- */

struct pcand {
    const char *tmpl;
    size_t sent;
    double score;
    struct kc_qvars v;
    char quote[QUOTE_MAX_CHARS * 4 + 8], start[32], end[32], years[16], required[16];
};

struct pcands {
    struct pcand *v;
    size_t n, cap;
};

static struct pcand *pc_new(struct pcands *c, const char *tmpl, size_t sent, double score)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        struct pcand *v = realloc(c->v, cap * sizeof *v);
        if (!v) return NULL;
        c->v = v;
        c->cap = cap;
    }
    struct pcand *p = &c->v[c->n++];
    memset(p, 0, sizeof *p);
    p->tmpl = tmpl;
    p->sent = sent;
    p->score = score;
    return p;
}

/* The sentence's original text shortened to QUOTE_MAX_CHARS code points. */
static void make_quote(const struct kc_doc *d, size_t s, char *out, size_t cap)
{
    const char *t = d->text + d->sent[s].off_src;
    size_t len = d->sent[s].len_src, i = 0, chars = 0;
    while (i < len && chars < QUOTE_MAX_CHARS) {
        i++;
        while (i < len && ((uint8_t)t[i] & 0xC0) == 0x80) i++;
        chars++;
    }
    size_t n = i < cap - 4 ? i : cap - 4;
    memcpy(out, t, n);
    strcpy(out + n, i < len ? "…" : "");
    for (size_t k = 0; k < n; k++)
        if (out[k] == '\n') out[k] = ' ';
}

static bool eligible(const struct kc_doc *d, size_t s)
{
    switch (d->sent[s].section) {
    case KC_SEC_EDUCATION:
    case KC_SEC_SKILLS:
    case KC_SEC_CERTIFICATES:
    case KC_SEC_LANGUAGES:
    case KC_SEC_MILITARY: return false;
    default: break;
    }
    return !d->sent[s].heading &&
           kc_utf8_count(d->norm.text + d->sent[s].off, d->sent[s].len) >= 15;
}

static bool has_metric(const char *t, size_t n, bool *any_digit)
{
    static const char *const units[] = {"%",  "배", "x",  "ms", "초", "분", "시간",
                                        "명", "건", "원", "만", "억", "k",  "m "};
    *any_digit = false;
    for (size_t i = 0; i < n; i++) {
        if (t[i] < '0' || t[i] > '9') continue;
        *any_digit = true;
        size_t j = i;
        while (j < n && ((t[j] >= '0' && t[j] <= '9') || t[j] == '.' || t[j] == ',')) j++;
        while (j < n && t[j] == ' ') j++;
        for (size_t u = 0; u < sizeof units / sizeof *units; u++)
            if (j + strlen(units[u]) <= n && memcmp(t + j, units[u], strlen(units[u])) == 0)
                return true;
        i = j;
    }
    return false;
}

static int achievements(struct qgen *g, struct pcands *c)
{
    const struct kc_doc *d = g->resume;
    int ach = kc_lex_group_find(g->kit->cues, "achievement");
    for (size_t s = 0; s < d->n_sent; s++) {
        if (!eligible(d, s) || d->sent[s].negated) continue;
        if (kc_doc_sentence_cue(d, s, g->kit->cues, ach, NULL, NULL) < 0) continue;
        bool digit, metric = has_metric(d->norm.text + d->sent[s].off, d->sent[s].len, &digit);
        bool job_skill = false;
        for (uint32_t m = d->sent[s].skill_first;
             m < d->sent[s].skill_first + d->sent[s].skill_count; m++)
            job_skill |= g->ctx->skill[d->skills.v[m].entry] != KC_JOBSKILL_NONE;
        if (!digit && d->sent[s].skill_count == 0) continue;
        double score = kc_bm25_score(&d->bm25, g->job_query, g->n_job_query, s) +
                       KC_Q_METRIC_BONUS * metric + KC_Q_JOB_SKILL_BONUS * job_skill;
        const char *t = d->sent[s].section == KC_SEC_PROJECTS ? "p-project"
                        : metric                              ? "p-metric"
                                                              : "p-claim";
        struct pcand *p = pc_new(c, t, s, score);
        if (!p) return -1;
        make_quote(d, s, p->quote, sizeof p->quote);
    }
    return 0;
}

static void format_month(struct kc_ym m, enum kc_lang lang, char *out, size_t cap)
{
    static const char *const names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (lang == KC_LANG_KO)
        snprintf(out, cap, "%d년 %d월", m.year, m.month);
    else
        snprintf(out, cap, "%s %d", names[(m.month - 1) % 12], m.year);
}

/* Sentence of the kept interval starting at `start`, or SIZE_MAX. */
static size_t sentence_of_start(const struct kc_experience *x, struct kc_ym start)
{
    for (size_t i = 0; i < x->n_kept; i++)
        if (kc_ym_index(x->kept[i].start) == kc_ym_index(start) && x->kept_sent[i] != UINT32_MAX)
            return x->kept_sent[i];
    return SIZE_MAX;
}

static int career_items(struct qgen *g, struct pcands *c)
{
    const struct kc_experience *x = g->exp;
    for (size_t i = 1; i < x->n_merged; i++) {
        int gap = kc_ym_index(x->merged[i].start) - kc_ym_index(x->merged[i - 1].end) - 1;
        size_t s = sentence_of_start(x, x->merged[i].start);
        if (gap <= KC_Q_GAP_MONTHS || s == SIZE_MAX) continue;
        struct pcand *p = pc_new(c, "p-gap", s, gap);
        if (!p) return -1;
        format_month(kc_ym_from_index(kc_ym_index(x->merged[i - 1].end) + 1), g->lang_id, p->start,
                     sizeof p->start);
        format_month(kc_ym_from_index(kc_ym_index(x->merged[i].start) - 1), g->lang_id, p->end,
                     sizeof p->end);
    }
    double years = kc_experience_years(x);
    if (g->ctx->min_years > 0 && x->n_merged > 0 && years < g->ctx->min_years && x->n_kept > 0 &&
        x->kept_sent[0] != UINT32_MAX) {
        struct pcand *p = pc_new(c, "p-years-short", x->kept_sent[0], 0);
        if (!p) return -1;
        snprintf(p->years, sizeof p->years, "%.1f", years);
        snprintf(p->required, sizeof p->required, "%g", g->ctx->min_years);
    }
    return 0;
}

static int flagged_sentences(struct qgen *g, struct pcands *c)
{
    const struct kc_doc *d = g->resume;
    for (size_t s = 0; s < d->n_sent; s++) {
        if (d->sent[s].heading) continue;
        uint32_t off, len;
        int e = kc_sentence_negated_skill(d, s, g->ctx, &off, &len);
        if (e >= 0) {
            struct pcand *p = pc_new(c, "p-negation", s, 0);
            if (!p) return -1;
            make_quote(d, s, p->quote, sizeof p->quote);
            p->v.skill = kc_lex_entry_at(g->kit->skills, (size_t)e)->canonical;
        }
        int v = g->values ? kc_sentence_value(d, s, g->values, &off, &len) : -1;
        if (v >= 0 && eligible(d, s)) {
            struct pcand *p = pc_new(c, "p-value", s, 0);
            if (!p) return -1;
            make_quote(d, s, p->quote, sizeof p->quote);
            p->v.value = kc_value_label(g->kit, (size_t)v, g->lang_id);
        }
    }
    return 0;
}

static int cmp_pcand(const void *a, const void *b)
{
    const struct pcand *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? 1 : -1;
    return (x->sent > y->sent) - (x->sent < y->sent);
}

static json_t *source_json(const struct kc_doc *d, size_t s)
{
    const struct kc_doc_sentence *st = &d->sent[s];
    return json_pack("{s:s%, s:i, s:i, s:i}", "text", d->text + st->off_src, (size_t)st->len_src,
                     "offset", (int)st->off_src, "length", (int)st->len_src, "sentence", (int)s);
}

static int add_personal_one(struct qgen *g, const struct pcand *p, size_t *added)
{
    const json_t *t = template_by_id(g->kit, p->tmpl);
    struct kc_qvars v = p->v; /* string fields point into p, set here (p may have moved) */
    if (p->quote[0]) v.quote = p->quote;
    if (p->start[0]) v.start = p->start;
    if (p->end[0]) v.end = p->end;
    if (p->years[0]) v.years = p->years;
    if (p->required[0]) v.required = p->required;
    int rc = kc_qlist_add(&g->list, t, "personal", g->lang, &v, p->v.skill,
                          source_json(g->resume, p->sent));
    *added += rc == 1;
    return rc < 0 ? -1 : 0;
}

/* Order: two best achievements, then negation, years, gap, value items, then more achievements. */
static int add_personal(struct qgen *g, struct kc_err *err)
{
    struct pcands ach = {0}, other = {0};
    int rc = achievements(g, &ach);
    if (rc == 0) rc = career_items(g, &other);
    if (rc == 0) rc = flagged_sentences(g, &other);
    if (ach.n > 1) qsort(ach.v, ach.n, sizeof *ach.v, cmp_pcand);
    static const char *const order[] = {"p-negation", "p-years-short", "p-gap", "p-value"};
    size_t added = 0, a = 0;
    for (; rc == 0 && a < ach.n && a < 2 && added < KC_Q_PERSONAL; a++)
        rc = add_personal_one(g, &ach.v[a], &added);
    for (size_t o = 0; rc == 0 && o < 4; o++)
        for (size_t i = 0; rc == 0 && i < other.n && added < KC_Q_PERSONAL; i++)
            if (strcmp(other.v[i].tmpl, order[o]) == 0) {
                rc = add_personal_one(g, &other.v[i], &added);
                break;
            }
    for (; rc == 0 && a < ach.n && added < KC_Q_PERSONAL; a++)
        rc = add_personal_one(g, &ach.v[a], &added);
    free(ach.v);
    free(other.v);
    return rc < 0 ? kc_err_set(err, KC_E_NOMEM, "questions: out of memory") : 0;
}

/* ---- request ---- */

static int choose_lang(const json_t *request, const struct kc_doc *resume, struct qgen *g,
                       struct kc_err *err)
{
    const json_t *l = json_object_get(request, "lang");
    const char *s = json_is_string(l) ? json_string_value(l) : "auto";
    if (l && !json_is_string(l)) s = "";
    if (strcmp(s, "ko") == 0)
        g->lang_id = KC_LANG_KO;
    else if (strcmp(s, "en") == 0)
        g->lang_id = KC_LANG_EN;
    else if (strcmp(s, "auto") == 0)
        g->lang_id = resume->lang;
    else
        return kc_err_field(err, KC_E_INVALID, "lang", "lang: must be \"ko\", \"en\" or \"auto\"");
    g->lang = kc_lang_code(g->lang_id);
    return 0;
}

static int job_query(struct qgen *g, struct kc_err *err)
{
    size_t cap = 0;
    if (g->ctx->has_doc)
        return kc_tok_terms(g->ctx->doc.norm.text, g->ctx->doc.norm.len, &g->job_query,
                            &g->n_job_query, &cap, err);
    for (size_t i = 0; g->ctx->job && i < g->ctx->job->n_crit; i++)
        for (size_t k = 0; k < g->ctx->job->crit[i].n_kw; k++) {
            const char *n = g->ctx->job->crit[i].kw[k].norm;
            if (kc_tok_terms(n, strlen(n), &g->job_query, &g->n_job_query, &cap, err) != 0)
                return -1;
        }
    return 0;
}

static json_t *result_json(struct qgen *g)
{
    json_t *arr = json_array(),
           *counts = json_pack("{s:i, s:i, s:i}", "common", 0, "job", 0, "personal", 0);
    for (size_t i = 0; i < g->list.n; i++) {
        json_t *q = g->list.v[i].obj;
        const char *kind = json_string_value(json_object_get(q, "kind"));
        json_object_set_new(counts, kind,
                            json_integer(json_integer_value(json_object_get(counts, kind)) + 1));
        json_array_append(arr, q);
    }
    json_object_set_new(counts, "duplicates_removed",
                        json_integer((json_int_t)g->list.rejected_duplicates));
    return json_pack("{s:s, s:o, s:o}", "lang", g->lang, "questions", arr, "counts", counts);
}

static json_t *generate(struct qgen *g, const json_t *request, struct kc_err *err)
{
    const json_t *v = json_object_get(request, "values");
    if (v && !json_is_null(v)) {
        if (!json_is_string(v)) {
            kc_err_field(err, KC_E_INVALID, "values", "values: must be a string");
            return NULL;
        }
        g->values = calloc(kc_lex_size(g->kit->values), 1);
        if (!g->values || kc_values_of_text(g->kit, json_string_value(v), json_string_length(v),
                                            g->values, err) != 0)
            return NULL;
    }
    if (choose_lang(request, g->resume, g, err) != 0 || job_query(g, err) != 0) return NULL;
    if (add_bank(g, "common", KC_Q_COMMON, err) < 0 || add_job(g, err) != 0 ||
        add_personal(g, err) != 0)
        return NULL;
    return result_json(g);
}

json_t *kc_questions_generate(const struct kc_textkit *kit, const json_t *request,
                              struct kc_err *err)
{
    struct kc_ym ref;
    size_t len;
    if (kc_request_ref(request, &ref, err) != 0) return NULL;
    const char *text = kc_request_text(request, "resume", &len, "resume.text", err);
    if (!text) return NULL;
    struct kc_jobctx ctx;
    if (kc_jobctx_open(kit, json_object_get(request, "job"), &ctx, err) != 0) return NULL;
    struct kc_doc d;
    struct kc_experience x;
    json_t *out = NULL;
    const json_t *sections = json_object_get(json_object_get(request, "resume"), "sections");
    if (kc_doc_open(&d, kit, text, len, ref, "resume.text", err) == 0) {
        if (kc_experience_compute(&d, sections, ref, &x, err) == 0) {
            struct qgen g = {.kit = kit, .ctx = &ctx, .resume = &d, .exp = &x};
            out = generate(&g, request, err);
            kc_qlist_free(&g.list);
            free(g.values);
            free(g.job_query);
            kc_experience_free(&x);
        }
        kc_doc_close(&d);
    }
    kc_jobctx_close(&ctx);
    return out;
}
