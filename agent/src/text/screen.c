/*
 * screen.c — screening: keyword evidence per criterion, scores, suggestion and reasons.
 * See screen.h for the formula.
 *
 * Per criterion an evaluation records, for each keyword, whether and where it was found, and a
 * mark per resume sentence that contains any keyword; the marks give depth and the evidence
 * candidates, ranked by BM25 against the criterion's query.
 */
#include "text/screen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/experience.h"
#include "text/norm.h"
#include "text/strbuf.h"

struct kw_hit {
    bool found;
    const char *source; /* "text", "sections.skills", "sections.certificates" */
    uint32_t off, len;  /* normalised span of the first occurrence in the text */
    uint32_t count;
};

struct crit_eval {
    struct kw_hit *hits;
    uint8_t *mark; /* per sentence: contains a keyword */
    size_t marked, found, req_missing;
    double coverage, depth, years_fit, req_factor, score;
    bool years_applies;
};

static double round1(double v)
{
    return round(v * 10.0) / 10.0;
}

static bool token_match(const char *dn, const struct kc_token *t, const char *kn,
                        const struct kc_token *k)
{
    if (t->len == k->len && memcmp(dn + t->off, kn + k->off, k->len) == 0) return true;
    return k->script == KC_SCRIPT_HANGUL && k->nchars >= 2 && t->full_len >= k->len &&
           memcmp(dn + t->off, kn + k->off, k->len) == 0;
}

/* Does sentence s contain every word of the keyword? Span of the matched words in *a..*b. */
static bool sentence_words(const struct kc_doc *d, size_t s, const struct kc_keyword *kw,
                           uint32_t *a, uint32_t *b)
{
    const struct kc_doc_sentence *st = &d->sent[s];
    uint32_t lo = UINT32_MAX, hi = 0;
    for (size_t i = 0; i < kw->toks.n; i++) {
        bool ok = false;
        for (uint32_t t = st->tok_first; t < st->tok_first + st->tok_count && !ok; t++) {
            const struct kc_token *tk = &d->tokens.v[t];
            if (!token_match(d->norm.text, tk, kw->norm, &kw->toks.v[i])) continue;
            ok = true;
            if (tk->off < lo) lo = tk->off;
            if (tk->off + tk->len > hi) hi = tk->off + tk->len;
        }
        if (!ok) return false;
    }
    *a = lo;
    *b = hi;
    return kw->toks.n > 0;
}

static void record(struct crit_eval *ev, struct kw_hit *h, const struct kc_doc *d, size_t s,
                   uint32_t off, uint32_t len)
{
    if (s < d->n_sent && d->sent[s].negated) return; /* "Kubernetes 경험은 없습니다" */
    if (!h->found) {
        h->found = true;
        h->source = "text";
        h->off = off;
        h->len = len;
    }
    h->count++;
    if (s < d->n_sent && !d->sent[s].heading && !ev->mark[s]) {
        ev->mark[s] = 1;
        ev->marked++;
    }
}

static void match_text(const struct kc_doc *d, const struct kc_keyword *kw, struct kw_hit *h,
                       struct crit_eval *ev)
{
    if (kw->entry >= 0) {
        for (size_t m = 0; m < d->skills.n; m++)
            if ((int)d->skills.v[m].entry == kw->entry)
                record(ev, h, d, d->skill_sent[m], d->skills.v[m].off, d->skills.v[m].len);
        return;
    }
    for (size_t s = 0; s < d->n_sent; s++) {
        uint32_t a, b;
        if (sentence_words(d, s, kw, &a, &b)) record(ev, h, d, s, a, b - a);
    }
}

/* Keyword in one sections string (normalised)? */
static bool in_string(const struct kc_textkit *kit, const struct kc_keyword *kw, const char *s)
{
    char *n = kc_norm_dup(s, strlen(s));
    if (!n) return false;
    bool hit = false;
    if (kw->entry >= 0) {
        struct kc_lex_matches m = {0};
        if (kc_lex_find(kit->skills, n, strlen(n), &m, NULL) == 0)
            for (size_t i = 0; i < m.n && !hit; i++) hit = (int)m.v[i].entry == kw->entry;
        kc_lex_matches_free(&m);
    } else {
        hit = strstr(n, kw->norm) != NULL;
    }
    free(n);
    return hit;
}

static void match_sections(const struct kc_textkit *kit, const json_t *sections,
                           const struct kc_keyword *kw, struct kw_hit *h)
{
    static const char *const keys[] = {"skills", "certificates"};
    static const char *const sources[] = {"sections.skills", "sections.certificates"};
    for (size_t k = 0; k < 2 && !h->found && sections; k++) {
        const json_t *v = json_object_get(sections, keys[k]);
        if (json_is_string(v) && in_string(kit, kw, json_string_value(v))) h->found = true;
        size_t i;
        const json_t *it;
        if (json_is_array(v)) json_array_foreach(v, i, it)
            {
                if (!h->found && json_is_string(it) && in_string(kit, kw, json_string_value(it)))
                    h->found = true;
            }
        if (h->found) h->source = sources[k], h->count = 1;
    }
}

static int eval_criterion(const struct kc_textkit *kit, const struct kc_doc *d,
                          const struct kc_criterion *c, const json_t *sections,
                          const struct kc_experience *exp, struct crit_eval *ev, struct kc_err *err)
{
    memset(ev, 0, sizeof *ev);
    ev->hits = calloc(c->n_kw ? c->n_kw : 1, sizeof *ev->hits);
    ev->mark = calloc(d->n_sent ? d->n_sent : 1, 1);
    if (!ev->hits || !ev->mark) return kc_err_set(err, KC_E_NOMEM, "screen: out of memory");
    for (size_t k = 0; k < c->n_kw; k++) {
        match_text(d, &c->kw[k], &ev->hits[k], ev);
        if (!ev->hits[k].found) match_sections(kit, sections, &c->kw[k], &ev->hits[k]);
        ev->found += ev->hits[k].found;
        ev->req_missing += c->kw[k].required && !ev->hits[k].found;
    }
    ev->coverage = c->n_kw ? (double)ev->found / (double)c->n_kw : 0.0;
    ev->depth = fmin(1.0, (double)ev->marked / KC_SCREEN_DEPTH_SATURATION);
    ev->years_applies = c->min_years > 0;
    if (ev->years_applies) ev->years_fit = fmin(1.0, kc_experience_years(exp) / c->min_years);
    double num = KC_SCREEN_W_COVERAGE * ev->coverage + KC_SCREEN_W_DEPTH * ev->depth;
    double den = KC_SCREEN_W_COVERAGE + KC_SCREEN_W_DEPTH;
    if (ev->years_applies) num += KC_SCREEN_W_YEARS * ev->years_fit, den += KC_SCREEN_W_YEARS;
    double base = c->n_kw ? num / den : ev->years_fit;
    ev->req_factor = c->n_required ? 1.0 - KC_SCREEN_REQUIRED_PENALTY * (double)ev->req_missing /
                                               (double)c->n_required
                                   : 1.0;
    ev->score = round1(100.0 * base * ev->req_factor);
    return 0;
}

static void eval_free(struct crit_eval *ev)
{
    free(ev->hits);
    free(ev->mark);
}

struct ranked {
    size_t sent;
    double bm25;
};

static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->bm25 != y->bm25) return x->bm25 < y->bm25 ? 1 : -1;
    return (x->sent > y->sent) - (x->sent < y->sent);
}

static json_t *evidence_json(const struct kc_doc *d, const struct kc_criterion *c,
                             const struct crit_eval *ev)
{
    json_t *arr = json_array();
    struct ranked *r = malloc((ev->marked ? ev->marked : 1) * sizeof *r);
    if (!r) return arr;
    size_t n = 0;
    for (size_t s = 0; s < d->n_sent; s++)
        if (ev->mark[s])
            r[n++] = (struct ranked){s, kc_bm25_score(&d->bm25, c->query, c->n_query, s)};
    qsort(r, n, sizeof *r, cmp_ranked);
    for (size_t i = 0; i < n && i < KC_SCREEN_EVIDENCE_MAX; i++) {
        const struct kc_doc_sentence *s = &d->sent[r[i].sent];
        json_array_append_new(
            arr, json_pack("{s:s%, s:i, s:i, s:i, s:f}", "text", d->text + s->off_src,
                           (size_t)s->len_src, "offset", (int)s->off_src, "length", (int)s->len_src,
                           "sentence", (int)r[i].sent, "bm25", round(r[i].bm25 * 1000.0) / 1000.0));
    }
    free(r);
    return arr;
}

static json_t *keywords_json(const struct kc_textkit *kit, const struct kc_doc *d,
                             const struct kc_criterion *c, const struct crit_eval *ev,
                             json_t *skills)
{
    json_t *arr = json_array();
    for (size_t k = 0; k < c->n_kw; k++) {
        const struct kc_keyword *kw = &c->kw[k];
        const struct kw_hit *h = &ev->hits[k];
        const char *canon =
            kw->entry >= 0 ? kc_lex_entry_at(kit->skills, (size_t)kw->entry)->canonical : NULL;
        json_t *o = json_pack("{s:s, s:o, s:b, s:b, s:i}", "keyword", kw->text, "canonical",
                              canon ? json_string(canon) : json_null(), "required", kw->required,
                              "found", h->found, "occurrences", (int)h->count);
        if (h->found) json_object_set_new(o, "source", json_string(h->source));
        if (h->found && strcmp(h->source, "text") == 0) {
            uint32_t off, len;
            kc_doc_src_span(d, h->off, h->len, &off, &len);
            json_object_set_new(o, "surface", json_stringn(d->text + off, len));
            json_object_set_new(o, "offset", json_integer(off));
            json_object_set_new(o, "length", json_integer(len));
            if (canon)
                json_array_append_new(skills, json_pack("{s:s, s:s%, s:i, s:i}", "canonical", canon,
                                                        "surface", d->text + off, (size_t)len,
                                                        "offset", (int)off, "length", (int)len));
        }
        json_array_append_new(arr, o);
    }
    return arr;
}

/* "a, b, c" of the keywords with found == want (and required when req_only). */
static void list_keywords(struct kc_sb *sb, const struct kc_criterion *c,
                          const struct crit_eval *ev, bool want, bool req_only)
{
    bool first = true;
    for (size_t k = 0; k < c->n_kw; k++) {
        if (ev->hits[k].found != want || (req_only && !c->kw[k].required)) continue;
        kc_sb_printf(sb, "%s%s", first ? "" : ", ", c->kw[k].text);
        first = false;
    }
}

static void reasons(const struct kc_criterion *c, const struct crit_eval *ev,
                    const struct kc_experience *exp, json_t *o)
{
    struct kc_sb ko = {0}, en = {0};
    double years = round1(kc_experience_years(exp));
    kc_sb_printf(&ko, "%s: ", c->name);
    kc_sb_printf(&en, "%s: ", c->name);
    if (c->n_kw) {
        kc_sb_printf(&ko, "키워드 %zu/%zu개 확인", ev->found, c->n_kw);
        kc_sb_printf(&en, "%zu/%zu keywords found", ev->found, c->n_kw);
        if (ev->found) {
            kc_sb_puts(&ko, "(");
            list_keywords(&ko, c, ev, true, false);
            kc_sb_puts(&ko, ")");
            kc_sb_puts(&en, " (");
            list_keywords(&en, c, ev, true, false);
            kc_sb_puts(&en, ")");
        }
        if (ev->found < c->n_kw) {
            kc_sb_puts(&ko, ", 미확인: ");
            list_keywords(&ko, c, ev, false, false);
            kc_sb_puts(&en, ", not found: ");
            list_keywords(&en, c, ev, false, false);
        }
        kc_sb_printf(&ko, ", 근거 문장 %zu개", ev->marked);
        kc_sb_printf(&en, ", in %zu sentences", ev->marked);
    }
    if (ev->req_missing) {
        kc_sb_puts(&ko, "; 필수 항목 누락: ");
        list_keywords(&ko, c, ev, false, true);
        kc_sb_puts(&en, "; missing required: ");
        list_keywords(&en, c, ev, false, true);
    }
    if (ev->years_applies && exp->n_merged == 0) {
        kc_sb_puts(&ko, "; 경력 기간을 확인할 수 없음");
        kc_sb_puts(&en, "; no employment dates found");
    } else if (ev->years_applies) {
        kc_sb_printf(&ko, "; 경력 %.1f년 / 요구 %g년", years, c->min_years);
        kc_sb_printf(&en, "; %.1f years of experience vs %g required", years, c->min_years);
    }
    kc_sb_printf(&ko, ". 점수 %.1f점.", ev->score);
    kc_sb_printf(&en, ". Score %.1f.", ev->score);
    json_object_set_new(o, "reason_ko", json_string(kc_sb_str(&ko)));
    json_object_set_new(o, "reason_en", json_string(kc_sb_str(&en)));
    kc_sb_free(&ko);
    kc_sb_free(&en);
}

static json_t *criterion_json(const struct kc_textkit *kit, const struct kc_doc *d,
                              const struct kc_criterion *c, const struct crit_eval *ev,
                              const struct kc_experience *exp)
{
    json_t *skills = json_array(), *missing = json_array();
    for (size_t k = 0; k < c->n_kw; k++)
        if (c->kw[k].required && !ev->hits[k].found)
            json_array_append_new(missing, json_string(c->kw[k].text));
    json_t *o =
        json_pack("{s:s, s:f, s:f, s:{s:f, s:f, s:o, s:f}}", "name", c->name, "weight", c->weight,
                  "score", ev->score, "components", "coverage", round(ev->coverage * 1000) / 1000,
                  "depth", round(ev->depth * 1000) / 1000, "years_fit",
                  ev->years_applies ? json_real(round(ev->years_fit * 1000) / 1000) : json_null(),
                  "required_factor", round(ev->req_factor * 1000) / 1000);
    json_object_set_new(o, "keywords", keywords_json(kit, d, c, ev, skills));
    json_object_set_new(o, "matched_skills", skills);
    json_object_set_new(o, "required_missing", missing);
    json_object_set_new(o, "evidence", evidence_json(d, c, ev));
    if (ev->years_applies)
        json_object_set_new(o, "years",
                            json_pack("{s:f, s:f, s:s}", "value", round1(kc_experience_years(exp)),
                                      "required", c->min_years, "status",
                                      exp->n_merged ? "ok" : "insufficient_data"));
    reasons(c, ev, exp, o);
    return o;
}

static const char *suggestion(const struct kc_jobspec *job, double total, bool req_missing)
{
    if (total >= job->threshold) return req_missing ? "hold" : "pass";
    return total >= job->threshold - job->hold_band ? "hold" : "fail";
}

static void overall_reasons(const struct kc_jobspec *job, double total, const char *sug,
                            bool req_missing, json_t *out)
{
    const char *ko_sug = strcmp(sug, "pass") == 0   ? "합격 제안"
                         : strcmp(sug, "hold") == 0 ? "보류 제안"
                                                    : "불합격 제안";
    struct kc_sb ko = {0}, en = {0};
    double lo = fmax(0.0, job->threshold - job->hold_band);
    kc_sb_printf(&ko, "가중 총점 %.1f점, 합격 기준 %g점(보류 구간 %g~%g점) → %s", total,
                 job->threshold, lo, job->threshold, ko_sug);
    kc_sb_printf(&en, "Weighted total %.1f against threshold %g (hold band %g-%g) → suggest %s",
                 total, job->threshold, lo, job->threshold, sug);
    if (req_missing) {
        kc_sb_puts(&ko, "; 필수 항목이 누락되어 사람의 검토가 필요합니다");
        kc_sb_puts(&en, "; a required item is missing, so a person should review");
    }
    kc_sb_puts(&ko, ".");
    kc_sb_puts(&en, ".");
    json_object_set_new(out, "reason_ko", json_string(kc_sb_str(&ko)));
    json_object_set_new(out, "reason_en", json_string(kc_sb_str(&en)));
    kc_sb_free(&ko);
    kc_sb_free(&en);
}

static json_t *formula_json(void)
{
    return json_pack(
        "{s:s, s:{s:f, s:f, s:f, s:f, s:f, s:i}}", "formula",
        "score = 100 * base * required_factor; base = (W_COVERAGE*coverage + W_DEPTH*depth "
        "[+ W_YEARS*years_fit]) / (W_COVERAGE + W_DEPTH [+ W_YEARS]); coverage = found/asked "
        "keywords; depth = min(1, keyword sentences / DEPTH_SATURATION); years_fit = min(1, "
        "years/min_years); required_factor = 1 - REQUIRED_PENALTY * missing_required/required; "
        "total = weighted mean of criterion scores; pass if total >= threshold and no required "
        "item missing, hold if within hold_band below threshold or required missing, else fail",
        "constants", "W_COVERAGE", KC_SCREEN_W_COVERAGE, "W_DEPTH", KC_SCREEN_W_DEPTH, "W_YEARS",
        KC_SCREEN_W_YEARS, "DEPTH_SATURATION", KC_SCREEN_DEPTH_SATURATION, "REQUIRED_PENALTY",
        KC_SCREEN_REQUIRED_PENALTY, "EVIDENCE_MAX", KC_SCREEN_EVIDENCE_MAX);
}

static int check_sections(const json_t *sections, struct kc_err *err)
{
    if (!sections || json_is_null(sections)) return 0;
    if (!json_is_object(sections))
        return kc_err_field(err, KC_E_INVALID, "resume.sections",
                            "resume.sections: must be an object");
    static const char *const keys[] = {"skills", "certificates"};
    for (size_t k = 0; k < 2; k++) {
        const json_t *v = json_object_get(sections, keys[k]);
        bool ok = !v || json_is_null(v) || json_is_string(v) || json_is_array(v);
        size_t i;
        const json_t *it;
        if (json_is_array(v)) json_array_foreach(v, i, it)
            {
                ok = ok && json_is_string(it);
            }
        if (!ok) {
            char f[64];
            snprintf(f, sizeof f, "resume.sections.%s", keys[k]);
            return kc_err_field(err, KC_E_INVALID, f, "%s: must be a string or array of strings",
                                f);
        }
    }
    return 0;
}

json_t *kc_screen_doc(const struct kc_textkit *kit, const struct kc_jobspec *job,
                      const struct kc_doc *d, const json_t *sections, struct kc_ym ref,
                      struct kc_err *err)
{
    struct kc_experience exp;
    if (check_sections(sections, err) != 0) return NULL;
    if (kc_experience_compute(d, sections, ref, &exp, err) != 0) return NULL;
    json_t *crits = json_array();
    double wsum = 0, total = 0;
    bool req_missing = false;
    for (size_t i = 0; i < job->n_crit; i++) {
        struct crit_eval ev;
        if (eval_criterion(kit, d, &job->crit[i], sections, &exp, &ev, err) != 0) {
            eval_free(&ev);
            json_decref(crits);
            kc_experience_free(&exp);
            return NULL;
        }
        json_array_append_new(crits, criterion_json(kit, d, &job->crit[i], &ev, &exp));
        wsum += job->crit[i].weight;
        total += job->crit[i].weight * ev.score;
        req_missing |= ev.req_missing > 0;
        eval_free(&ev);
    }
    total = round1(total / wsum);
    const char *sug = suggestion(job, total, req_missing);
    json_t *out =
        json_pack("{s:f, s:s, s:f, s:f, s:b, s:s, s:o, s:o, s:o}", "total", total, "suggestion",
                  sug, "threshold", job->threshold, "hold_band", job->hold_band, "required_missing",
                  req_missing, "lang", kc_lang_code(d->lang), "experience",
                  kc_experience_json(d, &exp), "criteria", crits, "scoring", formula_json());
    overall_reasons(job, total, sug, req_missing, out);
    kc_experience_free(&exp);
    return out;
}

json_t *kc_screen_text(const struct kc_textkit *kit, const struct kc_jobspec *job, const char *text,
                       size_t len, const json_t *sections, struct kc_ym ref, struct kc_err *err)
{
    struct kc_doc d;
    if (kc_doc_open(&d, kit, text, len, ref, "resume.text", err) != 0) return NULL;
    json_t *out = kc_screen_doc(kit, job, &d, sections, ref, err);
    kc_doc_close(&d);
    return out;
}

int kc_request_ref(const json_t *request, struct kc_ym *ref, struct kc_err *err)
{
    const json_t *v = json_object_get(request, "reference_date");
    if (!json_is_string(v))
        return kc_err_field(err, KC_E_INVALID, "reference_date",
                            "reference_date: required, \"YYYY-MM\" (the month \"present\" means)");
    return kc_date_parse_ref(json_string_value(v), ref, "reference_date", err);
}

const char *kc_request_text(const json_t *request, const char *obj, size_t *len, const char *field,
                            struct kc_err *err)
{
    const json_t *o = json_object_get(request, obj);
    const json_t *t = json_object_get(o, "text");
    if (!json_is_string(t)) {
        kc_err_field(err, KC_E_INVALID, field, "%s: required string", field);
        return NULL;
    }
    *len = json_string_length(t);
    return json_string_value(t);
}

json_t *kc_screen_json(const struct kc_textkit *kit, const json_t *request, struct kc_err *err)
{
    struct kc_ym ref;
    size_t len;
    if (!json_is_object(request)) {
        kc_err_set(err, KC_E_BAD_REQUEST, "request must be a JSON object");
        return NULL;
    }
    if (kc_request_ref(request, &ref, err) != 0) return NULL;
    const char *text = kc_request_text(request, "resume", &len, "resume.text", err);
    if (!text) return NULL;
    struct kc_jobspec *job = kc_jobspec_compile(kit, json_object_get(request, "job"), "job", err);
    if (!job) return NULL;
    const json_t *sections = json_object_get(json_object_get(request, "resume"), "sections");
    json_t *out = kc_screen_text(kit, job, text, len, sections, ref, err);
    kc_jobspec_free(job);
    return out;
}
