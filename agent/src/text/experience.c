/*
 * experience.c — work-experience intervals from sections JSON or resume text. See experience.h.
 */
#include "text/experience.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kc_ym_format(struct kc_ym d, char out[8])
{
    snprintf(out, 8, "%04u-%02u", (unsigned)d.year % 10000u, (unsigned)d.month % 100u);
}

static int reserve(struct kc_experience *e, size_t n, struct kc_err *err)
{
    size_t cap = n ? n : 1;
    e->kept = calloc(cap, sizeof *e->kept);
    e->kept_sent = calloc(cap, sizeof *e->kept_sent);
    e->excluded = calloc(cap, sizeof *e->excluded);
    e->excluded_sent = calloc(cap, sizeof *e->excluded_sent);
    e->excluded_reason = calloc(cap, sizeof *e->excluded_reason);
    e->merged = calloc(cap, sizeof *e->merged);
    if (!e->kept || !e->kept_sent || !e->excluded || !e->excluded_sent || !e->excluded_reason ||
        !e->merged)
        return kc_err_set(err, KC_E_NOMEM, "experience: out of memory");
    return 0;
}

/* Why a text range is not a work period, or NULL when it is one. */
static const char *exclusion_reason(const struct kc_doc *d, size_t s, bool only_experience)
{
    if (s >= d->n_sent) return "outside sentences";
    switch (d->sent[s].section) {
    case KC_SEC_EDUCATION: return "education section";
    case KC_SEC_MILITARY: return "military service section";
    case KC_SEC_CERTIFICATES:
    case KC_SEC_AWARDS:
    case KC_SEC_ACTIVITIES:
    case KC_SEC_LANGUAGES: return "not a work section";
    default: break;
    }
    const struct kc_lexicon *cues = d->kit->cues;
    int edu = kc_lex_group_find(cues, "education"), nonwork = kc_lex_group_find(cues, "nonwork");
    if (kc_doc_sentence_cue(d, s, cues, edu, NULL, NULL) >= 0) return "education cue";
    if (kc_doc_sentence_cue(d, s, cues, nonwork, NULL, NULL) >= 0) return "non-work cue";
    if (only_experience && d->sent[s].section != KC_SEC_EXPERIENCE) return "outside experience";
    return NULL;
}

static void from_text(const struct kc_doc *d, struct kc_experience *e)
{
    bool has_exp_section = false;
    for (size_t r = 0; r < d->ranges.n; r++) {
        uint32_t s = d->range_sent[r];
        if (s != UINT32_MAX && d->sent[s].section == KC_SEC_EXPERIENCE && !d->ranges.v[r].rejected)
            has_exp_section = true;
    }
    for (size_t r = 0; r < d->ranges.n; r++) {
        uint32_t s = d->range_sent[r];
        const char *why =
            d->ranges.v[r].rejected ? "impossible dates" : exclusion_reason(d, s, has_exp_section);
        if (why) {
            e->excluded[e->n_excluded] = d->ranges.v[r];
            e->excluded_sent[e->n_excluded] = s;
            e->excluded_reason[e->n_excluded++] = why;
        } else {
            e->kept[e->n_kept] = d->ranges.v[r];
            e->kept_sent[e->n_kept++] = s;
        }
    }
}

static int item_date(const json_t *item, const char *key, size_t i, struct kc_ym ref,
                     struct kc_ym *out, bool *present, struct kc_err *err)
{
    char field[96];
    snprintf(field, sizeof field, "resume.sections.experience[%zu].%s", i, key);
    const json_t *v = json_object_get(item, key);
    *present = false;
    if (!v || json_is_null(v)) {
        if (strcmp(key, "start") == 0)
            return kc_err_field(err, KC_E_INVALID, field, "%s: missing", field);
        *out = ref;
        *present = true;
        return 0;
    }
    if (!json_is_string(v))
        return kc_err_field(err, KC_E_INVALID, field, "%s: must be a string", field);
    return kc_date_parse(json_string_value(v), json_string_length(v), ref, out, present, field,
                         err);
}

static int from_sections(const json_t *list, struct kc_ym ref, struct kc_experience *e,
                         struct kc_err *err)
{
    size_t i;
    const json_t *item;
    json_array_foreach(list, i, item)
    {
        if (!json_is_object(item))
            return kc_err_field(err, KC_E_INVALID, "resume.sections.experience",
                                "resume.sections.experience[%zu]: must be an object", i);
        struct kc_date_range r = {0};
        bool p0, p1;
        if (item_date(item, "start", i, ref, &r.start, &p0, err) != 0 ||
            item_date(item, "end", i, ref, &r.end, &p1, err) != 0)
            return -1;
        r.end_present = p1;
        if (kc_ym_index(r.end) > kc_ym_index(ref)) r.end = ref, r.clamped = true;
        r.rejected = kc_ym_index(r.start) > kc_ym_index(r.end);
        e->kept[e->n_kept] = r;
        e->kept_sent[e->n_kept++] = UINT32_MAX;
    }
    return 0;
}

int kc_experience_compute(const struct kc_doc *d, const json_t *sections, struct kc_ym ref,
                          struct kc_experience *e, struct kc_err *err)
{
    memset(e, 0, sizeof *e);
    const json_t *list = sections ? json_object_get(sections, "experience") : NULL;
    if (list && !json_is_array(list))
        return kc_err_field(err, KC_E_INVALID, "resume.sections.experience",
                            "resume.sections.experience: must be an array");
    bool use_sections = list && json_array_size(list) > 0;
    size_t n = use_sections ? json_array_size(list) : d->ranges.n;
    if (reserve(e, n, err) != 0) {
        kc_experience_free(e);
        return -1;
    }
    if (use_sections) {
        e->from_sections = true;
        if (from_sections(list, ref, e, err) != 0) {
            kc_experience_free(e);
            return -1;
        }
    } else {
        from_text(d, e);
    }
    e->n_merged = kc_date_merge(e->kept, e->n_kept, e->merged, &e->months);
    return 0;
}

void kc_experience_free(struct kc_experience *e)
{
    if (!e) return;
    free(e->kept);
    free(e->kept_sent);
    free(e->excluded);
    free(e->excluded_sent);
    free(e->excluded_reason);
    free(e->merged);
    memset(e, 0, sizeof *e);
}

static json_t *range_json(const struct kc_doc *d, const struct kc_date_range *r, uint32_t sent)
{
    char a[8], b[8];
    kc_ym_format(r->start, a);
    kc_ym_format(r->end, b);
    json_t *o =
        json_pack("{s:s, s:s, s:b, s:i}", "start", a, "end", b, "end_present", r->end_present,
                  "months", kc_ym_index(r->end) - kc_ym_index(r->start) + 1);
    if (r->clamped) json_object_set_new(o, "clamped_to_reference", json_true());
    if (sent != UINT32_MAX && d) {
        uint32_t off, len;
        kc_doc_src_span(d, r->off, r->len, &off, &len);
        json_object_set_new(o, "text", json_stringn(d->text + off, len));
        json_object_set_new(o, "offset", json_integer(off));
        json_object_set_new(o, "length", json_integer(len));
    }
    return o;
}

json_t *kc_experience_json(const struct kc_doc *d, const struct kc_experience *e)
{
    json_t *kept = json_array(), *merged = json_array(), *excl = json_array();
    for (size_t i = 0; i < e->n_kept; i++)
        if (!e->kept[i].rejected)
            json_array_append_new(kept, range_json(d, &e->kept[i], e->kept_sent[i]));
    for (size_t i = 0; i < e->n_merged; i++)
        json_array_append_new(merged, range_json(NULL, &e->merged[i], UINT32_MAX));
    for (size_t i = 0; i < e->n_excluded; i++) {
        json_t *o = range_json(d, &e->excluded[i], e->excluded_sent[i]);
        json_object_set_new(o, "reason", json_string(e->excluded_reason[i]));
        json_array_append_new(excl, o);
    }
    double years = round(kc_experience_years(e) * 10.0) / 10.0;
    return json_pack("{s:f, s:s, s:i, s:i, s:s, s:s, s:s, s:o, s:o, s:o}", "value", years, "unit",
                     "years", "months", e->months, "samples", (int)e->n_merged, "status",
                     e->n_merged > 0 ? "ok" : "insufficient_data", "source",
                     e->from_sections ? "sections" : "text", "definition",
                     "sum of merged work intervals (overlaps and touching months joined), months "
                     "counted inclusively, present = reference month",
                     "intervals", kept, "merged", merged, "excluded", excl);
}
