/*
 * jobctx.h — what highlights and questions need to know about a job: the skills it asks for,
 * which are required, the minimum years, and its analysed text.
 *
 * From the job JSON (criteria.h format; criteria optional here, text optional, one of them
 * required): job skills = lexicon entries of all criteria keywords ∪ skills found in the job
 * text; required = entries of criteria `required` items, or — without criteria — skills in the
 * job text's requirements section / required-cue sentences (as in the criteria suggestion).
 * min_years = the largest criterion min_years, else the job text's statement (criteria.h).
 *
 * Ownership: the context owns everything; close with kc_jobctx_close.
 * Thread-safety: one context per request.
 */
#ifndef KC_TEXT_JOBCTX_H
#define KC_TEXT_JOBCTX_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"
#include "text/criteria.h"
#include "text/doc.h"

enum { KC_JOBSKILL_NONE = 0, KC_JOBSKILL_ASKED = 1, KC_JOBSKILL_REQUIRED = 2 };

struct kc_jobctx {
    uint8_t *skill;         /* per skills-lexicon entry: KC_JOBSKILL_* */
    uint32_t *mentions;     /* per entry: mentions in the job text */
    struct kc_jobspec *job; /* compiled criteria, or NULL */
    struct kc_doc doc;      /* analysed job text when has_doc */
    bool has_doc;
    double min_years;
};

int kc_jobctx_open(const struct kc_textkit *kit, const json_t *job, struct kc_jobctx *ctx,
                   struct kc_err *err);
void kc_jobctx_close(struct kc_jobctx *ctx);

#endif
