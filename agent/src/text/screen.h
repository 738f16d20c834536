/*
 * screen.h — resume screening against a job's weighted criteria, with evidence and reasons.
 *
 * Scoring (every constant is named below; nothing else enters the score):
 *   For a criterion with keyword set K (keywords ∪ required, deduplicated by normalised text and
 *   lexicon entry) and required subset R:
 *     coverage  = |K found| / |K|
 *                 A keyword is found when its lexicon entry matches anywhere in the resume
 *                 (any surface: "쿠버네티스" = "K8s" = "Kubernetes"), or — for a keyword outside
 *                 the lexicon — when one sentence contains all its words (equal stems; a Korean
 *                 stem of >= 2 syllables may also prefix a resume word), or when it occurs in
 *                 sections.skills / sections.certificates (no offset then). Mentions in a
 *                 sentence with a negation cue ("쿠버네티스는 경험이 없습니다", "no experience
 *                 with Java") do not count.
 *     depth     = min(1, S / KC_SCREEN_DEPTH_SATURATION), S = number of non-heading resume
 *                 sentences containing any keyword of the criterion (mentioned once in a skills
 *                 list is weaker than used in several experience lines).
 *     years_fit = min(1, years / min_years), only when min_years > 0; years = merged work
 *                 experience (experience.h); unknown dates give 0 (status insufficient_data).
 *     base      = (W_COVERAGE*coverage + W_DEPTH*depth [+ W_YEARS*years_fit])
 *                 / (W_COVERAGE + W_DEPTH [+ W_YEARS]);  a criterion with no keywords and
 *                 min_years > 0 has base = years_fit.
 *     required_factor = 1 - KC_SCREEN_REQUIRED_PENALTY * |R missing| / |R|   (1 when R = {})
 *     score     = 100 * base * required_factor                       (0..100, one decimal)
 *   total = sum(weight_i * score_i) / sum(weight_i).
 *   Suggestion with the job's threshold T and hold band H (defaults in criteria.h):
 *     pass  total >= T and no required item is missing;
 *     hold  T - H <= total < T, or total >= T with a required item missing (a person decides);
 *     fail  total < T - H.
 *   Evidence: the sentences counted in S ranked by BM25 (bm25.h) of the criterion's query (all
 *   keyword surfaces and lexicon synonyms) — top KC_SCREEN_EVIDENCE_MAX, each with text and
 *   byte offset/length in the original resume.
 *
 * Ownership: returned json_t are new references (json_decref). Thread-safety: reentrant; kit
 * and compiled job are shared read-only.
 */
#ifndef KC_TEXT_SCREEN_H
#define KC_TEXT_SCREEN_H

#include <jansson.h>

#include "core/err.h"
#include "text/criteria.h"
#include "text/doc.h"

#define KC_SCREEN_W_COVERAGE       0.6 /* what share of the asked skills are present */
#define KC_SCREEN_W_DEPTH          0.2 /* how much of the resume supports them */
#define KC_SCREEN_W_YEARS          0.2 /* experience length against min_years */
#define KC_SCREEN_DEPTH_SATURATION 3.0 /* sentences at which depth is full */
#define KC_SCREEN_REQUIRED_PENALTY 0.5 /* score share lost when every required item is missing */
#define KC_SCREEN_EVIDENCE_MAX     3

/* Screen an analysed resume (sections may be NULL) against a compiled job. */
json_t *kc_screen_doc(const struct kc_textkit *kit, const struct kc_jobspec *job,
                      const struct kc_doc *resume, const json_t *sections, struct kc_ym ref,
                      struct kc_err *err);

/* Screen raw resume text. */
json_t *kc_screen_text(const struct kc_textkit *kit, const struct kc_jobspec *job, const char *text,
                       size_t len, const json_t *sections, struct kc_ym ref, struct kc_err *err);

/* Request: {"job":{...criteria.h...}, "resume":{"text", "sections"?}, "reference_date":"YYYY-MM"}.
 * Errors: KC_E_INVALID with the field named (job.criteria, resume.text, reference_date …). */
json_t *kc_screen_json(const struct kc_textkit *kit, const json_t *request, struct kc_err *err);

/* Shared request helpers (also used by highlights and questions). */
int kc_request_ref(const json_t *request, struct kc_ym *ref, struct kc_err *err);
const char *kc_request_text(const json_t *request, const char *obj, size_t *len, const char *field,
                            struct kc_err *err);

#endif
