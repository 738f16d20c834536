/*
 * qrender.h — interview question list building: template rendering and near-duplicate removal
 * (used by questions.c).
 *
 * Rendering replaces {skill} {quote} {start} {end} {value} {years} {required} with the given
 * values and Korean particle pairs {을/를} {이/가} {은/는} {와/과} {으로/로} with the particle that
 * fits the text before them (josa.h). A template naming a placeholder without a value is not
 * rendered (NULL) — a question is never emitted with a hole in it.
 *
 * Duplicates: a new question whose character-3-gram Jaccard similarity with an accepted one is
 * >= KC_Q_DUP_JACCARD (questions.h) is rejected.
 *
 * Ownership: kc_qlist owns its items; free with kc_qlist_free. Thread-safety: per request.
 */
#ifndef KC_TEXT_QRENDER_H
#define KC_TEXT_QRENDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct kc_qvars {
    const char *skill, *quote, *start, *end, *value, *years, *required;
};

/* Rendered string (malloc'd, caller frees) or NULL (missing value / out of memory). */
char *kc_q_render(const char *tmpl, const struct kc_qvars *v);

struct kc_qitem {
    json_t *obj;     /* the question JSON (owned) */
    uint64_t *grams; /* sorted distinct 3-gram hashes of the normalised text */
    size_t n_grams;
};

struct kc_qlist {
    struct kc_qitem *v;
    size_t n, cap;
    size_t rejected_duplicates;
};

/* Build and add a question from a bank item or template: renders text and points in lang.
 * kind/trigger/skill/source may be NULL. Returns 1 added, 0 rejected (duplicate or not
 * renderable), -1 out of memory. source is taken (reference stolen) in every case. */
int kc_qlist_add(struct kc_qlist *l, const json_t *item, const char *kind, const char *lang,
                 const struct kc_qvars *v, const char *skill, json_t *source);
void kc_qlist_free(struct kc_qlist *l);

#endif
