/*
 * highlight.h — tagging resume sentences for a reviewer, each tag with its reason.
 *
 * Tags (a sentence may carry several; headings are never tagged):
 *   skill_fit     the sentence mentions skills the job asks for (jobctx.h), outside a negation.
 *   experience    the sentence holds a counted work period (experience.h) or a years claim
 *                 ("6년 차", "5년간", "5 years of", "3+ years").
 *   value_fit     the sentence expresses a value concept (values.tsv) that the company values
 *                 text also names; status "unavailable" when no values text is given.
 *   mismatch      a claim contradicting the job: a job skill under a negation cue ("쿠버네티스는
 *                 경험이 없습니다"), or a years claim below the job's minimum. Document-level
 *                 mismatches (no sentence to point at): a required skill absent from the resume,
 *                 total experience below the minimum.
 *   negative_tone words of the negative-tone lexicon (tone.tsv), quoted. Descriptive only.
 * Every tag carries reason_ko, reason_en and evidence spans (text, byte offset, length in the
 * original resume).
 *
 * Request: {"job":{"text"?, "criteria"?}, "resume":{"text", "sections"?}, "values"?: text,
 *           "reference_date": "YYYY-MM"}.
 * Ownership: returned json_t is new. Thread-safety: reentrant.
 */
#ifndef KC_TEXT_HIGHLIGHT_H
#define KC_TEXT_HIGHLIGHT_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"
#include "text/doc.h"
#include "text/jobctx.h"

json_t *kc_highlight_json(const struct kc_textkit *kit, const json_t *request, struct kc_err *err);

/* Shared with questions.c ------------------------------------------------------------------ */

/* Mark (set[e] = 1) the value concepts named in the values text. set has kc_lex_size(values)
 * entries. 0 or -1 (KC_E_INVALID for a bad text, field "values"). */
int kc_values_of_text(const struct kc_textkit *kit, const char *text, size_t len, uint8_t *set,
                      struct kc_err *err);
/* First value concept of `set` expressed in sentence s, or -1; span of the words. */
int kc_sentence_value(const struct kc_doc *d, size_t s, const uint8_t *set, uint32_t *off,
                      uint32_t *len);
/* A job skill (any level) mentioned in negated sentence s, or -1; span of the skill. */
int kc_sentence_negated_skill(const struct kc_doc *d, size_t s, const struct kc_jobctx *ctx,
                              uint32_t *off, uint32_t *len);
/* A years-of-experience claim in sentence s ("6년 차", "5 years of"): true with the years and
 * the normalised span of the claim. */
bool kc_sentence_years_claim(const struct kc_doc *d, size_t s, double *years, uint32_t *off,
                             uint32_t *len);
/* Label of a value concept: its first Hangul surface for Korean, the canonical name otherwise. */
const char *kc_value_label(const struct kc_textkit *kit, size_t entry, enum kc_lang lang);

#endif
