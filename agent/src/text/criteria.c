/*
 * criteria.c — job criteria compilation and suggestion. See criteria.h.
 */
#include "text/criteria.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/doc.h"
#include "text/norm.h"
#include "text/utf8.h"

static void keyword_free(struct kc_keyword *k)
{
    free(k->text);
    free(k->norm);
    kc_tokens_free(&k->toks);
}

void kc_jobspec_free(struct kc_jobspec *job)
{
    if (!job) return;
    for (size_t i = 0; i < job->n_crit; i++) {
        struct kc_criterion *c = &job->crit[i];
        for (size_t k = 0; k < c->n_kw; k++) keyword_free(&c->kw[k]);
        free(c->kw);
        free(c->name);
        free(c->query);
    }
    free(job->crit);
    free(job->text);
    free(job);
}

/* Lexicon entry for a normalised keyword: exact surface, or one term covering >= half of it. */
static int resolve_entry(const struct kc_textkit *kit, const char *norm, size_t len)
{
    int e = kc_lex_lookup(kit->skills, norm, len);
    if (e >= 0) return e;
    struct kc_lex_matches m = {0};
    if (kc_lex_find(kit->skills, norm, len, &m, NULL) != 0) return -1;
    if (m.n == 1 && m.v[0].len * 2 >= len) e = (int)m.v[0].entry;
    kc_lex_matches_free(&m);
    return e;
}

static int check_keyword(const json_t *v, const char *field, struct kc_err *err)
{
    if (!json_is_string(v))
        return kc_err_field(err, KC_E_INVALID, field, "%s: must be a string", field);
    size_t len = json_string_length(v);
    if (len > KC_CRIT_KEYWORD_MAX_BYTES)
        return kc_err_field(err, KC_E_INVALID, field, "%s: longer than %d bytes", field,
                            KC_CRIT_KEYWORD_MAX_BYTES);
    return kc_doc_check_text(json_string_value(v), len, field, err);
}

/* Find an existing keyword with the same normalised text or lexicon entry. */
static struct kc_keyword *find_same(struct kc_criterion *c, const char *norm, int entry)
{
    for (size_t i = 0; i < c->n_kw; i++)
        if (strcmp(c->kw[i].norm, norm) == 0 || (entry >= 0 && c->kw[i].entry == entry))
            return &c->kw[i];
    return NULL;
}

static int add_keyword(const struct kc_textkit *kit, struct kc_criterion *c, const json_t *v,
                       bool required, const char *field, struct kc_err *err)
{
    if (check_keyword(v, field, err) != 0) return -1;
    char *norm = kc_norm_dup(json_string_value(v), json_string_length(v));
    if (!norm) return kc_err_set(err, KC_E_NOMEM, "criteria: out of memory");
    int entry = resolve_entry(kit, norm, strlen(norm));
    struct kc_keyword *same = find_same(c, norm, entry);
    if (same) {
        same->required |= required;
        free(norm);
        return 0;
    }
    struct kc_keyword *k = &c->kw[c->n_kw++];
    k->text = strdup(json_string_value(v));
    k->norm = norm;
    k->entry = entry;
    k->required = required;
    if (!k->text) return kc_err_set(err, KC_E_NOMEM, "criteria: out of memory");
    return kc_tok_words(norm, strlen(norm), &k->toks, err);
}

static int add_keyword_list(const struct kc_textkit *kit, struct kc_criterion *c,
                            const json_t *list, bool required, const char *field,
                            struct kc_err *err)
{
    if (!list) return 0;
    if (!json_is_array(list))
        return kc_err_field(err, KC_E_INVALID, field, "%s: must be an array of strings", field);
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v)
    {
        char f[320];
        snprintf(f, sizeof f, "%s[%zu]", field, i);
        if (add_keyword(kit, c, v, required, f, err) != 0) return -1;
    }
    return 0;
}

static int build_query(const struct kc_textkit *kit, struct kc_criterion *c, struct kc_err *err)
{
    size_t cap = 0;
    for (size_t i = 0; i < c->n_kw; i++) {
        const struct kc_keyword *k = &c->kw[i];
        if (kc_tok_terms(k->norm, strlen(k->norm), &c->query, &c->n_query, &cap, err) != 0)
            return -1;
        if (k->entry < 0) continue;
        const struct kc_lex_entry *en = kc_lex_entry_at(kit->skills, (size_t)k->entry);
        for (size_t s = 0; s < en->n_surfaces; s++)
            if (kc_tok_terms(en->surfaces[s], strlen(en->surfaces[s]), &c->query, &c->n_query, &cap,
                             err) != 0)
                return -1;
    }
    return 0;
}

static int number_field(const json_t *o, const char *key, double lo, double hi, double dflt,
                        const char *field, double *out, struct kc_err *err)
{
    const json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        *out = dflt;
        return 0;
    }
    if (!json_is_number(v) || json_number_value(v) < lo || json_number_value(v) > hi ||
        isnan(json_number_value(v)))
        return kc_err_field(err, KC_E_INVALID, field, "%s: must be a number in [%g, %g]", field, lo,
                            hi);
    *out = json_number_value(v);
    return 0;
}

static int compile_criterion(const struct kc_textkit *kit, const json_t *o, const char *f,
                             struct kc_criterion *c, struct kc_err *err)
{
    char field[256];
    if (!json_is_object(o)) return kc_err_field(err, KC_E_INVALID, f, "%s: must be an object", f);
    snprintf(field, sizeof field, "%s.name", f);
    const json_t *name = json_object_get(o, "name");
    if (!json_is_string(name) ||
        kc_doc_check_text(json_string_value(name), json_string_length(name), field, err) != 0)
        return kc_err_field(err, KC_E_INVALID, field, "%s: must be a non-empty string", field);
    c->name = strdup(json_string_value(name));
    snprintf(field, sizeof field, "%s.weight", f);
    if (!json_object_get(o, "weight"))
        return kc_err_field(err, KC_E_INVALID, field, "%s: missing", field);
    if (number_field(o, "weight", 0, 1, 0, field, &c->weight, err) != 0) return -1;
    snprintf(field, sizeof field, "%s.min_years", f);
    if (number_field(o, "min_years", 0, 50, 0, field, &c->min_years, err) != 0) return -1;
    const json_t *kw = json_object_get(o, "keywords"), *req = json_object_get(o, "required");
    size_t n = (json_is_array(kw) ? json_array_size(kw) : 0) +
               (json_is_array(req) ? json_array_size(req) : 0);
    snprintf(field, sizeof field, "%s.keywords", f);
    if (n > KC_CRIT_MAX_KEYWORDS)
        return kc_err_field(err, KC_E_INVALID, field, "%s: more than %d keywords", field,
                            KC_CRIT_MAX_KEYWORDS);
    c->kw = calloc(n ? n : 1, sizeof *c->kw);
    if (!c->name || !c->kw) return kc_err_set(err, KC_E_NOMEM, "criteria: out of memory");
    if (add_keyword_list(kit, c, kw, false, field, err) != 0) return -1;
    snprintf(field, sizeof field, "%s.required", f);
    if (add_keyword_list(kit, c, req, true, field, err) != 0) return -1;
    for (size_t i = 0; i < c->n_kw; i++) c->n_required += c->kw[i].required;
    if (c->n_kw == 0 && c->min_years <= 0) {
        snprintf(field, sizeof field, "%s.keywords", f);
        return kc_err_field(err, KC_E_INVALID, field,
                            "%s: empty; a criterion needs keywords, required items or min_years",
                            field);
    }
    return build_query(kit, c, err);
}

static int compile_all(const struct kc_textkit *kit, const json_t *job, const char *prefix,
                       struct kc_jobspec *out, struct kc_err *err)
{
    char field[160];
    snprintf(field, sizeof field, "%s.criteria", prefix);
    const json_t *list = json_object_get(job, "criteria");
    if (!json_is_array(list) || json_array_size(list) == 0)
        return kc_err_field(err, KC_E_INVALID, field, "%s: job without criteria", field);
    if (json_array_size(list) > KC_CRIT_MAX)
        return kc_err_field(err, KC_E_INVALID, field, "%s: more than %d criteria", field,
                            KC_CRIT_MAX);
    out->crit = calloc(json_array_size(list), sizeof *out->crit);
    if (!out->crit) return kc_err_set(err, KC_E_NOMEM, "criteria: out of memory");
    double total = 0;
    size_t i;
    const json_t *c;
    json_array_foreach(list, i, c)
    {
        char f[192];
        snprintf(f, sizeof f, "%s[%zu]", field, i);
        out->n_crit++;
        if (compile_criterion(kit, c, f, &out->crit[i], err) != 0) return -1;
        total += out->crit[i].weight;
    }
    if (total <= 0) return kc_err_field(err, KC_E_INVALID, field, "%s: all weights are 0", field);
    return 0;
}

struct kc_jobspec *kc_jobspec_compile(const struct kc_textkit *kit, const json_t *job,
                                      const char *prefix, struct kc_err *err)
{
    char field[128];
    if (!json_is_object(job)) {
        kc_err_field(err, KC_E_INVALID, prefix, "%s: must be an object", prefix);
        return NULL;
    }
    struct kc_jobspec *out = calloc(1, sizeof *out);
    if (!out) {
        kc_err_set(err, KC_E_NOMEM, "criteria: out of memory");
        return NULL;
    }
    int rc = compile_all(kit, job, prefix, out, err);
    snprintf(field, sizeof field, "%s.threshold", prefix);
    if (rc == 0)
        rc = number_field(job, "threshold", 0, 100, KC_SCREEN_DEFAULT_THRESHOLD, field,
                          &out->threshold, err);
    snprintf(field, sizeof field, "%s.hold_band", prefix);
    if (rc == 0)
        rc = number_field(job, "hold_band", 0, 100, KC_SCREEN_DEFAULT_HOLD_BAND, field,
                          &out->hold_band, err);
    const json_t *text = json_object_get(job, "text");
    snprintf(field, sizeof field, "%s.text", prefix);
    if (rc == 0 && text && !json_is_null(text)) {
        if (!json_is_string(text))
            rc = kc_err_field(err, KC_E_INVALID, field, "%s: must be a string", field);
        else
            rc = kc_doc_check_text(json_string_value(text), json_string_length(text), field, err);
        if (rc == 0) {
            out->text_len = json_string_length(text);
            out->text = malloc(out->text_len + 1);
            if (out->text)
                memcpy(out->text, json_string_value(text), out->text_len + 1);
            else
                rc = kc_err_set(err, KC_E_NOMEM, "criteria: out of memory");
        }
    }
    if (rc != 0) {
        kc_jobspec_free(out);
        return NULL;
    }
    return out;
}
